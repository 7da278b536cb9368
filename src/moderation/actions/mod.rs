//! Moderation actions: hide and unhide a message, warn, mute and unmute in a room, remove
//! from a room, suspend, ban, reinstate; and the moderators' read of the audit log.
//!
//! Every action is one transaction: the state change, its `moderation_actions` row (with the
//! category when given: the sanction ladder counts it), its `audit_log` row and, where the
//! person is emailed, the outbox row. What open sockets must hear is returned as
//! [`Fact`]s and delivered after the commit. Who may act on whom is `moderation::policy`.
//!
//! Decisions where the issue is silent:
//! - The person actioned is always told: a `moderation_notice` frame on every connection
//!   (with the reason, the room, message and `until` where they apply, and the action id an
//!   appeal names), an email for the account-wide actions (warn, remove, suspend, ban,
//!   reinstate), and the list of actions against them in `GET /appeals/mine`, where an author
//!   who was offline finds why a message was hidden. Nobody is ever told who reported them.
//! - A hidden message keeps its row and body (a moderator never edits member text); members
//!   see it in its seq slot as `hidden: true` with an empty body. Moderators read it through
//!   the report or alert that led to it. Unhiding sends `message_restored`; clients re-read it.
//! - A removal from a pair or one-to-one room ends the room, as a leave does; a group goes on.
//!   The removed person is never matched again with anyone who was ever in that room
//!   (`declined_pairs`, which the matching pool reads); an overturned appeal restores the
//!   membership if the room is still open, and the exclusions stay (they never harm).
//! - A suspension is `users.suspended_until` (status stays active): sign-in, reading, export
//!   and appeals work; sends (`suspended`), match requests (`suspended`) and the matching
//!   pool refuse. Waiting requests stay and are matched again once it ends by itself.
//! - A ban is `status = banned`: every session revoked, every room left (pair and one-to-one
//!   rooms end), every socket closed with 1008 `account_banned`, sign-in refused
//!   (`account_banned`). The banned person cannot sign in to appeal; their email tells them to
//!   reply to it, and a moderator may reinstate.
//! - Unhide, unmute and reinstate are actions of their own (audited, with a reason) that
//!   mark the action they lift as reversed.
//! - Volunteers may hide and mute only in rooms they facilitate, and only members.

mod accounts;
pub mod audit_log;
mod messages;
pub mod reverse;
mod rooms;

pub use accounts::{SuspendRequest, WarnRequest, ban, reinstate, suspend, warn};
pub use messages::{HideRequest, ReasonRequest, hide, unhide};
pub use rooms::{MuteRequest, RoomReasonRequest, mute, remove, unmute};

use chrono::NaiveDateTime;
use serde::Serialize;

use super::policy::{self, Denial, Party};
use crate::auth::AuthUser;
use crate::db::moderation_actions::{self, ActionRow, NewAction};
use crate::db::users::{self, User};
use crate::db::{DbConn, audit, write_tx};
use crate::domain::time::ts;
use crate::domain::{Role, new_id};
use crate::email::{self, sanction_mail};
use crate::error::AppError;
use crate::realtime::{Fact, Notice};
use crate::state::AppState;

impl From<Denial> for AppError {
    fn from(d: Denial) -> Self {
        match d {
            Denial::ReasonRequired | Denial::ReasonTooLong => {
                AppError::validation(d.code(), d.detail())
            }
            Denial::InsufficientRole
            | Denial::NotYourRoom
            | Denial::OwnAccount
            | Denial::EqualOrHigherRole
            | Denial::OwnAction => AppError::forbidden(d.code(), d.detail()),
        }
    }
}

/// An action as moderators and the person actioned see it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub id: String,
    pub kind: String,
    pub target_user_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reversed_at: Option<String>,
}

impl From<&ActionRow> for ActionView {
    fn from(a: &ActionRow) -> Self {
        ActionView {
            id: a.id.clone(),
            kind: a.kind.clone(),
            target_user_id: a.target_user_id.clone(),
            room_id: a.room_id.clone(),
            message_id: a.message_id.clone(),
            category: a.category.clone(),
            reason: a.reason.clone(),
            until: a.until.map(ts),
            created_at: ts(a.created_at),
            reversed_at: a.reversed_at.map(ts),
        }
    }
}

/// Who acts, and when.
pub(crate) struct Ctx {
    pub actor_id: String,
    pub actor_role: Role,
    pub now: NaiveDateTime,
    pub public_url: String,
}

impl Ctx {
    pub fn new(state: &AppState, who: &AuthUser) -> Ctx {
        Ctx {
            actor_id: who.id.clone(),
            actor_role: who.role,
            now: state.clock.now_naive(),
            public_url: state.settings.public_url.clone(),
        }
    }

    pub fn actor(&self) -> Party<'_> {
        Party {
            id: &self.actor_id,
            role: self.actor_role,
        }
    }
}

/// The person acted on: 404 if missing or erased.
pub(crate) fn target(c: &mut DbConn, id: &str) -> Result<User, AppError> {
    users::find(c, id)?
        .filter(|u| u.status != users::STATUS_ERASED)
        .ok_or(AppError::NotFound)
}

pub(crate) fn role_of(u: &User) -> Result<Role, AppError> {
    Role::parse(&u.role)
        .ok_or_else(|| AppError::internal(std::io::Error::other("unknown role in database")))
}

pub(crate) fn party(u: &User) -> Result<Party<'_>, AppError> {
    Ok(Party {
        id: &u.id,
        role: role_of(u)?,
    })
}

/// What one action records.
pub(crate) struct Record<'a> {
    pub kind: &'static str,
    pub target: &'a str,
    pub room_id: Option<&'a str>,
    pub message_id: Option<&'a str>,
    pub category: Option<&'a str>,
    pub reason: &'a str,
    pub source: Option<(&'static str, &'a str)>,
    pub until: Option<NaiveDateTime>,
}

impl<'a> Record<'a> {
    /// An action on the account as a whole: no room, message, source or end unless set.
    pub fn account(kind: &'static str, target: &'a str, reason: &'a str) -> Self {
        Record {
            kind,
            target,
            room_id: None,
            message_id: None,
            category: None,
            reason,
            source: None,
            until: None,
        }
    }
}

/// Writes the `moderation_actions` row and its audit row (`moderation.<kind>`), in the
/// caller's transaction.
pub(crate) fn record(c: &mut DbConn, ctx: &Ctx, r: &Record<'_>) -> Result<ActionRow, AppError> {
    let id = new_id();
    moderation_actions::insert(
        c,
        &NewAction {
            id: &id,
            kind: r.kind,
            actor_id: &ctx.actor_id,
            target_user_id: r.target,
            room_id: r.room_id,
            message_id: r.message_id,
            category: r.category,
            reason: r.reason,
            source_type: r.source.map(|s| s.0),
            source_id: r.source.map(|s| s.1),
            until: r.until,
            created_at: ctx.now,
        },
    )?;
    let details = serde_json::json!({
        "action_id": id,
        "room_id": r.room_id,
        "message_id": r.message_id,
        "category": r.category,
        "until": r.until.map(ts),
        "source_type": r.source.map(|s| s.0),
        "source_id": r.source.map(|s| s.1),
    });
    audit::insert(
        c,
        &audit::NewAuditEntry {
            id: &new_id(),
            actor_id: Some(&ctx.actor_id),
            action: &format!("moderation.{}", r.kind),
            target_type: "user",
            target_id: Some(r.target),
            reason: Some(r.reason),
            details: &details.to_string(),
            created_at: ctx.now,
        },
    )?;
    moderation_actions::find(c, &id)?
        .ok_or_else(|| AppError::internal(std::io::Error::other("action row vanished")))
}

/// The `moderation_notice` for the person an action concerns.
pub(crate) fn notice(a: &ActionRow, kind: &'static str) -> Fact {
    Fact::ModerationNotice(Notice {
        user_id: a.target_user_id.clone(),
        action_id: a.id.clone(),
        kind,
        reason: a.reason.clone(),
        room_id: a.room_id.clone(),
        message_id: a.message_id.clone(),
        until: a.until.map(ts),
        appeal_id: None,
    })
}

/// Queues the action's email to the person, if they have an address.
pub(crate) fn email_person(
    c: &mut DbConn,
    ctx: &Ctx,
    person: &User,
    a: &ActionRow,
) -> Result<(), AppError> {
    if let Some(to) = &person.email {
        let until = a.until.map(ts);
        let mail = sanction_mail::action_taken(
            to,
            &person.display_name,
            &ctx.public_url,
            &a.kind,
            &a.reason,
            until.as_deref(),
            &a.id,
        );
        email::enqueue(c, Some(&person.id), &mail, ctx.now)?;
    }
    Ok(())
}

/// The checked reason.
pub(crate) fn reason(raw: Option<&str>) -> Result<String, AppError> {
    Ok(policy::reason(raw)?)
}

/// A category, if given, must be one of [`policy::CATEGORIES`].
pub(crate) fn category(raw: Option<&str>) -> Result<Option<String>, AppError> {
    match raw {
        None => Ok(None),
        Some(c) if policy::CATEGORIES.contains(&c) => Ok(Some(c.to_string())),
        Some(_) => Err(AppError::validation(
            "invalid_category",
            "category is one of self_harm, abuse_harassment, personal_info, spam, other.",
        )),
    }
}

/// Runs one action's transaction, then delivers its facts and wakes the mail worker.
pub(crate) async fn apply<F>(state: &AppState, f: F) -> Result<ActionView, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<(ActionRow, Vec<Fact>), AppError> + Send + 'static,
{
    let (row, facts) = state.db.run(move |c| write_tx(c, f)).await?;
    for fact in facts {
        state.sockets.deliver(fact);
    }
    state.mail_wakeup.notify_one();
    tracing::info!(event = "moderation_action", action_id = %row.id, kind = %row.kind, target = %row.target_user_id, "moderation action taken");
    Ok(ActionView::from(&row))
}
