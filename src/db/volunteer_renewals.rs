//! Queries on `volunteer_renewals`: a volunteer's renewed training record waiting for (or
//! decided by) a moderator. The statuses are those of applications.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConn;
use super::schema::{users, volunteer_renewals};
pub use super::volunteers::{STATUS_APPROVED, STATUS_PENDING, STATUS_REJECTED};

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = volunteer_renewals)]
pub struct Renewal {
    pub id: String,
    pub user_id: String,
    pub status: String,
    pub training_course: String,
    pub training_completed_on: NaiveDate,
    pub certificate_ref: Option<String>,
    /// The expiry the approval applied.
    pub training_expires_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, r: &Renewal) -> QueryResult<()> {
    diesel::insert_into(volunteer_renewals::table)
        .values(r)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Renewal>> {
    volunteer_renewals::table
        .find(id)
        .select(Renewal::as_select())
        .first(conn)
        .optional()
}

/// Newest first.
pub fn of_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Renewal>> {
    volunteer_renewals::table
        .filter(volunteer_renewals::user_id.eq(user_id))
        .order((
            volunteer_renewals::created_at.desc(),
            volunteer_renewals::id.desc(),
        ))
        .select(Renewal::as_select())
        .load(conn)
}

pub fn has_pending(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    Ok(volunteer_renewals::table
        .filter(volunteer_renewals::user_id.eq(user_id))
        .filter(volunteer_renewals::status.eq(STATUS_PENDING))
        .select(volunteer_renewals::id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// Renewals with a status, oldest first (a queue), with the volunteer's display name.
pub fn queue(conn: &mut DbConn, status: &str, limit: i64) -> QueryResult<Vec<(Renewal, String)>> {
    volunteer_renewals::table
        .inner_join(users::table)
        .filter(volunteer_renewals::status.eq(status))
        .order((
            volunteer_renewals::created_at.asc(),
            volunteer_renewals::id.asc(),
        ))
        .limit(limit)
        .select((Renewal::as_select(), users::display_name))
        .load(conn)
}

/// Records a decision on a pending renewal (`expires` on approval); 1 if it was still pending.
pub fn decide(
    conn: &mut DbConn,
    id: &str,
    status: &str,
    moderator: &str,
    note: &str,
    expires: Option<NaiveDate>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        volunteer_renewals::table
            .find(id)
            .filter(volunteer_renewals::status.eq(STATUS_PENDING)),
    )
    .set((
        volunteer_renewals::status.eq(status),
        volunteer_renewals::decided_by.eq(moderator),
        volunteer_renewals::decided_at.eq(now),
        volunteer_renewals::decision_note.eq(note),
        volunteer_renewals::training_expires_on.eq(expires),
    ))
    .execute(conn)
}

/// A withdrawal closes any renewal still waiting: rejected with the withdrawal's reason.
pub fn reject_pending_of(
    conn: &mut DbConn,
    user_id: &str,
    moderator: &str,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        volunteer_renewals::table
            .filter(volunteer_renewals::user_id.eq(user_id))
            .filter(volunteer_renewals::status.eq(STATUS_PENDING)),
    )
    .set((
        volunteer_renewals::status.eq(STATUS_REJECTED),
        volunteer_renewals::decided_by.eq(moderator),
        volunteer_renewals::decided_at.eq(now),
        volunteer_renewals::decision_note.eq(note),
    ))
    .execute(conn)
}
