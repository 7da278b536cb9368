//! One websocket per client: `GET /api/v1/ws`.
//!
//! Before the upgrade: the `Origin` (when a browser sends one) must be in
//! `KINDRED_ALLOWED_ORIGINS` (403, cross-site websocket hijacking), a Bearer token if present
//! must be valid (401), and the person may not already have `KINDRED_WS_MAX_PER_USER` sockets
//! open (429). Browsers, which cannot set headers on a websocket, send `{"type":"auth"}` as
//! their first frame within `ws_auth_timeout` instead; a token never travels in the URL.
//!
//! Each connection runs two tasks. The reader parses client frames, checks membership and
//! rate limits, and hands sends to the group-commit writer. The outbound task drains the
//! connection's bounded hub queue to the socket and keeps every room's delivery gap-free:
//! it remembers the last seq it delivered per room, skips anything at or below it and fills
//! any gap from the database, which is also how `resume` replays. A replay and live messages
//! therefore interleave without a gap or duplicate, even when messages arrive mid-replay.
//!
//! Close codes: 1000 normal or idle, 1001 server stopping, 1002 protocol error, 1007 invalid
//! UTF-8, 1008 authentication or session problems, 1009 frame too big, 1013 `resync` (the
//! client fell too far behind; reconnect and resume).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use bytestring::ByteString;
use tokio::sync::{mpsc, watch};

use super::hub::{CloseKind, ConnId, Out, Registration};
use super::protocol::{
    self, ClientFrame, FrameError, Limits, MAX_BODY_CHARS, MAX_FRAME_BYTES, MAX_REPLAY,
    MessageView, RoomState, ServerFrame, UserView,
};
use super::writer::{Reply, SendCmd, SendError, answer_error};
use crate::auth::AuthUser;
use crate::auth::extractors::{authenticate, bearer};
use crate::db::{blocks, messages, rooms, users};
use crate::domain::ids::parse_uuid;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::state::AppState;

/// Most rooms one `resume` frame may name.
const MAX_RESUME_ROOMS: usize = 500;
/// A member's typing indicator fans out at most this often per room.
const TYPING_EVERY: Duration = Duration::from_secs(3);
/// How long a close frame may wait for a client that is not reading.
const CLOSE_GRACE: Duration = Duration::from_secs(10);

/// `GET /api/v1/ws`.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let allowed = origin
            .to_str()
            .ok()
            .and_then(normalise_origin)
            .is_some_and(|o| state.settings.allowed_origins.contains(&o));
        if !allowed {
            tracing::warn!(
                event = "ws_origin_refused",
                "websocket upgrade from an origin not allowed"
            );
            return Err(AppError::forbidden(
                "origin_not_allowed",
                "This origin may not open a Kindred websocket.",
            ));
        }
    }
    let (response, session, stream) = actix_ws::handle(&req, body).map_err(|_| {
        AppError::bad_request(
            "not_a_websocket",
            "GET /api/v1/ws must be a websocket upgrade request.",
        )
    })?;
    let pre = match bearer(&req) {
        Some(token) => {
            let who = authenticate(&state, &token).await?;
            if state.hub.connections_of(&who.id) >= state.settings.ws_max_per_user {
                return Err(too_many());
            }
            Some(who)
        }
        None => None,
    };
    let stream = stream
        .max_frame_size(MAX_FRAME_BYTES)
        .aggregate_continuations()
        .max_continuation_size(MAX_FRAME_BYTES);
    // `?resume=1`: the client will send `resume` first; hold live messages until it has.
    let hold = url::form_urlencoded::parse(req.query_string().as_bytes())
        .any(|(k, v)| k == "resume" && (v == "1" || v == "true"));
    actix_web::rt::spawn(connection(
        state.get_ref().clone(),
        session,
        stream,
        pre,
        hold,
    ));
    Ok(response)
}

fn too_many() -> AppError {
    AppError::TooMany {
        code: "too_many_connections",
        detail: "You already have the most websockets open that one person may; close one first."
            .into(),
    }
}

/// `https://App.Example.org:443` → `https://app.example.org`; `null` and junk → None.
fn normalise_origin(o: &str) -> Option<String> {
    let u = url::Url::parse(o).ok()?;
    if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
        return None;
    }
    Some(u.origin().ascii_serialization())
}

fn close_reason(kind: CloseKind) -> CloseReason {
    let (code, description) = match kind {
        CloseKind::Normal => (CloseCode::Normal, None),
        CloseKind::Idle => (CloseCode::Normal, Some("idle_timeout")),
        CloseKind::Shutdown => (CloseCode::Away, Some("server_stopping")),
        CloseKind::Policy(why) => (CloseCode::Policy, Some(why)),
        CloseKind::Resync => (CloseCode::Again, Some("resync")),
        CloseKind::TooBig => (CloseCode::Size, Some("frame_too_big")),
        CloseKind::Protocol => (CloseCode::Protocol, None),
        CloseKind::InvalidUtf8 => (CloseCode::Invalid, None),
    };
    CloseReason {
        code,
        description: description.map(str::to_string),
    }
}

async fn close_now(session: Session, kind: CloseKind) {
    let _ = tokio::time::timeout(CLOSE_GRACE, session.close(Some(close_reason(kind)))).await;
}

fn classify(e: &actix_ws::ProtocolError) -> CloseKind {
    use actix_ws::ProtocolError as P;
    match e {
        P::Overflow => CloseKind::TooBig,
        P::Io(io) if io.to_string().contains("continuation size") => CloseKind::TooBig,
        P::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => CloseKind::InvalidUtf8,
        _ => CloseKind::Protocol,
    }
}

/// Waits for the browser's `auth` frame.
async fn first_frame_auth(
    state: &AppState,
    stream: &mut AggregatedMessageStream,
) -> Result<AuthUser, CloseKind> {
    let deadline = tokio::time::sleep(state.settings.ws_auth_timeout);
    tokio::pin!(deadline);
    loop {
        let msg = tokio::select! {
            m = stream.recv() => m,
            _ = &mut deadline => return Err(CloseKind::Policy("auth_timeout")),
        };
        match msg {
            // Control frames before auth are fine; anything else must be `auth`.
            Some(Ok(AggregatedMessage::Ping(_) | AggregatedMessage::Pong(_))) => continue,
            Some(Ok(AggregatedMessage::Text(text))) => {
                return match ClientFrame::parse(&text) {
                    Ok(ClientFrame::Auth { token }) => {
                        authenticate(state, &token).await.map_err(|e| {
                            CloseKind::Policy(match e.code() {
                                "token_expired" => "token_expired",
                                "session_revoked" => "session_revoked",
                                "account_disabled" => "account_disabled",
                                _ => "invalid_token",
                            })
                        })
                    }
                    _ => Err(CloseKind::Policy("auth_required")),
                };
            }
            Some(Err(e)) => return Err(classify(&e)),
            _ => return Err(CloseKind::Policy("auth_required")),
        }
    }
}

/// Removes the connection from the hub however the task ends.
struct Registered {
    state: AppState,
    conn: ConnId,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.state.hub.unregister(self.conn);
    }
}

/// The caller's rooms, read after subscribing so no message falls between the two.
async fn room_states(state: &AppState, user: &str) -> Result<Vec<RoomState>, AppError> {
    let me = user.to_string();
    let positions = state
        .db
        .run(move |c| {
            let rows = messages::room_positions(c, &me)?;
            rows.into_iter()
                .map(|(room, last, read)| {
                    let unread = messages::unread(c, &room, &me, read)?;
                    Ok((room, last, unread))
                })
                .collect::<Result<Vec<_>, AppError>>()
        })
        .await?;
    Ok(positions
        .into_iter()
        .map(|(room_id, last_seq, unread)| RoomState {
            online: state.hub.online_in(&room_id),
            room_id,
            last_seq,
            unread,
        })
        .collect())
}

async fn connection(
    state: AppState,
    mut session: Session,
    mut stream: AggregatedMessageStream,
    pre: Option<AuthUser>,
    hold: bool,
) {
    let who = match pre {
        Some(w) => w,
        None => match Box::pin(first_frame_auth(&state, &mut stream)).await {
            Ok(w) => w,
            Err(kind) => {
                tracing::info!(event = "ws_auth_failed", reason = ?kind, "websocket closed before authentication");
                return close_now(session, kind).await;
            }
        },
    };
    let moderator = who.role.at_least(Role::Moderator);
    let Registration {
        id: conn,
        rx,
        close,
    } = match state.hub.register(&who.id, &who.session_id, moderator) {
        Ok(r) => r,
        Err(_) => return close_now(session, CloseKind::Policy("too_many_connections")).await,
    };
    let registered = Registered {
        state: state.clone(),
        conn,
    };

    // Subscribe first, then read positions: a message committed in between is either in the
    // positions or arrives live, never lost.
    let me = who.id.clone();
    let setup = Box::pin(state.db.run(move |c| {
        let mine: Vec<String> = messages::room_positions(c, &me)?
            .into_iter()
            .map(|(r, _, _)| r)
            .collect();
        let name = users::find(c, &me)?
            .map(|u| u.display_name)
            .unwrap_or_default();
        let blocked = blocks::blocked_by(c, &me)?;
        Ok((mine, name, blocked))
    }))
    .await;
    let Ok((mine, display_name, blocked)) = setup else {
        return close_now(session, CloseKind::Policy("unavailable")).await;
    };
    state.hub.subscribe(conn, &mine);
    let Ok(rooms_now) = Box::pin(room_states(&state, &who.id)).await else {
        return close_now(session, CloseKind::Policy("unavailable")).await;
    };
    let ready = ServerFrame::Ready {
        user: UserView {
            id: &who.id,
            display_name: &display_name,
            role: who.role.as_str(),
        },
        rooms: &rooms_now,
        limits: Limits {
            max_body_chars: MAX_BODY_CHARS,
            max_frame_bytes: MAX_FRAME_BYTES,
        },
    }
    .encode();
    if session.text(ready).await.is_err() {
        return;
    }
    tracing::info!(event = "ws_connected", user_id = %who.id, rooms = rooms_now.len(), "websocket ready");

    let cursors: HashMap<String, i64> = rooms_now
        .iter()
        .map(|r| (r.room_id.clone(), r.last_seq))
        .collect();
    let outbound = tokio::spawn(
        Outbound {
            state: state.clone(),
            session: session.clone(),
            close: close.clone(),
            user: who.id.clone(),
            cursors,
            blocked,
            gate: hold.then(|| tokio::time::Instant::now() + RESUME_HOLD),
            held: Vec::new(),
        }
        .run(rx),
    );
    let kind = Reader {
        state: state.clone(),
        session,
        conn,
        who,
        typing: HashMap::new(),
        released: !hold,
    }
    .run(&mut stream, close)
    .await;
    state.hub.close_conn(conn, kind);
    // Out of the hub at once (presence, connection count); the close frame may still wait
    // for a client that is not reading.
    drop(registered);
    let _ = outbound.await;
}

struct Reader {
    state: AppState,
    session: Session,
    conn: ConnId,
    who: AuthUser,
    typing: HashMap<String, Instant>,
    /// Whether live messages held for `?resume=1` were released (after the first frame).
    released: bool,
}

impl Reader {
    async fn run(
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
        loop {
            tokio::select! {
                msg = stream.recv() => {
                    heard = Instant::now();
                    match msg {
                        None | Some(Ok(AggregatedMessage::Close(_))) => return CloseKind::Normal,
                        Some(Err(e)) => return classify(&e),
                        Some(Ok(AggregatedMessage::Text(text))) => {
                            // Boxed: the rare, deep paths (re-auth, database) would otherwise
                            // size every idle connection's task.
                            if let Some(k) = Box::pin(self.on_text(&text, &mut expiry)).await {
                                return k;
                            }
                            if !self.released {
                                // Queued after whatever the frame produced (a resume's replays).
                                self.released = true;
                                self.state.hub.to_conn(self.conn, Out::Go);
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
        self.state.hub.to_conn(self.conn, Out::Frame(frame));
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
            } => self.on_send(room_id, client_id, body),
            ClientFrame::Typing { room_id } => {
                if !self.state.hub.is_subscribed(self.conn, &room_id) {
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
                    self.state.hub.publish(super::hub::RoomEvent {
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
                let me = self.who.id.clone();
                let r = room.clone();
                match self
                    .state
                    .db
                    .run(move |c| Ok(messages::mark_read(c, &r, &me, seq)?))
                    .await
                {
                    Ok(Some(marker)) => {
                        let frame = ServerFrame::Read {
                            room_id: &room,
                            user_id: &self.who.id,
                            seq: marker,
                        }
                        .encode();
                        self.state.hub.publish(super::hub::RoomEvent {
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
                let me = self.who.id.clone();
                let ids: Vec<String> = wanted.keys().cloned().collect();
                let members = self
                    .state
                    .db
                    .run(move |c| {
                        ids.into_iter()
                            .map(|r| Ok((rooms::is_member(c, &r, &me)?, r)))
                            .collect::<Result<Vec<_>, AppError>>()
                    })
                    .await
                    .unwrap_or_default();
                let current: HashSet<String> = members
                    .into_iter()
                    .filter(|(m, _)| *m)
                    .map(|(_, r)| r)
                    .collect();
                for (room_id, from) in wanted {
                    if current.contains(&room_id)
                        && self.state.hub.is_subscribed(self.conn, &room_id)
                    {
                        self.state.hub.to_conn(
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

    fn on_send(&self, room_id: String, client_id: String, body: String) {
        let err = |code: &str, detail: &str, retry: Option<u64>| {
            protocol::error(code, detail, Some(&room_id), Some(&client_id), retry)
        };
        if let Err(why) = protocol::validate_client_id(&client_id) {
            return self.reply(err("invalid_client_id", why, None));
        }
        let body = match protocol::validate_body(&body) {
            Ok(b) => b.to_string(),
            Err(why) => return self.reply(err("invalid_body", why, None)),
        };
        if parse_uuid(&room_id).is_none() || !self.state.hub.is_subscribed(self.conn, &room_id) {
            return self.reply(err(
                "not_a_member",
                "You are not a member of this room.",
                None,
            ));
        }
        if let Err(wait) = self
            .state
            .limits
            .message_send
            .acquire(&self.who.id, self.state.now_ms())
        {
            let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
            return self.reply(err(
                "rate_limited",
                "You are sending messages faster than this room allows; wait a moment.",
                Some(ms),
            ));
        }
        let cmd = SendCmd {
            room_id,
            sender_id: self.who.id.clone(),
            client_id,
            body,
            reply: Reply::Conn(self.conn),
        };
        if let Err(cmd) = self.state.writer.submit(cmd) {
            answer_error(&self.state, cmd, SendError::Unavailable);
        }
    }
}

/// Drains the hub queue to the socket, gap-free per room.
struct Outbound {
    state: AppState,
    session: Session,
    close: watch::Receiver<Option<CloseKind>>,
    user: String,
    /// The last seq delivered (or known to the client) per subscribed room.
    cursors: HashMap<String, i64>,
    /// People this member blocked: their messages are not delivered (SAFE-SG-7).
    blocked: HashSet<String>,
    /// With `?resume=1`: live messages are held until the client's first frame (normally its
    /// `resume`) or this deadline, so a replay is never overtaken by a live message.
    gate: Option<tokio::time::Instant>,
    held: Vec<Out>,
}

/// How long `?resume=1` holds live messages waiting for the client's first frame.
const RESUME_HOLD: Duration = Duration::from_secs(5);

/// The socket is gone or the connection is closing.
struct Stop;

impl Outbound {
    async fn run(mut self, mut rx: mpsc::Receiver<Out>) {
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
                let (room, me) = (room_id.clone(), self.user.clone());
                let (last, unread) = self
                    .state
                    .db
                    .run(move |c| {
                        let last = messages::last_seq(c, &room)?.unwrap_or(0);
                        Ok((last, messages::unread(c, &room, &me, 0)?))
                    })
                    .await
                    .map_err(|_| Stop)?;
                let state = RoomState {
                    online: self.state.hub.online_in(&room_id),
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
        let room = room_id.to_string();
        let rows = self
            .state
            .db
            .run(move |c| {
                let last = messages::last_seq(c, &room)?.unwrap_or(0);
                let rows = messages::page(c, &room, Some(from), until, MAX_REPLAY + 1)?;
                Ok((last, rows))
            })
            .await;
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
        for row in rows {
            let seq = row.seq;
            let skip = self.blocked.contains(&row.sender_id);
            self.cursors.insert(room_id.to_string(), seq);
            if !skip {
                let view = MessageView::from(row);
                self.write(protocol::message_frame(&view)).await?;
            }
        }
        Ok(())
    }
}
