//! Account-wide actions: warn, suspend for a time, ban, reinstate. Moderators and admins only.

use chrono::Duration;
use serde::Deserialize;

use super::{
    ActionView, Ctx, Record, apply, category, email_person, notice, party, reason, record, target,
};
use crate::auth::AuthUser;
use crate::db::{moderation_actions, rooms, sessions, users};
use crate::domain::ids::parse_uuid;
use crate::error::AppError;
use crate::matching::offers;
use crate::moderation::policy::{MAX_SUSPENSION_DAYS, Scope, may_act};
use crate::realtime::Fact;
use crate::state::AppState;

/// The close reason of a banned person's sockets (1008).
pub const BANNED: &str = "account_banned";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarnRequest {
    pub reason: Option<String>,
    pub category: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    pub reason: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::whole::option")]
    pub days: Option<i64>,
    pub category: Option<String>,
}

/// `POST /moderation/users/{id}/warn`.
pub async fn warn(
    state: &AppState,
    who: &AuthUser,
    user: &str,
    req: WarnRequest,
) -> Result<ActionView, AppError> {
    let why = reason(req.reason.as_deref())?;
    let cat = category(req.category.as_deref())?;
    let user = parse_uuid(user).ok_or(AppError::NotFound)?;
    let ctx = Ctx::new(state, who);
    apply(state, move |c| {
        let person = target(c, &user)?;
        may_act(ctx.actor(), party(&person)?, Scope::Account)?;
        let a = record(
            c,
            &ctx,
            &Record {
                category: cat.as_deref(),
                ..Record::account("warn", &user, &why)
            },
        )?;
        email_person(c, &ctx, &person, &a)?;
        let facts = vec![notice(&a, "warn")];
        Ok((a, facts))
    })
    .await
}

/// `POST /moderation/users/{id}/suspend`.
pub async fn suspend(
    state: &AppState,
    who: &AuthUser,
    user: &str,
    req: SuspendRequest,
) -> Result<ActionView, AppError> {
    let why = reason(req.reason.as_deref())?;
    let cat = category(req.category.as_deref())?;
    let days = match req.days {
        Some(d) if (1..=MAX_SUSPENSION_DAYS).contains(&d) => d,
        _ => {
            return Err(AppError::validation(
                "invalid_days",
                format!("days is a whole number from 1 to {MAX_SUSPENSION_DAYS}."),
            ));
        }
    };
    let user = parse_uuid(user).ok_or(AppError::NotFound)?;
    let ctx = Ctx::new(state, who);
    apply(state, move |c| {
        let person = target(c, &user)?;
        may_act(ctx.actor(), party(&person)?, Scope::Account)?;
        if person.status == users::STATUS_BANNED {
            return Err(AppError::conflict(
                "already_banned",
                "This account is banned.",
            ));
        }
        let until = ctx.now + Duration::days(days);
        users::set_suspended_until(c, &user, Some(until), ctx.now)?;
        let a = record(
            c,
            &ctx,
            &Record {
                category: cat.as_deref(),
                until: Some(until),
                ..Record::account("suspend", &user, &why)
            },
        )?;
        email_person(c, &ctx, &person, &a)?;
        // A suspended person cannot be matched: their open offers end as if they declined,
        // and the others go back to the pool with their wait kept.
        let mut facts = vec![notice(&a, "suspend")];
        facts.extend(offers::withdraw_for(c, &user, ctx.now, &ctx.public_url)?);
        Ok((a, facts))
    })
    .await
}

/// `POST /moderation/users/{id}/ban`.
pub async fn ban(
    state: &AppState,
    who: &AuthUser,
    user: &str,
    req: WarnRequest,
) -> Result<ActionView, AppError> {
    let why = reason(req.reason.as_deref())?;
    let cat = category(req.category.as_deref())?;
    let user = parse_uuid(user).ok_or(AppError::NotFound)?;
    let ctx = Ctx::new(state, who);
    apply(state, move |c| {
        let person = target(c, &user)?;
        may_act(ctx.actor(), party(&person)?, Scope::Account)?;
        if person.status == users::STATUS_BANNED {
            return Err(AppError::conflict(
                "already_banned",
                "This account is banned already.",
            ));
        }
        users::set_status(c, &user, users::STATUS_BANNED, ctx.now)?;
        sessions::revoke_all_for_user(c, &user, None, BANNED, ctx.now)?;
        // Every room left at once; a pair or one-to-one room ends, as when one side leaves.
        let mut facts = vec![Fact::AccountClosed {
            user_id: user.clone(),
            keep_session: None,
            reason: BANNED,
        }];
        // Open offers end as if they declined; the others go back to the pool.
        facts.extend(offers::withdraw_for(c, &user, ctx.now, &ctx.public_url)?);
        for r in rooms::for_user(c, &user)? {
            rooms::leave(c, &r.id, &user, ctx.now)?;
            let remaining: Vec<String> = rooms::members(c, &r.id)?
                .into_iter()
                .map(|m| m.user_id)
                .collect();
            let ends = r.kind != "group" || remaining.is_empty();
            if ends {
                rooms::end(c, &r.id, ctx.now)?;
            }
            facts.push(Fact::Left {
                room_id: r.id,
                user_id: user.clone(),
                ended_for: if ends { remaining } else { Vec::new() },
            });
        }
        let a = record(
            c,
            &ctx,
            &Record {
                category: cat.as_deref(),
                ..Record::account("ban", &user, &why)
            },
        )?;
        email_person(c, &ctx, &person, &a)?;
        Ok((a, facts))
    })
    .await
}

/// `POST /moderation/users/{id}/reinstate`: lifts a suspension or a ban.
pub async fn reinstate(
    state: &AppState,
    who: &AuthUser,
    user: &str,
    req: super::messages::ReasonRequest,
) -> Result<ActionView, AppError> {
    let why = reason(req.reason.as_deref())?;
    let user = parse_uuid(user).ok_or(AppError::NotFound)?;
    let ctx = Ctx::new(state, who);
    apply(state, move |c| {
        let person = target(c, &user)?;
        may_act(ctx.actor(), party(&person)?, Scope::Account)?;
        let banned = person.status == users::STATUS_BANNED;
        if !banned && !person.is_suspended(ctx.now) {
            return Err(AppError::conflict(
                "nothing_to_reinstate",
                "This account is neither suspended nor banned.",
            ));
        }
        if banned {
            users::set_status(c, &user, users::STATUS_ACTIVE, ctx.now)?;
        }
        users::set_suspended_until(c, &user, None, ctx.now)?;
        for s in moderation_actions::latest_standing(c, &user, &["suspend", "ban"], None, None)? {
            moderation_actions::mark_reversed(c, &s.id, &ctx.actor_id, &why, ctx.now)?;
        }
        let a = record(c, &ctx, &Record::account("reinstate", &user, &why))?;
        email_person(c, &ctx, &person, &a)?;
        let facts = vec![notice(&a, "reinstate")];
        Ok((a, facts))
    })
    .await
}
