//! Offline evaluation (`kindred match-eval`): generate a synthetic population (MATCHING.md
//! 4.8), run the engine's pipeline for one format, and write the instance — people, every
//! feasible edge with its integer weight — and the chosen matching as JSON, so an independent
//! exact solver can check the ratio to the optimum. For N ≤ `EXACT_LIMIT` the exact optimum of
//! the *full* feasible graph is computed here too (blossom for pairs, min-cost flow for
//! one-to-one), giving the ratio the engine's candidate restriction costs.

use std::time::Instant;

use serde::Serialize;

use super::assignment::{assignment_weight, max_weight_assignment};
use super::engine::CANDIDATES_PER_PERSON;
use super::model::{Config, Exclusions, Format, Person};
use super::pairs::{matching_weight, max_weight_matching};
use super::population::generate;
use super::score::{Scorer, candidate_pairs_with_idf, edge_weight, offered, tag_idf};

/// Largest N for which the exact optimum of the full graph is computed.
pub const EXACT_LIMIT: usize = 1000;

#[derive(Serialize)]
pub struct EvalPerson {
    pub index: usize,
    pub key: String,
    pub focus: String,
    pub languages: Vec<String>,
    pub level: Option<u8>,
    pub wait_secs: i64,
}

#[derive(Serialize)]
pub struct EvalReport {
    pub format: &'static str,
    pub n: usize,
    pub seed: u64,
    pub volunteers: usize,
    pub people: Vec<EvalPerson>,
    /// Every feasible, offered edge of the full graph: (a, b, weight). For one-to-one, b is a
    /// volunteer index and `capacities` gives each volunteer's free slots.
    pub edges: Vec<(u32, u32, i64)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capacities: Vec<u32>,
    /// The engine's choice: (a, b) pairs.
    pub chosen: Vec<(u32, u32)>,
    pub chosen_weight: i64,
    pub engine_millis: f64,
    pub exact_weight: Option<i64>,
    pub ratio: Option<f64>,
}

/// Runs the evaluation; `Err` names what is wrong with the arguments.
pub fn run(format: &str, n: usize, seed: u64) -> Result<EvalReport, String> {
    let fmt = match format {
        "pair" => Format::Pair,
        "one_to_one" => Format::OneToOne,
        _ => return Err("--format must be pair or one_to_one".into()),
    };
    let pop = generate(n, seed, fmt);
    let cfg = Config::default();
    let excl = Exclusions::new();
    let refs: Vec<&Person> = pop.people.iter().collect();
    let idf = tag_idf(&refs);
    let people = pop
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| EvalPerson {
            index: i,
            key: p.key.clone(),
            focus: p.focus.id.clone(),
            languages: p.session_languages.clone(),
            level: p.level,
            wait_secs: p.wait_secs,
        })
        .collect();
    match fmt {
        Format::Pair => {
            let started = Instant::now();
            let edges = candidate_pairs_with_idf(
                &pop.people,
                &pop.vocab,
                &excl,
                &cfg,
                CANDIDATES_PER_PERSON,
                &idf,
            );
            let mate = max_weight_matching(n, &edges);
            let engine_millis = started.elapsed().as_secs_f64() * 1000.0;
            let chosen: Vec<(u32, u32)> = mate
                .iter()
                .enumerate()
                .filter_map(|(i, m)| m.filter(|j| (*j as usize) > i).map(|j| (i as u32, j)))
                .collect();
            // The full feasible graph.
            let scorer = Scorer::new(&refs, &[], &pop.vocab, &excl, &idf, &cfg);
            let mut full = Vec::new();
            for i in 0..n {
                for j in i + 1..n {
                    if scorer.feasible_peer(i, j) {
                        let t = scorer.peer_total(i, j);
                        if offered(t, scorer.step(i), scorer.step(j), &cfg) {
                            full.push((
                                i as u32,
                                j as u32,
                                edge_weight(t, scorer.bonus(i), scorer.bonus(j)),
                            ));
                        }
                    }
                }
            }
            let chosen_weight = matching_weight(&full, &mate);
            let exact_weight =
                (n <= EXACT_LIMIT).then(|| matching_weight(&full, &max_weight_matching(n, &full)));
            Ok(EvalReport {
                format: "pair",
                n,
                seed,
                volunteers: 0,
                people,
                edges: full,
                capacities: Vec::new(),
                chosen,
                chosen_weight,
                engine_millis,
                ratio: exact_weight.map(|e| {
                    if e == 0 {
                        1.0
                    } else {
                        chosen_weight as f64 / e as f64
                    }
                }),
                exact_weight,
            })
        }
        Format::OneToOne | Format::Group => {
            let vols: Vec<&super::model::Volunteer> = pop.volunteers.iter().collect();
            let capacities: Vec<u32> = pop.volunteers.iter().map(|v| v.free_one_to_one).collect();
            let started = Instant::now();
            let scorer = Scorer::new(&refs, &vols, &pop.vocab, &excl, &idf, &cfg);
            let mut full = Vec::new();
            let mut top = Vec::new();
            for i in 0..n {
                let mut mine: Vec<(u32, u32, i64)> = (0..vols.len())
                    .filter(|&v| scorer.feasible_volunteer(i, v))
                    .filter_map(|v| {
                        let t = scorer.volunteer_score(i, v).total;
                        offered(t, scorer.step(i), 0, &cfg)
                            .then(|| (i as u32, v as u32, edge_weight(t, scorer.bonus(i), 0)))
                    })
                    .collect();
                full.extend(mine.iter().copied());
                mine.sort_by_key(|e| std::cmp::Reverse(e.2));
                mine.truncate(CANDIDATES_PER_PERSON);
                top.extend(mine);
            }
            let assigned = max_weight_assignment(n, &capacities, &top);
            let engine_millis = started.elapsed().as_secs_f64() * 1000.0;
            let chosen_weight = assignment_weight(&full, &assigned);
            let exact_weight = (n <= EXACT_LIMIT)
                .then(|| assignment_weight(&full, &max_weight_assignment(n, &capacities, &full)));
            Ok(EvalReport {
                format: "one_to_one",
                n,
                seed,
                volunteers: vols.len(),
                people,
                chosen: assigned
                    .iter()
                    .enumerate()
                    .filter_map(|(i, a)| a.map(|v| (i as u32, v)))
                    .collect(),
                edges: full,
                capacities,
                chosen_weight,
                engine_millis,
                ratio: exact_weight.map(|e| {
                    if e == 0 {
                        1.0
                    } else {
                        chosen_weight as f64 / e as f64
                    }
                }),
                exact_weight,
            })
        }
    }
}
