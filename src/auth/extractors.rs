//! Extractors that ARE the access policy: a handler that takes `Admin` cannot run for anyone
//! else. `AuthUser` validates the bearer JWT, then checks in the database that its session is
//! live and its account active, so logout, a password reset or a ban take effect at once, and
//! the role is read fresh (a demotion applies to the very next request).

use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::auth::tokens::TokenRejection;
use crate::db::sessions;
use crate::domain::Role;
use crate::error::AppError;
use crate::state::AppState;

/// Any signed-in account.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub session_id: String,
    pub role: Role,
    pub email_verified: bool,
    /// When the access token expires (seconds since the epoch); a websocket closes then.
    pub expires_at: i64,
}

/// A moderator or admin.
#[derive(Debug, Clone)]
pub struct Moderator(pub AuthUser);

/// An admin.
#[derive(Debug, Clone)]
pub struct Admin(pub AuthUser);

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::internal(std::io::Error::other("AppState missing")))
}

/// The token from `Authorization: Bearer …` (scheme case-insensitive). Never from the URL.
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then(|| token.to_string())
}

/// Validates an access token and its session. Shared by HTTP and the websocket.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, AppError> {
    let claims = state
        .tokens
        .validate(token, state.clock.now())
        .map_err(|r| {
            tracing::info!(event = "authn_token_rejected", reason = ?r, "access token refused");
            match r {
                TokenRejection::Expired => AppError::unauthorized(
                    "token_expired",
                    "The access token has expired; refresh it.",
                ),
                TokenRejection::Malformed | TokenRejection::Invalid => {
                    AppError::unauthorized("invalid_token", "The access token is not valid.")
                }
            }
        })?;
    let now = state.clock.now_naive();
    let (sid, sub) = (claims.sid.clone(), claims.sub.clone());
    let principal = state
        .db
        .run(move |c| Ok(sessions::principal(c, &sid, &sub, now)?))
        .await?;
    let Some(p) = principal else {
        tracing::info!(event = "session_revoked_token_used", session_id = %claims.sid, "token of an ended session");
        return Err(AppError::unauthorized(
            "session_revoked",
            "This session has ended; sign in again.",
        ));
    };
    if p.status != crate::db::users::STATUS_ACTIVE {
        return Err(AppError::unauthorized(
            "account_disabled",
            "This account cannot be used.",
        ));
    }
    let role = Role::parse(&p.role)
        .ok_or_else(|| AppError::internal(std::io::Error::other("unknown role in database")))?;
    Ok(AuthUser {
        id: p.user_id,
        session_id: p.session_id,
        role,
        email_verified: p.email_verified_at.is_some(),
        expires_at: claims.exp,
    })
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state(req);
        let token = bearer(req);
        Box::pin(async move {
            let state = state?;
            let token = token.ok_or_else(|| {
                AppError::unauthorized(
                    "missing_token",
                    "Send an access token as `Authorization: Bearer <token>`.",
                )
            })?;
            authenticate(&state, &token).await
        })
    }
}

fn require(user: AuthUser, role: Role) -> Result<AuthUser, AppError> {
    if user.role.at_least(role) {
        Ok(user)
    } else {
        tracing::info!(event = "authz_fail", user_id = %user.id, needed = role.as_str(), "role too low");
        Err(AppError::forbidden(
            "insufficient_role",
            "Your role does not allow this.",
        ))
    }
}

impl FromRequest for Moderator {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = state(req);
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = require(user.await?, Role::Moderator)?;
            require_second_factor(&state?.into_inner(), user)
                .await
                .map(Moderator)
        })
    }
}

impl FromRequest for Admin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = state(req);
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = require(user.await?, Role::Admin)?;
            require_second_factor(&state?.into_inner(), user)
                .await
                .map(Admin)
        })
    }
}

/// Whether `who`'s session was signed in with a second factor. Staff powers need it: the
/// `Moderator` and `Admin` extractors, and the websocket (a staff connection without it is a
/// plain member connection and gets no `safety_alert` frames).
pub async fn has_second_factor(state: &AppState, who: &AuthUser) -> Result<bool, AppError> {
    let sid = who.session_id.clone();
    state
        .db
        .run(move |c| Ok(sessions::has_second_factor(c, &sid)?))
        .await
}

/// Staff routes answer `403 mfa_required` for a session signed in with a password alone, so
/// a role granted to someone takes effect once they have enrolled and signed in with it.
async fn require_second_factor(state: &AppState, user: AuthUser) -> Result<AuthUser, AppError> {
    if has_second_factor(state, &user).await? {
        return Ok(user);
    }
    tracing::info!(event = "authz_fail", user_id = %user.id, reason = "mfa_required", "staff session without a second factor");
    Err(AppError::forbidden(
        "mfa_required",
        "Moderators and admins must sign in with a second factor: set one up at \
         POST /api/v1/me/mfa/totp, then sign in again.",
    ))
}

/// The client's address for rate limiting: the TCP peer, or, when the peer is a trusted proxy
/// (`KINDRED_TRUSTED_PROXIES`), the right-most `X-Forwarded-For` entry that is not itself a
/// trusted proxy. A spoofed header from any other peer is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The rate-limit key.
    pub fn key(&self) -> String {
        match self.0 {
            Some(ip) => ip.to_string(),
            None => "unknown".into(),
        }
    }
}

impl FromRequest for ClientAddr {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let peer = req.peer_addr().map(|a| a.ip());
        let trusted = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.settings.trusted_proxies.clone())
            .unwrap_or_default();
        let addr = match peer {
            Some(p) if trusted.contains(&p) => req
                .headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                .rev()
                .find(|ip| !trusted.contains(ip))
                .or(Some(p)),
            other => other,
        };
        std::future::ready(Ok(ClientAddr(addr)))
    }
}
