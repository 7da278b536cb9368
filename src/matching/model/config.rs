//! Every tunable number of the engine ([`Config`], MATCHING.md §4.3 and §4.6): the soft-feature
//! [`Weights`], the score thresholds, the maximum waits and the preference factors.

use serde::Serialize;

use super::Format;

/// Seconds in a day.
pub const DAY_SECS: i64 = 24 * 60 * 60;

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
    /// The language feature when both share their first language but not its full tag
    /// (`en-GB` with `en` or `en-US`): 0.9, so the same regional tag is a small bonus (1.0; 0.6
    /// score points at the default weight of 6) over the same language from elsewhere.
    pub other_region_language: f64,
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
            other_region_language: 0.9,
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
