//! `/api/v1/me`: the signed-in account, its profile, conditions, lived experience, check-ins.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::json;
use crate::auth::AuthUser;
use crate::auth::service;
use crate::error::AppError;
use crate::profiles::model::ProfilePatch;
use crate::profiles::service::{self as profiles, ConditionIn};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    #[serde(deserialize_with = "crate::domain::whole::list_of_options")]
    pub answers: Vec<Option<i64>>,
}

pub async fn get_me(state: web::Data<AppState>, who: AuthUser) -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &profiles::get_me(&state, &who).await?)
}

pub async fn patch_me(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<ProfilePatch>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &profiles::patch_me(&state, &who, body.into_inner()).await?,
    )
}

pub async fn change_password(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, AppError> {
    service::change_password(&state, &who, &body.current_password, &body.new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn put_conditions(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<Vec<ConditionIn>>,
) -> Result<HttpResponse, AppError> {
    let list = profiles::put_conditions(&state, &who, body.into_inner()).await?;
    json(StatusCode::OK, &serde_json::json!({"conditions": list}))
}

pub async fn put_experiences(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let list = profiles::put_experiences(&state, &who, body.into_inner()).await?;
    json(StatusCode::OK, &serde_json::json!({"experiences": list}))
}

pub async fn post_check_in(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<CheckInRequest>,
) -> Result<HttpResponse, AppError> {
    let view = profiles::post_check_in(&state, &who, body.into_inner().answers).await?;
    json(StatusCode::CREATED, &view)
}

pub async fn list_check_ins(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &profiles::list_check_ins(&state, &who).await?,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    pub password: String,
}

pub async fn export_me(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    let doc = crate::profiles::export::export(&state, &who).await?;
    let mut resp = json(StatusCode::OK, &doc)?;
    resp.headers_mut().insert(
        actix_web::http::header::CONTENT_DISPOSITION,
        actix_web::http::header::HeaderValue::from_static(
            "attachment; filename=\"kindred-export.json\"",
        ),
    );
    Ok(resp)
}

pub async fn delete_me(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<EraseRequest>,
) -> Result<HttpResponse, AppError> {
    crate::profiles::erasure::erase(&state, &who, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaCodeRequest {
    pub code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReauthRequest {
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

/// Starts TOTP enrolment: the secret and its `otpauth://` URI, shown while pending only.
pub async fn start_totp(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &service::start_totp(&state, &who).await?)
}

/// Confirms enrolment with a current code; answers the ten recovery codes, once.
pub async fn confirm_totp(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<MfaCodeRequest>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &service::confirm_totp(&state, &who, &body.code).await?,
    )
}

/// The caller's second factor: enrolled or not, recovery codes left, this session's standing.
pub async fn get_mfa(state: web::Data<AppState>, who: AuthUser) -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &service::mfa_status(&state, &who).await?)
}

/// Removes the second factor (re-authenticated; never for staff).
pub async fn delete_mfa(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<ReauthRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let proof = service::Reauth {
        password: body.password,
        code: body.code,
    };
    service::remove_mfa(&state, &who, &proof).await?;
    Ok(HttpResponse::NoContent().finish())
}
