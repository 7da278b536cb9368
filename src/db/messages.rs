//! Queries on `messages`, read markers and the room sequence. Every statement that writes a
//! message runs inside the message writer's transaction (`rooms::writer`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{messages, room_members, rooms, safety_alerts, users};

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = messages)]
pub struct NewMessage<'a> {
    pub id: &'a str,
    pub room_id: &'a str,
    pub seq: i64,
    pub sender_id: &'a str,
    pub client_id: &'a str,
    pub body: &'a str,
    pub created_at: NaiveDateTime,
}

/// A stored message with what members see of its sender.
#[derive(Queryable, Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: String,
    pub room_id: String,
    pub seq: i64,
    pub sender_id: String,
    pub client_id: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
    pub sender_name: String,
    /// The sender's room role (`member`/`facilitator`); None only if the membership row is gone.
    pub sender_room_role: Option<String>,
}

macro_rules! message_rows {
    () => {
        messages::table.inner_join(users::table).left_join(
            room_members::table.on(room_members::room_id
                .eq(messages::room_id)
                .and(room_members::user_id.eq(messages::sender_id))),
        )
    };
}

macro_rules! message_columns {
    () => {
        (
            messages::id,
            messages::room_id,
            messages::seq,
            messages::sender_id,
            messages::client_id,
            messages::body,
            messages::created_at,
            messages::removed_at,
            users::display_name,
            room_members::room_role.nullable(),
        )
    };
}

/// Reserves `n` sequence numbers in `room`; returns the last one. The row lock this takes on
/// PostgreSQL serialises writers of one room across instances.
pub fn reserve_seqs(conn: &mut DbConn, room: &str, n: i64) -> QueryResult<i64> {
    diesel::update(rooms::table.find(room))
        .set(rooms::last_seq.eq(rooms::last_seq + n))
        .returning(rooms::last_seq)
        .get_result(conn)
}

pub fn insert(conn: &mut DbConn, m: &NewMessage<'_>) -> QueryResult<()> {
    diesel::insert_into(messages::table)
        .values(m)
        .execute(conn)
        .map(|_| ())
}

/// Inserts `m` and returns it as members read it, built from what was just written (the
/// sender's name and room role come from the caller, who has already read them) so the hot
/// path does not read the row back.
pub fn insert_returning(
    conn: &mut DbConn,
    m: &NewMessage<'_>,
    sender_name: &str,
    sender_room_role: &str,
) -> QueryResult<MessageRow> {
    insert(conn, m)?;
    Ok(MessageRow {
        id: m.id.to_string(),
        room_id: m.room_id.to_string(),
        seq: m.seq,
        sender_id: m.sender_id.to_string(),
        client_id: m.client_id.to_string(),
        body: m.body.to_string(),
        created_at: m.created_at,
        removed_at: None,
        sender_name: sender_name.to_string(),
        sender_room_role: Some(sender_room_role.to_string()),
    })
}

/// The message `sender` already sent to `room` with this client id, if any.
pub fn find_by_client_id(
    conn: &mut DbConn,
    room: &str,
    sender: &str,
    client_id: &str,
) -> QueryResult<Option<MessageRow>> {
    message_rows!()
        .filter(messages::room_id.eq(room))
        .filter(messages::sender_id.eq(sender))
        .filter(messages::client_id.eq(client_id))
        .select(message_columns!())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<MessageRow>> {
    message_rows!()
        .filter(messages::id.eq(id))
        .select(message_columns!())
        .first(conn)
        .optional()
}

/// Messages of `room` with `after < seq < before`, ascending. With only `before` (or
/// neither) it is the newest `limit` of that range, still returned ascending.
pub fn page(
    conn: &mut DbConn,
    room: &str,
    after: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<MessageRow>> {
    let mut q = message_rows!()
        .filter(messages::room_id.eq(room))
        // Holds (`db::holds`): a held or rejected message sits below 1, outside the timeline.
        .filter(messages::seq.gt(0))
        .select(message_columns!())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(messages::seq.gt(a));
    }
    if let Some(b) = before {
        q = q.filter(messages::seq.lt(b));
    }
    if after.is_some() {
        q.order(messages::seq.asc()).limit(limit).load(conn)
    } else {
        let mut rows: Vec<MessageRow> = q.order(messages::seq.desc()).limit(limit).load(conn)?;
        rows.reverse();
        Ok(rows)
    }
}

/// The room's newest seq, or None if the room does not exist.
pub fn last_seq(conn: &mut DbConn, room: &str) -> QueryResult<Option<i64>> {
    rooms::table
        .find(room)
        .select(rooms::last_seq)
        .first(conn)
        .optional()
}

/// For each open room `user` is a current member of: (room, last seq, read marker).
pub fn room_positions(conn: &mut DbConn, user: &str) -> QueryResult<Vec<(String, i64, i64)>> {
    room_members::table
        .inner_join(rooms::table)
        .filter(room_members::user_id.eq(user))
        .filter(room_members::left_at.is_null())
        .filter(rooms::ended_at.is_null())
        .order((rooms::created_at.desc(), rooms::id.desc()))
        .select((rooms::id, rooms::last_seq, room_members::last_read_seq))
        .load(conn)
}

/// Messages after `read` in `room` that others wrote.
pub fn unread(conn: &mut DbConn, room: &str, user: &str, read: i64) -> QueryResult<i64> {
    messages::table
        .filter(messages::room_id.eq(room))
        .filter(messages::seq.gt(read))
        .filter(messages::sender_id.ne(user))
        .count()
        .get_result(conn)
}

/// Moves a current member's read marker forward to `seq` (never back, never past the room's
/// newest message). Returns the marker afterwards, or None if `user` is not a current member.
pub fn mark_read(conn: &mut DbConn, room: &str, user: &str, seq: i64) -> QueryResult<Option<i64>> {
    let Some(last) = last_seq(conn, room)? else {
        return Ok(None);
    };
    let target = seq.clamp(0, last);
    diesel::update(
        room_members::table
            .find((room, user))
            .filter(room_members::left_at.is_null())
            .filter(room_members::last_read_seq.lt(target)),
    )
    .set(room_members::last_read_seq.eq(target))
    .execute(conn)?;
    room_members::table
        .find((room, user))
        .filter(room_members::left_at.is_null())
        .select(room_members::last_read_seq)
        .first(conn)
        .optional()
}

/// Erasure: the person's messages stay in their rooms, with the text removed.
pub fn remove_bodies_of(conn: &mut DbConn, sender: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        messages::table
            .filter(messages::sender_id.eq(sender))
            .filter(messages::removed_at.is_null()),
    )
    .set((messages::body.eq(""), messages::removed_at.eq(now)))
    .execute(conn)
}

/// One message in a person's export: (room, seq, client id, body, at).
pub type WrittenMessage = (String, i64, String, String, NaiveDateTime);

/// Everything `sender` wrote, oldest first, for the export.
pub fn written_by(conn: &mut DbConn, sender: &str) -> QueryResult<Vec<WrittenMessage>> {
    messages::table
        .filter(messages::sender_id.eq(sender))
        .order((messages::created_at.asc(), messages::seq.asc()))
        .select((
            messages::room_id,
            messages::seq,
            messages::client_id,
            messages::body,
            messages::created_at,
        ))
        .load(conn)
}

/// Alerts for messages in `room` (tests; the alert desk's queries are in `db::alerts`).
pub fn alerts_for_message(
    conn: &mut DbConn,
    message: &str,
) -> QueryResult<Vec<(String, String, String)>> {
    safety_alerts::table
        .filter(safety_alerts::message_id.eq(message))
        .select((
            safety_alerts::id,
            safety_alerts::severity,
            safety_alerts::status,
        ))
        .load(conn)
}
