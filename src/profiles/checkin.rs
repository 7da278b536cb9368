//! The SEMCD-6 self-efficacy check-in (MATCHING.md §1.3 and §1.4): the published questionnaire,
//! verbatim, and the rules that turn six answers into a score, a confidence level and a change
//! over time.
//!
//! This module owns the instrument text, the scoring rules, the level cut-offs and the
//! "notable change" threshold, so they live in one place and are easy to review.
//!
//! It must not do I/O, must not reword the items (rewording breaks validity; the helper line
//! explains "disease" instead), and must not include or imitate the proprietary Patient
//! Activation Measure: we use only the free SEMCD-6 questionnaire. Levels are engine bands for
//! routing and for measuring change, never a judgement shown to the member.
//!
//! Differences from the published scoring sheet: the paper rule for two circled numbers
//! (code the lower if consecutive) is not implemented, because our UI allows one choice per
//! item; importers of paper data must apply it before calling [`score`].

use serde::Serialize;

/// Stable identifier stored with every response.
pub const INSTRUMENT_ID: &str = "semcd6";

/// Version of our implementation of the instrument, stored with every response.
pub const INSTRUMENT_VERSION: &str = "1.0";

/// The wording variant in use: the web stems ("How confident are you that you can…") with
/// the two bracketed typo corrections applied. Stored with every response, because the
/// printable variant ("How confident do you feel…") must not be mixed with it.
pub const WORDING: &str = "web";

/// Number of items in the scale.
pub const ITEM_COUNT: usize = 6;

/// Fewest answered items for the scale to be scored ("more than two missing: do not score").
pub const MIN_ANSWERED: usize = 4;

/// Lowest allowed answer.
pub const SCALE_MIN: u8 = 1;

/// Highest allowed answer.
pub const SCALE_MAX: u8 = 10;

/// A change in the mean of at least this many points is treated as notable (§1.4, ours).
pub const NOTABLE_CHANGE: f64 = 1.0;

/// The questionnaire as the client shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Instrument {
    /// [`INSTRUMENT_ID`].
    pub id: &'static str,
    /// [`INSTRUMENT_VERSION`].
    pub version: &'static str,
    /// The published name of the scale.
    pub name: &'static str,
    /// The published instruction shown above the items.
    pub instruction: &'static str,
    /// Our helper line explaining "disease" (shown instead of rewording the items).
    pub helper: &'static str,
    /// The six items, in published order.
    pub items: Vec<Item>,
    /// The 1–10 response scale and its anchors.
    pub scale: Scale,
    /// The attribution to show in the app.
    pub attribution: &'static str,
}

/// One question of the scale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// 1-based item number, as published.
    pub number: u8,
    /// The item text, verbatim (web wording).
    pub text: &'static str,
}

/// The response scale: one whole number from `min` to `max`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scale {
    /// Lowest answer ([`SCALE_MIN`]).
    pub min: u8,
    /// Highest answer ([`SCALE_MAX`]).
    pub max: u8,
    /// The labelled points of the scale (the two ends).
    pub anchors: Vec<Anchor>,
}

/// A labelled point of the response scale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// The scale value the label belongs to.
    pub value: u8,
    /// The label, verbatim.
    pub label: &'static str,
}

const NAME: &str = "Self-Efficacy for Managing Chronic Disease 6-Item Scale";

const INSTRUCTION: &str = "We would like to know how confident you are in doing certain \
activities. For each of the following questions, please choose the number that corresponds to \
your confidence that you can do the tasks regularly at the present time.";

// Ours, not published: it explains the word instead of changing it, which keeps validity.
const HELPER: &str = "'disease' means your long-term health condition(s)";

const ATTRIBUTION: &str = "Self-Efficacy for Managing Chronic Disease 6-Item Scale © Stanford \
Patient Education Research Center / Self-Management Resource Center; used under its free-use \
terms.";

// Web wording. Items 5 and 6 carry the corrections the source page needs ("[your]" in §1.3),
// applied without brackets because members should read a plain sentence.
const ITEMS: [&str; ITEM_COUNT] = [
    "How confident are you that you can keep the fatigue caused by your disease from \
interfering with the things you want to do?",
    "How confident are you that you can keep the physical discomfort or pain of your disease \
from interfering with the things you want to do?",
    "How confident are you that you can keep the emotional distress caused by your disease \
from interfering with the things you want to do?",
    "How confident are you that you can keep any other symptoms or health problems you have \
from interfering with the things you want to do?",
    "How confident are you that you can do the different tasks and activities needed to \
manage your health condition so as to reduce your need to see a doctor?",
    "How confident are you that you can do things other than just taking medication to \
reduce how much your illness affects your everyday life?",
];

/// The SEMCD-6 questionnaire, verbatim, ready to serialise for the client.
pub fn instrument() -> Instrument {
    Instrument {
        id: INSTRUMENT_ID,
        version: INSTRUMENT_VERSION,
        name: NAME,
        instruction: INSTRUCTION,
        helper: HELPER,
        items: ITEMS
            .iter()
            .zip(1u8..)
            .map(|(text, number)| Item { number, text })
            .collect(),
        scale: Scale {
            min: SCALE_MIN,
            max: SCALE_MAX,
            anchors: vec![
                Anchor {
                    value: SCALE_MIN,
                    label: "Not at all confident",
                },
                Anchor {
                    value: SCALE_MAX,
                    label: "Totally confident",
                },
            ],
        },
        attribution: ATTRIBUTION,
    }
}

/// A scored check-in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scored {
    /// Mean of the answered items, rounded half away from zero to 2 decimal places.
    pub score: f64,
    /// Confidence level 1–4 from [`level_for`].
    pub level: u8,
    /// How many items were answered (4–6).
    pub answered: u8,
}

/// Why a set of answers cannot be scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckInError {
    /// Not exactly six answers (one per item, `None` for a skipped item).
    WrongCount,
    /// An answer outside 1–10; `item` is the 1-based item number.
    OutOfRange {
        /// 1-based number of the first offending item.
        item: usize,
    },
    /// More than two items were skipped, so the scale must not be scored.
    TooManyMissing,
}

impl CheckInError {
    /// Machine-readable error code for API responses.
    pub fn code(&self) -> &'static str {
        match self {
            CheckInError::WrongCount | CheckInError::OutOfRange { .. } => "invalid_answers",
            CheckInError::TooManyMissing => "too_many_missing",
        }
    }

    /// Plain-English explanation for API responses.
    pub fn detail(&self) -> String {
        match self {
            CheckInError::WrongCount => format!(
                "answers must list exactly {ITEM_COUNT} entries, one per question, \
                 with null for a question left blank"
            ),
            CheckInError::OutOfRange { item } => format!(
                "the answer to question {item} must be a whole number from \
                 {SCALE_MIN} to {SCALE_MAX}"
            ),
            CheckInError::TooManyMissing => format!(
                "at least {MIN_ANSWERED} of the {ITEM_COUNT} questions must be answered \
                 for the check-in to be scored"
            ),
        }
    }
}

impl std::fmt::Display for CheckInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail())
    }
}

impl std::error::Error for CheckInError {}

/// Scores one check-in: exactly six answers in item order, `None` for a skipped item, each
/// answer 1–10. The score is the mean of the answered items to 2 decimal places; more than
/// two skipped items means no score.
pub fn score(answers: &[Option<i64>]) -> Result<Scored, CheckInError> {
    if answers.len() != ITEM_COUNT {
        return Err(CheckInError::WrongCount);
    }
    // Range before missing: a bad value is a client bug and should be reported as such even
    // when the member also skipped too many items.
    let range = i64::from(SCALE_MIN)..=i64::from(SCALE_MAX);
    if let Some(pos) = answers
        .iter()
        .position(|a| a.is_some_and(|v| !range.contains(&v)))
    {
        return Err(CheckInError::OutOfRange { item: pos + 1 });
    }
    let given: Vec<i64> = answers.iter().flatten().copied().collect();
    if given.len() < MIN_ANSWERED {
        return Err(CheckInError::TooManyMissing);
    }
    // Integer arithmetic makes the rounding exact: hundredths = round(100 · sum / n), with
    // halves going up (away from zero, as every value here is positive). Values are at most
    // 6 · 10, so nothing can overflow and every cast below is lossless.
    let sum: i64 = given.iter().sum();
    let n = given.len() as i64;
    let hundredths = (200 * sum + n) / (2 * n);
    let score = hundredths as f64 / 100.0;
    Ok(Scored {
        score,
        level: level_for(score),
        answered: given.len() as u8,
    })
}

/// The confidence level for a score, using the fixed cut-offs of §1.4 on the score rounded
/// to 2 decimal places: 1.00–3.99 → 1, 4.00–5.99 → 2, 6.00–7.99 → 3, 8.00–10.00 → 4.
///
/// Anything below 4.00 — including values below the scale and NaN, which [`score`] never
/// produces — bands as level 1, the most protected routing.
pub fn level_for(score: f64) -> u8 {
    let s = round_2dp(score);
    if s >= 8.0 {
        4
    } else if s >= 6.0 {
        3
    } else if s >= 4.0 {
        2
    } else {
        1
    }
}

/// The staff-facing label for a level (§1.4).
///
/// These are engine bands, not clinical categories; never shown to the member as a
/// judgement. An unknown level gets a neutral placeholder rather than a panic.
pub fn level_label(level: u8) -> &'static str {
    match level {
        1 => "Finding it hard right now",
        2 => "Building confidence",
        3 => "Taking action",
        4 => "Confident and steady",
        _ => "Unknown level",
    }
}

/// Latest score minus the first, to 2 decimal places; `None` with fewer than two scores.
/// Scores must be given oldest first.
pub fn change_since_first(scores_oldest_first: &[f64]) -> Option<f64> {
    match scores_oldest_first {
        [first, .., last] => Some(round_2dp(last - first)),
        _ => None,
    }
}

/// Whether a change in the mean is notable: |Δ| ≥ [`NOTABLE_CHANGE`], judged on the change
/// rounded to 2 decimal places so float noise (0.9999999…) does not hide a real 1-point change.
pub fn is_notable(change: f64) -> bool {
    round_2dp(change).abs() >= NOTABLE_CHANGE
}

/// Rounds to 2 decimal places, halves away from zero.
///
/// Decimal inputs such as 3.995 are not exact in binary (3.99499999…), so a value within a
/// hair of a half-hundredth is treated as the half it was meant to be. Scores live on a 1–10
/// scale, so the tolerance is far below any meaningful difference.
fn round_2dp(x: f64) -> f64 {
    let scaled = x * 100.0;
    (scaled + 1e-7_f64.copysign(scaled)).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_code(answers: &[Option<i64>]) -> &'static str {
        score(answers).unwrap_err().code()
    }

    #[test]
    fn the_scoring_rules_hold_for_every_table_case() {
        // (answers, expected score, level, answered)
        let cases: &[(&[Option<i64>], f64, u8, u8)] = &[
            (
                &[Some(5), Some(5), Some(5), Some(5), Some(5), Some(5)],
                5.0,
                2,
                6,
            ),
            (
                &[Some(1), Some(2), Some(3), Some(4), Some(5), Some(6)],
                3.5,
                1,
                6,
            ),
            (
                &[Some(7), Some(8), Some(8), None, Some(9), Some(7)],
                7.8,
                3,
                5,
            ),
            (
                &[Some(1), Some(2), Some(2), None, None, Some(2)],
                1.75,
                1,
                4,
            ),
            (
                &[Some(10), Some(10), Some(10), Some(10), Some(10), Some(10)],
                10.0,
                4,
                6,
            ),
            (
                &[Some(1), Some(1), Some(1), Some(1), Some(1), Some(1)],
                1.0,
                1,
                6,
            ),
            // 37 / 6 = 6.1666… → 6.17
            (
                &[Some(6), Some(6), Some(6), Some(6), Some(6), Some(7)],
                6.17,
                3,
                6,
            ),
            // 41 / 6 = 6.8333… → 6.83
            (
                &[Some(7), Some(7), Some(7), Some(7), Some(7), Some(6)],
                6.83,
                3,
                6,
            ),
            // 8 + 8 + 8 + 9 = 33 / 4 = 8.25
            (
                &[None, Some(8), Some(8), Some(8), Some(9), None],
                8.25,
                4,
                4,
            ),
        ];
        for (answers, want_score, want_level, want_answered) in cases {
            let got = score(answers).unwrap();
            assert_eq!(got.score, *want_score, "{answers:?}");
            assert_eq!(got.level, *want_level, "{answers:?}");
            assert_eq!(got.answered, *want_answered, "{answers:?}");
        }
    }

    #[test]
    fn four_answered_items_are_enough_to_score() {
        let got = score(&[Some(4), None, Some(6), None, Some(8), Some(2)]).unwrap();
        assert_eq!(got.answered, 4);
        assert_eq!(got.score, 5.0);
    }

    #[test]
    fn more_than_two_missing_answers_are_not_scored() {
        assert_eq!(
            err_code(&[Some(4), None, None, None, Some(8), Some(2)]),
            "too_many_missing"
        );
        assert_eq!(
            score(&[None, None, None, None, None, None]),
            Err(CheckInError::TooManyMissing)
        );
    }

    #[test]
    fn anything_but_six_answers_is_invalid() {
        let five = [Some(5); 5];
        let seven = [Some(5); 7];
        assert_eq!(score(&five), Err(CheckInError::WrongCount));
        assert_eq!(score(&seven), Err(CheckInError::WrongCount));
        assert_eq!(score(&[]), Err(CheckInError::WrongCount));
        assert_eq!(err_code(&five), "invalid_answers");
        assert_eq!(err_code(&seven), "invalid_answers");
    }

    #[test]
    fn answers_outside_one_to_ten_are_invalid_and_name_the_item() {
        let zero = [Some(5), Some(5), Some(0), Some(5), Some(5), Some(5)];
        let eleven = [Some(5), Some(5), Some(5), Some(5), Some(5), Some(11)];
        let negative = [Some(-3), Some(5), Some(5), Some(5), Some(5), Some(5)];
        assert_eq!(score(&zero), Err(CheckInError::OutOfRange { item: 3 }));
        assert_eq!(score(&eleven), Err(CheckInError::OutOfRange { item: 6 }));
        assert_eq!(score(&negative), Err(CheckInError::OutOfRange { item: 1 }));
        assert_eq!(err_code(&zero), "invalid_answers");
        assert_eq!(err_code(&eleven), "invalid_answers");
    }

    #[test]
    fn an_out_of_range_answer_is_reported_before_too_many_missing() {
        let answers = [Some(12), None, None, None, Some(5), Some(5)];
        assert_eq!(score(&answers), Err(CheckInError::OutOfRange { item: 1 }));
    }

    #[test]
    fn every_error_has_a_plain_english_detail() {
        assert!(CheckInError::WrongCount.detail().contains("exactly 6"));
        assert!(
            CheckInError::OutOfRange { item: 4 }
                .detail()
                .contains("question 4 must be a whole number from 1 to 10")
        );
        assert!(
            CheckInError::TooManyMissing
                .detail()
                .contains("at least 4 of the 6")
        );
        assert_eq!(
            CheckInError::TooManyMissing.to_string(),
            CheckInError::TooManyMissing.detail()
        );
    }

    #[test]
    fn level_boundaries_follow_the_fixed_cut_offs() {
        let cases = [
            (1.0, 1),
            (3.99, 1),
            (4.0, 2),
            (5.99, 2),
            (6.0, 3),
            (7.99, 3),
            (8.0, 4),
            (10.0, 4),
        ];
        for (s, want) in cases {
            assert_eq!(level_for(s), want, "score {s}");
        }
    }

    #[test]
    fn levels_apply_to_the_score_rounded_to_two_decimals() {
        // 3.995 rounds half away from zero to 4.00, which is level 2.
        assert_eq!(level_for(3.995), 2);
        assert_eq!(level_for(3.994), 1);
        assert_eq!(level_for(7.995), 4);
        assert_eq!(level_for(5.9949), 2);
    }

    #[test]
    fn nonsense_scores_band_as_the_most_protected_level() {
        assert_eq!(level_for(f64::NAN), 1);
        assert_eq!(level_for(0.0), 1);
        assert_eq!(level_for(-5.0), 1);
    }

    #[test]
    fn every_level_has_a_staff_label() {
        assert_eq!(level_label(1), "Finding it hard right now");
        assert_eq!(level_label(2), "Building confidence");
        assert_eq!(level_label(3), "Taking action");
        assert_eq!(level_label(4), "Confident and steady");
        assert_eq!(level_label(0), "Unknown level");
        assert_eq!(level_label(5), "Unknown level");
    }

    #[test]
    fn change_is_latest_minus_first_to_two_decimals() {
        assert_eq!(change_since_first(&[]), None);
        assert_eq!(change_since_first(&[5.17]), None);
        assert_eq!(change_since_first(&[5.17, 7.8]), Some(2.63));
        assert_eq!(change_since_first(&[7.8, 2.0, 5.17]), Some(-2.63));
        assert_eq!(change_since_first(&[4.5, 9.0, 4.5]), Some(0.0));
    }

    #[test]
    fn a_change_of_one_point_or_more_is_notable() {
        assert!(is_notable(1.0));
        assert!(is_notable(-1.0));
        assert!(is_notable(2.63));
        assert!(!is_notable(0.99));
        assert!(!is_notable(-0.5));
        // 6.17 - 5.17 is not exactly 1.0 in binary; it must still count.
        let change = change_since_first(&[5.17, 6.17]).unwrap();
        assert!(is_notable(change));
        assert!(is_notable(6.17 - 5.17));
    }

    #[test]
    fn the_instrument_has_six_items_numbered_in_order_with_verbatim_text() {
        let inst = instrument();
        let numbers: Vec<u8> = inst.items.iter().map(|i| i.number).collect();
        assert_eq!(numbers, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(
            inst.items[0].text,
            "How confident are you that you can keep the fatigue caused by your disease from \
             interfering with the things you want to do?"
        );
        assert_eq!(
            inst.items[5].text,
            "How confident are you that you can do things other than just taking medication \
             to reduce how much your illness affects your everyday life?"
        );
        assert!(
            inst.items[4]
                .text
                .ends_with("so as to reduce your need to see a doctor?")
        );
        for item in &inst.items {
            assert!(item.text.starts_with("How confident are you that you can "));
            assert!(
                !item.text.contains('['),
                "typo brackets left in: {}",
                item.text
            );
            assert!(!item.text.contains("  "), "double space in: {}", item.text);
        }
    }

    #[test]
    fn the_instrument_carries_its_name_instruction_helper_and_attribution() {
        let inst = instrument();
        assert_eq!(inst.id, "semcd6");
        assert_eq!(inst.version, "1.0");
        assert_eq!(
            inst.name,
            "Self-Efficacy for Managing Chronic Disease 6-Item Scale"
        );
        assert_eq!(
            inst.instruction,
            "We would like to know how confident you are in doing certain activities. For each \
             of the following questions, please choose the number that corresponds to your \
             confidence that you can do the tasks regularly at the present time."
        );
        assert_eq!(
            inst.helper,
            "'disease' means your long-term health condition(s)"
        );
        assert_eq!(
            inst.attribution,
            "Self-Efficacy for Managing Chronic Disease 6-Item Scale © Stanford Patient \
             Education Research Center / Self-Management Resource Center; used under its \
             free-use terms."
        );
        assert_eq!(WORDING, "web");
    }

    #[test]
    fn the_scale_runs_from_not_at_all_to_totally_confident() {
        let scale = instrument().scale;
        assert_eq!((scale.min, scale.max), (1, 10));
        assert_eq!(
            scale.anchors,
            vec![
                Anchor {
                    value: 1,
                    label: "Not at all confident"
                },
                Anchor {
                    value: 10,
                    label: "Totally confident"
                },
            ]
        );
    }

    #[test]
    fn the_instrument_serialises_to_the_documented_json_shape() {
        let json = serde_json::to_value(instrument()).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            vec![
                "attribution",
                "helper",
                "id",
                "instruction",
                "items",
                "name",
                "scale",
                "version"
            ]
        );
        assert_eq!(json["id"], "semcd6");
        assert_eq!(json["version"], "1.0");
        assert_eq!(json["items"].as_array().unwrap().len(), 6);
        assert_eq!(json["items"][0]["number"], 1);
        assert!(json["items"][0]["text"].is_string());
        assert_eq!(json["scale"]["min"], 1);
        assert_eq!(json["scale"]["max"], 10);
        assert_eq!(
            json["scale"]["anchors"],
            serde_json::json!([
                {"value": 1, "label": "Not at all confident"},
                {"value": 10, "label": "Totally confident"}
            ])
        );
    }

    #[test]
    fn the_instrument_never_mentions_the_proprietary_activation_measure() {
        let text = serde_json::to_string(&instrument()).unwrap();
        assert!(!text.contains("PAM"));
        assert!(!text.contains("Patient Activation"));
    }

    #[test]
    fn a_scored_check_in_serialises_score_level_and_answered() {
        let scored = score(&[Some(7), Some(8), Some(8), None, Some(9), Some(7)]).unwrap();
        assert_eq!(
            serde_json::to_value(scored).unwrap(),
            serde_json::json!({"score": 7.8, "level": 3, "answered": 5})
        );
    }
}
