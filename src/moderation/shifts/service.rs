//! Going on and off shift (`PUT /moderation/shift`) and reading one's own shift.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::policy::EndReason;
use super::sweep::record_end;
use crate::auth::AuthUser;
use crate::db::shifts::{self, NewShift, Shift};
use crate::db::{DbConn, audit, unique_or, write_tx};
use crate::domain::new_id;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::moderation::coverage;
use crate::state::AppState;

/// A shift as its moderator sees it.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ShiftView {
    pub id: String,
    pub started_at: String,
    /// Since when the moderator has had no websocket open (null while connected).
    pub away_since: Option<String>,
    /// When the shift ends unless the moderator reconnects first (null while connected).
    pub ends_unless_reconnected_at: Option<String>,
    pub ended_at: Option<String>,
    pub ended_reason: Option<String>,
}

/// `GET`/`PUT /moderation/shift`: whether the caller is on shift, and their current or last
/// shift.
#[derive(Debug, Serialize)]
pub struct ShiftState {
    pub on: bool,
    /// How long a shift survives with no connection open, in seconds.
    pub grace_secs: u64,
    pub shift: Option<ShiftView>,
}

fn state_of(state: &AppState, shift: Option<Shift>) -> ShiftState {
    let grace = state.settings.shifts.grace;
    let grace_c = chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX);
    ShiftState {
        on: shift.as_ref().is_some_and(|s| s.ended_at.is_none()),
        grace_secs: grace.as_secs(),
        shift: shift.map(|s| {
            let open = s.ended_at.is_none();
            ShiftView {
                ends_unless_reconnected_at: s
                    .away_since
                    .filter(|_| open)
                    .and_then(|a| a.checked_add_signed(grace_c))
                    .map(ts),
                id: s.id,
                started_at: ts(s.started_at),
                away_since: s.away_since.filter(|_| open).map(ts),
                ended_at: s.ended_at.map(ts),
                ended_reason: s.ended_reason,
            }
        }),
    }
}

/// `GET /moderation/shift`.
pub async fn mine(state: &AppState, who: &AuthUser) -> Result<ShiftState, AppError> {
    let id = who.id.clone();
    let shift = state
        .db
        .run(move |c| Ok(shifts::latest_for(c, &id)?))
        .await?;
    Ok(state_of(state, shift))
}

/// `PUT /moderation/shift {on}`: idempotent either way. Going on with no websocket open
/// starts the shift already away, so it ends after the grace unless a connection opens.
/// The start or end and its audit row are one transaction; coverage is announced after it
/// when staffing changed.
pub async fn set(state: &AppState, who: &AuthUser, on: bool) -> Result<ShiftState, AppError> {
    let id = who.id.clone();
    let now = state.clock.now_naive();
    let sockets = state.sockets.clone();
    let shift = state
        .db
        .run(move |c| {
            let connected = sockets.connections_of(&id) > 0;
            let (shift, changed) = write_tx(c, |c| -> Result<(Option<Shift>, bool), AppError> {
                let before = shifts::any_open(c)?;
                let shift = if on {
                    go_on(c, &id, connected, now)?
                } else {
                    go_off(c, &id, now)?
                };
                Ok((shift, before != shifts::any_open(c)?))
            })?;
            if changed {
                coverage::announce(c, sockets.as_ref())?;
            }
            Ok(shift)
        })
        .await?;
    tracing::info!(event = "shift_set", moderator_id = %who.id, on, "moderator shift");
    Ok(state_of(state, shift))
}

fn go_on(
    c: &mut DbConn,
    id: &str,
    connected: bool,
    now: NaiveDateTime,
) -> Result<Option<Shift>, AppError> {
    if let Some(open) = shifts::open_for(c, id)? {
        return Ok(Some(open));
    }
    let shift_id = new_id();
    shifts::insert(
        c,
        &NewShift {
            id: &shift_id,
            moderator_id: id,
            started_at: now,
            away_since: (!connected).then_some(now),
        },
    )
    .map_err(|e| {
        unique_or(e, || {
            AppError::conflict(
                "shift_changed",
                "Your shift changed at the same moment; read it again.",
            )
        })
    })?;
    audit::insert(
        c,
        &audit::NewAuditEntry {
            id: &new_id(),
            actor_id: Some(id),
            action: "shift.started",
            target_type: "user",
            target_id: Some(id),
            reason: None,
            details: &serde_json::json!({"shift_id": shift_id}).to_string(),
            created_at: now,
        },
    )?;
    Ok(shifts::open_for(c, id)?)
}

fn go_off(c: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<Option<Shift>, AppError> {
    if let Some(open) = shifts::open_for(c, id)?
        && shifts::end(c, &open.id, now, EndReason::Off.as_str())? == 1
    {
        record_end(c, Some(id), &open, now, EndReason::Off, now)?;
    }
    Ok(shifts::latest_for(c, id)?)
}
