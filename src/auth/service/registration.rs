//! Registration and email verification: `POST /auth/register` and `POST /auth/verify-email`.

use crate::auth::extractors::ClientAddr;
use crate::auth::tokens;
use crate::db::email_tokens::{self, PURPOSE_VERIFY};
use crate::db::users::{self, STATUS_ACTIVE, User};
use crate::db::write_tx;
use crate::domain::{DisplayName, Password, Role, new_id};
use crate::email::{self, templates};
use crate::error::AppError;
use crate::state::AppState;

use super::{UserSummary, VERIFY_TOKEN_TTL, email_field, field, issue_email_token, rate_limited};

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
    // A name that reads as contact details is refused before the pseudonym rules (SAFE-SG-8).
    let name = field(
        crate::safety::personal_info::display_name_problem(display_name)
            .map_or_else(|| DisplayName::parse(display_name), Err),
    )?;
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
    let invalid =
        || AppError::invalid_token("invalid_token", "This link is invalid, used or expired.");
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
