//! The pairwise entry points: whether two people may be matched and how well they fit, each call
//! packing just its two sides. Solvers that look at many pairs use a
//! [`Scorer`](super::Scorer) instead.

use std::collections::HashMap;

use crate::matching::model::{Config, Exclusions, Person, Vocab, Volunteer};

use super::feature::Score;
use super::packed::Batch;

/// Whether two members may be placed together in a pair or group (§4.2 as it applies to
/// peers): not the same user, same format (pair or group), a shared session language, no
/// exclusion, each side's `must` gender and age met, in a pair no level 1 unless
/// [`Config::level1_in_peer_rooms`] (in a group level 1 is a composition rule: only with a
/// facilitator), and condition relevance (a shared condition group or tag, or a related group
/// once either has relaxed). Session languages match by
/// [`match_key`](crate::domain::language::match_key). Availability is not a hard constraint:
/// rooms are persistent chat.
pub fn feasible_peer(
    a: &Person,
    b: &Person,
    vocab: &Vocab,
    excl: &Exclusions,
    cfg: &Config,
) -> bool {
    let batch = Batch::build(&[a, b], &[], vocab, excl, &HashMap::new(), cfg);
    match (batch.people.first(), batch.people.get(1)) {
        (Some(x), Some(y)) => batch.feasible_peer(x, y, cfg),
        _ => false,
    }
}

/// Whether a one-to-one request may go to a volunteer: not the same user, the request is
/// one-to-one, the volunteer has a free place, a shared session language, no exclusion, the
/// member's `must` gender and age met, and the volunteer covers the member's focus condition or
/// its group.
pub fn feasible_volunteer(m: &Person, v: &Volunteer, excl: &Exclusions, cfg: &Config) -> bool {
    let batch = Batch::build(&[m], &[v], &Vocab::new(), excl, &HashMap::new(), cfg);
    match (batch.people.first(), batch.volunteers.first()) {
        (Some(x), Some(y)) => batch.feasible_volunteer(x, y),
        _ => false,
    }
}

/// The soft score of two members (§4.3); symmetric in `a` and `b`. `idf` comes from
/// [`tag_idf`](super::tag_idf) over the waiting pool.
pub fn peer_score(
    a: &Person,
    b: &Person,
    vocab: &Vocab,
    idf: &HashMap<String, f64>,
    cfg: &Config,
) -> Score {
    let batch = Batch::build(&[a, b], &[], vocab, &Exclusions::new(), idf, cfg);
    match (batch.people.first(), batch.people.get(1)) {
        (Some(x), Some(y)) => Score::from_parts(batch.peer_parts(x, y, cfg), cfg),
        _ => Score::from_parts([0.0; 8], cfg),
    }
}

/// The soft score of a member with a volunteer (§4.3, volunteer column).
pub fn volunteer_score(
    m: &Person,
    v: &Volunteer,
    vocab: &Vocab,
    idf: &HashMap<String, f64>,
    cfg: &Config,
) -> Score {
    let batch = Batch::build(&[m], &[v], vocab, &Exclusions::new(), idf, cfg);
    match (batch.people.first(), batch.volunteers.first()) {
        (Some(x), Some(y)) => Score::from_parts(batch.volunteer_parts(x, y, cfg), cfg),
        _ => Score::from_parts([0.0; 8], cfg),
    }
}
