//! For load balancers and orchestrators: `/healthz` says whether this instance reaches its
//! database, `/readyz` whether it should be sent requests (healthy and not shutting down).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::state::AppState;

/// How long the database gets to answer a health check.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// A health answer: `ok`, or the reason it is not.
#[derive(Debug, Serialize)]
pub struct Health {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

fn answer(problem: Option<&'static str>) -> (StatusCode, Json<Health>) {
    let status = match problem {
        None => StatusCode::OK,
        Some(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    (
        status,
        Json(Health {
            ok: problem.is_none(),
            reason: problem,
        }),
    )
}

async fn database_answers(app: &AppState) -> bool {
    let check = sqlx::query("SELECT 1").execute(app.db());
    matches!(tokio::time::timeout(CHECK_TIMEOUT, check).await, Ok(Ok(_)))
}

/// `GET /healthz`: 200 while the database answers, else 503.
pub async fn healthz(State(app): State<AppState>) -> (StatusCode, Json<Health>) {
    answer((!database_answers(&app).await).then_some("the database does not answer"))
}

/// `GET /readyz`: `/healthz`, and 503 from the moment a shutdown begins, so that a proxy sends
/// the next requests elsewhere while this instance finishes its own.
pub async fn readyz(State(app): State<AppState>) -> (StatusCode, Json<Health>) {
    if app.shutting_down() {
        return answer(Some("shutting down"));
    }
    healthz(State(app)).await
}
