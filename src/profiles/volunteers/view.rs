//! What the API shows of an application or a training renewal: [`ApplicationView`] and
//! [`RenewalView`] for the volunteer, [`QueuedApplication`] and [`QueuedRenewal`] for
//! moderators, decoded from the stored rows.
//!
//! The approval note is never in the volunteer's view; only a rejection reason is.

use chrono::NaiveDate;
use serde::Serialize;

use crate::db::volunteer_renewals::Renewal;
use crate::db::volunteers::{Application, STATUS_REJECTED};
use crate::domain::time::ts;
use crate::error::AppError;

#[derive(Debug, Serialize)]
pub struct TrainingView {
    pub course: String,
    pub completed_on: NaiveDate,
    pub certificate_ref: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ApplicationView {
    pub id: String,
    pub status: String,
    pub motivation: String,
    pub lived_experience: String,
    pub conditions: Vec<String>,
    pub training: TrainingView,
    pub created_at: String,
    pub decided_at: Option<String>,
    /// The rejection reason (approval notes stay in the audit log).
    pub reason: Option<String>,
}

/// What moderators see in the queue.
#[derive(Debug, Serialize)]
pub struct QueuedApplication {
    #[serde(flatten)]
    pub application: ApplicationView,
    pub user_id: String,
    pub display_name: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
}

pub(super) fn view(a: &Application) -> Result<ApplicationView, AppError> {
    Ok(ApplicationView {
        id: a.id.clone(),
        status: a.status.clone(),
        motivation: a.motivation.clone(),
        lived_experience: a.lived_experience.clone(),
        conditions: serde_json::from_str(&a.conditions).map_err(AppError::internal)?,
        training: TrainingView {
            course: a.training_course.clone(),
            completed_on: a.training_completed_on,
            certificate_ref: a.certificate_ref.clone(),
        },
        created_at: ts(a.created_at),
        decided_at: a.decided_at.map(ts),
        reason: (a.status == STATUS_REJECTED)
            .then(|| a.decision_note.clone())
            .flatten(),
    })
}

#[derive(Debug, Serialize)]
pub struct RenewalView {
    pub id: String,
    pub status: String,
    pub training: TrainingView,
    /// The expiry the approval applied (null until approved).
    pub training_expires_on: Option<NaiveDate>,
    pub created_at: String,
    pub decided_at: Option<String>,
    /// The rejection reason (approval notes stay in the audit log).
    pub reason: Option<String>,
}

/// A renewal in the moderators' queue.
#[derive(Debug, Serialize)]
pub struct QueuedRenewal {
    #[serde(flatten)]
    pub renewal: RenewalView,
    pub user_id: String,
    pub display_name: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
}

pub(super) fn renewal_view(r: &Renewal) -> RenewalView {
    RenewalView {
        id: r.id.clone(),
        status: r.status.clone(),
        training: TrainingView {
            course: r.training_course.clone(),
            completed_on: r.training_completed_on,
            certificate_ref: r.certificate_ref.clone(),
        },
        training_expires_on: r.training_expires_on,
        created_at: ts(r.created_at),
        decided_at: r.decided_at.map(ts),
        reason: (r.status == STATUS_REJECTED)
            .then(|| r.decision_note.clone())
            .flatten(),
    }
}
