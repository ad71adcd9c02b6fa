//! Each successful sign-in, for the account page's list of recent ones: a sign-in the user did
//! not make is how a hijacked QR sign-in shows itself.

use sqlx::{AnyConnection, AnyPool};

/// How a browser signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// The password alone (an account still to enrol a second factor).
    Password,
    PasswordAndCode,
    /// Approved in Sesame.
    Sesame,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::PasswordAndCode => "password_and_code",
            Self::Sesame => "sesame",
        }
    }

    /// How the account page says it.
    pub fn words(stored: &str) -> &'static str {
        match stored {
            "password" => "password",
            "password_and_code" => "password and code",
            "sesame" => "Sesame",
            _ => "unknown",
        }
    }
}

/// How many sign-ins are kept per account.
const KEPT: i64 = 20;

/// Records a sign-in, on the caller's connection (inside its transaction where it goes with
/// other rows), keeping the account's last few.
pub(crate) async fn record(
    db: &mut AnyConnection,
    user_id: i64,
    at: i64,
    method: Method,
    address: &str,
    user_agent: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sign_ins (user_id, at, method, address, user_agent) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(at)
    .bind(method.name())
    .bind(address)
    .bind(user_agent)
    .execute(&mut *db)
    .await?;
    // Only the last ones are shown; older rows go.
    sqlx::query(
        "DELETE FROM sign_ins WHERE user_id = $1 AND id NOT IN
             (SELECT id FROM sign_ins WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT $2)",
    )
    .bind(user_id)
    .bind(KEPT)
    .execute(&mut *db)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SignIn {
    pub at: i64,
    pub method: String,
    pub address: String,
    pub user_agent: String,
}

/// The account's recent sign-ins, newest first.
pub(crate) async fn recent(db: &AnyPool, user_id: i64) -> Result<Vec<SignIn>, sqlx::Error> {
    sqlx::query_as(
        "SELECT at, method, address, user_agent FROM sign_ins WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(KEPT)
    .fetch_all(db)
    .await
}
