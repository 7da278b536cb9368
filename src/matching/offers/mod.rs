//! Consent before a pair opens (issue 10): peer buddies choose each other, and a volunteer
//! chooses the members they support.
//!
//! With `KINDRED_MATCH_CONSENT=ask` (the default) a proposed pair or one-to-one is not opened
//! by the tick: it becomes an *offer*. Each person in it hears `match_offer` on their sockets
//! and gets an email with the explanation written for them; their request shows
//! `status: "offered"` with the offer. Each answers with `POST
//! /api/v1/match-requests/{id}/accept` or `…/decline` (the volunteer answers on the member's
//! request id). The room opens, in the same transaction as the last yes, when everyone has
//! accepted. Groups open at once: a group seat is not one chosen person.
//!
//! Decisions where the issue is silent:
//! - **A decline** ends the offer for everyone. Every member's request goes back to the pool
//!   with its wait kept (`created_at` unchanged), the decliner's too (they said no to this
//!   person, not to support), and those two people are never proposed to each other again
//!   (`declined_pairs`). The others hear `match_offer_ended` and an email that it is not going
//!   ahead; nobody learns why or who.
//! - **No answer within the window** (`KINDRED_OFFER_WINDOW_HOURS`, 48 h) lapses the offer. A
//!   member who had accepted goes back to the pool, wait kept. A member who had not answered
//!   has their request closed as `expired` and is invited to ask again, so an absent person is
//!   not offered to someone else for another 48 hours. A volunteer who had not answered is
//!   paused (`accepting` off) and told how to switch it back on. The pair is not proposed again.
//! - **The volunteer's capacity is held** while an offer is open: the pool counts open offers
//!   against `one_to_one_capacity`, and a new offer re-checks it in its transaction.
//! - **What changed before the last yes** (a block, the volunteer's capacity or training) ends
//!   the offer as `lost`: everyone goes back to the pool, wait kept.
//! - An offered request cannot be cancelled (409 `request_not_waiting`): decline it first.
//!   Erasing an account ends its open offers the same way as a decline, before the data goes.
//! - `KINDRED_MATCH_CONSENT=immediate` opens pairs and one-to-ones at once (the behaviour
//!   before offers): a service that prefers speed to choice can say so.

mod answer;
mod make;
mod pool;
mod sweep;
mod view;

pub use answer::{AnswerView, answer};
pub use make::{offer, offer_in};
pub use pool::load_pool;
pub use sweep::{lapse, withdraw_for};
pub use view::{OfferSummary, OfferView, for_request, open_for};

use crate::db::match_offers::{self, Offer, OfferSeat};
use crate::db::{DbConn, users};
use crate::email;
use crate::email::offer_mail;
use crate::error::AppError;
use crate::realtime::OfferEnd;
use chrono::NaiveDateTime;

/// Everyone in an offer, members first.
fn parties(offer: &Offer, seats: &[OfferSeat]) -> Vec<String> {
    let mut out: Vec<String> = seats.iter().map(|s| s.user_id.clone()).collect();
    out.extend(offer.volunteer_id.clone());
    out
}

/// Remembers every two people in the offer as not to be proposed to each other again.
fn remember_declined(
    c: &mut DbConn,
    offer: &Offer,
    seats: &[OfferSeat],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let people = parties(offer, seats);
    for (i, a) in people.iter().enumerate() {
        for b in &people[i + 1..] {
            match_offers::decline_pair(c, a, b, now)?;
        }
    }
    Ok(())
}

/// Sends a member back to the pool (wait kept), with the email that it is not going ahead.
fn release_member(
    c: &mut DbConn,
    seat: &OfferSeat,
    tell: bool,
    now: NaiveDateTime,
    public_url: &str,
) -> Result<OfferEnd, AppError> {
    match_offers::release(c, &seat.request_id)?;
    if tell
        && let Some(u) = users::find(c, &seat.user_id)?
        && let Some(addr) = &u.email
    {
        let mail = offer_mail::offer_ended(addr, &u.display_name, public_url, false);
        email::enqueue(c, Some(&u.id), &mail, now)?;
    }
    Ok(OfferEnd {
        user_id: seat.user_id.clone(),
        request_id: seat.request_id.clone(),
        status: "waiting",
    })
}

/// Ends an open offer with `outcome`, every member back in the pool; `quiet` is told nothing
/// by email (the person who declined). Returns None when the offer was already closed.
fn end_all(
    c: &mut DbConn,
    offer: &Offer,
    outcome: &str,
    quiet: Option<&str>,
    now: NaiveDateTime,
    public_url: &str,
) -> Result<Option<Vec<OfferEnd>>, AppError> {
    let seats = match_offers::seats(c, &offer.id)?;
    if match_offers::close(c, &offer.id, outcome, None, now)? == 0 {
        return Ok(None);
    }
    if outcome != match_offers::LOST {
        remember_declined(c, offer, &seats, now)?;
    }
    let mut ends = Vec::with_capacity(seats.len() + 1);
    for s in &seats {
        ends.push(release_member(
            c,
            s,
            quiet != Some(s.user_id.as_str()),
            now,
            public_url,
        )?);
    }
    if let (Some(v), Some(first)) = (&offer.volunteer_id, seats.first()) {
        if quiet != Some(v.as_str())
            && let Some(u) = users::find(c, v)?
            && let Some(addr) = &u.email
        {
            let mail = offer_mail::offer_ended(addr, &u.display_name, public_url, true);
            email::enqueue(c, Some(&u.id), &mail, now)?;
        }
        ends.push(OfferEnd {
            user_id: v.clone(),
            request_id: first.request_id.clone(),
            status: "waiting",
        });
    }
    Ok(Some(ends))
}
