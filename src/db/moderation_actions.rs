//! `moderation_actions`: one row per thing a moderator did to a person. The services in
//! `moderation/` write it in the same transaction as the state change and the audit row;
//! the queue (prior actions), the sanction ladder (strikes) and appeals read it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::moderation_actions;

/// A stored action. Holds ids, kinds and the moderator's stated reason: no message bodies.
#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = moderation_actions)]
pub struct ActionRow {
    pub id: String,
    pub kind: String,
    pub actor_id: String,
    pub target_user_id: String,
    pub room_id: Option<String>,
    pub message_id: Option<String>,
    pub category: Option<String>,
    pub reason: String,
    pub source_type: Option<String>,
    pub source_id: Option<String>,
    pub until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub reversed_at: Option<NaiveDateTime>,
    pub reversed_by: Option<String>,
    pub reversed_reason: Option<String>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = moderation_actions)]
pub struct NewAction<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub actor_id: &'a str,
    pub target_user_id: &'a str,
    pub room_id: Option<&'a str>,
    pub message_id: Option<&'a str>,
    pub category: Option<&'a str>,
    pub reason: &'a str,
    pub source_type: Option<&'a str>,
    pub source_id: Option<&'a str>,
    pub until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewAction<'_>) -> QueryResult<()> {
    diesel::insert_into(moderation_actions::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<ActionRow>> {
    moderation_actions::table
        .find(id)
        .select(ActionRow::as_select())
        .first(conn)
        .optional()
}

/// Every action taken against `user_id`, newest first (the queue's prior actions, strikes,
/// the person's own view of what was done to them).
pub fn against(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ActionRow>> {
    moderation_actions::table
        .filter(moderation_actions::target_user_id.eq(user_id))
        .order((
            moderation_actions::created_at.desc(),
            moderation_actions::id.desc(),
        ))
        .select(ActionRow::as_select())
        .load(conn)
}

/// Marks an action reversed (an appeal overturned it or a moderator lifted it). Only the
/// first reversal counts: returns 0 when it was already reversed.
pub fn mark_reversed(
    conn: &mut DbConn,
    id: &str,
    by: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        moderation_actions::table
            .filter(moderation_actions::id.eq(id))
            .filter(moderation_actions::reversed_at.is_null()),
    )
    .set((
        moderation_actions::reversed_at.eq(Some(now)),
        moderation_actions::reversed_by.eq(Some(by)),
        moderation_actions::reversed_reason.eq(Some(reason)),
    ))
    .execute(conn)
}

// ---- Sanctions and appeals ----

/// The newest action of `kind` against `user_id` (in `room_id` when given) that is not
/// reversed: what an unmute, unhide or reinstatement lifts.
pub fn latest_standing(
    conn: &mut DbConn,
    user_id: &str,
    kinds: &[&str],
    room_id: Option<&str>,
    message_id: Option<&str>,
) -> QueryResult<Vec<ActionRow>> {
    let mut q = moderation_actions::table
        .filter(moderation_actions::target_user_id.eq(user_id))
        .filter(moderation_actions::kind.eq_any(kinds))
        .filter(moderation_actions::reversed_at.is_null())
        .into_boxed();
    if let Some(r) = room_id {
        q = q.filter(moderation_actions::room_id.eq(r));
    }
    if let Some(m) = message_id {
        q = q.filter(moderation_actions::message_id.eq(m));
    }
    q.order((
        moderation_actions::created_at.desc(),
        moderation_actions::id.desc(),
    ))
    .select(ActionRow::as_select())
    .load(conn)
}
