//! Queries on `outbox`: mail written in the same transaction as the event that causes it, and
//! delivered by the worker. A row is leased (`locked_until`) before sending so two workers never
//! send it twice at once; it is deleted once sent, so links with one-time tokens do not linger.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::outbox;

/// Not `Debug`: holds an address and a body with links.
#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = outbox)]
pub struct OutboxMail {
    pub id: String,
    pub kind: String,
    pub user_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub failed_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutboxMail<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub user_id: Option<&'a str>,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub next_attempt_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewOutboxMail<'_>) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// Mail due for a (re)try, oldest first.
pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<OutboxMail>> {
    outbox::table
        .filter(outbox::failed_at.is_null())
        .filter(outbox::next_attempt_at.le(now))
        .filter(
            outbox::locked_until
                .is_null()
                .or(outbox::locked_until.lt(now)),
        )
        .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
        .limit(limit)
        .select(OutboxMail::as_select())
        .load(conn)
}

/// Leases a row until `until`; 1 if this worker got it.
pub fn lease(
    conn: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        outbox::table.find(id).filter(
            outbox::locked_until
                .is_null()
                .or(outbox::locked_until.lt(now)),
        ),
    )
    .set((
        outbox::locked_until.eq(until),
        outbox::attempts.eq(outbox::attempts + 1),
    ))
    .execute(conn)
}

pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(outbox::table.find(id)).execute(conn)
}

pub fn reschedule(
    conn: &mut DbConn,
    id: &str,
    next: NaiveDateTime,
    error: &str,
) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::next_attempt_at.eq(next),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)
}

/// Gives up on a mail: the row stays for the operator, the body (which may hold a one-time
/// link, long expired by now) is cleared.
pub fn give_up(conn: &mut DbConn, id: &str, now: NaiveDateTime, error: &str) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::failed_at.eq(now),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
            outbox::body_text.eq(""),
            outbox::body_html.eq(None::<String>),
        ))
        .execute(conn)
}

/// Mail not yet delivered nor given up on.
pub fn backlog(conn: &mut DbConn) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::failed_at.is_null())
        .count()
        .get_result(conn)
}

/// Mail queued for a user and not yet delivered (export).
pub fn for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<OutboxMail>> {
    outbox::table
        .filter(outbox::user_id.eq(user_id))
        .order(outbox::created_at.asc())
        .select(OutboxMail::as_select())
        .load(conn)
}

/// Erasure: mail not yet sent to the person is dropped with their address.
pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(outbox::table.filter(outbox::user_id.eq(user_id))).execute(conn)
}
