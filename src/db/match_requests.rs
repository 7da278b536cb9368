//! Queries on `match_requests`. A request is claimed by a conditional update on
//! `status = 'waiting'`, so a tick that runs twice, or two instances, never match it twice.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::match_requests;

pub const WAITING: &str = "waiting";
pub const MATCHED: &str = "matched";
pub const CANCELLED: &str = "cancelled";
pub const EXPIRED: &str = "expired";

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = match_requests)]
pub struct MatchRequest {
    pub id: String,
    pub user_id: String,
    pub format: String,
    pub focus_condition: String,
    pub experience_tags: String,
    pub status: String,
    pub room_id: Option<String>,
    pub explanation: Option<String>,
    pub relax_step: i32,
    pub created_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, r: &MatchRequest) -> QueryResult<()> {
    diesel::insert_into(match_requests::table)
        .values(r)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<MatchRequest>> {
    match_requests::table
        .find(id)
        .select(MatchRequest::as_select())
        .first(conn)
        .optional()
}

/// A person's requests, newest first.
pub fn for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<MatchRequest>> {
    match_requests::table
        .filter(match_requests::user_id.eq(user_id))
        .order((match_requests::created_at.desc(), match_requests::id.desc()))
        .select(MatchRequest::as_select())
        .load(conn)
}

/// Whether the person has an open request (waiting, or in an offer) of this format.
pub fn has_waiting(conn: &mut DbConn, user_id: &str, format: &str) -> QueryResult<bool> {
    Ok(match_requests::table
        .filter(match_requests::user_id.eq(user_id))
        .filter(match_requests::format.eq(format))
        .filter(match_requests::status.eq_any([WAITING, "offered"]))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// The waiting pool, oldest first.
pub fn waiting(conn: &mut DbConn) -> QueryResult<Vec<MatchRequest>> {
    match_requests::table
        .filter(match_requests::status.eq(WAITING))
        .order((match_requests::created_at.asc(), match_requests::id.asc()))
        .select(MatchRequest::as_select())
        .load(conn)
}

/// Claims a waiting request for a room; 1 if this call claimed it.
pub fn claim(
    conn: &mut DbConn,
    id: &str,
    room_id: &str,
    explanation: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        match_requests::table
            .find(id)
            .filter(match_requests::status.eq(WAITING)),
    )
    .set((
        match_requests::status.eq(MATCHED),
        match_requests::room_id.eq(room_id),
        match_requests::explanation.eq(explanation),
        match_requests::closed_at.eq(now),
    ))
    .execute(conn)
}

/// Cancels a waiting request of `user_id`; 1 if it was waiting.
pub fn cancel(
    conn: &mut DbConn,
    id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        match_requests::table
            .find(id)
            .filter(match_requests::user_id.eq(user_id))
            .filter(match_requests::status.eq(WAITING)),
    )
    .set((
        match_requests::status.eq(CANCELLED),
        match_requests::closed_at.eq(now),
    ))
    .execute(conn)
}

pub fn set_relax_step(conn: &mut DbConn, id: &str, step: i32) -> QueryResult<usize> {
    diesel::update(
        match_requests::table
            .find(id)
            .filter(match_requests::relax_step.lt(step)),
    )
    .set(match_requests::relax_step.eq(step))
    .execute(conn)
}

/// The waiting ladder: raises a *waiting* request's relaxation step to `step`; 1 if this call
/// raised it (so each step acts once, however many ticks see it).
pub fn advance_waiting_step(conn: &mut DbConn, id: &str, step: i32) -> QueryResult<usize> {
    diesel::update(
        match_requests::table
            .find(id)
            .filter(match_requests::status.eq(WAITING))
            .filter(match_requests::relax_step.lt(step)),
    )
    .set(match_requests::relax_step.eq(step))
    .execute(conn)
}

/// Records the formats that could serve a request now (a JSON list).
pub fn set_alternatives(conn: &mut DbConn, id: &str, alternatives: &str) -> QueryResult<usize> {
    diesel::update(match_requests::table.find(id))
        .set(match_requests::alternatives.eq(alternatives))
        .execute(conn)
}

/// The recorded alternatives of these requests, by request id (requests without are absent).
pub fn alternatives_of(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    match_requests::table
        .filter(match_requests::id.eq_any(ids))
        .filter(match_requests::alternatives.is_not_null())
        .select((
            match_requests::id,
            match_requests::alternatives.assume_not_null(),
        ))
        .load(conn)
}

/// Expires a waiting request; 1 if it was waiting.
pub fn expire(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        match_requests::table
            .find(id)
            .filter(match_requests::status.eq(WAITING)),
    )
    .set((
        match_requests::status.eq(EXPIRED),
        match_requests::closed_at.eq(now),
    ))
    .execute(conn)
}

/// Erasure: a person's requests go with their profile.
pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(match_requests::table.filter(match_requests::user_id.eq(user_id))).execute(conn)
}
