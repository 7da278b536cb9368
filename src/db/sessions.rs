//! Queries on `sessions`. A session is one login on one device: the refresh-token family and
//! the `sid` every access token carries. Revoking it ends both at once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{sessions, users};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    /// Established with a second factor (password, then a TOTP or recovery code).
    pub second_factor: bool,
}

#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub second_factor: bool,
}

/// What an authenticated request needs to know, read in one query.
#[derive(Queryable, Clone, Debug)]
pub struct SessionPrincipal {
    pub session_id: String,
    pub user_id: String,
    pub display_name: String,
    pub role: String,
    pub status: String,
    pub email_verified_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, new: &NewSession<'_>) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Session>> {
    sessions::table
        .find(id)
        .select(Session::as_select())
        .first(conn)
        .optional()
}

/// The live session `id` of `user_id` with its account, or None if revoked or expired.
pub fn principal(
    conn: &mut DbConn,
    id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<SessionPrincipal>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select((
            sessions::id,
            users::id,
            users::display_name,
            users::role,
            users::status,
            users::email_verified_at,
        ))
        .first(conn)
        .optional()
}

pub fn touch(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(now))
        .execute(conn)
}

/// Revokes one session; returns 1 if it was live.
pub fn revoke(conn: &mut DbConn, id: &str, reason: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(now),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
}

/// Revokes every live session of a user, except `keep` if given.
pub fn revoke_all_for_user(
    conn: &mut DbConn,
    user_id: &str,
    keep: Option<&str>,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let target = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::id.ne(keep.unwrap_or("")));
    diesel::update(target)
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)
}

/// Every session of a user, newest first (export).
pub fn for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Session>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order(sessions::created_at.desc())
        .select(Session::as_select())
        .load(conn)
}

/// Erasure: every session (refresh tokens go with them by cascade).
pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

/// Whether session `id` was established with a second factor (false for an unknown id).
pub fn has_second_factor(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
    Ok(sessions::table
        .find(id)
        .select(sessions::second_factor)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}
