//! `WebhookSink`: a minimal, real HTTP/1.1 server run inside the test process, so tests can
//! assert on the escalation webhooks the service actually POSTed (headers and exact body
//! bytes). It answers every request with the status it is set to (200 by default) and closes
//! the connection. Test support only; it listens on 127.0.0.1 and nothing else.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// Largest body kept.
const MAX_BODY: usize = 1024 * 1024;

/// One request as received.
#[derive(Clone, Debug)]
pub struct Hook {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Hook {
    pub fn header(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }
}

#[derive(Default)]
struct Shared {
    hooks: Mutex<Vec<Hook>>,
    status: Mutex<u16>,
    notify: Notify,
}

/// Handle to a running sink; clones share one server.
#[derive(Clone)]
pub struct WebhookSink {
    url: String,
    shared: Arc<Shared>,
}

impl WebhookSink {
    pub async fn start() -> WebhookSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind webhook sink");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Shared {
            status: Mutex::new(200),
            ..Shared::default()
        });
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(Duration::from_secs(10), serve(stream, s)).await;
                });
            }
        });
        WebhookSink {
            url: format!("http://127.0.0.1:{port}/page"),
            shared,
        }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Every request answered with `status` from now on.
    pub fn set_status(&self, status: u16) {
        *self.shared.status.lock().unwrap() = status;
    }

    /// Every request received so far (including those answered with an error status).
    pub fn received(&self) -> Vec<Hook> {
        self.shared.hooks.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived; all of them, or None after `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Option<Vec<Hook>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.notify.notified();
            let got = self.received();
            if got.len() >= n {
                return Some(got);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }
}

async fn serve(stream: tokio::net::TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
            if k == "content-length" {
                length = v.parse().unwrap_or(0).min(MAX_BODY);
            }
            headers.push((k, v));
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).await?;
    let status = *shared.status.lock().unwrap();
    shared.hooks.lock().unwrap().push(Hook {
        method,
        path,
        headers,
        body,
    });
    shared.notify.notify_waiters();
    let reply = format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    write.write_all(reply.as_bytes()).await?;
    write.shutdown().await
}
