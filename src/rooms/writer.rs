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
//!
//! The writer gets only what it uses ([`Deps`] and the hub), never the whole `AppState`. Its
//! queries live in `db::messages`, `db::rooms` and `db::users`; a crisis flag, its alert and
//! the moderators' emails are `moderation::alerts`, run inside the batch transaction; after
//! the commit the writer acks, fans out and signposts (`signpost`).
//!
//! Holds (`moderation::holds`; the writer's part is `holding`): a held send is stored at a
//! placeholder seq outside the timeline, acked `held: true` with a `notice`, not fanned out,
//! and flagged and signposted as usual; a `warn`ed one is delivered with a `notice`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use tokio::sync::{Notify, mpsc, watch};

use super::holding::{self, Screen};
use super::hub::{Hub, Out, RoomEvent};
use super::protocol::{self, MessageView, ServerFrame};
use super::send::{Refusal, Reply, SendCmd, Stored, refuse, sanction_refusal};
use crate::clock::SharedClock;
use crate::config::PersonalInfoPolicy;
use crate::db::messages::{self, MessageRow, NewMessage};
use crate::db::{Db, DbConn, room_sanctions, users, write_tx};
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::moderation::alerts::{AlertDesk, Targets};
use crate::moderation::holds::notices::Notice;
use crate::safety::crisis::{CrisisDetector, Detection};
use crate::safety::signposting;

/// What the writer needs besides the hub.
#[derive(Clone)]
pub struct Deps {
    pub db: Db,
    pub clock: SharedClock,
    pub metrics: Arc<Metrics>,
    pub crisis: Arc<CrisisDetector>,
    /// Poked after a batch that queued alert emails.
    pub mail_wakeup: Arc<Notify>,
    /// For the links in alert emails.
    pub public_url: String,
    /// Response targets: an alert's due time.
    pub alert_targets: Targets,
    /// Warn about or hold messages with personal information.
    pub personal_info: PersonalInfoPolicy,
}

/// The running writer: its deps and the hub it answers and fans out through.
struct Writer {
    deps: Deps,
    hub: Arc<Hub>,
}

/// Most sends stored in one transaction.
pub const MAX_BATCH: usize = 512;
/// What happened to one send in a batch.
#[derive(Debug)]
enum Outcome {
    /// A crisis flag's alert, the writer's notice, and whether it is held (not fanned out).
    New(
        MessageRow,
        Option<(Detection, String)>,
        Option<Notice>,
        bool,
    ),
    /// A resend; with a notice when the message is held (or was rejected).
    Replay(MessageRow, Option<Notice>),
    NotAMember,
    /// A member a moderator muted, or whose account is suspended.
    Sanctioned(Refusal),
}

/// The parts of a send the transaction needs (the reply stays outside).
struct Item {
    id: String,
    room_id: String,
    sender_id: String,
    client_id: String,
    body: String,
    detection: Option<Detection>,
    screen: Screen,
}

/// Runs until shutdown, then stores what is already queued and stops.
pub async fn run(
    deps: Deps,
    hub: Arc<Hub>,
    mut rx: mpsc::Receiver<SendCmd>,
    mut shutdown: watch::Receiver<bool>,
) {
    let w = Writer { deps, hub };
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
        w.process(batch).await;
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
        w.process(batch).await;
    }
}

impl Writer {
    async fn process(&self, batch: Vec<SendCmd>) {
        let d = &self.deps;
        let now = d.clock.now_naive();
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
                screen: Screen::Deliver(None),
            });
            replies.push(cmd.reply);
        }
        let started = std::time::Instant::now();
        let public_url = d.public_url.clone();
        let targets = d.alert_targets;
        let detector = d.crisis.clone();
        let policy = d.personal_info;
        let outcomes: Vec<Result<Outcome, AppError>> = d
            .db
            .run(move |c| {
                // The detector is CPU work: it runs here on the blocking pool, not the runtime.
                for it in &mut items {
                    it.detection = detector.detect(&it.body);
                    it.screen = holding::screen(it.detection.as_ref(), &it.body, policy);
                }
                let version = detector.version();
                let r = write_tx(c, |c| store(c, &items, now, version, &public_url, targets));
                Ok(match r {
                    Ok(o) => o.into_iter().map(Ok).collect(),
                    Err(e) => {
                        tracing::warn!(error = %e, batch = items.len(), "message batch failed; storing one by one");
                        items
                            .iter()
                            .map(|it| {
                                write_tx(c, |c| {
                                    store(c, std::slice::from_ref(it), now, version, &public_url, targets)
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
        d.metrics.observe_message_batch(n, started.elapsed());
        let mut outcomes = outcomes.into_iter();
        let mut any_alert = false;
        for (reply, (room, client_id)) in replies.into_iter().zip(keys) {
            let outcome = match outcomes.next() {
                Some(Ok(o)) => Ok(o),
                Some(Err(e)) => {
                    tracing::error!(error = %e, "a message could not be stored");
                    Err(Refusal::Unavailable)
                }
                None => Err(Refusal::Unavailable),
            };
            match outcome {
                Ok(Outcome::New(row, flag, notice, held)) => {
                    let view = MessageView::from(row);
                    self.respond(reply, &view, false, held, notice.clone());
                    if let Some(n) = &notice {
                        self.hub
                            .to_user(&view.sender.id, &holding::notice_frame(&view, n));
                    }
                    if !held {
                        self.hub.publish(RoomEvent {
                            room_id: view.room_id.clone(),
                            seq: Some(view.seq),
                            from: Some(view.sender.id.clone()),
                            echo: true,
                            frame: protocol::message_frame(&view),
                        });
                    }
                    if let Some((det, alert_id)) = flag {
                        any_alert = true;
                        d.metrics.crisis_flag();
                        self.signpost(&view, &det, &alert_id);
                    }
                }
                Ok(Outcome::Replay(row, n)) => {
                    let held = n.is_some();
                    self.respond(reply, &MessageView::from(row), true, held, n)
                }
                Ok(Outcome::NotAMember) => {
                    refuse(&self.hub, reply, Refusal::NotAMember, &room, &client_id)
                }
                Ok(Outcome::Sanctioned(why)) => refuse(&self.hub, reply, why, &room, &client_id),
                Err(why) => refuse(&self.hub, reply, why, &room, &client_id),
            }
        }
        if any_alert {
            d.mail_wakeup.notify_one();
        }
    }

    fn respond(
        &self,
        reply: Reply,
        view: &MessageView,
        replayed: bool,
        held: bool,
        notice: Option<Notice>,
    ) {
        match reply {
            Reply::Http(tx) => {
                let _ = tx.send(Ok(Stored {
                    view: view.clone(),
                    replayed,
                    held,
                    notice,
                }));
            }
            Reply::Conn(conn) => self.hub.to_conn(
                conn,
                Out::Frame(
                    ServerFrame::Ack {
                        client_id: &view.client_id,
                        id: &view.id,
                        seq: (!held).then_some(view.seq),
                        room_id: &view.room_id,
                        created_at: &view.created_at,
                        held,
                    }
                    .encode(),
                ),
            ),
        }
    }

    /// After the commit: the writer sees signposting at once (every connection of theirs);
    /// online moderators get the alert. Nothing goes to other members.
    fn signpost(&self, view: &MessageView, d: &Detection, alert_id: &str) {
        let resources = signposting::resources(signposting::Region::England);
        let frame = ServerFrame::Safety {
            room_id: &view.room_id,
            message_id: &view.id,
            resources: &resources,
            notice: signposting::NOTICE,
        }
        .encode();
        self.hub.to_user(&view.sender.id, &frame);
        let alert = ServerFrame::SafetyAlert {
            alert_id,
            kind: "crisis",
            room_id: &view.room_id,
            message_id: Some(&view.id),
            severity: d.severity.as_str(),
            created_at: &view.created_at,
        }
        .encode();
        let moderators = self.hub.to_moderators(&alert);
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
}

/// Stores a batch in the caller's transaction.
fn store(
    c: &mut DbConn,
    items: &[Item],
    now: NaiveDateTime,
    rules_version: &str,
    public_url: &str,
    targets: Targets,
) -> Result<Vec<Outcome>, AppError> {
    let mut out: Vec<Outcome> = Vec::with_capacity(items.len());
    // (room, sender) → room role, mute and suspension if a current member of an open room.
    let mut members: HashMap<(&str, &str), Option<room_sanctions::SendGate>> = HashMap::new();
    let mut names: HashMap<&str, String> = HashMap::new();
    // (room, sender, client id) → index of its first outcome in this batch.
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let mut alerts = AlertDesk::new(rules_version, public_url, targets);
    for it in items {
        let key = (
            it.room_id.as_str(),
            it.sender_id.as_str(),
            it.client_id.as_str(),
        );
        if let Some(&first) = seen.get(&key) {
            let again = match &out[first] {
                Outcome::New(row, _, n, true) | Outcome::Replay(row, n) => {
                    Outcome::Replay(row.clone(), n.clone())
                }
                Outcome::New(row, ..) => Outcome::Replay(row.clone(), None),
                Outcome::NotAMember => Outcome::NotAMember,
                Outcome::Sanctioned(r) => Outcome::Sanctioned(*r),
            };
            out.push(again);
            continue;
        }
        seen.insert(key, out.len());
        let mkey = (it.room_id.as_str(), it.sender_id.as_str());
        if let std::collections::hash_map::Entry::Vacant(slot) = members.entry(mkey) {
            slot.insert(room_sanctions::send_gate(c, &it.room_id, &it.sender_id)?);
        }
        let Some(gate) = members.get(&mkey).and_then(Option::as_ref) else {
            out.push(Outcome::NotAMember);
            continue;
        };
        if let Some(r) = sanction_refusal(gate.muted_until, gate.suspended_until, now) {
            out.push(Outcome::Sanctioned(r));
            continue;
        }
        let role = gate.room_role.clone();
        if let Some(row) =
            messages::find_by_client_id(c, &it.room_id, &it.sender_id, &it.client_id)?
        {
            // Below 1: held or rejected, never in the timeline (`moderation::holds`).
            let held = (row.seq < 1)
                .then(|| holding::replay_notice(c, &row.id))
                .transpose()?;
            out.push(Outcome::Replay(row, held));
            continue;
        }
        if !names.contains_key(it.sender_id.as_str()) {
            let name = users::display_name(c, &it.sender_id)?;
            names.insert(it.sender_id.as_str(), name);
        }
        let (seq, after) = match &it.screen {
            Screen::Hold(_) => holding::placeholder(c, &it.room_id)?,
            Screen::Deliver(_) => (messages::reserve_seqs(c, &it.room_id, 1)?, 0),
        };
        let row = messages::insert_returning(
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
            names.get(it.sender_id.as_str()).map_or("", String::as_str),
            &role,
        )?;
        let flag = match &it.detection {
            Some(d) => Some((d.clone(), alerts.raise(c, &it.id, &it.room_id, d, now)?)),
            None => None,
        };
        out.push(match &it.screen {
            Screen::Hold(category) => {
                let notice = holding::mark_held(c, &it.id, category, after)?;
                Outcome::New(row, flag, Some(notice), true)
            }
            Screen::Deliver(notice) => Outcome::New(row, flag, notice.clone(), false),
        });
    }
    Ok(out)
}
