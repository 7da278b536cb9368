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

use std::sync::Arc;

use tokio::sync::{Notify, mpsc, watch};

mod store;

use store::{Item, Outcome, store};

use super::holding::{self, Screen};
use super::hub::{Hub, Out, RoomEvent};
use super::protocol::{self, MessageView, ServerFrame};
use super::send::{Refusal, Reply, SendCmd, Stored, refuse};
use crate::clock::SharedClock;
use crate::config::PersonalInfoPolicy;
use crate::db::{Db, write_tx};
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::moderation::alerts::Targets;
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
