//! Opening connections. Our own `ManageConnection` picks the engine from the URL, so a bad URL
//! or a refused connection surfaces with the engine's own error (the derive's `establish`
//! swallows them), and sets every connection up the same way.
//!
//! SQLite, per connection:
//! - `journal_mode = WAL`: readers never block the writer.
//! - `synchronous = FULL`: in WAL mode, `NORMAL` may lose the last commits on power loss; an
//!   acknowledged message or a confirmed registration must survive it, so every commit syncs the
//!   WAL. The cost is one fsync per transaction, which the message writer amortises by
//!   committing batches (group commit).
//! - `foreign_keys = ON`: SQLite does not enforce them otherwise.
//! - `busy_timeout = 5000`: a writer waits up to 5 s for the write lock instead of failing.
//! - `secure_delete = ON`: deleted rows are overwritten, so erased personal data does not
//!   linger in free pages of the file.
//!
//! PostgreSQL, per connection: `TIME ZONE 'UTC'`, so `TIMESTAMP` values are UTC whatever the
//! server's default, and `synchronous_commit = on` explicitly.

use diesel::r2d2::{ManageConnection, R2D2Connection};
use diesel::{Connection, ConnectionError, PgConnection, RunQueryDsl, SqliteConnection};

use super::DbConn;
use crate::config::DatabaseUrl;

/// `busy_timeout` for SQLite, in milliseconds.
pub const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

#[derive(Debug, Clone)]
pub struct DbManager {
    url: DatabaseUrl,
}

impl DbManager {
    pub fn new(url: DatabaseUrl) -> Self {
        DbManager { url }
    }
}

/// Opens one connection and applies the per-connection settings.
pub fn establish(url: &DatabaseUrl) -> Result<DbConn, diesel::r2d2::Error> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            let path = path.to_str().ok_or_else(|| {
                diesel::r2d2::Error::ConnectionError(ConnectionError::InvalidConnectionUrl(
                    "the SQLite path is not valid UTF-8".into(),
                ))
            })?;
            let mut c =
                SqliteConnection::establish(path).map_err(diesel::r2d2::Error::ConnectionError)?;
            // busy_timeout first: switching to WAL needs a lock, and a connection opened while
            // another holds it should wait for it rather than fail at once (seen in the kill -9
            // loop as a rare "database is locked" right after a restart).
            // Keep the literal in step with SQLITE_BUSY_TIMEOUT_MS (a test reads it back).
            diesel::connection::SimpleConnection::batch_execute(
                &mut c,
                "PRAGMA busy_timeout = 5000;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
            // journal_mode answers with a row, so it goes through a query, not batch_execute.
            diesel::sql_query("PRAGMA journal_mode = WAL")
                .execute(&mut c)
                .map_err(diesel::r2d2::Error::QueryError)?;
            diesel::connection::SimpleConnection::batch_execute(
                &mut c,
                "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
            Ok(DbConn::Sqlite(c))
        }
        DatabaseUrl::Postgres(u) => {
            let mut c = PgConnection::establish(u).map_err(diesel::r2d2::Error::ConnectionError)?;
            diesel::connection::SimpleConnection::batch_execute(
                &mut c,
                "SET TIME ZONE 'UTC'; SET synchronous_commit = on;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
            Ok(DbConn::Pg(c))
        }
    }
}

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        establish(&self.url)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// The settings a connection actually runs with (TESTPLAN T01), as name → value.
pub fn effective_settings(conn: &mut DbConn) -> diesel::QueryResult<Vec<(String, String)>> {
    #[derive(diesel::QueryableByName)]
    struct Value {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    let names: &[(&str, &str)] = match conn {
        DbConn::Sqlite(_) => &[
            (
                "journal_mode",
                "SELECT journal_mode AS v FROM pragma_journal_mode",
            ),
            (
                "synchronous",
                "SELECT CAST(synchronous AS TEXT) AS v FROM pragma_synchronous",
            ),
            (
                "foreign_keys",
                "SELECT CAST(foreign_keys AS TEXT) AS v FROM pragma_foreign_keys",
            ),
            (
                "busy_timeout",
                "SELECT CAST(timeout AS TEXT) AS v FROM pragma_busy_timeout",
            ),
        ],
        DbConn::Pg(_) => &[
            (
                "synchronous_commit",
                "SELECT current_setting('synchronous_commit') AS v",
            ),
            ("fsync", "SELECT current_setting('fsync') AS v"),
            ("TimeZone", "SELECT current_setting('TimeZone') AS v"),
        ],
    };
    names
        .iter()
        .map(|(name, sql)| {
            let row: Value = diesel::sql_query(*sql).get_result(conn)?;
            Ok((name.to_string(), row.v))
        })
        .collect()
}
