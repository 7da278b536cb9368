//! One websocket per client: `GET /api/v1/ws`.
//!
//! Before the upgrade: the `Origin` (when a browser sends one, and only one) must be in
//! `KINDRED_ALLOWED_ORIGINS` (403, cross-site websocket hijacking), a Bearer token if present
//! must be valid (401), and the person may not already have `KINDRED_WS_MAX_PER_USER` sockets
//! open (429). Browsers, which cannot set headers on a websocket, send `{"type":"auth"}` as
//! their first frame within `ws_auth_timeout` instead; a token never travels in the URL.
//! Such sockets are capped while they wait, per address and in all (`waiting`: 429, 503).
//! Every byte from the client passes the frame guard (`guard`) before actix-ws buffers it:
//! a frame declaring more than the limit is refused from its header.
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

mod close;
mod guard;
mod outbound;
mod reader;
mod waiting;

pub use waiting::Waiting;

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, Session};

use super::Live;
use super::hub::{CloseKind, ConnId, Registration};
use super::protocol::{
    ClientFrame, Limits, MAX_BODY_CHARS, MAX_FRAME_BYTES, RoomState, ServerFrame, UserView,
};
use super::sync;
use crate::auth::AuthUser;
use crate::auth::extractors::{ClientAddr, authenticate, bearer};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::moderation::coverage::{self, Coverage};
use crate::moderation::shifts;
use crate::state::AppState;
use close::{classify, close_now};
use outbound::{Outbound, RESUME_HOLD};
use reader::Reader;

/// `GET /api/v1/ws`.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    addr: ClientAddr,
    state: web::Data<AppState>,
    live: web::Data<Live>,
) -> Result<HttpResponse, AppError> {
    check_origin(&req, &state.settings.allowed_origins)?;
    // Without a token in the header the socket waits for its first frame: count it.
    let token = bearer(&req);
    let ticket = match token {
        Some(_) => None,
        None => Some(live.waiting.enter(addr.0, &state.settings.ws_preauth)?),
    };
    // Every byte from the client passes the frame guard before actix-ws buffers it.
    let body = guard::guarded(&req, body, MAX_FRAME_BYTES)
        .await
        .map_err(|e| AppError::internal(std::io::Error::other(e.to_string())))?;
    let (response, session, stream) = actix_ws::handle(&req, body).map_err(|_| {
        AppError::bad_request(
            "not_a_websocket",
            "GET /api/v1/ws must be a websocket upgrade request.",
        )
    })?;
    let pre = match token {
        Some(token) => {
            let who = authenticate(&state, &token).await?;
            if live.hub.connections_of(&who.id) >= state.settings.ws_max_per_user {
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
        live.get_ref().clone(),
        session,
        stream,
        pre.ok_or(ticket),
        hold,
    ));
    Ok(response)
}

/// The `Origin` (when a browser sends one) must be in `KINDRED_ALLOWED_ORIGINS`: 403
/// otherwise (cross-site websocket hijacking). More than one is refused too: which one would
/// a proxy or the browser have meant?
fn check_origin(req: &HttpRequest, allowed: &[String]) -> Result<(), AppError> {
    let mut origins = req.headers().get_all(header::ORIGIN);
    let Some(origin) = origins.next() else {
        return Ok(());
    };
    let ok = origins.next().is_none()
        && origin
            .to_str()
            .ok()
            .and_then(normalise_origin)
            .is_some_and(|o| allowed.contains(&o));
    if ok {
        return Ok(());
    }
    tracing::warn!(
        event = "ws_origin_refused",
        "websocket upgrade from an origin not allowed"
    );
    Err(AppError::forbidden(
        "origin_not_allowed",
        "This origin may not open a Kindred websocket.",
    ))
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
    live: Live,
    conn: ConnId,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.live.hub.unregister(self.conn);
    }
}

/// The caller's rooms, read after subscribing so no message falls between the two.
async fn room_states(
    state: &AppState,
    live: &Live,
    user: &str,
) -> Result<Vec<RoomState>, AppError> {
    Ok(sync::positions(&state.db, user)
        .await?
        .into_iter()
        .map(|(room_id, last_seq, unread)| RoomState {
            online: live.hub.online_in(&room_id),
            room_id,
            last_seq,
            unread,
        })
        .collect())
}

async fn connection(
    state: AppState,
    live: Live,
    mut session: Session,
    mut stream: AggregatedMessageStream,
    pre: Result<AuthUser, Option<waiting::Ticket>>,
    hold: bool,
) {
    let who = match pre {
        Ok(w) => w,
        Err(ticket) => {
            let judged = Box::pin(first_frame_auth(&state, &mut stream)).await;
            // Authenticated or not, the socket no longer waits.
            drop(ticket);
            match judged {
                Ok(w) => w,
                Err(kind) => {
                    tracing::info!(event = "ws_auth_failed", reason = ?kind, "websocket closed before authentication");
                    return close_now(session, kind).await;
                }
            }
        }
    };
    // A staff session signed in without a second factor is a plain member connection.
    let moderator = who.role.at_least(Role::Moderator)
        && crate::auth::extractors::has_second_factor(&state, &who)
            .await
            .unwrap_or(false);
    let user_id = who.id.clone();
    let Registration {
        id: conn,
        rx,
        close,
    } = match live.hub.register(&who.id, &who.session_id, moderator) {
        Ok(r) => r,
        Err(_) => return close_now(session, CloseKind::Policy("too_many_connections")).await,
    };
    let registered = Registered {
        live: live.clone(),
        conn,
    };

    // Subscribe first, then read positions: a message committed in between is either in the
    // positions or arrives live, never lost.
    let Ok(start) = Box::pin(sync::start(&state.db, &who.id)).await else {
        return close_now(session, CloseKind::Policy("unavailable")).await;
    };
    live.hub.subscribe(conn, &start.rooms);
    let Ok(rooms_now) = Box::pin(room_states(&state, &live, &who.id)).await else {
        return close_now(session, CloseKind::Policy("unavailable")).await;
    };
    let ready = ServerFrame::Ready {
        user: UserView {
            id: &who.id,
            display_name: &start.display_name,
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
    // Coverage honesty (SAFE-SG-5): second in the ready sequence, read after registering so
    // a change committed later arrives as a frame after it.
    let Ok(staffed) = coverage::staffed(&state.db).await else {
        return close_now(session, CloseKind::Policy("unavailable")).await;
    };
    if session
        .text(ServerFrame::Coverage(&Coverage::of(staffed)).encode())
        .await
        .is_err()
    {
        return;
    }
    if moderator {
        // A moderator on shift who reconnects within the grace keeps it.
        shifts::connection_changed(&state, &who.id);
    }
    tracing::info!(event = "ws_connected", user_id = %who.id, rooms = rooms_now.len(), "websocket ready");

    let cursors: HashMap<String, i64> = rooms_now
        .iter()
        .map(|r| (r.room_id.clone(), r.last_seq))
        .collect();
    let outbound = tokio::spawn(
        Outbound {
            state: state.clone(),
            live: live.clone(),
            session: session.clone(),
            close: close.clone(),
            user: who.id.clone(),
            cursors,
            blocked: start.blocked,
            gate: hold.then(|| tokio::time::Instant::now() + RESUME_HOLD),
            held: Vec::new(),
        }
        .run(rx),
    );
    let kind = Reader {
        state: state.clone(),
        live: live.clone(),
        session,
        conn,
        who,
        typing: HashMap::new(),
        released: !hold,
    }
    .run(&mut stream, close)
    .await;
    live.hub.close_conn(conn, kind);
    // Out of the hub at once (presence, connection count); the close frame may still wait
    // for a client that is not reading.
    drop(registered);
    if moderator {
        // Their last connection may have closed: the shift's grace starts now.
        shifts::connection_changed(&state, &user_id);
    }
    let _ = outbound.await;
}
