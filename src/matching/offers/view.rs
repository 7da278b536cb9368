//! What a person sees of an offer: on their request (`offer`), and the list of offers waiting
//! for their answer (`GET /api/v1/match-offers`), each with the explanation written for them.

use serde::Serialize;

use crate::auth::AuthUser;
use crate::db::DbConn;
use crate::db::match_offers;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::matching::requests::StoredExplanation;
use crate::state::AppState;

/// The offer a request is in, as its owner sees it.
#[derive(Debug, Serialize)]
pub struct OfferView {
    /// `pair` or `one_to_one`.
    pub kind: String,
    /// When the offer lapses.
    pub expires_at: String,
    /// `accepted` once the reader said yes; null before.
    pub your_answer: Option<String>,
}

/// One offer waiting for the reader.
#[derive(Debug, Serialize)]
pub struct OfferSummary {
    /// The member's request: answer on `/api/v1/match-requests/{request_id}/accept|decline`.
    pub request_id: String,
    pub kind: String,
    /// `member` (it is the reader's request) or `volunteer` (the reader would support them).
    pub role: &'static str,
    pub explanation: Vec<String>,
    pub expires_at: String,
    pub your_answer: Option<String>,
}

fn sentences(stored: Option<&str>) -> Vec<String> {
    stored
        .and_then(|e| serde_json::from_str::<StoredExplanation>(e).ok())
        .map(|e| e.sentences)
        .unwrap_or_default()
}

/// The open offer of request `id`, if it is in one.
pub fn for_request(c: &mut DbConn, id: &str) -> Result<Option<OfferView>, AppError> {
    Ok(
        match_offers::of_request(c, id)?.map(|(o, answer)| OfferView {
            kind: o.kind,
            expires_at: ts(o.expires_at),
            your_answer: answer,
        }),
    )
}

/// `GET /match-offers`: every open offer the caller is in, oldest first.
pub async fn open_for(state: &AppState, who: &AuthUser) -> Result<Vec<OfferSummary>, AppError> {
    let user = who.id.clone();
    state
        .db
        .run(move |c| {
            let mut out = Vec::new();
            for o in match_offers::open_for(c, &user)? {
                let seats = match_offers::seats(c, &o.id)?;
                let expires_at = ts(o.expires_at);
                if o.volunteer_id.as_deref() == Some(user.as_str()) {
                    if let Some(first) = seats.first() {
                        out.push(OfferSummary {
                            request_id: first.request_id.clone(),
                            kind: o.kind.clone(),
                            role: "volunteer",
                            explanation: sentences(o.volunteer_explanation.as_deref()),
                            expires_at,
                            your_answer: o.volunteer_answer.clone(),
                        });
                    }
                } else if let Some(mine) = seats.iter().find(|s| s.user_id == user) {
                    out.push(OfferSummary {
                        request_id: mine.request_id.clone(),
                        kind: o.kind.clone(),
                        role: "member",
                        explanation: sentences(mine.explanation.as_deref()),
                        expires_at,
                        your_answer: mine.answer.clone(),
                    });
                }
            }
            Ok(out)
        })
        .await
}
