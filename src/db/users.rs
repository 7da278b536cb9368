//! Queries on `users`. Email and display name each have a lookup key column with a unique
//! index (lower-cased address; NFKC + lower-cased name); both are NULL on an erased account.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::users;

/// Account status values (the `status` column).
pub const STATUS_ACTIVE: &str = "active";

/// A user row. Deliberately not `Debug`: it holds an email address and a password hash.
#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub email: Option<String>,
    pub email_key: Option<String>,
    pub display_name: String,
    pub display_name_key: Option<String>,
    pub password_hash: Option<String>,
    pub role: String,
    pub status: String,
    pub email_verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// A suspension in force until then (status stays `active`); ends by itself.
    pub suspended_until: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub email_key: &'a str,
    pub display_name: &'a str,
    pub display_name_key: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub status: &'a str,
    pub email_verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewUser<'_>) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The display name members see (`Former member` on an erased account).
pub fn display_name(conn: &mut DbConn, id: &str) -> QueryResult<String> {
    users::table
        .find(id)
        .select(users::display_name)
        .first(conn)
}

pub fn find_by_email_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email_key.eq(key))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Whether another account already uses this display name key.
pub fn display_name_taken(conn: &mut DbConn, key: &str, except: Option<&str>) -> QueryResult<bool> {
    let mut q = users::table
        .filter(users::display_name_key.eq(key))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(users::id.ne(id));
    }
    Ok(q.select(users::id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

pub fn set_display_name(
    conn: &mut DbConn,
    id: &str,
    name: &str,
    key: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::display_name.eq(name),
            users::display_name_key.eq(key),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_password_hash(
    conn: &mut DbConn,
    id: &str,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
        .execute(conn)
}

/// Marks the email verified; returns 1 only the first time.
pub fn mark_verified(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::email_verified_at.is_null()),
    )
    .set((users::email_verified_at.eq(now), users::updated_at.eq(now)))
    .execute(conn)
}

pub fn set_role(conn: &mut DbConn, id: &str, role: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::role.eq(role), users::updated_at.eq(now)))
        .execute(conn)
}

/// Active admins (the last one may neither be demoted nor erased).
pub fn count_active_admins(conn: &mut DbConn) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq("admin"))
        .filter(users::status.eq(STATUS_ACTIVE))
        .count()
        .get_result(conn)
}

/// Status value of an erased account.
pub const STATUS_ERASED: &str = "erased";

/// Erasure: the row stays so references hold, with nothing personal left in it.
pub fn tombstone(
    conn: &mut DbConn,
    id: &str,
    name: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::email.eq(None::<String>),
            users::email_key.eq(None::<String>),
            users::display_name.eq(name),
            users::display_name_key.eq(None::<String>),
            users::password_hash.eq(None::<String>),
            users::role.eq("member"),
            users::status.eq(STATUS_ERASED),
            users::email_verified_at.eq(None::<NaiveDateTime>),
            users::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Active moderators and admins with an email address: (id, email). They are told of safety
/// alerts.
pub fn moderator_addresses(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    users::table
        .filter(users::role.eq_any(["moderator", "admin"]))
        .filter(users::status.eq(STATUS_ACTIVE))
        .filter(users::email.is_not_null())
        .select((users::id, users::email.assume_not_null()))
        .order(users::id.asc())
        .load(conn)
}

/// The users among `ids` (any number: chunked by [`super::IDS_PER_QUERY`]), in no order.
pub fn find_many(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<User>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(super::IDS_PER_QUERY) {
        out.extend(
            users::table
                .filter(users::id.eq_any(chunk))
                .select(User::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

// ---- Sanctions (moderation actions): suspension and ban ----

/// Status value of a banned account: no sign-in, no session, no match.
pub const STATUS_BANNED: &str = "banned";

impl User {
    /// Whether a suspension is in force at `now`. Pure: a suspension ends by itself at its
    /// `until`, with no job to lift it.
    pub fn is_suspended(&self, now: NaiveDateTime) -> bool {
        suspended_at(self.suspended_until, now)
    }
}

/// Whether a suspension ending at `until` is in force at `now`.
pub fn suspended_at(until: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    until.is_some_and(|u| u > now)
}

pub fn set_suspended_until(
    conn: &mut DbConn,
    id: &str,
    until: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::suspended_until.eq(until), users::updated_at.eq(now)))
        .execute(conn)
}

/// Sets `status` (ban: `banned`, reinstate: `active`); never touches an erased account.
pub fn set_status(
    conn: &mut DbConn,
    id: &str,
    status: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::status.ne(STATUS_ERASED)),
    )
    .set((users::status.eq(status), users::updated_at.eq(now)))
    .execute(conn)
}
