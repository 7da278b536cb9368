//! The append-only `audit_log` (a trigger refuses UPDATE and DELETE). Rows hold ids, action
//! names and the actor's stated reason: never emails, names, bodies or health data.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::audit_log;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub reason: Option<String>,
    pub details: String,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry<'a> {
    pub id: &'a str,
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub details: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewAuditEntry<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// Entries about one target, newest first.
pub fn for_target(conn: &mut DbConn, target_id: &str) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(audit_log::target_id.eq(target_id))
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .select(AuditEntry::as_select())
        .load(conn)
}

/// Entries by or about a user, oldest first (export).
pub fn involving(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(
            audit_log::target_id
                .eq(user_id)
                .or(audit_log::actor_id.eq(user_id)),
        )
        .order((audit_log::created_at.asc(), audit_log::id.asc()))
        .select(AuditEntry::as_select())
        .load(conn)
}

// ---- The moderators' audit route ----

/// Filters of `GET /moderation/audit`; all optional.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub target: Option<String>,
    pub action: Option<String>,
}

/// One page, newest first: entries strictly before the entry `before` (by `created_at`, then
/// id) when given, at most `limit`.
pub fn page(
    conn: &mut DbConn,
    f: &AuditFilter,
    before: Option<&AuditEntry>,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    let mut q = audit_log::table.into_boxed();
    if let Some(a) = &f.actor {
        q = q.filter(audit_log::actor_id.eq(a));
    }
    if let Some(t) = &f.target {
        q = q.filter(audit_log::target_id.eq(t));
    }
    if let Some(a) = &f.action {
        q = q.filter(audit_log::action.eq(a));
    }
    if let Some(b) = before {
        q = q.filter(
            audit_log::created_at
                .lt(b.created_at)
                .or(audit_log::created_at
                    .eq(b.created_at)
                    .and(audit_log::id.lt(b.id.clone()))),
        );
    }
    q.order((audit_log::created_at.desc(), audit_log::id.desc()))
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<AuditEntry>> {
    audit_log::table
        .find(id)
        .select(AuditEntry::as_select())
        .first(conn)
        .optional()
}
