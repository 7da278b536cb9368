//! Appeals: the person a moderator acted on may appeal each sanction once, in their own words;
//! a moderator other than the one who acted decides (`upheld` or `overturned`, with a note);
//! overturning undoes the sanction where that is still possible (`actions::reverse`) and marks
//! the action reversed; the person is told by email and, if online, a `moderation_notice`.
//!
//! Decisions where the issue is silent:
//! - Only sanctions are appealable (warn, hide, mute, remove, suspend, ban), not their
//!   liftings; an action already reversed cannot be appealed (`409 already_reversed`).
//! - Someone else's action is the same 404 as a missing one.
//! - A banned person cannot sign in, so cannot use this route; their ban email tells them to
//!   reply to it, and a moderator may reinstate them.
//! - The decider must also outrank the appellant (as for any action) and cannot be them.
//! - The moderators' list shows open appeals oldest first (the longest waiting at the top),
//!   then the most recently decided; each with its action.

use serde::{Deserialize, Serialize};

use super::actions::reverse::{APPEALABLE, undo};
use super::actions::{ActionView, party};
use super::policy::{self, Denial, MAX_APPEAL_CHARS, Party};
use crate::auth::AuthUser;
use crate::db::appeals::{self, Appeal, OPEN, OVERTURNED, UPHELD};
use crate::db::{audit, moderation_actions, unique_or, users, write_tx};
use crate::domain::ids::parse_uuid;
use crate::domain::new_id;
use crate::domain::time::ts;
use crate::email::{self, sanction_mail};
use crate::error::AppError;
use crate::realtime::{Fact, Notice};
use crate::state::AppState;

/// Most appeals of each kind (open, decided) in the moderators' list.
pub const QUEUE_LIMIT: i64 = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    pub action_id: String,
    pub text: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideRequest {
    pub decision: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AppealView {
    pub id: String,
    pub action_id: String,
    /// `open`, `upheld` or `overturned`.
    pub status: String,
    pub text: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionView>,
}

fn view(a: Appeal, action: Option<ActionView>) -> AppealView {
    AppealView {
        id: a.id,
        action_id: a.action_id,
        status: a.status,
        text: a.text,
        created_at: ts(a.created_at),
        decided_at: a.decided_at.map(ts),
        note: a.note,
        action,
    }
}

/// An action against the person, with whether they may still appeal it.
#[derive(Debug, Serialize)]
pub struct MyAction {
    #[serde(flatten)]
    pub action: ActionView,
    pub appealable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appeal_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Mine {
    pub appeals: Vec<AppealView>,
    /// Every action taken against the person, newest first.
    pub actions: Vec<MyAction>,
}

fn text_of(raw: Option<&str>) -> Result<String, AppError> {
    let t = raw.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return Err(AppError::validation(
            "text_required",
            "Say, in your own words, why the decision should change.",
        ));
    }
    if t.chars().count() > MAX_APPEAL_CHARS {
        return Err(AppError::validation(
            "text_too_long",
            "The appeal is longer than 4000 characters.",
        ));
    }
    Ok(t.to_string())
}

/// `POST /appeals`.
pub async fn create(
    state: &AppState,
    who: &AuthUser,
    req: AppealRequest,
) -> Result<AppealView, AppError> {
    let text = text_of(req.text.as_deref())?;
    let action_id = parse_uuid(&req.action_id).ok_or(AppError::NotFound)?;
    let (me, now) = (who.id.clone(), state.clock.now_naive());
    let appeal = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Appeal, AppError> {
                let a = moderation_actions::find(c, &action_id)?
                    .filter(|a| a.target_user_id == me)
                    .ok_or(AppError::NotFound)?;
                if !APPEALABLE.contains(&a.kind.as_str()) {
                    return Err(AppError::validation(
                        "not_appealable",
                        "Only a sanction can be appealed.",
                    ));
                }
                if a.reversed_at.is_some() {
                    return Err(AppError::conflict(
                        "already_reversed",
                        "This action has been lifted already.",
                    ));
                }
                let exists = || {
                    AppError::conflict(
                        "appeal_exists",
                        "This action has been appealed already; each action is appealed once.",
                    )
                };
                if appeals::of_action(c, &a.id)?.is_some() {
                    return Err(exists());
                }
                let row = Appeal {
                    id: new_id(),
                    action_id: a.id.clone(),
                    user_id: me.clone(),
                    text,
                    status: OPEN.into(),
                    created_at: now,
                    decided_at: None,
                    decided_by: None,
                    note: None,
                };
                appeals::insert(c, &row).map_err(|e| unique_or(e, exists))?;
                audit::insert(
                    c,
                    &audit::NewAuditEntry {
                        id: &new_id(),
                        actor_id: Some(&me),
                        action: "appeal.lodged",
                        target_type: "moderation_action",
                        target_id: Some(&a.id),
                        reason: None,
                        details: &serde_json::json!({"appeal_id": row.id}).to_string(),
                        created_at: now,
                    },
                )?;
                Ok(row)
            })
        })
        .await?;
    tracing::info!(event = "appeal_lodged", appeal_id = %appeal.id, action_id = %appeal.action_id, "appeal lodged");
    Ok(view(appeal, None))
}

/// `GET /appeals/mine`: the person's appeals and the actions against them.
pub async fn mine(state: &AppState, who: &AuthUser) -> Result<Mine, AppError> {
    let me = who.id.clone();
    state
        .db
        .run(move |c| {
            let appeals_ = appeals::by_user(c, &me)?;
            let actions = moderation_actions::against(c, &me)?
                .iter()
                .map(|a| {
                    let appeal_id = appeals_
                        .iter()
                        .find(|p| p.action_id == a.id)
                        .map(|p| p.id.clone());
                    MyAction {
                        appealable: appeal_id.is_none()
                            && a.reversed_at.is_none()
                            && APPEALABLE.contains(&a.kind.as_str()),
                        appeal_id,
                        action: ActionView::from(a),
                    }
                })
                .collect();
            Ok(Mine {
                appeals: appeals_.into_iter().map(|a| view(a, None)).collect(),
                actions,
            })
        })
        .await
}

/// `GET /moderation/appeals`: open first.
pub async fn queue(state: &AppState) -> Result<Vec<AppealView>, AppError> {
    state
        .db
        .run(move |c| {
            let rows = appeals::queue(c, QUEUE_LIMIT)?;
            let mut out = Vec::with_capacity(rows.len());
            for a in rows {
                let action =
                    moderation_actions::find(c, &a.action_id)?.map(|r| ActionView::from(&r));
                out.push(view(a, action));
            }
            Ok(out)
        })
        .await
}

/// `POST /moderation/appeals/{id}/decide`.
pub async fn decide(
    state: &AppState,
    who: &AuthUser,
    id: &str,
    req: DecideRequest,
) -> Result<AppealView, AppError> {
    let overturn = match req.decision.as_str() {
        "upheld" => false,
        "overturned" => true,
        _ => {
            return Err(AppError::validation(
                "invalid_decision",
                "decision is upheld or overturned.",
            ));
        }
    };
    let note = policy::reason(req.note.as_deref()).map_err(|d| match d {
        Denial::ReasonTooLong => {
            AppError::validation("note_too_long", "The note is longer than 1000 characters.")
        }
        _ => AppError::validation("note_required", "Give a note: the person is told it."),
    })?;
    let id = parse_uuid(id).ok_or(AppError::NotFound)?;
    let (me, role, now) = (who.id.clone(), who.role, state.clock.now_naive());
    let public_url = state.settings.public_url.clone();
    let (appeal, action, facts) = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<_, AppError> {
                let appeal = appeals::find(c, &id)?.ok_or(AppError::NotFound)?;
                let action = moderation_actions::find(c, &appeal.action_id)?.ok_or(AppError::NotFound)?;
                let person = users::find(c, &appeal.user_id)?.ok_or(AppError::NotFound)?;
                policy::may_decide(Party { id: &me, role }, &action.actor_id, party(&person)?)?;
                let status = if overturn { OVERTURNED } else { UPHELD };
                if appeals::decide(c, &appeal.id, status, &me, &note, now)? == 0 {
                    return Err(AppError::conflict("appeal_decided", "This appeal has been decided already."));
                }
                let mut facts = Vec::new();
                if overturn {
                    facts = undo(c, &action, now)?;
                    moderation_actions::mark_reversed(c, &action.id, &me, &note, now)?;
                }
                audit::insert(
                    c,
                    &audit::NewAuditEntry {
                        id: &new_id(),
                        actor_id: Some(&me),
                        action: if overturn { "appeal.overturned" } else { "appeal.upheld" },
                        target_type: "user",
                        target_id: Some(&person.id),
                        reason: Some(&note),
                        details: &serde_json::json!({"appeal_id": appeal.id, "action_id": action.id, "action_kind": action.kind}).to_string(),
                        created_at: now,
                    },
                )?;
                if let Some(to) = &person.email {
                    let mail = sanction_mail::appeal_decided(to, &person.display_name, &public_url, overturn, &note);
                    email::enqueue(c, Some(&person.id), &mail, now)?;
                }
                facts.push(Fact::ModerationNotice(Notice {
                    user_id: person.id.clone(),
                    action_id: action.id.clone(),
                    kind: if overturn { "appeal_overturned" } else { "appeal_upheld" },
                    reason: note.clone(),
                    room_id: action.room_id.clone(),
                    message_id: action.message_id.clone(),
                    until: None,
                    appeal_id: Some(appeal.id.clone()),
                }));
                let appeal = appeals::find(c, &appeal.id)?.ok_or(AppError::NotFound)?;
                let action = moderation_actions::find(c, &action.id)?.ok_or(AppError::NotFound)?;
                Ok((appeal, action, facts))
            })
        })
        .await?;
    for f in facts {
        state.sockets.deliver(f);
    }
    state.mail_wakeup.notify_one();
    tracing::info!(event = "appeal_decided", appeal_id = %appeal.id, overturned = overturn, "appeal decided");
    Ok(view(appeal, Some(ActionView::from(&action))))
}
