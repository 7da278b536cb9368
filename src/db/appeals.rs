//! `appeals`: one per moderation action, by the person actioned (a unique index on
//! `action_id` makes a second one a conflict, even when two arrive at once).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::appeals;

pub const OPEN: &str = "open";
pub const UPHELD: &str = "upheld";
pub const OVERTURNED: &str = "overturned";

/// A stored appeal. Holds the person's own text: never logged.
#[derive(Queryable, Selectable, Insertable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = appeals)]
pub struct Appeal {
    pub id: String,
    pub action_id: String,
    pub user_id: String,
    pub text: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
}

pub fn insert(conn: &mut DbConn, a: &Appeal) -> QueryResult<()> {
    diesel::insert_into(appeals::table)
        .values(a)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Appeal>> {
    appeals::table
        .find(id)
        .select(Appeal::as_select())
        .first(conn)
        .optional()
}

pub fn of_action(conn: &mut DbConn, action_id: &str) -> QueryResult<Option<Appeal>> {
    appeals::table
        .filter(appeals::action_id.eq(action_id))
        .select(Appeal::as_select())
        .first(conn)
        .optional()
}

/// The person's appeals, newest first.
pub fn by_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Appeal>> {
    appeals::table
        .filter(appeals::user_id.eq(user_id))
        .order((appeals::created_at.desc(), appeals::id.desc()))
        .select(Appeal::as_select())
        .load(conn)
}

/// The moderators' list: open appeals oldest first, then decided ones newest first; at most
/// `limit` of each.
pub fn queue(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Appeal>> {
    let mut out: Vec<Appeal> = appeals::table
        .filter(appeals::status.eq(OPEN))
        .order((appeals::created_at.asc(), appeals::id.asc()))
        .limit(limit)
        .select(Appeal::as_select())
        .load(conn)?;
    out.extend(
        appeals::table
            .filter(appeals::status.ne(OPEN))
            .order((appeals::decided_at.desc(), appeals::id.desc()))
            .limit(limit)
            .select(Appeal::as_select())
            .load::<Appeal>(conn)?,
    );
    Ok(out)
}

/// Decides an open appeal; 0 if it was decided already (by a concurrent moderator).
pub fn decide(
    conn: &mut DbConn,
    id: &str,
    status: &str,
    by: &str,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        appeals::table
            .filter(appeals::id.eq(id))
            .filter(appeals::status.eq(OPEN)),
    )
    .set((
        appeals::status.eq(status),
        appeals::decided_at.eq(Some(now)),
        appeals::decided_by.eq(Some(by)),
        appeals::note.eq(Some(note)),
    ))
    .execute(conn)
}

/// Erasure: the person's appeals (their own words) go with their account.
pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(appeals::table.filter(appeals::user_id.eq(user_id))).execute(conn)
}
