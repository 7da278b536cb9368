//! Pairs of users who must never be matched ([`Exclusions`]): the service fills it, the engine
//! treats every entry as a hard constraint.

use std::collections::{HashMap, HashSet};

/// Pairs of users who must never be matched: blocks and reports either way, past matches
/// ended by a report or "never again" (permanent), and recent matches within the cool-down.
/// The service decides what goes in; the engine treats every entry as a hard constraint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exclusions {
    by_user: HashMap<String, HashSet<String>>,
}

impl Exclusions {
    /// No exclusions.
    pub fn new() -> Exclusions {
        Exclusions::default()
    }

    /// Excludes the pair `a`–`b`, whichever side asked.
    pub fn add(&mut self, a: &str, b: &str) {
        self.by_user
            .entry(a.to_string())
            .or_default()
            .insert(b.to_string());
        self.by_user
            .entry(b.to_string())
            .or_default()
            .insert(a.to_string());
    }

    /// Whether `a` and `b` must not be matched.
    pub fn contains(&self, a: &str, b: &str) -> bool {
        self.by_user.get(a).is_some_and(|s| s.contains(b))
    }

    /// The users `user` must not be matched with.
    pub fn partners(&self, user: &str) -> impl Iterator<Item = &str> {
        self.by_user
            .get(user)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// Whether `user` has any exclusion at all.
    pub fn involves(&self, user: &str) -> bool {
        self.by_user.contains_key(user)
    }

    /// Whether there are no exclusions.
    pub fn is_empty(&self) -> bool {
        self.by_user.is_empty()
    }
}
