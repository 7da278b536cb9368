//! Queries on `profiles`, `user_conditions` and `user_experiences`. JSON-shaped columns are
//! text, written only after the service has validated them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{profiles, user_conditions, user_experiences};

/// Not `Debug`: health-adjacent personal data.
#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Default)]
#[diesel(table_name = profiles)]
#[diesel(treat_none_as_null = true)]
pub struct ProfileRow {
    pub user_id: String,
    pub pronouns: Option<String>,
    pub bio: Option<String>,
    pub languages: String,
    pub timezone: Option<String>,
    pub age_band: Option<String>,
    pub gender: Option<String>,
    pub availability: String,
    pub support_preferences: String,
    pub sharing: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = user_conditions)]
pub struct UserCondition {
    pub user_id: String,
    pub condition_id: String,
    pub diagnosed_year: Option<i32>,
    pub is_primary: bool,
}

pub fn find(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<ProfileRow>> {
    profiles::table
        .find(user_id)
        .select(ProfileRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the whole profile row (insert or replace).
pub fn save(conn: &mut DbConn, row: &ProfileRow) -> QueryResult<()> {
    let updated = diesel::update(profiles::table.find(&row.user_id))
        .set(row)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(profiles::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn conditions(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<UserCondition>> {
    user_conditions::table
        .filter(user_conditions::user_id.eq(user_id))
        .order((
            user_conditions::is_primary.desc(),
            user_conditions::condition_id,
        ))
        .select(UserCondition::as_select())
        .load(conn)
}

pub fn replace_conditions(
    conn: &mut DbConn,
    user_id: &str,
    rows: &[UserCondition],
) -> QueryResult<()> {
    diesel::delete(user_conditions::table.filter(user_conditions::user_id.eq(user_id)))
        .execute(conn)?;
    for r in rows {
        diesel::insert_into(user_conditions::table)
            .values(r)
            .execute(conn)?;
    }
    Ok(())
}

pub fn experiences(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<String>> {
    user_experiences::table
        .filter(user_experiences::user_id.eq(user_id))
        .order(user_experiences::experience_id)
        .select(user_experiences::experience_id)
        .load(conn)
}

pub fn replace_experiences(conn: &mut DbConn, user_id: &str, ids: &[String]) -> QueryResult<()> {
    diesel::delete(user_experiences::table.filter(user_experiences::user_id.eq(user_id)))
        .execute(conn)?;
    for id in ids {
        diesel::insert_into(user_experiences::table)
            .values((
                user_experiences::user_id.eq(user_id),
                user_experiences::experience_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Erasure: removes the profile, conditions and experiences of a user.
pub fn delete_all(conn: &mut DbConn, user_id: &str) -> QueryResult<()> {
    diesel::delete(profiles::table.find(user_id)).execute(conn)?;
    diesel::delete(user_conditions::table.filter(user_conditions::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(user_experiences::table.filter(user_experiences::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}

/// The profiles of `users` that have one (any number: chunked by [`super::IDS_PER_QUERY`]).
pub fn find_many(conn: &mut DbConn, users: &[String]) -> QueryResult<Vec<ProfileRow>> {
    let mut out = Vec::with_capacity(users.len());
    for chunk in users.chunks(super::IDS_PER_QUERY) {
        out.extend(
            profiles::table
                .filter(profiles::user_id.eq_any(chunk))
                .select(ProfileRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// The conditions of `users`, each person's in the order of [`conditions`] (primary first,
/// then by id), people in user id order; chunked by [`super::IDS_PER_QUERY`].
pub fn conditions_of(conn: &mut DbConn, users: &[String]) -> QueryResult<Vec<UserCondition>> {
    let mut out = Vec::new();
    for chunk in users.chunks(super::IDS_PER_QUERY) {
        out.extend(
            user_conditions::table
                .filter(user_conditions::user_id.eq_any(chunk))
                .order((
                    user_conditions::user_id,
                    user_conditions::is_primary.desc(),
                    user_conditions::condition_id,
                ))
                .select(UserCondition::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// The lived-experience tags of `users` as (user, tag), each person's in the order of
/// [`experiences`]; chunked by [`super::IDS_PER_QUERY`].
pub fn experiences_of(conn: &mut DbConn, users: &[String]) -> QueryResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in users.chunks(super::IDS_PER_QUERY) {
        out.extend(
            user_experiences::table
                .filter(user_experiences::user_id.eq_any(chunk))
                .order((user_experiences::user_id, user_experiences::experience_id))
                .select((user_experiences::user_id, user_experiences::experience_id))
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(out)
}
