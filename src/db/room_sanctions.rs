//! Queries of moderation sanctions on rooms: the message writer's send gate (membership,
//! mute and suspension in one query), a membership's mute, everyone ever in a room (a
//! removal's matching exclusions) and restoring a removed member (an overturned appeal).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{room_members, rooms, users};

/// What the message writer checks before storing a send, in one query: the sender's room
/// role if they are a current member of the open room and their account is active, with
/// their mute on this membership and their account's suspension (either may be past).
pub struct SendGate {
    pub room_role: String,
    pub muted_until: Option<NaiveDateTime>,
    pub suspended_until: Option<NaiveDateTime>,
}

pub fn send_gate(conn: &mut DbConn, room: &str, user: &str) -> QueryResult<Option<SendGate>> {
    let row: Option<(String, Option<NaiveDateTime>, Option<NaiveDateTime>)> = room_members::table
        .inner_join(rooms::table)
        .inner_join(users::table)
        .filter(room_members::room_id.eq(room))
        .filter(room_members::user_id.eq(user))
        .filter(room_members::left_at.is_null())
        .filter(rooms::ended_at.is_null())
        .filter(users::status.eq(super::users::STATUS_ACTIVE))
        .select((
            room_members::room_role,
            room_members::muted_until,
            users::suspended_until,
        ))
        .first(conn)
        .optional()?;
    Ok(
        row.map(|(room_role, muted_until, suspended_until)| SendGate {
            room_role,
            muted_until,
            suspended_until,
        }),
    )
}

/// Sets (or clears) the mute on a current membership; 1 if there was one.
pub fn set_muted_until(
    conn: &mut DbConn,
    room: &str,
    user: &str,
    until: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(
        room_members::table
            .find((room, user))
            .filter(room_members::left_at.is_null()),
    )
    .set(room_members::muted_until.eq(until))
    .execute(conn)
}

/// The mute on `user`'s current membership of `room` (None: not a member or not muted).
pub fn muted_until(
    conn: &mut DbConn,
    room: &str,
    user: &str,
) -> QueryResult<Option<NaiveDateTime>> {
    Ok(room_members::table
        .find((room, user))
        .filter(room_members::left_at.is_null())
        .select(room_members::muted_until)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}

/// Everyone who was ever in `room`, current or former (a removal's matching exclusions).
pub fn everyone_ever_in(conn: &mut DbConn, room: &str) -> QueryResult<Vec<String>> {
    room_members::table
        .filter(room_members::room_id.eq(room))
        .select(room_members::user_id)
        .load(conn)
}

/// Puts a removed member back into an open room (an appeal overturned the removal); 1 if
/// the room is open and they had left it.
pub fn rejoin(conn: &mut DbConn, room: &str, user: &str) -> QueryResult<usize> {
    let open: bool = diesel::select(diesel::dsl::exists(
        rooms::table.find(room).filter(rooms::ended_at.is_null()),
    ))
    .get_result(conn)?;
    if !open {
        return Ok(0);
    }
    diesel::update(
        room_members::table
            .find((room, user))
            .filter(room_members::left_at.is_not_null()),
    )
    .set((
        room_members::left_at.eq(None::<NaiveDateTime>),
        room_members::muted_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}
