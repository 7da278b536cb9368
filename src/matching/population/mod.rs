//! The seeded synthetic population of MATCHING.md §4.8, for benchmarks, solver-quality checks
//! and offline policy evaluation: waiting requests, volunteers and the related-groups table.
//!
//! This module owns its own copy of the vocabulary ids (§5.2 conditions with rough prevalence
//! weights, §5.4 tags with their `sensitive` flag, §5.3 related groups) so that it runs without
//! a database. It must not be used to match real people, must not do I/O, and must stay
//! reproducible: the same `(n, seed, format)` gives the same population on every run of the
//! same build (draws come only from one `StdRng`, never from hash-map order).
//!
//! Choices where §4.8 leaves room [ours]:
//! - Condition weights are rough England QOF register prevalences (% of list size) where a
//!   register exists, and rough survey-style guesses elsewhere; they only need the right shape
//!   (hypertension, depression, obesity, osteoarthritis, type 2 diabetes, asthma common; MND,
//!   sickle cell rare). The first condition drawn is the request's focus.
//! - Tags are drawn by a Zipf law (weight 1/rank) over the 30 tags that are not derived from
//!   stage, in the order of [`TAGS`]. Sensitive tags are shared in explanations only by the
//!   quarter of people who opt in; others follow the default (shared).
//! - 10 % speak another language first, half of them also English.
//! - Availability is 2–6 (day, part) slots; each part is six hours, so "one-hour-ish" slots
//!   become parts of the day, the unit the profile stores. Offsets are 0 (80 %) or +60 min.
//! - 5 % have no stage (no year of diagnosis) and 5 % no check-in yet; 3 % give no age band and
//!   3 % no gender. Volunteers have at least 6 months' experience (bins 1–3, mostly 2–3).
//!
//! Layout: [`generate`] and [`Population`] here; `vocabulary` (the copied ids and the
//! related-groups table), `sampling` (the random draws), `people` (one person or
//! volunteer) and `constrained` ([`generate_constrained`]: hard constraints made common and
//! open group rooms, for the property tests).

mod constrained;
mod people;
mod sampling;
mod vocabulary;

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::model::{Format, Person, Vocab, Volunteer};

use people::{person, volunteer};
use sampling::cumulative;

pub use constrained::generate_constrained;
pub use vocabulary::{
    CONDITIONS, GROUPS, OTHER_LANGUAGES, TAGS, group_of, is_sensitive, related_groups,
};

/// A synthetic waiting pool.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    /// Waiting requests, all of the requested format.
    pub people: Vec<Person>,
    /// Volunteers, one per ten people (rounded up).
    pub volunteers: Vec<Volunteer>,
    /// The related-groups table of §5.3.
    pub vocab: Vocab,
}

/// Generates `n` waiting requests of `format` and `ceil(n / 10)` volunteers from `seed`.
pub fn generate(n: usize, seed: u64, format: Format) -> Population {
    let mut rng = StdRng::seed_from_u64(seed);
    let cond_cum = cumulative(CONDITIONS.iter().map(|(_, w)| *w));
    let tag_cum = cumulative((0..TAGS.len()).map(|r| 1.0 / (r as f64 + 1.0)));
    let people = (0..n)
        .map(|i| person(&mut rng, i, format, &cond_cum, &tag_cum))
        .collect();
    let volunteers = (0..n.div_ceil(10))
        .map(|i| volunteer(&mut rng, i, &cond_cum, &tag_cum))
        .collect();
    Population {
        people,
        volunteers,
        vocab: related_groups(),
    }
}

#[cfg(test)]
mod tests;
