//! Queries on `match_offers`, the offer columns of `match_requests` (`offer_id`,
//! `offer_answer`) and `declined_pairs`. A request in an open offer has status `offered`; it
//! goes back to `waiting` (its `created_at`, and so its wait, unchanged) when the offer ends
//! without a room, or to `matched` when the room opens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::match_requests::{MATCHED, WAITING};
use super::schema::{declined_pairs, match_offers, match_requests};

pub const OFFERED: &str = "offered";
pub const ACCEPTED: &str = "accepted";

pub const OPENED: &str = "opened";
pub const DECLINED: &str = "declined";
pub const LAPSED: &str = "lapsed";
pub const LOST: &str = "lost";

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = match_offers)]
pub struct Offer {
    pub id: String,
    pub kind: String,
    pub focus_condition: String,
    pub volunteer_id: Option<String>,
    pub volunteer_answer: Option<String>,
    pub volunteer_explanation: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub outcome: Option<String>,
    pub room_id: Option<String>,
}

/// One request inside an offer.
#[derive(Queryable, Clone, Debug)]
pub struct OfferSeat {
    pub request_id: String,
    pub user_id: String,
    /// `accepted`, or None before the person answered.
    pub answer: Option<String>,
    /// The stored explanation (JSON) this person was shown.
    pub explanation: Option<String>,
}

pub fn insert(conn: &mut DbConn, o: &Offer) -> QueryResult<()> {
    diesel::insert_into(match_offers::table)
        .values(o)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Offer>> {
    match_offers::table
        .find(id)
        .select(Offer::as_select())
        .first(conn)
        .optional()
}

/// Takes the offer's row lock for the rest of the transaction, so two people answering the
/// same offer at once are serialised (on PostgreSQL; SQLite's write transaction already is)
/// and the second sees the first's answer. Returns the offer as it stands after the lock.
pub fn lock(conn: &mut DbConn, id: &str) -> QueryResult<Option<Offer>> {
    diesel::update(match_offers::table.find(id))
        .set(match_offers::id.eq(id))
        .execute(conn)?;
    find(conn, id)
}

/// Moves a waiting request into offer `offer`, storing the explanation it will be shown;
/// 1 if this call claimed it.
pub fn claim(
    conn: &mut DbConn,
    request: &str,
    offer: &str,
    explanation: &str,
) -> QueryResult<usize> {
    diesel::update(
        match_requests::table
            .find(request)
            .filter(match_requests::status.eq(WAITING)),
    )
    .set((
        match_requests::status.eq(OFFERED),
        match_requests::offer_id.eq(offer),
        match_requests::offer_answer.eq(None::<String>),
        match_requests::explanation.eq(explanation),
    ))
    .execute(conn)
}

/// The requests of an offer, in id order.
pub fn seats(conn: &mut DbConn, offer: &str) -> QueryResult<Vec<OfferSeat>> {
    match_requests::table
        .filter(match_requests::offer_id.eq(offer))
        .filter(match_requests::status.eq(OFFERED))
        .order(match_requests::id)
        .select((
            match_requests::id,
            match_requests::user_id,
            match_requests::offer_answer,
            match_requests::explanation,
        ))
        .load(conn)
}

/// The open offer a request is in, with the request's answer.
pub fn of_request(
    conn: &mut DbConn,
    request: &str,
) -> QueryResult<Option<(Offer, Option<String>)>> {
    match_requests::table
        .inner_join(match_offers::table)
        .filter(match_requests::id.eq(request))
        .filter(match_requests::status.eq(OFFERED))
        .select((Offer::as_select(), match_requests::offer_answer))
        .first(conn)
        .optional()
}

/// Records a member's yes; 1 if the request was still in that offer.
pub fn accept_request(conn: &mut DbConn, request: &str, offer: &str) -> QueryResult<usize> {
    diesel::update(
        match_requests::table
            .find(request)
            .filter(match_requests::offer_id.eq(offer))
            .filter(match_requests::status.eq(OFFERED)),
    )
    .set(match_requests::offer_answer.eq(ACCEPTED))
    .execute(conn)
}

/// Records the volunteer's yes; 1 if the offer was still open.
pub fn accept_volunteer(conn: &mut DbConn, offer: &str) -> QueryResult<usize> {
    diesel::update(
        match_offers::table
            .find(offer)
            .filter(match_offers::closed_at.is_null()),
    )
    .set(match_offers::volunteer_answer.eq(ACCEPTED))
    .execute(conn)
}

/// Closes an open offer with `outcome`; 1 if this call closed it.
pub fn close(
    conn: &mut DbConn,
    offer: &str,
    outcome: &str,
    room: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        match_offers::table
            .find(offer)
            .filter(match_offers::closed_at.is_null()),
    )
    .set((
        match_offers::closed_at.eq(now),
        match_offers::outcome.eq(outcome),
        match_offers::room_id.eq(room),
    ))
    .execute(conn)
}

/// Returns a request of a closed offer to the pool, its wait kept; 1 if it was offered.
pub fn release(conn: &mut DbConn, request: &str) -> QueryResult<usize> {
    diesel::update(
        match_requests::table
            .find(request)
            .filter(match_requests::status.eq(OFFERED)),
    )
    .set((
        match_requests::status.eq(WAITING),
        match_requests::offer_id.eq(None::<String>),
        match_requests::offer_answer.eq(None::<String>),
        match_requests::explanation.eq(None::<String>),
    ))
    .execute(conn)
}

/// Marks an offered request matched into `room`; 1 if it was still offered.
pub fn seat(
    conn: &mut DbConn,
    request: &str,
    room: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        match_requests::table
            .find(request)
            .filter(match_requests::status.eq(OFFERED)),
    )
    .set((
        match_requests::status.eq(MATCHED),
        match_requests::room_id.eq(room),
        match_requests::closed_at.eq(now),
    ))
    .execute(conn)
}

/// Closes an offered request for good (the person let the offer lapse) with `status`.
pub fn close_request(
    conn: &mut DbConn,
    request: &str,
    status: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        match_requests::table
            .find(request)
            .filter(match_requests::status.eq(OFFERED)),
    )
    .set((
        match_requests::status.eq(status),
        match_requests::closed_at.eq(now),
    ))
    .execute(conn)
}

/// Open offers whose answer window has passed.
pub fn lapsed(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    match_offers::table
        .filter(match_offers::closed_at.is_null())
        .filter(match_offers::expires_at.le(now))
        .order(match_offers::expires_at)
        .select(match_offers::id)
        .load(conn)
}

/// Open offers for one person: as a member (through their requests) or as the volunteer.
pub fn open_for(conn: &mut DbConn, user: &str) -> QueryResult<Vec<Offer>> {
    let as_member: Vec<String> = match_requests::table
        .filter(match_requests::user_id.eq(user))
        .filter(match_requests::status.eq(OFFERED))
        .filter(match_requests::offer_id.is_not_null())
        .select(match_requests::offer_id.assume_not_null())
        .load(conn)?;
    match_offers::table
        .filter(match_offers::closed_at.is_null())
        .filter(
            match_offers::id
                .eq_any(as_member)
                .or(match_offers::volunteer_id.eq(user)),
        )
        .order(match_offers::created_at)
        .select(Offer::as_select())
        .load(conn)
}

/// Open one-to-one offers held by each of `volunteers`: (volunteer, count).
pub fn held_by(conn: &mut DbConn, volunteers: &[String]) -> QueryResult<Vec<(String, i64)>> {
    match_offers::table
        .filter(match_offers::closed_at.is_null())
        .filter(match_offers::volunteer_id.eq_any(volunteers))
        .group_by(match_offers::volunteer_id)
        .select((
            match_offers::volunteer_id.assume_not_null(),
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

/// Remembers that `a` and `b` are not to be proposed to each other again.
pub fn decline_pair(conn: &mut DbConn, a: &str, b: &str, now: NaiveDateTime) -> QueryResult<()> {
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    let exists: bool =
        diesel::select(diesel::dsl::exists(declined_pairs::table.find((x, y)))).get_result(conn)?;
    if !exists {
        diesel::insert_into(declined_pairs::table)
            .values((
                declined_pairs::user_a.eq(x),
                declined_pairs::user_b.eq(y),
                declined_pairs::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Declined pairs touching any of `users`.
pub fn declined_involving(
    conn: &mut DbConn,
    users: &[String],
) -> QueryResult<Vec<(String, String)>> {
    declined_pairs::table
        .filter(
            declined_pairs::user_a
                .eq_any(users)
                .or(declined_pairs::user_b.eq_any(users)),
        )
        .select((declined_pairs::user_a, declined_pairs::user_b))
        .load(conn)
}
