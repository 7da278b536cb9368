//! `hidden_messages`: which messages a moderator hid, and by which action. The message row
//! and its body stay as written (a moderator never edits member text); every read members
//! see (history, resume, gap fill) asks here and blanks what is hidden.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::hidden_messages;

pub fn insert(
    conn: &mut DbConn,
    message_id: &str,
    action_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(hidden_messages::table)
        .values((
            hidden_messages::message_id.eq(message_id),
            hidden_messages::action_id.eq(action_id),
            hidden_messages::hidden_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The action that hid `message_id`, if it is hidden.
pub fn hidden_by(conn: &mut DbConn, message_id: &str) -> QueryResult<Option<String>> {
    hidden_messages::table
        .find(message_id)
        .select(hidden_messages::action_id)
        .first(conn)
        .optional()
}

/// Unhides; 1 if it was hidden.
pub fn delete(conn: &mut DbConn, message_id: &str) -> QueryResult<usize> {
    diesel::delete(hidden_messages::table.find(message_id)).execute(conn)
}

/// Which of `ids` (one page of messages, at most a few hundred) are hidden.
pub fn among(conn: &mut DbConn, ids: &[String]) -> QueryResult<HashSet<String>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut out = HashSet::new();
    for chunk in ids.chunks(super::IDS_PER_QUERY) {
        out.extend(
            hidden_messages::table
                .filter(hidden_messages::message_id.eq_any(chunk))
                .select(hidden_messages::message_id)
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}
