//! Queries on `rooms` and `room_members`. A member is current while `left_at` is NULL; a room
//! is open while `ended_at` is NULL.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{room_members, rooms, users};

pub const ROLE_MEMBER: &str = "member";
pub const ROLE_FACILITATOR: &str = "facilitator";

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = rooms)]
pub struct Room {
    pub id: String,
    pub kind: String,
    pub focus_condition: String,
    pub max_size: i32,
    pub created_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    /// The seq of the newest message (0: none yet).
    pub last_seq: i64,
}

/// A current member as others in the room see them: pseudonym and room role only.
#[derive(Queryable, Clone, Debug)]
pub struct MemberRow {
    pub user_id: String,
    pub display_name: String,
    pub room_role: String,
    pub joined_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, r: &Room) -> QueryResult<()> {
    diesel::insert_into(rooms::table)
        .values(r)
        .execute(conn)
        .map(|_| ())
}

pub fn add_member(
    conn: &mut DbConn,
    room: &str,
    user: &str,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(room_members::table)
        .values((
            room_members::room_id.eq(room),
            room_members::user_id.eq(user),
            room_members::room_role.eq(role),
            room_members::joined_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Room>> {
    rooms::table
        .find(id)
        .select(Room::as_select())
        .first(conn)
        .optional()
}

/// Whether `user` is a current member of `room`.
pub fn is_member(conn: &mut DbConn, room: &str, user: &str) -> QueryResult<bool> {
    Ok(room_members::table
        .find((room, user))
        .filter(room_members::left_at.is_null())
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// `user`'s room role (`member`/`facilitator`) if they are a current member of `room` and the
/// room is open; None otherwise (the message writer's membership check).
pub fn open_membership_role(
    conn: &mut DbConn,
    room: &str,
    user: &str,
) -> QueryResult<Option<String>> {
    room_members::table
        .inner_join(rooms::table)
        .filter(room_members::room_id.eq(room))
        .filter(room_members::user_id.eq(user))
        .filter(room_members::left_at.is_null())
        .filter(rooms::ended_at.is_null())
        .select(room_members::room_role)
        .first(conn)
        .optional()
}

/// Stores why a volunteer was seated (a JSON `StoredExplanation`) on their membership.
pub fn set_explanation(
    conn: &mut DbConn,
    room: &str,
    user: &str,
    explanation: &str,
) -> QueryResult<usize> {
    diesel::update(room_members::table.find((room, user)))
        .set(room_members::explanation.eq(explanation))
        .execute(conn)
}

/// The explanation stored on `user`'s current membership of `room`, if any (only volunteers
/// have one).
pub fn explanation_of(conn: &mut DbConn, room: &str, user: &str) -> QueryResult<Option<String>> {
    Ok(room_members::table
        .find((room, user))
        .filter(room_members::left_at.is_null())
        .select(room_members::explanation)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

pub fn members(conn: &mut DbConn, room: &str) -> QueryResult<Vec<MemberRow>> {
    room_members::table
        .inner_join(users::table)
        .filter(room_members::room_id.eq(room))
        .filter(room_members::left_at.is_null())
        .order((room_members::joined_at.asc(), room_members::user_id.asc()))
        .select((
            room_members::user_id,
            users::display_name,
            room_members::room_role,
            room_members::joined_at,
        ))
        .load(conn)
}

/// Rooms `user` is currently in, newest first.
pub fn for_user(conn: &mut DbConn, user: &str) -> QueryResult<Vec<Room>> {
    rooms::table
        .inner_join(room_members::table)
        .filter(room_members::user_id.eq(user))
        .filter(room_members::left_at.is_null())
        .order((rooms::created_at.desc(), rooms::id.desc()))
        .select(Room::as_select())
        .load(conn)
}

/// Marks `user` as having left; 1 if they were a current member.
pub fn leave(conn: &mut DbConn, room: &str, user: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        room_members::table
            .find((room, user))
            .filter(room_members::left_at.is_null()),
    )
    .set(room_members::left_at.eq(now))
    .execute(conn)
}

/// Ends a room and lets everyone still in it go.
pub fn end(conn: &mut DbConn, room: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(rooms::table.find(room).filter(rooms::ended_at.is_null()))
        .set(rooms::ended_at.eq(now))
        .execute(conn)?;
    diesel::update(
        room_members::table
            .filter(room_members::room_id.eq(room))
            .filter(room_members::left_at.is_null()),
    )
    .set(room_members::left_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Current memberships of the given users: (user, room kind, room role, room id).
pub fn active_memberships(
    conn: &mut DbConn,
    users_: &[String],
) -> QueryResult<Vec<(String, String, String, String)>> {
    room_members::table
        .inner_join(rooms::table)
        .filter(room_members::user_id.eq_any(users_))
        .filter(room_members::left_at.is_null())
        .filter(rooms::ended_at.is_null())
        .select((
            room_members::user_id,
            rooms::kind,
            room_members::room_role,
            rooms::id,
        ))
        .load(conn)
}

/// Every (room, user) membership since `since` (current, or left after it), for cool-downs.
pub fn memberships_since(
    conn: &mut DbConn,
    users_: &[String],
    since: NaiveDateTime,
) -> QueryResult<Vec<(String, String)>> {
    room_members::table
        .filter(room_members::user_id.eq_any(users_))
        .filter(
            room_members::left_at
                .is_null()
                .or(room_members::left_at.gt(since)),
        )
        .select((room_members::room_id, room_members::user_id))
        .load(conn)
}

/// All members (current or past since `since`) of the given rooms.
pub fn members_of(
    conn: &mut DbConn,
    rooms_: &[String],
    since: NaiveDateTime,
) -> QueryResult<Vec<(String, String)>> {
    room_members::table
        .filter(room_members::room_id.eq_any(rooms_))
        .filter(
            room_members::left_at
                .is_null()
                .or(room_members::left_at.gt(since)),
        )
        .select((room_members::room_id, room_members::user_id))
        .load(conn)
}

/// Whether `user` has ever been seated in `room` (now or before).
pub fn ever_member(conn: &mut DbConn, room: &str, user: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        room_members::table
            .filter(room_members::room_id.eq(room))
            .filter(room_members::user_id.eq(user)),
    ))
    .get_result(conn)
}

/// User ids of people who were seated in `room` and left it.
pub fn former_members(conn: &mut DbConn, room: &str) -> QueryResult<Vec<String>> {
    room_members::table
        .filter(room_members::room_id.eq(room))
        .filter(room_members::left_at.is_not_null())
        .select(room_members::user_id)
        .distinct()
        .load(conn)
}

/// Open group rooms.
pub fn open_groups(conn: &mut DbConn) -> QueryResult<Vec<Room>> {
    rooms::table
        .filter(rooms::kind.eq("group"))
        .filter(rooms::ended_at.is_null())
        .select(Room::as_select())
        .load(conn)
}

/// Every membership a person has had, newest first: (room id, kind, focus, role, joined, left).
#[allow(clippy::type_complexity)]
pub fn history_of(
    conn: &mut DbConn,
    user: &str,
) -> QueryResult<
    Vec<(
        String,
        String,
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
    )>,
> {
    room_members::table
        .inner_join(rooms::table)
        .filter(room_members::user_id.eq(user))
        .order(room_members::joined_at.desc())
        .select((
            rooms::id,
            rooms::kind,
            rooms::focus_condition,
            room_members::room_role,
            room_members::joined_at,
            room_members::left_at,
        ))
        .load(conn)
}

/// The current members of each of `rooms_` as (room id, member), each room's in the order of
/// [`members`] (joined, then user id); chunked by [`super::IDS_PER_QUERY`].
pub fn members_of_rooms(
    conn: &mut DbConn,
    rooms_: &[String],
) -> QueryResult<Vec<(String, MemberRow)>> {
    let mut out = Vec::new();
    for chunk in rooms_.chunks(super::IDS_PER_QUERY) {
        let rows: Vec<(String, String, String, String, NaiveDateTime)> = room_members::table
            .inner_join(users::table)
            .filter(room_members::room_id.eq_any(chunk))
            .filter(room_members::left_at.is_null())
            .order((
                room_members::room_id,
                room_members::joined_at.asc(),
                room_members::user_id.asc(),
            ))
            .select((
                room_members::room_id,
                room_members::user_id,
                users::display_name,
                room_members::room_role,
                room_members::joined_at,
            ))
            .load(conn)?;
        out.extend(
            rows.into_iter()
                .map(|(room, user_id, display_name, room_role, joined_at)| {
                    (
                        room,
                        MemberRow {
                            user_id,
                            display_name,
                            room_role,
                            joined_at,
                        },
                    )
                }),
        );
    }
    Ok(out)
}

/// (room id, user id) of everyone who was seated in one of `rooms_` and left it, each pair
/// once, as [`former_members`] per room; chunked by [`super::IDS_PER_QUERY`].
pub fn former_members_of(
    conn: &mut DbConn,
    rooms_: &[String],
) -> QueryResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in rooms_.chunks(super::IDS_PER_QUERY) {
        out.extend(
            room_members::table
                .filter(room_members::room_id.eq_any(chunk))
                .filter(room_members::left_at.is_not_null())
                .select((room_members::room_id, room_members::user_id))
                .distinct()
                .order((room_members::room_id, room_members::user_id))
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(out)
}
