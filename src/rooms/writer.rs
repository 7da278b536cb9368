//! The message writer: group commit.
//!
//! One durable commit per message caps SQLite at a few hundred messages a second on an
//! ordinary disk (each commit waits for an fsync). The writer is one task per instance that
//! takes every send waiting in its queue (up to [`MAX_BATCH`]), stores the whole batch in one
//! transaction — membership check, idempotency check, seq reservation, insert, crisis flag
//! and alert — commits once, and only then acks each sender and fans the batch out in seq
//! order. The more senders, the bigger the batches, so throughput grows with load while
//! each message still waits for at most one commit plus the one before it.
//!
//! Durability: an ack is sent only after `COMMIT` returned. SQLite runs in WAL mode with
//! `synchronous=FULL`, which fsyncs the WAL at every commit, so an acked message survives
//! power loss (NORMAL would only survive a process crash). PostgreSQL runs with
//! `synchronous_commit=on`, which waits for the WAL flush.
//!
//! If a batch fails as a whole (a database error, or on PostgreSQL a unique violation raced
//! by another instance), each of its sends is retried alone, so one bad send never fails the
//! others. Every outcome is answered: an ack or replay, `not_a_member`, or `unavailable`
//! (resend with the same client id; the idempotency key makes that safe).

use std::collections::HashMap;

use bytestring::ByteString;
use chrono::NaiveDateTime;
use tokio::sync::{mpsc, oneshot, watch};

use super::hub::{ConnId, Out, RoomEvent};
use super::protocol::{self, MessageView, ServerFrame};
use crate::db::messages::{self, MessageRow, NewFlag, NewMessage};
use crate::db::schema::{room_members, rooms, users};
use crate::db::{DbConn, write_tx};
use crate::email::{self, templates};
use crate::error::AppError;
use crate::safety::crisis::Detection;
use crate::safety::signposting;
use crate::state::AppState;

/// Most sends stored in one transaction.
pub const MAX_BATCH: usize = 512;
/// Sends that may wait for the writer before new ones are refused as `unavailable`.
pub const QUEUE: usize = 16_384;

/// Where the outcome of a send goes.
#[derive(Debug)]
pub enum Reply {
    /// A websocket connection: `ack` or `error` frames through the hub.
    Conn(ConnId),
    /// An HTTP request waiting for the outcome.
    Http(oneshot::Sender<Result<Stored, SendError>>),
}

#[derive(Debug)]
pub struct SendCmd {
    pub room_id: String,
    pub sender_id: String,
    pub client_id: String,
    /// Already validated and trimmed.
    pub body: String,
    pub reply: Reply,
}

#[derive(Debug, Clone)]
pub struct Stored {
    pub view: MessageView,
    /// True when the client id had been used before: this is the original message.
    pub replayed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    NotAMember,
    Unavailable,
}

/// The handle handlers use.
#[derive(Clone)]
pub struct MessageWriter {
    tx: mpsc::Sender<SendCmd>,
}

impl MessageWriter {
    pub fn channel() -> (MessageWriter, mpsc::Receiver<SendCmd>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (MessageWriter { tx }, rx)
    }

    /// Queues a send without waiting; gives it back if the writer is saturated or stopped.
    pub fn submit(&self, cmd: SendCmd) -> Result<(), SendCmd> {
        self.tx.try_send(cmd).map_err(|e| match e {
            mpsc::error::TrySendError::Full(c) | mpsc::error::TrySendError::Closed(c) => c,
        })
    }
}

/// Tells a sender their send could not be taken.
pub fn answer_error(state: &AppState, cmd: SendCmd, err: SendError) {
    reply_error(state, cmd.reply, err, &cmd.room_id, &cmd.client_id);
}

fn error_frame(err: SendError, room: &str, client_id: &str) -> ByteString {
    match err {
        SendError::NotAMember => protocol::error(
            "not_a_member",
            "You are not a member of this room.",
            Some(room),
            Some(client_id),
            None,
        ),
        SendError::Unavailable => protocol::error(
            "unavailable",
            "The message could not be stored just now; resend it with the same client_id.",
            Some(room),
            Some(client_id),
            None,
        ),
    }
}

/// What happened to one send in a batch.
#[derive(Debug)]
enum Outcome {
    New(MessageRow, Option<(Detection, String)>),
    Replay(MessageRow),
    NotAMember,
}

/// The parts of a send the transaction needs (the reply stays outside).
struct Item {
    id: String,
    room_id: String,
    sender_id: String,
    client_id: String,
    body: String,
    detection: Option<Detection>,
}

/// Runs until shutdown, then stores what is already queued and stops.
pub async fn run(
    state: AppState,
    mut rx: mpsc::Receiver<SendCmd>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let first = tokio::select! {
            biased;
            cmd = rx.recv() => cmd,
            _ = shutdown.changed() => None,
        };
        let Some(first) = first else {
            break;
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(c) => batch.push(c),
                Err(_) => break,
            }
        }
        process(&state, batch).await;
    }
    // Drain: everything already accepted is stored and answered before the writer stops.
    rx.close();
    let mut rest = Vec::new();
    while let Ok(c) = rx.try_recv() {
        rest.push(c);
    }
    while !rest.is_empty() {
        let n = rest.len().min(MAX_BATCH);
        let batch: Vec<SendCmd> = rest.drain(..n).collect();
        process(&state, batch).await;
    }
}

async fn process(state: &AppState, batch: Vec<SendCmd>) {
    let now = state.clock.now_naive();
    let n = batch.len();
    let mut items = Vec::with_capacity(n);
    let mut replies = Vec::with_capacity(n);
    // (room, client id) of each send, for error frames whatever happens to the batch.
    let mut keys = Vec::with_capacity(n);
    for cmd in batch {
        keys.push((cmd.room_id.clone(), cmd.client_id.clone()));
        items.push(Item {
            id: crate::domain::ids::new_id(),
            room_id: cmd.room_id,
            sender_id: cmd.sender_id,
            client_id: cmd.client_id,
            body: cmd.body,
            detection: None,
        });
        replies.push(cmd.reply);
    }
    let started = std::time::Instant::now();
    let public_url = state.settings.public_url.clone();
    let detector = state.crisis.clone();
    let outcomes: Vec<Result<Outcome, AppError>> = state
        .db
        .run(move |c| {
            // The detector is CPU work: it runs here on the blocking pool, not on the runtime.
            for it in &mut items {
                it.detection = detector.detect(&it.body);
            }
            let version = detector.version();
            let r = write_tx(c, |c| store(c, &items, now, version, &public_url));
            Ok(match r {
                Ok(o) => o.into_iter().map(Ok).collect(),
                Err(e) => {
                    tracing::warn!(error = %e, batch = items.len(), "message batch failed; storing one by one");
                    items
                        .iter()
                        .map(|it| {
                            write_tx(c, |c| {
                                store(c, std::slice::from_ref(it), now, version, &public_url)
                            })
                            .map(|mut v| v.remove(0))
                        })
                        .collect()
                }
            })
        })
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "message writer could not reach the database");
            Vec::new()
        });
    state.metrics.observe_message_batch(n, started.elapsed());
    let mut outcomes = outcomes.into_iter();
    let mut any_alert = false;
    for (reply, (room, client_id)) in replies.into_iter().zip(keys) {
        let outcome = match outcomes.next() {
            Some(Ok(o)) => Ok(o),
            Some(Err(e)) => {
                tracing::error!(error = %e, "a message could not be stored");
                Err(SendError::Unavailable)
            }
            None => Err(SendError::Unavailable),
        };
        match outcome {
            Ok(Outcome::New(row, flag)) => {
                let view = MessageView::from(row);
                respond(state, reply, &view, false);
                state.hub.publish(RoomEvent {
                    room_id: view.room_id.clone(),
                    seq: Some(view.seq),
                    from: Some(view.sender.id.clone()),
                    echo: true,
                    frame: protocol::message_frame(&view),
                });
                if let Some((d, alert_id)) = flag {
                    any_alert = true;
                    state.metrics.crisis_flag();
                    signpost(state, &view, &d, &alert_id);
                }
            }
            Ok(Outcome::Replay(row)) => respond(state, reply, &MessageView::from(row), true),
            Ok(Outcome::NotAMember) => {
                reply_error(state, reply, SendError::NotAMember, &room, &client_id)
            }
            Err(e) => reply_error(state, reply, e, &room, &client_id),
        }
    }
    if any_alert {
        state.mail_wakeup.notify_one();
    }
}

fn respond(state: &AppState, reply: Reply, view: &MessageView, replayed: bool) {
    match reply {
        Reply::Http(tx) => {
            let _ = tx.send(Ok(Stored {
                view: view.clone(),
                replayed,
            }));
        }
        Reply::Conn(conn) => state.hub.to_conn(
            conn,
            Out::Frame(
                ServerFrame::Ack {
                    client_id: &view.client_id,
                    id: &view.id,
                    seq: view.seq,
                    room_id: &view.room_id,
                    created_at: &view.created_at,
                }
                .encode(),
            ),
        ),
    }
}

fn reply_error(state: &AppState, reply: Reply, err: SendError, room: &str, client_id: &str) {
    match reply {
        Reply::Http(tx) => {
            let _ = tx.send(Err(err));
        }
        Reply::Conn(conn) => state
            .hub
            .to_conn(conn, Out::Frame(error_frame(err, room, client_id))),
    }
}

/// The writer sees signposting at once (every connection of theirs); online moderators get
/// the alert. Nothing goes to other members.
fn signpost(state: &AppState, view: &MessageView, d: &Detection, alert_id: &str) {
    let resources = signposting::resources(signposting::Region::England);
    let frame = ServerFrame::Safety {
        room_id: &view.room_id,
        message_id: &view.id,
        resources: &resources,
        notice: signposting::NOTICE,
    }
    .encode();
    state.hub.to_user(&view.sender.id, &frame);
    let alert = ServerFrame::SafetyAlert {
        alert_id,
        room_id: &view.room_id,
        message_id: &view.id,
        severity: d.severity.as_str(),
        created_at: &view.created_at,
    }
    .encode();
    let moderators = state.hub.to_moderators(&alert);
    tracing::warn!(
        event = "crisis_flag",
        alert_id,
        room_id = %view.room_id,
        message_id = %view.id,
        rule_id = %d.rule_id,
        severity = d.severity.as_str(),
        moderators_online = moderators,
        "crisis language flagged; writer signposted, moderators alerted"
    );
}

/// Stores a batch in the caller's transaction.
fn store(
    c: &mut DbConn,
    items: &[Item],
    now: NaiveDateTime,
    rules_version: &str,
    public_url: &str,
) -> Result<Vec<Outcome>, AppError> {
    use diesel::prelude::*;

    let mut out: Vec<Outcome> = Vec::with_capacity(items.len());
    // (room, sender) → room role if a current member of an open room.
    let mut members: HashMap<(&str, &str), Option<String>> = HashMap::new();
    let mut names: HashMap<&str, String> = HashMap::new();
    // (room, sender, client id) → index of its first outcome in this batch.
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let mut moderators: Option<Vec<(String, String)>> = None;
    for it in items {
        let key = (
            it.room_id.as_str(),
            it.sender_id.as_str(),
            it.client_id.as_str(),
        );
        if let Some(&first) = seen.get(&key) {
            let again = match &out[first] {
                Outcome::New(row, _) | Outcome::Replay(row) => Outcome::Replay(row.clone()),
                Outcome::NotAMember => Outcome::NotAMember,
            };
            out.push(again);
            continue;
        }
        seen.insert(key, out.len());
        let mkey = (it.room_id.as_str(), it.sender_id.as_str());
        if let std::collections::hash_map::Entry::Vacant(slot) = members.entry(mkey) {
            let role: Option<String> = room_members::table
                .inner_join(rooms::table)
                .filter(room_members::room_id.eq(&it.room_id))
                .filter(room_members::user_id.eq(&it.sender_id))
                .filter(room_members::left_at.is_null())
                .filter(rooms::ended_at.is_null())
                .select(room_members::room_role)
                .first(c)
                .optional()?;
            slot.insert(role);
        }
        let Some(role) = members.get(&mkey).cloned().flatten() else {
            out.push(Outcome::NotAMember);
            continue;
        };
        if let Some(row) =
            messages::find_by_client_id(c, &it.room_id, &it.sender_id, &it.client_id)?
        {
            out.push(Outcome::Replay(row));
            continue;
        }
        if !names.contains_key(it.sender_id.as_str()) {
            let name: String = users::table
                .find(&it.sender_id)
                .select(users::display_name)
                .first(c)?;
            names.insert(it.sender_id.as_str(), name);
        }
        let seq = messages::reserve_seqs(c, &it.room_id, 1)?;
        messages::insert(
            c,
            &NewMessage {
                id: &it.id,
                room_id: &it.room_id,
                seq,
                sender_id: &it.sender_id,
                client_id: &it.client_id,
                body: &it.body,
                created_at: now,
            },
        )?;
        let flag = match &it.detection {
            Some(d) => {
                let alert_id = crate::domain::ids::new_id();
                messages::insert_flag(
                    c,
                    &NewFlag {
                        flag_id: &crate::domain::ids::new_id(),
                        alert_id: &alert_id,
                        message_id: &it.id,
                        room_id: &it.room_id,
                        rule_id: &d.rule_id,
                        rules_version,
                        severity: d.severity.as_str(),
                        now,
                    },
                )?;
                // A human must hear of it even if no moderator is online: mail every
                // moderator, in this transaction, through the outbox.
                if moderators.is_none() {
                    moderators = Some(crate::db::users::moderator_addresses(c)?);
                }
                for (id, addr) in moderators.iter().flatten() {
                    let mail =
                        templates::safety_alert(addr, public_url, d.severity.as_str(), &alert_id);
                    email::enqueue(c, Some(id), &mail, now)?;
                }
                Some((d.clone(), alert_id))
            }
            None => None,
        };
        out.push(Outcome::New(
            MessageRow {
                id: it.id.clone(),
                room_id: it.room_id.clone(),
                seq,
                sender_id: it.sender_id.clone(),
                client_id: it.client_id.clone(),
                body: it.body.clone(),
                created_at: now,
                removed_at: None,
                sender_name: names
                    .get(it.sender_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                sender_room_role: Some(role),
            },
            flag,
        ));
    }
    Ok(out)
}
