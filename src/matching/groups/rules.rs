//! The group rules every group path shares (a new group, a seat in an open group, the
//! facilitator choice): the sizes, the composition rules of MATCHING.md 4.5 and the group's
//! common language. The pairwise rules (exclusions, `must` both ways, relevance, a shared language)
//! and the facilitator's acceptability to each member live in `score`, on the packed batch.

use crate::domain::language::match_key;
use crate::matching::model::{Config, Person};

/// Smallest new group.
pub const GROUP_MIN: usize = 3;
/// Size a new group grows to before it stops taking more at formation.
pub const GROUP_TARGET: usize = 6;
/// Largest group (members; the facilitator sits on top within the room's limit).
pub const GROUP_MAX: usize = 7;

/// A session-language key every one of `members` shares (the first member's first such
/// language), if any. Languages match by [`match_key`]: `en-GB` and `en` are one language.
pub fn common_language(people: &[&Person], members: &[usize]) -> Option<String> {
    let first = people.get(*members.first()?)?;
    let keys: Vec<Vec<String>> = members
        .iter()
        .map(|&m| {
            people
                .get(m)
                .map(|p| p.session_languages.iter().map(|l| match_key(l)).collect())
                .unwrap_or_default()
        })
        .collect();
    first
        .session_languages
        .iter()
        .map(|l| match_key(l))
        .find(|k| keys.iter().all(|ks| ks.contains(k)))
}

/// The composition rules of MATCHING.md 4.5 for a group of `members` (indices into `people`):
/// level-1 members only when `facilitated` (or [`Config::level1_in_peer_rooms`]); when a
/// level-2 member is present at least one member is level 3 or 4, and level-2 members are at
/// most half; the spread of time since diagnosis is at most two bins when anyone is newly
/// diagnosed; and one session language everyone shares. Unknown levels and stages never break
/// a rule.
pub fn composition_ok(
    people: &[&Person],
    members: &[usize],
    facilitated: bool,
    cfg: &Config,
) -> bool {
    composition_rules(people, members, facilitated, cfg)
        && common_language(people, members).is_some()
}

/// [`composition_ok`] without the common language, for callers that check it on the packed
/// batch ([`Scorer::share_a_language`](crate::matching::score::Scorer::share_a_language)).
pub(super) fn composition_rules(
    people: &[&Person],
    members: &[usize],
    facilitated: bool,
    cfg: &Config,
) -> bool {
    let levels: Vec<u8> = members
        .iter()
        .filter_map(|&m| people.get(m).and_then(|p| p.level))
        .collect();
    if !facilitated && !cfg.level1_in_peer_rooms && levels.contains(&1) {
        return false;
    }
    let l2 = levels.iter().filter(|l| **l == 2).count();
    if l2 > 0 && !levels.iter().any(|l| *l >= 3) {
        return false;
    }
    if l2 * 2 > members.len() {
        return false;
    }
    let stages: Vec<u8> = members
        .iter()
        .filter_map(|&m| people.get(m).and_then(|p| p.stage_bin))
        .collect();
    if stages.contains(&0) {
        let (lo, hi) = (stages.iter().min(), stages.iter().max());
        if let (Some(lo), Some(hi)) = (lo, hi)
            && hi - lo > 2
        {
            return false;
        }
    }
    true
}
