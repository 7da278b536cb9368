//! `/api/v1/admin/*`: role changes (audited).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::json;
use crate::auth::Admin;
use crate::auth::service;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRoleRequest {
    pub role: String,
    pub reason: String,
    /// The acting admin's password, or …
    #[serde(default)]
    pub password: Option<String>,
    /// … a current code (TOTP or recovery) of theirs.
    #[serde(default)]
    pub code: Option<String>,
}

pub async fn put_user_role(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    path: web::Path<String>,
    body: web::Json<SetRoleRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let proof = service::Reauth {
        password: body.password,
        code: body.code,
    };
    let user = service::set_role(&state, &admin, &path, &body.role, &body.reason, &proof).await?;
    json(StatusCode::OK, &serde_json::json!({"user": user}))
}
