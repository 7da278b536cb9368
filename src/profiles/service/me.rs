//! The `/me` view (account, profile, derived facts and restrictions) and the profile patch.

use chrono::NaiveDate;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::auth::service::UserSummary;
use crate::db::{DbConn, check_ins, profiles, users, volunteers, write_tx};
use crate::domain::DisplayName;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::profiles::model::{self, Language, ProfilePatch, Sharing, Slot, SupportPreferences};
use crate::profiles::vocab::Vocabulary;
use crate::state::AppState;

use super::{decode, encode, internal};

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
    /// `none`, `pending`, `rejected`, `active`, `not_accepting`, `training_expired` or
    /// `withdrawn`.
    pub status: &'static str,
    /// Why a moderator withdrew volunteer status (only when `withdrawn`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawal_reason: Option<String>,
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

/// The volunteer status and eligibility on `today`.
pub fn volunteer_view(
    record: Option<&volunteers::Volunteer>,
    latest_application: Option<&volunteers::Application>,
    role: &str,
    today: NaiveDate,
) -> Result<VolunteerView, AppError> {
    let none = |status| VolunteerView {
        status,
        withdrawal_reason: None,
        accepting: None,
        one_to_one_capacity: None,
        max_groups: None,
        conditions_supported: None,
        training_expires_on: None,
        eligible_for_matching: false,
    };
    // A withdrawn record is shown with its reason, until the person applies afresh.
    if let Some(at) = record.and_then(|v| v.withdrawn_at)
        && latest_application.is_none_or(|a| a.created_at <= at)
    {
        return Ok(VolunteerView {
            withdrawal_reason: record.and_then(|v| v.withdrawal_reason.clone()),
            ..none("withdrawn")
        });
    }
    match record.filter(|v| v.withdrawn_at.is_none()) {
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
                withdrawal_reason: None,
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
        // A name that reads as contact details is refused first (SAFE-SG-8).
        Some(n) => Some(
            crate::safety::personal_info::display_name_problem(n)
                .map_or_else(|| DisplayName::parse(n), Err)
                .map_err(|(code, d)| AppError::validation(code, d))?,
        ),
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
