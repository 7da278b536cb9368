//! Queries on the second factor's tables: `mfa_totp` (one TOTP factor per account, pending
//! until confirmed), `mfa_recovery_codes` (hashes only) and `mfa_tickets` (the short-lived,
//! hashed ticket between a password sign-in and its second step). Every "spend" here is a
//! conditional update, so of two concurrent uses exactly one wins.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{mfa_recovery_codes, mfa_tickets, mfa_totp};

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = mfa_totp)]
pub struct TotpFactor {
    pub user_id: String,
    /// Base32, as the authenticator app was given it.
    pub secret: String,
    pub created_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
    pub last_used_step: Option<i64>,
}

impl std::fmt::Debug for TotpFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpFactor")
            .field("user_id", &self.user_id)
            .field("confirmed_at", &self.confirmed_at)
            .finish_non_exhaustive()
    }
}

#[derive(Insertable)]
#[diesel(table_name = mfa_totp)]
pub struct NewTotpFactor<'a> {
    pub user_id: &'a str,
    pub secret: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = mfa_recovery_codes)]
pub struct NewRecoveryCode<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub code_hash: &'a str,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = mfa_tickets)]
pub struct NewTicket<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub ticket_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = mfa_tickets)]
pub struct Ticket {
    pub id: String,
    pub user_id: String,
    pub ticket_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn find_totp(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<TotpFactor>> {
    mfa_totp::table
        .find(user_id)
        .select(TotpFactor::as_select())
        .first(conn)
        .optional()
}

/// Whether `user_id` has a confirmed factor (then a password alone does not sign in).
pub fn has_confirmed_totp(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    let n: i64 = mfa_totp::table
        .filter(mfa_totp::user_id.eq(user_id))
        .filter(mfa_totp::confirmed_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Replaces a pending (unconfirmed) factor with a new one; never touches a confirmed one.
/// Returns 0 when a confirmed factor is already there.
pub fn start_totp(conn: &mut DbConn, new: &NewTotpFactor<'_>) -> QueryResult<usize> {
    diesel::delete(
        mfa_totp::table
            .filter(mfa_totp::user_id.eq(new.user_id))
            .filter(mfa_totp::confirmed_at.is_null()),
    )
    .execute(conn)?;
    if find_totp(conn, new.user_id)?.is_some() {
        return Ok(0);
    }
    diesel::insert_into(mfa_totp::table)
        .values(new)
        .execute(conn)
}

/// Confirms a pending factor with the step of the code that proved it; 1 if it was pending.
pub fn confirm_totp(
    conn: &mut DbConn,
    user_id: &str,
    step: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        mfa_totp::table
            .filter(mfa_totp::user_id.eq(user_id))
            .filter(mfa_totp::confirmed_at.is_null()),
    )
    .set((
        mfa_totp::confirmed_at.eq(now),
        mfa_totp::last_used_step.eq(step),
    ))
    .execute(conn)
}

/// Accepts `step` for the confirmed factor of `user_id` only if it is newer than every step
/// accepted before; 1 if accepted, 0 for a replay (or a lost race with the same code).
pub fn spend_totp_step(conn: &mut DbConn, user_id: &str, step: i64) -> QueryResult<usize> {
    diesel::update(
        mfa_totp::table
            .filter(mfa_totp::user_id.eq(user_id))
            .filter(mfa_totp::confirmed_at.is_not_null())
            .filter(
                mfa_totp::last_used_step
                    .is_null()
                    .or(mfa_totp::last_used_step.lt(step)),
            ),
    )
    .set(mfa_totp::last_used_step.eq(step))
    .execute(conn)
}

/// Removes the factor and every recovery code and open ticket of `user_id`.
pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(mfa_tickets::table.filter(mfa_tickets::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(mfa_recovery_codes::table.filter(mfa_recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(mfa_totp::table.filter(mfa_totp::user_id.eq(user_id))).execute(conn)
}

/// Replaces the recovery codes of `user_id` with `codes` (hashes).
pub fn replace_recovery_codes(
    conn: &mut DbConn,
    user_id: &str,
    codes: &[NewRecoveryCode<'_>],
) -> QueryResult<usize> {
    diesel::delete(mfa_recovery_codes::table.filter(mfa_recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    let mut n = 0;
    // One statement per code: batch inserts are not available over the two-backend connection.
    for code in codes {
        n += diesel::insert_into(mfa_recovery_codes::table)
            .values(code)
            .execute(conn)?;
    }
    Ok(n)
}

/// Spends the unused recovery code with this hash for `user_id`; 1 if it was unused.
pub fn spend_recovery_code(
    conn: &mut DbConn,
    user_id: &str,
    code_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        mfa_recovery_codes::table
            .filter(mfa_recovery_codes::user_id.eq(user_id))
            .filter(mfa_recovery_codes::code_hash.eq(code_hash))
            .filter(mfa_recovery_codes::used_at.is_null()),
    )
    .set(mfa_recovery_codes::used_at.eq(now))
    .execute(conn)
}

/// How many unused recovery codes `user_id` has left.
pub fn recovery_codes_left(conn: &mut DbConn, user_id: &str) -> QueryResult<i64> {
    mfa_recovery_codes::table
        .filter(mfa_recovery_codes::user_id.eq(user_id))
        .filter(mfa_recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}

pub fn insert_ticket(conn: &mut DbConn, new: &NewTicket<'_>) -> QueryResult<()> {
    diesel::insert_into(mfa_tickets::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find_ticket(conn: &mut DbConn, ticket_hash: &str) -> QueryResult<Option<Ticket>> {
    mfa_tickets::table
        .filter(mfa_tickets::ticket_hash.eq(ticket_hash))
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}

/// Spends a live ticket; 1 if it was unused and unexpired at `now`.
pub fn spend_ticket(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        mfa_tickets::table
            .find(id)
            .filter(mfa_tickets::used_at.is_null())
            .filter(mfa_tickets::expires_at.gt(now)),
    )
    .set(mfa_tickets::used_at.eq(now))
    .execute(conn)
}

/// Drops the tickets of `user_id` that can no longer be used (keeps the table small).
pub fn prune_tickets(conn: &mut DbConn, user_id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        mfa_tickets::table
            .filter(mfa_tickets::user_id.eq(user_id))
            .filter(
                mfa_tickets::used_at
                    .is_not_null()
                    .or(mfa_tickets::expires_at.le(now)),
            ),
    )
    .execute(conn)
}
