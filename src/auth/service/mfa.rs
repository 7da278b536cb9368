//! The second factor's account flows: enrol a TOTP factor (start, then confirm with a code,
//! which returns ten recovery codes once), remove it, check a code inside a transaction (a
//! TOTP step is accepted once; a recovery code is spent), and the strict re-authentication
//! that guards role changes.
//!
//! Decisions where the issue is silent, written down:
//! - The TOTP secret is stored as the base32 the app was given, not encrypted: the server
//!   must read it to check codes, and a key held in the same process's environment would
//!   protect only a database copy taken without the environment. It leaves the server once,
//!   in the answer to `POST /me/mfa/totp` while enrolment is pending; once confirmed it is
//!   never returned again (starting again answers 409), never exported and never logged.
//! - Confirming does not raise the current session: a session counts as second-factor only
//!   when it was signed in through `POST /auth/login/mfa`.
//! - Staff (moderator and admin) cannot remove their only factor (409
//!   `second_factor_required`); an admin demotes them first. Members and volunteers can,
//!   with their password or a current code.
//! - A wrong code counts against the same per-account limit as a wrong password.

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::auth::extractors::AuthUser;
use crate::auth::totp;
use crate::db::{DbConn, audit, mfa, users, write_tx};
use crate::domain::{Password, Role, new_id};
use crate::error::AppError;
use crate::state::AppState;

use super::rate_limited;

/// The answer to `POST /me/mfa/totp`.
#[derive(Debug, Clone, Serialize)]
pub struct EnrolmentStart {
    pub secret: String,
    pub otpauth_uri: String,
    pub issuer: &'static str,
    pub algorithm: &'static str,
    pub digits: u8,
    pub period: u64,
}

/// The answer to `POST /me/mfa/totp/confirm`: shown once, stored hashed.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Proof of presence for a sensitive change: the password, a current code, or both.
#[derive(Debug, Clone, Default)]
pub struct Reauth {
    pub password: Option<String>,
    pub code: Option<String>,
}

/// Which kind of code proved the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CodeUsed {
    Totp,
    Recovery,
}

fn code_key(user_id: &str) -> String {
    format!("mfa:{user_id}")
}

fn unix_secs(now: NaiveDateTime) -> i64 {
    now.and_utc().timestamp()
}

/// Checks `code` for `user_id`'s confirmed factor and, if right, spends it (the TOTP step or
/// the recovery code) in the caller's transaction. None for a wrong, replayed or spent code.
pub(super) fn spend_code(
    c: &mut DbConn,
    user_id: &str,
    code: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<CodeUsed>> {
    let Some(factor) = mfa::find_totp(c, user_id)?.filter(|f| f.confirmed_at.is_some()) else {
        return Ok(None);
    };
    if let Some(step) = totp::matching_step(&factor.secret, code, unix_secs(now)) {
        return Ok((mfa::spend_totp_step(c, user_id, step)? == 1).then_some(CodeUsed::Totp));
    }
    if let Some(canon) = totp::normalize_recovery_code(code) {
        let hash = totp::recovery_code_hash(user_id, &canon);
        if mfa::spend_recovery_code(c, user_id, &hash, now)? == 1 {
            let left = mfa::recovery_codes_left(c, user_id)?;
            audit::insert(
                c,
                &audit::NewAuditEntry {
                    id: &new_id(),
                    actor_id: Some(user_id),
                    action: "mfa.recovery_code_used",
                    target_type: "user",
                    target_id: Some(user_id),
                    reason: None,
                    details: &serde_json::json!({ "left": left }).to_string(),
                    created_at: now,
                },
            )?;
            return Ok(Some(CodeUsed::Recovery));
        }
    }
    Ok(None)
}

/// `POST /me/mfa/totp`: a new pending factor (replacing a pending one).
pub async fn start_totp(state: &AppState, who: &AuthUser) -> Result<EnrolmentStart, AppError> {
    let secret = totp::new_secret();
    let now = state.clock.now_naive();
    let (id, s) = (who.id.clone(), secret.clone());
    let user = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<users::User, AppError> {
                let user = users::find(c, &id)?.ok_or(AppError::NotFound)?;
                let new = mfa::NewTotpFactor {
                    user_id: &id,
                    secret: &s,
                    created_at: now,
                };
                if mfa::start_totp(c, &new)? == 0 {
                    return Err(already_enrolled());
                }
                Ok(user)
            })
        })
        .await?;
    let account = user
        .email
        .clone()
        .unwrap_or_else(|| user.display_name.clone());
    let otpauth_uri = totp::otpauth_uri(&secret, &account)
        .ok_or_else(|| AppError::internal(std::io::Error::other("otpauth URI not built")))?;
    tracing::info!(event = "mfa_enrolment_started", user_id = %who.id, "TOTP enrolment started");
    Ok(EnrolmentStart {
        secret,
        otpauth_uri,
        issuer: totp::ISSUER,
        algorithm: "SHA1",
        digits: totp::DIGITS,
        period: totp::STEP_SECS,
    })
}

fn already_enrolled() -> AppError {
    AppError::conflict(
        "mfa_already_enrolled",
        "A second factor is already set up; remove it first to set up another.",
    )
}

fn invalid_code() -> AppError {
    AppError::forbidden(
        "invalid_mfa_code",
        "That code is not right (or was already used); use the current code from the app.",
    )
}

/// `POST /me/mfa/totp/confirm {code}`: confirms the pending factor with a current code and
/// returns ten recovery codes (the old ones, if any, stop working).
pub async fn confirm_totp(
    state: &AppState,
    who: &AuthUser,
    code: &str,
) -> Result<RecoveryCodes, AppError> {
    let key = code_key(&who.id);
    state
        .limits
        .login_account
        .check(&key, state.now_ms())
        .map_err(rate_limited)?;
    let now = state.clock.now_naive();
    let id = who.id.clone();
    let code = code.to_string();
    let codes = totp::new_recovery_codes();
    let shown = codes.clone();
    let confirmed = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<bool, AppError> {
                let factor = mfa::find_totp(c, &id)?.ok_or_else(|| {
                    AppError::conflict("mfa_not_started", "Start with POST /api/v1/me/mfa/totp.")
                })?;
                if factor.confirmed_at.is_some() {
                    return Err(already_enrolled());
                }
                let Some(step) = totp::matching_step(&factor.secret, &code, unix_secs(now)) else {
                    return Ok(false);
                };
                if mfa::confirm_totp(c, &id, step, now)? == 0 {
                    return Err(already_enrolled());
                }
                let hashes: Vec<(String, String)> = codes
                    .iter()
                    .filter_map(|raw| totp::normalize_recovery_code(raw))
                    .map(|canon| (new_id(), totp::recovery_code_hash(&id, &canon)))
                    .collect();
                let rows: Vec<mfa::NewRecoveryCode<'_>> = hashes
                    .iter()
                    .map(|(rid, hash)| mfa::NewRecoveryCode {
                        id: rid,
                        user_id: &id,
                        code_hash: hash,
                        created_at: now,
                    })
                    .collect();
                mfa::replace_recovery_codes(c, &id, &rows)?;
                audit::insert(
                    c,
                    &audit::NewAuditEntry {
                        id: &new_id(),
                        actor_id: Some(&id),
                        action: "mfa.enrolled",
                        target_type: "user",
                        target_id: Some(&id),
                        reason: None,
                        details: r#"{"kind":"totp"}"#,
                        created_at: now,
                    },
                )?;
                Ok(true)
            })
        })
        .await?;
    if !confirmed {
        state.limits.login_account.record(&key, state.now_ms());
        return Err(invalid_code());
    }
    tracing::info!(event = "mfa_enrolled", user_id = %who.id, "TOTP factor confirmed");
    Ok(RecoveryCodes {
        recovery_codes: shown,
    })
}

/// Re-authentication for a sensitive change: 403 `reauthentication_required` without any
/// proof, 401 `reauthentication_failed` when a given proof is wrong. A code is spent.
pub async fn reauthenticate_strictly(
    state: &AppState,
    who: &AuthUser,
    proof: &Reauth,
) -> Result<(), AppError> {
    let password = proof.password.as_deref().filter(|p| !p.is_empty());
    let code = proof.code.as_deref().filter(|c| !c.trim().is_empty());
    if password.is_none() && code.is_none() {
        return Err(AppError::forbidden(
            "reauthentication_required",
            "Confirm it is you: send your password or a current code from your app.",
        ));
    }
    let failed = || {
        AppError::unauthorized(
            "reauthentication_failed",
            "That password or code is not right.",
        )
    };
    let key = format!("reauth:{}", who.id);
    state
        .limits
        .login_account
        .check(&key, state.now_ms())
        .map_err(rate_limited)?;
    if let Some(password) = password {
        let id = who.id.clone();
        let stored = state
            .db
            .run(move |c| Ok(users::find(c, &id)?.and_then(|u| u.password_hash)))
            .await?;
        let ok = state
            .hasher
            .verify(Password::for_verify(password), stored)
            .await?
            .ok;
        if !ok {
            state.limits.login_account.record(&key, state.now_ms());
            return Err(failed());
        }
    }
    if let Some(code) = code {
        let (id, code, now) = (who.id.clone(), code.to_string(), state.clock.now_naive());
        let used = state
            .db
            .run(move |c| write_tx(c, |c| Ok(spend_code(c, &id, &code, now)?)))
            .await?;
        if used.is_none() {
            state.limits.login_account.record(&key, state.now_ms());
            return Err(failed());
        }
    }
    Ok(())
}

/// `DELETE /me/mfa {password | code}`: removes the factor and its recovery codes.
pub async fn remove_mfa(state: &AppState, who: &AuthUser, proof: &Reauth) -> Result<(), AppError> {
    if who.role.at_least(Role::Moderator) {
        return Err(AppError::conflict(
            "second_factor_required",
            "Moderators and admins must keep a second factor.",
        ));
    }
    reauthenticate_strictly(state, who, proof).await?;
    let (id, now) = (who.id.clone(), state.clock.now_naive());
    let removed = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<usize, AppError> {
                let n = mfa::delete_for_user(c, &id)?;
                if n > 0 {
                    audit::insert(
                        c,
                        &audit::NewAuditEntry {
                            id: &new_id(),
                            actor_id: Some(&id),
                            action: "mfa.removed",
                            target_type: "user",
                            target_id: Some(&id),
                            reason: None,
                            details: r#"{"kind":"totp"}"#,
                            created_at: now,
                        },
                    )?;
                }
                Ok(n)
            })
        })
        .await?;
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    tracing::info!(event = "mfa_removed", user_id = %who.id, "second factor removed");
    Ok(())
}

/// `GET /me/mfa`: the caller's second factor as they may see it. Never the secret.
#[derive(Debug, Serialize)]
pub struct MfaStatus {
    /// `none`, `pending` (started, not confirmed) or `confirmed`.
    pub totp: &'static str,
    pub confirmed_at: Option<String>,
    pub recovery_codes_left: i64,
    /// Whether this session was signed in through the second step (staff routes need it).
    pub session_second_factor: bool,
}

pub async fn mfa_status(state: &AppState, who: &AuthUser) -> Result<MfaStatus, AppError> {
    let id = who.id.clone();
    let (factor, left) = state
        .db
        .run(move |c| Ok((mfa::find_totp(c, &id)?, mfa::recovery_codes_left(c, &id)?)))
        .await?;
    let session_second_factor = crate::auth::extractors::has_second_factor(state, who).await?;
    Ok(MfaStatus {
        totp: match &factor {
            None => "none",
            Some(f) if f.confirmed_at.is_none() => "pending",
            Some(_) => "confirmed",
        },
        confirmed_at: factor
            .and_then(|f| f.confirmed_at)
            .map(crate::domain::time::ts),
        recovery_codes_left: left,
        session_second_factor,
    })
}
