//! Choosing a new group's facilitator: among the volunteers with a free group place who cover
//! the focus group, can hold a session in a language every member shares, and are acceptable
//! to every member (not themself, no exclusion, each member's `must` gender and age met), the
//! one with the best mean volunteer score over the members.

use crate::matching::model::Volunteer;
use crate::matching::score::Scorer;

/// The facilitator for `group` (indices of the scorer's people), as an index into
/// `volunteers` (which are the scorer's first volunteers, in order), or None.
pub fn pick_facilitator(
    scorer: &Scorer,
    group: &[usize],
    focus_group: &str,
    volunteers: &[Volunteer],
) -> Option<usize> {
    if group.is_empty() {
        return None;
    }
    let mut best: Option<(f64, usize)> = None;
    for (vi, v) in volunteers.iter().enumerate() {
        if v.free_groups == 0
            || !v.groups_supported.iter().any(|g| g == focus_group)
            || !scorer.shares_language_with_all(vi, group)
            || !group.iter().all(|&m| scorer.accepts_facilitator(m, vi))
        {
            continue;
        }
        let fit: f64 = group
            .iter()
            .map(|&m| scorer.volunteer_score(m, vi).total)
            .sum::<f64>()
            / group.len() as f64;
        if best.is_none_or(|(bf, _)| fit > bf) {
            best = Some((fit, vi));
        }
    }
    best.map(|(_, vi)| vi)
}
