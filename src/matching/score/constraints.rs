//! The hard constraints of MATCHING.md §4.2 on packed people: whether two members may share a
//! pair or group, and whether a one-to-one request may go to a volunteer.

use crate::matching::model::{Config, Format, Strength};

use super::packed::{Batch, NONE, Packed, PackedVolunteer};

impl Batch {
    pub(super) fn feasible_peer(&self, a: &Packed, b: &Packed, cfg: &Config) -> bool {
        a.user != b.user
            && a.format == b.format
            && a.format != Format::OneToOne
            && self.intersects(a.langs, b.langs, self.lang_exact)
            && !(a.has_excl && b.has_excl && self.is_excluded(a.user, b.user))
            && must_met(a.gender_pref, a.gender, b.gender)
            && must_met(b.gender_pref, b.gender, a.gender)
            && must_age_met(a.age_pref, a.age, b.age)
            && must_age_met(b.age_pref, b.age, a.age)
            && level_allowed(a.level, cfg)
            && level_allowed(b.level, cfg)
            && (self.intersects(a.groups, b.groups, self.group_exact)
                || self.intersects(a.tags, b.tags, self.tag_exact)
                || ((a.step >= 1 || b.step >= 1)
                    && self.any_related(a.groups, b.groups, a.has_mental && b.has_mental)))
    }

    pub(super) fn feasible_volunteer(&self, m: &Packed, v: &PackedVolunteer) -> bool {
        m.user != v.user
            && m.format == Format::OneToOne
            && v.free_one_to_one > 0
            && self.intersects(m.langs, v.langs, self.lang_exact)
            && !(m.has_excl && v.has_excl && self.is_excluded(m.user, v.user))
            && must_met(m.gender_pref, m.gender, v.gender)
            && must_age_met(m.age_pref, m.age, v.age)
            && (self.contains(v.supported_conds, m.focus_cond)
                || self.contains(v.supported_groups, m.focus_group))
    }
}

/// A `must` on gender is met only by the same, known gender.
fn must_met(pref: Strength, own: u32, other: u32) -> bool {
    pref != Strength::Must || (own != NONE && own == other)
}

/// A `must` on age is met only by the same, known age band.
fn must_age_met(pref: Strength, own: Option<u8>, other: Option<u8>) -> bool {
    pref != Strength::Must || (own.is_some() && own == other)
}

pub(super) fn level_allowed(level: Option<u8>, cfg: &Config) -> bool {
    cfg.level1_in_peer_rooms || level != Some(1)
}
