//! What the hub hands out and carries: connection ids, the items of a connection's bounded
//! queue, the room events shared by every recipient, and why a connection is closed.

use std::sync::Arc;

use bytestring::ByteString;

pub type ConnId = u64;

/// Why the server closes a connection (mapped to close codes in `rooms::ws`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseKind {
    /// The client closed, or the connection ended.
    Normal,
    /// Nothing heard from the client for the idle timeout (1000).
    Idle,
    /// The server is stopping (1001).
    Shutdown,
    /// The session ended, the token expired or the account changed (1008).
    Policy(&'static str),
    /// The outbound queue filled: reconnect and resume (1013).
    Resync,
    /// A frame over the limit (1009).
    TooBig,
    /// A websocket protocol error (1002).
    Protocol,
    /// Text that is not UTF-8 (1007).
    InvalidUtf8,
}

/// An event for one room, serialised once, shared by every recipient.
#[derive(Debug)]
pub struct RoomEvent {
    pub room_id: String,
    /// For messages: the room seq the event carries (the connection keeps delivery gap-free).
    pub seq: Option<i64>,
    /// The member the event is from (sender, typist), for blocks and echo rules.
    pub from: Option<String>,
    /// Whether `from`'s own connections receive it (messages yes, typing no).
    pub echo: bool,
    pub frame: ByteString,
}

/// What a connection's queue carries.
#[derive(Debug)]
pub enum Out {
    Room(Arc<RoomEvent>),
    /// A frame for this connection alone (ack, error, pong, safety, match_found…).
    Frame(ByteString),
    /// The member joined a room after `ready`.
    Joined {
        room_id: String,
    },
    /// The member left or the room ended: stop delivering it.
    Left {
        room_id: String,
        reason: &'static str,
    },
    /// Replay a room from `from` (exclusive), then continue live.
    Resume {
        room_id: String,
        from: i64,
    },
    /// The member blocked (or unblocked) someone: stop (or resume) delivering their messages.
    Block {
        user_id: String,
        blocked: bool,
    },
    /// The client's first frame was handled: release live messages held for `?resume=1`.
    Go,
}
