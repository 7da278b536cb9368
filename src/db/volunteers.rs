//! Queries on `volunteer_applications` and `volunteers` (renewals: `volunteer_renewals.rs`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConn;
use super::schema::{users, volunteer_applications, volunteer_renewals, volunteers};

pub const STATUS_PENDING: &str = "pending";
pub const STATUS_APPROVED: &str = "approved";
pub const STATUS_REJECTED: &str = "rejected";

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = volunteer_applications)]
pub struct Application {
    pub id: String,
    pub user_id: String,
    pub status: String,
    pub motivation: String,
    pub lived_experience: String,
    pub conditions: String,
    pub training_course: String,
    pub training_completed_on: NaiveDate,
    pub certificate_ref: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Saved whole: `None` writes NULL (re-approval after a withdrawal clears it).
#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone)]
#[diesel(table_name = volunteers, treat_none_as_null = true)]
pub struct Volunteer {
    pub user_id: String,
    pub accepting: bool,
    pub one_to_one_capacity: i32,
    pub max_groups: i32,
    pub conditions_supported: String,
    pub training_expires_on: NaiveDate,
    pub approved_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Set when a moderator withdrew volunteer status: the record stays (the reason is shown
    /// to the volunteer) but is never matched, renewed or changed by its settings again.
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawal_reason: Option<String>,
}

pub fn insert_application(conn: &mut DbConn, a: &Application) -> QueryResult<()> {
    diesel::insert_into(volunteer_applications::table)
        .values(a)
        .execute(conn)
        .map(|_| ())
}

pub fn find_application(conn: &mut DbConn, id: &str) -> QueryResult<Option<Application>> {
    volunteer_applications::table
        .find(id)
        .select(Application::as_select())
        .first(conn)
        .optional()
}

/// Newest first.
pub fn applications_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Application>> {
    volunteer_applications::table
        .filter(volunteer_applications::user_id.eq(user_id))
        .order((
            volunteer_applications::created_at.desc(),
            volunteer_applications::id.desc(),
        ))
        .select(Application::as_select())
        .load(conn)
}

pub fn has_pending(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    Ok(volunteer_applications::table
        .filter(volunteer_applications::user_id.eq(user_id))
        .filter(volunteer_applications::status.eq(STATUS_PENDING))
        .select(volunteer_applications::id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// Applications with a status, oldest first (a queue), with the applicant's display name.
pub fn queue(
    conn: &mut DbConn,
    status: &str,
    limit: i64,
) -> QueryResult<Vec<(Application, String)>> {
    volunteer_applications::table
        .inner_join(users::table)
        .filter(volunteer_applications::status.eq(status))
        .order((
            volunteer_applications::created_at.asc(),
            volunteer_applications::id.asc(),
        ))
        .limit(limit)
        .select((Application::as_select(), users::display_name))
        .load(conn)
}

/// Records a decision on a pending application; 1 if it was still pending.
pub fn decide(
    conn: &mut DbConn,
    id: &str,
    status: &str,
    moderator: &str,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        volunteer_applications::table
            .find(id)
            .filter(volunteer_applications::status.eq(STATUS_PENDING)),
    )
    .set((
        volunteer_applications::status.eq(status),
        volunteer_applications::decided_by.eq(moderator),
        volunteer_applications::decided_at.eq(now),
        volunteer_applications::decision_note.eq(note),
    ))
    .execute(conn)
}

pub fn find_volunteer(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<Volunteer>> {
    volunteers::table
        .find(user_id)
        .select(Volunteer::as_select())
        .first(conn)
        .optional()
}

pub fn save_volunteer(conn: &mut DbConn, v: &Volunteer) -> QueryResult<()> {
    let n = diesel::update(volunteers::table.find(&v.user_id))
        .set(v)
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(volunteers::table)
            .values(v)
            .execute(conn)?;
    }
    Ok(())
}

/// A renewal's approval: the new training expiry on a record not withdrawn; 1 if it applied.
pub fn set_training_expiry(
    conn: &mut DbConn,
    user_id: &str,
    expires: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        volunteers::table
            .find(user_id)
            .filter(volunteers::withdrawn_at.is_null()),
    )
    .set((
        volunteers::training_expires_on.eq(expires),
        volunteers::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Withdraws volunteer status: no longer accepting, withdrawn with the moderator's reason;
/// 1 if the record existed and was not already withdrawn.
pub fn withdraw(
    conn: &mut DbConn,
    user_id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        volunteers::table
            .find(user_id)
            .filter(volunteers::withdrawn_at.is_null()),
    )
    .set((
        volunteers::accepting.eq(false),
        volunteers::withdrawn_at.eq(now),
        volunteers::withdrawal_reason.eq(reason),
        volunteers::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Erasure: the applications and renewals (they hold the person's own words and records) and
/// the volunteer record.
pub fn delete_all(conn: &mut DbConn, user_id: &str) -> QueryResult<()> {
    diesel::delete(
        volunteer_applications::table.filter(volunteer_applications::user_id.eq(user_id)),
    )
    .execute(conn)?;
    diesel::delete(volunteer_renewals::table.filter(volunteer_renewals::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(volunteers::table.find(user_id)).execute(conn)?;
    Ok(())
}

/// Volunteer records accepting new matches with training current on `today`, never a
/// withdrawn one.
pub fn accepting(conn: &mut DbConn, today: NaiveDate) -> QueryResult<Vec<Volunteer>> {
    volunteers::table
        .filter(volunteers::accepting.eq(true))
        .filter(volunteers::withdrawn_at.is_null())
        .filter(volunteers::training_expires_on.ge(today))
        .order(volunteers::user_id)
        .select(Volunteer::as_select())
        .load(conn)
}
