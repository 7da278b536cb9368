//! `/api/v1/auth/*`: register, verify, sign in (and its second step), refresh, sign out,
//! reset a password.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::json;
use crate::auth::ClientAddr;
use crate::auth::service;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    pub password: String,
    pub display_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginMfaRequest {
    pub mfa_ticket: String,
    pub code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirmRequest {
    pub token: String,
    pub password: String,
}

pub async fn register(
    state: web::Data<AppState>,
    client: ClientAddr,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, AppError> {
    service::register(
        &state,
        client,
        &body.email,
        &body.password,
        &body.display_name,
    )
    .await?;
    json(
        StatusCode::ACCEPTED,
        &serde_json::json!({"status": "verification_sent"}),
    )
}

pub async fn verify_email(
    state: web::Data<AppState>,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, AppError> {
    let user = service::verify_email(&state, &body.token).await?;
    json(StatusCode::OK, &serde_json::json!({"user": user}))
}

pub async fn login(
    state: web::Data<AppState>,
    client: ClientAddr,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let out = service::login(&state, client, &body.email, &body.password).await?;
    json(StatusCode::OK, &out)
}

/// The second step of signing in (an account with a second factor).
pub async fn login_mfa(
    state: web::Data<AppState>,
    client: ClientAddr,
    body: web::Json<LoginMfaRequest>,
) -> Result<HttpResponse, AppError> {
    let out = service::login_second_step(&state, client, &body.mfa_ticket, &body.code).await?;
    json(StatusCode::OK, &out)
}

pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let out = service::refresh(&state, &body.refresh_token).await?;
    json(StatusCode::OK, &out)
}

pub async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    service::logout(&state, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn password_reset(
    state: web::Data<AppState>,
    client: ClientAddr,
    body: web::Json<PasswordResetRequest>,
) -> Result<HttpResponse, AppError> {
    service::request_password_reset(&state, client, &body.email).await?;
    json(
        StatusCode::ACCEPTED,
        &serde_json::json!({"status": "reset_requested"}),
    )
}

pub async fn password_reset_confirm(
    state: web::Data<AppState>,
    body: web::Json<PasswordResetConfirmRequest>,
) -> Result<HttpResponse, AppError> {
    service::confirm_password_reset(&state, &body.token, &body.password).await?;
    json(
        StatusCode::OK,
        &serde_json::json!({"status": "password_reset"}),
    )
}
