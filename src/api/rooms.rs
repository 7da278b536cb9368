//! `/api/v1/rooms`: a member's rooms, one room, leaving, messages; the websocket upgrade lives
//! in `rooms::ws`; safety signposting.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::json;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::rooms::{Live, messages, service};
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

pub async fn list_messages(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<String>,
    query: web::Query<messages::PageQuery>,
) -> Result<HttpResponse, AppError> {
    let (page, has_more, held) = messages::page(&state, &who, &path, query.into_inner()).await?;
    json(
        StatusCode::OK,
        &serde_json::json!({"messages": page, "has_more": has_more, "held": held}),
    )
}

pub async fn post_message(
    state: web::Data<AppState>,
    live: web::Data<Live>,
    who: AuthUser,
    path: web::Path<String>,
    body: web::Json<messages::PostMessage>,
) -> Result<HttpResponse, AppError> {
    let stored = messages::post(&state, &live, &who, &path, body.into_inner()).await?;
    let mut resp = if stored.held {
        // Held for review (`moderation::holds`): 202, no seq until a moderator releases it.
        let mut v = serde_json::to_value(&stored.view).map_err(AppError::internal)?;
        if let Some(o) = v.as_object_mut() {
            o.remove("seq");
            o.insert("held".into(), true.into());
        }
        json(StatusCode::ACCEPTED, &with_notice(v, &stored.notice))?
    } else {
        let v = serde_json::to_value(&stored.view).map_err(AppError::internal)?;
        json(StatusCode::CREATED, &with_notice(v, &stored.notice))?
    };
    if stored.replayed {
        resp.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
            actix_web::http::header::HeaderValue::from_static("true"),
        );
    }
    Ok(resp)
}

/// Adds the writer's private notice (held, personal information) to a message answer.
fn with_notice(
    mut v: serde_json::Value,
    notice: &Option<crate::moderation::holds::notices::Notice>,
) -> serde_json::Value {
    if let (Some(o), Some(n)) = (v.as_object_mut(), notice) {
        o.insert(
            "notice".into(),
            serde_json::json!({"code": n.code, "text": n.text}),
        );
    }
    v
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourcesQuery {
    pub region: Option<String>,
}

/// `GET /api/v1/safety/resources`: UK crisis signposting, no sign-in needed.
pub async fn safety_resources(query: web::Query<ResourcesQuery>) -> Result<HttpResponse, AppError> {
    use crate::safety::signposting::{self, Region};
    let region = match query.region.as_deref() {
        None => Region::England,
        Some(r) => Region::parse(r).ok_or_else(|| {
            AppError::validation(
                "invalid_query",
                "`region` must be england, scotland, wales or northern_ireland.",
            )
        })?,
    };
    json(
        StatusCode::OK,
        &serde_json::json!({
            "region": region.as_str(),
            "resources": signposting::resources(region),
            "notice": signposting::NOTICE,
        }),
    )
}
