//! The random draws the generator is made of: by weight (one index or several distinct ones),
//! Poisson, normal and a plain chance. Every draw comes from the one seeded `StdRng` passed
//! in, so a population is reproducible.

use rand::Rng;
use rand::rngs::StdRng;

pub(super) fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut sum = 0.0;
    weights
        .map(|w| {
            sum += w.max(0.0);
            sum
        })
        .collect()
}

/// An index drawn with probability proportional to its weight.
pub(super) fn pick(rng: &mut StdRng, cum: &[f64]) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let x = rng.gen_range(0.0..1.0) * total;
    cum.partition_point(|c| *c <= x)
        .min(cum.len().saturating_sub(1))
}

/// `k` distinct indices drawn by weight.
pub(super) fn pick_distinct(rng: &mut StdRng, cum: &[f64], k: usize) -> Vec<usize> {
    let k = k.min(cum.len());
    let mut out = Vec::with_capacity(k);
    while out.len() < k {
        let i = pick(rng, cum);
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Knuth's method; fine for a small mean.
pub(super) fn poisson(rng: &mut StdRng, mean: f64) -> usize {
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = rng.gen_range(0.0..1.0);
    while p > limit && k < 50 {
        k += 1;
        p *= rng.gen_range(0.0..1.0);
    }
    k
}

/// Box–Muller.
pub(super) fn normal(rng: &mut StdRng, mean: f64, sd: f64) -> f64 {
    let u1: f64 = 1.0 - rng.gen_range(0.0..1.0);
    let u2: f64 = rng.gen_range(0.0..1.0);
    mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

pub(super) fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.gen_range(0.0..1.0) < p
}
