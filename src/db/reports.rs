//! `reports` (one case per target in the moderators' queue) and `report_filings` (each
//! reporter's own report of it), plus the visibility reads a report needs: whether the
//! reporter was in the room, when, and whether two people shared a room.
//!
//! A filing names its reporter; nothing here joins a reporter to anything the reported person
//! reads. `open_key` (`type:id` while open, NULL once closed) has a unique index, so two
//! concurrent first reports of one target cannot open two cases.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{messages, report_filings, reports, room_members};

pub const STATUS_RECEIVED: &str = "received";
pub const STATUS_IN_REVIEW: &str = "in_review";
pub const STATUS_ACTIONED: &str = "actioned";
pub const STATUS_NO_ACTION: &str = "no_action";

/// A case in the queue.
#[derive(Queryable, Selectable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = reports)]
pub struct ReportRow {
    pub id: String,
    pub target_type: String,
    pub target_id: String,
    /// The person reported: the message's writer or the member; None for a room.
    pub target_user_id: Option<String>,
    pub room_id: Option<String>,
    pub message_id: Option<String>,
    /// The most severe category any reporter gave.
    pub category: String,
    pub status: String,
    pub open_key: Option<String>,
    pub queue_rank: i32,
    pub created_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<NaiveDateTime>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub outcome_message: Option<String>,
    pub resolution_note: Option<String>,
    /// JSON array of `moderation_actions` ids the moderator linked.
    pub action_ids: Option<String>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = reports)]
pub struct NewReport<'a> {
    pub id: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub target_user_id: Option<&'a str>,
    pub room_id: Option<&'a str>,
    pub message_id: Option<&'a str>,
    pub category: &'a str,
    pub status: &'a str,
    pub open_key: Option<&'a str>,
    pub queue_rank: i32,
    pub created_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
}

/// One reporter's report of a case.
#[derive(Queryable, Selectable, Insertable, Clone, Debug, PartialEq, Eq)]
#[diesel(table_name = report_filings)]
pub struct FilingRow {
    pub id: String,
    pub report_id: String,
    pub reporter_id: String,
    pub category: String,
    pub detail: Option<String>,
    pub created_at: NaiveDateTime,
}

/// What a closing writes.
pub struct Closing<'a> {
    pub status: &'a str,
    pub queue_rank: i32,
    pub by: &'a str,
    pub now: NaiveDateTime,
    pub message: &'a str,
    pub note: Option<&'a str>,
    pub action_ids: Option<&'a str>,
}

pub fn insert_report(conn: &mut DbConn, r: &NewReport<'_>) -> QueryResult<()> {
    diesel::insert_into(reports::table)
        .values(r)
        .execute(conn)
        .map(|_| ())
}

pub fn insert_filing(conn: &mut DbConn, f: &FilingRow) -> QueryResult<()> {
    diesel::insert_into(report_filings::table)
        .values(f)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<ReportRow>> {
    reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

/// The open case of a target, if any.
pub fn open_for(conn: &mut DbConn, open_key: &str) -> QueryResult<Option<ReportRow>> {
    reports::table
        .filter(reports::open_key.eq(open_key))
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

/// `reporter`'s newest filing about this target, with its case (open cases only if asked).
pub fn filing_of(
    conn: &mut DbConn,
    reporter: &str,
    target_type: &str,
    target_id: &str,
    open_only: bool,
) -> QueryResult<Option<(FilingRow, ReportRow)>> {
    let mut q = report_filings::table
        .inner_join(reports::table)
        .filter(report_filings::reporter_id.eq(reporter))
        .filter(reports::target_type.eq(target_type))
        .filter(reports::target_id.eq(target_id))
        .into_boxed();
    if open_only {
        q = q.filter(reports::open_key.is_not_null());
    }
    q.order((report_filings::created_at.desc(), report_filings::id.desc()))
        .select((FilingRow::as_select(), ReportRow::as_select()))
        .first(conn)
        .optional()
}

/// Raises an open case's category when a later reporter gave a more severe one.
pub fn raise_category(
    conn: &mut DbConn,
    id: &str,
    category: &str,
    rank: i32,
) -> QueryResult<usize> {
    diesel::update(
        reports::table
            .filter(reports::id.eq(id))
            .filter(reports::open_key.is_not_null())
            .filter(reports::queue_rank.gt(rank)),
    )
    .set((reports::category.eq(category), reports::queue_rank.eq(rank)))
    .execute(conn)
}

/// `received` → `in_review`; 0 when it was already claimed or closed.
pub fn claim(conn: &mut DbConn, id: &str, by: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        reports::table
            .filter(reports::id.eq(id))
            .filter(reports::status.eq(STATUS_RECEIVED)),
    )
    .set((
        reports::status.eq(STATUS_IN_REVIEW),
        reports::claimed_by.eq(Some(by)),
        reports::claimed_at.eq(Some(now)),
    ))
    .execute(conn)
}

/// Closes an open case; 0 when it was already closed (a concurrent resolve won).
pub fn close(conn: &mut DbConn, id: &str, c: &Closing<'_>) -> QueryResult<usize> {
    diesel::update(
        reports::table
            .filter(reports::id.eq(id))
            .filter(reports::open_key.is_not_null()),
    )
    .set((
        reports::status.eq(c.status),
        reports::open_key.eq(None::<String>),
        reports::queue_rank.eq(c.queue_rank),
        reports::resolved_by.eq(Some(c.by)),
        reports::resolved_at.eq(Some(c.now)),
        reports::outcome_message.eq(Some(c.message)),
        reports::resolution_note.eq(c.note),
        reports::action_ids.eq(c.action_ids),
    ))
    .execute(conn)
}

/// Erasure: the reporter's own words go; the filing stays so the case keeps its count.
pub fn forget_details_of(conn: &mut DbConn, reporter: &str) -> QueryResult<usize> {
    diesel::update(report_filings::table.filter(report_filings::reporter_id.eq(reporter)))
        .set(report_filings::detail.eq(None::<String>))
        .execute(conn)
}

/// The filings of the given cases, oldest first.
pub fn filings_of(conn: &mut DbConn, report_ids: &[String]) -> QueryResult<Vec<FilingRow>> {
    let mut out = Vec::new();
    for chunk in report_ids.chunks(super::IDS_PER_QUERY) {
        out.extend(
            report_filings::table
                .filter(report_filings::report_id.eq_any(chunk))
                .order((report_filings::created_at.asc(), report_filings::id.asc()))
                .select(FilingRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Everything `reporter` reported, newest first, each with its case.
pub fn by_reporter(conn: &mut DbConn, reporter: &str) -> QueryResult<Vec<(FilingRow, ReportRow)>> {
    report_filings::table
        .inner_join(reports::table)
        .filter(report_filings::reporter_id.eq(reporter))
        .order((report_filings::created_at.desc(), report_filings::id.desc()))
        .select((FilingRow::as_select(), ReportRow::as_select()))
        .load(conn)
}

/// One page of the queue in (queue_rank, created_at, id) order, strictly after `after`.
pub fn queue_page(
    conn: &mut DbConn,
    after: Option<(i32, NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<ReportRow>> {
    let mut q = reports::table.select(ReportRow::as_select()).into_boxed();
    if let Some((rank, at, id)) = after {
        q = q.filter(
            reports::queue_rank
                .gt(rank)
                .or(reports::queue_rank.eq(rank).and(
                    reports::created_at
                        .gt(at)
                        .or(reports::created_at.eq(at).and(reports::id.gt(id))),
                )),
        );
    }
    q.order((
        reports::queue_rank.asc(),
        reports::created_at.asc(),
        reports::id.asc(),
    ))
    .limit(limit)
    .load(conn)
}

/// When `user` joined `room` and, if they left, when (None: never a member).
pub fn membership_window(
    conn: &mut DbConn,
    room: &str,
    user: &str,
) -> QueryResult<Option<(NaiveDateTime, Option<NaiveDateTime>)>> {
    room_members::table
        .filter(room_members::room_id.eq(room))
        .filter(room_members::user_id.eq(user))
        .select((room_members::joined_at, room_members::left_at))
        .first(conn)
        .optional()
}

/// Whether `a` and `b` are or were ever seated in one room together.
pub fn shared_a_room(conn: &mut DbConn, a: &str, b: &str) -> QueryResult<bool> {
    let rooms_of_a = room_members::table
        .filter(room_members::user_id.eq(a))
        .select(room_members::room_id)
        .load::<String>(conn)?;
    for chunk in rooms_of_a.chunks(super::IDS_PER_QUERY) {
        let shared: bool = diesel::select(diesel::dsl::exists(
            room_members::table
                .filter(room_members::user_id.eq(b))
                .filter(room_members::room_id.eq_any(chunk)),
        ))
        .get_result(conn)?;
        if shared {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A message's room, writer and time (no body), for deciding who may report it.
pub fn message_meta(
    conn: &mut DbConn,
    id: &str,
) -> QueryResult<Option<(String, String, NaiveDateTime)>> {
    messages::table
        .find(id)
        .select((messages::room_id, messages::sender_id, messages::created_at))
        .first(conn)
        .optional()
}
