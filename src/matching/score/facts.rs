//! The facts of an explanation (MATCHING.md §4.7) and their rendering as plain sentences.
//! Facts carry ids and words, never scores or levels; the only number a fact holds is a head
//! count in a group, and it is rendered in words.
//!
//! The words for ids come from the caller (the served vocabulary's `phrase`, never its form
//! label): a condition or group reads after "live with" ("COPD", "a lung or breathing
//! condition"), a tag after "You both" ("care for someone else", "have been bereaved"), so
//! every template holds for every entry. Languages are named by
//! [`language_name`](crate::domain::language_names::language_name). A fact whose words are
//! missing (an id with no phrase, a language with no name) renders as `None` and is left out:
//! an id or tag is never shown.
//!
//! Who reads what: a pair reads "You both …" about what both share; a member seated in a group
//! reads about the others in it ("Two others in this group also live with COPD."), never "you
//! both"; a volunteer reads who they will support and why ("They live with COPD."), within
//! what the member allows to share.

use serde::Serialize;

use crate::domain::language_names::language_name;
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
/// Facts carry ids and words, never scores or levels.
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
    /// Both prefer to talk in this language (tag; rendered by its name).
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
    /// A member seated in a group: this many others in it live with the reader's condition.
    OthersShareCondition {
        /// Condition id.
        condition: String,
        /// How many others (at least one).
        others: usize,
    },
    /// A member seated in a group: this many others in it live with a condition in the
    /// reader's condition group.
    OthersShareGroup {
        /// Group id.
        group: String,
        /// How many others (at least one).
        others: usize,
    },
    /// A member seated in a group where nobody else shares a condition to name: what the group
    /// is for.
    GroupFor {
        /// Group id.
        group: String,
    },
    /// A volunteer: they will support one member one-to-one.
    SupportingOneToOne,
    /// A volunteer: they will facilitate a new group of this many members.
    FacilitatingGroup {
        /// Members, the facilitator not counted.
        members: usize,
    },
    /// A volunteer: the member they support lives with this condition.
    MemberLivesWith {
        /// Condition id.
        condition: String,
    },
    /// A volunteer: when the member they support was diagnosed.
    MemberSince {
        /// When.
        since: Since,
    },
    /// A group's facilitator: this many of its members live with this condition.
    MembersWithCondition {
        /// Condition id.
        condition: String,
        /// How many members (at least one).
        count: usize,
    },
    /// A group's facilitator: this many of its members live with a condition in this group.
    MembersWithGroup {
        /// Group id.
        group: String,
        /// How many members (at least one).
        count: usize,
    },
}

/// A small count in words, capitalised when it starts a sentence; counts past twelve are
/// "several" (groups are far smaller).
fn count_words(n: usize, capital: bool) -> &'static str {
    const WORDS: [(&str, &str); 13] = [
        ("no", "No"),
        ("one", "One"),
        ("two", "Two"),
        ("three", "Three"),
        ("four", "Four"),
        ("five", "Five"),
        ("six", "Six"),
        ("seven", "Seven"),
        ("eight", "Eight"),
        ("nine", "Nine"),
        ("ten", "Ten"),
        ("eleven", "Eleven"),
        ("twelve", "Twelve"),
    ];
    let (lower, upper) = WORDS.get(n).copied().unwrap_or(("several", "Several"));
    if capital { upper } else { lower }
}

/// "One other person in this group also lives with …" / "Two others in this group also live
/// with …".
fn others_live_with(others: usize, what: &str) -> String {
    if others == 1 {
        format!("One other person in this group also lives with {what}.")
    } else {
        format!(
            "{} others in this group also live with {what}.",
            count_words(others, true)
        )
    }
}

/// "One of them lives with …" / "Three of them live with …".
fn members_live_with(count: usize, what: &str) -> String {
    let verb = if count == 1 { "lives" } else { "live" };
    format!("{} of them {verb} with {what}.", count_words(count, true))
}

/// Renders a fact as a plain sentence for the reader, or `None` when it cannot be said in
/// words (see the module docs). `words` gives the sentence words of a condition, group or tag
/// id (the vocabulary's `phrase`): e.g. `lungs.copd` → "COPD", `lungs` → "a lung or breathing
/// condition", `life.carer` → "care for someone else".
pub fn render(fact: &Fact, words: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    Some(match fact {
        Fact::SameCondition { condition } => format!("You both live with {}.", words(condition)?),
        Fact::SameGroup { group } => format!("You both live with {}.", words(group)?),
        Fact::SharedTag { tag } => format!("You both {}.", words(tag)?),
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
            format!("You both prefer to talk in {}.", language_name(language)?)
        }
        Fact::Relaxed { tag } => {
            let shared = tag.as_deref().and_then(words);
            let how = match shared {
                Some(t) => format!("on something else you have in common: you both {t}"),
                None => "with someone whose experience is close to yours".to_string(),
            };
            format!(
                "We couldn't find someone with exactly the same condition this week, so we've \
                 matched you {how}."
            )
        }
        Fact::OthersShareCondition { condition, others } => {
            others_live_with(*others, &words(condition)?)
        }
        Fact::OthersShareGroup { group, others } => others_live_with(*others, &words(group)?),
        Fact::GroupFor { group } => {
            format!("This group is for people living with {}.", words(group)?)
        }
        Fact::SupportingOneToOne => "You've been asked to support a member one-to-one.".to_string(),
        Fact::FacilitatingGroup { members } => format!(
            "You've been asked to facilitate a new group of {} members.",
            count_words(*members, false)
        ),
        Fact::MemberLivesWith { condition } => format!("They live with {}.", words(condition)?),
        Fact::MemberSince { since } => format!("They were diagnosed {}.", since.words()),
        Fact::MembersWithCondition { condition, count } => {
            members_live_with(*count, &words(condition)?)
        }
        Fact::MembersWithGroup { group, count } => members_live_with(*count, &words(group)?),
    })
}

fn part_plural(p: Part) -> &'static str {
    match p {
        Part::Morning => "mornings",
        Part::Afternoon => "afternoons",
        Part::Evening => "evenings",
        Part::Night => "nights",
    }
}
