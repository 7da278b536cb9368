//! The one error type at the HTTP boundary and its `application/problem+json` body (RFC 9457).
//!
//! Every variant maps to a status by an exhaustive `match` (no catch-all), and every response
//! carries a stable snake_case `code`. Internal causes are logged once, here, with their chain,
//! and never serialised to the client.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A request field failed validation (422). `code` names the rule.
    #[error("{detail}")]
    Validation { code: &'static str, detail: String },
    /// The request could not be read at all: malformed JSON, bad query or path (400).
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// No, expired or invalid credentials (401).
    #[error("{detail}")]
    Unauthorized { code: &'static str, detail: String },
    /// Authenticated, but this account may not do this (403).
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    /// Missing, or not visible to the caller (404; never says which).
    #[error("not found")]
    NotFound,
    /// The route exists but not with this method (405).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The state forbids it: duplicate, last admin, already open (409).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// A one-time token that is used, expired or unknown (410 would leak which; we use 400).
    #[error("{detail}")]
    InvalidToken { code: &'static str, detail: String },
    /// Body larger than the limit (413).
    #[error("request body too large")]
    PayloadTooLarge,
    /// Not `application/json` (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Too many of something that is not time-based, such as open connections (429).
    #[error("{detail}")]
    TooMany { code: &'static str, detail: String },
    /// Too many attempts (429, with `Retry-After`).
    #[error("too many requests")]
    RateLimited { retry_after: Duration },
    /// Overloaded or a dependency is down (503, with `Retry-After`).
    #[error("{detail}")]
    Unavailable { code: &'static str, detail: String },
    /// The client did not finish sending the request in time (408); the connection closes.
    #[error("{detail}")]
    RequestTimeout { code: &'static str, detail: String },
    /// Anything unexpected. Logged with its cause; the client sees an opaque 500.
    #[error("internal error")]
    Internal(#[source] anyhow_lite::Error),
}

/// A tiny boxed-error wrapper so `?` works on any std error without pulling in `anyhow`.
pub mod anyhow_lite {
    pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;
}

impl AppError {
    pub fn validation(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Validation {
            code,
            detail: detail.into(),
        }
    }
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            detail: detail.into(),
        }
    }
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Unauthorized {
            code,
            detail: detail.into(),
        }
    }
    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Forbidden {
            code,
            detail: detail.into(),
        }
    }
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }
    pub fn invalid_token(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::InvalidToken {
            code,
            detail: detail.into(),
        }
    }
    pub fn unavailable(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Unavailable {
            code,
            detail: detail.into(),
        }
    }
    pub fn internal(e: impl Into<anyhow_lite::Error>) -> Self {
        AppError::Internal(e.into())
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { code, .. }
            | AppError::BadRequest { code, .. }
            | AppError::Unauthorized { code, .. }
            | AppError::Forbidden { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::InvalidToken { code, .. }
            | AppError::TooMany { code, .. }
            | AppError::RequestTimeout { code, .. }
            | AppError::Unavailable { code, .. } => code,
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "Invalid field",
            AppError::BadRequest { .. } => "Bad request",
            AppError::Unauthorized { .. } => "Not authenticated",
            AppError::Forbidden { .. } => "Not allowed",
            AppError::NotFound => "Not found",
            AppError::MethodNotAllowed => "Method not allowed",
            AppError::Conflict { .. } => "Conflict",
            AppError::InvalidToken { .. } => "Invalid or expired token",
            AppError::PayloadTooLarge => "Request body too large",
            AppError::UnsupportedMediaType => "Unsupported media type",
            AppError::RateLimited { .. } | AppError::TooMany { .. } => "Too many requests",
            AppError::Unavailable { .. } => "Service unavailable",
            AppError::RequestTimeout { .. } => "Request timeout",
            AppError::Internal(_) => "Internal server error",
        }
    }

    fn detail(&self) -> String {
        match self {
            AppError::Validation { detail, .. }
            | AppError::BadRequest { detail, .. }
            | AppError::Unauthorized { detail, .. }
            | AppError::Forbidden { detail, .. }
            | AppError::Conflict { detail, .. }
            | AppError::InvalidToken { detail, .. }
            | AppError::TooMany { detail, .. }
            | AppError::RequestTimeout { detail, .. }
            | AppError::Unavailable { detail, .. } => detail.clone(),
            AppError::NotFound => "There is nothing here, or it is not visible to you.".into(),
            AppError::MethodNotAllowed => "This route does not accept that method.".into(),
            AppError::PayloadTooLarge => {
                "The request body is larger than this route accepts.".into()
            }
            AppError::UnsupportedMediaType => "Send the body as application/json.".into(),
            AppError::RateLimited { retry_after } => format!(
                "Too many attempts; try again in {} seconds.",
                retry_after_secs(*retry_after)
            ),
            AppError::Internal(_) => "Something went wrong on our side. It has been logged.".into(),
        }
    }
}

fn retry_after_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The problem+json body.
#[derive(Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    pub code: &'static str,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::InvalidToken { .. } => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::RateLimited { .. } | AppError::TooMany { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = %ErrorChain(cause.as_ref()), "internal error");
        }
        let status = self.status_code();
        let body = Problem {
            kind: format!("urn:kindred:problem:{}", self.code()),
            title: self.title(),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code(),
        };
        let mut resp = HttpResponse::build(status);
        resp.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            AppError::RateLimited { retry_after } => {
                resp.insert_header((header::RETRY_AFTER, retry_after_secs(*retry_after)));
            }
            AppError::Unavailable { .. } => {
                resp.insert_header((header::RETRY_AFTER, 1u64));
            }
            AppError::Unauthorized { .. } => {
                resp.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        resp.body(serde_json::to_string(&body).unwrap_or_default())
    }
}

/// Displays an error with its `source()` chain, for the one log line of an internal error.
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut next = self.0.source();
        while let Some(e) = next {
            write!(f, ": {e}")?;
            next = e.source();
        }
        Ok(())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => AppError::Internal(Box::new(other)),
        }
    }
}

impl From<r2d2_error::PoolError> for AppError {
    fn from(e: r2d2_error::PoolError) -> Self {
        AppError::unavailable(
            "database_unavailable",
            format!("The database is not answering ({e}); try again shortly."),
        )
    }
}

/// Re-export so `From` can name the pool error without every module importing diesel's r2d2.
pub mod r2d2_error {
    pub type PoolError = diesel::r2d2::PoolError;
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn every_error_is_problem_json_with_a_code() {
        let cases = [
            (AppError::validation("invalid_email", "x"), 422),
            (AppError::bad_request("malformed_json", "x"), 400),
            (AppError::unauthorized("invalid_credentials", "x"), 401),
            (AppError::forbidden("forbidden", "x"), 403),
            (AppError::NotFound, 404),
            (AppError::MethodNotAllowed, 405),
            (AppError::conflict("display_name_taken", "x"), 409),
            (AppError::invalid_token("invalid_token", "x"), 400),
            (AppError::PayloadTooLarge, 413),
            (AppError::UnsupportedMediaType, 415),
            (
                AppError::RateLimited {
                    retry_after: Duration::from_millis(1500),
                },
                429,
            ),
            (AppError::unavailable("busy", "x"), 503),
            (
                AppError::internal(std::io::Error::other("disk on fire")),
                500,
            ),
        ];
        for (err, status) in cases {
            let resp = err.error_response();
            assert_eq!(resp.status().as_u16(), status);
            assert_eq!(
                resp.headers().get(header::CONTENT_TYPE).unwrap(),
                PROBLEM_JSON
            );
            let body = resp.into_body().try_into_bytes().unwrap();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["status"], status);
            assert_eq!(v["code"], err.code());
            assert!(v["type"].as_str().unwrap().ends_with(err.code()));
            assert!(!String::from_utf8_lossy(&body).contains("disk on fire"));
        }
    }

    #[test]
    fn retry_after_rounds_up() {
        let resp = AppError::RateLimited {
            retry_after: Duration::from_millis(1500),
        }
        .error_response();
        assert_eq!(resp.headers().get(header::RETRY_AFTER).unwrap(), "2");
    }
}
