//! Match requests: who may ask for support in which format, one open request per format,
//! reading and cancelling one's own. Other people's requests are simply not found (404).
//!
//! Decisions where the issue is silent: the focus condition must be on the member's profile and
//! the optional experience tags among their own tags; a member whose latest check-in is at
//! level 1 is not placed in peer pairs (MATCHING.md 4.5), so a pair request from them is refused
//! at once with a suggestion of one-to-one, rather than left waiting for a match that cannot
//! come. Explanations are stored as facts and shown as plain sentences.
//!
//! A waiting request shows how far the waiting ladder (`matching::ladder`) has gone
//! (`wait_stage`) and, from 1.5 W, the formats that could serve the member now
//! (`alternatives`); a request still unmatched at its expiry becomes `expired`, and a new one
//! may be asked at once (the one-open-request rule counts only `waiting`).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::db::match_requests::{self, MatchRequest, WAITING};
use crate::db::{check_ins, match_offers, profiles, write_tx};
use crate::domain::new_id;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::profiles::service::decode;
use crate::state::AppState;

pub const FORMATS: &[&str] = &["one_to_one", "pair", "group"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub format: String,
    pub focus_condition: String,
    #[serde(default)]
    pub experience_tags: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RequestView {
    pub id: String,
    /// `waiting`, `offered`, `matched`, `cancelled` or `expired`.
    pub status: String,
    pub format: String,
    pub focus_condition: String,
    pub experience_tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
    /// Why these people were matched, in plain words (no scores, no levels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Vec<String>>,
    pub waited_seconds: i64,
    pub created_at: String,
    /// The offer waiting for the member's answer, while `status` is `offered`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer: Option<super::offers::OfferView>,
    /// While waiting, how far the waiting ladder has gone (`matching::ladder`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_stage: Option<&'static str>,
    /// While waiting, from 1.5 W: the formats that could serve the member now (may be empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<Vec<String>>,
}

/// The ladder's step as a word: `searching`, `looking_wider` (W), `alternatives_offered`
/// (1.5 W), `with_coordinator` (2 W).
fn wait_stage(step: i32) -> &'static str {
    match step {
        i32::MIN..=0 => "searching",
        1 => "looking_wider",
        2 => "alternatives_offered",
        _ => "with_coordinator",
    }
}

/// Fills in the alternatives recorded by the ladder on the waiting views past step 2.
async fn with_alternatives(
    state: &AppState,
    mut views: Vec<RequestView>,
) -> Result<Vec<RequestView>, AppError> {
    let ids: Vec<String> = views
        .iter()
        .filter(|v| {
            matches!(
                v.wait_stage,
                Some("alternatives_offered" | "with_coordinator")
            )
        })
        .map(|v| v.id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(views);
    }
    let found = state
        .db
        .run(move |c| Ok(match_requests::alternatives_of(c, &ids)?))
        .await?;
    for (id, json) in found {
        if let Some(v) = views.iter_mut().find(|v| v.id == id) {
            v.alternatives = serde_json::from_str(&json).ok();
        }
    }
    Ok(views)
}

/// Stored with a match: the facts (for audit) and the sentences shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredExplanation {
    pub facts: serde_json::Value,
    pub sentences: Vec<String>,
}

pub fn view(r: &MatchRequest, now: NaiveDateTime) -> RequestView {
    let end = r.closed_at.unwrap_or(now);
    RequestView {
        id: r.id.clone(),
        status: r.status.clone(),
        format: r.format.clone(),
        focus_condition: r.focus_condition.clone(),
        experience_tags: serde_json::from_str(&r.experience_tags).unwrap_or_default(),
        room_id: r.room_id.clone(),
        explanation: r
            .explanation
            .as_deref()
            .and_then(|e| serde_json::from_str::<StoredExplanation>(e).ok())
            .map(|e| e.sentences),
        waited_seconds: (end - r.created_at).num_seconds().max(0),
        created_at: ts(r.created_at),
        offer: None,
        wait_stage: (r.status == WAITING).then(|| wait_stage(r.relax_step)),
        alternatives: None,
    }
}

/// `POST /match-requests`.
pub async fn create(
    state: &AppState,
    who: &AuthUser,
    input: NewRequest,
) -> Result<RequestView, AppError> {
    if !who.email_verified {
        return Err(AppError::forbidden(
            "email_not_verified",
            "Verify your email address before asking for support.",
        ));
    }
    if !FORMATS.contains(&input.format.as_str()) {
        return Err(AppError::validation(
            "invalid_format",
            "format is one_to_one, pair or group",
        ));
    }
    if !state.vocab.is_condition(&input.focus_condition) {
        return Err(AppError::validation(
            "unknown_condition",
            "focus_condition is not a condition id",
        ));
    }
    let mut tags = input.experience_tags.clone();
    tags.sort();
    tags.dedup();
    if let Some(t) = tags.iter().find(|t| !state.vocab.is_experience(t)) {
        return Err(AppError::validation(
            "unknown_experience",
            format!("`{t}` is not a lived-experience tag"),
        ));
    }
    let (id, now) = (who.id.clone(), state.clock.now_naive());
    let row = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<MatchRequest, AppError> {
                // A suspended person keeps their account but is not matched until it ends.
                if let Some(until) = crate::db::users::find(c, &id)?.and_then(|u| u.is_suspended(now).then_some(u.suspended_until).flatten()) {
                    return Err(AppError::forbidden("suspended", format!("Your account is suspended until {}; you can ask for a match again then.", ts(until))));
                }
                let profile = decode(profiles::find(c, &id)?)?;
                if !profile.languages.iter().any(|l| l.session) {
                    return Err(AppError::validation("no_session_language", "Add a language you can hold a conversation in to your profile first."));
                }
                if !profile.support_preferences.formats.contains(&input.format) {
                    return Err(AppError::validation("format_not_accepted", "That format is not among the formats in your support preferences."));
                }
                if !profiles::conditions(c, &id)?.iter().any(|uc| uc.condition_id == input.focus_condition) {
                    return Err(AppError::validation("focus_not_on_profile", "Add the focus condition to your profile first."));
                }
                let mine = profiles::experiences(c, &id)?;
                if let Some(t) = tags.iter().find(|t| !mine.contains(t)) {
                    return Err(AppError::validation("experience_not_on_profile", format!("`{t}` is not among your lived-experience tags")));
                }
                if input.format == "pair" && check_ins::latest(c, &id)?.is_some_and(|ci| ci.level == 1) {
                    return Err(AppError::validation(
                        "suggest_one_to_one",
                        "Right now we suggest starting one-to-one with a trained peer volunteer, or a group with a facilitator.",
                    ));
                }
                if match_requests::has_waiting(c, &id, &input.format)? {
                    return Err(AppError::conflict("request_already_open", "You already have a request waiting in this format."));
                }
                let row = MatchRequest {
                    id: new_id(),
                    user_id: id.clone(),
                    format: input.format.clone(),
                    focus_condition: input.focus_condition.clone(),
                    experience_tags: serde_json::to_string(&tags).map_err(AppError::internal)?,
                    status: WAITING.into(),
                    room_id: None,
                    explanation: None,
                    relax_step: 0,
                    created_at: now,
                    closed_at: None,
                };
                match_requests::insert(c, &row).map_err(|e| {
                    crate::db::unique_or(e, || {
                        AppError::conflict("request_already_open", "You already have a request waiting in this format.")
                    })
                })?;
                Ok(row)
            })
        })
        .await?;
    tracing::info!(event = "match_requested", user_id = %who.id, request_id = %row.id, format = %row.format, "match request");
    state.matcher_wakeup.notify_one();
    Ok(view(&row, now))
}

pub async fn list(state: &AppState, who: &AuthUser) -> Result<Vec<RequestView>, AppError> {
    let (id, now) = (who.id.clone(), state.clock.now_naive());
    let views = state
        .db
        .run(move |c| {
            let rows = match_requests::for_user(c, &id)?;
            rows.iter()
                .map(|r| with_offer(c, r, now))
                .collect::<Result<Vec<_>, AppError>>()
        })
        .await?;
    with_alternatives(state, views).await
}

/// The view, with the open offer attached while the request is in one.
fn with_offer(
    c: &mut crate::db::DbConn,
    r: &MatchRequest,
    now: NaiveDateTime,
) -> Result<RequestView, AppError> {
    let mut v = view(r, now);
    if r.status == match_offers::OFFERED {
        v.offer = super::offers::for_request(c, &r.id)?;
    }
    Ok(v)
}

async fn own(state: &AppState, who: &AuthUser, id: &str) -> Result<MatchRequest, AppError> {
    let id = crate::domain::ids::parse_uuid(id).ok_or(AppError::NotFound)?;
    let user = who.id.clone();
    state
        .db
        .run(move |c| {
            match_requests::find(c, &id)?
                .filter(|r| r.user_id == user)
                .ok_or(AppError::NotFound)
        })
        .await
}

pub async fn get(state: &AppState, who: &AuthUser, id: &str) -> Result<RequestView, AppError> {
    let r = own(state, who, id).await?;
    let now = state.clock.now_naive();
    let v = state.db.run(move |c| with_offer(c, &r, now)).await?;
    let mut one = with_alternatives(state, vec![v]).await?;
    one.pop().ok_or(AppError::NotFound)
}

/// `DELETE /match-requests/{id}`: cancels a waiting request (a matched one stays matched).
pub async fn cancel(state: &AppState, who: &AuthUser, id: &str) -> Result<RequestView, AppError> {
    let r = own(state, who, id).await?;
    let (rid, user, now) = (r.id.clone(), who.id.clone(), state.clock.now_naive());
    let updated = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<MatchRequest, AppError> {
                if match_requests::cancel(c, &rid, &user, now)? == 0 {
                    return Err(AppError::conflict(
                        "request_not_waiting",
                        "Only a waiting request can be cancelled.",
                    ));
                }
                match_requests::find(c, &rid)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    Ok(view(&updated, now))
}
