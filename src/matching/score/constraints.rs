//! The hard constraints of MATCHING.md §4.2 on packed people: whether two members may share a
//! pair or group, whether a one-to-one request may go to a volunteer, and whether a member
//! accepts a volunteer as their group's facilitator.
//!
//! Level 1 in peer rooms: a pair never takes a level-1 member (unless
//! [`Config::level1_in_peer_rooms`]); in a group the rule is about the group, not the pair
//! (level-1 members only in a facilitated group, MATCHING.md 4.5), so it is a composition rule
//! and two group requests are peer-feasible whatever their levels.

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
            && (a.format == Format::Group
                || (level_allowed(a.level, cfg) && level_allowed(b.level, cfg)))
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

impl Batch {
    /// Whether member `m` accepts volunteer `v` as the facilitator of their group: not the same
    /// user, no exclusion between them, and `m`'s `must` gender and age met by the volunteer
    /// (an unknown gender or age band never meets a `must`). The group's language and focus
    /// are checked by the caller, who knows the whole group.
    pub(super) fn accepts_facilitator(&self, m: &Packed, v: &PackedVolunteer) -> bool {
        m.user != v.user
            && !(m.has_excl && v.has_excl && self.is_excluded(m.user, v.user))
            && must_met(m.gender_pref, m.gender, v.gender)
            && must_age_met(m.age_pref, m.age, v.age)
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
