//! Queries on `crisis_flags` and `safety_alerts`: raising an alert (a crisis flag with its
//! alert, or a volunteer's escalation), its transitions (each a conditional update on the
//! status, so a lost race changes nothing), the escalation claim, the queue's pages and the
//! figures for the stats. Rows hold ids, kinds, times and the staff's own words: never a copy
//! of a message.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{crisis_flags, safety_alerts};

/// A stored alert.
#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = safety_alerts)]
pub struct AlertRow {
    pub id: String,
    pub kind: String,
    pub flag_id: Option<String>,
    pub room_id: String,
    pub message_id: Option<String>,
    pub severity: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<String>,
    pub raised_by: Option<String>,
    pub reason: Option<String>,
    pub escalation_level: i32,
    pub next_escalation_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<String>,
    pub outcome: Option<String>,
    pub resolution_note: Option<String>,
}

/// A new alert. `due_at` is when it must be acknowledged; escalation starts then.
#[derive(Insertable, Debug)]
#[diesel(table_name = safety_alerts)]
pub struct NewAlert<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub flag_id: Option<&'a str>,
    pub room_id: &'a str,
    pub message_id: Option<&'a str>,
    pub severity: &'a str,
    pub status: &'a str,
    pub created_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub next_escalation_at: Option<NaiveDateTime>,
    pub raised_by: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// What the crisis detector found: which rule, how severe. Never a copy of the text.
pub struct NewFlag<'a> {
    pub id: &'a str,
    pub message_id: &'a str,
    pub rule_id: &'a str,
    pub rules_version: &'a str,
    pub severity: &'a str,
    pub now: NaiveDateTime,
}

pub fn insert_flag(conn: &mut DbConn, f: &NewFlag<'_>) -> QueryResult<()> {
    diesel::insert_into(crisis_flags::table)
        .values((
            crisis_flags::id.eq(f.id),
            crisis_flags::message_id.eq(f.message_id),
            crisis_flags::rule_id.eq(f.rule_id),
            crisis_flags::rules_version.eq(f.rules_version),
            crisis_flags::severity.eq(f.severity),
            crisis_flags::created_at.eq(f.now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn insert(conn: &mut DbConn, a: &NewAlert<'_>) -> QueryResult<()> {
    diesel::insert_into(safety_alerts::table)
        .values(a)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<AlertRow>> {
    safety_alerts::table
        .find(id)
        .select(AlertRow::as_select())
        .first(conn)
        .optional()
}

/// Open → acknowledged; stops escalation. 0 when it was not open.
pub fn acknowledge(
    conn: &mut DbConn,
    id: &str,
    by: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        safety_alerts::table
            .filter(safety_alerts::id.eq(id))
            .filter(safety_alerts::status.eq("open")),
    )
    .set((
        safety_alerts::status.eq("acknowledged"),
        safety_alerts::acknowledged_at.eq(Some(now)),
        safety_alerts::acknowledged_by.eq(Some(by)),
        safety_alerts::next_escalation_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Acknowledged → resolved with an outcome. 0 when it was not acknowledged.
pub fn resolve(
    conn: &mut DbConn,
    id: &str,
    by: &str,
    outcome: &str,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        safety_alerts::table
            .filter(safety_alerts::id.eq(id))
            .filter(safety_alerts::status.eq("acknowledged")),
    )
    .set((
        safety_alerts::status.eq("resolved"),
        safety_alerts::resolved_at.eq(Some(now)),
        safety_alerts::resolved_by.eq(Some(by)),
        safety_alerts::outcome.eq(Some(outcome)),
        safety_alerts::resolution_note.eq(Some(note)),
    ))
    .execute(conn)
}

/// Open alerts whose next escalation is due, most overdue first.
pub fn due_escalations(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<AlertRow>> {
    safety_alerts::table
        .filter(safety_alerts::status.eq("open"))
        .filter(safety_alerts::next_escalation_at.le(now))
        .order((
            safety_alerts::next_escalation_at.asc(),
            safety_alerts::id.asc(),
        ))
        .limit(limit)
        .select(AlertRow::as_select())
        .load(conn)
}

/// Claims one escalation: moves the alert from `from` to `to` and sets its next due time
/// (None: the last level). Only if it is still open, still at `from` and due: so of two
/// workers (or a worker and an acknowledgement) exactly one wins; 1 for the winner.
pub fn claim_escalation(
    conn: &mut DbConn,
    id: &str,
    from: i32,
    to: i32,
    next: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        safety_alerts::table
            .filter(safety_alerts::id.eq(id))
            .filter(safety_alerts::status.eq("open"))
            .filter(safety_alerts::escalation_level.eq(from))
            .filter(safety_alerts::next_escalation_at.le(now)),
    )
    .set((
        safety_alerts::escalation_level.eq(to),
        safety_alerts::next_escalation_at.eq(next),
    ))
    .execute(conn)
}

/// One slice of the queue: alerts of one status and severity after `after` (created_at, id),
/// oldest first.
pub fn queue_slice(
    conn: &mut DbConn,
    status: &str,
    severity: &str,
    after: Option<(NaiveDateTime, &str)>,
    limit: i64,
) -> QueryResult<Vec<AlertRow>> {
    let mut q = safety_alerts::table
        .filter(safety_alerts::status.eq(status))
        .filter(safety_alerts::severity.eq(severity))
        .select(AlertRow::as_select())
        .into_boxed();
    if let Some((t, id)) = after {
        q = q.filter(
            safety_alerts::created_at.gt(t).or(safety_alerts::created_at
                .eq(t)
                .and(safety_alerts::id.gt(id.to_string()))),
        );
    }
    q.order((safety_alerts::created_at.asc(), safety_alerts::id.asc()))
        .limit(limit)
        .load(conn)
}

/// Alerts raised since `since` (the stats window), oldest first.
pub fn raised_since(conn: &mut DbConn, since: NaiveDateTime) -> QueryResult<Vec<AlertRow>> {
    safety_alerts::table
        .filter(safety_alerts::created_at.ge(since))
        .order((safety_alerts::created_at.asc(), safety_alerts::id.asc()))
        .select(AlertRow::as_select())
        .load(conn)
}

/// Escalations one volunteer raised, oldest first (their export).
pub fn raised_by(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<AlertRow>> {
    safety_alerts::table
        .filter(safety_alerts::raised_by.eq(user_id))
        .order((safety_alerts::created_at.asc(), safety_alerts::id.asc()))
        .select(AlertRow::as_select())
        .load(conn)
}
