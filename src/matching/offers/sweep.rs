//! Offers that end without an answer: the tick lapses those past their window, and erasing an
//! account withdraws the offers it is in (see the module docs for who goes where).

use chrono::NaiveDateTime;

use super::{end_all, release_member, remember_declined};
use crate::db::match_offers::{self, Offer};
use crate::db::{DbConn, match_requests, users, volunteers, write_tx};
use crate::email::{self, offer_mail};
use crate::error::AppError;
use crate::realtime::{Fact, OfferEnd};

/// Lapses `offer` inside the caller's transaction: members who had said yes go back to the
/// pool (wait kept), members who had not answered have their request closed as `expired`, a
/// volunteer who had not answered is paused. Returns the facts for open sockets.
pub(super) fn lapse_in(
    c: &mut DbConn,
    offer: &Offer,
    now: NaiveDateTime,
    public_url: &str,
) -> Result<Vec<Fact>, AppError> {
    let seats = match_offers::seats(c, &offer.id)?;
    if match_offers::close(c, &offer.id, match_offers::LAPSED, None, now)? == 0 {
        return Ok(Vec::new());
    }
    remember_declined(c, offer, &seats, now)?;
    let mut ends = Vec::with_capacity(seats.len() + 1);
    for s in &seats {
        if s.answer.as_deref() == Some(match_offers::ACCEPTED) {
            ends.push(release_member(c, s, true, now, public_url)?);
            continue;
        }
        match_offers::close_request(c, &s.request_id, match_requests::EXPIRED, now)?;
        if let Some(u) = users::find(c, &s.user_id)?
            && let Some(addr) = &u.email
        {
            let mail = offer_mail::offer_lapsed(addr, &u.display_name, public_url);
            email::enqueue(c, Some(&u.id), &mail, now)?;
        }
        ends.push(OfferEnd {
            user_id: s.user_id.clone(),
            request_id: s.request_id.clone(),
            status: "expired",
        });
    }
    if let (Some(v), Some(first)) = (&offer.volunteer_id, seats.first()) {
        if offer.volunteer_answer.is_none()
            && let Some(mut record) = volunteers::find_volunteer(c, v)?
        {
            record.accepting = false;
            record.updated_at = now;
            volunteers::save_volunteer(c, &record)?;
            if let Some(u) = users::find(c, v)?
                && let Some(addr) = &u.email
            {
                let mail = offer_mail::volunteer_paused(addr, &u.display_name, public_url);
                email::enqueue(c, Some(&u.id), &mail, now)?;
            }
        }
        ends.push(OfferEnd {
            user_id: v.clone(),
            request_id: first.request_id.clone(),
            status: "expired",
        });
    }
    Ok(vec![Fact::OfferEnded { ends }])
}

/// Lapses one offer in its own transaction (the tick's sweep).
pub fn lapse(
    c: &mut DbConn,
    offer: &str,
    now: NaiveDateTime,
    public_url: &str,
) -> Result<Vec<Fact>, AppError> {
    write_tx(c, |c| match match_offers::find(c, offer)? {
        Some(o) if o.closed_at.is_none() => lapse_in(c, &o, now, public_url),
        _ => Ok(Vec::new()),
    })
}

/// Ends every open offer `user` is in, as a decline by them, inside the caller's transaction
/// (erasure): the others go back to the pool, wait kept, and are told it is not going ahead.
pub fn withdraw_for(
    c: &mut DbConn,
    user: &str,
    now: NaiveDateTime,
    public_url: &str,
) -> Result<Vec<Fact>, AppError> {
    let mut facts = Vec::new();
    for o in match_offers::open_for(c, user)? {
        if let Some(ends) = end_all(c, &o, match_offers::DECLINED, Some(user), now, public_url)? {
            let ends: Vec<OfferEnd> = ends.into_iter().filter(|e| e.user_id != user).collect();
            facts.push(Fact::OfferEnded { ends });
        }
    }
    Ok(facts)
}
