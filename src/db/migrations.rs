//! Migrations embedded in the binary, one set per engine with the same names, applied at start.
//! On PostgreSQL they run under an advisory lock so instances starting together do not race.

use diesel::RunQueryDsl;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{DbConn, DbError};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// An arbitrary constant naming Kindred's migration lock.
const MIGRATION_LOCK_KEY: i64 = 0x004b_494e_4452_4544;

/// Applies pending migrations; returns how many ran.
pub fn run(conn: &mut DbConn) -> Result<usize, DbError> {
    let err = |e: &dyn std::fmt::Display| DbError::Migrations(e.to_string());
    match conn {
        DbConn::Sqlite(_) => {
            let done = conn.run_pending_migrations(SQLITE).map_err(|e| err(&e))?;
            Ok(done.len())
        }
        DbConn::Pg(_) => {
            diesel::sql_query("SELECT pg_advisory_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
                .execute(conn)
                .map_err(|e| err(&e))?;
            let result = conn
                .run_pending_migrations(POSTGRES)
                .map(|v| v.len())
                .map_err(|e| err(&e));
            diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
                .execute(conn)
                .map_err(|e| err(&e))?;
            result
        }
    }
}
