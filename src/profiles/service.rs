//! The member's own profile: the `/me` view with its derived facts, the profile patch,
//! conditions, lived experience and check-ins. Each write is one transaction.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::checkin;
use super::model::{self, Language, Profile, ProfilePatch, Sharing, Slot, SupportPreferences};
use super::vocab::Vocabulary;
use crate::auth::AuthUser;
use crate::auth::service::UserSummary;
use crate::db::{DbConn, check_ins, profiles, users, volunteers, write_tx};
use crate::domain::{DisplayName, new_id};
use crate::error::AppError;
use crate::state::AppState;

/// Most conditions one profile may list.
pub const MAX_CONDITIONS: usize = 20;

#[derive(Debug, Clone, Serialize)]
pub struct Restriction {
    pub action: &'static str,
    pub reason: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConditionView {
    pub id: String,
    pub label: String,
    pub group: String,
    pub diagnosed_year: Option<i32>,
    pub primary: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExperienceView {
    pub id: String,
    pub label: String,
    pub sensitive: bool,
    /// Whether it may appear in match explanations (the member's sharing choice).
    pub shared: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Confidence {
    /// Engine band 1–4 from the latest SEMCD-6 check-in.
    pub level: u8,
    pub checked_in_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VolunteerView {
    /// `none`, `pending`, `rejected`, `active`, `not_accepting` or `training_expired`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepting: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_to_one_capacity: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_groups: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions_supported: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training_expires_on: Option<NaiveDate>,
    /// Eligible to be matched as a volunteer now.
    pub eligible_for_matching: bool,
}

/// `GET /me`: the account, the profile, and what follows from them.
#[derive(Debug, Clone, Serialize)]
pub struct MeView {
    #[serde(flatten)]
    pub user: UserSummary,
    pub email: Option<String>,
    pub created_at: String,
    pub pronouns: Option<String>,
    pub bio: Option<String>,
    pub languages: Vec<Language>,
    pub timezone: Option<String>,
    pub age_band: Option<String>,
    pub gender: Option<String>,
    pub availability: Vec<Slot>,
    pub support_preferences: SupportPreferences,
    pub sharing: Sharing,
    pub conditions: Vec<ConditionView>,
    pub experiences: Vec<ExperienceView>,
    pub confidence: Option<Confidence>,
    pub volunteer: VolunteerView,
    /// What the account may not do yet, and why.
    pub restrictions: Vec<Restriction>,
}

use crate::domain::time::ts;

fn internal(e: serde_json::Error) -> AppError {
    AppError::internal(e)
}

/// Decodes the stored profile (an absent row is the default profile).
pub fn decode(row: Option<profiles::ProfileRow>) -> Result<Profile, AppError> {
    let Some(r) = row else {
        return Ok(Profile::default());
    };
    Ok(Profile {
        pronouns: r.pronouns,
        bio: r.bio,
        languages: serde_json::from_str(&r.languages).map_err(internal)?,
        timezone: r.timezone,
        age_band: r.age_band,
        gender: r.gender,
        availability: serde_json::from_str(&r.availability).map_err(internal)?,
        support_preferences: if r.support_preferences == "{}" {
            SupportPreferences::default()
        } else {
            serde_json::from_str(&r.support_preferences).map_err(internal)?
        },
        sharing: if r.sharing == "{}" {
            Sharing::default()
        } else {
            serde_json::from_str(&r.sharing).map_err(internal)?
        },
    })
}

fn encode(
    user_id: &str,
    p: &Profile,
    now: NaiveDateTime,
) -> Result<profiles::ProfileRow, AppError> {
    Ok(profiles::ProfileRow {
        user_id: user_id.to_string(),
        pronouns: p.pronouns.clone(),
        bio: p.bio.clone(),
        languages: serde_json::to_string(&p.languages).map_err(internal)?,
        timezone: p.timezone.clone(),
        age_band: p.age_band.clone(),
        gender: p.gender.clone(),
        availability: serde_json::to_string(&p.availability).map_err(internal)?,
        support_preferences: serde_json::to_string(&p.support_preferences).map_err(internal)?,
        sharing: serde_json::to_string(&p.sharing).map_err(internal)?,
        updated_at: now,
    })
}

/// The volunteer status and eligibility on `today`.
pub fn volunteer_view(
    record: Option<&volunteers::Volunteer>,
    latest_application: Option<&volunteers::Application>,
    role: &str,
    today: NaiveDate,
) -> Result<VolunteerView, AppError> {
    let none = |status| VolunteerView {
        status,
        accepting: None,
        one_to_one_capacity: None,
        max_groups: None,
        conditions_supported: None,
        training_expires_on: None,
        eligible_for_matching: false,
    };
    match record {
        // Any role above member keeps its volunteer record: a moderator may also volunteer.
        // A volunteer demoted to member loses the status (and matching) with the role.
        Some(v) if role != "member" => {
            let expired = v.training_expires_on < today;
            let status = if expired {
                "training_expired"
            } else if !v.accepting {
                "not_accepting"
            } else {
                "active"
            };
            Ok(VolunteerView {
                status,
                accepting: Some(v.accepting),
                one_to_one_capacity: Some(v.one_to_one_capacity),
                max_groups: Some(v.max_groups),
                conditions_supported: Some(
                    serde_json::from_str(&v.conditions_supported).map_err(internal)?,
                ),
                training_expires_on: Some(v.training_expires_on),
                eligible_for_matching: status == "active",
            })
        }
        _ => Ok(match latest_application.map(|a| a.status.as_str()) {
            Some(volunteers::STATUS_PENDING) => none("pending"),
            Some(volunteers::STATUS_REJECTED) => none("rejected"),
            _ => none("none"),
        }),
    }
}

/// Builds the `/me` view inside an open connection.
pub fn load_me(
    c: &mut DbConn,
    vocab: &Vocabulary,
    user_id: &str,
    today: NaiveDate,
) -> Result<MeView, AppError> {
    let user = users::find(c, user_id)?.ok_or(AppError::NotFound)?;
    let profile = decode(profiles::find(c, user_id)?)?;
    let conditions = profiles::conditions(c, user_id)?;
    let experiences = profiles::experiences(c, user_id)?;
    let latest = check_ins::latest(c, user_id)?;
    let record = volunteers::find_volunteer(c, user_id)?;
    let applications = volunteers::applications_of(c, user_id)?;
    let volunteer = volunteer_view(record.as_ref(), applications.first(), &user.role, today)?;

    let mut restrictions = Vec::new();
    if user.email_verified_at.is_none() {
        for action in ["request_match", "join_rooms", "apply_to_volunteer"] {
            restrictions.push(Restriction {
                action,
                reason: "email_not_verified",
            });
        }
    }
    if !profile.languages.iter().any(|l| l.session) {
        restrictions.push(Restriction {
            action: "request_match",
            reason: "no_session_language",
        });
    }
    if conditions.is_empty() {
        restrictions.push(Restriction {
            action: "request_match",
            reason: "no_conditions",
        });
    }
    Ok(MeView {
        user: UserSummary::from(&user),
        email: user.email.clone(),
        created_at: ts(user.created_at),
        conditions: conditions
            .iter()
            .map(|uc| {
                let info = vocab.conditions.get(&uc.condition_id);
                ConditionView {
                    id: uc.condition_id.clone(),
                    label: info.map(|i| i.label.clone()).unwrap_or_default(),
                    group: info.map(|i| i.group_id.clone()).unwrap_or_default(),
                    diagnosed_year: uc.diagnosed_year,
                    primary: uc.is_primary,
                }
            })
            .collect(),
        experiences: experiences
            .iter()
            .map(|id| {
                let info = vocab.experiences.get(id);
                let sensitive = info.is_some_and(|i| i.sensitive);
                ExperienceView {
                    id: id.clone(),
                    label: info.map(|i| i.label.clone()).unwrap_or_default(),
                    sensitive,
                    shared: profile.sharing.shares_experience(id, sensitive),
                }
            })
            .collect(),
        confidence: latest.map(|ci| Confidence {
            level: u8::try_from(ci.level).unwrap_or(0),
            checked_in_at: ts(ci.created_at),
        }),
        volunteer,
        restrictions,
        pronouns: profile.pronouns,
        bio: profile.bio,
        languages: profile.languages,
        timezone: profile.timezone,
        age_band: profile.age_band,
        gender: profile.gender,
        availability: profile.availability,
        support_preferences: profile.support_preferences,
        sharing: profile.sharing,
    })
}

pub async fn get_me(state: &AppState, who: &AuthUser) -> Result<MeView, AppError> {
    let (id, vocab, today) = (
        who.id.clone(),
        state.vocab.clone(),
        state.clock.now().date_naive(),
    );
    state.db.run(move |c| load_me(c, &vocab, &id, today)).await
}

fn name_taken() -> AppError {
    AppError::conflict(
        "display_name_taken",
        "That display name is taken; choose another.",
    )
}

/// `PATCH /me`: the display name and every profile field, validated, in one transaction.
pub async fn patch_me(
    state: &AppState,
    who: &AuthUser,
    patch: ProfilePatch,
) -> Result<MeView, AppError> {
    let name = match &patch.display_name {
        Some(n) => Some(DisplayName::parse(n).map_err(|(code, d)| AppError::validation(code, d))?),
        None => None,
    };
    let (id, vocab, now) = (who.id.clone(), state.vocab.clone(), state.clock.now_naive());
    let today = now.date();
    state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<MeView, AppError> {
                if let Some(name) = &name {
                    if users::display_name_taken(c, name.key(), Some(&id))? {
                        return Err(name_taken());
                    }
                    users::set_display_name(c, &id, name.as_str(), name.key(), now)
                        .map_err(|e| crate::db::unique_or(e, name_taken))?;
                }
                if patch.touches_profile() {
                    let current = decode(profiles::find(c, &id)?)?;
                    let updated = model::apply_patch(current, patch, |e| vocab.is_experience(e))
                        .map_err(|(code, d)| AppError::validation(code, d))?;
                    profiles::save(c, &encode(&id, &updated, now)?)?;
                }
                load_me(c, &vocab, &id, today)
            })
        })
        .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionIn {
    pub id: String,
    pub diagnosed_year: Option<i32>,
    pub primary: Option<bool>,
}

/// `PUT /me/conditions`: replaces the list. Exactly one primary when any are given (a single
/// condition with no flag is taken as primary).
pub async fn put_conditions(
    state: &AppState,
    who: &AuthUser,
    items: Vec<ConditionIn>,
) -> Result<Vec<ConditionView>, AppError> {
    if items.len() > MAX_CONDITIONS {
        return Err(AppError::validation(
            "too_many_conditions",
            "list at most 20 conditions",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for it in &items {
        if !state.vocab.is_condition(&it.id) {
            return Err(AppError::validation(
                "unknown_condition",
                format!("`{}` is not a condition id", it.id),
            ));
        }
        if !seen.insert(it.id.clone()) {
            return Err(AppError::validation(
                "duplicate_condition",
                format!("`{}` is listed twice", it.id),
            ));
        }
    }
    let primaries = items.iter().filter(|i| i.primary == Some(true)).count();
    let single_unflagged = items.len() == 1 && items[0].primary.is_none();
    if !items.is_empty() && primaries != 1 && !single_unflagged {
        return Err(AppError::validation(
            "invalid_primary_condition",
            "mark exactly one condition as primary",
        ));
    }
    let (id, vocab, now) = (who.id.clone(), state.vocab.clone(), state.clock.now_naive());
    let this_year = now.year();
    state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Vec<ConditionView>, AppError> {
                let profile = decode(profiles::find(c, &id)?)?;
                let earliest = profile
                    .age_band
                    .as_deref()
                    .and_then(|b| model::earliest_birth_year(b, this_year))
                    .unwrap_or(1900)
                    .max(1900);
                let mut rows = Vec::new();
                for it in &items {
                    if let Some(y) = it.diagnosed_year
                        && (y > this_year || y < earliest)
                    {
                        return Err(AppError::validation(
                            "invalid_diagnosed_year",
                            format!("diagnosed_year must be between {earliest} and {this_year} (your age band sets the earliest)"),
                        ));
                    }
                    rows.push(profiles::UserCondition {
                        user_id: id.clone(),
                        condition_id: it.id.clone(),
                        diagnosed_year: it.diagnosed_year,
                        is_primary: it.primary == Some(true) || single_unflagged,
                    });
                }
                profiles::replace_conditions(c, &id, &rows)?;
                Ok(load_me(c, &vocab, &id, now.date())?.conditions)
            })
        })
        .await
}

/// `PUT /me/experiences`: replaces the list of lived-experience tags.
pub async fn put_experiences(
    state: &AppState,
    who: &AuthUser,
    ids: Vec<String>,
) -> Result<Vec<ExperienceView>, AppError> {
    let mut seen = std::collections::HashSet::new();
    for e in &ids {
        if !state.vocab.is_experience(e) {
            return Err(AppError::validation(
                "unknown_experience",
                format!("`{e}` is not a lived-experience tag"),
            ));
        }
        if !seen.insert(e.clone()) {
            return Err(AppError::validation(
                "duplicate_experience",
                format!("`{e}` is listed twice"),
            ));
        }
    }
    let (id, vocab, now) = (who.id.clone(), state.vocab.clone(), state.clock.now_naive());
    state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Vec<ExperienceView>, AppError> {
                profiles::replace_experiences(c, &id, &ids)?;
                Ok(load_me(c, &vocab, &id, now.date())?.experiences)
            })
        })
        .await
}

#[derive(Debug, Serialize)]
pub struct CheckInView {
    pub id: String,
    pub score: f64,
    pub level: u8,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct CheckInEntry {
    pub id: String,
    pub answers: Vec<Option<i64>>,
    pub score: f64,
    pub level: u8,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct CheckInHistory {
    pub instrument: &'static str,
    /// Oldest first.
    pub check_ins: Vec<CheckInEntry>,
    /// Latest score minus the first (two decimals); null with fewer than two.
    pub change_since_first: Option<f64>,
    /// Whether that change is at least one point either way.
    pub notable_change: bool,
}

/// `POST /me/check-ins`.
pub async fn post_check_in(
    state: &AppState,
    who: &AuthUser,
    answers: Vec<Option<i64>>,
) -> Result<CheckInView, AppError> {
    let scored =
        checkin::score(&answers).map_err(|e| AppError::validation(e.code(), e.detail()))?;
    let row = check_ins::CheckIn {
        id: new_id(),
        user_id: who.id.clone(),
        instrument: checkin::INSTRUMENT_ID.into(),
        instrument_version: checkin::INSTRUMENT_VERSION.into(),
        wording: checkin::WORDING.into(),
        answers: serde_json::to_string(&answers).map_err(internal)?,
        score: scored.score,
        level: i32::from(scored.level),
        created_at: state.clock.now_naive(),
    };
    let view = CheckInView {
        id: row.id.clone(),
        score: scored.score,
        level: scored.level,
        created_at: ts(row.created_at),
    };
    state
        .db
        .run(move |c| Ok(check_ins::insert(c, &row)?))
        .await?;
    Ok(view)
}

/// `GET /me/check-ins`.
pub async fn list_check_ins(state: &AppState, who: &AuthUser) -> Result<CheckInHistory, AppError> {
    let id = who.id.clone();
    let rows = state
        .db
        .run(move |c| Ok(check_ins::for_user(c, &id)?))
        .await?;
    let scores: Vec<f64> = rows.iter().map(|r| r.score).collect();
    let change = checkin::change_since_first(&scores);
    let mut entries = Vec::with_capacity(rows.len());
    for r in rows {
        entries.push(CheckInEntry {
            answers: serde_json::from_str(&r.answers).map_err(internal)?,
            id: r.id,
            score: r.score,
            level: u8::try_from(r.level).unwrap_or(0),
            created_at: ts(r.created_at),
        });
    }
    Ok(CheckInHistory {
        instrument: checkin::INSTRUMENT_ID,
        check_ins: entries,
        change_since_first: change,
        notable_change: change.is_some_and(checkin::is_notable),
    })
}
