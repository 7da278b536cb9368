//! Rooms: what a match opens, and the realtime conversation in them.
//!
//! - `service`: membership, the room list, leaving.
//! - `messages`: the HTTP side of messages (post, history).
//! - `send`: the one send command both front doors (websocket, HTTP) go through.
//! - `protocol`: the websocket frames.
//! - `hub`: open connections and their room subscriptions (in-process fan-out).
//! - `sockets`: how a committed [`Fact`](crate::realtime::Fact) reaches the hub.
//! - `writer`: the group-commit message writer; `holding`: its part of holds for review.
//! - `sync`: what a socket reads from the database (its rooms, read markers, replays).
//! - `ws`: one websocket connection.
//!
//! The hub is private to this module: [`Live`] holds it, and nothing outside `rooms` can reach
//! it. Services elsewhere describe what changed through `crate::realtime::Sockets`, which
//! `Live` implements.

mod holding;
pub mod hub;
pub mod messages;
pub mod protocol;
pub mod send;
pub mod service;
pub mod sockets;
mod sync;
pub mod writer;
pub mod ws;

use std::sync::Arc;

use hub::Hub;
use send::{Draft, MessageWriter, Refusal, Reply, SendCmd};

use crate::state::AppState;

/// The realtime layer's own state: open connections (the hub) and the message writer's
/// queue. Handlers of this module receive it as `web::Data<Live>`; the rest of the crate
/// holds it only as `Arc<dyn Sockets>` in `AppState`.
#[derive(Clone)]
pub struct Live {
    hub: Arc<Hub>,
    writer: MessageWriter,
    /// Websockets not authenticated yet (`ws::waiting`).
    waiting: Arc<ws::Waiting>,
}

impl Live {
    /// The hub (per-connection queue size, sockets per person) and the writer's receiving
    /// end, for [`writer::run`].
    pub fn new(queue: usize, max_per_user: usize) -> (Live, tokio::sync::mpsc::Receiver<SendCmd>) {
        let (writer, rx) = MessageWriter::channel();
        let hub = Arc::new(Hub::new(queue, max_per_user, protocol::presence_frame));
        (
            Live {
                hub,
                writer,
                waiting: Arc::default(),
            },
            rx,
        )
    }

    /// The group-commit writer's task: runs until `shutdown`, then drains its queue.
    pub fn run_writer(
        &self,
        deps: writer::Deps,
        rx: tokio::sync::mpsc::Receiver<SendCmd>,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> impl std::future::Future<Output = ()> + use<> {
        writer::run(deps, self.hub.clone(), rx, shutdown)
    }

    /// The one send path for both doors (`rooms::send`): checks `draft` and queues it for
    /// the writer, whose outcome goes to `reply`; a refusal gives the reply back.
    pub fn send(
        &self,
        state: &AppState,
        sender: &str,
        draft: Draft,
        reply: Reply,
    ) -> Result<(), (Refusal, Reply)> {
        send::submit(state, &self.hub, &self.writer, sender, draft, reply)
    }

    /// Closes every connection (the server is stopping).
    pub fn close_all(&self) {
        self.hub.close_all(hub::CloseKind::Shutdown);
    }
}
