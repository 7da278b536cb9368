//! Queries on `webhook_outbox`: paging webhooks written in the transaction that claimed an
//! escalation level, delivered by their worker. One row per (alert, level): a unique index
//! refuses a second. A row is leased (`locked_until`) before sending so two workers never send
//! it at once; a delivered row keeps `delivered_at` as the record that the page went out.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::webhook_outbox;

/// A queued webhook. Its body holds ids, severity and level: no names, no message text.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = webhook_outbox)]
pub struct Webhook {
    pub id: String,
    pub alert_id: String,
    pub level: i32,
    pub body: String,
    pub attempts: i32,
}

pub fn insert(
    conn: &mut DbConn,
    id: &str,
    alert_id: &str,
    level: i32,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(webhook_outbox::table)
        .values((
            webhook_outbox::id.eq(id),
            webhook_outbox::alert_id.eq(alert_id),
            webhook_outbox::level.eq(level),
            webhook_outbox::body.eq(body),
            webhook_outbox::created_at.eq(now),
            webhook_outbox::next_attempt_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Webhooks due for a (re)try, oldest first.
pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<Webhook>> {
    webhook_outbox::table
        .filter(webhook_outbox::delivered_at.is_null())
        .filter(webhook_outbox::failed_at.is_null())
        .filter(webhook_outbox::next_attempt_at.le(now))
        .filter(
            webhook_outbox::locked_until
                .is_null()
                .or(webhook_outbox::locked_until.lt(now)),
        )
        .order((
            webhook_outbox::next_attempt_at.asc(),
            webhook_outbox::id.asc(),
        ))
        .limit(limit)
        .select(Webhook::as_select())
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
        webhook_outbox::table
            .filter(webhook_outbox::id.eq(id))
            .filter(webhook_outbox::delivered_at.is_null())
            .filter(
                webhook_outbox::locked_until
                    .is_null()
                    .or(webhook_outbox::locked_until.lt(now)),
            ),
    )
    .set((
        webhook_outbox::locked_until.eq(until),
        webhook_outbox::attempts.eq(webhook_outbox::attempts + 1),
    ))
    .execute(conn)
}

pub fn delivered(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(webhook_outbox::table.find(id))
        .set((
            webhook_outbox::delivered_at.eq(Some(now)),
            webhook_outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

pub fn reschedule(
    conn: &mut DbConn,
    id: &str,
    next: NaiveDateTime,
    error: &str,
) -> QueryResult<usize> {
    diesel::update(webhook_outbox::table.find(id))
        .set((
            webhook_outbox::next_attempt_at.eq(next),
            webhook_outbox::locked_until.eq(None::<NaiveDateTime>),
            webhook_outbox::last_error.eq(error),
        ))
        .execute(conn)
}

pub fn give_up(conn: &mut DbConn, id: &str, now: NaiveDateTime, error: &str) -> QueryResult<usize> {
    diesel::update(webhook_outbox::table.find(id))
        .set((
            webhook_outbox::failed_at.eq(Some(now)),
            webhook_outbox::locked_until.eq(None::<NaiveDateTime>),
            webhook_outbox::last_error.eq(error),
        ))
        .execute(conn)
}

/// (level, delivered) of every webhook of an alert, by level (tests, the queue).
pub fn for_alert(conn: &mut DbConn, alert_id: &str) -> QueryResult<Vec<(i32, bool)>> {
    let rows: Vec<(i32, Option<NaiveDateTime>)> = webhook_outbox::table
        .filter(webhook_outbox::alert_id.eq(alert_id))
        .order(webhook_outbox::level.asc())
        .select((webhook_outbox::level, webhook_outbox::delivered_at))
        .load(conn)?;
    Ok(rows.into_iter().map(|(l, d)| (l, d.is_some())).collect())
}
