//! `/api/v1/moderation/held` and the decisions on a held message (`moderation::holds`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::json;
use crate::auth::Moderator;
use crate::error::AppError;
use crate::moderation::holds::service;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldQuery {
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub reason: Option<String>,
}

pub async fn list_held_messages(
    state: web::Data<AppState>,
    _moderator: Moderator,
    query: web::Query<HeldQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let (items, next) = service::queue(&state, q.cursor, q.limit).await?;
    json(
        StatusCode::OK,
        &serde_json::json!({"items": items, "next_cursor": next}),
    )
}

pub async fn release_held_message(
    state: web::Data<AppState>,
    Moderator(moderator): Moderator,
    path: web::Path<String>,
    body: web::Json<DecisionRequest>,
) -> Result<HttpResponse, AppError> {
    let done = service::release(&state, &moderator, &path, body.into_inner().reason).await?;
    json(StatusCode::OK, &done)
}

pub async fn reject_held_message(
    state: web::Data<AppState>,
    Moderator(moderator): Moderator,
    path: web::Path<String>,
    body: web::Json<DecisionRequest>,
) -> Result<HttpResponse, AppError> {
    let done = service::reject(&state, &moderator, &path, body.into_inner().reason).await?;
    json(StatusCode::OK, &done)
}
