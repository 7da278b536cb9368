//! The matcher: the phrases compiled into a byte trie laid out as a dense transition table,
//! and the scan that walks it from every word boundary of a [`Normalised`] message.
//!
//! It sees only the compact form, never the original text, and keeps nothing of it.

use super::compact::Normalised;
use super::severity::Severity;

/// A rule that matched, compared by severity first and then file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Hit {
    pub(super) rule: usize,
    pub(super) severity: Severity,
}

impl Hit {
    fn beats(self, other: Hit) -> bool {
        self.severity > other.severity
            || (self.severity == other.severity && self.rule < other.rule)
    }

    fn best(current: Option<Hit>, candidate: Hit) -> Hit {
        match current {
            Some(existing) if !candidate.beats(existing) => existing,
            _ => candidate,
        }
    }
}

/// Collects phrases into a byte trie; [`TrieBuilder::build`] makes it a dense automaton.
#[derive(Default)]
pub(super) struct TrieBuilder {
    /// Node 0 is the root.
    nodes: Vec<BuilderNode>,
}

#[derive(Default)]
struct BuilderNode {
    children: Vec<(u8, usize)>,
    /// The best rule whose phrase ends here.
    hit: Option<Hit>,
    /// The first rule marked `hold` whose phrase ends here (it may not be the best).
    hold: Option<usize>,
}

/// What a scan found: the best rule, and the first matching rule marked `hold` (SAFE-SG-2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Found {
    pub(super) best: Option<Hit>,
    pub(super) hold: Option<usize>,
}

impl TrieBuilder {
    pub(super) fn insert(&mut self, phrase: &[u8], hit: Hit, hold: bool) {
        if self.nodes.is_empty() {
            self.nodes.push(BuilderNode::default());
        }
        let mut node = 0;
        for &byte in phrase {
            let existing = self.nodes.get(node).and_then(|n| {
                n.children
                    .iter()
                    .find(|&&(b, _)| b == byte)
                    .map(|&(_, next)| next)
            });
            node = match existing {
                Some(next) => next,
                None => {
                    let next = self.nodes.len();
                    self.nodes.push(BuilderNode::default());
                    if let Some(parent) = self.nodes.get_mut(node) {
                        parent.children.push((byte, next));
                    }
                    next
                }
            };
        }
        if let Some(end) = self.nodes.get_mut(node) {
            end.hit = Some(Hit::best(end.hit, hit));
            if hold {
                end.hold = Some(end.hold.map_or(hit.rule, |h| h.min(hit.rule)));
            }
        }
    }

    /// Lays the trie out as a dense transition table over the bytes phrases use, so each step
    /// of a scan is two array reads.
    pub(super) fn build(self) -> Trie {
        let mut class_of = vec![0usize; 256];
        let mut classes = 1; // class 0: a byte no phrase contains
        for node in &self.nodes {
            for &(byte, _) in &node.children {
                if let Some(slot) = class_of.get_mut(usize::from(byte))
                    && *slot == 0
                {
                    *slot = classes;
                    classes += 1;
                }
            }
        }
        let mut next = vec![0; self.nodes.len().max(1) * classes];
        let mut hits = Vec::with_capacity(self.nodes.len());
        let mut holds = Vec::with_capacity(self.nodes.len());
        for (
            node,
            BuilderNode {
                children,
                hit,
                hold,
            },
        ) in self.nodes.iter().enumerate()
        {
            for &(byte, child) in children {
                let class = class_of.get(usize::from(byte)).copied().unwrap_or(0);
                if let Some(slot) = next.get_mut(node * classes + class) {
                    *slot = child;
                }
            }
            hits.push(*hit);
            holds.push(*hold);
        }
        Trie {
            class_of,
            classes,
            next,
            hits,
            holds,
        }
    }
}

/// The phrases as a dense automaton. Node 0 is the root; a transition to 0 means no phrase
/// continues that way (nothing leads back to the root).
#[derive(Clone, Debug)]
pub(super) struct Trie {
    /// Byte → column in `next` (0: no phrase has this byte).
    class_of: Vec<usize>,
    classes: usize,
    /// `next[node * classes + class]`: the child, or 0 for none.
    next: Vec<usize>,
    /// The best rule whose phrase ends at each node.
    hits: Vec<Option<Hit>>,
    /// The first `hold` rule whose phrase ends at each node.
    holds: Vec<Option<usize>>,
}

impl Trie {
    /// The best hit and the first hold rule in `text`, starting from `found`.
    pub(super) fn scan(&self, text: &Normalised, mut found: Found) -> Found {
        let bytes = text.text.as_slice();
        for &start in &text.boundaries {
            let mut node = 0;
            let mut end = start;
            while let Some(&byte) = bytes.get(end) {
                let class = self.class_of.get(usize::from(byte)).copied().unwrap_or(0);
                node = self
                    .next
                    .get(node * self.classes + class)
                    .copied()
                    .unwrap_or(0);
                if node == 0 {
                    break;
                }
                end += 1;
                if let Some(Some(hit)) = self.hits.get(node)
                    && text.is_boundary(end)
                {
                    found.best = Some(Hit::best(found.best, *hit));
                    if let Some(Some(h)) = self.holds.get(node) {
                        found.hold = Some(found.hold.map_or(*h, |x| x.min(*h)));
                    }
                }
            }
        }
        found
    }
}
