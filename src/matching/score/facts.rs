//! The facts of an explanation (MATCHING.md §4.7) and their rendering as plain sentences.
//! Facts carry ids and words, never scores, levels or any number shown to a person; the words
//! for ids come from the caller's labels.

use serde::Serialize;

use crate::matching::model::Part;

/// Time since diagnosis, in words (a stage bin).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Since {
    /// Under six months (bin 0).
    UnderSixMonths,
    /// Six months to two years (bin 1).
    SixMonthsToTwoYears,
    /// Two to five years (bin 2).
    TwoToFiveYears,
    /// Over five years (bin 3).
    OverFiveYears,
}

impl Since {
    pub(super) fn from_bin(bin: u8) -> Since {
        match bin {
            0 => Since::UnderSixMonths,
            1 => Since::SixMonthsToTwoYears,
            2 => Since::TwoToFiveYears,
            _ => Since::OverFiveYears,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Since::UnderSixMonths => "in the last six months",
            Since::SixMonthsToTwoYears => "between six months and two years ago",
            Since::TwoToFiveYears => "between two and five years ago",
            Since::OverFiveYears => "more than five years ago",
        }
    }
}

/// Which days a shared time falls on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Days {
    /// Monday to Friday only.
    Weekdays,
    /// Saturday and Sunday only.
    Weekends,
    /// Both.
    AllWeek,
}

/// One plain-words fact about a match, stored with it for audit and rendered by [`render`].
/// Facts carry ids and words, never scores, levels or numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    /// Both live with this condition (id).
    SameCondition {
        /// Condition id.
        condition: String,
    },
    /// Both live with a condition in this group (id).
    SameGroup {
        /// Group id.
        group: String,
    },
    /// Both have this lived-experience tag (id).
    SharedTag {
        /// Tag id.
        tag: String,
    },
    /// Both were diagnosed in the same stage bin.
    SameStage {
        /// When.
        since: Since,
    },
    /// Both were diagnosed around the same time (neighbouring bins).
    SimilarStage,
    /// The volunteer is further along and trained as a peer supporter.
    VolunteerAhead {
        /// The volunteer's pseudonym.
        name: String,
        /// When the volunteer was diagnosed.
        since: Since,
    },
    /// Both are free at this time of the week (in the reader's local time).
    SharedAvailability {
        /// Which days.
        days: Days,
        /// Which part of the day.
        part: Part,
    },
    /// Both prefer to talk in this language (tag).
    SameLanguage {
        /// Language tag.
        language: String,
    },
    /// The reader waited past the maximum wait, so the match was widened; `tag` is a shared
    /// tag both allow to show, if any.
    Relaxed {
        /// Tag id.
        tag: Option<String>,
    },
}

/// Renders a fact as a plain sentence for the reader. `labels` turns a condition, group, tag or
/// language id into the words that fit the sentence (e.g. `lungs.copd` → "COPD",
/// `heart` → "a heart condition", `life.carer` → "caring for someone else", `pl` → "Polish").
pub fn render(fact: &Fact, labels: &dyn Fn(&str) -> String) -> String {
    match fact {
        Fact::SameCondition { condition } => format!("You both live with {}.", labels(condition)),
        Fact::SameGroup { group } => format!("You both live with {}.", labels(group)),
        Fact::SharedTag { tag } => format!("You're both {}.", labels(tag)),
        Fact::SameStage { since } => format!("You were both diagnosed {}.", since.words()),
        Fact::SimilarStage => "You were both diagnosed around the same time.".to_string(),
        Fact::VolunteerAhead { name, since } => format!(
            "{name} was diagnosed {} and has trained as a peer supporter. They've been where \
             you are now.",
            since.words()
        ),
        Fact::SharedAvailability { days, part } => {
            let when = match (days, part) {
                (Days::Weekdays, p) => format!("on weekday {}", part_plural(*p)),
                (Days::Weekends, p) => format!("on weekend {}", part_plural(*p)),
                (Days::AllWeek, Part::Night) => "at night".to_string(),
                (Days::AllWeek, p) => format!("in the {}", part_plural(*p)),
            };
            format!("You're both free {when}.")
        }
        Fact::SameLanguage { language } => {
            format!("You both prefer to talk in {}.", labels(language))
        }
        Fact::Relaxed { tag } => {
            let who = match tag {
                Some(t) => format!("someone who shares {}", labels(t)),
                None => "someone whose experience is close to yours".to_string(),
            };
            format!(
                "We couldn't find someone with exactly the same condition this week, so we've \
                 matched you with {who}."
            )
        }
    }
}

fn part_plural(p: Part) -> &'static str {
    match p {
        Part::Morning => "mornings",
        Part::Afternoon => "afternoons",
        Part::Evening => "evenings",
        Part::Night => "nights",
    }
}
