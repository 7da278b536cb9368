//! The soft score of MATCHING.md §4.3 on packed people: each feature's value f in 0–1 for two
//! members, or for a member with a volunteer, in [`Feature::ALL`](super::Feature::ALL) order.

use crate::matching::model::{Config, Strength, shared_hours};

use super::packed::{Batch, NONE, Packed, PackedVolunteer, Set};

impl Batch {
    pub(super) fn peer_parts(&self, a: &Packed, b: &Packed, cfg: &Config) -> [f64; 8] {
        let both_mental = a.has_mental && b.has_mental;
        let condition = 0.5
            * (self.best(a.focus_cond, a.focus_group, b.conds, both_mental)
                + self.best(b.focus_cond, b.focus_group, a.conds, both_mental));
        let tags = {
            let inter = self.common_weight(a.tags, b.tags);
            let union = a.tag_total + b.tag_total - inter;
            if union > 0.0 { inter / union } else { 0.0 }
        };
        let stage = match (a.stage, b.stage) {
            (Some(x), Some(y)) => {
                if (x == 0 && y == 3 && b.progressive) || (y == 0 && x == 3 && a.progressive) {
                    0.0
                } else {
                    1.0 - f64::from(x.abs_diff(y)) / 3.0
                }
            }
            _ => 0.5,
        };
        let level = match (a.level, b.level) {
            (Some(x), Some(y)) => 1.0 - f64::from(x.abs_diff(y)) / 3.0,
            _ => 0.5,
        };
        let age = age_proximity(a.age, b.age)
            * pref_factor(a.age_pref, a.step, a.age.is_some(), a.age == b.age, cfg)
            * pref_factor(b.age_pref, b.step, b.age.is_some(), a.age == b.age, cfg);
        let gender = pref_factor(
            a.gender_pref,
            a.step,
            a.gender != NONE,
            a.gender == b.gender,
            cfg,
        ) * pref_factor(
            b.gender_pref,
            b.step,
            b.gender != NONE,
            a.gender == b.gender,
            cfg,
        );
        [
            condition,
            clamp01(tags),
            stage,
            availability(&a.avail, &b.avail, cfg),
            level,
            self.language(Lang::of(a), Lang::of(b), cfg),
            age,
            gender,
        ]
    }

    /// 1 for the same first language with the same full tag (both `en-GB`), a little less
    /// ([`Config::other_region_language`]) for the same first language from another region or
    /// none (`en-GB` with `en`), 0.5 for another shared session language, else 0.
    ///
    /// [`Config::other_region_language`]: crate::matching::model::Config::other_region_language
    fn language(&self, a: Lang, b: Lang, cfg: &Config) -> f64 {
        if a.first != NONE && a.first == b.first && a.first_is_session && b.first_is_session {
            if a.tag != NONE && a.tag == b.tag {
                1.0
            } else {
                cfg.other_region_language.clamp(0.0, 1.0)
            }
        } else if self.intersects(a.langs, b.langs, self.lang_exact) {
            0.5
        } else {
            0.0
        }
    }

    pub(super) fn volunteer_parts(
        &self,
        m: &Packed,
        v: &PackedVolunteer,
        cfg: &Config,
    ) -> [f64; 8] {
        let condition = self.best(
            m.focus_cond,
            m.focus_group,
            v.conds,
            m.has_mental && v.has_mental,
        );
        let tags = if m.tag_total > 0.0 {
            self.common_weight(m.tags, v.tags) / m.tag_total
        } else {
            0.0
        };
        let stage = match (m.stage, v.stage) {
            (Some(x), Some(y)) if y > x => 1.0,
            (Some(x), Some(y)) if y == x => 0.5,
            (Some(_), Some(_)) => 0.0,
            _ => 0.5,
        };
        let age = age_proximity(m.age, v.age)
            * pref_factor(m.age_pref, m.step, m.age.is_some(), m.age == v.age, cfg);
        let gender = pref_factor(
            m.gender_pref,
            m.step,
            m.gender != NONE,
            m.gender == v.gender,
            cfg,
        );
        [
            condition,
            clamp01(tags),
            stage,
            availability(&m.avail, &v.avail, cfg),
            1.0,
            self.language(Lang::of(m), Lang::of_volunteer(v), cfg),
            age,
            gender,
        ]
    }
}

/// One side's languages, as the language feature reads them.
#[derive(Clone, Copy)]
struct Lang {
    langs: Set,
    first: u32,
    tag: u32,
    first_is_session: bool,
}

impl Lang {
    fn of(p: &Packed) -> Lang {
        Lang {
            langs: p.langs,
            first: p.first_lang,
            tag: p.first_tag,
            first_is_session: p.first_is_session,
        }
    }

    fn of_volunteer(v: &PackedVolunteer) -> Lang {
        Lang {
            langs: v.langs,
            first: v.first_lang,
            tag: v.first_tag,
            first_is_session: v.first_is_session,
        }
    }
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// One direction of a *prefer*: 1 when there is none (or it was relaxed, or the holder has no
/// value of their own), 1 when met, [`Config::unmet_preference`] when not.
fn pref_factor(pref: Strength, step: u8, has_own: bool, met: bool, cfg: &Config) -> f64 {
    if pref == Strength::Prefer && step == 0 && has_own && !met {
        cfg.unmet_preference
    } else {
        1.0
    }
}

fn age_proximity(a: Option<u8>, b: Option<u8>) -> f64 {
    match (a, b) {
        (Some(x), Some(y)) => (1.0 - f64::from(x.abs_diff(y)) / 5.0).max(0.0),
        _ => 0.5,
    }
}

fn availability(a: &[u64; 3], b: &[u64; 3], cfg: &Config) -> f64 {
    let full = f64::from(cfg.full_overlap_hours.max(1));
    (f64::from(shared_hours(a, b)) / full).min(1.0)
}
