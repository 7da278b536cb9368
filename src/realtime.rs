//! The one door from the services to open sockets.
//!
//! A service that commits something live connections must hear of (a match, a leave, a block,
//! a session or account that ended) describes it as a [`Fact`] and hands it to
//! `state.sockets.deliver(..)` after its transaction returned. It never reaches the hub, the
//! wire protocol or a connection itself: the realtime layer (`rooms::sockets`) owns how a fact
//! becomes subscriptions, frames and closes. So every way a committed fact reaches a socket is
//! one import of this module, and a second transport (several instances through Redis) is a
//! second implementation of [`Sockets`], not a change to every service.
//!
//! Delivery is synchronous and never waits on a socket: implementations queue onto bounded
//! per-connection queues and return. The database stays the source of truth; a connection
//! that misses a fact learns it when it reconnects.
//!
//! This module must not import any feature module: it is a port, the features depend on it.

/// Someone seated in a room by a match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seat {
    pub user_id: String,
    /// The request this seat answers (members); None for the volunteer seated with them.
    pub request_id: Option<String>,
}

/// An offer one person must answer: a member for their request, or the volunteer for the
/// member's request (`request_id` is always the member's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferNote {
    pub user_id: String,
    pub request_id: String,
    /// `pair` or `one_to_one`.
    pub kind: String,
    /// Why this match, in plain words, for this reader.
    pub explanation: Vec<String>,
    /// When the offer lapses (RFC 3339).
    pub expires_at: String,
}

/// An offer that ended without a room, for one person: where their request is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferEnd {
    pub user_id: String,
    pub request_id: String,
    /// `waiting` (back in the pool, wait kept), `expired` or `cancelled`.
    pub status: &'static str,
}

/// A report's new status, for one of its reporters (never for anyone else).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportNote {
    pub user_id: String,
    /// The reporter's own report id.
    pub report_id: String,
    /// `in_review`, `actioned` or `no_action`.
    pub status: String,
    /// What the reporter is told.
    pub message: String,
}

/// A held message a moderator released, as every member reads it (`moderation::holds`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleasedMessage {
    pub room_id: String,
    pub id: String,
    /// The room's next seq, given in the release transaction.
    pub seq: i64,
    pub sender_id: String,
    /// What members see: the pseudonym (or "Former member") and room role.
    pub sender_name: String,
    pub sender_role: String,
    pub body: String,
    pub client_id: String,
    /// When it was written (RFC 3339), not when it was released.
    pub created_at: String,
    pub removed: bool,
}

/// A committed fact that open sockets must act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// A match committed: every seated person's connections join the room at once
    /// (`room_joined`), and each member hears `match_found` for their request.
    Seated { room_id: String, seats: Vec<Seat> },
    /// A match was offered: each person hears `match_offer`.
    Offered { notes: Vec<OfferNote> },
    /// An offer ended without a room (declined, lapsed, or no longer possible): each person
    /// still in it hears `match_offer_ended`. Nobody learns why.
    OfferEnded { ends: Vec<OfferEnd> },
    /// `user_id` left `room_id`; if that ended the room, `ended_for` are the people still in
    /// it, whose connections stop receiving it too.
    Left {
        room_id: String,
        user_id: String,
        ended_for: Vec<String>,
    },
    /// `user_id` blocked (or unblocked) `other`: their messages stop (or resume) at once.
    BlockChanged {
        user_id: String,
        other: String,
        blocked: bool,
    },
    /// A session ended (sign-out, refresh-token reuse): its connections close.
    SessionEnded {
        session_id: String,
        reason: &'static str,
    },
    /// The account's sessions ended or its rights changed (password reset or change, role
    /// change, erasure): its connections close, except those of `keep_session`.
    AccountClosed {
        user_id: String,
        keep_session: Option<String>,
        reason: &'static str,
    },
    /// Reports changed status (a moderator opened or closed them): each reporter hears
    /// `report_update` on their own connections. The reported person hears nothing.
    ReportUpdated { notes: Vec<ReportNote> },
    /// Whether any moderator is on shift changed (SAFE-SG-5): every open connection hears
    /// `coverage`, with the "not a crisis service" text and signposting while nobody is.
    CoverageChanged { staffed: bool },
    /// A safety alert was raised outside the message writer (a volunteer's escalation): every
    /// online moderator hears `safety_alert`.
    AlertRaised {
        alert_id: String,
        /// `crisis` or `volunteer_escalation`.
        kind: &'static str,
        room_id: String,
        message_id: Option<String>,
        severity: &'static str,
        /// RFC 3339.
        created_at: String,
    },
    /// A held message was released into its room at a new seq: every member's connections
    /// receive it as a `message` (in seq order, gap-free), and its writer a `notice`.
    MessageReleased { message: ReleasedMessage },
    /// A held message was rejected: only its writer hears, as a `notice`.
    MessageRejected {
        room_id: String,
        message_id: String,
        client_id: String,
        writer_id: String,
    },
    /// A moderator hid (`hidden`) or unhid a message: every member's connections hear
    /// `message_hidden` (or `message_restored`) at once.
    MessageHidden {
        room_id: String,
        message_id: String,
        hidden: bool,
    },
    /// A moderator removed `user_id` from `room_id`: their connections hear `room_left`
    /// (`removed`) and stop receiving it; if that ended the room, `ended_for` too (`ended`).
    Removed {
        room_id: String,
        user_id: String,
        ended_for: Vec<String>,
    },
    /// What a moderator did (or an appeal decided), told to the person it concerns on every
    /// connection of theirs as `moderation_notice`.
    ModerationNotice(Notice),
}

/// A `moderation_notice` for one person. Never names who reported them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub user_id: String,
    pub action_id: String,
    /// The action (`warn`, `hide`, `mute`, …) or the appeal's outcome (`appeal_upheld`,
    /// `appeal_overturned`).
    pub kind: &'static str,
    /// The moderator's reason, or the appeal decision's note.
    pub reason: String,
    pub room_id: Option<String>,
    pub message_id: Option<String>,
    /// When a mute or suspension ends (RFC 3339).
    pub until: Option<String>,
    pub appeal_id: Option<String>,
}

/// Where facts go. Implemented by the realtime layer; wired in at start-up.
pub trait Sockets: Send + Sync {
    /// Acts on a committed fact. Never blocks and never fails: a socket that cannot take it
    /// is closed to resync.
    fn deliver(&self, fact: Fact);
    /// Open connections of one person (the per-person limit, tests).
    fn connections_of(&self, user_id: &str) -> usize;
    /// Open connections in total (`/metrics`, `/readyz`).
    fn connection_count(&self) -> usize;
}
