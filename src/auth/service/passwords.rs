//! Passwords: request and confirm a reset, re-check the current password, change it.

use crate::auth::extractors::{AuthUser, ClientAddr};
use crate::auth::tokens;
use crate::db::email_tokens::{self, PURPOSE_RESET};
use crate::db::users::{self, User};
use crate::db::{sessions, write_tx};
use crate::domain::Password;
use crate::email::{self, templates};
use crate::error::AppError;
use crate::realtime::Fact;
use crate::state::AppState;

use super::{RESET_TOKEN_TTL, email_field, field, issue_email_token, rate_limited};

/// How long after answering a reset request its lookup, token and email begin.
///
/// Started at once, that work (a write for a known address, a read for an unknown one) runs
/// while the answer is still on its way and competes with it for the CPU, which was enough
/// to tell the two apart (medians 4.7 ms against 2.1 ms, p ≈ 2e-8 in `.ci/timing.py`).
/// Started later, it overlaps whatever requests happen to run then, so no one answer's time
/// depends on it.
const RESET_WORK_DELAY: std::time::Duration = std::time::Duration::from_millis(100);

/// `POST /auth/password-reset`: 202 whatever the address, and in the same time.
///
/// Only the checks that depend on the request alone (the limits, the address's shape) run
/// before the answer. The lookup, the token and the email run afterwards in a task of their
/// own, the same task for every address, so the response time cannot tell whether an account
/// exists (TESTPLAN T07; `.ci/timing.py`).
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
    let (db, wakeup) = (state.db.clone(), state.mail_wakeup.clone());
    let public_url = state.settings.public_url.clone();
    tokio::spawn(async move {
        tokio::time::sleep(RESET_WORK_DELAY).await;
        let sent = db
            .run(move |c| {
                write_tx(c, |c| -> Result<bool, AppError> {
                    let Some(user) = users::find_by_email_key(c, email.key())? else {
                        return Ok(false);
                    };
                    if user.status == "erased" {
                        return Ok(false);
                    }
                    let token =
                        issue_email_token(c, &user.id, PURPOSE_RESET, RESET_TOKEN_TTL, now)?;
                    let mail = templates::password_reset(email.address(), &public_url, &token);
                    email::enqueue(c, Some(&user.id), &mail, now)?;
                    Ok(true)
                })
            })
            .await;
        match sent {
            Ok(true) => wakeup.notify_one(),
            Ok(false) => {}
            Err(e) => tracing::error!(
                event = "password_reset_request_failed",
                error = %e,
                "password reset request could not be queued"
            ),
        }
    });
    Ok(())
}

/// `POST /auth/password-reset/confirm`: sets the password, revokes every session.
pub async fn confirm_password_reset(
    state: &AppState,
    token: &str,
    password: &str,
) -> Result<(), AppError> {
    let password = field(Password::new_secret(password))?;
    let invalid =
        || AppError::invalid_token("invalid_token", "This link is invalid, used or expired.");
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
