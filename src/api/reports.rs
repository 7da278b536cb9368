//! `/api/v1/reports` (a member's reports) and `/api/v1/moderation/reports` (the queue, claim,
//! resolve). Thin: extract, one service call, respond. See `moderation::reports`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::json;
use crate::auth::{AuthUser, Moderator};
use crate::error::AppError;
use crate::moderation::ladder::Ladder;
use crate::moderation::reports::decide::{self, ResolveIn};
use crate::moderation::reports::file::{self, ReportIn};
use crate::moderation::reports::queue;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    pub before: Option<String>,
    pub limit: Option<i64>,
}

/// `POST /reports`: 201 for a new report, 200 when it folds into the reporter's earlier one.
pub async fn post_report(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<ReportIn>,
) -> Result<HttpResponse, AppError> {
    let (view, created) = file::file(&state, &who, body.into_inner()).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    json(status, &view)
}

pub async fn list_my_reports(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &serde_json::json!({"reports": file::mine(&state, &who).await?}),
    )
}

pub async fn list_moderation_reports(
    state: web::Data<AppState>,
    ladder: web::Data<Ladder>,
    Moderator(moderator): Moderator,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let page = queue::queue(
        &state,
        ladder.into_inner(),
        &moderator.id,
        q.before.as_deref(),
        q.limit,
    )
    .await?;
    json(StatusCode::OK, &page)
}

pub async fn claim_report(
    state: web::Data<AppState>,
    Moderator(moderator): Moderator,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &decide::claim(&state, &moderator, &path).await?,
    )
}

pub async fn resolve_report(
    state: web::Data<AppState>,
    Moderator(moderator): Moderator,
    path: web::Path<String>,
    body: web::Json<ResolveIn>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &decide::resolve(&state, &moderator, &path, body.into_inner()).await?,
    )
}
