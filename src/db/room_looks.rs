//! `room_looks`: a moderator's time-limited, reasoned look into one room's content.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::room_looks;

#[derive(Queryable, Selectable, Insertable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = room_looks)]
pub struct Look {
    pub id: String,
    pub moderator_id: String,
    pub room_id: String,
    pub reason: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, look: &Look) -> QueryResult<()> {
    diesel::insert_into(room_looks::table)
        .values(look)
        .execute(conn)
        .map(|_| ())
}

/// The moderator's look into `room` still open at `now`, the latest if several.
pub fn open_for(
    conn: &mut DbConn,
    moderator: &str,
    room: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Look>> {
    room_looks::table
        .filter(room_looks::moderator_id.eq(moderator))
        .filter(room_looks::room_id.eq(room))
        .filter(room_looks::expires_at.gt(now))
        .order(room_looks::expires_at.desc())
        .select(Look::as_select())
        .first(conn)
        .optional()
}

/// Every look one moderator opened, oldest first (their export).
pub fn by_moderator(conn: &mut DbConn, moderator: &str) -> QueryResult<Vec<Look>> {
    room_looks::table
        .filter(room_looks::moderator_id.eq(moderator))
        .order((room_looks::created_at.asc(), room_looks::id.asc()))
        .select(Look::as_select())
        .load(conn)
}
