//! Queries on `email_tokens`: verification and password-reset tokens, stored as SHA-256
//! hashes, single use (spent by a conditional update), bound to one account and one purpose.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::email_tokens;

pub const PURPOSE_VERIFY: &str = "verify_email";
pub const PURPOSE_RESET: &str = "password_reset";

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = email_tokens)]
pub struct EmailToken {
    pub id: String,
    pub user_id: String,
    pub purpose: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = email_tokens)]
pub struct NewEmailToken<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub purpose: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewEmailToken<'_>) -> QueryResult<()> {
    diesel::insert_into(email_tokens::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find_by_hash(
    conn: &mut DbConn,
    hash: &str,
    purpose: &str,
) -> QueryResult<Option<EmailToken>> {
    email_tokens::table
        .filter(email_tokens::token_hash.eq(hash))
        .filter(email_tokens::purpose.eq(purpose))
        .select(EmailToken::as_select())
        .first(conn)
        .optional()
}

/// Spends the token if it is unused and unexpired; 1 if this call spent it.
pub fn spend(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        email_tokens::table
            .find(id)
            .filter(email_tokens::used_at.is_null())
            .filter(email_tokens::expires_at.gt(now)),
    )
    .set(email_tokens::used_at.eq(now))
    .execute(conn)
}

/// Voids every unused token of this purpose for the user (a newer one supersedes them).
pub fn void_open(
    conn: &mut DbConn,
    user_id: &str,
    purpose: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .filter(email_tokens::purpose.eq(purpose))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(now))
    .execute(conn)
}

pub fn for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<EmailToken>> {
    email_tokens::table
        .filter(email_tokens::user_id.eq(user_id))
        .order(email_tokens::created_at.desc())
        .select(EmailToken::as_select())
        .load(conn)
}

pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(email_tokens::table.filter(email_tokens::user_id.eq(user_id))).execute(conn)
}
