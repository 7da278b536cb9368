//! Waiting (MATCHING.md §4.6): the relaxation ladder a request climbs as it waits, the wait
//! bonus, and the solver's edge weight and offer threshold built from them. Waits arrive as
//! seconds: nothing here reads the clock.

use crate::matching::model::{Config, Person};

/// Largest wait bonus before the maximum wait (20 score points, §4.6).
pub const WAIT_BONUS_MAX: i64 = 2000;

/// Extra bonus once a request has waited the maximum wait: a lexicographic priority (§4.6).
pub const PRIORITY_BONUS: i64 = 100_000;

/// The relaxation step reached after waiting `wait_secs` with maximum wait W = `max_wait_secs`:
/// 0 before W, 1 at W, 2 at 1.5 W, 3 at 2 W (§4.6).
pub fn relax_step(wait_secs: i64, max_wait_secs: i64) -> u8 {
    let (w, m) = (i128::from(wait_secs), i128::from(max_wait_secs));
    if w >= 2 * m {
        3
    } else if 2 * w >= 3 * m {
        2
    } else if w >= m {
        1
    } else {
        0
    }
}

/// The wait bonus of §4.6: 0 until W/2, rising quadratically to [`WAIT_BONUS_MAX`] at W, plus
/// [`PRIORITY_BONUS`] at or past W. A non-positive W counts every wait as past it.
pub fn wait_bonus(wait_secs: i64, max_wait_secs: i64) -> i64 {
    if max_wait_secs <= 0 {
        return WAIT_BONUS_MAX + PRIORITY_BONUS;
    }
    let u = (wait_secs as f64 / max_wait_secs as f64).clamp(0.0, 1.0);
    let x = ((u - 0.5) / 0.5).max(0.0);
    let mut bonus = (WAIT_BONUS_MAX as f64 * x * x).round() as i64;
    if wait_secs >= max_wait_secs {
        bonus += PRIORITY_BONUS;
    }
    bonus
}

/// The solver's weight for an edge: `round(100 · s) + bonus_a + bonus_b` (saturating, so no
/// input can overflow).
pub fn edge_weight(score_total: f64, bonus_a: i64, bonus_b: i64) -> i64 {
    // `as` saturates and maps NaN to 0.
    let base = (100.0 * score_total).round() as i64;
    base.saturating_add(bonus_a).saturating_add(bonus_b)
}

/// Whether an edge with this score is offered: at least [`Config::min_score`], or
/// [`Config::relaxed_min_score`] when either person has reached relaxation step 1.
pub fn offered(score_total: f64, step_a: u8, step_b: u8, cfg: &Config) -> bool {
    let min = if step_a >= 1 || step_b >= 1 {
        cfg.relaxed_min_score
    } else {
        cfg.min_score
    };
    score_total >= min
}

/// The relaxation step of a person's request.
pub fn person_step(p: &Person, cfg: &Config) -> u8 {
    relax_step(p.wait_secs, cfg.max_wait_secs(p.format))
}

/// The wait bonus of a person's request.
pub fn person_bonus(p: &Person, cfg: &Config) -> i64 {
    wait_bonus(p.wait_secs, cfg.max_wait_secs(p.format))
}
