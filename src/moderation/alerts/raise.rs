//! Safety alerts: a message that matched a crisis-language rule is flagged, a safety alert
//! opens for moderators, and every active moderator is emailed through the outbox — all in
//! the caller's transaction, so a stored crisis message never exists without its alert and
//! its emails (a human must hear of it even if no moderator is online).
//!
//! Called by the message writer inside its batch transaction. The sender's signposting and
//! the live alert frames to online moderators are sent after the commit, by the writer.

use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::db::messages::{self, NewFlag};
use crate::db::users;
use crate::domain::new_id;
use crate::email::{self, templates};
use crate::error::AppError;
use crate::safety::crisis::Detection;

/// Raises alerts for one batch: reads the moderators' addresses once, on the first alert.
pub struct AlertDesk<'a> {
    rules_version: &'a str,
    public_url: &'a str,
    moderators: Option<Vec<(String, String)>>,
}

impl<'a> AlertDesk<'a> {
    pub fn new(rules_version: &'a str, public_url: &'a str) -> Self {
        AlertDesk {
            rules_version,
            public_url,
            moderators: None,
        }
    }

    /// Flags the stored message `message_id` in `room_id`, opens its alert and queues the
    /// moderators' emails; returns the alert's id.
    pub fn raise(
        &mut self,
        c: &mut DbConn,
        message_id: &str,
        room_id: &str,
        d: &Detection,
        now: NaiveDateTime,
    ) -> Result<String, AppError> {
        let alert_id = new_id();
        messages::insert_flag(
            c,
            &NewFlag {
                flag_id: &new_id(),
                alert_id: &alert_id,
                message_id,
                room_id,
                rule_id: &d.rule_id,
                rules_version: self.rules_version,
                severity: d.severity.as_str(),
                now,
            },
        )?;
        if self.moderators.is_none() {
            self.moderators = Some(users::moderator_addresses(c)?);
        }
        for (id, addr) in self.moderators.iter().flatten() {
            let mail =
                templates::safety_alert(addr, self.public_url, d.severity.as_str(), &alert_id);
            email::enqueue(c, Some(id), &mail, now)?;
        }
        Ok(alert_id)
    }
}
