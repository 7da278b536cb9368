//! `/api/v1/me`: the signed-in account.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::json;
use crate::auth::AuthUser;
use crate::auth::service;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchMeRequest {
    pub display_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

pub async fn get_me(state: web::Data<AppState>, who: AuthUser) -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &service::get_me(&state, &who).await?)
}

pub async fn patch_me(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<PatchMeRequest>,
) -> Result<HttpResponse, AppError> {
    let me = match &body.display_name {
        Some(name) => service::rename(&state, &who, name).await?,
        None => service::get_me(&state, &who).await?,
    };
    json(StatusCode::OK, &me)
}

pub async fn change_password(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, AppError> {
    service::change_password(&state, &who, &body.current_password, &body.new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}
