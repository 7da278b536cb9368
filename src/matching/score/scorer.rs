//! [`Scorer`]: one pool packed once, then any of its pairs checked and scored by index with the
//! same rules as the pairwise functions.

use std::collections::HashMap;

use crate::matching::model::{Config, Exclusions, Person, Vocab, Volunteer};

use super::feature::{Score, total_of};
use super::packed::Batch;

/// The same rules as [`feasible_peer`], [`peer_score`], [`feasible_volunteer`] and
/// [`volunteer_score`], for many pairs of one pool: the people and volunteers are packed once,
/// then addressed by their index in the slices given to [`Scorer::new`]. Use it wherever a
/// solver looks at many pairs (group planning, one-to-one assignment); the free functions pack
/// both sides on every call. Indices out of range are infeasible and score 0.
///
/// [`feasible_peer`]: super::feasible_peer
/// [`peer_score`]: super::peer_score
/// [`feasible_volunteer`]: super::feasible_volunteer
/// [`volunteer_score`]: super::volunteer_score
pub struct Scorer {
    batch: Batch,
    cfg: Config,
}

impl Scorer {
    /// Packs a pool. `idf` is usually [`tag_idf`](super::tag_idf) over the whole waiting pool.
    pub fn new(
        people: &[&Person],
        volunteers: &[&Volunteer],
        vocab: &Vocab,
        excl: &Exclusions,
        idf: &HashMap<String, f64>,
        cfg: &Config,
    ) -> Scorer {
        Scorer {
            batch: Batch::build(people, volunteers, vocab, excl, idf, cfg),
            cfg: *cfg,
        }
    }

    /// [`feasible_peer`](super::feasible_peer) for people `i` and `j`.
    pub fn feasible_peer(&self, i: usize, j: usize) -> bool {
        match (self.batch.people.get(i), self.batch.people.get(j)) {
            (Some(a), Some(b)) => self.batch.feasible_peer(a, b, &self.cfg),
            _ => false,
        }
    }

    /// [`peer_score`](super::peer_score) for people `i` and `j`.
    pub fn peer_score(&self, i: usize, j: usize) -> Score {
        let parts = match (self.batch.people.get(i), self.batch.people.get(j)) {
            (Some(a), Some(b)) => self.batch.peer_parts(a, b, &self.cfg),
            _ => [0.0; 8],
        };
        Score::from_parts(parts, &self.cfg)
    }

    /// The total of [`Scorer::peer_score`], without building the parts.
    pub fn peer_total(&self, i: usize, j: usize) -> f64 {
        match (self.batch.people.get(i), self.batch.people.get(j)) {
            (Some(a), Some(b)) => total_of(&self.batch.peer_parts(a, b, &self.cfg), &self.cfg),
            _ => 0.0,
        }
    }

    /// [`feasible_volunteer`](super::feasible_volunteer) for person `i` and volunteer `v`.
    pub fn feasible_volunteer(&self, i: usize, v: usize) -> bool {
        match (self.batch.people.get(i), self.batch.volunteers.get(v)) {
            (Some(m), Some(x)) => self.batch.feasible_volunteer(m, x),
            _ => false,
        }
    }

    /// [`volunteer_score`](super::volunteer_score) for person `i` and volunteer `v`.
    pub fn volunteer_score(&self, i: usize, v: usize) -> Score {
        let parts = match (self.batch.people.get(i), self.batch.volunteers.get(v)) {
            (Some(m), Some(x)) => self.batch.volunteer_parts(m, x, &self.cfg),
            _ => [0.0; 8],
        };
        Score::from_parts(parts, &self.cfg)
    }

    /// Whether person `i` accepts volunteer `v` as their group's facilitator: not themself, no
    /// exclusion, and their `must` gender and age met by the volunteer.
    pub fn accepts_facilitator(&self, i: usize, v: usize) -> bool {
        match (self.batch.people.get(i), self.batch.volunteers.get(v)) {
            (Some(m), Some(x)) => self.batch.accepts_facilitator(m, x),
            _ => false,
        }
    }

    /// Whether volunteer `v` can hold a session in a language (by key) every one of `members`
    /// can; false for no members.
    pub fn shares_language_with_all(&self, v: usize, members: &[usize]) -> bool {
        let Some(x) = self.batch.volunteers.get(v) else {
            return false;
        };
        let packed: Option<Vec<_>> = members.iter().map(|&m| self.batch.people.get(m)).collect();
        let Some(packed) = packed.filter(|p| !p.is_empty()) else {
            return false;
        };
        self.batch
            .slice(x.langs)
            .iter()
            .any(|l| packed.iter().all(|p| self.batch.contains(p.langs, *l)))
    }

    /// Whether every one of `members` can hold a session in one language (by key), the
    /// packed form of the groups' common-language rule; false for no members.
    pub fn share_a_language(&self, members: &[usize]) -> bool {
        let Some(first) = members.first().and_then(|&m| self.batch.people.get(m)) else {
            return false;
        };
        self.batch.slice(first.langs).iter().any(|l| {
            members.iter().all(|&m| {
                self.batch
                    .people
                    .get(m)
                    .is_some_and(|p| self.batch.contains(p.langs, *l))
            })
        })
    }

    /// Person `i`'s relaxation step ([`person_step`](super::person_step)).
    pub fn step(&self, i: usize) -> u8 {
        self.batch.people.get(i).map_or(0, |p| p.step)
    }

    /// Person `i`'s wait bonus ([`person_bonus`](super::person_bonus)).
    pub fn bonus(&self, i: usize) -> i64 {
        self.batch.people.get(i).map_or(0, |p| p.bonus)
    }
}
