//! The related-groups table of MATCHING.md §5.3 ([`Vocab`]): which condition groups count as
//! related, and which of those only when both people list a mental-health condition.

use std::collections::HashMap;

/// The related-groups table of §5.3: unordered pairs of group ids that score 0.25 as
/// "related", some only when both people list a mental-health condition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vocab {
    related: HashMap<String, Vec<(String, bool)>>,
}

impl Vocab {
    /// An empty table.
    pub fn new() -> Vocab {
        Vocab::default()
    }

    /// Records that groups `a` and `b` are related (in both directions); with
    /// `requires_both_mental` they count only when both people list a mental-health condition.
    /// A pair added twice keeps the later flag; a group is never related to itself (same group
    /// already scores 0.5).
    pub fn add_related(&mut self, a: &str, b: &str, requires_both_mental: bool) {
        if a == b {
            return;
        }
        for (x, y) in [(a, b), (b, a)] {
            let list = self.related.entry(x.to_string()).or_default();
            match list.iter_mut().find(|(g, _)| g == y) {
                Some(entry) => entry.1 = requires_both_mental,
                None => list.push((y.to_string(), requires_both_mental)),
            }
        }
    }

    /// `Some(requires_both_mental)` when `a` and `b` are related, `None` otherwise.
    pub fn relation(&self, a: &str, b: &str) -> Option<bool> {
        self.related
            .get(a)?
            .iter()
            .find(|(g, _)| g == b)
            .map(|(_, m)| *m)
    }

    /// Groups related to `group`, each with its `requires_both_mental` flag.
    pub fn related_to(&self, group: &str) -> impl Iterator<Item = (&str, bool)> {
        self.related
            .get(group)
            .into_iter()
            .flatten()
            .map(|(g, m)| (g.as_str(), *m))
    }

    /// Every group named in the table.
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        self.related.keys().map(String::as_str)
    }
}
