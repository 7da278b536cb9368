//! The reading half of a connection: parses client frames, re-checks membership and rate
//! limits, and hands sends to the writer through the one send path (`rooms::send`).
//!
//! Backpressure: while the connection's own queue is above the hub's high-water mark, no
//! further frame is read (TCP then slows the client), so replies to a burst never overflow
//! the queue; over the rate, the sender hears one `rate_limited` per window (`Throttle`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix_ws::{AggregatedMessage, AggregatedMessageStream, Session};
use bytestring::ByteString;
use tokio::sync::watch;

use super::close::classify;
use crate::auth::AuthUser;
use crate::auth::extractors::authenticate;
use crate::domain::ids::parse_uuid;
use crate::rooms::Live;
use crate::rooms::hub::{CloseKind, ConnId, Out, RoomEvent};
use crate::rooms::protocol::{self, ClientFrame, FrameError, ServerFrame};
use crate::rooms::send::{Draft, Refusal, Reply, Throttle, refuse};
use crate::rooms::sync;
use crate::state::AppState;

/// Most rooms one `resume` frame may name.
const MAX_RESUME_ROOMS: usize = 500;
/// A member's typing indicator fans out at most this often per room.
const TYPING_EVERY: Duration = Duration::from_secs(3);
/// How often a backed-up reader looks at its queue again.
const DRAIN_POLL: Duration = Duration::from_millis(5);

pub(super) struct Reader {
    pub(super) state: AppState,
    pub(super) live: Live,
    pub(super) session: Session,
    pub(super) conn: ConnId,
    pub(super) who: AuthUser,
    pub(super) typing: HashMap<String, Instant>,
    /// Whether live messages held for `?resume=1` were released (after the first frame).
    pub(super) released: bool,
}

impl Reader {
    pub(super) async fn run(
        mut self,
        stream: &mut AggregatedMessageStream,
        mut close: watch::Receiver<Option<CloseKind>>,
    ) -> CloseKind {
        let s = &self.state.settings;
        let mut ping = tokio::time::interval_at(
            tokio::time::Instant::now() + s.ws_ping_interval,
            s.ws_ping_interval,
        );
        let idle = s.ws_idle_timeout;
        let mut heard = Instant::now();
        let mut expiry = Box::pin(tokio::time::sleep(self.until_expiry()));
        let mut throttle = Throttle::default();
        loop {
            // Not read while the queue is backed up; the close, ping and expiry still are.
            let backed_up = self.live.hub.backed_up(self.conn);
            tokio::select! {
                () = tokio::time::sleep(DRAIN_POLL), if backed_up => {}
                msg = stream.recv(), if !backed_up => {
                    heard = Instant::now();
                    match msg {
                        None | Some(Ok(AggregatedMessage::Close(_))) => return CloseKind::Normal,
                        Some(Err(e)) => return classify(&e),
                        Some(Ok(AggregatedMessage::Text(text))) => {
                            // Boxed: the rare, deep paths (re-auth, database) would otherwise
                            // size every idle connection's task.
                            let handled = self.on_text(&text, &mut expiry, &mut throttle);
                            if let Some(k) = Box::pin(handled).await {
                                return k;
                            }
                            if !self.released {
                                // Queued after whatever the frame produced (a resume's replays).
                                self.released = true;
                                self.live.hub.to_conn(self.conn, Out::Go);
                            }
                        }
                        Some(Ok(AggregatedMessage::Binary(_))) => self.reply(protocol::error(
                            "malformed_frame",
                            "Frames are JSON text; binary frames are not used.",
                            None, None, None,
                        )),
                        Some(Ok(AggregatedMessage::Ping(b))) => {
                            let _ = self.session.pong(&b).await;
                        }
                        Some(Ok(AggregatedMessage::Pong(_))) => {}
                    }
                }
                changed = close.changed() => {
                    match (changed, *close.borrow()) {
                        (Ok(()), Some(k)) => return k,
                        (Err(_), _) => return CloseKind::Normal,
                        _ => {}
                    }
                }
                _ = ping.tick() => {
                    if heard.elapsed() >= idle {
                        return CloseKind::Idle;
                    }
                    if self.until_expiry().is_zero() {
                        return CloseKind::Policy("token_expired");
                    }
                    let _ = self.session.ping(b"").await;
                }
                _ = &mut expiry => return CloseKind::Policy("token_expired"),
            }
        }
    }

    fn until_expiry(&self) -> Duration {
        let now = self.state.clock.now().timestamp();
        Duration::from_secs(u64::try_from(self.who.expires_at - now).unwrap_or(0))
    }

    fn reply(&self, frame: ByteString) {
        self.live.hub.to_conn(self.conn, Out::Frame(frame));
    }

    fn not_a_member(&self, room: &str) {
        self.reply(protocol::error(
            "not_a_member",
            "You are not a member of this room.",
            Some(room),
            None,
            None,
        ));
    }

    async fn on_text(
        &mut self,
        text: &str,
        expiry: &mut std::pin::Pin<Box<tokio::time::Sleep>>,
        throttle: &mut Throttle,
    ) -> Option<CloseKind> {
        let frame = match ClientFrame::parse(text) {
            Ok(f) => f,
            Err(FrameError::UnknownType(t)) => {
                self.reply(protocol::error(
                    "unknown_type",
                    &format!("Unknown frame type `{t}`."),
                    None,
                    None,
                    None,
                ));
                return None;
            }
            Err(FrameError::Malformed(why)) => {
                self.reply(protocol::error("malformed_frame", &why, None, None, None));
                return None;
            }
        };
        match frame {
            ClientFrame::Ping => self.reply(ServerFrame::Pong.encode()),
            ClientFrame::Auth { token } => match authenticate(&self.state, &token).await {
                Ok(w) if w.id == self.who.id => {
                    self.who = w;
                    expiry.set(tokio::time::sleep(self.until_expiry()));
                    let at = chrono::DateTime::from_timestamp(self.who.expires_at, 0)
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                        .unwrap_or_default();
                    self.reply(ServerFrame::AuthOk { expires_at: &at }.encode());
                }
                Ok(_) => {
                    self.reply(protocol::error(
                        "already_authenticated",
                        "This connection belongs to another account.",
                        None,
                        None,
                        None,
                    ));
                }
                Err(_) => return Some(CloseKind::Policy("invalid_token")),
            },
            ClientFrame::Send {
                room_id,
                client_id,
                body,
            } => self.on_send(room_id, client_id, body, throttle),
            ClientFrame::Typing { room_id } => {
                if !self.live.hub.is_subscribed(self.conn, &room_id) {
                    self.not_a_member(&room_id);
                } else if self
                    .typing
                    .get(&room_id)
                    .is_none_or(|t| t.elapsed() >= TYPING_EVERY)
                {
                    self.typing.insert(room_id.clone(), Instant::now());
                    let frame = ServerFrame::Typing {
                        room_id: &room_id,
                        user_id: &self.who.id,
                    }
                    .encode();
                    self.live.hub.publish(RoomEvent {
                        room_id,
                        seq: None,
                        from: Some(self.who.id.clone()),
                        echo: false,
                        frame,
                    });
                }
            }
            ClientFrame::Read { room_id, seq } => {
                let Some(room) = parse_uuid(&room_id) else {
                    self.not_a_member(&room_id);
                    return None;
                };
                match sync::mark_read(&self.state.db, &room, &self.who.id, seq).await {
                    Ok(Some(marker)) => {
                        let frame = ServerFrame::Read {
                            room_id: &room,
                            user_id: &self.who.id,
                            seq: marker,
                        }
                        .encode();
                        self.live.hub.publish(RoomEvent {
                            room_id: room,
                            seq: None,
                            from: Some(self.who.id.clone()),
                            echo: true,
                            frame,
                        });
                    }
                    Ok(None) => self.not_a_member(&room_id),
                    Err(_) => self.reply(protocol::error(
                        "unavailable",
                        "The read marker could not be stored just now.",
                        Some(&room_id),
                        None,
                        None,
                    )),
                }
            }
            ClientFrame::Resume { rooms: wanted } => {
                if wanted.len() > MAX_RESUME_ROOMS {
                    self.reply(protocol::error(
                        "malformed_frame",
                        "A resume names at most 500 rooms.",
                        None,
                        None,
                        None,
                    ));
                    return None;
                }
                let ids: Vec<String> = wanted.keys().cloned().collect();
                let current = sync::member_of(&self.state.db, &self.who.id, ids).await;
                for (room_id, from) in wanted {
                    if current.contains(&room_id)
                        && self.live.hub.is_subscribed(self.conn, &room_id)
                    {
                        self.live.hub.to_conn(
                            self.conn,
                            Out::Resume {
                                room_id,
                                from: from.max(0),
                            },
                        );
                    } else {
                        self.not_a_member(&room_id);
                    }
                }
            }
        }
        None
    }

    /// Over the rate, only the first send of a window is answered (see `Throttle`).
    fn on_send(&self, room_id: String, client_id: String, body: String, throttle: &mut Throttle) {
        let draft = Draft {
            room_id,
            client_id,
            body,
        };
        let (room, client) = (draft.room_id.clone(), draft.client_id.clone());
        let sent = self
            .live
            .send(&self.state, &self.who.id, draft, Reply::Conn(self.conn));
        match sent {
            Ok(()) => {}
            Err((Refusal::RateLimited(wait), _)) if !throttle.tell(wait, self.state.now_ms()) => {}
            Err((why, reply)) => refuse(&self.live.hub, reply, why, &room, &client),
        }
    }
}
