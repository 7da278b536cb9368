//! Slow and greedy clients (issue 12, point 2): a deadline on every request body and a cap on
//! the connections one peer address holds open. (The header deadline is actix's
//! `client_request_timeout`, set in `startup`.)
//!
//! - [`Peers`] counts open connections per peer IP. `startup`'s `on_connect` hook gives each
//!   connection a [`PeerSlot`] (kept in the connection's data, so it is dropped, and the count
//!   falls, when the connection closes). A request on a connection past the cap is answered
//!   429 `too_many_connections` without reading its body, and the connection is closed.
//!   Trusted proxies are not counted: every client behind them shares their address.
//! - [`guard`] wraps the body in a deadline of `KINDRED_BODY_TIMEOUT_SECS` from the moment
//!   the headers arrived; a body still unfinished then ends in an error for whoever reads it,
//!   and the request is answered 408 `body_timeout` and the connection closed. A response
//!   given before its body was read to the end also closes the connection, so an unread,
//!   stalled body cannot hold it open afterwards. Websocket upgrades are left alone: their
//!   "body" is the socket, with its own auth and idle timeouts.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::ConnectionType;
use actix_web::http::header::UPGRADE;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{Error, HttpMessage, ResponseError};
use futures_util::Stream;

use crate::error::AppError;
use crate::state::AppState;

/// Open connections per peer address.
pub struct Peers {
    open: Mutex<HashMap<IpAddr, usize>>,
    cap: usize,
    trusted: BTreeSet<IpAddr>,
}

/// One connection's place in [`Peers`]; dropping it (the connection closed) frees it.
pub struct PeerSlot {
    peers: Arc<Peers>,
    ip: Option<IpAddr>,
    over_cap: bool,
}

impl Peers {
    pub fn new(cap: usize, trusted: BTreeSet<IpAddr>) -> Arc<Self> {
        Arc::new(Peers {
            open: Mutex::new(HashMap::new()),
            cap,
            trusted,
        })
    }

    /// A new connection from `ip`.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> PeerSlot {
        if self.trusted.contains(&ip) {
            return PeerSlot {
                peers: self.clone(),
                ip: None,
                over_cap: false,
            };
        }
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_default();
        *n += 1;
        PeerSlot {
            peers: self.clone(),
            ip: Some(ip),
            over_cap: *n > self.cap,
        }
    }

    /// Connections open from `ip` now.
    pub fn open_from(&self, ip: IpAddr) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&ip).copied().unwrap_or(0)
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let Some(ip) = self.ip else { return };
        let mut open = self.peers.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&ip);
            }
        }
    }
}

/// The middleware: the per-peer cap, then the body deadline.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.conn_data::<PeerSlot>().is_some_and(|s| s.over_cap) {
        let e = AppError::TooMany {
            code: "too_many_connections",
            detail: "Too many connections from this address; close some and try again.".into(),
        };
        return Ok(closing(req.into_response(e.error_response())));
    }
    let deadline = req
        .app_data::<Data<AppState>>()
        .map(|s| s.settings.http.body_timeout);
    let mut watch = None;
    if let Some(limit) = deadline
        && !req.headers().contains_key(UPGRADE)
    {
        match req.take_payload() {
            Payload::None => {}
            inner => {
                let state = Rc::new(BodyState::default());
                let stream = Deadline {
                    inner,
                    sleep: Box::pin(tokio::time::sleep(limit)),
                    state: state.clone(),
                };
                req.set_payload(Payload::Stream {
                    payload: Box::pin(stream),
                });
                watch = Some((state, limit));
            }
        }
    }
    let res = next.call(req).await?.map_into_boxed_body();
    let Some((state, limit)) = watch else {
        return Ok(res);
    };
    if state.expired.get() {
        let e = body_timeout(limit);
        let (req, _) = res.into_parts();
        return Ok(closing(ServiceResponse::new(req, e.error_response())));
    }
    if !state.finished.get() {
        return Ok(closing(res));
    }
    Ok(res)
}

fn body_timeout(limit: Duration) -> AppError {
    AppError::RequestTimeout {
        code: "body_timeout",
        detail: format!(
            "The request body did not arrive within {} seconds.",
            limit.as_secs_f64()
        ),
    }
}

fn closing(mut res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    res.response_mut()
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    res
}

#[derive(Default)]
struct BodyState {
    expired: Cell<bool>,
    finished: Cell<bool>,
}

/// A body stream that fails once its deadline passes.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
    state: Rc<BodyState>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.state.finished.get() || this.state.expired.get() {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut this.inner).poll_next(cx) {
            if item.is_none() {
                this.state.finished.set(true);
            }
            return Poll::Ready(item);
        }
        if this.sleep.as_mut().poll(cx).is_ready() {
            this.state.expired.set(true);
            let e = std::io::Error::new(std::io::ErrorKind::TimedOut, "body deadline passed");
            return Poll::Ready(Some(Err(PayloadError::Io(e))));
        }
        Poll::Pending
    }
}
