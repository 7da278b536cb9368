//! Hiding and unhiding a message. The message row and its body stay as written; the author
//! is told why (`moderation_notice`), every member's connections hear `message_hidden` (or
//! `message_restored`) at once, and every read members see blanks it from then on.

use serde::Deserialize;

use super::{ActionView, Ctx, Record, apply, notice, party, reason, record, target};
use crate::auth::AuthUser;
use crate::db::{hidden_messages, messages, moderation_actions, rooms};
use crate::domain::ids::parse_uuid;
use crate::error::AppError;
use crate::moderation::policy::{Scope, may_act};
use crate::realtime::Fact;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HideRequest {
    pub reason: Option<String>,
    /// The report that led to it, if any.
    pub report_id: Option<String>,
    /// The safety alert that led to it, if any.
    pub alert_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: Option<String>,
}

fn source(req: &HideRequest) -> Result<Option<(&'static str, String)>, AppError> {
    let bad = || AppError::validation("invalid_source", "report_id and alert_id are ids.");
    match (&req.report_id, &req.alert_id) {
        (Some(_), Some(_)) => Err(AppError::validation(
            "invalid_source",
            "Name a report or an alert, not both.",
        )),
        (Some(r), None) => Ok(Some(("report", parse_uuid(r).ok_or_else(bad)?))),
        (None, Some(a)) => Ok(Some(("alert", parse_uuid(a).ok_or_else(bad)?))),
        (None, None) => Ok(None),
    }
}

/// `POST /moderation/messages/{id}/hide`.
pub async fn hide(
    state: &AppState,
    who: &AuthUser,
    message_id: &str,
    req: HideRequest,
) -> Result<ActionView, AppError> {
    let why = reason(req.reason.as_deref())?;
    let src = source(&req)?;
    let id = parse_uuid(message_id).ok_or(AppError::NotFound)?;
    let ctx = Ctx::new(state, who);
    apply(state, move |c| {
        let m = messages::find(c, &id)?.ok_or(AppError::NotFound)?;
        let author = target(c, &m.sender_id)?;
        let staffs = rooms::open_membership_role(c, &m.room_id, &ctx.actor_id)?.as_deref()
            == Some(rooms::ROLE_FACILITATOR);
        may_act(
            ctx.actor(),
            party(&author)?,
            Scope::Room {
                actor_staffs: staffs,
            },
        )?;
        // A held message is decided in the held queue (release or reject); hiding it would
        // tell the room's members that a message they never saw exists.
        if m.seq < 1 {
            return Err(AppError::conflict(
                "message_held",
                "This message is held for review: release or reject it instead.",
            ));
        }
        if hidden_messages::hidden_by(c, &id)?.is_some() {
            return Err(AppError::conflict(
                "already_hidden",
                "This message is hidden already.",
            ));
        }
        let a = record(
            c,
            &ctx,
            &Record {
                kind: "hide",
                target: &author.id,
                room_id: Some(&m.room_id),
                message_id: Some(&id),
                category: None,
                reason: &why,
                source: src.as_ref().map(|(k, v)| (*k, v.as_str())),
                until: None,
            },
        )?;
        hidden_messages::insert(c, &id, &a.id, ctx.now)?;
        let facts = vec![
            Fact::MessageHidden {
                room_id: m.room_id.clone(),
                message_id: id.clone(),
                hidden: true,
            },
            notice(&a, "hide"),
        ];
        Ok((a, facts))
    })
    .await
}

/// `POST /moderation/messages/{id}/unhide`.
pub async fn unhide(
    state: &AppState,
    who: &AuthUser,
    message_id: &str,
    req: ReasonRequest,
) -> Result<ActionView, AppError> {
    let why = reason(req.reason.as_deref())?;
    let id = parse_uuid(message_id).ok_or(AppError::NotFound)?;
    let ctx = Ctx::new(state, who);
    apply(state, move |c| {
        let m = messages::find(c, &id)?.ok_or(AppError::NotFound)?;
        let author = target(c, &m.sender_id)?;
        let staffs = rooms::open_membership_role(c, &m.room_id, &ctx.actor_id)?.as_deref()
            == Some(rooms::ROLE_FACILITATOR);
        may_act(
            ctx.actor(),
            party(&author)?,
            Scope::Room {
                actor_staffs: staffs,
            },
        )?;
        let Some(hid) = hidden_messages::hidden_by(c, &id)? else {
            return Err(AppError::conflict(
                "not_hidden",
                "This message is not hidden.",
            ));
        };
        hidden_messages::delete(c, &id)?;
        moderation_actions::mark_reversed(c, &hid, &ctx.actor_id, &why, ctx.now)?;
        let a = record(
            c,
            &ctx,
            &Record {
                kind: "unhide",
                target: &author.id,
                room_id: Some(&m.room_id),
                message_id: Some(&id),
                category: None,
                reason: &why,
                source: None,
                until: None,
            },
        )?;
        let facts = vec![
            Fact::MessageHidden {
                room_id: m.room_id.clone(),
                message_id: id.clone(),
                hidden: false,
            },
            notice(&a, "unhide"),
        ];
        Ok((a, facts))
    })
    .await
}
