//! The writing half of a connection: drains its bounded hub queue to the socket and keeps
//! every room's delivery gap-free (a cursor per room; gaps and resumes filled from the
//! database through `rooms::sync`), holding live messages while a `?resume=1` replay runs.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use actix_ws::Session;
use bytestring::ByteString;
use tokio::sync::{mpsc, watch};

use super::close::close_now;
use crate::rooms::Live;
use crate::rooms::hub::{CloseKind, Out};
use crate::rooms::protocol::{self, MAX_REPLAY, MessageView, RoomState, ServerFrame};
use crate::rooms::sync;
use crate::state::AppState;

/// Drains the hub queue to the socket, gap-free per room.
pub(super) struct Outbound {
    pub(super) state: AppState,
    pub(super) live: Live,
    pub(super) session: Session,
    pub(super) close: watch::Receiver<Option<CloseKind>>,
    pub(super) user: String,
    /// The last seq delivered (or known to the client) per subscribed room.
    pub(super) cursors: HashMap<String, i64>,
    /// People this member blocked: their messages are not delivered (SAFE-SG-7).
    pub(super) blocked: HashSet<String>,
    /// With `?resume=1`: live messages are held until the client's first frame (normally its
    /// `resume`) or this deadline, so a replay is never overtaken by a live message.
    pub(super) gate: Option<tokio::time::Instant>,
    pub(super) held: Vec<Out>,
}

/// How long `?resume=1` holds live messages waiting for the client's first frame.
pub(super) const RESUME_HOLD: Duration = Duration::from_secs(5);

/// The socket is gone or the connection is closing.
struct Stop;

impl Outbound {
    pub(super) async fn run(mut self, mut rx: mpsc::Receiver<Out>) {
        loop {
            let deadline = self.gate;
            let item = tokio::select! {
                biased;
                _ = self.close.changed() => break,
                item = rx.recv() => item,
                _ = tokio::time::sleep_until(deadline.unwrap_or_else(tokio::time::Instant::now)),
                    if deadline.is_some() => Some(Out::Go),
            };
            let Some(item) = item else { break };
            let done = match item {
                // The common case stays inline; paths that reach the database are boxed so
                // they do not size every idle connection's task.
                Out::Frame(f) => self.write(f).await,
                Out::Room(ev) if self.gate.is_some() && ev.seq.is_some() => {
                    self.held.push(Out::Room(ev));
                    Ok(())
                }
                Out::Go => self.release().await,
                other => Box::pin(self.handle(other)).await,
            };
            if done.is_err() {
                break;
            }
        }
        let kind = (*self.close.borrow()).unwrap_or(CloseKind::Normal);
        if kind == CloseKind::Resync {
            self.state.metrics.ws_closed_slow();
            tracing::info!(
                event = "ws_closed_slow",
                "websocket closed: could not keep up"
            );
        }
        close_now(self.session, kind).await;
    }

    /// Opens the gate: held messages go out, each checked against the (possibly replayed)
    /// cursor, so nothing is sent twice or out of order.
    async fn release(&mut self) -> Result<(), Stop> {
        if self.gate.take().is_none() {
            return Ok(());
        }
        for item in std::mem::take(&mut self.held) {
            Box::pin(self.handle(item)).await?;
        }
        Ok(())
    }

    async fn write(&mut self, frame: ByteString) -> Result<(), Stop> {
        tokio::select! {
            biased;
            _ = self.close.changed() => Err(Stop),
            r = self.session.text(frame) => r.map_err(|_| Stop),
        }
    }

    async fn handle(&mut self, item: Out) -> Result<(), Stop> {
        match item {
            Out::Frame(f) => self.write(f).await,
            Out::Room(ev) => {
                let Some(&cursor) = self.cursors.get(&ev.room_id) else {
                    return Ok(());
                };
                let blocked = ev.from.as_ref().is_some_and(|f| self.blocked.contains(f));
                match ev.seq {
                    None if blocked => Ok(()),
                    None => self.write(ev.frame.clone()).await,
                    Some(seq) if seq <= cursor => Ok(()),
                    Some(seq) => {
                        if seq > cursor + 1 {
                            self.catch_up(&ev.room_id, Some(seq)).await?;
                        }
                        if self.cursors.get(&ev.room_id).is_some_and(|c| *c >= seq) {
                            return Ok(());
                        }
                        self.cursors.insert(ev.room_id.clone(), seq);
                        if blocked {
                            Ok(())
                        } else {
                            self.write(ev.frame.clone()).await
                        }
                    }
                }
            }
            Out::Joined { room_id } => {
                if self.cursors.contains_key(&room_id) {
                    return Ok(());
                }
                self.cursors.insert(room_id.clone(), 0);
                let (last, unread) = sync::joined(&self.state.db, &room_id, &self.user)
                    .await
                    .map_err(|_| Stop)?;
                let state = RoomState {
                    online: self.live.hub.online_in(&room_id),
                    room_id: room_id.clone(),
                    last_seq: last,
                    unread,
                };
                self.write(ServerFrame::RoomJoined { room: &state }.encode())
                    .await?;
                self.catch_up(&room_id, None).await
            }
            Out::Left { room_id, reason } => {
                if self.cursors.remove(&room_id).is_some() {
                    self.write(
                        ServerFrame::RoomLeft {
                            room_id: &room_id,
                            reason,
                        }
                        .encode(),
                    )
                    .await?;
                }
                Ok(())
            }
            Out::Go => self.release().await,
            Out::Block { user_id, blocked } => {
                if blocked {
                    self.blocked.insert(user_id);
                } else {
                    self.blocked.remove(&user_id);
                }
                Ok(())
            }
            Out::Resume { room_id, from } => {
                if !self.cursors.contains_key(&room_id) {
                    return Ok(());
                }
                self.cursors.insert(room_id.clone(), from);
                self.catch_up(&room_id, None).await
            }
        }
    }

    /// Delivers the room's messages after the cursor from the database, up to (not including)
    /// `until`, or to the newest. More than `MAX_REPLAY` → `resync_required`.
    async fn catch_up(&mut self, room_id: &str, until: Option<i64>) -> Result<(), Stop> {
        let Some(&from) = self.cursors.get(room_id) else {
            return Ok(());
        };
        let rows = sync::replay(&self.state.db, room_id, from, until, MAX_REPLAY + 1).await;
        let Ok((last, rows)) = rows else {
            return Err(Stop);
        };
        if rows.len() as i64 > MAX_REPLAY {
            let upto = until.map_or(last, |u| u - 1);
            self.cursors.insert(room_id.to_string(), upto);
            return self
                .write(
                    ServerFrame::ResyncRequired {
                        room_id,
                        last_seq: upto,
                    }
                    .encode(),
                )
                .await;
        }
        for (row, hidden) in rows {
            let seq = row.seq;
            let skip = self.blocked.contains(&row.sender_id);
            self.cursors.insert(room_id.to_string(), seq);
            if !skip {
                let view = MessageView::from(row);
                let view = if hidden { view.hide() } else { view };
                self.write(protocol::message_frame(&view)).await?;
            }
        }
        Ok(())
    }
}
