//! [`DatabaseUrl`]: which backend `DATABASE_URL` selects, parsed once at start.
//!
//! It only parses the URL; connecting is `db`'s job.

use std::path::PathBuf;

/// Which database the URL selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file path (the `sqlite://` prefix removed).
    Sqlite(PathBuf),
    /// A full `postgres://` URL, passed to libpq as is.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if let Some(rest) = raw
            .strip_prefix("postgres://")
            .or_else(|| raw.strip_prefix("postgresql://"))
        {
            if rest.is_empty() {
                return Err("a postgres:// URL needs a host".into());
            }
            return Ok(DatabaseUrl::Postgres(raw.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() || path == ":memory:" {
                return Err(
                    "a sqlite:// URL needs a file path (an in-memory database cannot be pooled)"
                        .into(),
                );
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        Err("must start with sqlite:// or postgres://".into())
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }
}
