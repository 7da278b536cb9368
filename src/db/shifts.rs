//! Queries on `moderator_shifts`: who is on shift, and the record of past shifts.
//!
//! A moderator has at most one open shift (`ended_at IS NULL`, a partial unique index). Ends
//! and away marks are conditional on the shift still being open, so a sweep and a moderator's
//! own `off` racing each other end a shift once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{moderator_shifts, sessions, users};

/// A shift row.
#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = moderator_shifts)]
pub struct Shift {
    pub id: String,
    pub moderator_id: String,
    pub started_at: NaiveDateTime,
    /// When the moderator was last seen with no websocket open; None while connected.
    pub away_since: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    /// `off`, `disconnected`, `signed_out`, `role_changed` or `account_closed`.
    pub ended_reason: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = moderator_shifts)]
pub struct NewShift<'a> {
    pub id: &'a str,
    pub moderator_id: &'a str,
    pub started_at: NaiveDateTime,
    pub away_since: Option<NaiveDateTime>,
}

/// An open shift with what decides whether it may go on: the moderator's role and account
/// status now, and whether they still have a live session.
#[derive(Clone, Debug)]
pub struct OpenShift {
    pub shift: Shift,
    pub role: String,
    pub status: String,
    pub signed_in: bool,
}

pub fn insert(conn: &mut DbConn, new: &NewShift<'_>) -> QueryResult<()> {
    diesel::insert_into(moderator_shifts::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// The moderator's open shift, if any.
pub fn open_for(conn: &mut DbConn, moderator_id: &str) -> QueryResult<Option<Shift>> {
    moderator_shifts::table
        .filter(moderator_shifts::moderator_id.eq(moderator_id))
        .filter(moderator_shifts::ended_at.is_null())
        .select(Shift::as_select())
        .first(conn)
        .optional()
}

/// The moderator's most recent shift, open or not.
pub fn latest_for(conn: &mut DbConn, moderator_id: &str) -> QueryResult<Option<Shift>> {
    moderator_shifts::table
        .filter(moderator_shifts::moderator_id.eq(moderator_id))
        .order((
            moderator_shifts::started_at.desc(),
            moderator_shifts::id.desc(),
        ))
        .select(Shift::as_select())
        .first(conn)
        .optional()
}

/// Whether anyone is on shift (coverage).
pub fn any_open(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        moderator_shifts::table.filter(moderator_shifts::ended_at.is_null()),
    ))
    .get_result(conn)
}

/// Open shifts (of one moderator, or everyone's), with their moderators' standing. On
/// PostgreSQL the shift rows are locked for the caller's transaction, so two sweeps of one
/// shift (the worker and a connection closing) take turns and the later one reads the later
/// connection count; SQLite's `BEGIN IMMEDIATE` already serialises writers.
pub fn open_with_standing(
    conn: &mut DbConn,
    moderator_id: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<Vec<OpenShift>> {
    // One query text, built per backend (`as_select` is typed by its backend).
    macro_rules! open {
        () => {
            moderator_shifts::table
                .filter(moderator_shifts::ended_at.is_null())
                .order(moderator_shifts::id.asc())
                .select(Shift::as_select())
        };
    }
    let shifts: Vec<Shift> = match (&mut *conn, moderator_id) {
        (DbConn::Pg(c), Some(m)) => open!()
            .filter(moderator_shifts::moderator_id.eq(m))
            .for_update()
            .load(c)?,
        (DbConn::Pg(c), None) => open!().for_update().load(c)?,
        (c, Some(m)) => open!()
            .filter(moderator_shifts::moderator_id.eq(m))
            .load(c)?,
        (c, None) => open!().load(c)?,
    };
    if shifts.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = shifts.iter().map(|s| s.moderator_id.as_str()).collect();
    let standing: Vec<(String, String, String)> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::role, users::status))
        .load(conn)?;
    let signed_in: Vec<String> = sessions::table
        .filter(sessions::user_id.eq_any(&ids))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select(sessions::user_id)
        .distinct()
        .load(conn)?;
    Ok(shifts
        .into_iter()
        .map(|shift| {
            let (role, status) = standing
                .iter()
                .find(|(id, _, _)| *id == shift.moderator_id)
                .map(|(_, r, s)| (r.clone(), s.clone()))
                .unwrap_or_default();
            let signed_in = signed_in.contains(&shift.moderator_id);
            OpenShift {
                shift,
                role,
                status,
                signed_in,
            }
        })
        .collect())
}

/// Ends an open shift; returns 1 if it was open.
pub fn end(conn: &mut DbConn, id: &str, at: NaiveDateTime, reason: &str) -> QueryResult<usize> {
    diesel::update(
        moderator_shifts::table
            .find(id)
            .filter(moderator_shifts::ended_at.is_null()),
    )
    .set((
        moderator_shifts::ended_at.eq(at),
        moderator_shifts::ended_reason.eq(reason),
    ))
    .execute(conn)
}

/// Marks an open shift away since `since`, or back (None); returns 1 if it was open.
pub fn set_away(conn: &mut DbConn, id: &str, since: Option<NaiveDateTime>) -> QueryResult<usize> {
    diesel::update(
        moderator_shifts::table
            .find(id)
            .filter(moderator_shifts::ended_at.is_null()),
    )
    .set(moderator_shifts::away_since.eq(since))
    .execute(conn)
}

/// Every shift that overlaps `[from, to)`, oldest first: the shift record that workload per
/// shift (SAFE-SG-9) is computed from. An open shift overlaps everything after its start.
pub fn overlapping(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<Shift>> {
    moderator_shifts::table
        .filter(moderator_shifts::started_at.lt(to))
        .filter(
            moderator_shifts::ended_at
                .is_null()
                .or(moderator_shifts::ended_at.gt(from)),
        )
        .order((
            moderator_shifts::started_at.asc(),
            moderator_shifts::id.asc(),
        ))
        .select(Shift::as_select())
        .load(conn)
}

/// Every shift of one moderator, oldest first (their export).
pub fn all_for(conn: &mut DbConn, moderator_id: &str) -> QueryResult<Vec<Shift>> {
    moderator_shifts::table
        .filter(moderator_shifts::moderator_id.eq(moderator_id))
        .order((
            moderator_shifts::started_at.asc(),
            moderator_shifts::id.asc(),
        ))
        .select(Shift::as_select())
        .load(conn)
}
