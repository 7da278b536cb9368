//! The engine, pure: a loaded pool in, proposed matches out.
//!
//! - **one_to_one**: member ↔ volunteer. Each member's feasible volunteers are scored and the
//!   best `CANDIDATES_PER_PERSON` kept; the optimal assignment over volunteer capacity slots is
//!   solved exactly (min-cost flow).
//! - **pair**: member ↔ member. Each person's best `CANDIDATES_PER_PERSON` feasible partners
//!   become edges; the maximum-weight matching on that general graph is solved exactly
//!   (blossom). Restricting to the top candidates is the one approximation; `match-eval`
//!   measures it against the exact optimum of the full graph.
//! - **group**: seats in open groups, then new groups (see `groups`).
//!
//! Weights are `round(100·score) + wait bonuses` (MATCHING.md 4.3, 4.6), so long waits win ties
//! and anyone past the maximum wait is matched whenever a feasible partner exists. Hard
//! constraints are never relaxed; relaxation widens only soft preferences.

use std::collections::HashMap;

use super::assignment::max_weight_assignment;
use super::commit::{Proposal, Seat};
use super::groups::{RoomSlot, plan_groups};
use super::model::{Config, Exclusions, Format, Person, Vocab, Volunteer};
use super::pairs::max_weight_matching;
use super::requests::StoredExplanation;
use super::score::{
    Fact, Scorer, candidate_pairs_with_idf, edge_weight, explain_pair, explain_seat,
    explain_to_facilitator, explain_to_volunteer, explain_volunteer, offered, peer_score,
    person_step, render, tag_idf,
};

/// Edges kept per person before solving.
pub const CANDIDATES_PER_PERSON: usize = 30;

/// What one tick decides.
#[derive(Debug, Default)]
pub struct Plan {
    pub proposals: Vec<Proposal>,
    /// Requests whose relaxation step went up: (request id, user id, new step).
    pub relaxed: Vec<(String, String, u8)>,
}

/// The stored explanation: the facts that can be said in words, and their sentences. A fact
/// whose words are missing (an id without a phrase, a language without a name) is dropped
/// from both, so nothing is stored that was not shown.
fn explanation(facts: &[Fact], words: &dyn Fn(&str) -> Option<String>) -> StoredExplanation {
    let (kept, sentences): (Vec<&Fact>, Vec<String>) = facts
        .iter()
        .filter_map(|f| render(f, words).map(|text| (f, text)))
        .unzip();
    StoredExplanation {
        facts: serde_json::to_value(kept).unwrap_or(serde_json::Value::Null),
        sentences,
    }
}

/// Plans matches for the whole pool. `words` gives the sentence words of a condition, group or
/// tag id (the served vocabulary's `phrase`).
#[allow(clippy::too_many_arguments)]
pub fn plan(
    people: &[Person],
    volunteers: &[Volunteer],
    rooms: &[RoomSlot],
    relax_steps: &HashMap<String, i32>,
    vocab: &Vocab,
    excl: &Exclusions,
    cfg: &Config,
    words: &dyn Fn(&str) -> Option<String>,
) -> Plan {
    let mut plan = Plan::default();
    for p in people {
        let step = person_step(p, cfg);
        if i32::from(step) > relax_steps.get(&p.key).copied().unwrap_or(0) {
            plan.relaxed.push((p.key.clone(), p.user.clone(), step));
        }
    }
    let all: Vec<&Person> = people.iter().collect();
    let idf = tag_idf(&all);
    let mut volunteers: Vec<Volunteer> = volunteers.to_vec();

    // One-to-one.
    let members: Vec<&Person> = people
        .iter()
        .filter(|p| p.format == Format::OneToOne)
        .collect();
    if !members.is_empty() && !volunteers.is_empty() {
        let vol_refs: Vec<&Volunteer> = volunteers.iter().collect();
        let scorer = Scorer::new(&members, &vol_refs, vocab, excl, &idf, cfg);
        let mut edges: Vec<(u32, u32, i64)> = Vec::new();
        for mi in 0..members.len() {
            let (step, bonus) = (scorer.step(mi), scorer.bonus(mi));
            let mut mine: Vec<(u32, u32, i64)> = (0..vol_refs.len())
                .filter(|&vi| scorer.feasible_volunteer(mi, vi))
                .filter_map(|vi| {
                    let s = scorer.volunteer_score(mi, vi);
                    offered(s.total, step, 0, cfg)
                        .then(|| (mi as u32, vi as u32, edge_weight(s.total, bonus, 0)))
                })
                .collect();
            mine.sort_by_key(|e| std::cmp::Reverse(e.2));
            mine.truncate(CANDIDATES_PER_PERSON);
            edges.extend(mine);
        }
        let capacity: Vec<u32> = volunteers.iter().map(|v| v.free_one_to_one).collect();
        let assigned = max_weight_assignment(members.len(), &capacity, &edges);
        for (mi, a) in assigned.iter().enumerate() {
            let Some(vi) = a else { continue };
            let (m, v) = (members[mi], &volunteers[*vi as usize]);
            let s = scorer.volunteer_score(mi, *vi as usize);
            let facts = explain_volunteer(m, v, &s, &idf, cfg);
            let to_volunteer = explain_to_volunteer(v, m, &idf);
            plan.proposals.push(Proposal {
                kind: "one_to_one",
                focus_condition: m.focus.id.clone(),
                seats: vec![Seat {
                    request_id: m.key.clone(),
                    user_id: m.user.clone(),
                    explanation: explanation(&facts, words),
                }],
                facilitator: Some(v.user.clone()),
                facilitator_explanation: Some(explanation(&to_volunteer, words)),
                existing_room: None,
            });
        }
        for a in assigned.iter().flatten() {
            let v = &mut volunteers[*a as usize];
            v.free_one_to_one = v.free_one_to_one.saturating_sub(1);
        }
    }

    // Pairs.
    let pair_people: Vec<Person> = people
        .iter()
        .filter(|p| p.format == Format::Pair)
        .cloned()
        .collect();
    if pair_people.len() >= 2 {
        let edges =
            candidate_pairs_with_idf(&pair_people, vocab, excl, cfg, CANDIDATES_PER_PERSON, &idf);
        let mate = max_weight_matching(pair_people.len(), &edges);
        for (i, m) in mate.iter().enumerate() {
            let Some(j) = m.map(|j| j as usize) else {
                continue;
            };
            if j <= i {
                continue;
            }
            let (a, b) = (&pair_people[i], &pair_people[j]);
            let s = peer_score(a, b, vocab, &idf, cfg);
            // Each reads their own: relaxation and local time are the reader's.
            let to_a = explanation(&explain_pair(a, b, &s, &idf, cfg), words);
            let to_b = explanation(&explain_pair(b, a, &s, &idf, cfg), words);
            plan.proposals.push(Proposal {
                kind: "pair",
                focus_condition: a.focus.id.clone(),
                seats: vec![
                    Seat {
                        request_id: a.key.clone(),
                        user_id: a.user.clone(),
                        explanation: to_a,
                    },
                    Seat {
                        request_id: b.key.clone(),
                        user_id: b.user.clone(),
                        explanation: to_b,
                    },
                ],
                facilitator: None,
                facilitator_explanation: None,
                existing_room: None,
            });
        }
    }

    // Groups.
    let group_people: Vec<&Person> = people
        .iter()
        .filter(|p| p.format == Format::Group)
        .collect();
    if !group_people.is_empty() {
        let gp = plan_groups(
            &group_people,
            rooms,
            &mut volunteers,
            vocab,
            excl,
            &idf,
            cfg,
        );
        for (i, room_id) in gp.placements {
            let p = group_people[i];
            let room = rooms.iter().find(|r| r.room_id == room_id);
            // From the joiner's side, about the members seated now.
            let others: Vec<&Person> = room.map(|r| r.members.iter().collect()).unwrap_or_default();
            let group = room.map_or(p.focus.group.as_str(), |r| r.focus_group.as_str());
            let facts = explain_seat(p, &others, group);
            plan.proposals.push(Proposal {
                kind: "group",
                focus_condition: room
                    .map_or_else(|| p.focus.id.clone(), |r| r.focus_condition.clone()),
                seats: vec![Seat {
                    request_id: p.key.clone(),
                    user_id: p.user.clone(),
                    explanation: explanation(&facts, words),
                }],
                facilitator: None,
                facilitator_explanation: None,
                existing_room: Some(room_id),
            });
        }
        for (members, facilitator) in gp.new_groups {
            let focus = group_people[members[0]].focus.clone();
            let seated: Vec<&Person> = members.iter().map(|&m| group_people[m]).collect();
            let seats = seated
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    // From each member's side, about the rest of the new group.
                    let others: Vec<&Person> = seated
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != k)
                        .map(|(_, o)| *o)
                        .collect();
                    let facts = explain_seat(p, &others, &focus.group);
                    Seat {
                        request_id: p.key.clone(),
                        user_id: p.user.clone(),
                        explanation: explanation(&facts, words),
                    }
                })
                .collect();
            let to_facilitator =
                facilitator.map(|_| explanation(&explain_to_facilitator(&seated, &focus), words));
            plan.proposals.push(Proposal {
                kind: "group",
                focus_condition: focus.id,
                seats,
                facilitator: facilitator.map(|v| volunteers[v].user.clone()),
                facilitator_explanation: to_facilitator,
                existing_room: None,
            });
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use proptest::prelude::*;

    use super::*;
    use crate::domain::language::match_key;
    use crate::matching::groups::{GROUP_MAX, GROUP_MIN, composition_ok};
    use crate::matching::model::Strength;
    use crate::matching::population::{Population, generate, generate_constrained};
    use crate::matching::score::{feasible_peer, feasible_volunteer};

    /// Everyone a block may name: the waiting people, then the rooms' members and
    /// facilitators.
    fn users(pop: &Population, rooms: &[RoomSlot]) -> Vec<String> {
        let mut all: Vec<String> = pop.people.iter().map(|p| p.user.clone()).collect();
        for r in rooms {
            all.extend(r.members.iter().map(|m| m.user.clone()));
            all.extend(r.facilitator.clone());
        }
        all.extend(pop.volunteers.iter().map(|v| v.user.clone()));
        all
    }

    fn plan_for(
        pop: &Population,
        rooms: &[RoomSlot],
        blocks: &[(usize, usize)],
    ) -> (Exclusions, Plan) {
        let all = users(pop, rooms);
        let mut excl = Exclusions::new();
        for &(a, b) in blocks {
            if let (Some(a), Some(b)) = (all.get(a), all.get(b)) {
                excl.add(a, b);
            }
        }
        // Labels without digits, so any digit in a sentence would be a score, level or count.
        let labels = |s: &str| Some(s.replace(|c: char| c.is_ascii_digit(), "x"));
        let plan = plan(
            &pop.people,
            &pop.volunteers,
            rooms,
            &HashMap::new(),
            &pop.vocab,
            &excl,
            &Config::default(),
            &labels,
        );
        (excl, plan)
    }

    fn run(
        n: usize,
        seed: u64,
        format: Format,
        blocks: &[(usize, usize)],
    ) -> (Vec<Person>, Vec<Volunteer>, Exclusions, Plan) {
        let pop = generate(n, seed, format);
        let (excl, plan) = plan_for(&pop, &[], blocks);
        (pop.people, pop.volunteers, excl, plan)
    }

    /// `a`'s `must`s met by someone of `gender` and `age` — written out here, apart from the
    /// engine's rule, so the test does not trust the code it checks.
    fn musts_met(a: &Person, gender: Option<&str>, age: Option<u8>) -> bool {
        (a.gender_pref != Strength::Must || (a.gender.is_some() && a.gender.as_deref() == gender))
            && (a.age_pref != Strength::Must || (a.age_band.is_some() && a.age_band == age))
    }

    fn keys(langs: &[String]) -> HashSet<String> {
        langs.iter().map(|l| match_key(l)).collect()
    }

    /// Every hard constraint between the members of one room, whatever the path: every pair
    /// with someone placed by this plan (members from `new_from` on; those before were seated
    /// already, and may have blocked each other since), the composition of the whole room, and
    /// the facilitator acceptable to everyone placed.
    fn room_holds(
        members: &[&Person],
        new_from: usize,
        facilitator: Option<(&str, Option<&str>, Option<u8>)>,
        pop: &Population,
        excl: &Exclusions,
    ) -> Result<(), TestCaseError> {
        let cfg = Config::default();
        for (j, b) in members.iter().enumerate().skip(new_from) {
            for a in &members[..j] {
                prop_assert!(
                    feasible_peer(a, b, &pop.vocab, excl, &cfg),
                    "{} {}",
                    a.user,
                    b.user
                );
                prop_assert!(
                    musts_met(a, b.gender.as_deref(), b.age_band),
                    "{} must",
                    a.user
                );
                prop_assert!(
                    musts_met(b, a.gender.as_deref(), a.age_band),
                    "{} must",
                    b.user
                );
                prop_assert!(!keys(&a.session_languages).is_disjoint(&keys(&b.session_languages)));
                prop_assert!(a.user != b.user && !excl.contains(&a.user, &b.user));
            }
        }
        let idx: Vec<usize> = (0..members.len()).collect();
        let group = members.first().is_some_and(|m| m.format == Format::Group);
        prop_assert!(
            !group || composition_ok(members, &idx, facilitator.is_some(), &cfg),
            "composition: {:?}",
            members
                .iter()
                .map(|m| (&m.user, m.level, m.stage_bin, &m.session_languages))
                .collect::<Vec<_>>()
        );
        let level1 = members.iter().any(|m| m.level == Some(1));
        prop_assert!(
            facilitator.is_some() || !level1,
            "level 1 without a facilitator"
        );
        if let Some((user, gender, age)) = facilitator {
            for m in &members[new_from..] {
                prop_assert!(musts_met(m, gender, age), "{} must vs facilitator", m.user);
                prop_assert!(m.user != user && !excl.contains(&m.user, user));
            }
        }
        Ok(())
    }

    /// Checks a whole plan on every path: pairs, one-to-one (capacity), new groups (every pair,
    /// composition, a facilitator acceptable to everyone, within their places) and seats in
    /// open rooms (the room with its joiners, former members, free seats).
    fn plan_holds(
        pop: &Population,
        rooms: &[RoomSlot],
        excl: &Exclusions,
        plan: &Plan,
    ) -> Result<(), TestCaseError> {
        let cfg = Config::default();
        let by_key: HashMap<&str, &Person> =
            pop.people.iter().map(|p| (p.key.as_str(), p)).collect();
        let mut seen = HashSet::new();
        let mut load: HashMap<&str, u32> = HashMap::new();
        let mut facilitating: HashMap<&str, u32> = HashMap::new();
        let mut joiners: HashMap<&str, Vec<&Person>> = HashMap::new();
        for p in &plan.proposals {
            for s in &p.seats {
                prop_assert!(
                    seen.insert(s.request_id.clone()),
                    "a request is matched twice"
                );
            }
            let seated: Vec<&Person> = p
                .seats
                .iter()
                .map(|s| by_key[s.request_id.as_str()])
                .collect();
            match (p.kind, &p.existing_room) {
                ("pair", _) => {
                    prop_assert_eq!(seated.len(), 2);
                    prop_assert!(seated.iter().all(|s| s.level != Some(1)));
                    room_holds(&seated, 0, None, pop, excl)?;
                }
                ("one_to_one", _) => {
                    let v = pop
                        .volunteers
                        .iter()
                        .find(|v| Some(&v.user) == p.facilitator.as_ref())
                        .unwrap();
                    prop_assert!(feasible_volunteer(seated[0], v, excl, &cfg));
                    prop_assert!(musts_met(seated[0], v.gender.as_deref(), v.age_band));
                    *load.entry(v.user.as_str()).or_default() += 1;
                    prop_assert!(load[v.user.as_str()] <= v.free_one_to_one, "over capacity");
                }
                (_, None) => {
                    prop_assert!((GROUP_MIN..=GROUP_MAX).contains(&seated.len()));
                    let facilitator = match &p.facilitator {
                        Some(f) => {
                            let v = pop.volunteers.iter().find(|v| &v.user == f).unwrap();
                            *facilitating.entry(v.user.as_str()).or_default() += 1;
                            prop_assert!(facilitating[v.user.as_str()] <= v.free_groups);
                            prop_assert!(v.groups_supported.contains(&seated[0].focus.group));
                            let theirs = keys(&v.session_languages);
                            let common = seated
                                .iter()
                                .fold(theirs, |acc, s| &acc & &keys(&s.session_languages));
                            prop_assert!(!common.is_empty(), "facilitator shares no language");
                            Some((v.user.as_str(), v.gender.as_deref(), v.age_band))
                        }
                        None => None,
                    };
                    room_holds(&seated, 0, facilitator, pop, excl)?;
                }
                (_, Some(room)) => {
                    prop_assert_eq!(seated.len(), 1);
                    prop_assert!(p.facilitator.is_none());
                    joiners.entry(room.as_str()).or_default().push(seated[0]);
                }
            }
            for s in &p.seats {
                for t in &p.seats {
                    prop_assert!(s.user_id == t.user_id || !excl.contains(&s.user_id, &t.user_id));
                }
            }
            // Never scores, levels or percentages. (A volunteer's "diagnosed 4 years ago" is
            // MATCHING.md 4.7's own template, so digits are only banned between peers.)
            for x in p.seats.iter().flat_map(|s| &s.explanation.sentences) {
                let lower = x.to_lowercase();
                prop_assert!(
                    !lower.contains("score") && !lower.contains("level") && !x.contains('%'),
                    "{x}"
                );
                if p.kind != "one_to_one" {
                    prop_assert!(!x.chars().any(|c| c.is_ascii_digit()), "{x}");
                }
            }
        }
        for (room_id, joined) in &joiners {
            let room = rooms.iter().find(|r| r.room_id == *room_id).unwrap();
            prop_assert!(joined.len() <= room.free_seats, "free seats exceeded");
            for j in joined {
                prop_assert!(!room.former.contains(&j.user), "a former member is back");
                prop_assert!(j.focus.group == room.focus_group);
            }
            let mut everyone: Vec<&Person> = room.members.iter().collect();
            everyone.extend(joined.iter().copied());
            let facilitator = room.facilitator.as_deref().map(|f| {
                (
                    f,
                    room.facilitator_gender.as_deref(),
                    room.facilitator_age_band,
                )
            });
            room_holds(&everyone, room.members.len(), facilitator, pop, excl)?;
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn no_plan_ever_breaks_a_hard_constraint(
            seed in 0u64..10_000,
            n in 4usize..60,
            fmt in prop_oneof![Just(Format::Pair), Just(Format::OneToOne), Just(Format::Group)],
            hard in any::<bool>(),
            blocks in proptest::collection::vec((0usize..120, 0usize..120), 0..60),
        ) {
            let (pop, rooms) = if hard {
                generate_constrained(n, seed, fmt)
            } else {
                (generate(n, seed, fmt), Vec::new())
            };
            let (excl, plan) = plan_for(&pop, &rooms, &blocks);
            plan_holds(&pop, &rooms, &excl, &plan)?;
        }
    }

    /// The property test is not vacuous: over a few constrained populations the plans take
    /// seats in open rooms, form facilitated groups, seat level-1 members and honour `must`s.
    #[test]
    fn the_constrained_population_reaches_every_path() {
        let (mut joins, mut facilitated, mut level1, mut musts, mut pairs, mut ones) =
            (0, 0, 0, 0, 0, 0);
        for seed in 0..12 {
            for fmt in [Format::Pair, Format::OneToOne, Format::Group] {
                let (pop, rooms) = generate_constrained(60, seed, fmt);
                let (excl, plan) = plan_for(&pop, &rooms, &[]);
                plan_holds(&pop, &rooms, &excl, &plan).unwrap();
                let by_key: HashMap<&str, &Person> =
                    pop.people.iter().map(|p| (p.key.as_str(), p)).collect();
                for p in &plan.proposals {
                    let seated: Vec<&Person> = p
                        .seats
                        .iter()
                        .map(|s| by_key[s.request_id.as_str()])
                        .collect();
                    match (p.kind, p.existing_room.is_some()) {
                        ("pair", _) => pairs += 1,
                        ("one_to_one", _) => ones += 1,
                        (_, true) => joins += 1,
                        (_, false) => facilitated += usize::from(p.facilitator.is_some()),
                    }
                    level1 += seated.iter().filter(|s| s.level == Some(1)).count();
                    musts += seated
                        .iter()
                        .filter(|s| s.gender_pref == Strength::Must || s.age_pref == Strength::Must)
                        .count();
                }
            }
        }
        assert!(joins >= 10, "joins {joins}");
        assert!(facilitated >= 5, "facilitated {facilitated}");
        assert!(level1 >= 5, "level 1 {level1}");
        assert!(musts >= 10, "musts {musts}");
        assert!(
            pairs >= 10 && ones >= 10,
            "pairs {pairs}, one-to-one {ones}"
        );
    }

    #[test]
    fn compatible_people_waiting_together_are_matched() {
        let (_, _, _, plan) = run(40, 3, Format::Pair, &[]);
        assert!(plan.proposals.len() >= 10, "{}", plan.proposals.len());
    }
}
