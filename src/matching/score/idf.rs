//! Tag weights (MATCHING.md §4.3): w_t = ln(1 + N/n_t) over the waiting people, so rare shared
//! tags count more, and the weight of a tag the table does not know.

use std::collections::HashMap;

use crate::matching::model::Person;

/// Weight of a tag absent from the IDF table: ln 2, as for a tag everyone has.
pub(super) const DEFAULT_IDF: f64 = std::f64::consts::LN_2;

/// Tag weights w_t = ln(1 + N/n_t) over the waiting people, where n_t counts the people with
/// tag t (§4.3): rare shared tags count more.
pub fn tag_idf(people: &[&Person]) -> HashMap<String, f64> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for p in people {
        let mut own: Vec<&str> = p.tags.iter().map(String::as_str).collect();
        own.sort_unstable();
        own.dedup();
        for t in own {
            *counts.entry(t).or_default() += 1;
        }
    }
    let n = people.len() as f64;
    counts
        .into_iter()
        .map(|(t, c)| (t.to_string(), (1.0 + n / c as f64).ln()))
        .collect()
}
