//! Roles and admin accounts: the audited role change and the command-line first admin.

use chrono::NaiveDateTime;

use crate::auth::extractors::AuthUser;
use crate::db::users::{self, STATUS_ACTIVE, User};
use crate::db::{DbConn, audit, write_tx};
use crate::domain::{DisplayName, Email, Password, Role, new_id};
use crate::error::AppError;
use crate::realtime::Fact;
use crate::state::AppState;

use super::mfa::{Reauth, reauthenticate_strictly};
use super::{MAX_REASON_CHARS, UserSummary};

/// `PUT /admin/users/{id}/role`. Audited in the same transaction; the last admin stays.
/// The acting admin re-authenticates first (password or a current code, `proof`), after the
/// request itself is checked, so a malformed request spends no code. A new moderator or
/// admin gets nothing privileged until they have enrolled a second factor and signed in
/// with it (the `Moderator` and `Admin` extractors).
pub async fn set_role(
    state: &AppState,
    actor: &AuthUser,
    target_id: &str,
    role: &str,
    reason: &str,
    proof: &Reauth,
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
    reauthenticate_strictly(state, actor, proof).await?;
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
