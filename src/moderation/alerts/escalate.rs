//! A volunteer's escalation (SAFE-SG-9): the facilitator of a room asks a moderator to look.
//! It is an amber alert in the same queue with the same target and the same escalation as a
//! crisis flag; moderators are emailed in the same transaction and online moderators get the
//! same `safety_alert` frame after the commit.

use serde::Deserialize;

use super::raise::audit_raise;
use super::{AlertView, MAX_REASON_CHARS, Targets};
use crate::auth::AuthUser;
use crate::db::alerts::{self, NewAlert};
use crate::db::rooms::{self, ROLE_FACILITATOR};
use crate::db::{messages, users, write_tx};
use crate::domain::{ids::parse_uuid, new_id};
use crate::email::{self, alert_mail};
use crate::error::AppError;
use crate::realtime::Fact;
use crate::state::AppState;

const SEVERITY: &str = "amber";
const KIND: &str = "volunteer_escalation";

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    pub reason: String,
    #[serde(default)]
    pub message_id: Option<String>,
}

/// `POST /rooms/{id}/escalate`.
pub async fn escalate(
    state: &AppState,
    who: &AuthUser,
    room_id: &str,
    req: EscalateRequest,
) -> Result<AlertView, AppError> {
    let room_id = parse_uuid(room_id).ok_or(AppError::NotFound)?;
    let reason = req.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::validation(
            "invalid_reason",
            format!("reason is required, at most {MAX_REASON_CHARS} characters."),
        ));
    }
    let message_id = match req.message_id.as_deref() {
        None => None,
        Some(m) => Some(parse_uuid(m).ok_or_else(|| {
            AppError::validation("invalid_message_id", "message_id is not a message id.")
        })?),
    };
    let by = who.id.clone();
    let now = state.clock.now_naive();
    let targets = Targets::from_settings(&state.settings.alerts);
    let public_url = state.settings.public_url.clone();
    let row = state
        .db
        .run(move |c| {
            write_tx(c, |c| {
                match rooms::open_membership_role(c, &room_id, &by)? {
                    None => return Err(AppError::NotFound),
                    Some(role) if role != ROLE_FACILITATOR => {
                        return Err(AppError::forbidden(
                            "not_room_staff",
                            "Only the room's volunteer or facilitator can escalate to a moderator.",
                        ));
                    }
                    Some(_) => {}
                }
                if let Some(m) = &message_id
                    && messages::find(c, m)?.is_none_or(|row| row.room_id != room_id)
                {
                    return Err(AppError::validation(
                        "invalid_message_id",
                        "message_id is not a message of this room.",
                    ));
                }
                let id = new_id();
                let due = targets.due(SEVERITY, now);
                alerts::insert(
                    c,
                    &NewAlert {
                        id: &id,
                        kind: KIND,
                        flag_id: None,
                        room_id: &room_id,
                        message_id: message_id.as_deref(),
                        severity: SEVERITY,
                        status: "open",
                        created_at: now,
                        due_at: due,
                        next_escalation_at: Some(due),
                        raised_by: Some(&by),
                        reason: Some(&reason),
                    },
                )?;
                audit_raise(c, Some(&by), &id, KIND, SEVERITY, now)?;
                for (uid, addr) in users::moderator_addresses(c)? {
                    let mail = alert_mail::volunteer_escalation(&addr, &public_url, &id);
                    email::enqueue(c, Some(&uid), &mail, now)?;
                }
                alerts::find(c, &id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    state.mail_wakeup.notify_one();
    let view = AlertView::of(row, now);
    tracing::warn!(
        event = "volunteer_escalation",
        alert_id = %view.id,
        room_id = %view.room_id,
        "a volunteer escalated to moderators"
    );
    state.sockets.deliver(Fact::AlertRaised {
        alert_id: view.id.clone(),
        kind: KIND,
        room_id: view.room_id.clone(),
        message_id: view.message_id.clone(),
        severity: SEVERITY,
        created_at: view.created_at.clone(),
    });
    Ok(view)
}
