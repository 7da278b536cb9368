//! Reports (SAFE-SG-6, T34): a member reports a message, a member or a room; moderators work
//! the queue; the reporter hears the outcome. Filing and the reporter's own view are in
//! [`file`], the queue in [`queue`], claiming and resolving in [`decide`].
//!
//! The model: a *case* (`reports` row) is one target while it is open, however many people
//! reported it; each reporter's own report is a *filing* (`report_filings`), and the id a
//! reporter sees is their filing's id. The queue and `/moderation/reports/{id}` use case ids.
//!
//! What it must never do: tell the reported person who reported them. No response, frame,
//! export row or email the reported person receives names a reporter. Audit rows of reports
//! name the reporter only next to the report's own id, never next to the reported person's, so
//! the reported person's export (`audit::involving`) holds no trace of who reported them.
//! Even moderators see how many people reported and what they said, not who they are: the
//! database keeps the reporters for audit (e.g. a review of malicious reporting).
//!
//! Decisions where the issue is silent:
//! - Visibility: a message can be reported by a current member of its room (members read the
//!   whole history) or by a former member if it was written before they left; a member by someone who
//!   shares or shared a room with them; a room by someone who is or was in it. Anything else,
//!   and an id that is not a UUID, is the same `404 not_found` as a missing target. Reporting
//!   yourself or your own message is `422 cannot_report_self` (it reveals nothing).
//! - Folding: a repeat by the same reporter of the same target returns their first report
//!   (same id, 200, unchanged) while its case is open; a message stays folded even after its
//!   case closed (the decision on that message stands; appeals are the way back), while a member
//!   or a room may be reported afresh once the earlier case is closed (it is new behaviour).
//!   Other reporters join the open case; its category becomes the most severe any gave.
//! - A case is due `KINDRED_REPORT_TARGET_HOURS` (24) after its first filing.
//! - Opening an item is an explicit `POST /moderation/reports/{id}/claim` (`received` →
//!   `in_review`); resolving an unclaimed item claims it in the same transaction. Each
//!   reporter hears `report_update` at both steps; the email comes only at the close.
//! - The queue lists open cases first (by severity, then oldest first), then closed ones in
//!   the same order; the cursor `before` is the last item's `cursor`.
//! - Context: for a message, up to three messages either side of it; for a room, its newest
//!   five; for a member, none (their prior actions are there). Each item that shows room
//!   content writes a `report_context_viewed` audit row (actor: the moderator; target: the
//!   room; reason: the case id), in the same transaction as the read.

pub mod decide;
pub mod file;
pub mod queue;

use crate::error::AppError;
use crate::moderation::ladder::CATEGORIES;

/// Longest `detail` a reporter may give, in characters after trimming.
pub const MAX_DETAIL_CHARS: usize = 2000;
/// Longest sentence a moderator sends the reporter.
pub const MAX_OUTCOME_MESSAGE_CHARS: usize = 1000;
/// Longest private note on a resolution.
pub const MAX_NOTE_CHARS: usize = 4000;
/// Most actions one resolution may link.
pub const MAX_LINKED_ACTIONS: usize = 20;

/// What the reporter is told when a moderator opens their report.
pub const IN_REVIEW_MESSAGE: &str = "A moderator is looking at your report now.";

/// `message`, `user` or `room`.
pub const TARGET_TYPES: [&str; 3] = ["message", "user", "room"];

/// A category's place in the queue (0 = most severe).
pub fn severity_rank(category: &str) -> Option<i32> {
    CATEGORIES
        .iter()
        .position(|c| *c == category)
        .and_then(|i| i32::try_from(i).ok())
}

/// Closed cases sort after every open one, in the same severity order.
pub const CLOSED_RANK_OFFSET: i32 = 5;

fn category_of(raw: &str) -> Result<(&'static str, i32), AppError> {
    CATEGORIES
        .iter()
        .zip(0..)
        .find(|(c, _)| **c == raw)
        .map(|(c, i)| (*c, i))
        .ok_or_else(|| {
            AppError::validation(
                "invalid_category",
                format!("category must be one of {}", CATEGORIES.join(", ")),
            )
        })
}

/// Trims `raw` and bounds it; empty is refused when `required`, else None.
fn bounded(
    raw: Option<&str>,
    max: usize,
    code: &'static str,
    field: &str,
    required: bool,
) -> Result<Option<String>, AppError> {
    let t = raw.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return if required {
            Err(AppError::validation(
                code,
                format!("{field} must not be empty"),
            ))
        } else {
            Ok(None)
        };
    }
    if t.chars().count() > max {
        return Err(AppError::validation(
            code,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(Some(t.to_string()))
}
