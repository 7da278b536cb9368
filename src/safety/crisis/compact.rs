//! Step 3, compact: [`Normalised`] (tokens concatenated, repeats squeezed, word boundaries
//! remembered) and the [`Compactor`] that builds it one character at a time.
//!
//! It decides nothing about what a token is; the tokeniser does, and pushes into it.

/// A message in compact form: tokens concatenated, repeats squeezed, and where words start and
/// end.
#[derive(Debug)]
pub(super) struct Normalised {
    /// UTF-8: only whole characters are pushed.
    pub(super) text: Vec<u8>,
    /// Byte offsets in `text` where a token starts or ends, ascending, without repeats.
    pub(super) boundaries: Vec<usize>,
    /// Some `1` or `!` was read as a letter, so the other reading is worth a second look.
    pub(super) read_one_as_letter: bool,
}

impl Normalised {
    pub(super) fn is_boundary(&self, at: usize) -> bool {
        self.boundaries.binary_search(&at).is_ok()
    }
}

/// Builds a [`Normalised`] one character at a time.
pub(super) struct Compactor {
    pub(super) out: Normalised,
    in_token: bool,
    /// The last character pushed, or NUL before the first (NUL never reaches a token).
    last: u32,
}

impl Compactor {
    pub(super) fn with_capacity(bytes: usize) -> Compactor {
        Compactor {
            out: Normalised {
                text: Vec::with_capacity(bytes),
                boundaries: Vec::with_capacity(bytes / 4 + 1),
                read_one_as_letter: false,
            },
            in_token: false,
            last: 0,
        }
    }

    #[inline]
    fn mark_boundary(&mut self, at: usize) {
        let boundaries = &mut self.out.boundaries;
        match boundaries.last() {
            Some(&last) if last == at => {}
            // Only a squeezed merge marks a position behind the last one.
            Some(&last) if last > at => {
                let index = boundaries.partition_point(|&p| p < at);
                if boundaries.get(index) != Some(&at) {
                    boundaries.insert(index, at);
                }
            }
            _ => boundaries.push(at),
        }
    }

    #[inline(always)]
    pub(super) fn push(&mut self, c: char) {
        if let Ok(byte) = u8::try_from(c)
            && byte.is_ascii()
        {
            self.push_byte(byte);
        } else {
            self.push_wide(c);
        }
    }

    /// Pushes an ASCII character.
    #[inline(always)]
    pub(super) fn push_byte(&mut self, b: u8) {
        let starts_token = !self.in_token;
        self.in_token = true;
        if self.last == u32::from(b) {
            // Squeezed into the previous character. If that one ended a token, this merged
            // character both ends the old word and starts the new one ("was suicidal").
            if starts_token {
                self.mark_boundary(self.out.text.len() - 1);
            }
            return;
        }
        if starts_token {
            self.mark_boundary(self.out.text.len());
        }
        self.out.text.push(b);
        self.last = u32::from(b);
    }

    /// Pushes a run of ASCII letters: only the first can start a token.
    #[inline]
    pub(super) fn push_letters(&mut self, run: &[u8]) {
        let Some((&first, rest)) = run.split_first() else {
            return;
        };
        let first = first.to_ascii_lowercase();
        self.push_byte(first);
        let mut last = first;
        for &b in rest {
            let b = b.to_ascii_lowercase();
            if b != last {
                self.out.text.push(b);
                last = b;
            }
        }
        self.last = u32::from(last);
    }

    fn push_wide(&mut self, c: char) {
        let starts_token = !self.in_token;
        self.in_token = true;
        if self.last == u32::from(c) {
            if starts_token {
                self.mark_boundary(self.out.text.len() - c.len_utf8());
            }
            return;
        }
        if starts_token {
            self.mark_boundary(self.out.text.len());
        }
        let mut utf8 = [0; 4];
        self.out
            .text
            .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        self.last = u32::from(c);
    }

    #[inline]
    pub(super) fn end_token(&mut self) {
        if self.in_token {
            self.mark_boundary(self.out.text.len());
            self.in_token = false;
        }
    }

    pub(super) fn finish(mut self) -> Normalised {
        self.end_token();
        self.out
    }
}
