//! Becoming a peer volunteer: one open application at a time, moderators approve or reject
//! (audited in the same transaction, the applicant emailed), and the volunteer's own settings.
//!
//! Decisions where the issue is silent: the email must be verified to apply; a moderator may
//! not decide their own application; approval makes a `member` a `volunteer` (a moderator or
//! admin keeps their role and gains the volunteer record, and counts as a volunteer); the
//! approval note is not shown in the app (it is in the audit log, and in the person's own
//! export), the rejection reason is sent to the applicant; a new record starts accepting, with
//! one-to-one capacity 2 and one group; approval without a date uses completion + 12 months
//! and is refused if that has already passed; settings left out of `PUT /me/volunteer` keep
//! their current values.
//!
//! Renewal (`renew.rs`, `renewal_decision.rs`): training is current for 12 months after its
//! completion (or until the date a moderator gives on approval). A volunteer, expired or
//! not, sends a renewed record (course, completion date, optional certificate); it must not
//! be in the future, must still be current (completed within 12 months) and must extend the
//! record on file. One renewal waits at a time. Moderators see pending renewals beside pending
//! applications in `GET /moderation/volunteer-applications` and approve (the new expiry
//! applies at once, so an expired volunteer is matched again) or reject them (with a reason
//! sent to the volunteer); both are audited and emailed. Until approval the record on file
//! stands: an expired volunteer stays out of matching, a current one keeps matching.
//!
//! Withdrawal (`withdraw.rs`): a moderator withdraws volunteer status with a reason; the
//! volunteer stops being offered matches at once, is told the reason, and leaves the rooms
//! they facilitate — one-to-one rooms end with notice to their members, groups stay open with
//! their members and the moderators told (see that file for the details).

mod apply;
mod decide;
mod fields;
mod renew;
mod renewal_decision;
mod settings;
mod view;
mod withdraw;

pub use apply::{ApplicationIn, apply, mine};
pub use decide::{approve, queue, reject};
pub use fields::TrainingIn;
pub use renew::{my_renewals, renew};
pub use renewal_decision::{approve_renewal, reject_renewal, renewal_queue};
pub use settings::{VolunteerSettingsIn, put_settings};
pub use view::{ApplicationView, QueuedApplication, QueuedRenewal, RenewalView, TrainingView};
pub use withdraw::{Withdrawal, withdraw};

pub const MAX_STATEMENT_CHARS: usize = 2000;
pub const MAX_NOTE_CHARS: usize = 500;
pub const DEFAULT_ONE_TO_ONE_CAPACITY: i32 = 2;
pub const DEFAULT_MAX_GROUPS: i32 = 1;
/// How long training stays current after its completion, unless a moderator says otherwise.
pub const TRAINING_VALID_MONTHS: u32 = 12;
