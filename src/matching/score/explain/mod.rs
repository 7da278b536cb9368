//! Explanations (MATCHING.md §4.7): choosing up to three facts about a match for one reader,
//! from the score's top contributions and only what both sides allow to share, with why the
//! match was widened first when it was.
//!
//! Three readers, three points of view: two peers read what they share (here); a member seated
//! in a group reads about the others in it (`group`); a volunteer reads who they will support
//! and why (`volunteer`). What a fact says about someone else is said only when that person
//! allows it (their `share_*` flags and `shared_tags`), and a condition fact also needs the
//! reader to share conditions (reciprocity, as between peers).
//!
//! Decisions where MATCHING.md is silent:
//! - A shared first language is compared by language, not region (`en-GB` and `en` are both
//!   English, [`name_key`]); the fact is kept only when the language has a name.
//! - A group seat never says "you both": it counts the others who share the reader's condition,
//!   else its group, else says what the group is for. The volunteer's sentences are about the
//!   member's focus condition, time since diagnosis, a shared tag and language.

use std::collections::HashMap;

use crate::matching::model::{Config, HOURS_PER_WEEK, Part, Person, Volunteer, mask_has};

use crate::domain::language_names::name_key;

use super::facts::{Days, Fact, Since};
use super::feature::{Feature, Score};
use super::idf::DEFAULT_IDF;
use super::wait::person_step;

mod group;
mod volunteer;

pub use group::{explain_seat, explain_to_facilitator};
pub use volunteer::explain_to_volunteer;

/// The most telling shared time in the reader's local time: the part of the day with the most
/// shared hours, and whether those hours fall on weekdays, weekends or both.
fn shared_when(a: &[u64; 3], b: &[u64; 3], reader_offset_minutes: i32) -> Option<(Days, Part)> {
    let both = [a[0] & b[0], a[1] & b[1], a[2] & b[2]];
    // counts[part][weekend]
    let mut counts = [[0u32; 2]; 4];
    for h in 0..HOURS_PER_WEEK {
        if !mask_has(&both, h) {
            continue;
        }
        let local = (i64::from(h) * 60 + i64::from(reader_offset_minutes))
            .div_euclid(60)
            .rem_euclid(i64::from(HOURS_PER_WEEK));
        let local = u32::try_from(local).unwrap_or(0);
        let weekend = usize::from(local / 24 >= 5);
        let part = Part::of_hour(local % 24);
        let idx = Part::ALL.iter().position(|p| *p == part).unwrap_or(0);
        if let Some(c) = counts.get_mut(idx).and_then(|c| c.get_mut(weekend)) {
            *c += 1;
        }
    }
    // Ties go to the evening, then morning, afternoon, night.
    let order = [Part::Evening, Part::Morning, Part::Afternoon, Part::Night];
    let mut best: Option<(u32, Part, [u32; 2])> = None;
    for part in order {
        let idx = Part::ALL.iter().position(|p| *p == part).unwrap_or(0);
        let c = counts.get(idx).copied().unwrap_or([0, 0]);
        let total = c[0] + c[1];
        if total > 0 && best.is_none_or(|(t, _, _)| total > t) {
            best = Some((total, part, c));
        }
    }
    best.map(|(_, part, c)| {
        let days = match (c[0] > 0, c[1] > 0) {
            (true, false) => Days::Weekdays,
            (false, true) => Days::Weekends,
            _ => Days::AllWeek,
        };
        (days, part)
    })
}

/// The rarest tag both have and both allow to show.
fn best_shared_tag(
    a_tags: &[String],
    a_shared: &[String],
    b_tags: &[String],
    b_shared: &[String],
    idf: &HashMap<String, f64>,
) -> Option<String> {
    let mut best: Option<(f64, &String)> = None;
    for t in a_tags {
        if !(b_tags.contains(t) && a_shared.contains(t) && b_shared.contains(t)) {
            continue;
        }
        let w = idf.get(t).copied().unwrap_or(DEFAULT_IDF);
        let better = match best {
            None => true,
            Some((bw, bt)) => w > bw || (w == bw && t < bt),
        };
        if better {
            best = Some((w, t));
        }
    }
    best.map(|(_, t)| t.clone())
}

/// Features ordered by contribution (weight × f), largest first, keeping those with f ≥ 0.5.
fn top_features(score: &Score, cfg: &Config) -> Vec<Feature> {
    let mut parts: Vec<(Feature, f64)> = score
        .parts
        .iter()
        .filter(|(_, f)| *f >= 0.5)
        .map(|(feature, f)| (*feature, feature.weight(cfg) * f))
        .collect();
    parts.sort_by(|x, y| y.1.total_cmp(&x.1));
    parts.into_iter().map(|(f, _)| f).collect()
}

/// What the two sides have that an explanation may draw on.
struct Side<'a> {
    conditions: Vec<&'a str>,
    groups: Vec<&'a str>,
    tags: &'a [String],
    shared_tags: &'a [String],
    stage_bin: Option<u8>,
    first_language: Option<&'a str>,
    session_languages: &'a [String],
    availability: &'a [u64; 3],
    share_conditions: bool,
    share_stage: bool,
    share_availability: bool,
    share_languages: bool,
}

impl<'a> Side<'a> {
    fn person(p: &'a Person) -> Side<'a> {
        Side {
            conditions: p.conditions.iter().map(|c| c.id.as_str()).collect(),
            groups: p.conditions.iter().map(|c| c.group.as_str()).collect(),
            tags: &p.tags,
            shared_tags: &p.shared_tags,
            stage_bin: p.stage_bin,
            first_language: p.first_language.as_deref(),
            session_languages: &p.session_languages,
            availability: &p.availability,
            share_conditions: p.share_conditions,
            share_stage: p.share_stage,
            share_availability: p.share_availability,
            share_languages: p.share_languages,
        }
    }

    fn volunteer(v: &'a Volunteer) -> Side<'a> {
        Side {
            conditions: v.conditions.iter().map(|c| c.id.as_str()).collect(),
            groups: v.conditions.iter().map(|c| c.group.as_str()).collect(),
            tags: &v.tags,
            shared_tags: &v.shared_tags,
            stage_bin: v.stage_bin,
            first_language: v.first_language.as_deref(),
            session_languages: &v.session_languages,
            availability: &v.availability,
            share_conditions: v.share_conditions,
            share_stage: v.share_stage,
            share_availability: v.share_availability,
            share_languages: v.share_languages,
        }
    }
}

fn condition_fact(reader: &Person, other: &Side, other_focus: Option<&Person>) -> Option<Fact> {
    let reader_conds: Vec<&str> = reader.conditions.iter().map(|c| c.id.as_str()).collect();
    let reader_groups: Vec<&str> = reader.conditions.iter().map(|c| c.group.as_str()).collect();
    if other.conditions.contains(&reader.focus.id.as_str()) {
        return Some(Fact::SameCondition {
            condition: reader.focus.id.clone(),
        });
    }
    if let Some(o) = other_focus
        && reader_conds.contains(&o.focus.id.as_str())
    {
        return Some(Fact::SameCondition {
            condition: o.focus.id.clone(),
        });
    }
    if other.groups.contains(&reader.focus.group.as_str()) {
        return Some(Fact::SameGroup {
            group: reader.focus.group.clone(),
        });
    }
    if let Some(o) = other_focus
        && reader_groups.contains(&o.focus.group.as_str())
    {
        return Some(Fact::SameGroup {
            group: o.focus.group.clone(),
        });
    }
    None
}

/// Both prefer the same language (by language, whatever the region) and can hold a session
/// in it.
fn language_fact(a: &Side, b: &Side) -> Option<Fact> {
    let (x, y) = (a.first_language?, b.first_language?);
    let key = name_key(x)?;
    let speaks = |s: &Side| {
        s.session_languages
            .iter()
            .any(|l| name_key(l).as_ref() == Some(&key))
    };
    (name_key(y).as_ref() == Some(&key) && speaks(a) && speaks(b)).then(|| Fact::SameLanguage {
        language: x.to_string(),
    })
}

/// The reader's side of an explanation and what it is about.
struct Explaining<'a> {
    reader: &'a Person,
    other: Side<'a>,
    other_person: Option<&'a Person>,
    volunteer_name: Option<&'a str>,
}

fn explain(x: &Explaining, score: &Score, idf: &HashMap<String, f64>, cfg: &Config) -> Vec<Fact> {
    let (reader, other) = (x.reader, &x.other);
    let me = Side::person(reader);
    let mut facts = Vec::new();
    let tag = best_shared_tag(me.tags, me.shared_tags, other.tags, other.shared_tags, idf);
    let mut tag_used = false;
    // A relaxed reader whose focus condition found no same condition or group hears why first.
    let own_fit = other.conditions.contains(&reader.focus.id.as_str())
        || other.groups.contains(&reader.focus.group.as_str());
    if person_step(reader, cfg) >= 1 && !own_fit {
        tag_used = tag.is_some();
        facts.push(Fact::Relaxed { tag: tag.clone() });
    }
    for feature in top_features(score, cfg) {
        if facts.len() >= 3 {
            break;
        }
        let fact = match feature {
            Feature::Condition if me.share_conditions && other.share_conditions => {
                condition_fact(reader, other, x.other_person)
            }
            Feature::Tags if !tag_used => tag.clone().map(|tag| Fact::SharedTag { tag }),
            Feature::Stage if me.share_stage && other.share_stage => {
                match (me.stage_bin, other.stage_bin, x.volunteer_name) {
                    (Some(m), Some(v), Some(name)) if v > m => Some(Fact::VolunteerAhead {
                        name: name.to_string(),
                        since: Since::from_bin(v),
                    }),
                    (Some(a), Some(b), _) if a == b => Some(Fact::SameStage {
                        since: Since::from_bin(a),
                    }),
                    (Some(a), Some(b), None) if a.abs_diff(b) == 1 => Some(Fact::SimilarStage),
                    _ => None,
                }
            }
            Feature::Availability if me.share_availability && other.share_availability => {
                shared_when(
                    me.availability,
                    other.availability,
                    reader.utc_offset_minutes,
                )
                .map(|(days, part)| Fact::SharedAvailability { days, part })
            }
            Feature::Language if me.share_languages && other.share_languages => {
                language_fact(&me, other)
            }
            // Levels, age and gender are never explained: levels are never shown, and age and
            // gender have no sharing choice.
            _ => None,
        };
        if let Some(f) = fact {
            facts.push(f);
        }
    }
    facts
}

/// Up to three facts explaining a peer match to `a` (call again with the sides swapped for
/// `b`): the top contributions with f ≥ 0.5, using only what both allow to share, and first,
/// when `a` waited past the maximum wait without a same condition or group, why the match was
/// widened.
pub fn explain_pair(
    a: &Person,
    b: &Person,
    score: &Score,
    idf: &HashMap<String, f64>,
    cfg: &Config,
) -> Vec<Fact> {
    let x = Explaining {
        reader: a,
        other: Side::person(b),
        other_person: Some(b),
        volunteer_name: None,
    };
    explain(&x, score, idf, cfg)
}

/// Up to three facts explaining a one-to-one match to the member, as [`explain_pair`].
pub fn explain_volunteer(
    m: &Person,
    v: &Volunteer,
    score: &Score,
    idf: &HashMap<String, f64>,
    cfg: &Config,
) -> Vec<Fact> {
    let x = Explaining {
        reader: m,
        other: Side::volunteer(v),
        other_person: None,
        volunteer_name: Some(&v.display_name),
    };
    explain(&x, score, idf, cfg)
}

#[cfg(test)]
mod tests;
