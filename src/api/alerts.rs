//! The alert desk: `/api/v1/moderation/alerts` (the queue, acknowledge, resolve),
//! `/api/v1/moderation/stats` (time to acknowledge, workload) and a room's facilitator
//! escalating to moderators (`/api/v1/rooms/{id}/escalate`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::json;
use crate::auth::{AuthUser, Moderator};
use crate::error::AppError;
use crate::moderation::alerts::{self, EscalateRequest, QueueQuery, ResolveRequest, StatsQuery};
use crate::state::AppState;

pub async fn list_alerts(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &alerts::list(&state, &who, query.into_inner()).await?,
    )
}

pub async fn acknowledge_alert(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &alerts::acknowledge(&state, &who, &path).await?,
    )
}

pub async fn resolve_alert(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    path: web::Path<String>,
    body: web::Json<ResolveRequest>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &alerts::resolve(&state, &who, &path, body.into_inner()).await?,
    )
}

pub async fn get_moderation_stats(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &alerts::stats(&state, &who, query.into_inner()).await?,
    )
}

pub async fn escalate_room(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<String>,
    body: web::Json<EscalateRequest>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::CREATED,
        &alerts::escalate(&state, &who, &path, body.into_inner()).await?,
    )
}
