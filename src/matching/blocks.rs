//! Blocks: a permanent hard exclusion in both directions — never matched again, and the
//! blocked person is never told (nothing they can call reveals it). Blocking an unknown or
//! erased account is 404, blocking oneself 422; blocking twice is fine.

use serde::Serialize;

use crate::auth::AuthUser;
use crate::db::{blocks, users, write_tx};
use crate::domain::time::ts;
use crate::error::AppError;
use crate::realtime::Fact;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct BlockView {
    pub user_id: String,
    pub display_name: String,
    pub created_at: String,
}

fn target(id: &str) -> Result<String, AppError> {
    crate::domain::ids::parse_uuid(id).ok_or(AppError::NotFound)
}

pub async fn put(state: &AppState, who: &AuthUser, user_id: &str) -> Result<(), AppError> {
    let other = target(user_id)?;
    if other == who.id {
        return Err(AppError::validation(
            "cannot_block_self",
            "You cannot block yourself.",
        ));
    }
    let (me, now) = (who.id.clone(), state.clock.now_naive());
    let blocked = other.clone();
    state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<(), AppError> {
                users::find(c, &other)?
                    .filter(|u| u.status != users::STATUS_ERASED)
                    .ok_or(AppError::NotFound)?;
                blocks::put(c, &me, &other, now)?;
                Ok(())
            })
        })
        .await?;
    // Open sockets stop delivering their messages at once (SAFE-SG-7).
    state.sockets.deliver(Fact::BlockChanged {
        user_id: who.id.clone(),
        other: blocked,
        blocked: true,
    });
    tracing::info!(event = "user_blocked", user_id = %who.id, "block added");
    Ok(())
}

pub async fn delete(state: &AppState, who: &AuthUser, user_id: &str) -> Result<(), AppError> {
    let other = target(user_id)?;
    let (me, unblocked) = (who.id.clone(), other.clone());
    state
        .db
        .run(move |c| Ok(blocks::delete(c, &me, &other)?))
        .await?;
    state.sockets.deliver(Fact::BlockChanged {
        user_id: who.id.clone(),
        other: unblocked,
        blocked: false,
    });
    Ok(())
}

pub async fn list(state: &AppState, who: &AuthUser) -> Result<Vec<BlockView>, AppError> {
    let me = who.id.clone();
    let rows = state.db.run(move |c| Ok(blocks::list(c, &me)?)).await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, display_name, at)| BlockView {
            user_id,
            display_name,
            created_at: ts(at),
        })
        .collect())
}
