//! Persistence: one connection type over SQLite and PostgreSQL, an r2d2 pool, embedded
//! migrations, the hand-written schema and one file of plain synchronous queries per table.
//!
//! Rules this module keeps for everyone else:
//! - diesel only ever runs inside [`Db::run`], on the blocking pool, never on an async thread;
//!   a connection is never held across an `.await`.
//! - A multi-step write is one [`write_tx`] closure. On SQLite it begins `IMMEDIATE`, taking the
//!   write lock up front, so two writers wait on `busy_timeout` instead of failing with
//!   "database is locked" when a read transaction tries to upgrade.
//! - Backend-specific SQL lives here, behind one `match` on the connection.

pub mod alerts;
pub mod appeals;
pub mod audit;
pub mod blocks;
pub mod check_ins;
pub mod connection;
pub mod email_tokens;
pub mod hidden_messages;
pub mod holds;
pub mod match_offers;
pub mod match_requests;
pub mod messages;
pub mod mfa;
pub mod migrations;
pub mod moderation_actions;
pub mod outbox;
pub mod profiles;
pub mod refresh_tokens;
pub mod reports;
pub mod room_looks;
pub mod room_sanctions;
pub mod rooms;
pub mod schema;
pub mod sessions;
pub mod shifts;
pub mod users;
pub mod vocab;
pub mod volunteer_renewals;
pub mod volunteers;
pub mod webhook_outbox;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::Pool;
use diesel::{Connection, PgConnection, QueryResult, RunQueryDsl, SqliteConnection};

use crate::config::DatabaseUrl;
use crate::error::AppError;

pub use connection::DbManager;

/// A connection to whichever engine the URL chose.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Most ids one `eq_any` query binds; batched lookups over more ids issue one query per chunk.
/// SQLite binds each id as a parameter (its limit is 32,766 since 3.32; the bundled build is
/// newer) and a filter may bind a chunk twice (`blocks::involving`), so 5,000 stays well
/// inside it; PostgreSQL binds the whole list as one array.
pub const IDS_PER_QUERY: usize = 5_000;

/// How long a request waits for a pooled connection before it answers 503.
pub const POOL_CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);

pub type DbPool = Pool<DbManager>;

/// The pool plus the one way to use it.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: &'static str,
}

impl Db {
    /// Builds the pool (creating the SQLite file and folder if needed) and checks one connection.
    pub fn connect(url: &DatabaseUrl, size: u32) -> Result<Db, DbError> {
        if let DatabaseUrl::Sqlite(path) = url
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbError::Folder(dir.display().to_string(), e))?;
        }
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(POOL_CHECKOUT_TIMEOUT)
            .test_on_check_out(false)
            .build(DbManager::new(url.clone()))
            .map_err(DbError::Pool)?;
        Ok(Db {
            pool,
            backend: url.backend_name(),
        })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Runs `f` with a pooled connection on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut pooled = pool.get()?;
            let conn: &mut DbConn = &mut pooled;
            f(conn)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// A synchronous checkout, for the CLI and start-up (never from async code).
    pub fn get_blocking(&self) -> Result<diesel::r2d2::PooledConnection<DbManager>, AppError> {
        Ok(self.pool.get()?)
    }

    /// Connections open and idle, for `/metrics`.
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections, self.pool.max_size())
    }
}

/// Maps a unique-index violation (a race the service's own check lost) to `conflict`, and
/// any other error to the usual database error.
pub fn unique_or(e: diesel::result::Error, conflict: impl FnOnce() -> AppError) -> AppError {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => conflict(),
        other => other.into(),
    }
}

/// The database answers a trivial query (`/readyz`).
pub fn ping(conn: &mut DbConn) -> QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

/// One write transaction. Commits when `f` returns `Ok`, rolls back on `Err`.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(v) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(v)
        }
        Err(e) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// A savepoint inside the caller's [`write_tx`]: `Ok` releases it, `Err` rolls back only what
/// `f` did, and the transaction goes on. Lets one transaction carry many independent steps,
/// each atomic on its own (the matcher commits a batch of proposals this way).
pub fn savepoint<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    <DbConn as Connection>::TransactionManager::begin_transaction(conn)?;
    match f(conn) {
        Ok(v) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(v)
        }
        Err(e) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("could not create the database folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("could not open the database: {0}")]
    Pool(#[source] diesel::r2d2::PoolError),
    #[error("could not apply migrations: {0}")]
    Migrations(String),
}
