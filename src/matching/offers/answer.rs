//! Answering an offer: `POST /api/v1/match-requests/{id}/accept` and `…/decline`, by the
//! member whose request it is or by the volunteer the offer asks. One transaction: the answer,
//! and — on the last yes — the room, or — on a no — everyone back in the pool.

use serde::Serialize;

use super::end_all;
use super::sweep::lapse_in;
use crate::auth::AuthUser;
use crate::db::match_offers::{self, Offer, OfferSeat};
use crate::db::{DbConn, match_requests, write_tx};
use crate::error::AppError;
use crate::matching::commit::{Claim, Contacts, Proposal, Seat, open, recheck, settle};
use crate::matching::requests::StoredExplanation;
use crate::realtime::Fact;
use crate::state::AppState;

/// Where the request stands after the answer.
#[derive(Debug, Serialize)]
pub struct AnswerView {
    pub request_id: String,
    /// `offered` (waiting for the others), `matched` (the room is open) or `waiting` (back in
    /// the pool).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<String>,
}

enum Outcome {
    Waiting,
    Opened(Fact),
    Ended(Fact),
    Lapsed(Vec<Fact>),
}

fn no_offer() -> AppError {
    AppError::conflict(
        "no_open_offer",
        "This request is not waiting for an answer to an offer.",
    )
}

/// The proposal an offer stands for, rebuilt from what was stored with it.
fn proposal(offer: &Offer, seats: &[OfferSeat]) -> Proposal {
    let explanation = |s: Option<&str>| {
        s.and_then(|e| serde_json::from_str::<StoredExplanation>(e).ok())
            .unwrap_or(StoredExplanation {
                facts: serde_json::Value::Null,
                sentences: Vec::new(),
            })
    };
    Proposal {
        kind: if offer.kind == "one_to_one" {
            "one_to_one"
        } else {
            "pair"
        },
        focus_condition: offer.focus_condition.clone(),
        seats: seats
            .iter()
            .map(|s| Seat {
                request_id: s.request_id.clone(),
                user_id: s.user_id.clone(),
                explanation: explanation(s.explanation.as_deref()),
            })
            .collect(),
        facilitator: offer.volunteer_id.clone(),
        facilitator_explanation: offer
            .volunteer_explanation
            .as_deref()
            .map(|e| explanation(Some(e))),
        existing_room: None,
    }
}

fn everyone_said_yes(offer: &Offer, seats: &[OfferSeat]) -> bool {
    seats
        .iter()
        .all(|s| s.answer.as_deref() == Some(match_offers::ACCEPTED))
        && (offer.volunteer_id.is_none()
            || offer.volunteer_answer.as_deref() == Some(match_offers::ACCEPTED))
}

fn decide(
    c: &mut DbConn,
    who: &str,
    request: &str,
    accept: bool,
    now: chrono::NaiveDateTime,
    public_url: &str,
) -> Result<Outcome, AppError> {
    let Some((found, _)) = match_offers::of_request(c, request)? else {
        // Not in an open offer: the owner learns so; anyone else finds nothing.
        return match match_requests::find(c, request)? {
            Some(r) if r.user_id == who => Err(no_offer()),
            _ => Err(AppError::NotFound),
        };
    };
    // Everything below reads the offer after its lock: a concurrent answer is seen.
    let mut offer = match_offers::lock(c, &found.id)?
        .filter(|o| o.closed_at.is_none())
        .ok_or_else(no_offer)?;
    let mut seats = match_offers::seats(c, &offer.id)?;
    let as_member = seats
        .iter()
        .any(|s| s.request_id == request && s.user_id == who);
    let as_volunteer = offer.volunteer_id.as_deref() == Some(who);
    if !as_member && !as_volunteer {
        return Err(AppError::NotFound);
    }
    if offer.expires_at <= now {
        return Ok(Outcome::Lapsed(lapse_in(c, &offer, now, public_url)?));
    }
    if !accept {
        let ends = end_all(
            c,
            &offer,
            match_offers::DECLINED,
            Some(who),
            now,
            public_url,
        )?
        .ok_or_else(no_offer)?;
        return Ok(Outcome::Ended(Fact::OfferEnded { ends }));
    }
    let recorded = if as_member {
        match_offers::accept_request(c, request, &offer.id)?
    } else {
        match_offers::accept_volunteer(c, &offer.id)?
    };
    if recorded == 0 {
        return Err(no_offer());
    }
    // The answer just stored, without reading it back.
    let yes = Some(match_offers::ACCEPTED.to_string());
    if as_member {
        for s in seats.iter_mut().filter(|s| s.request_id == request) {
            s.answer = yes.clone();
        }
    } else {
        offer.volunteer_answer = yes;
    }
    if !everyone_said_yes(&offer, &seats) {
        return Ok(Outcome::Waiting);
    }
    let p = proposal(&offer, &seats);
    // A block made since the offer, or a volunteer who can no longer take the room: the
    // offer is lost and everyone goes back to the pool, wait kept.
    let contacts = Contacts::load(c, std::slice::from_ref(&p))?;
    if settle(recheck(c, &p, now, false, &contacts))?.is_none() {
        let ends =
            end_all(c, &offer, match_offers::LOST, None, now, public_url)?.ok_or_else(no_offer)?;
        return Ok(Outcome::Ended(Fact::OfferEnded { ends }));
    }
    let fact = settle(open(
        c,
        &p,
        now,
        public_url,
        Claim::Offer(&offer.id),
        &contacts,
    ))?
    .ok_or_else(no_offer)?;
    Ok(Outcome::Opened(fact))
}

/// Records `who`'s answer to the offer of request `id`.
pub async fn answer(
    state: &AppState,
    who: &AuthUser,
    id: &str,
    accept: bool,
) -> Result<AnswerView, AppError> {
    let request = crate::domain::ids::parse_uuid(id).ok_or(AppError::NotFound)?;
    let (user, now) = (who.id.clone(), state.clock.now_naive());
    let url = state.settings.public_url.clone();
    let rid = request.clone();
    let outcome = state
        .db
        .run(move |c| write_tx(c, |c| decide(c, &user, &rid, accept, now, &url)))
        .await?;
    state.mail_wakeup.notify_one();
    let (status, room_id) = match outcome {
        Outcome::Waiting => ("offered", None),
        Outcome::Opened(fact) => {
            state.metrics.matching("opened");
            let room = match &fact {
                Fact::Seated { room_id, .. } => Some(room_id.clone()),
                _ => None,
            };
            state.sockets.deliver(fact);
            ("matched", room)
        }
        Outcome::Ended(fact) => {
            state
                .metrics
                .matching(if accept { "lost" } else { "declined" });
            state.sockets.deliver(fact);
            ("waiting", None)
        }
        Outcome::Lapsed(facts) => {
            state.metrics.matching("lapsed");
            for f in facts {
                state.sockets.deliver(f);
            }
            return Err(AppError::conflict(
                "offer_lapsed",
                "The time to answer this offer has passed.",
            ));
        }
    };
    Ok(AnswerView {
        request_id: request,
        status,
        room_id,
    })
}
