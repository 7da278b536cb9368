//! Scoring: the hard constraints of MATCHING.md §4.2, the soft score of §4.3, the wait bonus
//! and relaxation ladder of §4.6, the explanation facts of §4.7, and candidate-edge generation
//! for the pair solver.
//!
//! This module owns every rule that decides whether two people *may* be matched and how well
//! they fit. It must not do I/O, read the clock (waits arrive as seconds), hold vocabulary data
//! (sentence words come from a closure in [`render`]) or solve the assignment: the solvers take the
//! edges built here. Facts never carry scores, levels or any number shown to a person.
//!
//! How it works: every entry point packs its people into a batch (strings interned into small
//! integers in sorted order, sets kept as sorted id runs plus a 64-bit signature, related groups
//! as a matrix) and runs the same packed rules, so a pair scored on its own, through a
//! [`Scorer`] or inside [`candidate_pairs`] gives identical numbers. The free pairwise functions
//! pack on every call (a few µs); solvers that look at many pairs use a [`Scorer`] or
//! [`candidate_pairs`] (about 0.13 s for 5,000 waiting pair requests on one core).
//!
//! Relaxation: only step ≥ 1 changes anything here (related groups count for relevance, the
//! person's own *prefer*s are dropped, the minimum score falls to 25). Steps 2 and 3
//! (asynchronous pairing, hand-over to a coordinator) are the service's.
//!
//! Decisions where MATCHING.md is silent (the product wins; keep this list in step):
//! - Peer feasibility also needs both requests to be of the same format, pair or group: a
//!   one-to-one request is never matched with another member.
//! - Condition relevance (§4.2 rule 6) for peers is an overlap of *any* of the two people's
//!   condition groups, or one shared tag. Related groups (§5.3) count for relevance only when
//!   either person has reached relaxation step 1 (their relaxation is what makes the edge
//!   acceptable); related groups always score 0.25 in condition similarity.
//! - Unknown values are neutral (0.5) for stage, level and age; an unknown gender never meets a
//!   `must` and never meets a `prefer`. A `prefer` whose holder has no gender or age band of
//!   their own is ignored.
//! - An age *prefer* works like the gender one, inside the age feature: an unmet direction
//!   multiplies the age proximity by [`Config::unmet_preference`]; with no preference the age
//!   feature is exactly 1 − |Δband|/5. Relaxation step 1 drops the person's own *prefer*s.
//! - Tags: two people with no tags share nothing (0); a member with no tags is covered 0 by a
//!   volunteer. A tag missing from the IDF table weighs ln 2 (the weight of a tag everyone has).
//! - Languages are compared by [`match_key`]: the language, not the region (`en-GB`, `en` and
//!   `en-US` are one language; sign languages such as `bfi` are languages of their own, and the
//!   deprecated `sgn-GB`/`sgn-US`/`sgn-IE` are `bfi`/`ase`/`isg`). The hard constraint is one
//!   shared session language by key. The language feature scores 1 when both have the same
//!   first language with the same full tag (both `en-GB`: the regional match) and can hold a
//!   session in it; 0.9 ([`Config::other_region_language`]) for the same first language with
//!   another or no region (`en-GB` with `en`), so a regional match is a bonus of 0.1 of the
//!   feature (0.6 score points at the default weight of 6); 0.5 for any other shared session
//!   language; else 0. Full tags are compared as given (the service passes canonical case).
//! - Volunteer stage: 1 when ahead, 0.5 same bin, 0 behind, 0.5 when either is unknown.
//! - The newly-diagnosed vs ">5 y progressive" penalty applies when the newly diagnosed person is
//!   in bin 0 and the other is in bin 3 with the tag `journey.progressive`. With the four bins
//!   of §4.3, 1 − |0 − 3|/3 is already 0, so the rule is a guard that keeps the intent if the
//!   bins or the formula change.
//! - Scores are normalised by the sum of the weights (the defaults sum to 100), then rounded to
//!   two decimals.
//!
//! Layout: `feature` (the features and [`Score`]), `wait` (§4.6), `idf` (tag weights),
//! `packed` and `sets` (the batch and its queries), `constraints` (§4.2) and `soft` (§4.3) on
//! packed people, `pairwise` and `scorer` (the entry points), `candidates` (edges for the pair
//! solver), `facts` and `explain` (§4.7).
//!
//! [`Config::unmet_preference`]: super::model::Config::unmet_preference
//! [`Config::other_region_language`]: super::model::Config::other_region_language
//! [`match_key`]: crate::domain::language::match_key

mod candidates;
mod constraints;
mod explain;
mod facts;
mod feature;
mod idf;
mod packed;
mod pairwise;
mod scorer;
mod sets;
mod soft;
mod wait;

pub use candidates::{candidate_pairs, candidate_pairs_with_idf};
pub use explain::{
    explain_pair, explain_seat, explain_to_facilitator, explain_to_volunteer, explain_volunteer,
};
pub use facts::{Days, Fact, Since, render};
pub use feature::{Feature, Score};
pub use idf::tag_idf;
pub use pairwise::{feasible_peer, feasible_volunteer, peer_score, volunteer_score};
pub use scorer::Scorer;
pub use wait::{
    PRIORITY_BONUS, WAIT_BONUS_MAX, edge_weight, offered, person_bonus, person_step, relax_step,
    wait_bonus,
};

#[cfg(test)]
mod tests;
