//! Sign-in and sessions: log in, rotate the refresh token (reuse ends the session), log out.

use chrono::NaiveDateTime;

use crate::auth::extractors::ClientAddr;
use crate::auth::tokens::{self, ACCESS_TOKEN_TTL_SECS};
use crate::db::users::{self, STATUS_ACTIVE, User};
use crate::db::{DbConn, audit, mfa, refresh_tokens, sessions, write_tx};
use crate::domain::{Email, Password, new_id};
use crate::email::{self, templates};
use crate::error::AppError;
use crate::realtime::Fact;
use crate::state::AppState;

use super::{
    LoginOutcome, LoginResponse, MFA_TICKET_TTL, REFRESH_TOKEN_TTL, SESSION_MAX_AGE, UserSummary,
    rate_limited,
};

/// Starts a session and its first refresh token; returns (session id, refresh token).
/// `second_factor`: the sign-in included a TOTP or recovery code (staff routes need it).
pub(super) fn start_session(
    c: &mut DbConn,
    user_id: &str,
    second_factor: bool,
    now: NaiveDateTime,
) -> diesel::QueryResult<(String, String)> {
    let session_id = new_id();
    sessions::insert(
        c,
        &sessions::NewSession {
            id: &session_id,
            user_id,
            created_at: now,
            last_seen_at: now,
            expires_at: now + SESSION_MAX_AGE,
            second_factor,
        },
    )?;
    let refresh = add_refresh_token(c, &session_id, now, now + SESSION_MAX_AGE)?;
    Ok((session_id, refresh))
}

fn add_refresh_token(
    c: &mut DbConn,
    session_id: &str,
    now: NaiveDateTime,
    session_expires: NaiveDateTime,
) -> diesel::QueryResult<String> {
    let token = tokens::new_opaque_token();
    refresh_tokens::insert(
        c,
        &refresh_tokens::NewRefreshToken {
            id: &new_id(),
            session_id,
            token_hash: &tokens::hash_token(&token),
            created_at: now,
            expires_at: (now + REFRESH_TOKEN_TTL).min(session_expires),
        },
    )?;
    Ok(token)
}

pub(super) fn login_response(
    state: &AppState,
    user: UserSummary,
    session_id: &str,
    refresh: String,
) -> Result<LoginResponse, AppError> {
    let access_token = state
        .tokens
        .issue(&user.id, session_id, state.clock.now())
        .map_err(AppError::internal)?;
    Ok(LoginResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_TTL_SECS,
        refresh_token: refresh,
        user,
    })
}

/// `POST /auth/login`. Unknown email and wrong password are the same 401, at the same cost.
/// An account with a confirmed second factor gets a ticket for `POST /auth/login/mfa`
/// instead of tokens.
pub async fn login(
    state: &AppState,
    client: ClientAddr,
    email: &str,
    password: &str,
) -> Result<LoginOutcome, AppError> {
    let parsed = Email::parse(email).ok();
    let account_key = match &parsed {
        Some(e) => e.key().to_string(),
        None => email.trim().to_lowercase(),
    };
    let address_key = client.key();
    let now_ms = state.now_ms();
    state
        .limits
        .login_account
        .check(&account_key, now_ms)
        .map_err(rate_limited)?;
    state
        .limits
        .login_address
        .check(&address_key, now_ms)
        .map_err(rate_limited)?;

    let user = match parsed {
        Some(e) => {
            let key = e.key().to_string();
            state
                .db
                .run(move |c| Ok(users::find_by_email_key(c, &key)?))
                .await?
        }
        None => None,
    };
    let stored = user
        .as_ref()
        .filter(|u| u.status != "erased")
        .and_then(|u| u.password_hash.clone());
    let verified = state
        .hasher
        .verify(Password::for_verify(password), stored)
        .await?;
    let user = match user {
        Some(u) if verified.ok => u,
        _ => {
            let now_ms = state.now_ms();
            state.limits.login_account.record(&account_key, now_ms);
            state.limits.login_address.record(&address_key, now_ms);
            tracing::info!(event = "authn_login_fail", "failed login");
            return Err(AppError::unauthorized(
                "invalid_credentials",
                "The email or password is not right.",
            ));
        }
    };
    // A suspension is not a status (`users.suspended_until`): a suspended person signs in,
    // reads and exports their data and appeals. A ban ends sign-in.
    if user.status == crate::db::users::STATUS_BANNED {
        return Err(AppError::forbidden(
            "account_banned",
            "This account has been banned. The email we sent explains how to ask for a review.",
        ));
    }
    if user.status != STATUS_ACTIVE {
        return Err(AppError::forbidden(
            "account_disabled",
            "This account cannot sign in. Contact the service if you think this is a mistake.",
        ));
    }
    let rehash = if verified.needs_rehash {
        Some(state.hasher.hash(Password::for_verify(password)).await?)
    } else {
        None
    };
    let now = state.clock.now_naive();
    let user_id = user.id.clone();
    let step = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<_, AppError> {
                if let Some(h) = &rehash {
                    users::set_password_hash(c, &user_id, h, now)?;
                }
                if mfa::has_confirmed_totp(c, &user_id)? {
                    return Ok(Err(issue_mfa_ticket(c, &user_id, now)?));
                }
                Ok(Ok(start_session(c, &user_id, false, now)?))
            })
        })
        .await?;
    let (session_id, refresh) = match step {
        Ok(started) => started,
        Err(ticket) => {
            tracing::info!(event = "authn_login_password_ok_mfa_pending", user_id = %user.id, "second factor asked");
            return Ok(LoginOutcome::MfaRequired {
                mfa_required: true,
                mfa_ticket: ticket,
                expires_in: MFA_TICKET_TTL.num_seconds(),
            });
        }
    };
    tracing::info!(event = "authn_login_success", user_id = %user.id, session_id = %session_id, rehashed = verified.needs_rehash, "signed in");
    login_response(state, UserSummary::from(&user), &session_id, refresh).map(LoginOutcome::Tokens)
}

/// A single-use ticket for the second step, stored hashed; returns the raw ticket.
fn issue_mfa_ticket(
    c: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<String> {
    mfa::prune_tickets(c, user_id, now)?;
    let ticket = tokens::new_opaque_token();
    mfa::insert_ticket(
        c,
        &mfa::NewTicket {
            id: &new_id(),
            user_id,
            ticket_hash: &tokens::hash_token(&ticket),
            created_at: now,
            expires_at: now + MFA_TICKET_TTL,
        },
    )?;
    Ok(ticket)
}

enum RefreshOutcome {
    Rotated {
        user: Box<User>,
        session_id: String,
        refresh: String,
    },
    Reused {
        user_id: String,
        session_id: String,
    },
    Invalid(&'static str),
}

/// `POST /auth/refresh`: rotates the refresh token; a reused one ends the session.
pub async fn refresh(state: &AppState, token: &str) -> Result<LoginResponse, AppError> {
    let invalid = |code| AppError::unauthorized(code, "Sign in again.");
    if !tokens::looks_like_opaque_token(token) {
        return Err(invalid("invalid_refresh_token"));
    }
    let hash = tokens::hash_token(token);
    let now = state.clock.now_naive();
    let public_url = state.settings.public_url.clone();
    let outcome = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<RefreshOutcome, AppError> {
                let Some(t) = refresh_tokens::find_by_hash(c, &hash)? else {
                    return Ok(RefreshOutcome::Invalid("invalid_refresh_token"));
                };
                let Some(session) = sessions::find(c, &t.session_id)? else {
                    return Ok(RefreshOutcome::Invalid("invalid_refresh_token"));
                };
                // Every check that can fail comes before the token is spent, so a refused
                // refresh leaves the token as it was (a retry is not mistaken for a reuse).
                if t.used_at.is_none() {
                    if session.revoked_at.is_some() || session.expires_at <= now {
                        return Ok(RefreshOutcome::Invalid("session_revoked"));
                    }
                    if t.expires_at <= now {
                        return Ok(RefreshOutcome::Invalid("refresh_token_expired"));
                    }
                }
                let user = users::find(c, &session.user_id)?;
                if user.as_ref().is_none_or(|u| u.status != STATUS_ACTIVE) {
                    return Ok(RefreshOutcome::Invalid("account_disabled"));
                }
                // Spent already, or spent by a concurrent request a moment ago: a reuse.
                if t.used_at.is_some() || refresh_tokens::spend(c, &t.id, now)? == 0 {
                    // Whoever holds the newer token may be an attacker. End the whole family.
                    if sessions::revoke(c, &session.id, "refresh_token_reused", now)? == 1 {
                        audit::insert(
                            c,
                            &audit::NewAuditEntry {
                                id: &new_id(),
                                actor_id: None,
                                action: "authn_token_reuse",
                                target_type: "session",
                                target_id: Some(&session.id),
                                reason: Some("a spent refresh token was presented again"),
                                details: &serde_json::json!({"user_id": session.user_id})
                                    .to_string(),
                                created_at: now,
                            },
                        )?;
                        if let Some(u) = &user
                            && let Some(addr) = &u.email
                        {
                            let mail = templates::session_revoked_after_reuse(addr, &public_url);
                            email::enqueue(c, Some(&u.id), &mail, now)?;
                        }
                    }
                    return Ok(RefreshOutcome::Reused {
                        user_id: session.user_id,
                        session_id: session.id,
                    });
                }
                let Some(user) = user else {
                    return Ok(RefreshOutcome::Invalid("invalid_refresh_token"));
                };
                let refresh = add_refresh_token(c, &session.id, now, session.expires_at)?;
                sessions::touch(c, &session.id, now)?;
                Ok(RefreshOutcome::Rotated {
                    user: Box::new(user),
                    session_id: session.id,
                    refresh,
                })
            })
        })
        .await?;
    match outcome {
        RefreshOutcome::Rotated {
            user,
            session_id,
            refresh,
        } => login_response(
            state,
            UserSummary::from(user.as_ref()),
            &session_id,
            refresh,
        ),
        RefreshOutcome::Reused {
            user_id,
            session_id,
        } => {
            tracing::warn!(event = "authn_token_reuse", user_id = %user_id, session_id = %session_id, "refresh token reused; session revoked");
            state.sockets.deliver(Fact::SessionEnded {
                session_id,
                reason: "session_revoked",
            });
            state.mail_wakeup.notify_one();
            Err(AppError::unauthorized(
                "refresh_token_reused",
                "This sign-in was already refreshed. For safety the session has ended; sign in again.",
            ))
        }
        RefreshOutcome::Invalid(code) => Err(invalid(code)),
    }
}

/// `POST /auth/logout`: ends the refresh token's session. Idempotent: always succeeds.
pub async fn logout(state: &AppState, token: &str) -> Result<(), AppError> {
    if !tokens::looks_like_opaque_token(token) {
        return Ok(());
    }
    let hash = tokens::hash_token(token);
    let now = state.clock.now_naive();
    let ended = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Option<String>, AppError> {
                let Some(t) = refresh_tokens::find_by_hash(c, &hash)? else {
                    return Ok(None);
                };
                sessions::revoke(c, &t.session_id, "logout", now)?;
                Ok(Some(t.session_id))
            })
        })
        .await?;
    if let Some(sid) = ended {
        tracing::info!(event = "session_logout", session_id = %sid, "signed out");
        state.sockets.deliver(Fact::SessionEnded {
            session_id: sid,
            reason: "session_revoked",
        });
    }
    Ok(())
}
