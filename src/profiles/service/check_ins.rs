//! Confidence check-ins (SEMCD-6): record one, and the member's history with its change.

use serde::Serialize;

use crate::auth::AuthUser;
use crate::db::check_ins;
use crate::domain::new_id;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::profiles::checkin;
use crate::state::AppState;

use super::internal;

#[derive(Debug, Serialize)]
pub struct CheckInView {
    pub id: String,
    pub score: f64,
    pub level: u8,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct CheckInEntry {
    pub id: String,
    pub answers: Vec<Option<i64>>,
    pub score: f64,
    pub level: u8,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct CheckInHistory {
    pub instrument: &'static str,
    /// Oldest first.
    pub check_ins: Vec<CheckInEntry>,
    /// Latest score minus the first (two decimals); null with fewer than two.
    pub change_since_first: Option<f64>,
    /// Whether that change is at least one point either way.
    pub notable_change: bool,
}

/// `POST /me/check-ins`.
pub async fn post_check_in(
    state: &AppState,
    who: &AuthUser,
    answers: Vec<Option<i64>>,
) -> Result<CheckInView, AppError> {
    let scored =
        checkin::score(&answers).map_err(|e| AppError::validation(e.code(), e.detail()))?;
    let row = check_ins::CheckIn {
        id: new_id(),
        user_id: who.id.clone(),
        instrument: checkin::INSTRUMENT_ID.into(),
        instrument_version: checkin::INSTRUMENT_VERSION.into(),
        wording: checkin::WORDING.into(),
        answers: serde_json::to_string(&answers).map_err(internal)?,
        score: scored.score,
        level: i32::from(scored.level),
        created_at: state.clock.now_naive(),
    };
    let view = CheckInView {
        id: row.id.clone(),
        score: scored.score,
        level: scored.level,
        created_at: ts(row.created_at),
    };
    state
        .db
        .run(move |c| Ok(check_ins::insert(c, &row)?))
        .await?;
    Ok(view)
}

/// `GET /me/check-ins`.
pub async fn list_check_ins(state: &AppState, who: &AuthUser) -> Result<CheckInHistory, AppError> {
    let id = who.id.clone();
    let rows = state
        .db
        .run(move |c| Ok(check_ins::for_user(c, &id)?))
        .await?;
    let scores: Vec<f64> = rows.iter().map(|r| r.score).collect();
    let change = checkin::change_since_first(&scores);
    let mut entries = Vec::with_capacity(rows.len());
    for r in rows {
        entries.push(CheckInEntry {
            answers: serde_json::from_str(&r.answers).map_err(internal)?,
            id: r.id,
            score: r.score,
            level: u8::try_from(r.level).unwrap_or(0),
            created_at: ts(r.created_at),
        });
    }
    Ok(CheckInHistory {
        instrument: checkin::INSTRUMENT_ID,
        check_ins: entries,
        change_since_first: change,
        notable_change: change.is_some_and(checkin::is_notable),
    })
}
