//! Rooms: what a match opens, and the realtime conversation in them.
//!
//! - `service`: membership, the room list, leaving.
//! - `messages`: the HTTP side of messages (post, history).
//! - `protocol`: the websocket frames.
//! - `hub`: open connections and their room subscriptions (in-process fan-out).
//! - `writer`: the group-commit message writer.
//! - `ws`: one websocket connection.

pub mod hub;
pub mod messages;
pub mod protocol;
pub mod service;
pub mod writer;
pub mod ws;
