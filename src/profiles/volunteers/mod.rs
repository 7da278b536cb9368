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

mod apply;
mod decide;
mod fields;
mod settings;
mod view;

pub use apply::{ApplicationIn, TrainingIn, apply, mine};
pub use decide::{approve, queue, reject};
pub use settings::{VolunteerSettingsIn, put_settings};
pub use view::{ApplicationView, QueuedApplication, TrainingView};

pub const MAX_STATEMENT_CHARS: usize = 2000;
pub const MAX_NOTE_CHARS: usize = 500;
pub const DEFAULT_ONE_TO_ONE_CAPACITY: i32 = 2;
pub const DEFAULT_MAX_GROUPS: i32 = 1;
