//! `/api/v1/moderation/shift` (going on and off shift) and `/api/v1/safety/coverage`
//! (whether a moderator is on shift, with the banner while nobody is).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::json;
use crate::auth::{AuthUser, Moderator};
use crate::error::AppError;
use crate::moderation::coverage::{self, Coverage};
use crate::moderation::shifts::service;
use crate::safety::signposting::Region;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftRequest {
    pub on: bool,
}

/// `PUT /api/v1/moderation/shift`.
pub async fn put_shift(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    body: web::Json<ShiftRequest>,
) -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &service::set(&state, &who, body.on).await?)
}

/// `GET /api/v1/moderation/shift`.
pub async fn get_shift(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
) -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &service::mine(&state, &who).await?)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageQuery {
    pub region: Option<String>,
}

/// `GET /api/v1/safety/coverage`: any signed-in account.
pub async fn get_coverage(
    state: web::Data<AppState>,
    _who: AuthUser,
    query: web::Query<CoverageQuery>,
) -> Result<HttpResponse, AppError> {
    let region = match query.region.as_deref() {
        None => Region::England,
        Some(r) => Region::parse(r).ok_or_else(|| {
            AppError::validation(
                "invalid_query",
                "`region` must be england, scotland, wales or northern_ireland.",
            )
        })?,
    };
    let staffed = coverage::staffed(&state.db).await?;
    json(StatusCode::OK, &Coverage::for_region(staffed, region))
}
