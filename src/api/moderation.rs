//! Moderation actions, appeals and the audit log: `/api/v1/moderation/messages/…`,
//! `/moderation/users/…`, `/moderation/rooms/{id}/members/…`, `/moderation/appeals`,
//! `/moderation/audit`, and the person's own `/api/v1/appeals`.
//!
//! Hide, unhide, mute and unmute take any signed-in account (`AuthUser`): the policy lets a
//! volunteer act in a room they facilitate and refuses everyone else who is not a moderator
//! (`moderation::policy`). Every other moderation route takes `Moderator`. An action answers
//! 201 with the stored action.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::{RouteDef, json, r};
use crate::auth::{AuthUser, Moderator};
use crate::error::AppError;
use crate::moderation::actions::audit_log::{self, AuditQuery};
use crate::moderation::actions::{
    self, ActionView, HideRequest, MuteRequest, ReasonRequest, RoomReasonRequest, SuspendRequest,
    WarnRequest,
};
use crate::moderation::appeals::{self, AppealRequest, DecideRequest};
use crate::moderation::looks::{self, LookPageQuery, LookRequest};
use crate::state::AppState;
use actix_web::http::Method;

/// This module's routes (appended to `api::route_table`).
pub fn routes() -> Vec<RouteDef> {
    use web::{get, post};
    vec![
        r(
            Method::POST,
            "/api/v1/moderation/rooms/{id}/look",
            post().to(open_look),
        ),
        r(
            Method::GET,
            "/api/v1/moderation/rooms/{id}/messages",
            get().to(look_messages),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/messages/{id}/hide",
            post().to(hide_message),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/messages/{id}/unhide",
            post().to(unhide_message),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/users/{id}/warn",
            post().to(warn_user),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/users/{id}/suspend",
            post().to(suspend_user),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/users/{id}/ban",
            post().to(ban_user),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/users/{id}/reinstate",
            post().to(reinstate_user),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/rooms/{id}/members/{user_id}/mute",
            post().to(mute_member),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/rooms/{id}/members/{user_id}/unmute",
            post().to(unmute_member),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/rooms/{id}/members/{user_id}/remove",
            post().to(remove_member),
        ),
        r(
            Method::GET,
            "/api/v1/moderation/audit",
            get().to(list_audit),
        ),
        r(Method::POST, "/api/v1/appeals", post().to(post_appeal)),
        r(
            Method::GET,
            "/api/v1/appeals/mine",
            get().to(list_my_appeals),
        ),
        r(
            Method::GET,
            "/api/v1/moderation/appeals",
            get().to(list_appeals),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/appeals/{id}/decide",
            post().to(decide_appeal),
        ),
    ]
}

fn done(a: ActionView) -> Result<HttpResponse, AppError> {
    json(StatusCode::CREATED, &a)
}

/// Opens a reasoned, audited look into a room's content (break glass).
pub async fn open_look(
    state: web::Data<AppState>,
    who: Moderator,
    id: web::Path<String>,
    body: web::Json<LookRequest>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::CREATED,
        &looks::open(&state, &who.0, &id, body.into_inner()).await?,
    )
}

/// A page of a room's messages through the caller's open look.
pub async fn look_messages(
    state: web::Data<AppState>,
    who: Moderator,
    id: web::Path<String>,
    q: web::Query<LookPageQuery>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &looks::read(&state, &who.0, &id, q.into_inner()).await?,
    )
}

pub async fn hide_message(
    state: web::Data<AppState>,
    who: AuthUser,
    id: web::Path<String>,
    body: web::Json<HideRequest>,
) -> Result<HttpResponse, AppError> {
    done(actions::hide(&state, &who, &id, body.into_inner()).await?)
}

pub async fn unhide_message(
    state: web::Data<AppState>,
    who: AuthUser,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> Result<HttpResponse, AppError> {
    done(actions::unhide(&state, &who, &id, body.into_inner()).await?)
}

pub async fn warn_user(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    id: web::Path<String>,
    body: web::Json<WarnRequest>,
) -> Result<HttpResponse, AppError> {
    done(actions::warn(&state, &who, &id, body.into_inner()).await?)
}

pub async fn suspend_user(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    id: web::Path<String>,
    body: web::Json<SuspendRequest>,
) -> Result<HttpResponse, AppError> {
    done(actions::suspend(&state, &who, &id, body.into_inner()).await?)
}

pub async fn ban_user(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    id: web::Path<String>,
    body: web::Json<WarnRequest>,
) -> Result<HttpResponse, AppError> {
    done(actions::ban(&state, &who, &id, body.into_inner()).await?)
}

pub async fn reinstate_user(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> Result<HttpResponse, AppError> {
    done(actions::reinstate(&state, &who, &id, body.into_inner()).await?)
}

pub async fn mute_member(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<(String, String)>,
    body: web::Json<MuteRequest>,
) -> Result<HttpResponse, AppError> {
    let (room, user) = path.into_inner();
    done(actions::mute(&state, &who, &room, &user, body.into_inner()).await?)
}

pub async fn unmute_member(
    state: web::Data<AppState>,
    who: AuthUser,
    path: web::Path<(String, String)>,
    body: web::Json<RoomReasonRequest>,
) -> Result<HttpResponse, AppError> {
    let (room, user) = path.into_inner();
    done(actions::unmute(&state, &who, &room, &user, body.into_inner()).await?)
}

pub async fn remove_member(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    path: web::Path<(String, String)>,
    body: web::Json<RoomReasonRequest>,
) -> Result<HttpResponse, AppError> {
    let (room, user) = path.into_inner();
    done(actions::remove(&state, &who, &room, &user, body.into_inner()).await?)
}

pub async fn list_audit(
    state: web::Data<AppState>,
    _moderator: Moderator,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &audit_log::page(&state, query.into_inner()).await?,
    )
}

pub async fn post_appeal(
    state: web::Data<AppState>,
    who: AuthUser,
    body: web::Json<AppealRequest>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::CREATED,
        &appeals::create(&state, &who, body.into_inner()).await?,
    )
}

pub async fn list_my_appeals(
    state: web::Data<AppState>,
    who: AuthUser,
) -> Result<HttpResponse, AppError> {
    json(StatusCode::OK, &appeals::mine(&state, &who).await?)
}

pub async fn list_appeals(
    state: web::Data<AppState>,
    _moderator: Moderator,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &serde_json::json!({"appeals": appeals::queue(&state).await?}),
    )
}

pub async fn decide_appeal(
    state: web::Data<AppState>,
    Moderator(who): Moderator,
    id: web::Path<String>,
    body: web::Json<DecideRequest>,
) -> Result<HttpResponse, AppError> {
    json(
        StatusCode::OK,
        &appeals::decide(&state, &who, &id, body.into_inner()).await?,
    )
}
