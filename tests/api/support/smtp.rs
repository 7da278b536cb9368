//! `SmtpSink`: a minimal, real SMTP server run inside the test process on tokio, so that
//! integration tests can assert on the mail the service actually sent through lettre
//! (plain `smtp://127.0.0.1:PORT`). It keeps every accepted message in memory and decodes
//! the subject, text/plain and text/html (7bit/8bit, quoted-printable, base64, RFC 2047).
//!
//! It must not: advertise STARTTLS or AUTH, relay or deliver mail anywhere, listen on
//! anything but 127.0.0.1, hang or panic on a misbehaving client, or hold more than
//! 10 MiB per message. It is test support only, never part of the service.

use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream, tcp::OwnedWriteHalf};
use tokio::sync::Notify;

const MAX_MESSAGE: usize = 10 * 1024 * 1024;
const MAX_LINE: u64 = 1024 * 1024;
const IDLE: Duration = Duration::from_secs(60);
const EHLO: &str = "250-kindred-smtp-sink\r\n250-8BITMIME\r\n250-PIPELINING\r\n\
                    250-ENHANCEDSTATUSCODES\r\n250 SIZE 10485760";

/// Handle to a running sink; clones share one server and mailbox. The server stops when
/// the last clone is dropped (or with the runtime).
#[derive(Clone, Debug)]
pub struct SmtpSink {
    url: String,
    shared: Arc<Shared>,
    _accept: Arc<AbortOnDrop>,
}

#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    notify: Notify,
}

#[derive(Debug, Default)]
struct State {
    mails: Vec<(ReceivedMail, bool)>, // (mail, taken by wait_for)
    failing: bool,
    rejected: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl SmtpSink {
    /// Binds 127.0.0.1:0 and starts accepting in a spawned tokio task (panics if it cannot bind).
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await;
        let listener = listener.unwrap_or_else(|e| panic!("smtp sink: cannot bind: {e}"));
        let port = listener.local_addr().map_or(0, |a| a.port());
        let shared = Arc::new(Shared::default());
        let for_task = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        // An error or disconnect only ends that client's own session.
                        tokio::spawn(serve(stream, Arc::clone(&for_task)));
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        });
        SmtpSink {
            url: format!("smtp://127.0.0.1:{port}"),
            shared,
            _accept: Arc::new(AbortOnDrop(task)),
        }
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Every mail received so far, in arrival order.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.matching(|_| true)
    }

    /// The next mail for `to` (case-insensitive) not returned by an earlier `wait_for`;
    /// marks it taken. `None` once `timeout` has passed without one.
    pub async fn wait_for(&self, to: &str, timeout: Duration) -> Option<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Created before the check, so a mail stored in between still wakes us.
            let notified = self.shared.notify.notified();
            {
                let mut st = self.shared.lock();
                let next = st
                    .mails
                    .iter_mut()
                    .find(|(m, taken)| !*taken && m.is_for(to));
                if let Some((mail, taken)) = next {
                    *taken = true;
                    return Some(mail.clone());
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }

    /// The first untaken mail for `to` with this subject, waiting up to `timeout`; marks it
    /// taken. Other mails for `to` stay untaken.
    pub async fn wait_for_subject(
        &self,
        to: &str,
        subject: &str,
        timeout: Duration,
    ) -> Option<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.notify.notified();
            {
                let mut st = self.shared.lock();
                let next = st
                    .mails
                    .iter_mut()
                    .find(|(m, taken)| !*taken && m.is_for(to) && m.subject == subject);
                if let Some((mail, taken)) = next {
                    *taken = true;
                    return Some(mail.clone());
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }

    /// Every mail for `to` (case-insensitive), taken or not.
    pub fn all_for(&self, to: &str) -> Vec<ReceivedMail> {
        self.matching(|m| m.is_for(to))
    }

    fn matching(&self, keep: impl Fn(&ReceivedMail) -> bool) -> Vec<ReceivedMail> {
        let st = self.shared.lock();
        st.mails
            .iter()
            .map(|(m, _)| m)
            .filter(|m| keep(m))
            .cloned()
            .collect()
    }

    /// While true, `MAIL FROM` is answered `451 4.3.0 temporarily unavailable`.
    pub fn set_failing(&self, failing: bool) {
        self.shared.lock().failing = failing;
    }

    /// Messages accepted so far (DATA answered 250).
    pub fn accepted_count(&self) -> usize {
        self.shared.lock().mails.len()
    }

    /// `MAIL FROM` commands refused with 451 while failing.
    pub fn rejected_attempts(&self) -> usize {
        self.shared.lock().rejected
    }
}

/// One accepted message.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// DATA as received (CRLF kept), dot-unstuffed, without the terminating `CRLF . CRLF`.
    pub raw: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

impl ReceivedMail {
    fn parse(mail_from: String, rcpt_to: Vec<String>, raw: String) -> ReceivedMail {
        let norm = raw.replace("\r\n", "\n");
        let (head, body) = split_head_body(&norm);
        let headers = parse_headers(head);
        let mut leaves = Vec::new();
        collect_leaves(&headers, body, 0, &mut leaves);
        let first = |mime: &str| {
            leaves
                .iter()
                .find(|(m, _)| m == mime)
                .map(|(_, b)| b.clone())
        };
        let (text, html) = (first("text/plain").unwrap_or_default(), first("text/html"));
        let subject = find_header(&headers, "Subject").map(|s| decode_words(&s));
        let subject = subject.unwrap_or_default();
        ReceivedMail {
            mail_from,
            rcpt_to,
            raw,
            subject,
            text,
            html,
        }
    }

    fn is_for(&self, to: &str) -> bool {
        self.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(to))
    }

    /// The first URL in `text` starting with `prefix`. It ends at whitespace, `<`, `>`,
    /// `"` or `'`; trailing sentence punctuation (`.,;:!?)`) is dropped.
    pub fn link_starting_with(&self, prefix: &str) -> Option<String> {
        let rest = &self.text[self.text.find(prefix)?..];
        let end = rest.find(|c: char| c.is_whitespace() || "<>\"'".contains(c));
        let link =
            rest[..end.unwrap_or(rest.len())].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        Some(link.to_string())
    }

    /// The (percent-decoded) `token` query parameter of the first link starting with `prefix`.
    pub fn token_from_link(&self, prefix: &str) -> Option<String> {
        let link = self.link_starting_with(prefix)?;
        let query = link.split_once('?')?.1.split('#').next().unwrap_or("");
        let value = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("token="))?;
        Some(String::from_utf8_lossy(&unescape(value, b'%', false)).into_owned())
    }

    /// A header value: case-insensitive name, unfolded, trimmed, RFC 2047 words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let norm = self.raw.replace("\r\n", "\n");
        find_header(&parse_headers(split_head_body(&norm).0), name).map(|v| decode_words(&v))
    }
}

async fn serve(stream: TcpStream, shared: Arc<Shared>) -> io::Result<()> {
    let (rd, mut wr) = stream.into_split();
    let mut rd = BufReader::new(rd);
    reply(&mut wr, "220 kindred-smtp-sink ESMTP ready").await?;
    let (mut from, mut rcpts): (Option<String>, Vec<String>) = (None, Vec::new());
    while let Some(line) = read_line(&mut rd).await? {
        let line = String::from_utf8_lossy(strip_eol(&line)).into_owned();
        let upper = line.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or("");
        let resp = match verb {
            "EHLO" | "HELO" | "RSET" => {
                (from, rcpts) = (None, Vec::new());
                match verb {
                    "EHLO" => EHLO,
                    "HELO" => "250 kindred-smtp-sink",
                    _ => "250 2.0.0 OK",
                }
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => {
                rcpts.clear();
                let mut st = shared.lock();
                st.rejected += usize::from(st.failing);
                from = (!st.failing).then(|| envelope_addr(line.get(10..).unwrap_or("")));
                if st.failing {
                    "451 4.3.0 temporarily unavailable"
                } else {
                    "250 2.1.0 OK"
                }
            }
            "RCPT" if upper.starts_with("RCPT TO:") => match from {
                None => "503 5.5.1 need MAIL first",
                Some(_) if rcpts.len() >= 1000 => "452 4.5.3 too many recipients",
                Some(_) => {
                    rcpts.push(envelope_addr(line.get(8..).unwrap_or("")));
                    "250 2.1.5 OK"
                }
            },
            "MAIL" | "RCPT" => "501 5.5.4 syntax error",
            "DATA" if from.is_none() || rcpts.is_empty() => "503 5.5.1 need MAIL and RCPT first",
            "DATA" => {
                reply(&mut wr, "354 end data with <CR><LF>.<CR><LF>").await?;
                let Some(data) = read_data(&mut rd).await? else {
                    return Ok(()); // disconnected mid-DATA: nothing is stored
                };
                let (mail_from, rcpt_to) =
                    (from.take().unwrap_or_default(), std::mem::take(&mut rcpts));
                match data {
                    None => "552 5.3.4 message too big",
                    Some(data) => {
                        let raw = String::from_utf8_lossy(&data).into_owned();
                        let mail = ReceivedMail::parse(mail_from, rcpt_to, raw);
                        shared.lock().mails.push((mail, false));
                        shared.notify.notify_waiters();
                        "250 2.0.0 OK queued"
                    }
                }
            }
            "NOOP" => "250 2.0.0 OK",
            "QUIT" => {
                reply(&mut wr, "221 2.0.0 bye").await?;
                return wr.shutdown().await;
            }
            "" => "500 5.5.2 empty command",
            _ => "502 5.5.2 command not implemented",
        };
        reply(&mut wr, resp).await?;
    }
    Ok(())
}

/// Reads DATA through the lone "." line: `None` on EOF, `Some(None)` if over MAX_MESSAGE.
async fn read_data<R: AsyncBufRead + Unpin>(rd: &mut R) -> io::Result<Option<Option<Vec<u8>>>> {
    let mut data = Some(Vec::new());
    while let Some(line) = read_line(rd).await? {
        if strip_eol(&line) == b"." {
            // The CRLF before "." belongs to the terminator (lettre appends "\r\n.\r\n").
            return Ok(Some(data.map(|d| strip_eol(&d).to_vec())));
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        data = data.filter(|d| d.len() + unstuffed.len() <= MAX_MESSAGE);
        if let Some(d) = data.as_mut() {
            d.extend_from_slice(unstuffed);
        }
    }
    Ok(None)
}

/// One line with its terminator; `None` at EOF; an error when idle too long or overlong.
async fn read_line<R: AsyncBufRead + Unpin>(rd: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let mut limited = (&mut *rd).take(MAX_LINE);
    let read = limited.read_until(b'\n', &mut line);
    let n = tokio::time::timeout(IDLE, read)
        .await
        .map_err(io::Error::other)??;
    if !line.ends_with(b"\n") && n as u64 >= MAX_LINE {
        return Err(io::Error::other("smtp line too long"));
    }
    Ok((n > 0).then_some(line))
}

async fn reply(wr: &mut OwnedWriteHalf, line: &str) -> io::Result<()> {
    wr.write_all(format!("{line}\r\n").as_bytes()).await?;
    wr.flush().await
}

fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `<addr> PARAMS` (or a bare address) → `addr`.
fn envelope_addr(arg: &str) -> String {
    let arg = arg.trim_start();
    match (arg.find('<'), arg.find('>')) {
        (Some(s), Some(e)) if s < e => arg[s + 1..e].trim().to_string(),
        _ => arg.split_whitespace().next().unwrap_or("").to_string(),
    }
}

/// Splits an LF-normalised message or part at the first empty line.
fn split_head_body(s: &str) -> (&str, &str) {
    match s.strip_prefix('\n') {
        Some(body) => ("", body),
        None => s.split_once("\n\n").unwrap_or((s, "")),
    }
}

/// Headers as (name, unfolded trimmed value), in order.
fn parse_headers(head: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        let folded = line.starts_with([' ', '\t']);
        match (folded, out.last_mut(), line.split_once(':')) {
            (true, Some(last), _) => last.1.push_str(line),
            (false, _, Some((name, value))) => out.push((name.trim().into(), value.into())),
            _ => {}
        }
    }
    out.into_iter()
        .map(|(n, v)| (n, v.trim().to_string()))
        .collect()
}

fn find_header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// Appends (lower-case mime type, decoded text) for each leaf part, descending multiparts.
fn collect_leaves(
    headers: &[(String, String)],
    body: &str,
    depth: usize,
    out: &mut Vec<(String, String)>,
) {
    let ctype = find_header(headers, "Content-Type").unwrap_or_else(|| "text/plain".into());
    let (mime, params) = ctype.split_once(';').unwrap_or((&ctype, ""));
    let mime = mime.trim().to_ascii_lowercase();
    let boundary = params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        let v = v.trim().trim_matches('"').to_string();
        k.trim().eq_ignore_ascii_case("boundary").then_some(v)
    });
    if let (true, Some(boundary)) = (mime.starts_with("multipart/") && depth < 8, boundary) {
        // Each delimiter is "\n--boundary" (its leading newline belongs to it).
        let body = format!("\n{body}");
        for part in body.split(&format!("\n--{boundary}")).skip(1) {
            if part.starts_with("--") {
                break;
            }
            let (head, content) = split_head_body(part.split_once('\n').map_or("", |(_, p)| p));
            collect_leaves(&parse_headers(head), content, depth + 1, out);
        }
        return;
    }
    let cte = find_header(headers, "Content-Transfer-Encoding").unwrap_or_default();
    let bytes = match cte.to_ascii_lowercase().as_str() {
        "base64" => b64_decode(body).unwrap_or_else(|| body.as_bytes().to_vec()),
        "quoted-printable" => unescape(body, b'=', false),
        _ => body.as_bytes().to_vec(),
    };
    out.push((mime, String::from_utf8_lossy(&bytes).replace("\r\n", "\n")));
}

fn b64_decode(s: &str) -> Option<Vec<u8>> {
    STANDARD
        .decode(s.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .ok()
}

/// Decodes `esc`+two hex digits (`=` quoted-printable, `%` URLs), drops soft line breaks
/// (`esc` at end of line) and, for RFC 2047 Q words, reads `_` as a space.
fn unescape(s: &str, esc: u8, underscore_space: bool) -> Vec<u8> {
    let b = s.as_bytes();
    let hex = |j: usize| b.get(j).and_then(|c| char::from(*c).to_digit(16));
    let (mut out, mut i) = (Vec::with_capacity(b.len()), 0);
    while i < b.len() {
        let (byte, used) = match b[i] {
            c if c == esc && b[i + 1..].starts_with(b"\n") => (None, 2),
            c if c == esc && b[i + 1..].starts_with(b"\r\n") => (None, 3),
            c if c == esc => match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => (u8::try_from(h * 16 + l).ok(), 3),
                _ => (Some(c), 1),
            },
            b'_' if underscore_space => (Some(b' '), 1),
            c => (Some(c), 1),
        };
        out.extend(byte);
        i += used;
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?charset?B|Q?text?=`, charset taken as UTF-8).
/// Whitespace between adjacent encoded words is dropped and their bytes are joined.
fn decode_words(s: &str) -> String {
    let (mut out, mut pending, mut rest, mut after_word) = (String::new(), Vec::new(), s, false);
    while let Some(start) = rest.find("=?") {
        let (before, word) = rest.split_at(start);
        let decoded = decode_word(word);
        if decoded.is_none() || !after_word || !before.trim().is_empty() {
            out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut pending)));
            out.push_str(before);
        }
        after_word = decoded.is_some();
        rest = match decoded {
            Some((bytes, used)) => {
                pending.extend(bytes);
                &word[used..]
            }
            None => {
                out.push_str("=?");
                &word[2..]
            }
        };
    }
    out.push_str(&String::from_utf8_lossy(&pending));
    out + rest
}

/// `word` starts with "=?"; returns the decoded bytes and the length consumed.
fn decode_word(word: &str) -> Option<(Vec<u8>, usize)> {
    let inner = &word[2..];
    let q = inner.find('?')?;
    if inner.as_bytes().get(q + 2) != Some(&b'?') {
        return None; // also guarantees inner[q + 1] is a single ASCII byte
    }
    let end = q + 3 + inner[q + 3..].find("?=")?;
    let bytes = match inner.as_bytes()[q + 1].to_ascii_uppercase() {
        b'B' => b64_decode(&inner[q + 3..end])?,
        b'Q' => unescape(&inner[q + 3..end], b'=', true),
        _ => return None,
    };
    Some((bytes, end + 4))
}
