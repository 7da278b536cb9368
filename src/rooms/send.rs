//! One send, two front doors. A message arrives as a websocket `send` frame or as
//! `POST /rooms/{id}/messages`; both go through [`submit`]: the same checks in the same order
//! (client id, body, room, rate), the same writer, and one vocabulary of refusals
//! ([`Refusal`]) that each door renders in its own form — an `error` frame, or problem+json.
//!
//! Membership is the writer's to decide (in its transaction); a websocket connection that is
//! not subscribed to the room is refused here already, without a trip to the database.

use std::time::Duration;

use bytestring::ByteString;
use chrono::NaiveDateTime;

use tokio::sync::{mpsc, oneshot};

use super::hub::{ConnId, Hub, Out};
use super::protocol::{self, MessageView};
use crate::domain::ids::parse_uuid;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::state::AppState;

/// Why a send was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    InvalidClientId(&'static str),
    InvalidBody(&'static str),
    /// Not a current member of an open room (HTTP: 404, as for the room itself).
    NotAMember,
    /// Over the sender's message rate: retry after this long.
    RateLimited(Duration),
    /// The writer is saturated or the database failed: resend with the same client id.
    Unavailable,
    /// A moderator muted the sender in this room until then (HTTP: 403).
    Muted(NaiveDateTime),
    /// The sender's account is suspended until then (HTTP: 403).
    Suspended(NaiveDateTime),
}

const UNAVAILABLE: &str =
    "The message could not be stored just now; resend it with the same client_id.";
const NOT_A_MEMBER: &str = "You are not a member of this room.";
const RATE_LIMITED: &str = "You are sending messages faster than this room allows; wait a moment.";
const MUTED: &str =
    "A moderator has muted you in this room for a while; you can read it but not send.";
const SUSPENDED: &str = "Your account is suspended for a while: you can read and export your data and appeal, but not send.";

/// Whether a member who passed the membership check may send at `now`: a suspension, then a
/// mute in this room, refuses. Both end by themselves at their `until`.
pub fn sanction_refusal(
    muted_until: Option<NaiveDateTime>,
    suspended_until: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Option<Refusal> {
    match (suspended_until, muted_until) {
        (Some(s), _) if s > now => Some(Refusal::Suspended(s)),
        (_, Some(m)) if m > now => Some(Refusal::Muted(m)),
        _ => None,
    }
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::InvalidClientId(_) => "invalid_client_id",
            Refusal::InvalidBody(_) => "invalid_body",
            Refusal::NotAMember => "not_a_member",
            Refusal::RateLimited(_) => "rate_limited",
            Refusal::Unavailable => "unavailable",
            Refusal::Muted(_) => "muted",
            Refusal::Suspended(_) => "suspended",
        }
    }

    fn detail(&self) -> &'static str {
        match self {
            Refusal::InvalidClientId(why) | Refusal::InvalidBody(why) => why,
            Refusal::NotAMember => NOT_A_MEMBER,
            Refusal::RateLimited(_) => RATE_LIMITED,
            Refusal::Unavailable => UNAVAILABLE,
            Refusal::Muted(_) => MUTED,
            Refusal::Suspended(_) => SUSPENDED,
        }
    }

    /// Until when a sanction refusal holds (RFC 3339).
    pub fn until(&self) -> Option<String> {
        match self {
            Refusal::Muted(u) | Refusal::Suspended(u) => Some(ts(*u)),
            _ => None,
        }
    }

    /// The websocket form: an `error` frame naming the room and the client id.
    pub fn frame(&self, room_id: &str, client_id: &str) -> ByteString {
        let retry = match self {
            Refusal::RateLimited(wait) => {
                Some(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1))
            }
            _ => None,
        };
        let until = self.until();
        protocol::frame(&protocol::ErrorFrame {
            kind: "error",
            code: self.code(),
            detail: self.detail(),
            room_id: Some(room_id),
            client_id: Some(client_id),
            retry_after_ms: retry,
            until: until.as_deref(),
        })
    }
}

/// The HTTP form.
impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::InvalidClientId(why) | Refusal::InvalidBody(why) => {
                AppError::validation(r.code(), why)
            }
            Refusal::NotAMember => AppError::NotFound,
            Refusal::RateLimited(retry_after) => AppError::RateLimited { retry_after },
            Refusal::Unavailable => AppError::unavailable(r.code(), UNAVAILABLE),
            Refusal::Muted(u) => {
                AppError::forbidden("muted", format!("{MUTED} The mute ends at {}.", ts(u)))
            }
            Refusal::Suspended(u) => AppError::forbidden(
                "suspended",
                format!("{SUSPENDED} The suspension ends at {}.", ts(u)),
            ),
        }
    }
}

/// A socket's sender is told about being over the rate once per window: the first over-rate
/// send of a window gets `rate_limited` with `retry_after_ms`; the others until then are
/// dropped unanswered (not acked, not stored). The client resends what was not acked, with the
/// same client ids, once the wait is over. So refusals never outnumber what the connection can
/// carry, and a client flushing its outbox learns to back off instead of being closed.
#[derive(Debug, Default)]
pub struct Throttle {
    /// Until when (ms, the app clock) over-rate sends go unanswered.
    quiet_until_ms: i64,
}

impl Throttle {
    /// Whether to answer a `RateLimited(wait)` refusal at `now_ms` (and start a window).
    pub fn tell(&mut self, wait: Duration, now_ms: i64) -> bool {
        if now_ms < self.quiet_until_ms {
            return false;
        }
        let wait = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX).max(1);
        self.quiet_until_ms = now_ms.saturating_add(wait);
        true
    }
}

/// Sends that may wait for the writer before new ones are refused as `unavailable`.
pub const QUEUE: usize = 16_384;

/// Where the outcome of a send goes.
#[derive(Debug)]
pub enum Reply {
    /// A websocket connection: `ack` or `error` frames through the hub.
    Conn(ConnId),
    /// An HTTP request waiting for the outcome.
    Http(oneshot::Sender<Result<Stored, Refusal>>),
}

#[derive(Debug)]
pub struct SendCmd {
    pub room_id: String,
    pub sender_id: String,
    pub client_id: String,
    /// Already validated and trimmed.
    pub body: String,
    pub reply: Reply,
}

#[derive(Debug, Clone)]
pub struct Stored {
    pub view: MessageView,
    /// True when the client id had been used before: this is the original message.
    pub replayed: bool,
    /// Held for review (`moderation::holds`): `view.seq` is a placeholder, never shown.
    pub held: bool,
    /// The writer's private notice (held, personal information), if any.
    pub notice: Option<crate::moderation::holds::notices::Notice>,
}

/// The handle handlers use.
#[derive(Clone)]
pub struct MessageWriter {
    tx: mpsc::Sender<SendCmd>,
}

impl MessageWriter {
    pub fn channel() -> (MessageWriter, mpsc::Receiver<SendCmd>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (MessageWriter { tx }, rx)
    }

    /// Queues a send without waiting; gives it back if the writer is saturated or stopped.
    pub fn submit(&self, cmd: SendCmd) -> Result<(), SendCmd> {
        self.tx.try_send(cmd).map_err(|e| match e {
            mpsc::error::TrySendError::Full(c) | mpsc::error::TrySendError::Closed(c) => c,
        })
    }
}

/// Answers a send that was refused before or by the writer.
pub fn refuse(hub: &Hub, reply: Reply, why: Refusal, room: &str, client_id: &str) {
    match reply {
        Reply::Http(tx) => {
            let _ = tx.send(Err(why));
        }
        Reply::Conn(conn) => hub.to_conn(conn, Out::Frame(why.frame(room, client_id))),
    }
}

/// A send as it arrived at either door.
pub struct Draft {
    pub room_id: String,
    pub client_id: String,
    pub body: String,
}

/// Checks a send and queues it for the writer, whose outcome goes to `reply` (callers go
/// through `Live::send`).
pub(super) fn submit(
    state: &AppState,
    hub: &Hub,
    writer: &MessageWriter,
    sender: &str,
    d: Draft,
    reply: Reply,
) -> Result<(), (Refusal, Reply)> {
    let checked = check(state, hub, sender, &d, &reply);
    let body = match checked {
        Ok(body) => body,
        Err(r) => return Err((r, reply)),
    };
    let cmd = SendCmd {
        room_id: d.room_id,
        sender_id: sender.to_string(),
        client_id: d.client_id,
        body,
        reply,
    };
    writer
        .submit(cmd)
        .map_err(|cmd| (Refusal::Unavailable, cmd.reply))
}

/// The checks, in order; returns the trimmed body.
fn check(
    state: &AppState,
    hub: &Hub,
    sender: &str,
    d: &Draft,
    reply: &Reply,
) -> Result<String, Refusal> {
    protocol::validate_client_id(&d.client_id).map_err(Refusal::InvalidClientId)?;
    let body = protocol::validate_body(&d.body).map_err(Refusal::InvalidBody)?;
    // A socket must be subscribed; over HTTP the writer's membership check decides.
    let subscribed = match reply {
        Reply::Conn(conn) => hub.is_subscribed(*conn, &d.room_id),
        Reply::Http(_) => true,
    };
    if parse_uuid(&d.room_id).is_none() || !subscribed {
        return Err(Refusal::NotAMember);
    }
    state
        .limits
        .message_send
        .acquire(sender, state.now_ms())
        .map_err(Refusal::RateLimited)?;
    Ok(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rate_limited_per_window() {
        let mut t = Throttle::default();
        let wait = Duration::from_millis(500);
        assert!(t.tell(wait, 10_000), "the first refusal is told");
        assert!(!t.tell(wait, 10_000));
        assert!(
            !t.tell(Duration::from_millis(100), 10_499),
            "quiet until the window ends"
        );
        assert!(t.tell(wait, 10_500), "the next window is told again");
        assert!(!t.tell(wait, 10_999));
        // A zero wait still makes a window, so a flood in one millisecond is told once.
        let mut t = Throttle::default();
        assert!(t.tell(Duration::ZERO, 5));
        assert!(!t.tell(Duration::ZERO, 5));
        assert!(t.tell(Duration::ZERO, 6));
    }
}
