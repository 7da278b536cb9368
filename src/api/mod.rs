//! The one route table, and thin handlers: extract → one service call → response.
//!
//! `route_table()` is the single list the app registers from and the OpenAPI test reads, so
//! `openapi.yaml` and the running routes cannot drift apart unnoticed. Every error, including
//! unknown routes, wrong methods, malformed or oversized JSON, is problem+json.

pub mod admin;
pub mod alerts;
pub mod auth;
pub mod guard;
pub mod holds;
pub mod matching;
pub mod me;
pub mod moderation;
pub mod ops;
pub mod reports;
pub mod rooms;
pub mod safety_routes;
pub mod shifts;
pub mod vocab;
pub mod volunteers;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, Route, web};
use serde::Serialize;

use crate::error::AppError;

/// Largest JSON body accepted (actix's default is 2 MiB; nothing here needs more than a few KiB).
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// One route: method, path (actix and OpenAPI share the `{param}` syntax) and handler.
pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub route: Route,
}

pub(crate) fn r(method: Method, path: &'static str, route: Route) -> RouteDef {
    RouteDef {
        method,
        path,
        route,
    }
}

/// Every route the service serves.
pub fn route_table() -> Vec<RouteDef> {
    use web::{delete, get, patch, post, put};
    let mut table = vec![
        r(Method::GET, "/healthz", get().to(ops::healthz)),
        r(Method::GET, "/readyz", get().to(ops::readyz)),
        r(Method::GET, "/metrics", get().to(ops::metrics)),
        r(
            Method::POST,
            "/api/v1/auth/register",
            post().to(auth::register),
        ),
        r(
            Method::POST,
            "/api/v1/auth/verify-email",
            post().to(auth::verify_email),
        ),
        r(Method::POST, "/api/v1/auth/login", post().to(auth::login)),
        r(
            Method::POST,
            "/api/v1/auth/refresh",
            post().to(auth::refresh),
        ),
        r(Method::POST, "/api/v1/auth/logout", post().to(auth::logout)),
        r(
            Method::POST,
            "/api/v1/auth/password-reset",
            post().to(auth::password_reset),
        ),
        r(
            Method::POST,
            "/api/v1/auth/password-reset/confirm",
            post().to(auth::password_reset_confirm),
        ),
        r(Method::GET, "/api/v1/me", get().to(me::get_me)),
        r(Method::PATCH, "/api/v1/me", patch().to(me::patch_me)),
        r(Method::DELETE, "/api/v1/me", delete().to(me::delete_me)),
        r(
            Method::POST,
            "/api/v1/me/password",
            post().to(me::change_password),
        ),
        r(Method::GET, "/api/v1/me/export", get().to(me::export_me)),
        r(
            Method::PUT,
            "/api/v1/me/conditions",
            put().to(me::put_conditions),
        ),
        r(
            Method::PUT,
            "/api/v1/me/experiences",
            put().to(me::put_experiences),
        ),
        r(
            Method::GET,
            "/api/v1/me/check-ins",
            get().to(me::list_check_ins),
        ),
        r(
            Method::POST,
            "/api/v1/me/check-ins",
            post().to(me::post_check_in),
        ),
        r(
            Method::PUT,
            "/api/v1/me/volunteer",
            put().to(volunteers::put_my_volunteer),
        ),
        r(
            Method::POST,
            "/api/v1/me/volunteer/renewals",
            post().to(volunteers::post_my_volunteer_renewal),
        ),
        r(
            Method::GET,
            "/api/v1/me/volunteer/renewals",
            get().to(volunteers::list_my_volunteer_renewals),
        ),
        // Second factor (issue 11, point 11): enrolment and the second sign-in step.
        r(
            Method::POST,
            "/api/v1/auth/login/mfa",
            post().to(auth::login_mfa),
        ),
        r(
            Method::POST,
            "/api/v1/me/mfa/totp",
            post().to(me::start_totp),
        ),
        r(
            Method::POST,
            "/api/v1/me/mfa/totp/confirm",
            post().to(me::confirm_totp),
        ),
        r(Method::GET, "/api/v1/me/mfa", get().to(me::get_mfa)),
        r(
            Method::DELETE,
            "/api/v1/me/mfa",
            delete().to(me::delete_mfa),
        ),
        r(
            Method::GET,
            "/api/v1/conditions",
            get().to(vocab::list_conditions),
        ),
        r(
            Method::GET,
            "/api/v1/experiences",
            get().to(vocab::list_experiences),
        ),
        r(
            Method::GET,
            "/api/v1/check-in-instrument",
            get().to(vocab::get_check_in_instrument),
        ),
        r(
            Method::POST,
            "/api/v1/volunteer-applications",
            post().to(volunteers::post_volunteer_application),
        ),
        r(
            Method::GET,
            "/api/v1/volunteer-applications/mine",
            get().to(volunteers::list_my_volunteer_applications),
        ),
        r(
            Method::GET,
            "/api/v1/moderation/volunteer-applications",
            get().to(volunteers::list_volunteer_applications),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/volunteer-applications/{id}/approve",
            post().to(volunteers::approve_volunteer_application),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/volunteer-applications/{id}/reject",
            post().to(volunteers::reject_volunteer_application),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/volunteer-renewals/{id}/approve",
            post().to(volunteers::approve_volunteer_renewal),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/volunteer-renewals/{id}/reject",
            post().to(volunteers::reject_volunteer_renewal),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/volunteers/{user_id}/withdraw",
            post().to(volunteers::withdraw_volunteer),
        ),
        r(
            Method::PUT,
            "/api/v1/admin/users/{id}/role",
            put().to(admin::put_user_role),
        ),
        r(
            Method::POST,
            "/api/v1/match-requests",
            post().to(matching::post_match_request),
        ),
        r(
            Method::GET,
            "/api/v1/match-requests",
            get().to(matching::list_match_requests),
        ),
        r(
            Method::GET,
            "/api/v1/match-requests/{id}",
            get().to(matching::get_match_request),
        ),
        r(
            Method::DELETE,
            "/api/v1/match-requests/{id}",
            delete().to(matching::delete_match_request),
        ),
        r(
            Method::POST,
            "/api/v1/match-requests/{id}/accept",
            post().to(matching::accept_match_offer),
        ),
        r(
            Method::POST,
            "/api/v1/match-requests/{id}/decline",
            post().to(matching::decline_match_offer),
        ),
        r(
            Method::GET,
            "/api/v1/match-offers",
            get().to(matching::list_match_offers),
        ),
        r(
            Method::GET,
            "/api/v1/blocks",
            get().to(matching::list_blocks),
        ),
        r(
            Method::PUT,
            "/api/v1/blocks/{user_id}",
            put().to(matching::put_block),
        ),
        r(
            Method::DELETE,
            "/api/v1/blocks/{user_id}",
            delete().to(matching::delete_block),
        ),
        r(Method::GET, "/api/v1/rooms", get().to(rooms::list_rooms)),
        r(Method::GET, "/api/v1/rooms/{id}", get().to(rooms::get_room)),
        r(
            Method::POST,
            "/api/v1/rooms/{id}/leave",
            post().to(rooms::leave_room),
        ),
        r(
            Method::GET,
            "/api/v1/rooms/{id}/messages",
            get().to(rooms::list_messages),
        ),
        r(
            Method::POST,
            "/api/v1/rooms/{id}/messages",
            post().to(rooms::post_message),
        ),
        r(
            Method::GET,
            "/api/v1/ws",
            get().to(crate::rooms::ws::upgrade),
        ),
        r(
            Method::GET,
            "/api/v1/safety/resources",
            get().to(rooms::safety_resources),
        ),
    ];
    table.extend(safety_routes::routes());
    table.extend(moderation::routes());
    table
}

/// `(METHOD, path)` of every route, for tests and docs.
pub fn route_list() -> Vec<(String, String)> {
    route_table()
        .into_iter()
        .map(|d| (d.method.to_string(), d.path.to_string()))
        .collect()
}

/// Registers the table, one resource per path, each answering 405 to other methods.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut by_path: Vec<(&'static str, Vec<Route>, Vec<Method>)> = Vec::new();
    for d in route_table() {
        match by_path.iter_mut().find(|(p, _, _)| *p == d.path) {
            Some((_, routes, methods)) => {
                routes.push(d.route);
                methods.push(d.method);
            }
            None => by_path.push((d.path, vec![d.route], vec![d.method])),
        }
    }
    for (path, routes, methods) in by_path {
        let mut res = web::resource(path);
        for route in routes {
            res = res.route(route);
        }
        let allow = allow_header(&methods);
        cfg.service(res.default_service(web::to(move || {
            let allow = allow.clone();
            async move { method_not_allowed(allow) }
        })));
    }
    cfg.app_data(json_config())
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error));
}

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_JSON_BODY_BYTES)
        .error_handler(json_error)
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let e = match err {
        JsonPayloadError::ContentType => AppError::UnsupportedMediaType,
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            AppError::PayloadTooLarge
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => AppError::validation(
            "invalid_body",
            format!("The body does not fit this route: {e}"),
        ),
        JsonPayloadError::Deserialize(e) => {
            AppError::bad_request("malformed_json", format!("The body is not valid JSON: {e}"))
        }
        JsonPayloadError::Payload(actix_web::error::PayloadError::Overflow) => {
            AppError::PayloadTooLarge
        }
        _ => AppError::bad_request("malformed_body", "The body could not be read."),
    };
    e.into()
}

fn path_error(_err: PathError, _req: &HttpRequest) -> actix_web::Error {
    AppError::NotFound.into()
}

/// Every route's query string answers the same way as the routes' own checks: 422
/// `invalid_query` (an unknown, repeated or undecodable parameter), never serde's 400.
fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    AppError::validation(
        "invalid_query",
        format!("The query string is not valid: {err}"),
    )
    .into()
}

/// Unknown route.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Known route, other method: 405 with the `Allow` header RFC 9110 §15.5.6 requires.
fn method_not_allowed(allow: String) -> HttpResponse {
    let mut res = actix_web::ResponseError::error_response(&AppError::MethodNotAllowed);
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    res
}

/// `GET, POST`: a path's methods, in the table's order.
fn allow_header(methods: &[Method]) -> String {
    let names: Vec<&str> = methods.iter().map(Method::as_str).collect();
    names.join(", ")
}

/// A JSON response with an explicit charset.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Result<HttpResponse, AppError> {
    let text = serde_json::to_string(body).map_err(AppError::internal)?;
    Ok(HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .body(text))
}
