//! `GET /me/export`: everything held about the caller, as one JSON document (UK GDPR Art. 15
//! and 20). `USER_LINKED_TABLES` names, for every table that holds rows about a person, the
//! section of the export it appears in; a test checks it against the live schema, so a new
//! user-linked table cannot be forgotten. Secrets (password and token hashes) are described,
//! never copied: they are not information about the person, and exporting them would weaken
//! the account.

use serde_json::{Value, json};

use super::service::load_me;
use crate::auth::AuthUser;
use crate::db::{
    DbConn, audit, blocks, check_ins, email_tokens, match_requests, messages, mfa, outbox, reports,
    rooms, sessions, users, volunteer_renewals, volunteers,
};
use crate::domain::time::ts;
use crate::error::AppError;
use crate::state::AppState;

/// Bumped whenever a section changes shape.
pub const EXPORT_SCHEMA_VERSION: u32 = 1;

/// Every table that holds rows about a person, and the export section it appears in.
pub const USER_LINKED_TABLES: &[(&str, &str)] = &[
    ("users", "account"),
    ("profiles", "profile"),
    ("user_conditions", "conditions"),
    ("user_experiences", "experiences"),
    ("check_ins", "check_ins"),
    ("volunteer_applications", "volunteer_applications"),
    ("volunteers", "volunteer"),
    ("volunteer_renewals", "volunteer_renewals"),
    ("sessions", "sessions"),
    ("refresh_tokens", "sessions"),
    ("email_tokens", "pending_email_links"),
    ("outbox", "pending_emails"),
    ("audit_log", "audit_events"),
    ("match_requests", "match_requests"),
    ("room_members", "room_memberships"),
    ("blocks", "blocks_you_made"),
    ("messages", "messages_you_wrote"),
    ("moderation_actions", "moderation_actions_about_you"),
    ("mfa_totp", "second_factor"),
    ("mfa_recovery_codes", "second_factor"),
    ("mfa_tickets", "second_factor"),
    ("report_filings", "reports_you_made"),
    ("appeals", "appeals"),
    ("moderator_shifts", "moderation_shifts"),
    ("safety_alerts", "escalations_you_raised"),
    ("room_looks", "room_looks_you_opened"),
];

/// What the export says about erasure and about what is not (yet) included.
pub const DESCRIPTION: &str = "Everything Kindred holds about you. Health information (conditions, lived experience, check-ins) is special-category data and is used only for matching you and, in aggregate without names, for measuring how peer support helps. Secrets are described but never exported: your password is stored only as an Argon2id hash and your sign-in and email links only as SHA-256 hashes. If you erase your account (DELETE /api/v1/me), your email, profile, conditions, lived experience, check-ins, volunteer applications, training renewals and record, sessions, pending emails, match requests and blocks are deleted and you leave your rooms (a pair or one-to-one room ends); your account row remains as a tombstone named \"Former member\" with no personal data so that conversations stay readable for others; messages you wrote stay in their rooms shown as from \"Former member\" with their text removed. Audit entries keep only ids and the reasons moderators gave. It includes your match requests, every room membership you have had (with when you joined and left) and the blocks you made (never whether anyone blocked you). It includes the messages you wrote (other members' messages are theirs and are not in your export), the moderation actions taken about you (with the reasons given, never who acted or who reported) and your appeals (erasure deletes your appeals). It includes the reports you made and what became of them; reports others made about you are not included, because they would identify the person who reported. For volunteers and staff it includes the escalations you raised from your rooms and your moderation shifts, and your second factor is described (its secret and recovery codes are never exported).";

fn build(
    c: &mut DbConn,
    state_vocab: &super::vocab::Vocabulary,
    user_id: &str,
    now: chrono::NaiveDateTime,
) -> Result<Value, AppError> {
    let user = users::find(c, user_id)?.ok_or(AppError::NotFound)?;
    let me = load_me(c, state_vocab, user_id, now.date())?;
    let check_ins: Vec<Value> = check_ins::for_user(c, user_id)?
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "instrument": r.instrument,
                "instrument_version": r.instrument_version,
                "wording": r.wording,
                "answers": serde_json::from_str::<Value>(&r.answers).unwrap_or(Value::Null),
                "score": r.score,
                "level": r.level,
                "created_at": ts(r.created_at),
            })
        })
        .collect();
    let applications: Vec<Value> = volunteers::applications_of(c, user_id)?
        .into_iter()
        .map(|a| {
            json!({
                "id": a.id,
                "status": a.status,
                "motivation": a.motivation,
                "lived_experience": a.lived_experience,
                "conditions": serde_json::from_str::<Value>(&a.conditions).unwrap_or(Value::Null),
                "training": {"course": a.training_course, "completed_on": a.training_completed_on, "certificate_ref": a.certificate_ref},
                "decided_at": a.decided_at.map(ts),
                "decision_note": a.decision_note,
                "created_at": ts(a.created_at),
            })
        })
        .collect();
    let volunteer = volunteers::find_volunteer(c, user_id)?.map(|v| {
        json!({
            "accepting": v.accepting,
            "one_to_one_capacity": v.one_to_one_capacity,
            "max_groups": v.max_groups,
            "conditions_supported": serde_json::from_str::<Value>(&v.conditions_supported).unwrap_or(Value::Null),
            "training_expires_on": v.training_expires_on,
            "approved_at": ts(v.approved_at),
            "withdrawn_at": v.withdrawn_at.map(ts),
            "withdrawal_reason": v.withdrawal_reason,
        })
    });
    let renewals: Vec<Value> = volunteer_renewals::of_user(c, user_id)?
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "status": r.status,
                "training": {"course": r.training_course, "completed_on": r.training_completed_on, "certificate_ref": r.certificate_ref},
                "training_expires_on": r.training_expires_on,
                "decided_at": r.decided_at.map(ts),
                "decision_note": r.decision_note,
                "created_at": ts(r.created_at),
            })
        })
        .collect();
    let sessions: Vec<Value> = sessions::for_user(c, user_id)?
        .into_iter()
        .map(|s| {
            json!({
                "id": s.id,
                "created_at": ts(s.created_at),
                "last_seen_at": ts(s.last_seen_at),
                "expires_at": ts(s.expires_at),
                "revoked_at": s.revoked_at.map(ts),
                "revoked_reason": s.revoked_reason,
                "second_factor": s.second_factor,
                "refresh_tokens": "stored only as SHA-256 hashes; not exported",
            })
        })
        .collect();
    let links: Vec<Value> = email_tokens::for_user(c, user_id)?
        .into_iter()
        .map(|t| {
            json!({
                "purpose": t.purpose,
                "created_at": ts(t.created_at),
                "expires_at": ts(t.expires_at),
                "used_at": t.used_at.map(ts),
            })
        })
        .collect();
    let pending: Vec<Value> = outbox::for_user(c, user_id)?
        .into_iter()
        .map(|m| {
            json!({
                "kind": m.kind,
                "subject": m.subject,
                "created_at": ts(m.created_at),
                "attempts": m.attempts,
                "failed_at": m.failed_at.map(ts),
            })
        })
        .collect();
    let audit: Vec<Value> = audit::involving(c, user_id)?
        .into_iter()
        .map(|a| {
            json!({
                "action": a.action,
                "about_you": a.target_id.as_deref() == Some(user_id),
                "by_you": a.actor_id.as_deref() == Some(user_id),
                "reason": a.reason,
                "created_at": ts(a.created_at),
            })
        })
        .collect();
    let requests: Vec<Value> = match_requests::for_user(c, user_id)?
        .iter()
        .map(|r| {
            serde_json::to_value(crate::matching::requests::view(r, now)).unwrap_or(Value::Null)
        })
        .collect();
    let written: Vec<Value> = messages::written_by(c, user_id)?
        .into_iter()
        .map(|(room, seq, client_id, body, at)| {
            json!({"room_id": room, "seq": seq, "client_id": client_id, "body": body, "created_at": ts(at)})
        })
        .collect();
    let memberships: Vec<Value> = rooms::history_of(c, user_id)?
        .into_iter()
        .map(|(room, kind, focus, role, joined, left)| {
            json!({"room_id": room, "kind": kind, "focus_condition": focus, "room_role": role,
                   "joined_at": ts(joined), "left_at": left.map(ts)})
        })
        .collect();
    // Only blocks this person made: whether anyone blocked them is never revealed.
    let blocks_made: Vec<Value> = blocks::list(c, user_id)?
        .into_iter()
        .map(|(id, _, at)| json!({"user_id": id, "created_at": ts(at)}))
        .collect();
    let second_factor = json!({
        "totp": mfa::find_totp(c, user_id)?.map(|f| json!({
            "created_at": ts(f.created_at),
            "confirmed_at": f.confirmed_at.map(ts),
            "secret": "kept to check your codes; never exported",
        })),
        "recovery_codes_left": mfa::recovery_codes_left(c, user_id)?,
        "recovery_codes": "stored only as SHA-256 hashes; not exported",
        "sign_in_tickets": "short-lived, stored only as SHA-256 hashes; not exported",
    });
    // Only reports this person made: reports about them would identify who reported.
    let reports_made: Vec<Value> = reports::by_reporter(c, user_id)?
        .into_iter()
        .map(|(f, r)| {
            json!({"id": f.id, "target_type": r.target_type, "target_id": r.target_id,
                   "category": f.category, "detail": f.detail, "status": r.status,
                   "message": r.outcome_message, "created_at": ts(f.created_at),
                   "resolved_at": r.resolved_at.map(ts)})
        })
        .collect();
    Ok(json!({
        "schema_version": EXPORT_SCHEMA_VERSION,
        "exported_at": ts(now),
        "description": DESCRIPTION,
        "account": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role,
            "status": user.status,
            "email_verified_at": user.email_verified_at.map(ts),
            "created_at": ts(user.created_at),
            "updated_at": ts(user.updated_at),
            "password": "stored only as an Argon2id hash; not exported",
        },
        "profile": {
            "pronouns": me.pronouns,
            "bio": me.bio,
            "languages": me.languages,
            "timezone": me.timezone,
            "age_band": me.age_band,
            "gender": me.gender,
            "availability": me.availability,
            "support_preferences": me.support_preferences,
            "sharing": me.sharing,
        },
        "conditions": me.conditions,
        "experiences": me.experiences,
        "check_ins": check_ins,
        "volunteer_applications": applications,
        "volunteer": volunteer,
        "volunteer_renewals": renewals,
        "sessions": sessions,
        "pending_email_links": links,
        "pending_emails": pending,
        "audit_events": audit,
        "match_requests": requests,
        "room_memberships": memberships,
        "blocks_you_made": blocks_made,
        "messages_you_wrote": written,
        "second_factor": second_factor,
        "reports_you_made": reports_made,
        "moderation_actions_about_you": sanctions_of(c, user_id)?,
        "appeals": appeals_of(c, user_id)?,
        // A volunteer's escalations from their rooms, in their words; crisis alerts about a
        // member's message are moderators' records and are not linked to a person here.
        "escalations_you_raised": crate::db::alerts::raised_by(c, user_id)?
            .into_iter()
            .map(|a| json!({"id": a.id, "room_id": a.room_id, "message_id": a.message_id,
                            "reason": a.reason, "status": a.status,
                            "created_at": ts(a.created_at)}))
            .collect::<Vec<_>>(),
        "room_looks_you_opened": crate::db::room_looks::by_moderator(c, user_id)?
            .into_iter()
            .map(|l| json!({"room_id": l.room_id, "reason": l.reason,
                            "created_at": ts(l.created_at), "expires_at": ts(l.expires_at)}))
            .collect::<Vec<_>>(),
        "moderation_shifts": crate::db::shifts::all_for(c, user_id)?
            .into_iter()
            .map(|s| json!({"started_at": ts(s.started_at), "ended_at": s.ended_at.map(ts),
                            "ended_reason": s.ended_reason}))
            .collect::<Vec<_>>(),
    }))
}

/// What moderators did about the person (with their reasons; never who reported them).
fn sanctions_of(c: &mut DbConn, user_id: &str) -> Result<Value, AppError> {
    let rows = crate::db::moderation_actions::against(c, user_id)?;
    Ok(Value::Array(
        rows.iter()
            .map(|a| {
                json!({"id": a.id, "kind": a.kind, "room_id": a.room_id, "message_id": a.message_id,
                    "reason": a.reason, "until": a.until.map(ts), "created_at": ts(a.created_at),
                    "category": a.category, "reversed_at": a.reversed_at.map(ts),
                    "reversed_reason": a.reversed_reason})
            })
            .collect(),
    ))
}

/// The person's appeals, in their own words, and the decisions.
fn appeals_of(c: &mut DbConn, user_id: &str) -> Result<Value, AppError> {
    let rows = crate::db::appeals::by_user(c, user_id)?;
    Ok(Value::Array(
        rows.into_iter()
            .map(|a| {
                json!({"id": a.id, "action_id": a.action_id, "text": a.text, "status": a.status,
                    "created_at": ts(a.created_at), "decided_at": a.decided_at.map(ts), "note": a.note})
            })
            .collect(),
    ))
}

pub async fn export(state: &AppState, who: &AuthUser) -> Result<Value, AppError> {
    let (id, vocab, now) = (who.id.clone(), state.vocab.clone(), state.clock.now_naive());
    let doc = state.db.run(move |c| build(c, &vocab, &id, now)).await?;
    tracing::info!(event = "data_exported", user_id = %who.id, "subject access export");
    Ok(doc)
}
