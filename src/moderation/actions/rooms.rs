//! A person's place in one room: mute (sends refused `muted` until a time), unmute, and
//! removal (`room_left {reason: "removed"}`, and never matched again with anyone who was in
//! that room).

use chrono::Duration;
use serde::Deserialize;

use super::{ActionView, Ctx, Record, apply, email_person, notice, party, reason, record, target};
use crate::auth::AuthUser;
use crate::db::{match_offers, moderation_actions, room_sanctions, rooms};
use crate::domain::ids::parse_uuid;
use crate::error::AppError;
use crate::moderation::policy::{MAX_MUTE_MINUTES, Scope, may_act};
use crate::realtime::Fact;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MuteRequest {
    pub reason: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::whole::option")]
    pub minutes: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomReasonRequest {
    pub reason: Option<String>,
}

fn ids(room: &str, user: &str) -> Result<(String, String), AppError> {
    Ok((
        parse_uuid(room).ok_or(AppError::NotFound)?,
        parse_uuid(user).ok_or(AppError::NotFound)?,
    ))
}

/// Whether the actor is the room's current facilitator (a volunteer's only room scope).
fn staffs(c: &mut crate::db::DbConn, room: &str, actor: &str) -> Result<bool, AppError> {
    Ok(rooms::open_membership_role(c, room, actor)?.as_deref() == Some(rooms::ROLE_FACILITATOR))
}

/// `POST /moderation/rooms/{id}/members/{user_id}/mute`.
pub async fn mute(
    state: &AppState,
    who: &AuthUser,
    room: &str,
    user: &str,
    req: MuteRequest,
) -> Result<ActionView, AppError> {
    let why = reason(req.reason.as_deref())?;
    let minutes = match req.minutes {
        Some(m) if (1..=MAX_MUTE_MINUTES).contains(&m) => m,
        _ => {
            return Err(AppError::validation(
                "invalid_minutes",
                format!("minutes is a whole number from 1 to {MAX_MUTE_MINUTES}."),
            ));
        }
    };
    let (room, user) = ids(room, user)?;
    let ctx = Ctx::new(state, who);
    apply(state, move |c| {
        let person = target(c, &user)?;
        if rooms::open_membership_role(c, &room, &user)?.is_none() {
            return Err(AppError::NotFound);
        }
        let actor_staffs = staffs(c, &room, &ctx.actor_id)?;
        may_act(ctx.actor(), party(&person)?, Scope::Room { actor_staffs })?;
        let until = ctx.now + Duration::minutes(minutes);
        room_sanctions::set_muted_until(c, &room, &user, Some(until))?;
        let a = record(
            c,
            &ctx,
            &Record {
                kind: "mute",
                target: &user,
                room_id: Some(&room),
                message_id: None,
                category: None,
                reason: &why,
                source: None,
                until: Some(until),
            },
        )?;
        let facts = vec![notice(&a, "mute")];
        Ok((a, facts))
    })
    .await
}

/// `POST /moderation/rooms/{id}/members/{user_id}/unmute`.
pub async fn unmute(
    state: &AppState,
    who: &AuthUser,
    room: &str,
    user: &str,
    req: RoomReasonRequest,
) -> Result<ActionView, AppError> {
    let why = reason(req.reason.as_deref())?;
    let (room, user) = ids(room, user)?;
    let ctx = Ctx::new(state, who);
    apply(state, move |c| {
        let person = target(c, &user)?;
        if rooms::open_membership_role(c, &room, &user)?.is_none() {
            return Err(AppError::NotFound);
        }
        let actor_staffs = staffs(c, &room, &ctx.actor_id)?;
        may_act(ctx.actor(), party(&person)?, Scope::Room { actor_staffs })?;
        if room_sanctions::muted_until(c, &room, &user)?.is_none_or(|u| u <= ctx.now) {
            return Err(AppError::conflict(
                "not_muted",
                "This person is not muted in this room.",
            ));
        }
        room_sanctions::set_muted_until(c, &room, &user, None)?;
        for m in moderation_actions::latest_standing(c, &user, &["mute"], Some(&room), None)? {
            moderation_actions::mark_reversed(c, &m.id, &ctx.actor_id, &why, ctx.now)?;
        }
        let a = record(
            c,
            &ctx,
            &Record {
                kind: "unmute",
                target: &user,
                room_id: Some(&room),
                message_id: None,
                category: None,
                reason: &why,
                source: None,
                until: None,
            },
        )?;
        let facts = vec![notice(&a, "unmute")];
        Ok((a, facts))
    })
    .await
}

/// `POST /moderation/rooms/{id}/members/{user_id}/remove`.
pub async fn remove(
    state: &AppState,
    who: &AuthUser,
    room: &str,
    user: &str,
    req: RoomReasonRequest,
) -> Result<ActionView, AppError> {
    let why = reason(req.reason.as_deref())?;
    let (room, user) = ids(room, user)?;
    let ctx = Ctx::new(state, who);
    apply(state, move |c| {
        let person = target(c, &user)?;
        let r = rooms::find(c, &room)?.ok_or(AppError::NotFound)?;
        if rooms::open_membership_role(c, &room, &user)?.is_none() {
            return Err(AppError::NotFound);
        }
        may_act(ctx.actor(), party(&person)?, Scope::Account)?;
        rooms::leave(c, &room, &user, ctx.now)?;
        let remaining: Vec<String> = rooms::members(c, &room)?
            .into_iter()
            .map(|m| m.user_id)
            .collect();
        let ends = r.kind != "group" || remaining.is_empty();
        if ends {
            rooms::end(c, &room, ctx.now)?;
        }
        // Never matched again with anyone who was ever in this room.
        for other in room_sanctions::everyone_ever_in(c, &room)? {
            if other != user {
                match_offers::decline_pair(c, &user, &other, ctx.now)?;
            }
        }
        let a = record(
            c,
            &ctx,
            &Record {
                kind: "remove",
                target: &user,
                room_id: Some(&room),
                message_id: None,
                category: None,
                reason: &why,
                source: None,
                until: None,
            },
        )?;
        email_person(c, &ctx, &person, &a)?;
        let facts = vec![
            Fact::Removed {
                room_id: room.clone(),
                user_id: user.clone(),
                ended_for: if ends { remaining } else { Vec::new() },
            },
            notice(&a, "remove"),
        ];
        Ok((a, facts))
    })
    .await
}
