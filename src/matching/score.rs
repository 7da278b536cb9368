//! Scoring: the hard constraints of MATCHING.md §4.2, the soft score of §4.3, the wait bonus
//! and relaxation ladder of §4.6, the explanation facts of §4.7, and candidate-edge generation
//! for the pair solver.
//!
//! This module owns every rule that decides whether two people *may* be matched and how well
//! they fit. It must not do I/O, read the clock (waits arrive as seconds), hold vocabulary data
//! (labels come from a closure in [`render`]) or solve the assignment: the solvers take the
//! edges built here. Facts never carry scores, levels or any number shown to a person.
//!
//! How it works: every entry point packs its people into a [`Batch`] (strings interned into
//! small integers, sets kept as sorted id runs plus a 64-bit signature, related groups as a
//! matrix) and runs the same packed rules, so a single pair scored on its own and the same pair
//! scored inside [`candidate_pairs`] give identical numbers.
//!
//! Decisions where MATCHING.md is silent (the product wins; keep this list in step):
//! - Peer feasibility also needs both requests to be of the same format, pair or group: a
//!   one-to-one request is never matched with another member.
//! - Condition relevance (§4.2 rule 6) for peers is an overlap of *any* of the two people's
//!   condition groups, or one shared tag. Related groups (§5.3) count for relevance only when
//!   either person has reached relaxation step 1 (their relaxation is what makes the edge
//!   acceptable); related groups always score 0.25 in condition similarity.
//! - Unknown values are neutral (0.5) for stage, level and age; an unknown gender never meets a
//!   `must` and never meets a `prefer`. A `prefer` whose holder has no gender or age band of
//!   their own is ignored.
//! - An age *prefer* works like the gender one, inside the age feature: an unmet direction
//!   multiplies the age proximity by [`Config::unmet_preference`]; with no preference the age
//!   feature is exactly 1 − |Δband|/5. Relaxation step 1 drops the person's own *prefer*s.
//! - Tags: two people with no tags share nothing (0); a member with no tags is covered 0 by a
//!   volunteer. A tag missing from the IDF table weighs ln 2 (the weight of a tag everyone has).
//! - Language scores 1 when both have the same first language and can hold a session in it,
//!   else 0.5 for any shared session language. Language tags are compared exactly; the service
//!   passes them normalised (e.g. primary subtags only).
//! - Volunteer stage: 1 when ahead, 0.5 same bin, 0 behind, 0.5 when either is unknown.
//! - The newly-diagnosed vs ">5 y progressive" penalty applies when the newly diagnosed person is
//!   in bin 0 and the other is in bin 3 with the tag `journey.progressive`.
//! - Scores are normalised by the sum of the weights (the defaults sum to 100), then rounded to
//!   two decimals.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use serde::Serialize;

use super::model::{
    Config, Exclusions, Format, HOURS_PER_WEEK, Part, Person, Strength, Vocab, Volunteer,
    mask_has, shared_hours,
};

/// Largest wait bonus before the maximum wait (20 score points, §4.6).
pub const WAIT_BONUS_MAX: i64 = 2000;

/// Extra bonus once a request has waited the maximum wait: a lexicographic priority (§4.6).
pub const PRIORITY_BONUS: i64 = 100_000;

/// Weight of a tag absent from the IDF table: ln 2, as for a tag everyone has.
const DEFAULT_IDF: f64 = std::f64::consts::LN_2;

const NONE: u32 = u32::MAX;

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
    fn from_parts(f: [f64; 8], cfg: &Config) -> Score {
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

fn total_of(f: &[f64; 8], cfg: &Config) -> f64 {
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

// ---------------------------------------------------------------------------------------------
// Wait, relaxation and edge weights (§4.6)
// ---------------------------------------------------------------------------------------------

/// The relaxation step reached after waiting `wait_secs` with maximum wait W = `max_wait_secs`:
/// 0 before W, 1 at W, 2 at 1.5 W, 3 at 2 W (§4.6).
pub fn relax_step(wait_secs: i64, max_wait_secs: i64) -> u8 {
    let (w, m) = (i128::from(wait_secs), i128::from(max_wait_secs));
    if w >= 2 * m {
        3
    } else if 2 * w >= 3 * m {
        2
    } else if w >= m {
        1
    } else {
        0
    }
}

/// The wait bonus of §4.6: 0 until W/2, rising quadratically to [`WAIT_BONUS_MAX`] at W, plus
/// [`PRIORITY_BONUS`] at or past W. A non-positive W counts every wait as past it.
pub fn wait_bonus(wait_secs: i64, max_wait_secs: i64) -> i64 {
    if max_wait_secs <= 0 {
        return WAIT_BONUS_MAX + PRIORITY_BONUS;
    }
    let u = (wait_secs as f64 / max_wait_secs as f64).clamp(0.0, 1.0);
    let x = ((u - 0.5) / 0.5).max(0.0);
    let mut bonus = (WAIT_BONUS_MAX as f64 * x * x).round() as i64;
    if wait_secs >= max_wait_secs {
        bonus += PRIORITY_BONUS;
    }
    bonus
}

/// The solver's weight for an edge: `round(100 · s) + bonus_a + bonus_b` (saturating, so no
/// input can overflow).
pub fn edge_weight(score_total: f64, bonus_a: i64, bonus_b: i64) -> i64 {
    // `as` saturates and maps NaN to 0.
    let base = (100.0 * score_total).round() as i64;
    base.saturating_add(bonus_a).saturating_add(bonus_b)
}

/// Whether an edge with this score is offered: at least [`Config::min_score`], or
/// [`Config::relaxed_min_score`] when either person has reached relaxation step 1.
pub fn offered(score_total: f64, step_a: u8, step_b: u8, cfg: &Config) -> bool {
    let min = if step_a >= 1 || step_b >= 1 {
        cfg.relaxed_min_score
    } else {
        cfg.min_score
    };
    score_total >= min
}

/// The relaxation step of a person's request.
pub fn person_step(p: &Person, cfg: &Config) -> u8 {
    relax_step(p.wait_secs, cfg.max_wait_secs(p.format))
}

/// The wait bonus of a person's request.
pub fn person_bonus(p: &Person, cfg: &Config) -> i64 {
    wait_bonus(p.wait_secs, cfg.max_wait_secs(p.format))
}

/// Tag weights w_t = ln(1 + N/n_t) over the waiting people, where n_t counts the people with
/// tag t (§4.3): rare shared tags count more.
pub fn tag_idf(people: &[&Person]) -> HashMap<String, f64> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for p in people {
        let mut own: Vec<&str> = p.tags.iter().map(String::as_str).collect();
        own.sort_unstable();
        own.dedup();
        for t in own {
            *counts.entry(t).or_default() += 1;
        }
    }
    let n = people.len() as f64;
    counts
        .into_iter()
        .map(|(t, c)| (t.to_string(), (1.0 + n / c as f64).ln()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Packed representation
// ---------------------------------------------------------------------------------------------

/// A run of ids in an arena.
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    start: u32,
    len: u32,
}

/// A set of interned ids: a sorted run in the arena and a signature with bit `id % 64` set.
#[derive(Clone, Copy, Debug, Default)]
struct Set {
    span: Span,
    sig: u64,
}

/// A person's features, interned.
#[derive(Clone, Debug)]
struct Packed {
    user: u32,
    format: Format,
    step: u8,
    bonus: i64,
    langs: Set,
    first_lang: u32,
    first_is_session: bool,
    focus_cond: u32,
    focus_group: u32,
    conds: Span,
    groups: Set,
    tags: Set,
    tag_total: f64,
    stage: Option<u8>,
    progressive: bool,
    level: Option<u8>,
    age: Option<u8>,
    gender: u32,
    gender_pref: Strength,
    age_pref: Strength,
    avail: [u64; 3],
    has_mental: bool,
    has_excl: bool,
}

/// A volunteer's features, interned.
#[derive(Clone, Debug)]
struct PackedVolunteer {
    user: u32,
    langs: Set,
    first_lang: u32,
    first_is_session: bool,
    conds: Span,
    supported_conds: Set,
    supported_groups: Set,
    tags: Set,
    stage: Option<u8>,
    age: Option<u8>,
    gender: u32,
    avail: [u64; 3],
    has_mental: bool,
    has_excl: bool,
    free_one_to_one: u32,
}

/// Strings of one kind, interned in sorted order so that id order is string order (sums over
/// sets then run in the same order whatever the batch).
struct Interner<'a> {
    ids: HashMap<&'a str, u32>,
}

impl<'a> Interner<'a> {
    fn new(mut all: Vec<&'a str>) -> Self {
        all.sort_unstable();
        all.dedup();
        let ids = all
            .into_iter()
            .zip(0u32..)
            .collect::<HashMap<&'a str, u32>>();
        Interner { ids }
    }

    fn get(&self, s: &str) -> u32 {
        self.ids.get(s).copied().unwrap_or(NONE)
    }

    fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether every id fits in a signature bit of its own.
    fn exact(&self) -> bool {
        self.ids.len() <= 64
    }
}

/// Interned people and volunteers with everything the packed rules need.
struct Batch {
    people: Vec<Packed>,
    volunteers: Vec<PackedVolunteer>,
    ids: Vec<u32>,
    conds: Vec<(u32, u32)>,
    n_groups: usize,
    /// `rel[a * n_groups + b]`: 0 unrelated, 1 related, 2 related when both list mental health.
    rel: Vec<u8>,
    n_langs: usize,
    lang_exact: bool,
    group_exact: bool,
    tag_exact: bool,
    tag_weight: Vec<f64>,
    excluded: HashSet<(u32, u32)>,
}

fn opt_str(s: &Option<String>) -> Option<&str> {
    s.as_deref()
}

impl Batch {
    fn build(
        people: &[&Person],
        volunteers: &[&Volunteer],
        vocab: &Vocab,
        excl: &Exclusions,
        idf: &HashMap<String, f64>,
        cfg: &Config,
    ) -> Batch {
        let mut users = Vec::new();
        let mut langs = Vec::new();
        let mut groups = Vec::new();
        let mut conds = Vec::new();
        let mut tags = Vec::new();
        let mut genders = Vec::new();
        for p in people {
            users.push(p.user.as_str());
            langs.extend(p.session_languages.iter().map(String::as_str));
            langs.extend(opt_str(&p.first_language));
            groups.push(p.focus.group.as_str());
            conds.push(p.focus.id.as_str());
            for c in &p.conditions {
                conds.push(c.id.as_str());
                groups.push(c.group.as_str());
            }
            tags.extend(p.tags.iter().map(String::as_str));
            genders.extend(opt_str(&p.gender));
        }
        for v in volunteers {
            users.push(v.user.as_str());
            langs.extend(v.session_languages.iter().map(String::as_str));
            langs.extend(opt_str(&v.first_language));
            groups.extend(v.groups_supported.iter().map(String::as_str));
            conds.extend(v.conditions_supported.iter().map(String::as_str));
            for c in &v.conditions {
                conds.push(c.id.as_str());
                groups.push(c.group.as_str());
            }
            tags.extend(v.tags.iter().map(String::as_str));
            genders.extend(opt_str(&v.gender));
        }
        let users = Interner::new(users);
        let langs = Interner::new(langs);
        let groups = Interner::new(groups);
        let conds_i = Interner::new(conds);
        let tags = Interner::new(tags);
        let genders = Interner::new(genders);

        let n_groups = groups.len();
        let mut rel = vec![0u8; n_groups * n_groups];
        for (a, ia) in &groups.ids {
            for (b, ib) in &groups.ids {
                let code = match vocab.relation(a, b) {
                    Some(false) => 1,
                    Some(true) => 2,
                    None => 0,
                };
                if let Some(slot) = rel.get_mut(*ia as usize * n_groups + *ib as usize) {
                    *slot = code;
                }
            }
        }

        let mut tag_weight = vec![DEFAULT_IDF; tags.len()];
        for (t, id) in &tags.ids {
            if let (Some(slot), Some(w)) = (tag_weight.get_mut(*id as usize), idf.get(*t)) {
                *slot = *w;
            }
        }

        let mut excluded = HashSet::new();
        let mut involved = vec![false; users.len()];
        if !excl.is_empty() {
            for (u, iu) in &users.ids {
                for v in excl.partners(u) {
                    let iv = users.get(v);
                    if iv == NONE || iv == *iu {
                        continue;
                    }
                    excluded.insert((*iu.min(&iv), *iu.max(&iv)));
                    for i in [*iu, iv] {
                        if let Some(flag) = involved.get_mut(i as usize) {
                            *flag = true;
                        }
                    }
                }
            }
        }
        let has_excl = |u: u32| involved.get(u as usize).copied().unwrap_or(false);

        let mut b = Batch {
            people: Vec::with_capacity(people.len()),
            volunteers: Vec::with_capacity(volunteers.len()),
            ids: Vec::new(),
            conds: Vec::new(),
            n_groups,
            rel,
            n_langs: langs.len(),
            lang_exact: langs.exact(),
            group_exact: groups.exact(),
            tag_exact: tags.exact(),
            tag_weight,
            excluded,
        };

        for p in people {
            let lang_set = b.push_set(p.session_languages.iter().map(|l| langs.get(l)));
            let first_lang = opt_str(&p.first_language).map_or(NONE, |l| langs.get(l));
            let cond_span = b.push_conds(
                p.conditions
                    .iter()
                    .map(|c| (conds_i.get(&c.id), groups.get(&c.group))),
            );
            let group_set = b.push_set(
                p.conditions
                    .iter()
                    .map(|c| groups.get(&c.group))
                    .chain([groups.get(&p.focus.group)]),
            );
            let tag_set = b.push_set(p.tags.iter().map(|t| tags.get(t)));
            let tag_total = b.weight_sum(tag_set);
            let user = users.get(&p.user);
            b.people.push(Packed {
                user,
                format: p.format,
                step: person_step(p, cfg),
                bonus: person_bonus(p, cfg),
                langs: lang_set,
                first_lang,
                first_is_session: b.contains(lang_set, first_lang),
                focus_cond: conds_i.get(&p.focus.id),
                focus_group: groups.get(&p.focus.group),
                conds: cond_span,
                groups: group_set,
                tags: tag_set,
                tag_total,
                stage: p.stage_bin,
                progressive: p.progressive,
                level: p.level,
                age: p.age_band,
                gender: opt_str(&p.gender).map_or(NONE, |g| genders.get(g)),
                gender_pref: p.gender_pref,
                age_pref: p.age_pref,
                avail: p.availability,
                has_mental: p.has_mental,
                has_excl: has_excl(user),
            });
        }
        for v in volunteers {
            let lang_set = b.push_set(v.session_languages.iter().map(|l| langs.get(l)));
            let first_lang = opt_str(&v.first_language).map_or(NONE, |l| langs.get(l));
            let cond_span = b.push_conds(
                v.conditions
                    .iter()
                    .map(|c| (conds_i.get(&c.id), groups.get(&c.group))),
            );
            let supported_conds = b.push_set(v.conditions_supported.iter().map(|c| conds_i.get(c)));
            let supported_groups = b.push_set(v.groups_supported.iter().map(|g| groups.get(g)));
            let tag_set = b.push_set(v.tags.iter().map(|t| tags.get(t)));
            let user = users.get(&v.user);
            b.volunteers.push(PackedVolunteer {
                user,
                langs: lang_set,
                first_lang,
                first_is_session: b.contains(lang_set, first_lang),
                conds: cond_span,
                supported_conds,
                supported_groups,
                tags: tag_set,
                stage: v.stage_bin,
                age: v.age_band,
                gender: opt_str(&v.gender).map_or(NONE, |g| genders.get(g)),
                avail: v.availability,
                has_mental: v.has_mental,
                has_excl: has_excl(user),
                free_one_to_one: v.free_one_to_one,
            });
        }
        b
    }

    fn push_set(&mut self, ids: impl Iterator<Item = u32>) -> Set {
        let mut v: Vec<u32> = ids.filter(|i| *i != NONE).collect();
        v.sort_unstable();
        v.dedup();
        let sig = v.iter().fold(0u64, |s, i| s | 1u64 << (i % 64));
        let start = self.ids.len() as u32;
        let len = v.len() as u32;
        self.ids.extend(v);
        Set {
            span: Span { start, len },
            sig,
        }
    }

    fn push_conds(&mut self, conds: impl Iterator<Item = (u32, u32)>) -> Span {
        let start = self.conds.len() as u32;
        self.conds.extend(conds);
        Span {
            start,
            len: self.conds.len() as u32 - start,
        }
    }

    fn slice(&self, s: Set) -> &[u32] {
        let start = s.span.start as usize;
        self.ids
            .get(start..start + s.span.len as usize)
            .unwrap_or(&[])
    }

    fn cond_slice(&self, s: Span) -> &[(u32, u32)] {
        let start = s.start as usize;
        self.conds.get(start..start + s.len as usize).unwrap_or(&[])
    }

    fn contains(&self, s: Set, id: u32) -> bool {
        id != NONE && s.sig & (1u64 << (id % 64)) != 0 && self.slice(s).binary_search(&id).is_ok()
    }

    fn intersects(&self, a: Set, b: Set, exact: bool) -> bool {
        if a.sig & b.sig == 0 {
            return false;
        }
        if exact {
            return true;
        }
        let (x, y) = (self.slice(a), self.slice(b));
        let (mut i, mut j) = (0, 0);
        while let (Some(p), Some(q)) = (x.get(i), y.get(j)) {
            match p.cmp(q) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    fn weight_of(&self, tag: u32) -> f64 {
        self.tag_weight.get(tag as usize).copied().unwrap_or(DEFAULT_IDF)
    }

    fn weight_sum(&self, s: Set) -> f64 {
        self.slice(s).iter().map(|t| self.weight_of(*t)).sum()
    }

    /// Σ w_t over the tags in both sets, summed in id order.
    fn common_weight(&self, a: Set, b: Set) -> f64 {
        let common = a.sig & b.sig;
        if common == 0 {
            return 0.0;
        }
        let mut sum = 0.0;
        if self.tag_exact {
            let mut bits = common;
            while bits != 0 {
                let t = bits.trailing_zeros();
                sum += self.weight_of(t);
                bits &= bits - 1;
            }
            return sum;
        }
        let (x, y) = (self.slice(a), self.slice(b));
        let (mut i, mut j) = (0, 0);
        while let (Some(p), Some(q)) = (x.get(i), y.get(j)) {
            match p.cmp(q) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += self.weight_of(*p);
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }

    fn relation(&self, g: u32, h: u32) -> u8 {
        if g == NONE || h == NONE {
            return 0;
        }
        self.rel
            .get(g as usize * self.n_groups + h as usize)
            .copied()
            .unwrap_or(0)
    }

    fn related(&self, g: u32, h: u32, both_mental: bool) -> bool {
        match self.relation(g, h) {
            1 => true,
            2 => both_mental,
            _ => false,
        }
    }

    /// best(primary, C): 1 same condition, 0.5 same group, 0.25 related group, else 0.
    fn best(&self, focus_cond: u32, focus_group: u32, conds: Span, both_mental: bool) -> f64 {
        let mut best: f64 = 0.0;
        for (c, g) in self.cond_slice(conds) {
            if *c == focus_cond && *c != NONE {
                return 1.0;
            }
            if *g == focus_group && *g != NONE {
                best = best.max(0.5);
            } else if self.related(focus_group, *g, both_mental) {
                best = best.max(0.25);
            }
        }
        best
    }

    fn any_related(&self, a: Set, b: Set, both_mental: bool) -> bool {
        self.slice(a)
            .iter()
            .any(|g| self.slice(b).iter().any(|h| self.related(*g, *h, both_mental)))
    }

    fn is_excluded(&self, u: u32, v: u32) -> bool {
        self.excluded.contains(&(u.min(v), u.max(v)))
    }

    // --- peers ------------------------------------------------------------------------------

    fn feasible_peer(&self, a: &Packed, b: &Packed, cfg: &Config) -> bool {
        a.user != b.user
            && a.format == b.format
            && a.format != Format::OneToOne
            && self.intersects(a.langs, b.langs, self.lang_exact)
            && !(a.has_excl && b.has_excl && self.is_excluded(a.user, b.user))
            && must_met(a.gender_pref, a.gender, b.gender)
            && must_met(b.gender_pref, b.gender, a.gender)
            && must_age_met(a.age_pref, a.age, b.age)
            && must_age_met(b.age_pref, b.age, a.age)
            && level_allowed(a.level, cfg)
            && level_allowed(b.level, cfg)
            && (self.intersects(a.groups, b.groups, self.group_exact)
                || self.intersects(a.tags, b.tags, self.tag_exact)
                || ((a.step >= 1 || b.step >= 1)
                    && self.any_related(a.groups, b.groups, a.has_mental && b.has_mental)))
    }

    fn peer_parts(&self, a: &Packed, b: &Packed, cfg: &Config) -> [f64; 8] {
        let both_mental = a.has_mental && b.has_mental;
        let condition = 0.5
            * (self.best(a.focus_cond, a.focus_group, b.conds, both_mental)
                + self.best(b.focus_cond, b.focus_group, a.conds, both_mental));
        let tags = {
            let inter = self.common_weight(a.tags, b.tags);
            let union = a.tag_total + b.tag_total - inter;
            if union > 0.0 { inter / union } else { 0.0 }
        };
        let stage = match (a.stage, b.stage) {
            (Some(x), Some(y)) => {
                if (x == 0 && y == 3 && b.progressive) || (y == 0 && x == 3 && a.progressive) {
                    0.0
                } else {
                    1.0 - f64::from(x.abs_diff(y)) / 3.0
                }
            }
            _ => 0.5,
        };
        let level = match (a.level, b.level) {
            (Some(x), Some(y)) => 1.0 - f64::from(x.abs_diff(y)) / 3.0,
            _ => 0.5,
        };
        let age = age_proximity(a.age, b.age)
            * pref_factor(a.age_pref, a.step, a.age.is_some(), a.age == b.age, cfg)
            * pref_factor(b.age_pref, b.step, b.age.is_some(), a.age == b.age, cfg);
        let gender = pref_factor(
            a.gender_pref,
            a.step,
            a.gender != NONE,
            a.gender == b.gender,
            cfg,
        ) * pref_factor(
            b.gender_pref,
            b.step,
            b.gender != NONE,
            a.gender == b.gender,
            cfg,
        );
        [
            condition,
            clamp01(tags),
            stage,
            availability(&a.avail, &b.avail, cfg),
            level,
            self.language(
                (a.langs, a.first_lang, a.first_is_session),
                (b.langs, b.first_lang, b.first_is_session),
            ),
            age,
            gender,
        ]
    }

    fn language(&self, a: (Set, u32, bool), b: (Set, u32, bool)) -> f64 {
        if a.1 != NONE && a.1 == b.1 && a.2 && b.2 {
            1.0
        } else if self.intersects(a.0, b.0, self.lang_exact) {
            0.5
        } else {
            0.0
        }
    }

    // --- volunteers -------------------------------------------------------------------------

    fn feasible_volunteer(&self, m: &Packed, v: &PackedVolunteer) -> bool {
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

    fn volunteer_parts(&self, m: &Packed, v: &PackedVolunteer, cfg: &Config) -> [f64; 8] {
        let condition = self.best(
            m.focus_cond,
            m.focus_group,
            v.conds,
            m.has_mental && v.has_mental,
        );
        let tags = if m.tag_total > 0.0 {
            self.common_weight(m.tags, v.tags) / m.tag_total
        } else {
            0.0
        };
        let stage = match (m.stage, v.stage) {
            (Some(x), Some(y)) if y > x => 1.0,
            (Some(x), Some(y)) if y == x => 0.5,
            (Some(_), Some(_)) => 0.0,
            _ => 0.5,
        };
        let age = age_proximity(m.age, v.age)
            * pref_factor(m.age_pref, m.step, m.age.is_some(), m.age == v.age, cfg);
        let gender = pref_factor(
            m.gender_pref,
            m.step,
            m.gender != NONE,
            m.gender == v.gender,
            cfg,
        );
        [
            condition,
            clamp01(tags),
            stage,
            availability(&m.avail, &v.avail, cfg),
            1.0,
            self.language(
                (m.langs, m.first_lang, m.first_is_session),
                (v.langs, v.first_lang, v.first_is_session),
            ),
            age,
            gender,
        ]
    }
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// A `must` on gender is met only by the same, known gender.
fn must_met(pref: Strength, own: u32, other: u32) -> bool {
    pref != Strength::Must || (own != NONE && own == other)
}

/// A `must` on age is met only by the same, known age band.
fn must_age_met(pref: Strength, own: Option<u8>, other: Option<u8>) -> bool {
    pref != Strength::Must || (own.is_some() && own == other)
}

fn level_allowed(level: Option<u8>, cfg: &Config) -> bool {
    cfg.level1_in_peer_rooms || level != Some(1)
}

/// One direction of a *prefer*: 1 when there is none (or it was relaxed, or the holder has no
/// value of their own), 1 when met, [`Config::unmet_preference`] when not.
fn pref_factor(pref: Strength, step: u8, has_own: bool, met: bool, cfg: &Config) -> f64 {
    if pref == Strength::Prefer && step == 0 && has_own && !met {
        cfg.unmet_preference
    } else {
        1.0
    }
}

fn age_proximity(a: Option<u8>, b: Option<u8>) -> f64 {
    match (a, b) {
        (Some(x), Some(y)) => (1.0 - f64::from(x.abs_diff(y)) / 5.0).max(0.0),
        _ => 0.5,
    }
}

fn availability(a: &[u64; 3], b: &[u64; 3], cfg: &Config) -> f64 {
    let full = f64::from(cfg.full_overlap_hours.max(1));
    (f64::from(shared_hours(a, b)) / full).min(1.0)
}

// ---------------------------------------------------------------------------------------------
// Public pairwise API
// ---------------------------------------------------------------------------------------------

/// Whether two members may be placed together in a pair or group (§4.2 as it applies to
/// peers): not the same user, same format (pair or group), a shared session language, no
/// exclusion, each side's `must` gender and age met, no level 1 unless
/// [`Config::level1_in_peer_rooms`], and condition relevance (a shared condition group or tag,
/// or a related group once either has relaxed). Availability is not a hard constraint: rooms
/// are persistent chat.
pub fn feasible_peer(
    a: &Person,
    b: &Person,
    vocab: &Vocab,
    excl: &Exclusions,
    cfg: &Config,
) -> bool {
    let batch = Batch::build(&[a, b], &[], vocab, excl, &HashMap::new(), cfg);
    match (batch.people.first(), batch.people.get(1)) {
        (Some(x), Some(y)) => batch.feasible_peer(x, y, cfg),
        _ => false,
    }
}

/// Whether a one-to-one request may go to a volunteer: not the same user, the request is
/// one-to-one, the volunteer has a free place, a shared session language, no exclusion, the
/// member's `must` gender and age met, and the volunteer covers the member's focus condition or
/// its group.
pub fn feasible_volunteer(m: &Person, v: &Volunteer, excl: &Exclusions, cfg: &Config) -> bool {
    let batch = Batch::build(&[m], &[v], &Vocab::new(), excl, &HashMap::new(), cfg);
    match (batch.people.first(), batch.volunteers.first()) {
        (Some(x), Some(y)) => batch.feasible_volunteer(x, y),
        _ => false,
    }
}

/// The soft score of two members (§4.3); symmetric in `a` and `b`. `idf` comes from
/// [`tag_idf`] over the waiting pool.
pub fn peer_score(
    a: &Person,
    b: &Person,
    vocab: &Vocab,
    idf: &HashMap<String, f64>,
    cfg: &Config,
) -> Score {
    let batch = Batch::build(&[a, b], &[], vocab, &Exclusions::new(), idf, cfg);
    match (batch.people.first(), batch.people.get(1)) {
        (Some(x), Some(y)) => Score::from_parts(batch.peer_parts(x, y, cfg), cfg),
        _ => Score::from_parts([0.0; 8], cfg),
    }
}

/// The soft score of a member with a volunteer (§4.3, volunteer column).
pub fn volunteer_score(
    m: &Person,
    v: &Volunteer,
    vocab: &Vocab,
    idf: &HashMap<String, f64>,
    cfg: &Config,
) -> Score {
    let batch = Batch::build(&[m], &[v], vocab, &Exclusions::new(), idf, cfg);
    match (batch.people.first(), batch.volunteers.first()) {
        (Some(x), Some(y)) => Score::from_parts(batch.volunteer_parts(x, y, cfg), cfg),
        _ => Score::from_parts([0.0; 8], cfg),
    }
}

// ---------------------------------------------------------------------------------------------
// Candidate edges for the pair solver
// ---------------------------------------------------------------------------------------------

type Heap = BinaryHeap<Reverse<(i64, Reverse<u32>)>>;

fn keep_top(heap: &mut Heap, k: usize, weight: i64, other: u32) {
    let item = Reverse((weight, Reverse(other)));
    if heap.len() < k {
        heap.push(item);
    } else if heap.peek().is_some_and(|worst| item < *worst) {
        // `Reverse` inverts: a smaller `Reverse` is a better edge.
        heap.pop();
        heap.push(item);
    }
}

/// Feasible, offered peer edges for the pair (or group) solver, as `(i, j, weight)` with
/// `i < j` indices into `people`, sorted; each person keeps its best `per_person` edges by
/// [`edge_weight`] (ties to the lower index) and the union is returned without duplicates.
///
/// Candidate generation: people are bucketed by (session language, focus group); each person
/// is compared once with everyone sharing a language whose focus group is the same as or related
/// to theirs (the mental-health rows only when both list a mental-health condition). Someone
/// left with fewer than `per_person` offered edges (a rare condition or a minority language) is
/// then compared with everyone sharing a language, so nobody with a feasible partner is lost to
/// the bucketing.
pub fn candidate_pairs(
    people: &[Person],
    vocab: &Vocab,
    excl: &Exclusions,
    cfg: &Config,
    per_person: usize,
) -> Vec<(u32, u32, i64)> {
    let n = people.len();
    if per_person == 0 || n < 2 || n > u32::MAX as usize / 2 {
        return Vec::new();
    }
    let refs: Vec<&Person> = people.iter().collect();
    let idf = tag_idf(&refs);
    let batch = Batch::build(&refs, &[], vocab, excl, &idf, cfg);
    let ng = batch.n_groups.max(1);

    // Related focus groups of each group: itself first, then its related groups with the
    // "both mental" flag.
    let related: Vec<Vec<(u32, bool)>> = (0..batch.n_groups as u32)
        .map(|g| {
            let mut list = vec![(g, false)];
            for h in 0..batch.n_groups as u32 {
                match batch.relation(g, h) {
                    1 => list.push((h, false)),
                    2 => list.push((h, true)),
                    _ => {}
                }
            }
            list
        })
        .collect();
    let mut by_focus: Vec<Vec<u32>> = vec![Vec::new(); batch.n_langs * ng];
    let mut by_lang: Vec<Vec<u32>> = vec![Vec::new(); batch.n_langs];
    for (i, p) in batch.people.iter().enumerate() {
        for l in batch.slice(p.langs) {
            if let Some(bucket) = by_lang.get_mut(*l as usize) {
                bucket.push(i as u32);
            }
            if p.focus_group != NONE
                && let Some(bucket) = by_focus.get_mut(*l as usize * ng + p.focus_group as usize)
            {
                bucket.push(i as u32);
            }
        }
    }
    let in_focus_range = |a: &Packed, b: &Packed| -> bool {
        a.focus_group != NONE
            && (a.focus_group == b.focus_group
                || batch.related(a.focus_group, b.focus_group, a.has_mental && b.has_mental))
    };

    let mut heaps: Vec<Heap> = (0..n).map(|_| Heap::new()).collect();
    let mut offered_count = vec![0usize; n];
    let mut seen = vec![u32::MAX; n];
    let consider = |i: usize, j: usize, heaps: &mut [Heap], count: &mut [usize]| {
        let (Some(a), Some(b)) = (batch.people.get(i), batch.people.get(j)) else {
            return;
        };
        if !batch.feasible_peer(a, b, cfg) {
            return;
        }
        let total = total_of(&batch.peer_parts(a, b, cfg), cfg);
        if !offered(total, a.step, b.step, cfg) {
            return;
        }
        let w = edge_weight(total, a.bonus, b.bonus);
        for (x, y) in [(i, j), (j, i)] {
            if let Some(h) = heaps.get_mut(x) {
                keep_top(h, per_person, w, y as u32);
            }
            if let Some(c) = count.get_mut(x) {
                *c += 1;
            }
        }
    };

    // Phase 1: same or related focus group, each unordered pair once (the relation is
    // symmetric, so the lower index finds the higher).
    for (i, a) in batch.people.iter().enumerate() {
        if a.focus_group == NONE {
            continue;
        }
        let stamp = i as u32;
        for l in batch.slice(a.langs) {
            for (g, needs_mental) in related.get(a.focus_group as usize).into_iter().flatten() {
                if *needs_mental && !a.has_mental {
                    continue;
                }
                let Some(bucket) = by_focus.get(*l as usize * ng + *g as usize) else {
                    continue;
                };
                let from = bucket.partition_point(|j| (*j as usize) <= i);
                for j in bucket.iter().skip(from) {
                    let j = *j as usize;
                    if seen.get(j) == Some(&stamp) {
                        continue;
                    }
                    if let Some(s) = seen.get_mut(j) {
                        *s = stamp;
                    }
                    let b_mental = batch.people.get(j).is_some_and(|b| b.has_mental);
                    if *needs_mental && !b_mental {
                        continue;
                    }
                    consider(i, j, &mut heaps, &mut offered_count);
                }
            }
        }
    }

    // Phase 2: widen thin people to everyone sharing a language.
    let widened: Vec<bool> = offered_count.iter().map(|c| *c < per_person).collect();
    for (i, a) in batch.people.iter().enumerate() {
        if !widened.get(i).copied().unwrap_or(false) {
            continue;
        }
        let stamp = (n + i) as u32;
        for l in batch.slice(a.langs) {
            for j in by_lang.get(*l as usize).into_iter().flatten() {
                let j = *j as usize;
                if j == i || seen.get(j) == Some(&stamp) {
                    continue;
                }
                if let Some(s) = seen.get_mut(j) {
                    *s = stamp;
                }
                let Some(b) = batch.people.get(j) else {
                    continue;
                };
                if in_focus_range(a, b) || (j < i && widened.get(j).copied().unwrap_or(false)) {
                    continue; // done in phase 1, or by j's own widening
                }
                consider(i, j, &mut heaps, &mut offered_count);
            }
        }
    }

    let mut edges: Vec<(u32, u32, i64)> = heaps
        .iter()
        .enumerate()
        .flat_map(|(i, h)| {
            h.iter().map(move |Reverse((w, Reverse(j)))| {
                let i = i as u32;
                (i.min(*j), i.max(*j), *w)
            })
        })
        .collect();
    edges.sort_unstable();
    edges.dedup();
    edges
}

// ---------------------------------------------------------------------------------------------
// Explanations (§4.7)
// ---------------------------------------------------------------------------------------------

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
    fn from_bin(bin: u8) -> Since {
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

fn language_fact(a: &Side, b: &Side) -> Option<Fact> {
    match (a.first_language, b.first_language) {
        (Some(x), Some(y))
            if x == y
                && a.session_languages.iter().any(|l| l == x)
                && b.session_languages.iter().any(|l| l == x) =>
        {
            Some(Fact::SameLanguage {
                language: x.to_string(),
            })
        }
        _ => None,
    }
}

/// The reader's side of an explanation and what it is about.
struct Explaining<'a> {
    reader: &'a Person,
    other: Side<'a>,
    other_person: Option<&'a Person>,
    volunteer_name: Option<&'a str>,
}

fn explain(
    x: &Explaining,
    score: &Score,
    idf: &HashMap<String, f64>,
    cfg: &Config,
) -> Vec<Fact> {
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
                shared_when(me.availability, other.availability, reader.utc_offset_minutes)
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
