//! Step 2, tokenise: [`normalise`], the one pass from a message to its compact form. Splits on
//! whitespace, drops apostrophes, undoes leetspeak in chunks that are words, and treats every
//! other punctuation mark as a separator; non-ASCII pieces are folded first.
//!
//! The ASCII byte path and the character path must read text the same way (a test checks).

use super::compact::{Compactor, Normalised};
use super::fold::fold_char;

/// How a leetspeak `1` (and an in-word `!`) is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LeetOne {
    AsI,
    AsL,
}

/// Normalises `input` into compact form (see the module docs), in one pass.
pub(super) fn normalise(input: &str, one: LeetOne) -> Normalised {
    let mut chunker = Chunker::new(input.len(), one);
    let is_space = |b: &u8| matches!(b, b' ' | b'\t'..=b'\r');
    if input.is_ascii() {
        let lower = input.to_ascii_lowercase();
        for chunk in lower.as_bytes().split(is_space) {
            chunker.take_ascii_chunk(chunk);
        }
        chunker.flush_singles();
        return chunker.out.finish();
    }
    // Pieces that are pure ASCII (most of a message with a curly apostrophe or an emoji
    // somewhere) still take the byte path; the rest are folded character by character.
    for piece in input.as_bytes().split(is_space) {
        if piece.is_ascii() {
            chunker.take_ascii_chunk(piece);
        } else {
            // Splitting UTF-8 at ASCII bytes leaves whole characters, so this borrows.
            for c in String::from_utf8_lossy(piece).chars() {
                fold_char(c, |folded| chunker.feed(folded));
            }
            chunker.end_chunk();
        }
    }
    chunker.flush_singles();
    chunker.out.finish()
}

/// Splits folded characters into whitespace-separated chunks. Leetspeak is undone only in
/// chunks that are words (they contain a letter), so "116 123" and "24/7" stay numbers. A run
/// of single-character chunks ("k 1 l l") is judged as a whole.
pub(super) struct Chunker {
    pub(super) out: Compactor,
    one: LeetOne,
    /// The chunk being folded (non-ASCII pieces only).
    chunk: Vec<char>,
    /// The pending run of single-character chunks.
    singles: Vec<char>,
}

impl Chunker {
    pub(super) fn new(bytes: usize, one: LeetOne) -> Chunker {
        Chunker {
            out: Compactor::with_capacity(bytes),
            one,
            chunk: Vec::new(),
            singles: Vec::new(),
        }
    }

    pub(super) fn feed(&mut self, c: char) {
        if c.is_whitespace() {
            self.end_chunk();
        } else {
            self.chunk.push(c);
        }
    }

    pub(super) fn end_chunk(&mut self) {
        let chunk = std::mem::take(&mut self.chunk);
        self.take_chunk(&chunk);
        self.chunk = chunk;
        self.chunk.clear();
    }

    fn take_chunk<T: Copy + Into<char>>(&mut self, chunk: &[T]) {
        match *chunk {
            [] => {}
            [single] => self.singles.push(single.into()),
            _ => {
                self.flush_singles();
                let wordy = chunk.iter().any(|&c| c.into().is_alphabetic());
                compact_chunk(chunk, wordy, self.one, &mut self.out);
                self.out.end_token();
            }
        }
    }

    fn take_ascii_chunk(&mut self, chunk: &[u8]) {
        match *chunk {
            [] => {}
            [single] => self.singles.push(char::from(single.to_ascii_lowercase())),
            _ => {
                self.flush_singles();
                let wordy = chunk.iter().any(u8::is_ascii_alphabetic);
                compact_ascii_chunk(chunk, wordy, self.one, &mut self.out);
                self.out.end_token();
            }
        }
    }

    #[inline(always)]
    pub(super) fn flush_singles(&mut self) {
        if !self.singles.is_empty() {
            self.flush_pending_singles();
        }
    }

    fn flush_pending_singles(&mut self) {
        let wordy = self.singles.iter().any(|c| c.is_alphabetic());
        for single in &self.singles {
            compact_chunk(std::slice::from_ref(single), wordy, self.one, &mut self.out);
            self.out.end_token();
        }
        self.singles.clear();
    }
}

/// Emits the tokens of one whitespace-free chunk.
fn compact_chunk<T: Copy + Into<char>>(
    chunk: &[T],
    wordy: bool,
    one: LeetOne,
    out: &mut Compactor,
) {
    let at = |i: usize| chunk.get(i).map(|&c| c.into());
    let mut i = 0;
    while let Some(c) = at(i) {
        if c == '\'' || c == '`' {
            // "can't" → "cant": the apostrophe joins.
        } else if c.is_alphabetic() {
            out.push(c);
        } else if wordy && c == '!' {
            // A run of '!' is a letter only between word characters: "k!ll", not "die!!!".
            let mut end = i;
            while at(end) == Some('!') {
                end += 1;
            }
            let inside =
                i > 0 && at(i - 1).is_some_and(is_word_char) && at(end).is_some_and(is_word_char);
            if inside {
                out.out.read_one_as_letter = true;
                let letter = match one {
                    LeetOne::AsI => 'i',
                    LeetOne::AsL => 'l',
                };
                for _ in i..end {
                    out.push(letter);
                }
            } else {
                out.end_token();
            }
            i = end;
            continue;
        } else if let Some(letter) = leet(c).filter(|_| wordy) {
            if c == '1' {
                out.out.read_one_as_letter = true;
                out.push(if one == LeetOne::AsL { 'l' } else { letter });
            } else {
                out.push(letter);
            }
        } else if c.is_alphanumeric() {
            out.push(c);
        } else {
            out.end_token();
        }
        i += 1;
    }
}

/// [`compact_chunk`] for an ASCII chunk (most of every message): the same rules on bytes.
/// A test checks the two agree.
fn compact_ascii_chunk(chunk: &[u8], wordy: bool, one: LeetOne, out: &mut Compactor) {
    let mut i = 0;
    while let Some(&b) = chunk.get(i) {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {
                // Letters are most of every message: take the whole run at once.
                let letters = chunk.get(i..).unwrap_or_default();
                let run = letters
                    .iter()
                    .position(|c| !c.is_ascii_alphabetic())
                    .unwrap_or(letters.len());
                out.push_letters(letters.get(..run).unwrap_or_default());
                i += run;
                continue;
            }
            b'\'' | b'`' => {}
            b'!' if wordy => {
                let mut end = i;
                while chunk.get(end) == Some(&b'!') {
                    end += 1;
                }
                let inside = i > 0
                    && chunk
                        .get(i - 1)
                        .is_some_and(|&p| is_word_char(char::from(p)))
                    && chunk.get(end).is_some_and(|&n| is_word_char(char::from(n)));
                if inside {
                    out.out.read_one_as_letter = true;
                    let letter = match one {
                        LeetOne::AsI => b'i',
                        LeetOne::AsL => b'l',
                    };
                    for _ in i..end {
                        out.push_byte(letter);
                    }
                } else {
                    out.end_token();
                }
                i = end;
                continue;
            }
            b'1' if wordy => {
                out.out.read_one_as_letter = true;
                out.push_byte(if one == LeetOne::AsL { b'l' } else { b'i' });
            }
            b'0' | b'3' | b'4' | b'5' | b'7' | b'@' | b'$' if wordy => {
                if let Some(letter) = leet(char::from(b)) {
                    out.push(letter);
                }
            }
            b'0'..=b'9' => out.push_byte(b),
            _ => out.end_token(),
        }
        i += 1;
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '@' | '$' | '\'' | '`')
}

fn leet(c: char) -> Option<char> {
    match c {
        '0' => Some('o'),
        '1' => Some('i'),
        '3' => Some('e'),
        '4' | '@' => Some('a'),
        '5' | '$' => Some('s'),
        '7' => Some('t'),
        _ => None,
    }
}
