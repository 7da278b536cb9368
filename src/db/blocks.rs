//! Queries on `blocks`: a block is a permanent exclusion in both directions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{blocks, users};

/// Blocks `blocked` for `blocker`; idempotent.
pub fn put(conn: &mut DbConn, blocker: &str, blocked: &str, now: NaiveDateTime) -> QueryResult<()> {
    let exists = blocks::table
        .find((blocker, blocked))
        .select(blocks::created_at)
        .first::<NaiveDateTime>(conn)
        .optional()?
        .is_some();
    if !exists {
        diesel::insert_into(blocks::table)
            .values((
                blocks::blocker_id.eq(blocker),
                blocks::blocked_id.eq(blocked),
                blocks::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn delete(conn: &mut DbConn, blocker: &str, blocked: &str) -> QueryResult<usize> {
    diesel::delete(blocks::table.find((blocker, blocked))).execute(conn)
}

/// Whom `blocker` has blocked, newest first, with their current display name.
pub fn list(conn: &mut DbConn, blocker: &str) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    blocks::table
        .inner_join(users::table.on(users::id.eq(blocks::blocked_id)))
        .filter(blocks::blocker_id.eq(blocker))
        .order(blocks::created_at.desc())
        .select((blocks::blocked_id, users::display_name, blocks::created_at))
        .load(conn)
}

/// The ids `blocker` has blocked (for filtering what they are shown).
pub fn blocked_by(
    conn: &mut DbConn,
    blocker: &str,
) -> QueryResult<std::collections::HashSet<String>> {
    Ok(blocks::table
        .filter(blocks::blocker_id.eq(blocker))
        .select(blocks::blocked_id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// Every block touching any of `users`, as (blocker, blocked).
pub fn involving(conn: &mut DbConn, users_: &[String]) -> QueryResult<Vec<(String, String)>> {
    blocks::table
        .filter(
            blocks::blocker_id
                .eq_any(users_)
                .or(blocks::blocked_id.eq_any(users_)),
        )
        .select((blocks::blocker_id, blocks::blocked_id))
        .load(conn)
}

/// Whether any of `users` has blocked another of them.
pub fn any_between(conn: &mut DbConn, users_: &[String]) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        blocks::table
            .filter(blocks::blocker_id.eq_any(users_))
            .filter(blocks::blocked_id.eq_any(users_)),
    ))
    .get_result(conn)
}

/// Erasure: the person's own blocks, either way.
pub fn delete_for_user(conn: &mut DbConn, user: &str) -> QueryResult<usize> {
    diesel::delete(
        blocks::table.filter(blocks::blocker_id.eq(user).or(blocks::blocked_id.eq(user))),
    )
    .execute(conn)
}
