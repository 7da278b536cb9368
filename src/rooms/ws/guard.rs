//! The frame guard: a small stream between the socket's bytes and actix-ws's frame parser.
//!
//! actix-ws appends every byte it can read to one buffer before it parses, and its parser
//! checks a frame's size only once the whole frame has arrived; a header declaring 2^62
//! bytes followed by a stream of data therefore grew the process without limit (issue 12).
//! The guard reads each frame header itself as the bytes pass (2 bytes, a 16- or 64-bit
//! length, the 4-byte mask) and:
//!
//! - refuses at once, before the payload, a frame declaring more than the frame limit, or a
//!   fragment taking its message over it, or a message in more than [`MAX_FRAGMENTS`] pieces
//!   (1009);
//! - refuses RSV bits, reserved opcodes, fragmented or over-long control frames, unmasked
//!   frames and continuations that do not continue anything (1002) — before the parser sees
//!   them, so each gets its right code (the parser reports RSV bits as invalid data, 1007);
//! - lets at most one batch ([`BATCH_BYTES`], [`BATCH_FRAMES`]) through before the parser has
//!   run on it. The parser's buffer thus holds at most one partial frame and one batch,
//!   whatever the client sends; until the parser asks again the guard does not read, and
//!   actix-http stops reading the socket (TCP backpressure).
//!
//! A refusal surfaces as the payload's error, which [`refusal`] recognises in the parser's
//! error (`close::classify`).

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::error::PayloadError;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpRequest};
use futures_util::Stream;

use crate::rooms::hub::CloseKind;

/// Most fragments one message may come in (each costs the server more than its bytes).
pub const MAX_FRAGMENTS: u32 = 1024;
/// Bytes let through to the parser between two of its runs.
const BATCH_BYTES: usize = 64 * 1024;
/// Frame headers let through to the parser between two of its runs.
const BATCH_FRAMES: u32 = 64;
/// The longest frame header: 2 bytes, a 64-bit length, a mask.
const MAX_HEADER: usize = 14;

/// Why the guard stopped a connection; carried inside the payload error.
#[derive(Debug)]
struct Refused(CloseKind);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "websocket frame refused: {:?}", self.0)
    }
}

impl std::error::Error for Refused {}

/// The close the guard asked for, if this parser error carries one.
pub fn refusal(e: &actix_ws::ProtocolError) -> Option<CloseKind> {
    let actix_ws::ProtocolError::Io(io) = e else {
        return None;
    };
    match io.get_ref()?.downcast_ref::<PayloadError>()? {
        PayloadError::Io(inner) => inner.get_ref()?.downcast_ref::<Refused>().map(|r| r.0),
        _ => None,
    }
}

/// `body` behind a [`FrameGuard`], as the `web::Payload` that `actix_ws::handle` takes.
pub async fn guarded(
    req: &HttpRequest,
    body: web::Payload,
    max_frame_bytes: usize,
) -> Result<web::Payload, actix_web::Error> {
    type Boxed = Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;
    let boxed: Boxed = Box::pin(FrameGuard::new(body.into_inner(), max_frame_bytes));
    let mut payload = actix_web::dev::Payload::from(boxed);
    <web::Payload as FromRequest>::from_request(req, &mut payload).await
}

/// A complete, acceptable frame header.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    len: usize,
    payload: u64,
    opcode: u8,
    fin: bool,
}

/// Where the client is between messages (RFC 6455 §5.4).
#[derive(Debug, Default)]
struct Message {
    /// A fragmented message is open: its bytes and fragments so far.
    open: Option<(u64, u32)>,
}

impl Message {
    /// Judges a (possibly partial) header as soon as each rule can be decided: Ok(None)
    /// wants more bytes.
    fn inspect(&self, h: &[u8], max: u64) -> Result<Option<Head>, CloseKind> {
        let [b0, b1, ..] = *h else {
            return Ok(None);
        };
        let (fin, opcode) = (b0 & 0x80 != 0, b0 & 0x0f);
        if b0 & 0x70 != 0 || !matches!(opcode, 0x0..=0x2 | 0x8..=0xa) || b1 & 0x80 == 0 {
            return Err(CloseKind::Protocol);
        }
        let control = opcode >= 0x8;
        let short = u64::from(b1 & 0x7f);
        if control && (!fin || short > 125) {
            return Err(CloseKind::Protocol);
        }
        match (opcode, self.open) {
            (0x0, None) | (0x1 | 0x2, Some(_)) => return Err(CloseKind::Protocol),
            _ => {}
        }
        let ext = match short {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        if h.len() < 2 + ext {
            return Ok(None);
        }
        let payload = match ext {
            2 => u64::from(u16::from_be_bytes([h[2], h[3]])),
            8 => u64::from_be_bytes(h[2..10].try_into().unwrap_or_default()),
            _ => short,
        };
        let so_far = self.open.map_or(0, |(bytes, _)| bytes);
        if payload > max || (opcode == 0x0 && so_far + payload > max) {
            return Err(CloseKind::TooBig);
        }
        if opcode == 0x0 && self.open.is_some_and(|(_, n)| n >= MAX_FRAGMENTS) {
            return Err(CloseKind::TooBig);
        }
        let len = 2 + ext + 4;
        Ok((h.len() >= len).then_some(Head {
            len,
            payload,
            opcode,
            fin,
        }))
    }

    /// Records an accepted header.
    fn commit(&mut self, h: &Head) {
        self.open = match (h.opcode, h.fin, self.open) {
            (0x1 | 0x2, false, _) => Some((h.payload, 1)),
            (0x0, false, Some((bytes, n))) => Some((bytes + h.payload, n + 1)),
            (0x0, true, _) => None,
            (_, _, open) => open,
        };
    }
}

/// The guard around a connection's payload.
pub struct FrameGuard<S> {
    inner: S,
    max: u64,
    /// Read from the socket, not yet judged or passed on.
    pending: Bytes,
    head: [u8; MAX_HEADER],
    have: usize,
    /// Payload bytes of the current frame still to pass on.
    remaining: u64,
    message: Message,
    batch_bytes: usize,
    batch_frames: u32,
    refused: Option<CloseKind>,
    done: bool,
}

impl<S> FrameGuard<S> {
    pub fn new(inner: S, max_frame_bytes: usize) -> Self {
        FrameGuard {
            inner,
            max: max_frame_bytes as u64,
            pending: Bytes::new(),
            head: [0; MAX_HEADER],
            have: 0,
            remaining: 0,
            message: Message::default(),
            batch_bytes: 0,
            batch_frames: 0,
            refused: None,
            done: false,
        }
    }

    /// Lets the parser run on what it has, then asks to be polled again.
    fn end_batch(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, PayloadError>>> {
        self.batch_bytes = 0;
        self.batch_frames = 0;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl<S> Stream for FrameGuard<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(kind) = this.refused {
                // Frames already passed on reach the reader before the close.
                if this.batch_bytes > 0 {
                    return this.end_batch(cx);
                }
                this.done = true;
                let e = std::io::Error::other(Refused(kind));
                return Poll::Ready(Some(Err(PayloadError::Io(e))));
            }
            if this.batch_bytes >= BATCH_BYTES || this.batch_frames >= BATCH_FRAMES {
                return this.end_batch(cx);
            }
            if this.pending.is_empty() {
                match Pin::new(&mut this.inner).poll_next(cx) {
                    Poll::Ready(Some(Ok(b))) => this.pending = b,
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                    Poll::Ready(None) => {
                        this.done = true;
                        return Poll::Ready(None);
                    }
                    Poll::Pending => {
                        this.batch_bytes = 0;
                        this.batch_frames = 0;
                        return Poll::Pending;
                    }
                }
                continue;
            }
            if this.remaining > 0 {
                let room = (BATCH_BYTES - this.batch_bytes) as u64;
                let n = this.remaining.min(room).min(this.pending.len() as u64) as usize;
                this.remaining -= n as u64;
                this.batch_bytes += n;
                return Poll::Ready(Some(Ok(this.pending.split_to(n))));
            }
            // A header: judged byte by byte, passed on whole once accepted.
            let mut used = 0;
            let mut accepted = None;
            for &byte in this.pending.iter() {
                this.head[this.have] = byte;
                this.have += 1;
                used += 1;
                match this.message.inspect(&this.head[..this.have], this.max) {
                    Ok(None) => {}
                    Ok(Some(h)) => {
                        accepted = Some(h);
                        break;
                    }
                    Err(kind) => {
                        this.refused = Some(kind);
                        break;
                    }
                }
            }
            let _ = this.pending.split_to(used);
            if let Some(h) = accepted {
                this.message.commit(&h);
                let out = Bytes::copy_from_slice(&this.head[..h.len]);
                this.have = 0;
                this.remaining = h.payload;
                this.batch_bytes += h.len;
                this.batch_frames += 1;
                return Poll::Ready(Some(Ok(out)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: u64 = 64 * 1024;

    fn judge(m: &Message, h: &[u8]) -> Result<Option<Head>, CloseKind> {
        m.inspect(h, MAX)
    }

    #[test]
    fn an_oversized_length_is_refused_before_the_mask_arrives() {
        let m = Message::default();
        let mut h = vec![0x81, 0xff];
        h.extend_from_slice(&(1u64 << 62).to_be_bytes());
        assert_eq!(judge(&m, &h), Err(CloseKind::TooBig));
        assert_eq!(judge(&m, &[0x82, 0xfe, 0x00]), Ok(None));
        let mut at = vec![0x81, 0xff];
        at.extend_from_slice(&MAX.to_be_bytes());
        assert_eq!(judge(&m, &at), Ok(None), "at the limit: waits for the mask");
        at.extend_from_slice(&[0; 4]);
        assert_eq!(judge(&m, &at).unwrap().unwrap().payload, MAX);
        let mut over = vec![0x81, 0xff];
        over.extend_from_slice(&(MAX + 1).to_be_bytes());
        assert_eq!(judge(&m, &over), Err(CloseKind::TooBig));
    }

    #[test]
    fn protocol_errors_are_seen_in_the_first_two_bytes() {
        let m = Message::default();
        for bad in [
            [0xc1, 0x80], // RSV1
            [0xa1, 0x80], // RSV2
            [0x91, 0x80], // RSV3
            [0x83, 0x80], // reserved data opcode
            [0x8b, 0x80], // reserved control opcode
            [0x09, 0x80], // fragmented ping
            [0x89, 0xfe], // ping over 125 bytes
            [0x81, 0x05], // unmasked
            [0x80, 0x81], // continuation without a start
        ] {
            assert_eq!(judge(&m, &bad), Err(CloseKind::Protocol), "{bad:x?}");
        }
    }

    #[test]
    fn fragments_are_counted_against_the_limit() {
        let mut m = Message::default();
        let first = judge(&m, &[0x01, 0xfe, 0xf0, 0x00, 0, 0, 0, 0])
            .unwrap()
            .unwrap();
        m.commit(&first);
        assert_eq!(
            judge(&m, &[0x81, 0x80]),
            Err(CloseKind::Protocol),
            "a new message"
        );
        let ping = judge(&m, &[0x89, 0x80, 0, 0, 0, 0]).unwrap().unwrap();
        m.commit(&ping);
        assert_eq!(
            judge(&m, &[0x80, 0xfe, 0x10, 0x01]),
            Err(CloseKind::TooBig),
            "61,440 + 4,097 > 64 KiB"
        );
        let last = judge(&m, &[0x80, 0xfe, 0x10, 0x00, 0, 0, 0, 0])
            .unwrap()
            .unwrap();
        m.commit(&last);
        assert!(m.open.is_none());
        let mut m = Message::default();
        m.commit(&judge(&m, &[0x02, 0x80, 0, 0, 0, 0]).unwrap().unwrap());
        for _ in 1..MAX_FRAGMENTS {
            m.commit(&judge(&m, &[0x00, 0x80, 0, 0, 0, 0]).unwrap().unwrap());
        }
        assert_eq!(judge(&m, &[0x80, 0x80]), Err(CloseKind::TooBig));
    }
}
