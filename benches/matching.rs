//! Matching speed on synthetic populations (MATCHING.md 4.8, seeded): scoring plus solving for
//! pairs at N = 100, 1,000 and 5,000 waiting; one-to-one with N/10 volunteers; groups at
//! N = 1,000. Run with `cargo bench --bench matching`. Quality (ratio to the exact optimum) is
//! measured by `kindred match-eval`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use kindred::matching::engine::plan;
use kindred::matching::model::{Config, Exclusions, Format, Person};
use kindred::matching::pairs::max_weight_matching;
use kindred::matching::population::generate;
use kindred::matching::score::{candidate_pairs_with_idf, tag_idf};

fn pairs(c: &mut Criterion) {
    let mut g = c.benchmark_group("pairs_score_and_solve");
    g.sample_size(10);
    for n in [100usize, 1_000, 5_000] {
        let pop = generate(n, 7, Format::Pair);
        let cfg = Config::default();
        let excl = Exclusions::new();
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                let refs: Vec<&Person> = pop.people.iter().collect();
                let idf = tag_idf(&refs);
                let edges =
                    candidate_pairs_with_idf(&pop.people, &pop.vocab, &excl, &cfg, 30, &idf);
                max_weight_matching(n, &edges)
            })
        });
    }
    g.finish();
}

fn one_to_one(c: &mut Criterion) {
    let mut g = c.benchmark_group("one_to_one_plan");
    g.sample_size(10);
    for n in [1_000usize, 5_000] {
        let pop = generate(n, 11, Format::OneToOne);
        let cfg = Config::default();
        let excl = Exclusions::new();
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                plan(
                    &pop.people,
                    &pop.volunteers,
                    &[],
                    &HashMap::new(),
                    &pop.vocab,
                    &excl,
                    &cfg,
                    &|s: &str| Some(s.to_string()),
                )
            })
        });
    }
    g.finish();
}

fn groups(c: &mut Criterion) {
    let mut g = c.benchmark_group("groups_plan");
    g.sample_size(10);
    let n = 1_000;
    let pop = generate(n, 13, Format::Group);
    let cfg = Config::default();
    let excl = Exclusions::new();
    g.bench_function(BenchmarkId::from_parameter(n), |b| {
        b.iter(|| {
            plan(
                &pop.people,
                &pop.volunteers,
                &[],
                &HashMap::new(),
                &pop.vocab,
                &excl,
                &cfg,
                &|s: &str| Some(s.to_string()),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, pairs, one_to_one, groups);
criterion_main!(benches);
