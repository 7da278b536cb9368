//! Undoing a sanction when an appeal overturns it: unhide, unmute, restore a removed
//! membership (if the room is still open), lift a suspension or a ban. Runs in the caller's
//! transaction and returns what open sockets must hear after the commit. A warning has
//! nothing to undo beyond being marked reversed.

use chrono::NaiveDateTime;

use crate::db::moderation_actions::ActionRow;
use crate::db::{DbConn, hidden_messages, room_sanctions, users};
use crate::error::AppError;
use crate::realtime::{Fact, Seat};

/// The kinds of action a person may appeal: the sanctions, not their liftings.
pub const APPEALABLE: &[&str] = &["warn", "hide", "mute", "remove", "suspend", "ban"];

/// Restores what `a` took away, where that is still possible.
pub fn undo(c: &mut DbConn, a: &ActionRow, now: NaiveDateTime) -> Result<Vec<Fact>, AppError> {
    let user = a.target_user_id.as_str();
    let mut facts = Vec::new();
    match a.kind.as_str() {
        "hide" => {
            if let Some(m) = &a.message_id
                && hidden_messages::hidden_by(c, m)?.as_deref() == Some(a.id.as_str())
            {
                hidden_messages::delete(c, m)?;
                facts.push(Fact::MessageHidden {
                    room_id: a.room_id.clone().unwrap_or_default(),
                    message_id: m.clone(),
                    hidden: false,
                });
            }
        }
        "mute" => {
            if let Some(r) = &a.room_id {
                room_sanctions::set_muted_until(c, r, user, None)?;
            }
        }
        "remove" => {
            if let Some(r) = &a.room_id
                && room_sanctions::rejoin(c, r, user)? == 1
            {
                facts.push(Fact::Seated {
                    room_id: r.clone(),
                    seats: vec![Seat {
                        user_id: user.to_string(),
                        request_id: None,
                    }],
                });
            }
        }
        "suspend" => {
            users::set_suspended_until(c, user, None, now)?;
        }
        "ban" => {
            users::set_status(c, user, users::STATUS_ACTIVE, now)?;
        }
        _ => {}
    }
    Ok(facts)
}
