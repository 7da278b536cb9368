//! `/api/v1/rooms`: a member's rooms, one room, leaving.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::json;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::rooms::service;
use crate::state::AppState;

pub async fn list_rooms(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &serde_json::json!({"rooms": service::list(&state, &who).await?}),
    )
}

pub async fn get_room(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &service::get(&state, &who, &path).await?)
}

pub async fn leave_room(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    service::leave(&state, &who, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}
