//! [`RoomSlot`]: an open group room as the engine sees it.

use crate::domain::language::match_key;
use crate::matching::model::{Person, Volunteer};

/// An open group room as the engine sees it. The pool builds it: `members` are the people
/// seated now (not the facilitator), each as a [`Person`] with `key` = their user id,
/// `format` = group and `focus` = the room's focus, so a seat is checked with the same rules
/// as a new group (every pair feasible, composition kept).
#[derive(Debug, Clone, Default)]
pub struct RoomSlot {
    pub room_id: String,
    pub focus_condition: String,
    pub focus_group: String,
    pub free_seats: usize,
    pub members: Vec<Person>,
    /// The facilitator's user id, when the room has one.
    pub facilitator: Option<String>,
    /// The facilitator's gender, as [`Person::gender`]; None when unknown (it then meets no
    /// joiner's `must`).
    pub facilitator_gender: Option<String>,
    /// The facilitator's age band, as [`Person::age_band`]; None when unknown.
    pub facilitator_age_band: Option<u8>,
    /// User ids of people who were seated here once and left: never proposed for it again.
    pub former: Vec<String>,
}

impl RoomSlot {
    pub fn has_facilitator(&self) -> bool {
        self.facilitator.is_some()
    }

    /// Session-language keys ([`match_key`]) every current member shares.
    pub fn languages(&self) -> Vec<String> {
        let mut it = self.members.iter();
        let Some(first) = it.next() else {
            return Vec::new();
        };
        let mut common: Vec<String> = first
            .session_languages
            .iter()
            .map(|l| match_key(l))
            .collect();
        common.dedup();
        for m in it {
            let keys: Vec<String> = m.session_languages.iter().map(|l| match_key(l)).collect();
            common.retain(|l| keys.contains(l));
        }
        common
    }

    /// The facilitator as a volunteer with only what the acceptability rule reads (user,
    /// gender, age band), so a joiner is checked against them with the rule a new group uses.
    pub(super) fn facilitator_as_volunteer(&self) -> Option<Volunteer> {
        let user = self.facilitator.clone()?;
        Some(Volunteer {
            user,
            conditions_supported: Vec::new(),
            groups_supported: Vec::new(),
            conditions: Vec::new(),
            has_mental: false,
            tags: Vec::new(),
            shared_tags: Vec::new(),
            stage_bin: None,
            session_languages: Vec::new(),
            first_language: None,
            age_band: self.facilitator_age_band,
            gender: self.facilitator_gender.clone(),
            availability: [0; 3],
            free_one_to_one: 0,
            free_groups: 0,
            display_name: String::new(),
            share_conditions: false,
            share_stage: false,
            share_availability: false,
            share_languages: false,
        })
    }
}
