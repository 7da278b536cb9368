//! The batch transaction: membership, idempotency, seq reservation, insert, holds, crisis
//! flags and alerts, for every send of one batch.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use crate::db::messages::{self, MessageRow, NewMessage};
use crate::db::{DbConn, room_sanctions, users};
use crate::error::AppError;
use crate::moderation::alerts::{AlertDesk, Targets};
use crate::moderation::holds::notices::Notice;
use crate::rooms::holding::{self, Screen};
use crate::rooms::send::{Refusal, sanction_refusal};
use crate::safety::crisis::Detection;

/// What happened to one send in a batch.
#[derive(Debug)]
pub(super) enum Outcome {
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
pub(super) struct Item {
    pub(super) id: String,
    pub(super) room_id: String,
    pub(super) sender_id: String,
    pub(super) client_id: String,
    pub(super) body: String,
    pub(super) detection: Option<Detection>,
    pub(super) screen: Screen,
}

/// Stores a batch in the caller's transaction.
pub(super) fn store(
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
