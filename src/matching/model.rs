//! The matching engine's inputs: waiting requests ([`Person`]), volunteers ([`Volunteer`]), the
//! related-groups table ([`Vocab`], MATCHING.md §5.3), permanent and cool-down exclusions
//! ([`Exclusions`]) and every tunable number ([`Config`], MATCHING.md §4.3 and §4.6).
//!
//! This module owns those shapes and the one conversion the service needs to fill them: weekly
//! availability slots in a member's local time to a 168-bit mask of UTC hours
//! ([`availability_mask`]). It is pure data: it must not do I/O, read the database or the clock,
//! or hold vocabulary data (condition and tag ids are opaque strings here).
//!
//! Eligibility and safety gates (MATCHING.md §4.2 rule 8 and DESIGN.md: adults only, nobody
//! flagged "in crisis", no suspended or banned account, volunteers approved with current
//! training, at level 4 and with at least 12 months' lived experience) are applied by the
//! service *before* it builds these values: anyone in a slice handed to the engine is eligible.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

/// Seconds in a day.
pub const DAY_SECS: i64 = 24 * 60 * 60;

/// Hours in a week: the width of an availability mask.
pub const HOURS_PER_WEEK: u32 = 7 * 24;

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

/// The related-groups table of §5.3: unordered pairs of group ids that score 0.25 as
/// "related", some only when both people list a mental-health condition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vocab {
    related: HashMap<String, Vec<(String, bool)>>,
}

impl Vocab {
    /// An empty table.
    pub fn new() -> Vocab {
        Vocab::default()
    }

    /// Records that groups `a` and `b` are related (in both directions); with
    /// `requires_both_mental` they count only when both people list a mental-health condition.
    /// A pair added twice keeps the later flag; a group is never related to itself (same group
    /// already scores 0.5).
    pub fn add_related(&mut self, a: &str, b: &str, requires_both_mental: bool) {
        if a == b {
            return;
        }
        for (x, y) in [(a, b), (b, a)] {
            let list = self.related.entry(x.to_string()).or_default();
            match list.iter_mut().find(|(g, _)| g == y) {
                Some(entry) => entry.1 = requires_both_mental,
                None => list.push((y.to_string(), requires_both_mental)),
            }
        }
    }

    /// `Some(requires_both_mental)` when `a` and `b` are related, `None` otherwise.
    pub fn relation(&self, a: &str, b: &str) -> Option<bool> {
        self.related
            .get(a)?
            .iter()
            .find(|(g, _)| g == b)
            .map(|(_, m)| *m)
    }

    /// Groups related to `group`, each with its `requires_both_mental` flag.
    pub fn related_to(&self, group: &str) -> impl Iterator<Item = (&str, bool)> {
        self.related
            .get(group)
            .into_iter()
            .flatten()
            .map(|(g, m)| (g.as_str(), *m))
    }

    /// Every group named in the table.
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        self.related.keys().map(String::as_str)
    }
}

/// Pairs of users who must never be matched: blocks and reports either way, past matches
/// ended by a report or "never again" (permanent), and recent matches within the cool-down.
/// The service decides what goes in; the engine treats every entry as a hard constraint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exclusions {
    by_user: HashMap<String, HashSet<String>>,
}

impl Exclusions {
    /// No exclusions.
    pub fn new() -> Exclusions {
        Exclusions::default()
    }

    /// Excludes the pair `a`–`b`, whichever side asked.
    pub fn add(&mut self, a: &str, b: &str) {
        self.by_user
            .entry(a.to_string())
            .or_default()
            .insert(b.to_string());
        self.by_user
            .entry(b.to_string())
            .or_default()
            .insert(a.to_string());
    }

    /// Whether `a` and `b` must not be matched.
    pub fn contains(&self, a: &str, b: &str) -> bool {
        self.by_user.get(a).is_some_and(|s| s.contains(b))
    }

    /// The users `user` must not be matched with.
    pub fn partners(&self, user: &str) -> impl Iterator<Item = &str> {
        self.by_user
            .get(user)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// Whether `user` has any exclusion at all.
    pub fn involves(&self, user: &str) -> bool {
        self.by_user.contains_key(user)
    }

    /// Whether there are no exclusions.
    pub fn is_empty(&self) -> bool {
        self.by_user.is_empty()
    }
}

/// The weight of each soft feature (§4.3). Scores are normalised by the sum of the weights,
/// so a total stays within 0–100 whatever the weights; the defaults sum to 100.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Weights {
    /// Condition similarity (30).
    pub condition: f64,
    /// Lived-experience tags (20).
    pub tags: f64,
    /// Stage fit, time since diagnosis (12).
    pub stage: f64,
    /// Availability overlap (12).
    pub availability: f64,
    /// Confidence-level fit (8).
    pub level: f64,
    /// Preferred language (6).
    pub language: f64,
    /// Age proximity (6).
    pub age: f64,
    /// Gender preference (6).
    pub gender: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            condition: 30.0,
            tags: 20.0,
            stage: 12.0,
            availability: 12.0,
            level: 8.0,
            language: 6.0,
            age: 6.0,
            gender: 6.0,
        }
    }
}

/// Every tunable number of the engine, in one place; `Default` gives MATCHING.md's values.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Config {
    /// Soft-feature weights.
    pub weights: Weights,
    /// Lowest score at which an edge is offered (40).
    pub min_score: f64,
    /// Lowest score when either person has reached relaxation step 1 (25).
    pub relaxed_min_score: f64,
    /// Maximum wait W for one-to-one requests (7 days).
    pub max_wait_one_to_one_secs: i64,
    /// Maximum wait W for pair requests (7 days).
    pub max_wait_pair_secs: i64,
    /// Maximum wait W for group requests (14 days).
    pub max_wait_group_secs: i64,
    /// Whether level-1 members may be placed in peer pairs and groups (false: §4.2 rule 5).
    pub level1_in_peer_rooms: bool,
    /// Factor for an unmet *prefer* on gender or age, per direction (0.3).
    pub unmet_preference: f64,
    /// Shared weekly hours at which availability overlap is complete (3).
    pub full_overlap_hours: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            weights: Weights::default(),
            min_score: 40.0,
            relaxed_min_score: 25.0,
            max_wait_one_to_one_secs: 7 * DAY_SECS,
            max_wait_pair_secs: 7 * DAY_SECS,
            max_wait_group_secs: 14 * DAY_SECS,
            level1_in_peer_rooms: false,
            unmet_preference: 0.3,
            full_overlap_hours: 3,
        }
    }
}

impl Config {
    /// The maximum wait W for a format.
    pub fn max_wait_secs(&self, format: Format) -> i64 {
        match format {
            Format::OneToOne => self.max_wait_one_to_one_secs,
            Format::Pair => self.max_wait_pair_secs,
            Format::Group => self.max_wait_group_secs,
        }
    }
}

/// A day of the week, in the member's local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Day {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Day {
    /// All days, Monday first.
    pub const ALL: [Day; 7] = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];

    /// Parses the stored name (`mon` … `sun`).
    pub fn parse(s: &str) -> Option<Day> {
        Day::ALL.into_iter().find(|d| d.name() == s)
    }

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Day::Mon => "mon",
            Day::Tue => "tue",
            Day::Wed => "wed",
            Day::Thu => "thu",
            Day::Fri => "fri",
            Day::Sat => "sat",
            Day::Sun => "sun",
        }
    }

    /// 0 for Monday … 6 for Sunday.
    pub fn index(self) -> u32 {
        match self {
            Day::Mon => 0,
            Day::Tue => 1,
            Day::Wed => 2,
            Day::Thu => 3,
            Day::Fri => 4,
            Day::Sat => 5,
            Day::Sun => 6,
        }
    }
}

/// A part of the day, in the member's local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// 06:00–12:00.
    Morning,
    /// 12:00–18:00.
    Afternoon,
    /// 18:00–24:00.
    Evening,
    /// 00:00–06:00.
    Night,
}

impl Part {
    /// All parts, in the order of the stored vocabulary.
    pub const ALL: [Part; 4] = [Part::Morning, Part::Afternoon, Part::Evening, Part::Night];

    /// Parses the stored name (`morning`, `afternoon`, `evening`, `night`).
    pub fn parse(s: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.name() == s)
    }

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Part::Morning => "morning",
            Part::Afternoon => "afternoon",
            Part::Evening => "evening",
            Part::Night => "night",
        }
    }

    /// The local hour the part starts at.
    pub fn start_hour(self) -> u32 {
        match self {
            Part::Night => 0,
            Part::Morning => 6,
            Part::Afternoon => 12,
            Part::Evening => 18,
        }
    }

    /// The part a local hour (0–23) falls in.
    pub fn of_hour(hour: u32) -> Part {
        match hour % 24 {
            0..=5 => Part::Night,
            6..=11 => Part::Morning,
            12..=17 => Part::Afternoon,
            _ => Part::Evening,
        }
    }
}

/// Whether hour `h` (0–167) of the week is set in a mask.
pub fn mask_has(mask: &[u64; 3], h: u32) -> bool {
    let h = h % HOURS_PER_WEEK;
    match mask.get((h / 64) as usize) {
        Some(word) => word & (1u64 << (h % 64)) != 0,
        None => false,
    }
}

fn mask_set(mask: &mut [u64; 3], h: u32) {
    let h = h % HOURS_PER_WEEK;
    if let Some(word) = mask.get_mut((h / 64) as usize) {
        *word |= 1u64 << (h % 64);
    }
}

/// Builds the 168-bit mask of UTC hours of the week (bit 0 = Monday 00:00–01:00 UTC) from
/// weekly slots in local time, for a member whose current UTC offset is `offset_minutes`
/// (e.g. +60 for Europe/London in summer). Parts are morning 06–12, afternoon 12–18, evening
/// 18–24 and night 00–06 local; slots wrap around the week (Monday night in UTC+1 starts on
/// Sunday 23:00 UTC). With an offset that is not a whole number of hours, a UTC hour is set
/// when the slot covers more than half of it.
pub fn availability_mask(slots: &[(Day, Part)], offset_minutes: i32) -> [u64; 3] {
    const WEEK_MINUTES: i64 = 7 * 24 * 60;
    let mut mask = [0u64; 3];
    for (day, part) in slots {
        let local_start = i64::from(day.index() * 24 + part.start_hour()) * 60;
        let start = (local_start - i64::from(offset_minutes)).rem_euclid(WEEK_MINUTES);
        let end = start + 6 * 60;
        // UTC hours touched by [start, end), possibly past the end of the week.
        let first = start / 60;
        let last = (end - 1) / 60;
        for h in first..=last {
            let covered = end.min((h + 1) * 60) - start.max(h * 60);
            if covered * 2 > 60 {
                let hour = h.rem_euclid(i64::from(HOURS_PER_WEEK));
                mask_set(&mut mask, u32::try_from(hour).unwrap_or(0));
            }
        }
    }
    mask
}

/// Number of hours set in both masks.
pub fn shared_hours(a: &[u64; 3], b: &[u64; 3]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(mask: &[u64; 3]) -> Vec<u32> {
        (0..HOURS_PER_WEEK).filter(|h| mask_has(mask, *h)).collect()
    }

    #[test]
    fn each_part_of_the_day_covers_its_six_local_hours() {
        let cases = [
            (Part::Night, 0..6),
            (Part::Morning, 6..12),
            (Part::Afternoon, 12..18),
            (Part::Evening, 18..24),
        ];
        for (part, want) in cases {
            let m = availability_mask(&[(Day::Mon, part)], 0);
            assert_eq!(hours(&m), want.collect::<Vec<_>>(), "{part:?}");
        }
    }

    #[test]
    fn a_positive_offset_moves_the_slot_earlier_in_utc() {
        // Tuesday evening in UTC+1 is Tuesday 17:00–23:00 UTC.
        let m = availability_mask(&[(Day::Tue, Part::Evening)], 60);
        assert_eq!(hours(&m), (24 + 17..24 + 23).collect::<Vec<_>>());
    }

    #[test]
    fn monday_night_east_of_utc_wraps_to_sunday() {
        let m = availability_mask(&[(Day::Mon, Part::Night)], 120);
        assert_eq!(hours(&m), vec![0, 1, 2, 3, 166, 167]);
    }

    #[test]
    fn sunday_evening_west_of_utc_wraps_to_monday() {
        let m = availability_mask(&[(Day::Sun, Part::Evening)], -300);
        // 18:00–24:00 local = 23:00–05:00 UTC (Sun 23:00 to Mon 05:00).
        assert_eq!(hours(&m), vec![0, 1, 2, 3, 4, 167]);
    }

    #[test]
    fn a_half_hour_offset_keeps_the_hours_covered_more_than_half() {
        let m = availability_mask(&[(Day::Wed, Part::Morning)], 330);
        // 06:00–12:00 at UTC+5:30 is 00:30–06:30 UTC: hours 1..=5 are fully covered.
        assert_eq!(hours(&m), (48 + 1..48 + 6).collect::<Vec<_>>());
    }

    #[test]
    fn repeated_slots_count_once_and_shared_hours_count_both() {
        let a = availability_mask(&[(Day::Fri, Part::Evening), (Day::Fri, Part::Evening)], 0);
        let b = availability_mask(&[(Day::Fri, Part::Evening), (Day::Sat, Part::Morning)], 60);
        assert_eq!(hours(&a).len(), 6);
        assert_eq!(shared_hours(&a, &b), 5);
    }

    #[test]
    fn names_parse_back_to_their_values() {
        for d in Day::ALL {
            assert_eq!(Day::parse(d.name()), Some(d));
        }
        for p in Part::ALL {
            assert_eq!(Part::parse(p.name()), Some(p));
            assert_eq!(Part::of_hour(p.start_hour()), p);
        }
        assert_eq!(Format::parse("pair"), Some(Format::Pair));
        assert_eq!(Strength::parse("must"), Some(Strength::Must));
        assert_eq!(Day::parse("monday"), None);
    }

    #[test]
    fn relations_are_symmetric_and_never_reflexive() {
        let mut v = Vocab::new();
        v.add_related("heart", "lungs", false);
        v.add_related("mental", "heart", true);
        v.add_related("cancer", "cancer", false);
        assert_eq!(v.relation("lungs", "heart"), Some(false));
        assert_eq!(v.relation("heart", "mental"), Some(true));
        assert_eq!(v.relation("cancer", "cancer"), None);
        assert_eq!(v.related_to("heart").count(), 2);
    }

    #[test]
    fn exclusions_hold_both_ways() {
        let mut e = Exclusions::new();
        e.add("u1", "u2");
        assert!(e.contains("u2", "u1") && e.contains("u1", "u2"));
        assert!(!e.contains("u1", "u3"));
        assert!(e.involves("u2") && !e.involves("u3"));
    }

    #[test]
    fn the_default_weights_sum_to_one_hundred() {
        let w = Weights::default();
        let sum = w.condition
            + w.tags
            + w.stage
            + w.availability
            + w.level
            + w.language
            + w.age
            + w.gender;
        assert_eq!(sum, 100.0);
        assert_eq!(
            Config::default().max_wait_secs(Format::Group),
            14 * DAY_SECS
        );
    }
}
