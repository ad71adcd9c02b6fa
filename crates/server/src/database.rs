//! Where the server keeps its state: an SQLite file (the embedded default, one instance) or
//! PostgreSQL (shared by several instances). Both are reached through sqlx's `Any` driver, with
//! one set of SQL that both accept (`$N` parameters, no backend-only functions) and migrations
//! kept side by side per backend.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, ConnectOptions as _};

/// How long a request waits for a database connection before it is answered 503.
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// The database a `--db` value names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// `PATH` or `sqlite:PATH`: a file, created if missing.
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
}

/// A `--db` value that names no database.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DatabaseError {
    #[error("the database is empty: give a file (PATH or sqlite:PATH) or postgres://…")]
    Empty,
    #[error("{0:?} is not a PostgreSQL URL: {1}")]
    BadUrl(String, String),
}

impl Database {
    /// Reads a `--db` value.
    pub fn parse(text: &str) -> Result<Self, DatabaseError> {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            url::Url::parse(text)
                .map_err(|e| DatabaseError::BadUrl(redacted(text), e.to_string()))?;
            return Ok(Self::Postgres(text.to_owned()));
        }
        let path = text.strip_prefix("sqlite:").unwrap_or(text);
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            return Err(DatabaseError::Empty);
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// The SQLite file, if it is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Self::Sqlite(path) => Some(path),
            Self::Postgres(_) => None,
        }
    }

    /// Opens a pool of connections to it.
    pub async fn connect(&self) -> Result<AnyPool, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let options = match self {
            Self::Sqlite(path) => {
                let url = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .to_url_lossy();
                AnyConnectOptions::from_url(&url)?
            }
            Self::Postgres(url) => AnyConnectOptions::from_str(url)?,
        };
        // A request waits at most this long for a connection: without a database it is
        // answered `503 unavailable` in seconds (the default is 30 s, past a proxy's patience
        // and the page's retry), and the pool keeps trying to reconnect meanwhile.
        let pool = AnyPoolOptions::new()
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        if let Self::Sqlite(_) = self {
            // Write-ahead logging: a commit is one append and one sync (still durable, at
            // SQLite's default `synchronous = FULL`) instead of a rollback journal created,
            // synced and deleted, and readers no longer wait for writers among the pool's
            // connections. The mode is kept in the file, so setting it once is enough.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        Ok(pool)
    }
}

/// The database as logs and messages may name it: a PostgreSQL URL without its password.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => f.write_str(&redacted(url)),
        }
    }
}

fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "the PostgreSQL URL".to_owned(),
    }
}

/// Which kind of database a pool is connected to, for the migrations of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend `pool` connects to, from its URL (the `Any` driver picks its driver the
    /// same way); anything but PostgreSQL is SQLite, the only other driver installed.
    pub fn of_pool(pool: &AnyPool) -> Self {
        match pool.connect_options().database_url.scheme() {
            "postgres" | "postgresql" => Self::Postgres,
            _ => Self::Sqlite,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_values() {
        assert_eq!(
            Database::parse("sesame.db"),
            Ok(Database::Sqlite("sesame.db".into()))
        );
        assert_eq!(
            Database::parse("sqlite:/var/lib/sesame/a b.db"),
            Ok(Database::Sqlite("/var/lib/sesame/a b.db".into()))
        );
        assert_eq!(
            Database::parse("sqlite:///var/lib/sesame.db"),
            Ok(Database::Sqlite("/var/lib/sesame.db".into()))
        );
        assert_eq!(Database::parse("sqlite:"), Err(DatabaseError::Empty));
        assert_eq!(Database::parse("  "), Err(DatabaseError::Empty));
        let pg = Database::parse("postgres://sesame:hunter2@db.internal/sesame").expect("pg");
        assert_eq!(
            pg,
            Database::Postgres("postgres://sesame:hunter2@db.internal/sesame".into())
        );
        assert!(!pg.to_string().contains("hunter2"), "{pg}");
        assert!(matches!(
            Database::parse("postgres://[bad"),
            Err(DatabaseError::BadUrl(..))
        ));
    }
}
