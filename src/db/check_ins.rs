//! Queries on `check_ins`: SEMCD-6 responses (raw answers as JSON text), their score and band.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::check_ins;

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = check_ins)]
pub struct CheckIn {
    pub id: String,
    pub user_id: String,
    pub instrument: String,
    pub instrument_version: String,
    pub wording: String,
    pub answers: String,
    pub score: f64,
    pub level: i32,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &CheckIn) -> QueryResult<()> {
    diesel::insert_into(check_ins::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Oldest first.
pub fn for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<CheckIn>> {
    check_ins::table
        .filter(check_ins::user_id.eq(user_id))
        .order((check_ins::created_at.asc(), check_ins::id.asc()))
        .select(CheckIn::as_select())
        .load(conn)
}

pub fn latest(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<CheckIn>> {
    check_ins::table
        .filter(check_ins::user_id.eq(user_id))
        .order((check_ins::created_at.desc(), check_ins::id.desc()))
        .select(CheckIn::as_select())
        .first(conn)
        .optional()
}

pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(check_ins::table.filter(check_ins::user_id.eq(user_id))).execute(conn)
}

/// The latest check-in of each of `users` who has one, the same row [`latest`] picks (newest
/// `created_at`, then highest id); chunked by [`super::IDS_PER_QUERY`].
pub fn latest_of(conn: &mut DbConn, users: &[String]) -> QueryResult<Vec<CheckIn>> {
    let newer = diesel::alias!(check_ins as newer);
    let mut out = Vec::with_capacity(users.len());
    for chunk in users.chunks(super::IDS_PER_QUERY) {
        let later = newer
            .filter(newer.field(check_ins::user_id).eq(check_ins::user_id))
            .filter(
                newer
                    .field(check_ins::created_at)
                    .gt(check_ins::created_at)
                    .or(newer
                        .field(check_ins::created_at)
                        .eq(check_ins::created_at)
                        .and(newer.field(check_ins::id).gt(check_ins::id))),
            )
            .select(newer.field(check_ins::id));
        out.extend(
            check_ins::table
                .filter(check_ins::user_id.eq_any(chunk))
                .filter(diesel::dsl::not(diesel::dsl::exists(later)))
                .select(CheckIn::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}
