//! `POST /auth/login/mfa {mfa_ticket, code}`: the second step of signing in. The ticket came
//! from a right password a few minutes ago (`MFA_TICKET_TTL`); the code is a current TOTP
//! code or an unused recovery code. On success, in one transaction: the code is spent, the
//! ticket is spent, and a session marked `second_factor` starts. A wrong code leaves the
//! ticket usable (until it expires) and counts against the account's failed-login limit; a
//! missing, spent or expired ticket is 401 `mfa_ticket_invalid` and counts against the
//! address.

use crate::auth::extractors::ClientAddr;
use crate::auth::tokens;
use crate::db::users::{self, STATUS_ACTIVE, User};
use crate::db::{mfa, write_tx};
use crate::error::AppError;
use crate::state::AppState;

use super::mfa::{CodeUsed, spend_code};
use super::session::{login_response, start_session};
use super::{LoginResponse, UserSummary, rate_limited};

enum Step {
    Signed {
        user: Box<User>,
        session_id: String,
        refresh: String,
        used: CodeUsed,
    },
    WrongCode,
}

fn ticket_invalid() -> AppError {
    AppError::unauthorized(
        "mfa_ticket_invalid",
        "This sign-in has expired or was already completed; sign in again.",
    )
}

pub async fn login_second_step(
    state: &AppState,
    client: ClientAddr,
    ticket: &str,
    code: &str,
) -> Result<LoginResponse, AppError> {
    let address_key = client.key();
    state
        .limits
        .login_address
        .check(&address_key, state.now_ms())
        .map_err(rate_limited)?;
    let refuse_ticket = || {
        state
            .limits
            .login_address
            .record(&address_key, state.now_ms());
        tracing::info!(
            event = "authn_mfa_ticket_invalid",
            "second step with a bad ticket"
        );
        ticket_invalid()
    };
    if !tokens::looks_like_opaque_token(ticket) {
        return Err(refuse_ticket());
    }
    let hash = tokens::hash_token(ticket);
    let now = state.clock.now_naive();
    let found = state
        .db
        .run(move |c| Ok(mfa::find_ticket(c, &hash)?))
        .await?
        .filter(|t| t.used_at.is_none() && t.expires_at > now);
    let Some(t) = found else {
        return Err(refuse_ticket());
    };
    let account_key = format!("mfa:{}", t.user_id);
    state
        .limits
        .login_account
        .check(&account_key, state.now_ms())
        .map_err(rate_limited)?;
    let code = code.to_string();
    let ticket_id = t.id.clone();
    let user_id = t.user_id.clone();
    let step = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Step, AppError> {
                let user = users::find(c, &user_id)?
                    .filter(|u| u.status == STATUS_ACTIVE)
                    .ok_or_else(|| {
                        AppError::forbidden(
                            "account_disabled",
                            "This account cannot sign in. Contact the service if you think this is a mistake.",
                        )
                    })?;
                let Some(used) = spend_code(c, &user_id, &code, now)? else {
                    return Ok(Step::WrongCode);
                };
                // Spent by a concurrent second step a moment ago: refuse, and roll back the
                // code so it is not lost.
                if mfa::spend_ticket(c, &ticket_id, now)? == 0 {
                    return Err(ticket_invalid());
                }
                let (session_id, refresh) = start_session(c, &user_id, true, now)?;
                Ok(Step::Signed {
                    user: Box::new(user),
                    session_id,
                    refresh,
                    used,
                })
            })
        })
        .await?;
    match step {
        Step::WrongCode => {
            state
                .limits
                .login_account
                .record(&account_key, state.now_ms());
            tracing::info!(event = "authn_mfa_fail", user_id = %t.user_id, "wrong second-factor code");
            Err(AppError::unauthorized(
                "invalid_mfa_code",
                "That code is not right (or was already used); use the current code from the app.",
            ))
        }
        Step::Signed {
            user,
            session_id,
            refresh,
            used,
        } => {
            tracing::info!(event = "authn_login_success", user_id = %user.id, session_id = %session_id, second_factor = true, recovery_code = (used == CodeUsed::Recovery), "signed in");
            login_response(
                state,
                UserSummary::from(user.as_ref()),
                &session_id,
                refresh,
            )
        }
    }
}
