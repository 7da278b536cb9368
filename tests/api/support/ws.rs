//! A real websocket client (tokio-tungstenite) for the realtime tests.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::{Account, TestApp};

/// How long a test waits for a frame it expects.
pub const WAIT: Duration = Duration::from_secs(10);

pub struct Ws {
    inner: WebSocketStream<TcpStream>,
}

/// What arrived.
#[derive(Debug)]
pub enum Event {
    Frame(Value),
    /// Close code and reason (1005 if the close frame had none; 1006 if the TCP just ended).
    Closed(u16, String),
}

/// How to open a connection.
#[derive(Default)]
pub struct Open<'a> {
    pub token: Option<&'a str>,
    pub origin: Option<&'a str>,
    /// A small receive buffer, to play a client that reads slowly.
    pub recv_buffer: Option<u32>,
    /// A query string for the upgrade URL (never a token).
    pub query: Option<&'a str>,
}

impl Ws {
    /// Opens `/api/v1/ws`; Err carries the refused upgrade's status and body.
    pub async fn open(app: &TestApp, opts: Open<'_>) -> Result<Ws, (u16, String)> {
        let query = opts.query.map(|q| format!("?{q}")).unwrap_or_default();
        let mut req = format!("ws://127.0.0.1:{}/api/v1/ws{query}", app.port)
            .into_client_request()
            .expect("request");
        if let Some(t) = opts.token {
            req.headers_mut().insert(
                "Authorization",
                format!("Bearer {t}").parse().expect("header"),
            );
        }
        if let Some(o) = opts.origin {
            req.headers_mut()
                .insert("Origin", o.parse().expect("origin header"));
        }
        let socket = TcpSocket::new_v4().expect("socket");
        if let Some(n) = opts.recv_buffer {
            socket.set_recv_buffer_size(n).expect("rcvbuf");
        }
        let stream = socket
            .connect(format!("127.0.0.1:{}", app.port).parse().expect("addr"))
            .await
            .expect("tcp connect");
        stream.set_nodelay(true).expect("nodelay");
        match tokio_tungstenite::client_async(req, stream).await {
            Ok((inner, _)) => Ok(Ws { inner }),
            Err(WsError::Http(resp)) => Err((
                resp.status().as_u16(),
                resp.body()
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(b).to_string())
                    .unwrap_or_default(),
            )),
            Err(e) => panic!("websocket handshake failed: {e}"),
        }
    }

    /// Opens with a Bearer token and waits for `ready` and the `coverage` frame that always
    /// follows it (SAFE-SG-5), so the next frame a test reads is the first live one.
    pub async fn connect(app: &TestApp, who: &Account) -> (Ws, Value) {
        let (ws, ready, _) = Ws::connect_with_coverage(app, who).await;
        (ws, ready)
    }

    /// [`Ws::connect`], also returning the `coverage` frame of the ready sequence.
    pub async fn connect_with_coverage(app: &TestApp, who: &Account) -> (Ws, Value, Value) {
        let mut ws = Ws::open(
            app,
            Open {
                token: Some(&who.access),
                ..Default::default()
            },
        )
        .await
        .expect("upgrade accepted");
        let ready = ws.next_of("ready").await;
        let coverage = match ws.next().await {
            Event::Frame(f) if f["type"] == "coverage" => f,
            other => panic!("`coverage` must follow `ready`, got {other:?}"),
        };
        (ws, ready, coverage)
    }

    pub async fn send(&mut self, v: &Value) {
        self.send_text(v.to_string()).await;
    }

    pub async fn send_text(&mut self, s: String) {
        self.inner.send(Message::text(s)).await.expect("send frame");
    }

    pub async fn send_raw(&mut self, m: Message) -> Result<(), WsError> {
        self.inner.send(m).await
    }

    /// A `send` frame.
    pub async fn say(&mut self, room: &str, client_id: &str, body: &str) {
        self.send(&json!({"type": "send", "room_id": room, "client_id": client_id, "body": body}))
            .await;
    }

    /// The next frame or close, waiting at most `wait`; None on timeout.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let item = match tokio::time::timeout_at(deadline, self.inner.next()).await {
                Err(_) => return None,
                Ok(item) => item,
            };
            return Some(match item {
                None => Event::Closed(1006, String::new()),
                Some(Ok(Message::Text(t))) => {
                    Event::Frame(serde_json::from_str(t.as_str()).expect("server frames are JSON"))
                }
                Some(Ok(Message::Close(Some(f)))) => {
                    Event::Closed(u16::from(f.code), f.reason.to_string())
                }
                Some(Ok(Message::Close(None))) => Event::Closed(1005, String::new()),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(other)) => panic!("unexpected frame {other:?}"),
                Some(Err(_)) => Event::Closed(1006, String::new()),
            });
        }
    }

    pub async fn next(&mut self) -> Event {
        self.next_within(WAIT)
            .await
            .expect("a frame within the wait")
    }

    /// The next frame of type `ty`, skipping frames of other types; panics on an `error`
    /// frame (unless waiting for one) or a close first.
    pub async fn next_of(&mut self, ty: &str) -> Value {
        loop {
            match self.next().await {
                Event::Frame(f) if f["type"] == ty => return f,
                Event::Frame(f) if f["type"] != "error" => {}
                other => panic!("waiting for `{ty}`, got {other:?}"),
            }
        }
    }

    /// Everything that arrives until `wait` passes with nothing new.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Event> {
        let mut out = Vec::new();
        while let Some(e) = self.next_within(wait).await {
            let closed = matches!(e, Event::Closed(..));
            out.push(e);
            if closed {
                break;
            }
        }
        out
    }

    /// Waits for the close and returns its code and reason.
    pub async fn closed(&mut self) -> (u16, String) {
        loop {
            match self.next().await {
                Event::Closed(code, reason) => return (code, reason),
                Event::Frame(_) => {}
            }
        }
    }
}

impl Ws {
    /// Queues every frame without flushing, then flushes once: a burst that reaches the
    /// server in as few TCP writes as the client's write buffer allows.
    pub async fn burst(&mut self, frames: impl IntoIterator<Item = Value>) {
        for f in frames {
            self.inner
                .feed(Message::text(f.to_string()))
                .await
                .expect("queue frame");
        }
        self.inner.flush().await.expect("flush burst");
    }
}
