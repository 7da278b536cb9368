//! The soft features of MATCHING.md §4.3, their weights in [`Config`], and the [`Score`] they
//! add up to: the weighted sum normalised by the sum of the weights, to two decimals.

use serde::Serialize;

use crate::matching::model::Config;

/// A soft feature of §4.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Condition similarity.
    Condition,
    /// Lived-experience tags.
    Tags,
    /// Stage fit (time since diagnosis).
    Stage,
    /// Availability overlap.
    Availability,
    /// Confidence-level fit.
    Level,
    /// Preferred language.
    Language,
    /// Age proximity.
    Age,
    /// Gender preference.
    Gender,
}

impl Feature {
    /// Every feature, in table order.
    pub const ALL: [Feature; 8] = [
        Feature::Condition,
        Feature::Tags,
        Feature::Stage,
        Feature::Availability,
        Feature::Level,
        Feature::Language,
        Feature::Age,
        Feature::Gender,
    ];

    /// This feature's weight in `cfg`.
    pub fn weight(self, cfg: &Config) -> f64 {
        let w = &cfg.weights;
        match self {
            Feature::Condition => w.condition,
            Feature::Tags => w.tags,
            Feature::Stage => w.stage,
            Feature::Availability => w.availability,
            Feature::Level => w.level,
            Feature::Language => w.language,
            Feature::Age => w.age,
            Feature::Gender => w.gender,
        }
    }
}

/// A soft score: the total in 0–100 (two decimals) and each feature's value f in 0–1.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    /// Weighted total, 0–100, rounded to two decimals.
    pub total: f64,
    /// Each feature with its value f in 0–1, in [`Feature::ALL`] order.
    pub parts: Vec<(Feature, f64)>,
}

impl Score {
    pub(super) fn from_parts(f: [f64; 8], cfg: &Config) -> Score {
        Score {
            total: total_of(&f, cfg),
            parts: Feature::ALL.into_iter().zip(f).collect(),
        }
    }

    /// The value of one feature (0 when absent).
    pub fn part(&self, feature: Feature) -> f64 {
        self.parts
            .iter()
            .find(|(f, _)| *f == feature)
            .map_or(0.0, |(_, v)| *v)
    }
}

pub(super) fn total_of(f: &[f64; 8], cfg: &Config) -> f64 {
    let mut sum = 0.0;
    let mut weights = 0.0;
    for (feature, value) in Feature::ALL.into_iter().zip(f) {
        let w = feature.weight(cfg).max(0.0);
        sum += w * value.clamp(0.0, 1.0);
        weights += w;
    }
    if weights <= 0.0 {
        return 0.0;
    }
    let total = (100.0 * sum / weights).clamp(0.0, 100.0);
    (total * 100.0).round() / 100.0
}
