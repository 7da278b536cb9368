//! Operations: liveness, readiness, Prometheus metrics. `/metrics` carries no personal data;
//! still, expose it to the scraper only (README).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::json;
use crate::db::outbox;
use crate::error::AppError;
use crate::metrics::Gauges;
use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &serde_json::json!({"status": "ok"}))
}

/// The database answers.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .db
        .run(|c| Ok(crate::db::ping(c)?))
        .await
        .map_err(|_| {
            AppError::unavailable("database_unavailable", "The database is not answering.")
        })?;
    json(
        StatusCode::OK,
        &serde_json::json!({"status": "ready", "database": state.db.backend()}),
    )
}

pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let backlog = state.db.run(|c| Ok(outbox::backlog(c)?)).await.ok();
    let (conns, idle, max) = state.db.pool_state();
    let text = state.metrics.render(&Gauges {
        pool_connections: conns,
        pool_idle: idle,
        pool_max: max,
        outbox_backlog: backlog,
        ws_connections: state.sockets.connection_count(),
    });
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
