//! `/api/v1/match-requests`, `/api/v1/match-offers` and `/api/v1/blocks`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::json;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::matching::requests::{self, NewRequest};
use crate::matching::{blocks, offers};
use crate::state::AppState;

pub async fn post_match_request(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<NewRequest>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::CREATED,
        &requests::create(&state, &who, body.into_inner()).await?,
    )
}

pub async fn list_match_requests(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &serde_json::json!({"match_requests": requests::list(&state, &who).await?}),
    )
}

pub async fn get_match_request(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &requests::get(&state, &who, &path).await?)
}

pub async fn delete_match_request(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &requests::cancel(&state, &who, &path).await?,
    )
}

pub async fn accept_match_offer(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &offers::answer(&state, &who, &path, true).await?,
    )
}

pub async fn decline_match_offer(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &offers::answer(&state, &who, &path, false).await?,
    )
}

pub async fn list_match_offers(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &serde_json::json!({"match_offers": offers::open_for(&state, &who).await?}),
    )
}

pub async fn list_blocks(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &serde_json::json!({"blocks": blocks::list(&state, &who).await?}),
    )
}

pub async fn put_block(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    blocks::put(&state, &who, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn delete_block(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    blocks::delete(&state, &who, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}
