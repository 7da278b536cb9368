//! Making an offer from a proposal the tick planned: one transaction that re-checks what can
//! change since the plan, records the offer, moves every request into it (conditional on
//! `waiting`, so two ticks never offer one request twice) and queues each person's email.

use chrono::{Duration, NaiveDateTime};

use crate::db::match_offers::{self, Offer};
use crate::db::{DbConn, savepoint, write_tx};
use crate::domain::new_id;
use crate::domain::time::ts;
use crate::email::{self, offer_mail};
use crate::error::AppError;
use crate::matching::commit::{Contacts, Proposal, lost, recheck, settle};
use crate::realtime::{Fact, OfferNote};

/// An answer-by time in words for emails, e.g. "5 December 2026, 14:00 UTC".
pub(super) fn in_words(t: NaiveDateTime) -> String {
    t.format("%-d %B %Y, %H:%M UTC").to_string()
}

/// Offers `p` to everyone in it; the fact tells their sockets. None if it could not be made
/// any more (someone cancelled, another tick got there first, something changed).
pub fn offer(
    c: &mut DbConn,
    p: &Proposal,
    now: NaiveDateTime,
    window: std::time::Duration,
    public_url: &str,
) -> Result<Option<Fact>, AppError> {
    write_tx(c, |c| {
        let contacts = Contacts::load(c, std::slice::from_ref(p))?;
        offer_in(c, p, now, window, public_url, &contacts)
    })
}

/// [`offer`] as a savepoint inside the caller's write transaction.
pub fn offer_in(
    c: &mut DbConn,
    p: &Proposal,
    now: NaiveDateTime,
    window: std::time::Duration,
    public_url: &str,
    contacts: &Contacts,
) -> Result<Option<Fact>, AppError> {
    let window = Duration::from_std(window).map_err(AppError::internal)?;
    settle(savepoint(c, |c| -> Result<Fact, AppError> {
        recheck(c, p, now, true, contacts)?;
        let volunteer_explanation = p
            .facilitator_explanation
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(AppError::internal)?;
        let o = Offer {
            id: new_id(),
            kind: p.kind.to_string(),
            focus_condition: p.focus_condition.clone(),
            volunteer_id: p.facilitator.clone(),
            volunteer_answer: None,
            volunteer_explanation,
            created_at: now,
            expires_at: now + window,
            closed_at: None,
            outcome: None,
            room_id: None,
        };
        match_offers::insert(c, &o)?;
        let (expires, answer_by) = (ts(o.expires_at), in_words(o.expires_at));
        let mut notes = Vec::with_capacity(p.seats.len() + 1);
        for seat in &p.seats {
            let text = serde_json::to_string(&seat.explanation).map_err(AppError::internal)?;
            if match_offers::claim(c, &seat.request_id, &o.id, &text)? == 0 {
                return Err(lost());
            }
            let sentences = &seat.explanation.sentences;
            if let Some((u, addr)) = contacts.mailbox(&seat.user_id) {
                let mail = offer_mail::offered(
                    addr,
                    &u.display_name,
                    public_url,
                    p.kind,
                    false,
                    sentences,
                    &answer_by,
                );
                email::enqueue(c, Some(&u.id), &mail, now)?;
            }
            notes.push(OfferNote {
                user_id: seat.user_id.clone(),
                request_id: seat.request_id.clone(),
                kind: p.kind.to_string(),
                explanation: sentences.clone(),
                expires_at: expires.clone(),
            });
        }
        if let (Some(v), Some(first)) = (&p.facilitator, p.seats.first()) {
            let sentences = p
                .facilitator_explanation
                .as_ref()
                .map(|e| e.sentences.clone())
                .unwrap_or_default();
            if let Some((u, addr)) = contacts.mailbox(v) {
                let mail = offer_mail::offered(
                    addr,
                    &u.display_name,
                    public_url,
                    p.kind,
                    true,
                    &sentences,
                    &answer_by,
                );
                email::enqueue(c, Some(&u.id), &mail, now)?;
            }
            notes.push(OfferNote {
                user_id: v.clone(),
                request_id: first.request_id.clone(),
                kind: p.kind.to_string(),
                explanation: sentences,
                expires_at: expires,
            });
        }
        Ok(Fact::Offered { notes })
    }))
}
