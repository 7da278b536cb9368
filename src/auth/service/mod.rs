//! The account flows: register, verify, log in, refresh, log out, reset and change a password,
//! rename, change a role, and create the first admin.
//!
//! Each write is one transaction closure; mail is queued inside it (outbox) and the worker is
//! woken after the commit. Decisions the issue left open, written down:
//! - Register checks the display name before the email, so "name taken" never depends on
//!   whether the email exists (otherwise a taken name plus a target email would enumerate).
//! - Refresh-token reuse has no grace window: of two concurrent uses of one token exactly one
//!   wins the conditional update; the other is a reuse, and it ends the session (family) for
//!   both. Clients must serialise refreshes.
//! - A password reset also marks the email verified (the person proved they read the inbox),
//!   revokes every session, and does not sign in.
//! - A wrong current password on `POST /me/password` is a 403 (the session is fine) and counts
//!   against the account's failed-login limit.
//! - A role change needs the acting admin's password or a current code (`mfa::Reauth`).

mod admin;
mod mfa;
mod passwords;
mod registration;
mod second_step;
mod session;

pub use admin::{create_admin, set_role};
pub use mfa::{
    EnrolmentStart, MfaStatus, Reauth, RecoveryCodes, confirm_totp, mfa_status,
    reauthenticate_strictly, remove_mfa, start_totp,
};
pub use passwords::{
    change_password, confirm_password_reset, reauthenticate, request_password_reset,
};
pub use registration::{register, verify_email};
pub use second_step::login_second_step;
pub use session::{login, logout, refresh};

use chrono::{Duration as ChronoDuration, NaiveDateTime};
use serde::Serialize;

use crate::auth::tokens;
use crate::db::users::User;
use crate::db::{DbConn, email_tokens};
use crate::domain::{Email, new_id};
use crate::error::AppError;

/// Verification links live a day.
pub const VERIFY_TOKEN_TTL: ChronoDuration = ChronoDuration::hours(24);
/// Reset links live an hour.
pub const RESET_TOKEN_TTL: ChronoDuration = ChronoDuration::hours(1);
/// A refresh token lives 30 days; each use issues a new one.
pub const REFRESH_TOKEN_TTL: ChronoDuration = ChronoDuration::days(30);
/// A session ends 90 days after sign-in, however often it is refreshed.
pub const SESSION_MAX_AGE: ChronoDuration = ChronoDuration::days(90);
/// A password sign-in's ticket for the second step lives five minutes.
pub const MFA_TICKET_TTL: ChronoDuration = ChronoDuration::minutes(5);
/// Longest reason accepted for an audited action.
pub const MAX_REASON_CHARS: usize = 500;

/// The account as the account's owner and the clients see it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UserSummary {
    pub id: String,
    pub display_name: String,
    pub role: String,
    pub email_verified: bool,
}

impl From<&User> for UserSummary {
    fn from(u: &User) -> Self {
        UserSummary {
            id: u.id.clone(),
            display_name: u.display_name.clone(),
            role: u.role.clone(),
            email_verified: u.email_verified_at.is_some(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LoginResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: UserSummary,
}

/// What `POST /auth/login` answers: tokens, or (for an account with a second factor) a
/// ticket for `POST /auth/login/mfa`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum LoginOutcome {
    Tokens(LoginResponse),
    MfaRequired {
        mfa_required: bool,
        mfa_ticket: String,
        expires_in: i64,
    },
}

fn field<T>(r: Result<T, (&'static str, &'static str)>) -> Result<T, AppError> {
    r.map_err(|(code, detail)| AppError::validation(code, detail))
}

fn email_field(raw: &str) -> Result<Email, AppError> {
    Email::parse(raw).map_err(|d| AppError::validation("invalid_email", d))
}

fn rate_limited(d: std::time::Duration) -> AppError {
    tracing::info!(event = "excess_rate_limit_exceeded", "rate limit hit");
    AppError::RateLimited { retry_after: d }
}

/// Issues a one-time email token for `user_id`; returns the raw token for the link.
fn issue_email_token(
    c: &mut DbConn,
    user_id: &str,
    purpose: &str,
    ttl: ChronoDuration,
    now: NaiveDateTime,
) -> diesel::QueryResult<String> {
    email_tokens::void_open(c, user_id, purpose, now)?;
    let token = tokens::new_opaque_token();
    email_tokens::insert(
        c,
        &email_tokens::NewEmailToken {
            id: &new_id(),
            user_id,
            purpose,
            token_hash: &tokens::hash_token(&token),
            created_at: now,
            expires_at: now + ttl,
        },
    )?;
    Ok(token)
}
