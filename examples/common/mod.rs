//! What the examples share: the server child process (started as `<bin> serve` with its
//! settings in the environment, SIGKILLed and reaped when dropped), waiting for `/readyz`,
//! seeding verified users, sessions and group rooms straight into the database through the
//! library (with access tokens minted from the same secret), and opening a websocket with
//! `Authorization: Bearer` up to its `ready` frame.

use std::error::Error;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use futures_util::StreamExt;
use kindred::auth::tokens::TokenKeys;
use kindred::clock::{Clock, SystemClock};
use kindred::config::DatabaseUrl;
use kindred::db::{Db, rooms, schema, sessions, users, write_tx};
use kindred::domain::display_name::DisplayName;
use kindred::domain::email::Email;
use kindred::domain::ids::new_id;
use rand::Rng;
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header::AUTHORIZATION};
use tokio_tungstenite::tungstenite::{self, Message};

pub type BoxError = Box<dyn Error + Send + Sync>;
pub type Ws = WebSocketStream<TcpStream>;

/// How long the server may take to answer `/readyz` with 200.
pub const SERVER_START_TIMEOUT: Duration = Duration::from_secs(60);
/// Users (with session and membership) written per seeding transaction.
const SEED_BATCH: usize = 500;

/// How to start the server: the same settings every time, so a restart is the same server.
pub struct ServerSpec {
    pub bin: PathBuf,
    pub port: u16,
    pub database_url: String,
    pub secret: String,
    pub public_url: String,
}

impl ServerSpec {
    /// A spec on a free loopback port with a fresh random signing secret.
    pub fn new(bin: PathBuf, database_url: String) -> Result<ServerSpec, BoxError> {
        if !bin.is_file() {
            return Err(format!(
                "no server binary at {} (build it first, or pass --server-bin)",
                bin.display()
            )
            .into());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let secret = rand::thread_rng()
            .sample_iter(&rand::distributions::Alphanumeric)
            .take(48)
            .map(char::from)
            .collect();
        Ok(ServerSpec {
            bin,
            port,
            database_url,
            secret,
            public_url: format!("http://127.0.0.1:{port}"),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn backend(&self) -> &'static str {
        if self.database_url.starts_with("postgres") {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// Starts `<bin> serve`; the server's stdout (its JSON log) goes to `stdout`.
    pub fn spawn(&self, stdout: Stdio) -> Result<Server, BoxError> {
        let child = Command::new(&self.bin)
            .arg("serve")
            .env("KINDRED_BIND", format!("127.0.0.1:{}", self.port))
            .env("DATABASE_URL", &self.database_url)
            .env("KINDRED_JWT_SECRET", &self.secret)
            .env("KINDRED_PUBLIC_URL", &self.public_url)
            .env("RUST_LOG", "warn")
            .env("KINDRED_MSG_BURST", "100000")
            .env("KINDRED_MSG_PER_SEC", "100000")
            .env("KINDRED_WS_MAX_PER_USER", "5")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", self.bin.display()))?;
        Ok(Server { child })
    }
}

/// The server child process; SIGKILLed and reaped when dropped, so every error path stops it.
pub struct Server {
    pub child: Child,
}

impl Server {
    /// `SIGKILL` (what `Child::kill` sends on Unix), then reap it.
    pub fn kill(&mut self) -> std::io::Result<()> {
        if self.child.try_wait()?.is_none() {
            self.child.kill()?;
        }
        self.child.wait().map(|_| ())
    }

    /// Polls `GET /readyz` until it answers 200.
    pub async fn wait_ready(&mut self, public_url: &str) -> Result<(), BoxError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let url = format!("{public_url}/readyz");
        let deadline = Instant::now() + SERVER_START_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(format!("the server exited during start-up ({status})").into());
            }
            if let Ok(r) = client.get(&url).send().await
                && r.status() == reqwest::StatusCode::OK
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err("the server did not answer /readyz with 200 in 60 s".into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Err(e) = self.kill() {
            eprintln!("could not stop the server: {e}");
        }
    }
}

pub struct Seeded {
    /// Access token of user `i` (room `i / room_size`).
    pub tokens: Vec<String>,
    pub room_ids: Vec<String>,
}

/// Writes `users` verified members with a session each into group rooms of `room_size` (the
/// last room takes the remainder) in a few transactions, and mints their access tokens.
pub fn seed(
    url: &DatabaseUrl,
    public_url: &str,
    secret: &[u8],
    users_wanted: usize,
    room_size: usize,
) -> Result<Seeded, BoxError> {
    let db = Db::connect(url, 1)?;
    let mut conn = db.get_blocking()?;
    let condition: String = schema::conditions::table
        .select(schema::conditions::id)
        .order(schema::conditions::id)
        .first(&mut *conn)?;
    let keys = TokenKeys::new(secret, public_url);
    let clock = SystemClock;
    let now = clock.now_naive();
    let expires = now + chrono::Duration::days(1);
    // A run tag keeps names unique when a PostgreSQL database is reused between runs.
    let tag = format!("{:06x}", rand::thread_rng().gen_range(0..0x100_0000u32));
    let room_ids: Vec<String> = (0..users_wanted.div_ceil(room_size))
        .map(|_| new_id())
        .collect();
    write_tx(&mut conn, |tx| -> Result<(), BoxError> {
        for id in &room_ids {
            rooms::insert(
                tx,
                &rooms::Room {
                    id: id.clone(),
                    kind: "group".into(),
                    focus_condition: condition.clone(),
                    max_size: room_size as i32,
                    created_at: now,
                    ended_at: None,
                    last_seq: 0,
                },
            )?;
        }
        Ok(())
    })?;
    let mut tokens = Vec::with_capacity(users_wanted);
    for first in (0..users_wanted).step_by(SEED_BATCH) {
        let last = (first + SEED_BATCH).min(users_wanted);
        let batch = write_tx(&mut conn, |tx| -> Result<Vec<(String, String)>, BoxError> {
            let mut ids = Vec::with_capacity(last - first);
            for i in first..last {
                let name = DisplayName::parse(&format!("load-{tag}-{i:05}"))
                    .map_err(|(_, d)| format!("display name: {d}"))?;
                let email = Email::parse(&format!("load-{tag}-{i:05}@example.org"))?;
                let (user_id, session_id) = (new_id(), new_id());
                users::insert(
                    tx,
                    &users::NewUser {
                        id: &user_id,
                        email: email.address(),
                        email_key: email.key(),
                        display_name: name.as_str(),
                        display_name_key: name.key(),
                        // Never logged in by password: no argon2 hash matches this.
                        password_hash: "loadgen-no-password",
                        role: "member",
                        status: users::STATUS_ACTIVE,
                        email_verified_at: Some(now),
                        created_at: now,
                        updated_at: now,
                    },
                )?;
                sessions::insert(
                    tx,
                    &sessions::NewSession {
                        id: &session_id,
                        user_id: &user_id,
                        created_at: now,
                        last_seen_at: now,
                        expires_at: expires,
                        second_factor: false,
                    },
                )?;
                let room = &room_ids[i / room_size];
                rooms::add_member(tx, room, &user_id, rooms::ROLE_MEMBER, now)?;
                ids.push((user_id, session_id));
            }
            Ok(ids)
        })?;
        for (user_id, session_id) in batch {
            tokens.push(keys.issue(&user_id, &session_id, clock.now())?);
        }
    }
    Ok(Seeded { tokens, room_ids })
}

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(default, borrow)]
    code: Option<&'a str>,
}

#[derive(Deserialize)]
pub struct Ready {
    pub rooms: Vec<ReadyRoom>,
}

#[derive(Deserialize)]
pub struct ReadyRoom {
    pub room_id: String,
    pub last_seq: i64,
}

/// Connects to `ws_url`, upgrades with the Bearer token (TCP_NODELAY) and waits for `ready`.
/// Errors are short reasons (`tcp_connect: ConnectionRefused`, `http_401 token_invalid`, …).
pub async fn open(addr: SocketAddr, ws_url: &str, token: &str) -> Result<(Ws, Ready), String> {
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("tcp_connect: {}", e.kind()))?;
    tcp.set_nodelay(true)
        .map_err(|e| format!("set_nodelay: {}", e.kind()))?;
    let mut request = ws_url
        .into_client_request()
        .map_err(|e| format!("request: {e}"))?;
    let bearer = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| e.to_string())?;
    request.headers_mut().insert(AUTHORIZATION, bearer);
    let (mut ws, _) = tokio_tungstenite::client_async(request, tcp)
        .await
        .map_err(|e| match e {
            tungstenite::Error::Http(resp) => {
                let code = resp
                    .body()
                    .as_deref()
                    .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
                    .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(String::from))
                    .unwrap_or_default();
                format!("http_{} {code}", resp.status().as_u16())
            }
            other => format!("handshake: {other}"),
        })?;
    while let Some(frame) = ws.next().await {
        match frame.map_err(|e| format!("read_before_ready: {e}"))? {
            Message::Text(t) => {
                let head: Head<'_> =
                    serde_json::from_str(t.as_str()).map_err(|_| "unparsable_frame".to_string())?;
                match head.kind {
                    "ready" => {
                        let ready: Ready = serde_json::from_str(t.as_str())
                            .map_err(|e| format!("bad_ready: {e}"))?;
                        return Ok((ws, ready));
                    }
                    "error" => return Err(format!("error:{}", head.code.unwrap_or("none"))),
                    _ => {}
                }
            }
            Message::Close(f) => return Err(close_reason(f.as_ref())),
            _ => {}
        }
    }
    Err("eof_before_ready".into())
}

pub fn close_reason(f: Option<&tungstenite::protocol::CloseFrame>) -> String {
    match f {
        Some(f) => format!("closed:{} {}", u16::from(f.code), f.reason.as_str()),
        None => "closed:no_frame".into(),
    }
}
