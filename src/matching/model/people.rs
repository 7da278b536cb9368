//! Who is waiting and who can help: the room a request asks for ([`Format`]), how strongly a
//! preference is held ([`Strength`]), a condition with its group, a waiting request with the
//! requester's features ([`Person`]) and a volunteer ([`Volunteer`]).

use serde::Serialize;

/// The room a request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// A member with a trained volunteer.
    OneToOne,
    /// Two members.
    Pair,
    /// A small group of members.
    Group,
}

impl Format {
    /// Parses the stored name (`one_to_one`, `pair`, `group`).
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "one_to_one" => Some(Format::OneToOne),
            "pair" => Some(Format::Pair),
            "group" => Some(Format::Group),
            _ => None,
        }
    }
}

/// How strongly a member wants a gender or age match (`none`, `prefer`, `must`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// No preference.
    #[default]
    None,
    /// A soft preference: scored, and dropped once the member has waited the maximum wait.
    Prefer,
    /// A hard constraint: never broken, never relaxed.
    Must,
}

impl Strength {
    /// Parses the stored name (`none`, `prefer`, `must`).
    pub fn parse(s: &str) -> Option<Strength> {
        match s {
            "none" => Some(Strength::None),
            "prefer" => Some(Strength::Prefer),
            "must" => Some(Strength::Must),
            _ => None,
        }
    }
}

/// One of the person's conditions, with the group it belongs to in the vocabulary.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Condition {
    /// Condition id, e.g. `lungs.copd`.
    pub id: String,
    /// Its group id, e.g. `lungs`.
    pub group: String,
}

impl Condition {
    /// A condition and its group.
    pub fn new(id: impl Into<String>, group: impl Into<String>) -> Condition {
        Condition {
            id: id.into(),
            group: group.into(),
        }
    }
}

/// A waiting match request together with the requester's features.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    /// Request id (opaque).
    pub key: String,
    /// The requester's user id (opaque): the same user is never matched with themself, and
    /// exclusions are between users.
    pub user: String,
    /// The room the request asks for.
    pub format: Format,
    /// The request's focus condition (the "primary" condition of §4.3) and its group.
    pub focus: Condition,
    /// All of the person's conditions, the focus condition included.
    pub conditions: Vec<Condition>,
    /// Whether the person lists a mental-health condition; related groups marked
    /// `requires_both_mental` count only when both people do (§5.3).
    pub has_mental: bool,
    /// Lived-experience tag ids used for matching: the request's tags and the profile's, with
    /// the two `derived_from_stage` tags (`journey.newly_diagnosed`, `journey.long_term`) left
    /// out so that stage is not counted twice (§5.4).
    pub tags: Vec<String>,
    /// The subset of `tags` the person allows in explanations.
    pub shared_tags: Vec<String>,
    /// Time since diagnosis of the focus condition: 0 is under 6 months, 1 is 6–24 months,
    /// 2 is 2–5 years, 3 is over 5 years; `None` when no year of diagnosis is known.
    pub stage_bin: Option<u8>,
    /// Has the tag `journey.progressive` (condition getting worse over time).
    pub progressive: bool,
    /// Confidence level 1–4 from the latest check-in; `None` before the first one.
    pub level: Option<u8>,
    /// Languages the person can hold a session in (their `session` flag is set).
    pub session_languages: Vec<String>,
    /// The first language the person lists (their preferred one).
    pub first_language: Option<String>,
    /// Age band index 0–5 over 18–24, 25–34, 35–49, 50–64, 65–74, 75+.
    pub age_band: Option<u8>,
    /// Gender (`woman`, `man`, `non_binary`, `another`), when given.
    pub gender: Option<String>,
    /// Same-gender preference.
    pub gender_pref: Strength,
    /// Same-age-band preference.
    pub age_pref: Strength,
    /// Weekly availability as UTC hours of the week (see [`availability_mask`]).
    ///
    /// [`availability_mask`]: super::availability_mask
    pub availability: [u64; 3],
    /// The person's current UTC offset in minutes, used only to word availability in their own
    /// local time in an explanation.
    pub utc_offset_minutes: i32,
    /// How long the request has waited, in seconds.
    pub wait_secs: i64,
    /// Allows conditions in explanations.
    pub share_conditions: bool,
    /// Allows time since diagnosis in explanations.
    pub share_stage: bool,
    /// Allows availability in explanations.
    pub share_availability: bool,
    /// Allows languages in explanations.
    pub share_languages: bool,
}

/// A volunteer who can take one-to-one members (and facilitate groups), with their features.
///
/// The service lists only approved volunteers with current training, at level 4 and with at
/// least 12 months' lived experience (§4.2 rule 5); the engine does not re-check that.
#[derive(Clone, Debug, PartialEq)]
pub struct Volunteer {
    /// User id (opaque).
    pub user: String,
    /// Conditions the volunteer offers support for.
    pub conditions_supported: Vec<String>,
    /// Groups the volunteer covers: the groups of `conditions_supported` plus any whole group
    /// they offer. A member's focus is covered when its condition or its group is listed.
    pub groups_supported: Vec<String>,
    /// The volunteer's own conditions (lived experience).
    pub conditions: Vec<Condition>,
    /// Whether the volunteer lists a mental-health condition.
    pub has_mental: bool,
    /// Lived-experience tags, as for [`Person::tags`].
    pub tags: Vec<String>,
    /// The subset of `tags` the volunteer allows in explanations.
    pub shared_tags: Vec<String>,
    /// Time since diagnosis (bins as [`Person::stage_bin`]) of the volunteer's longest-held
    /// supported condition.
    pub stage_bin: Option<u8>,
    /// Languages the volunteer can hold a session in.
    pub session_languages: Vec<String>,
    /// The volunteer's first language.
    pub first_language: Option<String>,
    /// Age band index, as [`Person::age_band`].
    pub age_band: Option<u8>,
    /// Gender, as [`Person::gender`].
    pub gender: Option<String>,
    /// Weekly availability as UTC hours of the week.
    pub availability: [u64; 3],
    /// Free one-to-one places under the caseload limit the volunteer set.
    pub free_one_to_one: u32,
    /// Free group-facilitation places.
    pub free_groups: u32,
    /// Pseudonym shown to members (used in the "been where you are" sentence).
    pub display_name: String,
    /// Allows their own conditions in explanations.
    pub share_conditions: bool,
    /// Allows time since diagnosis in explanations.
    pub share_stage: bool,
    /// Allows availability in explanations.
    pub share_availability: bool,
    /// Allows languages in explanations.
    pub share_languages: bool,
}
