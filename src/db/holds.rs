//! Queries on held messages (`moderation::holds`): the `hold_*` columns of `messages`.
//!
//! A held message is in `messages` from the start (its crisis flag and alert point at it),
//! but not in its room's timeline: it sits at a negative placeholder `seq`, unique per room,
//! that no member's range (`seq >= 1`) reaches. Release moves it to the room's next seq;
//! a rejected message keeps its placeholder for ever. Every statement that writes here runs
//! in the caller's transaction, after the room's row lock (`messages::reserve_seqs`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{messages, room_members, rooms, users};

pub const HELD: &str = "held";
pub const RELEASED: &str = "released";
pub const REJECTED: &str = "rejected";

/// The next free placeholder seq of `room`: one below its lowest, or -1.
pub fn placeholder_seq(conn: &mut DbConn, room: &str) -> QueryResult<i64> {
    let lowest: Option<i64> = messages::table
        .filter(messages::room_id.eq(room))
        .filter(messages::seq.lt(0))
        .select(diesel::dsl::min(messages::seq))
        .first(conn)?;
    Ok(lowest.map_or(-1, |l| l - 1))
}

/// Marks a just-inserted message held for `category`; `after_seq` is the room's last seq.
pub fn mark_held(conn: &mut DbConn, id: &str, category: &str, after_seq: i64) -> QueryResult<()> {
    diesel::update(messages::table.find(id))
        .set((
            messages::hold_state.eq(Some(HELD)),
            messages::hold_category.eq(Some(category)),
            messages::hold_after_seq.eq(Some(after_seq)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The message's hold state (`held`, `released`, `rejected`), or None if never held.
pub fn state_of(conn: &mut DbConn, id: &str) -> QueryResult<Option<String>> {
    Ok(messages::table
        .find(id)
        .select(messages::hold_state)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// A held message as a moderator (or its writer) reads it.
#[derive(Queryable, Debug, Clone, PartialEq, Eq)]
pub struct HeldRow {
    pub id: String,
    pub room_id: String,
    pub seq: i64,
    pub sender_id: String,
    pub client_id: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
    pub hold_state: Option<String>,
    pub hold_category: Option<String>,
    pub hold_after_seq: Option<i64>,
    pub sender_name: String,
    pub sender_room_role: Option<String>,
    pub room_kind: String,
}

macro_rules! held_rows {
    () => {
        messages::table
            .inner_join(users::table)
            .inner_join(rooms::table)
            .left_join(
                room_members::table.on(room_members::room_id
                    .eq(messages::room_id)
                    .and(room_members::user_id.eq(messages::sender_id))),
            )
            .select((
                messages::id,
                messages::room_id,
                messages::seq,
                messages::sender_id,
                messages::client_id,
                messages::body,
                messages::created_at,
                messages::removed_at,
                messages::hold_state,
                messages::hold_category,
                messages::hold_after_seq,
                users::display_name,
                room_members::room_role.nullable(),
                rooms::kind,
            ))
    };
}

/// One message with its hold columns, whatever its state.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<HeldRow>> {
    held_rows!()
        .filter(messages::id.eq(id))
        .first(conn)
        .optional()
}

/// Messages still held, oldest first (by `created_at`, then id), after the one `after`.
pub fn queue(
    conn: &mut DbConn,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<HeldRow>> {
    let mut q = held_rows!()
        .filter(messages::hold_state.eq(HELD))
        .into_boxed();
    if let Some((at, id)) = after {
        q = q.filter(
            messages::created_at
                .gt(at)
                .or(messages::created_at.eq(at).and(messages::id.gt(id))),
        );
    }
    q.order((messages::created_at.asc(), messages::id.asc()))
        .limit(limit)
        .load(conn)
}

/// `sender`'s messages in `room` that are held or were rejected, newest `limit`, oldest first.
pub fn pending_of(
    conn: &mut DbConn,
    room: &str,
    sender: &str,
    limit: i64,
) -> QueryResult<Vec<HeldRow>> {
    let mut rows: Vec<HeldRow> = held_rows!()
        .filter(messages::room_id.eq(room))
        .filter(messages::sender_id.eq(sender))
        .filter(messages::hold_state.eq_any([HELD, REJECTED]))
        .order((messages::created_at.desc(), messages::id.desc()))
        .limit(limit)
        .load(conn)?;
    rows.reverse();
    Ok(rows)
}

/// Moves a held message into the timeline at `seq`; 0 if it was no longer held.
pub fn release(
    conn: &mut DbConn,
    id: &str,
    seq: i64,
    by: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        messages::table
            .filter(messages::id.eq(id))
            .filter(messages::hold_state.eq(HELD)),
    )
    .set((
        messages::seq.eq(seq),
        messages::hold_state.eq(Some(RELEASED)),
        messages::hold_decided_at.eq(Some(now)),
        messages::hold_decided_by.eq(Some(by)),
    ))
    .execute(conn)
}

/// Rejects a held message (it keeps its placeholder seq); 0 if it was no longer held.
pub fn reject(conn: &mut DbConn, id: &str, by: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        messages::table
            .filter(messages::id.eq(id))
            .filter(messages::hold_state.eq(HELD)),
    )
    .set((
        messages::hold_state.eq(Some(REJECTED)),
        messages::hold_decided_at.eq(Some(now)),
        messages::hold_decided_by.eq(Some(by)),
    ))
    .execute(conn)
}
