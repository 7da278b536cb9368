//! What a socket reads from the database: the rooms and positions it starts with, read
//! markers, the membership a `resume` re-checks, and the pages that fill a gap or replay.
//! The connection tasks (`rooms::ws`) call these; they hold no query of their own.
//!
//! Held messages (`moderation::holds`) never appear here: they sit at a placeholder seq below
//! 1 until released, when they take the room's next seq, so a replay or gap fill (always
//! `seq > from >= 0`) never meets a hole left by one.

use std::collections::HashSet;

use crate::db::messages::{self, MessageRow};
use crate::db::{Db, blocks, hidden_messages, rooms, users};
use crate::error::AppError;

/// A connection's starting point, read once at connect.
pub struct Start {
    /// The rooms the person is a current member of.
    pub rooms: Vec<String>,
    pub display_name: String,
    /// People they blocked.
    pub blocked: HashSet<String>,
}

pub async fn start(db: &Db, user: &str) -> Result<Start, AppError> {
    let me = user.to_string();
    db.run(move |c| {
        let rooms = messages::room_positions(c, &me)?
            .into_iter()
            .map(|(r, _, _)| r)
            .collect();
        let display_name = users::find(c, &me)?
            .map(|u| u.display_name)
            .unwrap_or_default();
        let blocked = blocks::blocked_by(c, &me)?;
        Ok(Start {
            rooms,
            display_name,
            blocked,
        })
    })
    .await
}

/// (room, last seq, unread) for each of the person's rooms.
pub async fn positions(db: &Db, user: &str) -> Result<Vec<(String, i64, i64)>, AppError> {
    let me = user.to_string();
    db.run(move |c| {
        let rows = messages::room_positions(c, &me)?;
        rows.into_iter()
            .map(|(room, last, read)| {
                let unread = messages::unread(c, &room, &me, read)?;
                Ok((room, last, unread))
            })
            .collect::<Result<Vec<_>, AppError>>()
    })
    .await
}

/// (last seq, unread) of a room just joined.
pub async fn joined(db: &Db, room: &str, user: &str) -> Result<(i64, i64), AppError> {
    let (room, me) = (room.to_string(), user.to_string());
    db.run(move |c| {
        let last = messages::last_seq(c, &room)?.unwrap_or(0);
        Ok((last, messages::unread(c, &room, &me, 0)?))
    })
    .await
}

/// Moves the person's read marker; the marker now stored, or None if not a member.
pub async fn mark_read(db: &Db, room: &str, user: &str, seq: i64) -> Result<Option<i64>, AppError> {
    let (room, me) = (room.to_string(), user.to_string());
    db.run(move |c| Ok(messages::mark_read(c, &room, &me, seq)?))
        .await
}

/// Which of `wanted` the person is a current member of (a database failure: none).
pub async fn member_of(db: &Db, user: &str, wanted: Vec<String>) -> HashSet<String> {
    let me = user.to_string();
    db.run(move |c| {
        let mut current = HashSet::new();
        for r in wanted {
            if rooms::is_member(c, &r, &me)? {
                current.insert(r);
            }
        }
        Ok(current)
    })
    .await
    .unwrap_or_default()
}

/// The room's newest seq and its messages after `from`, before `until` (or to the newest),
/// at most `limit`, each with whether a moderator hid it (shown hidden, with no body).
pub async fn replay(
    db: &Db,
    room: &str,
    from: i64,
    until: Option<i64>,
    limit: i64,
) -> Result<(i64, Vec<(MessageRow, bool)>), AppError> {
    let room = room.to_string();
    db.run(move |c| {
        let last = messages::last_seq(c, &room)?.unwrap_or(0);
        let rows = messages::page(c, &room, Some(from), until, limit)?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let hidden = hidden_messages::among(c, &ids)?;
        let rows = rows
            .into_iter()
            .map(|r| {
                let h = hidden.contains(&r.id);
                (r, h)
            })
            .collect();
        Ok((last, rows))
    })
    .await
}
