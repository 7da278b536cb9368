//! `/api/v1/volunteer-applications`, `/api/v1/me/volunteer` (settings, training renewals) and
//! the moderators' side: the queue of applications and renewals, decisions, withdrawal.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::json;
use crate::auth::{AuthUser, Moderator};
use crate::error::AppError;
use crate::profiles::volunteers::{self, ApplicationIn, TrainingIn, VolunteerSettingsIn};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    pub status: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    pub training_expires_on: Option<String>,
    pub note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    pub reason: String,
}

pub async fn post_volunteer_application(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<ApplicationIn>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::CREATED,
        &volunteers::apply(&state, &who, body.into_inner()).await?,
    )
}

pub async fn list_my_volunteer_applications(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &serde_json::json!({"applications": volunteers::mine(&state, &who).await?}),
    )
}

pub async fn put_my_volunteer(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<VolunteerSettingsIn>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &volunteers::put_settings(&state, &who, body.into_inner()).await?,
    )
}

pub async fn list_volunteer_applications(
    state: web::Data<AppState>,
    _moderator: Moderator,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let list = volunteers::queue(&state, query.status.as_deref()).await?;
    let renewals = volunteers::renewal_queue(&state, query.status.as_deref()).await?;
    json(
        StatusCode::OK,
        &serde_json::json!({"applications": list, "renewals": renewals}),
    )
}

pub async fn approve_volunteer_application(
    state: web::Data<AppState>,
    Moderator(moderator): Moderator,
    path: web::Path<String>,
    body: web::Json<ApproveRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let view = volunteers::approve(
        &state,
        &moderator,
        &path,
        b.training_expires_on.as_deref(),
        &b.note,
    )
    .await?;
    json(StatusCode::OK, &view)
}

pub async fn reject_volunteer_application(
    state: web::Data<AppState>,
    Moderator(moderator): Moderator,
    path: web::Path<String>,
    body: web::Json<RejectRequest>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &volunteers::reject(&state, &moderator, &path, &body.reason).await?,
    )
}

pub async fn post_my_volunteer_renewal(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<TrainingIn>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::CREATED,
        &volunteers::renew(&state, &who, body.into_inner()).await?,
    )
}

pub async fn list_my_volunteer_renewals(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &serde_json::json!({"renewals": volunteers::my_renewals(&state, &who).await?}),
    )
}

pub async fn approve_volunteer_renewal(
    state: web::Data<AppState>,
    Moderator(moderator): Moderator,
    path: web::Path<String>,
    body: web::Json<ApproveRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let view = volunteers::approve_renewal(
        &state,
        &moderator,
        &path,
        b.training_expires_on.as_deref(),
        &b.note,
    )
    .await?;
    json(StatusCode::OK, &view)
}

pub async fn reject_volunteer_renewal(
    state: web::Data<AppState>,
    Moderator(moderator): Moderator,
    path: web::Path<String>,
    body: web::Json<RejectRequest>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &volunteers::reject_renewal(&state, &moderator, &path, &body.reason).await?,
    )
}

pub async fn withdraw_volunteer(
    state: web::Data<AppState>,
    Moderator(moderator): Moderator,
    path: web::Path<String>,
    body: web::Json<RejectRequest>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &volunteers::withdraw(&state, &moderator, &path, &body.reason).await?,
    )
}
