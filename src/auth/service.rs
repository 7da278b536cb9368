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

use chrono::{Duration as ChronoDuration, NaiveDateTime};
use serde::Serialize;

use crate::auth::extractors::{AuthUser, ClientAddr};
use crate::auth::tokens::{self, ACCESS_TOKEN_TTL_SECS};
use crate::db::email_tokens::{self, PURPOSE_RESET, PURPOSE_VERIFY};
use crate::db::users::{self, STATUS_ACTIVE, User};
use crate::db::{DbConn, audit, refresh_tokens, sessions, write_tx};
use crate::domain::{DisplayName, Email, Password, Role, new_id};
use crate::email::{self, templates};
use crate::error::AppError;
use crate::realtime::Fact;
use crate::state::AppState;

/// Verification links live a day.
pub const VERIFY_TOKEN_TTL: ChronoDuration = ChronoDuration::hours(24);
/// Reset links live an hour.
pub const RESET_TOKEN_TTL: ChronoDuration = ChronoDuration::hours(1);
/// A refresh token lives 30 days; each use issues a new one.
pub const REFRESH_TOKEN_TTL: ChronoDuration = ChronoDuration::days(30);
/// A session ends 90 days after sign-in, however often it is refreshed.
pub const SESSION_MAX_AGE: ChronoDuration = ChronoDuration::days(90);
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

/// Starts a session and its first refresh token; returns (session id, refresh token).
fn start_session(
    c: &mut DbConn,
    user_id: &str,
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

fn login_response(
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

/// `POST /auth/register`. Answers the same whether or not the email is known.
pub async fn register(
    state: &AppState,
    client: ClientAddr,
    email: &str,
    password: &str,
    display_name: &str,
) -> Result<(), AppError> {
    state
        .limits
        .signup_address
        .acquire(&client.key(), state.now_ms())
        .map_err(rate_limited)?;
    let email = email_field(email)?;
    let password = field(Password::new_secret(password))?;
    let name = field(DisplayName::parse(display_name))?;
    // Hash before looking anything up, so both paths cost the same.
    let hash = state.hasher.hash(password).await?;
    let now = state.clock.now_naive();
    let public_url = state.settings.public_url.clone();
    let created = state
        .db
        .run(move |c| {
            let outcome = write_tx(c, |c| -> Result<Option<String>, AppError> {
                if users::display_name_taken(c, name.key(), None)? {
                    return Err(AppError::conflict(
                        "display_name_taken",
                        "That display name is taken; choose another.",
                    ));
                }
                if let Some(existing) = users::find_by_email_key(c, email.key())? {
                    let mail = templates::already_registered(email.address(), &public_url);
                    email::enqueue(c, Some(&existing.id), &mail, now)?;
                    return Ok(None);
                }
                let id = new_id();
                users::insert(
                    c,
                    &users::NewUser {
                        id: &id,
                        email: email.address(),
                        email_key: email.key(),
                        display_name: name.as_str(),
                        display_name_key: name.key(),
                        password_hash: &hash,
                        role: Role::Member.as_str(),
                        status: STATUS_ACTIVE,
                        email_verified_at: None,
                        created_at: now,
                        updated_at: now,
                    },
                )
                .map_err(|e| {
                    // Lost a race with a concurrent registration of the same name.
                    crate::db::unique_or(e, || {
                        AppError::conflict(
                            "display_name_taken",
                            "That display name is taken; choose another.",
                        )
                    })
                })?;
                let token = issue_email_token(c, &id, PURPOSE_VERIFY, VERIFY_TOKEN_TTL, now)?;
                let mail =
                    templates::verify_email(email.address(), name.as_str(), &public_url, &token);
                email::enqueue(c, Some(&id), &mail, now)?;
                Ok(Some(id))
            })?;
            Ok(outcome)
        })
        .await?;
    if let Some(id) = created {
        tracing::info!(event = "user_registered", user_id = %id, "account created");
    }
    state.mail_wakeup.notify_one();
    Ok(())
}

/// `POST /auth/verify-email`.
pub async fn verify_email(state: &AppState, token: &str) -> Result<UserSummary, AppError> {
    let invalid = || {
        AppError::invalid_token(
            "invalid_email_token",
            "This link is invalid, used or expired.",
        )
    };
    if !tokens::looks_like_opaque_token(token) {
        return Err(invalid());
    }
    let hash = tokens::hash_token(token);
    let now = state.clock.now_naive();
    let user = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Option<User>, AppError> {
                let Some(t) = email_tokens::find_by_hash(c, &hash, PURPOSE_VERIFY)? else {
                    return Ok(None);
                };
                if email_tokens::spend(c, &t.id, now)? == 0 {
                    return Ok(None);
                }
                users::mark_verified(c, &t.user_id, now)?;
                Ok(users::find(c, &t.user_id)?)
            })
        })
        .await?
        .ok_or_else(invalid)?;
    tracing::info!(event = "email_verified", user_id = %user.id, "email verified");
    Ok(UserSummary::from(&user))
}

/// `POST /auth/login`. Unknown email and wrong password are the same 401, at the same cost.
pub async fn login(
    state: &AppState,
    client: ClientAddr,
    email: &str,
    password: &str,
) -> Result<LoginResponse, AppError> {
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
    let (session_id, refresh) = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<_, AppError> {
                if let Some(h) = &rehash {
                    users::set_password_hash(c, &user_id, h, now)?;
                }
                Ok(start_session(c, &user_id, now)?)
            })
        })
        .await?;
    tracing::info!(event = "authn_login_success", user_id = %user.id, session_id = %session_id, rehashed = verified.needs_rehash, "signed in");
    login_response(state, UserSummary::from(&user), &session_id, refresh)
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

/// `POST /auth/password-reset`: 202 whatever the address.
pub async fn request_password_reset(
    state: &AppState,
    client: ClientAddr,
    email: &str,
) -> Result<(), AppError> {
    let now_ms = state.now_ms();
    state
        .limits
        .signup_address
        .acquire(&client.key(), now_ms)
        .map_err(rate_limited)?;
    let email = email_field(email)?;
    state
        .limits
        .reset_email
        .acquire(email.key(), now_ms)
        .map_err(rate_limited)?;
    let now = state.clock.now_naive();
    let public_url = state.settings.public_url.clone();
    state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<(), AppError> {
                let Some(user) = users::find_by_email_key(c, email.key())? else {
                    return Ok(());
                };
                if user.status == "erased" {
                    return Ok(());
                }
                let token = issue_email_token(c, &user.id, PURPOSE_RESET, RESET_TOKEN_TTL, now)?;
                let mail = templates::password_reset(email.address(), &public_url, &token);
                email::enqueue(c, Some(&user.id), &mail, now)?;
                Ok(())
            })
        })
        .await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// `POST /auth/password-reset/confirm`: sets the password, revokes every session.
pub async fn confirm_password_reset(
    state: &AppState,
    token: &str,
    password: &str,
) -> Result<(), AppError> {
    let password = field(Password::new_secret(password))?;
    let invalid = || {
        AppError::invalid_token(
            "invalid_email_token",
            "This link is invalid, used or expired.",
        )
    };
    if !tokens::looks_like_opaque_token(token) {
        return Err(invalid());
    }
    let hash = tokens::hash_token(token);
    // Look before hashing, so junk tokens cost a lookup, not an Argon2 run.
    let (h, now) = (hash.clone(), state.clock.now_naive());
    let live = state
        .db
        .run(move |c| {
            Ok(email_tokens::find_by_hash(c, &h, PURPOSE_RESET)?
                .is_some_and(|t| t.used_at.is_none() && t.expires_at > now))
        })
        .await?;
    if !live {
        return Err(invalid());
    }
    let new_hash = state.hasher.hash(password).await?;
    let now = state.clock.now_naive();
    let public_url = state.settings.public_url.clone();
    let user_id = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Option<String>, AppError> {
                let Some(t) = email_tokens::find_by_hash(c, &hash, PURPOSE_RESET)? else {
                    return Ok(None);
                };
                if email_tokens::spend(c, &t.id, now)? == 0 {
                    return Ok(None);
                }
                let Some(user) = users::find(c, &t.user_id)? else {
                    return Ok(None);
                };
                users::set_password_hash(c, &user.id, &new_hash, now)?;
                users::mark_verified(c, &user.id, now)?;
                sessions::revoke_all_for_user(c, &user.id, None, "password_reset", now)?;
                if let Some(addr) = &user.email {
                    email::enqueue(
                        c,
                        Some(&user.id),
                        &templates::password_changed(addr, &public_url),
                        now,
                    )?;
                }
                Ok(Some(user.id))
            })
        })
        .await?
        .ok_or_else(invalid)?;
    tracing::info!(event = "password_reset", user_id = %user_id, "password reset; sessions revoked");
    state.sockets.deliver(Fact::AccountClosed {
        user_id,
        keep_session: None,
        reason: "session_revoked",
    });
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Re-checks the signed-in person's password before a sensitive change (`POST /me/password`,
/// `DELETE /me`); returns their row. Failures count against a limit of their own
/// (`reauth:<id>`), so strangers failing logins against the email cannot block the owner.
pub async fn reauthenticate(
    state: &AppState,
    who: &AuthUser,
    password: &str,
) -> Result<User, AppError> {
    let id = who.id.clone();
    let user = state
        .db
        .run(move |c| users::find(c, &id)?.ok_or(AppError::NotFound))
        .await?;
    let key = format!("reauth:{}", user.id);
    state
        .limits
        .login_account
        .check(&key, state.now_ms())
        .map_err(rate_limited)?;
    let ok = state
        .hasher
        .verify(Password::for_verify(password), user.password_hash.clone())
        .await?
        .ok;
    if !ok {
        state.limits.login_account.record(&key, state.now_ms());
        return Err(AppError::forbidden(
            "current_password_incorrect",
            "The current password is not right.",
        ));
    }
    Ok(user)
}

/// `POST /me/password`: needs the current password; ends the account's other sessions.
pub async fn change_password(
    state: &AppState,
    who: &AuthUser,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let new = field(Password::new_secret(new))?;
    let user = reauthenticate(state, who, current).await?;
    let new_hash = state.hasher.hash(new).await?;
    let now = state.clock.now_naive();
    let public_url = state.settings.public_url.clone();
    let keep = who.session_id.clone();
    state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<(), AppError> {
                users::set_password_hash(c, &user.id, &new_hash, now)?;
                sessions::revoke_all_for_user(c, &user.id, Some(&keep), "password_changed", now)?;
                if let Some(addr) = &user.email {
                    email::enqueue(
                        c,
                        Some(&user.id),
                        &templates::password_changed(addr, &public_url),
                        now,
                    )?;
                }
                Ok(())
            })
        })
        .await?;
    tracing::info!(event = "password_changed", user_id = %who.id, "password changed; other sessions revoked");
    state.sockets.deliver(Fact::AccountClosed {
        user_id: who.id.clone(),
        keep_session: Some(who.session_id.clone()),
        reason: "session_revoked",
    });
    state.mail_wakeup.notify_one();
    Ok(())
}

/// `PUT /admin/users/{id}/role`. Audited in the same transaction; the last admin stays.
pub async fn set_role(
    state: &AppState,
    actor: &AuthUser,
    target_id: &str,
    role: &str,
    reason: &str,
) -> Result<UserSummary, AppError> {
    let role = Role::parse(role).ok_or_else(|| {
        AppError::validation(
            "invalid_role",
            "role must be member, volunteer, moderator or admin",
        )
    })?;
    let reason = reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::validation(
            "invalid_reason",
            "reason is required, at most 500 characters",
        ));
    }
    let target_id = crate::domain::ids::parse_uuid(target_id).ok_or(AppError::NotFound)?;
    let actor_id = actor.id.clone();
    let now = state.clock.now_naive();
    let user = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<User, AppError> {
                let target = users::find(c, &target_id)?
                    .filter(|u| u.status != "erased")
                    .ok_or(AppError::NotFound)?;
                if target.role == role.as_str() {
                    return Ok(target);
                }
                if target.role == Role::Admin.as_str()
                    && target.status == STATUS_ACTIVE
                    && users::count_active_admins(c)? <= 1
                {
                    return Err(AppError::conflict(
                        "last_admin",
                        "This is the last admin; make someone else admin first.",
                    ));
                }
                users::set_role(c, &target.id, role.as_str(), now)?;
                audit::insert(
                    c,
                    &audit::NewAuditEntry {
                        id: &new_id(),
                        actor_id: Some(&actor_id),
                        action: "user.role_changed",
                        target_type: "user",
                        target_id: Some(&target.id),
                        reason: Some(&reason),
                        details: &serde_json::json!({"from": target.role, "to": role.as_str()})
                            .to_string(),
                        created_at: now,
                    },
                )?;
                users::find(c, &target.id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    tracing::info!(event = "role_changed", actor_id = %actor.id, user_id = %user.id, role = %user.role, "role changed");
    // Open sockets carry the old role (moderators receive safety alerts): reconnect.
    state.sockets.deliver(Fact::AccountClosed {
        user_id: user.id.clone(),
        keep_session: None,
        reason: "role_changed",
    });
    Ok(UserSummary::from(&user))
}

/// `kindred admin create`: a verified admin, straight into the database. Blocking.
pub fn create_admin(
    conn: &mut DbConn,
    hasher_params: crate::auth::password::PasswordParams,
    email: &str,
    display_name: &str,
    password: &str,
    now: NaiveDateTime,
) -> Result<String, String> {
    let email = Email::parse(email).map_err(|e| format!("--email: {e}"))?;
    let name = DisplayName::parse(display_name).map_err(|(_, d)| format!("--display-name: {d}"))?;
    let password = Password::new_secret(password).map_err(|(_, d)| format!("password: {d}"))?;
    let hasher =
        crate::auth::password::PasswordHasher::new(hasher_params, 1).map_err(|e| e.to_string())?;
    let hash = hasher.hash_now(&password).map_err(|e| e.to_string())?;
    let result = write_tx(conn, |c| -> Result<String, AppError> {
        if users::find_by_email_key(c, email.key())?.is_some() {
            return Err(AppError::conflict(
                "email_taken",
                "an account with this email already exists",
            ));
        }
        if users::display_name_taken(c, name.key(), None)? {
            return Err(AppError::conflict(
                "display_name_taken",
                "--display-name: that display name is taken",
            ));
        }
        let id = new_id();
        users::insert(
            c,
            &users::NewUser {
                id: &id,
                email: email.address(),
                email_key: email.key(),
                display_name: name.as_str(),
                display_name_key: name.key(),
                password_hash: &hash,
                role: Role::Admin.as_str(),
                status: STATUS_ACTIVE,
                email_verified_at: Some(now),
                created_at: now,
                updated_at: now,
            },
        )?;
        audit::insert(
            c,
            &audit::NewAuditEntry {
                id: &new_id(),
                actor_id: None,
                action: "user.admin_created",
                target_type: "user",
                target_id: Some(&id),
                reason: Some("created from the command line"),
                details: "{}",
                created_at: now,
            },
        )?;
        Ok(id)
    });
    result.map_err(|e| match e {
        AppError::Internal(cause) => crate::error::ErrorChain(cause.as_ref()).to_string(),
        other => other.to_string(),
    })
}
