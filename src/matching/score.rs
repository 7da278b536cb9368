//! Scoring: the hard constraints of MATCHING.md §4.2, the soft score of §4.3, the wait bonus
//! and relaxation ladder of §4.6, the explanation facts of §4.7, and candidate-edge generation
//! for the pair solver.
//!
//! This module owns every rule that decides whether two people *may* be matched and how well
//! they fit. It must not do I/O, read the clock (waits arrive as seconds), hold vocabulary data
//! (labels come from a closure in [`render`]) or solve the assignment: the solvers take the
//! edges built here. Facts never carry scores, levels or any number shown to a person.
//!
//! How it works: every entry point packs its people into a batch (strings interned into small
//! integers in sorted order, sets kept as sorted id runs plus a 64-bit signature, related groups
//! as a matrix) and runs the same packed rules, so a pair scored on its own, through a
//! [`Scorer`] or inside [`candidate_pairs`] gives identical numbers. The free pairwise functions
//! pack on every call (a few µs); solvers that look at many pairs use a [`Scorer`] or
//! [`candidate_pairs`] (about 0.13 s for 5,000 waiting pair requests on one core).
//!
//! Relaxation: only step ≥ 1 changes anything here (related groups count for relevance, the
//! person's own *prefer*s are dropped, the minimum score falls to 25). Steps 2 and 3
//! (asynchronous pairing, hand-over to a coordinator) are the service's.
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
//!   in bin 0 and the other is in bin 3 with the tag `journey.progressive`. With the four bins
//!   of §4.3, 1 − |0 − 3|/3 is already 0, so the rule is a guard that keeps the intent if the
//!   bins or the formula change.
//! - Scores are normalised by the sum of the weights (the defaults sum to 100), then rounded to
//!   two decimals.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use serde::Serialize;

use super::model::{
    Config, Exclusions, Format, HOURS_PER_WEEK, Part, Person, Strength, Vocab, Volunteer, mask_has,
    shared_hours,
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
        self.tag_weight
            .get(tag as usize)
            .copied()
            .unwrap_or(DEFAULT_IDF)
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
        self.slice(a).iter().any(|g| {
            self.slice(b)
                .iter()
                .any(|h| self.related(*g, *h, both_mental))
        })
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

/// The same rules as [`feasible_peer`], [`peer_score`], [`feasible_volunteer`] and
/// [`volunteer_score`], for many pairs of one pool: the people and volunteers are packed once,
/// then addressed by their index in the slices given to [`Scorer::new`]. Use it wherever a
/// solver looks at many pairs (group planning, one-to-one assignment); the free functions pack
/// both sides on every call. Indices out of range are infeasible and score 0.
pub struct Scorer {
    batch: Batch,
    cfg: Config,
}

impl Scorer {
    /// Packs a pool. `idf` is usually [`tag_idf`] over the whole waiting pool.
    pub fn new(
        people: &[&Person],
        volunteers: &[&Volunteer],
        vocab: &Vocab,
        excl: &Exclusions,
        idf: &HashMap<String, f64>,
        cfg: &Config,
    ) -> Scorer {
        Scorer {
            batch: Batch::build(people, volunteers, vocab, excl, idf, cfg),
            cfg: *cfg,
        }
    }

    /// [`feasible_peer`] for people `i` and `j`.
    pub fn feasible_peer(&self, i: usize, j: usize) -> bool {
        match (self.batch.people.get(i), self.batch.people.get(j)) {
            (Some(a), Some(b)) => self.batch.feasible_peer(a, b, &self.cfg),
            _ => false,
        }
    }

    /// [`peer_score`] for people `i` and `j`.
    pub fn peer_score(&self, i: usize, j: usize) -> Score {
        let parts = match (self.batch.people.get(i), self.batch.people.get(j)) {
            (Some(a), Some(b)) => self.batch.peer_parts(a, b, &self.cfg),
            _ => [0.0; 8],
        };
        Score::from_parts(parts, &self.cfg)
    }

    /// The total of [`Scorer::peer_score`], without building the parts.
    pub fn peer_total(&self, i: usize, j: usize) -> f64 {
        match (self.batch.people.get(i), self.batch.people.get(j)) {
            (Some(a), Some(b)) => total_of(&self.batch.peer_parts(a, b, &self.cfg), &self.cfg),
            _ => 0.0,
        }
    }

    /// [`feasible_volunteer`] for person `i` and volunteer `v`.
    pub fn feasible_volunteer(&self, i: usize, v: usize) -> bool {
        match (self.batch.people.get(i), self.batch.volunteers.get(v)) {
            (Some(m), Some(x)) => self.batch.feasible_volunteer(m, x),
            _ => false,
        }
    }

    /// [`volunteer_score`] for person `i` and volunteer `v`.
    pub fn volunteer_score(&self, i: usize, v: usize) -> Score {
        let parts = match (self.batch.people.get(i), self.batch.volunteers.get(v)) {
            (Some(m), Some(x)) => self.batch.volunteer_parts(m, x, &self.cfg),
            _ => [0.0; 8],
        };
        Score::from_parts(parts, &self.cfg)
    }

    /// Person `i`'s relaxation step ([`person_step`]).
    pub fn step(&self, i: usize) -> u8 {
        self.batch.people.get(i).map_or(0, |p| p.step)
    }

    /// Person `i`'s wait bonus ([`person_bonus`]).
    pub fn bonus(&self, i: usize) -> i64 {
        self.batch.people.get(i).map_or(0, |p| p.bonus)
    }
}

// ---------------------------------------------------------------------------------------------
// Candidate edges for the pair solver
// ---------------------------------------------------------------------------------------------

/// Candidates are ranked by compatibility (`round(100·score)`), not by the solver weight:
/// ranking by weight would fill everyone's list with the longest-waiting people (whose
/// priority bonus dwarfs any score) and drop every edge between ordinary members, costing
/// several percent of the optimum. The weight rides along as the third element.
type Heap = BinaryHeap<Reverse<(i64, Reverse<u32>, i64)>>;

fn keep_top(heap: &mut Heap, k: usize, rank: i64, other: u32, weight: i64) {
    let item = Reverse((rank, Reverse(other), weight));
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
///
/// Tag weights come from [`tag_idf`] over `people`; use [`candidate_pairs_with_idf`] to pass
/// the table the rest of the tick uses, so that edge weights and stored scores agree.
pub fn candidate_pairs(
    people: &[Person],
    vocab: &Vocab,
    excl: &Exclusions,
    cfg: &Config,
    per_person: usize,
) -> Vec<(u32, u32, i64)> {
    let refs: Vec<&Person> = people.iter().collect();
    candidate_pairs_with_idf(people, vocab, excl, cfg, per_person, &tag_idf(&refs))
}

/// [`candidate_pairs`] with a given tag-weight table.
pub fn candidate_pairs_with_idf(
    people: &[Person],
    vocab: &Vocab,
    excl: &Exclusions,
    cfg: &Config,
    per_person: usize,
    idf: &HashMap<String, f64>,
) -> Vec<(u32, u32, i64)> {
    let n = people.len();
    if per_person == 0 || n < 2 || n > u32::MAX as usize / 2 {
        return Vec::new();
    }
    let refs: Vec<&Person> = people.iter().collect();
    let batch = Batch::build(&refs, &[], vocab, excl, idf, cfg);
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
    // People who can never be in a peer room (one-to-one requests, level 1 by default) are
    // left out of the buckets; everyone else is indexed by language and focus group.
    let eligible: Vec<bool> = batch
        .people
        .iter()
        .map(|p| p.format != Format::OneToOne && level_allowed(p.level, cfg))
        .collect();
    let mut by_focus: Vec<Vec<u32>> = vec![Vec::new(); batch.n_langs * ng];
    let mut by_lang: Vec<Vec<u32>> = vec![Vec::new(); batch.n_langs];
    for (i, p) in batch.people.iter().enumerate() {
        if !eligible.get(i).copied().unwrap_or(false) {
            continue;
        }
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
        let rank = edge_weight(total, 0, 0);
        for (x, y) in [(i, j), (j, i)] {
            if let Some(h) = heaps.get_mut(x) {
                keep_top(h, per_person, rank, y as u32, w);
            }
            if let Some(c) = count.get_mut(x) {
                *c += 1;
            }
        }
    };

    // Phase 1: same or related focus group, each unordered pair once (the relation is
    // symmetric, so the lower index finds the higher).
    for (i, a) in batch.people.iter().enumerate() {
        if a.focus_group == NONE || !eligible.get(i).copied().unwrap_or(false) {
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
    let widened: Vec<bool> = offered_count
        .iter()
        .zip(&eligible)
        .map(|(c, e)| *e && *c < per_person)
        .collect();
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
            h.iter().map(move |Reverse((_, Reverse(j), w))| {
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
mod tests {
    use super::super::model::{
        Condition, DAY_SECS, Day, Exclusions, Format, Part, Person, Strength, Vocab, Volunteer,
        availability_mask,
    };
    use super::super::population::{generate, related_groups};
    use super::*;

    const W: i64 = 7 * DAY_SECS;

    fn cond(id: &str) -> Condition {
        Condition::new(id, id.split('.').next().unwrap())
    }

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// A level-3, English-speaking woman aged 35–49 with COPD, diagnosed 6–24 months ago, free
    /// on Monday evenings (UTC), sharing everything, waiting for a pair.
    fn person(user: &str) -> Person {
        Person {
            key: format!("req-{user}"),
            user: user.to_string(),
            format: Format::Pair,
            focus: cond("lungs.copd"),
            conditions: vec![cond("lungs.copd")],
            has_mental: false,
            tags: Vec::new(),
            shared_tags: Vec::new(),
            stage_bin: Some(1),
            progressive: false,
            level: Some(3),
            session_languages: strs(&["en"]),
            first_language: Some("en".into()),
            age_band: Some(2),
            gender: Some("woman".into()),
            gender_pref: Strength::None,
            age_pref: Strength::None,
            availability: availability_mask(&[(Day::Mon, Part::Evening)], 0),
            utc_offset_minutes: 0,
            wait_secs: 0,
            share_conditions: true,
            share_stage: true,
            share_availability: true,
            share_languages: true,
        }
    }

    fn focus(p: &mut Person, ids: &[&str]) {
        p.conditions = ids.iter().map(|c| cond(c)).collect();
        p.focus = p.conditions[0].clone();
        p.has_mental = p.conditions.iter().any(|c| c.group == "mental");
    }

    fn tags(p: &mut Person, t: &[&str]) {
        p.tags = strs(t);
        p.shared_tags = strs(t);
    }

    /// A volunteer with COPD diagnosed over five years ago, supporting COPD and lungs.
    fn volunteer(user: &str) -> Volunteer {
        Volunteer {
            user: user.to_string(),
            conditions_supported: strs(&["lungs.copd"]),
            groups_supported: strs(&["lungs"]),
            conditions: vec![cond("lungs.copd")],
            has_mental: false,
            tags: Vec::new(),
            shared_tags: Vec::new(),
            stage_bin: Some(3),
            session_languages: strs(&["en"]),
            first_language: Some("en".into()),
            age_band: Some(2),
            gender: Some("woman".into()),
            availability: availability_mask(&[(Day::Mon, Part::Evening)], 0),
            free_one_to_one: 2,
            free_groups: 0,
            display_name: "Sam".into(),
            share_conditions: true,
            share_stage: true,
            share_availability: true,
            share_languages: true,
        }
    }

    fn member(user: &str) -> Person {
        let mut m = person(user);
        m.format = Format::OneToOne;
        m
    }

    fn idf(pairs: &[(&str, f64)]) -> HashMap<String, f64> {
        pairs.iter().map(|(t, w)| (t.to_string(), *w)).collect()
    }

    type PeerSetup = fn(&mut Person, &mut Person, &mut Exclusions, &mut Config);

    #[test]
    fn every_peer_hard_constraint_holds() {
        let rows: &[(&str, PeerSetup, bool)] = &[
            ("two compatible people are feasible", |_, _, _, _| {}, true),
            (
                "the same user is never matched with themself",
                |_, b, _, _| b.user = "a".into(),
                false,
            ),
            (
                "a block or cool-down excludes the pair",
                |_, _, e, _| e.add("b", "a"),
                false,
            ),
            (
                "an exclusion between others does not matter",
                |_, _, e, _| e.add("a", "c"),
                true,
            ),
            (
                "no shared session language",
                |_, b, _, _| {
                    b.session_languages = strs(&["pl"]);
                    b.first_language = Some("pl".into());
                },
                false,
            ),
            (
                "a shared second language is enough",
                |_, b, _, _| {
                    b.session_languages = strs(&["pl", "en"]);
                    b.first_language = Some("pl".into());
                },
                true,
            ),
            (
                "a must on gender met by the same gender",
                |a, _, _, _| a.gender_pref = Strength::Must,
                true,
            ),
            (
                "a must on gender not met",
                |a, b, _, _| {
                    a.gender_pref = Strength::Must;
                    b.gender = Some("man".into());
                },
                false,
            ),
            (
                "an unknown gender never meets a must",
                |a, b, _, _| {
                    a.gender_pref = Strength::Must;
                    b.gender = None;
                },
                false,
            ),
            (
                "the other side's must counts too",
                |a, b, _, _| {
                    b.gender_pref = Strength::Must;
                    a.gender = Some("man".into());
                },
                false,
            ),
            (
                "a must on age met by the same band",
                |a, _, _, _| a.age_pref = Strength::Must,
                true,
            ),
            (
                "a must on age is not met one band away",
                |a, b, _, _| {
                    a.age_pref = Strength::Must;
                    b.age_band = Some(3);
                },
                false,
            ),
            (
                "an unknown age band never meets a must",
                |a, b, _, _| {
                    a.age_pref = Strength::Must;
                    b.age_band = None;
                },
                false,
            ),
            (
                "a must is never relaxed by waiting",
                |a, b, _, _| {
                    a.gender_pref = Strength::Must;
                    b.gender = Some("man".into());
                    a.wait_secs = 3 * W;
                },
                false,
            ),
            (
                "an unmet prefer is not a hard constraint",
                |a, b, _, _| {
                    a.gender_pref = Strength::Prefer;
                    b.gender = Some("man".into());
                },
                true,
            ),
            (
                "level 1 is not placed in a peer room",
                |a, _, _, _| a.level = Some(1),
                false,
            ),
            (
                "level 1 on the other side either",
                |_, b, _, _| b.level = Some(1),
                false,
            ),
            (
                "level 1 is allowed when configured",
                |a, _, _, c| {
                    a.level = Some(1);
                    c.level1_in_peer_rooms = true;
                },
                true,
            ),
            (
                "an unknown level is allowed",
                |a, _, _, _| a.level = None,
                true,
            ),
            (
                "different groups and no shared tag are not relevant",
                |_, b, _, _| focus(b, &["msk.back_pain"]),
                false,
            ),
            (
                "a shared tag makes different groups relevant",
                |a, b, _, _| {
                    focus(b, &["msk.back_pain"]);
                    tags(a, &["life.carer"]);
                    tags(b, &["life.carer"]);
                },
                true,
            ),
            (
                "a shared secondary group is relevant",
                |_, b, _, _| focus(b, &["msk.back_pain", "lungs.asthma"]),
                true,
            ),
            (
                "a related group alone is not relevant before the wait",
                |_, b, _, _| focus(b, &["heart.heart_failure"]),
                false,
            ),
            (
                "a related group is relevant once one side has waited W",
                |a, b, _, _| {
                    focus(b, &["heart.heart_failure"]);
                    a.wait_secs = W;
                },
                true,
            ),
            (
                "either side's relaxation counts",
                |_, b, _, _| {
                    focus(b, &["heart.heart_failure"]);
                    b.wait_secs = W;
                },
                true,
            ),
            (
                "relaxation does not make unrelated groups relevant",
                |a, b, _, _| {
                    focus(b, &["msk.back_pain"]);
                    a.wait_secs = 3 * W;
                },
                false,
            ),
            (
                "a mental-health relation needs both to list one",
                |a, b, _, _| {
                    focus(a, &["mental.depression"]);
                    focus(b, &["heart.heart_failure"]);
                    a.wait_secs = W;
                },
                false,
            ),
            (
                "one-to-one requests are never peer-matched",
                |a, b, _, _| {
                    a.format = Format::OneToOne;
                    b.format = Format::OneToOne;
                },
                false,
            ),
            (
                "a pair request does not meet a group request",
                |_, b, _, _| b.format = Format::Group,
                false,
            ),
            (
                "two group requests are feasible",
                |a, b, _, _| {
                    a.format = Format::Group;
                    b.format = Format::Group;
                },
                true,
            ),
            (
                "availability is not a hard constraint",
                |_, b, _, _| b.availability = [0; 3],
                true,
            ),
        ];
        let vocab = related_groups();
        for (rule, setup, want) in rows {
            let (mut a, mut b) = (person("a"), person("b"));
            let mut excl = Exclusions::new();
            let mut cfg = Config::default();
            setup(&mut a, &mut b, &mut excl, &mut cfg);
            assert_eq!(feasible_peer(&a, &b, &vocab, &excl, &cfg), *want, "{rule}");
            assert_eq!(
                feasible_peer(&b, &a, &vocab, &excl, &cfg),
                *want,
                "{rule} (swapped)"
            );
        }
    }

    type VolunteerSetup = fn(&mut Person, &mut Volunteer, &mut Exclusions);

    #[test]
    fn every_volunteer_hard_constraint_holds() {
        let rows: &[(&str, VolunteerSetup, bool)] = &[
            (
                "a covering volunteer with a free place is feasible",
                |_, _, _| {},
                true,
            ),
            (
                "a member is never matched with themself",
                |_, v, _| v.user = "m".into(),
                false,
            ),
            (
                "a block or cool-down excludes the pair",
                |_, _, e| e.add("v", "m"),
                false,
            ),
            (
                "no shared session language",
                |_, v, _| v.session_languages = strs(&["pl"]),
                false,
            ),
            (
                "a volunteer at their caseload limit",
                |_, v, _| v.free_one_to_one = 0,
                false,
            ),
            (
                "covering the focus group is enough",
                |_, v, _| v.conditions_supported = strs(&["lungs.asthma"]),
                true,
            ),
            (
                "covering the focus condition is enough",
                |_, v, _| v.groups_supported.clear(),
                true,
            ),
            (
                "a volunteer for another group does not cover",
                |_, v, _| {
                    v.conditions_supported = strs(&["heart.heart_failure"]);
                    v.groups_supported = strs(&["heart"]);
                },
                false,
            ),
            (
                "a must on gender met",
                |m, _, _| m.gender_pref = Strength::Must,
                true,
            ),
            (
                "a must on gender not met",
                |m, v, _| {
                    m.gender_pref = Strength::Must;
                    v.gender = Some("man".into());
                },
                false,
            ),
            (
                "an unknown gender never meets a must",
                |m, v, _| {
                    m.gender_pref = Strength::Must;
                    v.gender = None;
                },
                false,
            ),
            (
                "a must on age not met",
                |m, v, _| {
                    m.age_pref = Strength::Must;
                    v.age_band = Some(4);
                },
                false,
            ),
            (
                "a must on age met",
                |m, _, _| m.age_pref = Strength::Must,
                true,
            ),
            (
                "a level-1 member can have a volunteer",
                |m, _, _| m.level = Some(1),
                true,
            ),
            (
                "only one-to-one requests go to volunteers",
                |m, _, _| m.format = Format::Pair,
                false,
            ),
        ];
        for (rule, setup, want) in rows {
            let (mut m, mut v) = (member("m"), volunteer("v"));
            let mut excl = Exclusions::new();
            setup(&mut m, &mut v, &mut excl);
            assert_eq!(
                feasible_volunteer(&m, &v, &excl, &Config::default()),
                *want,
                "{rule}"
            );
        }
    }

    type PeerTerm = fn(&mut Person, &mut Person);

    fn assert_close(got: f64, want: f64, what: &str) {
        assert!((got - want).abs() < 1e-9, "{what}: got {got}, want {want}");
    }

    #[test]
    fn every_peer_score_term_follows_its_definition() {
        let rows: &[(&str, Feature, PeerTerm, f64)] = &[
            ("same focus condition", Feature::Condition, |_, _| {}, 1.0),
            (
                "same group, other condition",
                Feature::Condition,
                |_, b| focus(b, &["lungs.asthma"]),
                0.5,
            ),
            (
                "related group",
                Feature::Condition,
                |_, b| focus(b, &["heart.heart_failure"]),
                0.25,
            ),
            (
                "unrelated groups",
                Feature::Condition,
                |_, b| focus(b, &["msk.back_pain"]),
                0.0,
            ),
            (
                "each side's focus against the other's conditions, averaged",
                Feature::Condition,
                |_, b| focus(b, &["lungs.asthma", "lungs.copd"]),
                0.75,
            ),
            (
                "a mental-health relation needs both to list one",
                Feature::Condition,
                |a, b| {
                    focus(a, &["heart.heart_failure"]);
                    focus(b, &["mental.anxiety"]);
                },
                0.0,
            ),
            (
                "with both listing one it scores as related",
                Feature::Condition,
                |a, b| {
                    focus(a, &["heart.heart_failure", "mental.depression"]);
                    focus(b, &["mental.anxiety"]);
                },
                0.375,
            ),
            ("no tags share nothing", Feature::Tags, |_, _| {}, 0.0),
            (
                "identical tags",
                Feature::Tags,
                |a, b| {
                    tags(a, &["x", "y"]);
                    tags(b, &["y", "x"]);
                },
                1.0,
            ),
            (
                "IDF-weighted Jaccard",
                Feature::Tags,
                |a, b| {
                    tags(a, &["x", "y"]);
                    tags(b, &["x", "z"]);
                },
                1.0 / 6.0,
            ),
            (
                "a rare shared tag counts more",
                Feature::Tags,
                |a, b| {
                    tags(a, &["x", "r"]);
                    tags(b, &["r"]);
                },
                0.75,
            ),
            (
                "a tag missing from the table weighs ln 2",
                Feature::Tags,
                |a, b| {
                    tags(a, &["unknown"]);
                    tags(b, &["unknown", "q"]);
                },
                0.5,
            ),
            ("same stage bin", Feature::Stage, |_, _| {}, 1.0),
            (
                "one bin apart",
                Feature::Stage,
                |_, b| b.stage_bin = Some(2),
                2.0 / 3.0,
            ),
            (
                "three bins apart",
                Feature::Stage,
                |a, b| {
                    a.stage_bin = Some(0);
                    b.stage_bin = Some(3);
                },
                0.0,
            ),
            (
                "unknown stage is neutral",
                Feature::Stage,
                |a, _| a.stage_bin = None,
                0.5,
            ),
            (
                "newly diagnosed with a progressive >5 y peer",
                Feature::Stage,
                |a, b| {
                    a.stage_bin = Some(0);
                    b.stage_bin = Some(3);
                    b.progressive = true;
                },
                0.0,
            ),
            (
                "the progressive penalty is only for >5 y",
                Feature::Stage,
                |a, b| {
                    a.stage_bin = Some(0);
                    b.stage_bin = Some(2);
                    b.progressive = true;
                },
                1.0 / 3.0,
            ),
            (
                "no shared hours",
                Feature::Availability,
                |_, b| b.availability = [0; 3],
                0.0,
            ),
            (
                "an hour outside the other's slots",
                Feature::Availability,
                |_, b| b.availability = [1 << 10, 0, 0],
                0.0,
            ),
            (
                "one shared hour of Monday evening",
                Feature::Availability,
                |_, b| b.availability = [1 << 18, 0, 0],
                1.0 / 3.0,
            ),
            (
                "three shared hours are enough",
                Feature::Availability,
                |_, b| b.availability = [0b111 << 18, 0, 0],
                1.0,
            ),
            (
                "six shared hours cap at one",
                Feature::Availability,
                |_, _| {},
                1.0,
            ),
            ("same level", Feature::Level, |_, _| {}, 1.0),
            (
                "one level apart",
                Feature::Level,
                |_, b| b.level = Some(2),
                2.0 / 3.0,
            ),
            (
                "three levels apart",
                Feature::Level,
                |a, b| {
                    a.level = Some(1);
                    b.level = Some(4);
                },
                0.0,
            ),
            (
                "unknown level is neutral",
                Feature::Level,
                |_, b| b.level = None,
                0.5,
            ),
            ("same first language", Feature::Language, |_, _| {}, 1.0),
            (
                "a shared second language",
                Feature::Language,
                |_, b| {
                    b.session_languages = strs(&["pl", "en"]);
                    b.first_language = Some("pl".into());
                },
                0.5,
            ),
            (
                "a first language that is not a session language",
                Feature::Language,
                |a, b| {
                    a.session_languages = strs(&["pl"]);
                    b.session_languages = strs(&["pl"]);
                },
                0.5,
            ),
            (
                "no shared language",
                Feature::Language,
                |_, b| {
                    b.session_languages = strs(&["pl"]);
                    b.first_language = Some("pl".into());
                },
                0.0,
            ),
            ("same age band", Feature::Age, |_, _| {}, 1.0),
            (
                "two bands apart",
                Feature::Age,
                |_, b| b.age_band = Some(4),
                0.6,
            ),
            (
                "five bands apart",
                Feature::Age,
                |a, b| {
                    a.age_band = Some(0);
                    b.age_band = Some(5);
                },
                0.0,
            ),
            (
                "unknown age band is neutral",
                Feature::Age,
                |_, b| b.age_band = None,
                0.5,
            ),
            (
                "an unmet age prefer",
                Feature::Age,
                |a, b| {
                    a.age_pref = Strength::Prefer;
                    b.age_band = Some(3);
                },
                0.8 * 0.3,
            ),
            (
                "a met age prefer",
                Feature::Age,
                |a, _| a.age_pref = Strength::Prefer,
                1.0,
            ),
            (
                "an age prefer is dropped at W",
                Feature::Age,
                |a, b| {
                    a.age_pref = Strength::Prefer;
                    a.wait_secs = W;
                    b.age_band = Some(3);
                },
                0.8,
            ),
            (
                "no gender preference",
                Feature::Gender,
                |_, b| b.gender = Some("man".into()),
                1.0,
            ),
            (
                "a met gender prefer",
                Feature::Gender,
                |a, _| a.gender_pref = Strength::Prefer,
                1.0,
            ),
            (
                "an unmet gender prefer",
                Feature::Gender,
                |a, b| {
                    a.gender_pref = Strength::Prefer;
                    b.gender = Some("man".into());
                },
                0.3,
            ),
            (
                "both directions unmet multiply",
                Feature::Gender,
                |a, b| {
                    a.gender_pref = Strength::Prefer;
                    b.gender_pref = Strength::Prefer;
                    b.gender = Some("man".into());
                },
                0.09,
            ),
            (
                "an unknown gender does not meet a prefer",
                Feature::Gender,
                |a, b| {
                    a.gender_pref = Strength::Prefer;
                    b.gender = None;
                },
                0.3,
            ),
            (
                "a prefer without one's own gender is ignored",
                Feature::Gender,
                |a, _| {
                    a.gender_pref = Strength::Prefer;
                    a.gender = None;
                },
                1.0,
            ),
            (
                "a gender prefer is dropped at W",
                Feature::Gender,
                |a, b| {
                    a.gender_pref = Strength::Prefer;
                    a.wait_secs = W;
                    b.gender = Some("man".into());
                },
                1.0,
            ),
        ];
        let vocab = related_groups();
        let table = idf(&[
            ("x", 1.0),
            ("y", 2.0),
            ("z", 3.0),
            ("r", 3.0),
            ("q", LN_2_TEST),
        ]);
        let cfg = Config::default();
        for (rule, feature, setup, want) in rows {
            let (mut a, mut b) = (person("a"), person("b"));
            setup(&mut a, &mut b);
            let s = peer_score(&a, &b, &vocab, &table, &cfg);
            assert_close(s.part(*feature), *want, rule);
            let t = peer_score(&b, &a, &vocab, &table, &cfg);
            assert_eq!(s, t, "{rule}: the score is symmetric");
        }
    }

    const LN_2_TEST: f64 = std::f64::consts::LN_2;

    type VolunteerTerm = fn(&mut Person, &mut Volunteer);

    #[test]
    fn every_volunteer_score_term_follows_its_definition() {
        let rows: &[(&str, Feature, VolunteerTerm, f64)] = &[
            (
                "the volunteer lives with the member's focus condition",
                Feature::Condition,
                |_, _| {},
                1.0,
            ),
            (
                "same group",
                Feature::Condition,
                |_, v| v.conditions = vec![cond("lungs.asthma")],
                0.5,
            ),
            (
                "related group",
                Feature::Condition,
                |_, v| v.conditions = vec![cond("heart.stroke_tia")],
                0.25,
            ),
            (
                "unrelated",
                Feature::Condition,
                |_, v| v.conditions = vec![cond("msk.back_pain")],
                0.0,
            ),
            (
                "coverage of the member's tags",
                Feature::Tags,
                |m, v| {
                    tags(m, &["x", "z"]);
                    v.tags = strs(&["x", "y"]);
                },
                0.25,
            ),
            (
                "full coverage",
                Feature::Tags,
                |m, v| {
                    tags(m, &["x"]);
                    v.tags = strs(&["x", "y"]);
                },
                1.0,
            ),
            (
                "a member with no tags is not covered",
                Feature::Tags,
                |_, v| v.tags = strs(&["x"]),
                0.0,
            ),
            ("the volunteer is ahead", Feature::Stage, |_, _| {}, 1.0),
            (
                "the same bin",
                Feature::Stage,
                |m, v| {
                    m.stage_bin = Some(3);
                    v.stage_bin = Some(3);
                },
                0.5,
            ),
            (
                "the volunteer is behind",
                Feature::Stage,
                |m, v| {
                    m.stage_bin = Some(3);
                    v.stage_bin = Some(2);
                },
                0.0,
            ),
            (
                "unknown stage is neutral",
                Feature::Stage,
                |m, _| m.stage_bin = None,
                0.5,
            ),
            (
                "level is handled by routing",
                Feature::Level,
                |m, _| m.level = Some(1),
                1.0,
            ),
            (
                "shared hours",
                Feature::Availability,
                |_, v| v.availability = [1 << 18, 0, 0],
                1.0 / 3.0,
            ),
            (
                "a shared second language",
                Feature::Language,
                |_, v| {
                    v.session_languages = strs(&["pl", "en"]);
                    v.first_language = Some("pl".into());
                },
                0.5,
            ),
            (
                "age proximity",
                Feature::Age,
                |_, v| v.age_band = Some(5),
                0.4,
            ),
            (
                "the member's unmet gender prefer",
                Feature::Gender,
                |m, v| {
                    m.gender_pref = Strength::Prefer;
                    v.gender = Some("man".into());
                },
                0.3,
            ),
            (
                "the member's prefer is dropped at W",
                Feature::Gender,
                |m, v| {
                    m.gender_pref = Strength::Prefer;
                    m.wait_secs = W;
                    v.gender = Some("man".into());
                },
                1.0,
            ),
        ];
        let vocab = related_groups();
        let table = idf(&[("x", 1.0), ("y", 2.0), ("z", 3.0)]);
        for (rule, feature, setup, want) in rows {
            let (mut m, mut v) = (member("m"), volunteer("v"));
            setup(&mut m, &mut v);
            let s = volunteer_score(&m, &v, &vocab, &table, &Config::default());
            assert_close(s.part(*feature), *want, rule);
        }
    }

    #[test]
    fn the_total_is_the_weighted_sum_to_two_decimals() {
        let vocab = related_groups();
        let cfg = Config::default();
        let (a, b) = (person("a"), person("b"));
        // Everything matches except tags (none): 100 − 20.
        assert_eq!(
            peer_score(&a, &b, &vocab, &HashMap::new(), &cfg).total,
            80.0
        );
        let mut c = person("c");
        focus(&mut c, &["lungs.asthma"]); // condition 0.5 → −15
        c.stage_bin = Some(2); // stage 2/3 → −4
        c.level = Some(2); // level 2/3 → −2.666…
        let s = peer_score(&a, &c, &vocab, &HashMap::new(), &cfg);
        assert_eq!(s.total, 58.33);
        assert_eq!(edge_weight(s.total, 0, 0), 5833);
        // Weights that do not sum to 100 are normalised.
        let mut doubled = cfg;
        doubled.weights.condition = 60.0;
        doubled.weights.tags = 40.0;
        doubled.weights.stage = 24.0;
        doubled.weights.availability = 24.0;
        doubled.weights.level = 16.0;
        doubled.weights.language = 12.0;
        doubled.weights.age = 12.0;
        doubled.weights.gender = 12.0;
        assert_eq!(
            peer_score(&a, &c, &vocab, &HashMap::new(), &doubled).total,
            58.33
        );
    }

    #[test]
    fn the_wait_bonus_follows_section_4_6() {
        let rows = [
            ("no wait", 0, 0),
            ("a negative wait counts as none", -5, 0),
            ("half the maximum wait", W / 2, 0),
            ("three quarters", 3 * W / 4, 500),
            ("just before W", W - 1, 2000),
            ("at W the priority bonus is added", W, 102_000),
            ("long past W it stays", 10 * W, 102_000),
            ("i64::MAX does not overflow", i64::MAX, 102_000),
        ];
        for (rule, wait, want) in rows {
            assert_eq!(wait_bonus(wait, W), want, "{rule}");
        }
        assert_eq!(
            wait_bonus(0, 0),
            102_000,
            "a zero W counts every wait as past it"
        );
    }

    #[test]
    fn the_relaxation_ladder_has_three_steps() {
        let rows = [
            (0, 0),
            (W - 1, 0),
            (W, 1),
            (3 * W / 2 - 1, 1),
            (3 * W / 2, 2),
            (2 * W - 1, 2),
            (2 * W, 3),
            (i64::MAX, 3),
            (i64::MIN, 0),
        ];
        for (wait, want) in rows {
            assert_eq!(relax_step(wait, W), want, "wait {wait}");
        }
    }

    #[test]
    fn edges_are_offered_from_40_or_from_25_after_relaxing() {
        let cfg = Config::default();
        let rows = [
            (40.0, 0, 0, true),
            (39.99, 0, 0, false),
            (25.0, 1, 0, true),
            (25.0, 0, 2, true),
            (24.99, 3, 3, false),
            (39.0, 0, 0, false),
        ];
        for (score, a, b, want) in rows {
            assert_eq!(offered(score, a, b, &cfg), want, "{score} {a} {b}");
        }
    }

    #[test]
    fn edge_weights_add_bonuses_to_the_score_in_hundredths() {
        assert_eq!(edge_weight(57.31, 0, 0), 5731);
        assert_eq!(edge_weight(100.0, 102_000, 102_000), 214_000);
        assert_eq!(edge_weight(f64::NAN, 7, 0), 7);
        assert_eq!(edge_weight(1.0, i64::MAX, i64::MAX), i64::MAX);
    }

    #[test]
    fn tag_weights_are_rarer_for_fewer_people() {
        let mut people: Vec<Person> = (0..4).map(|i| person(&format!("u{i}"))).collect();
        for p in &mut people {
            p.tags = strs(&["common"]);
        }
        people[0].tags = strs(&["common", "rare", "rare"]);
        let refs: Vec<&Person> = people.iter().collect();
        let w = tag_idf(&refs);
        assert_close(w["common"], 2f64.ln(), "a tag everyone has");
        assert_close(w["rare"], 5f64.ln(), "a tag one person has, listed twice");
    }

    fn labels(id: &str) -> String {
        match id {
            "lungs.copd" => "COPD",
            "lungs" => "a lung condition",
            "life.carer" => "caring for someone else",
            "pl" => "Polish",
            "en" => "English",
            other => other,
        }
        .to_string()
    }

    fn facts_for(a: &Person, b: &Person) -> Vec<Fact> {
        let table = idf(&[("life.carer", 2.0), ("work.working", 1.0)]);
        let s = peer_score(a, b, &related_groups(), &table, &Config::default());
        explain_pair(a, b, &s, &table, &Config::default())
    }

    #[test]
    fn an_explanation_gives_the_top_three_shareable_facts_in_plain_words() {
        let (mut a, mut b) = (person("a"), person("b"));
        tags(&mut a, &["life.carer"]);
        tags(&mut b, &["life.carer"]);
        let facts = facts_for(&a, &b);
        let words: Vec<String> = facts.iter().map(|f| render(f, &labels)).collect();
        assert_eq!(
            words,
            [
                "You both live with COPD.",
                "You're both caring for someone else.",
                "You were both diagnosed between six months and two years ago.",
            ]
        );
    }

    #[test]
    fn nothing_a_person_keeps_private_is_explained() {
        let (mut a, mut b) = (person("a"), person("b"));
        tags(&mut a, &["life.carer"]);
        tags(&mut b, &["life.carer"]);
        b.shared_tags.clear();
        b.share_conditions = false;
        a.share_stage = false;
        let facts = facts_for(&a, &b);
        assert!(facts.iter().all(|f| !matches!(
            f,
            Fact::SameCondition { .. } | Fact::SharedTag { .. } | Fact::SameStage { .. }
        )));
        assert_eq!(
            render(&facts[0], &labels),
            "You're both free on weekday evenings."
        );
        assert_eq!(
            render(&facts[1], &labels),
            "You both prefer to talk in English."
        );
    }

    #[test]
    fn weak_contributions_and_levels_are_never_explained() {
        let (a, mut b) = (person("a"), person("b"));
        b.stage_bin = Some(3); // f = 1/3
        b.availability = [0; 3];
        let facts = facts_for(&a, &b);
        assert!(facts.iter().all(|f| !matches!(
            f,
            Fact::SameStage { .. } | Fact::SimilarStage | Fact::SharedAvailability { .. }
        )));
        assert!(facts.len() <= 3);
    }

    #[test]
    fn availability_is_worded_in_the_readers_own_time() {
        let (mut a, mut b) = (person("a"), person("b"));
        a.share_conditions = false;
        a.share_stage = false;
        // Saturday morning in UTC+1 for both: the reader sees "weekend mornings".
        a.availability = availability_mask(&[(Day::Sat, Part::Morning)], 60);
        b.availability = a.availability;
        a.utc_offset_minutes = 60;
        let facts = facts_for(&a, &b);
        assert_eq!(
            facts[0],
            Fact::SharedAvailability {
                days: Days::Weekends,
                part: Part::Morning
            }
        );
        assert_eq!(
            render(&facts[0], &labels),
            "You're both free on weekend mornings."
        );
    }

    #[test]
    fn a_shared_first_language_is_explained_by_name() {
        let (mut a, mut b) = (person("a"), person("b"));
        for p in [&mut a, &mut b] {
            p.session_languages = strs(&["pl", "en"]);
            p.first_language = Some("pl".into());
            p.share_conditions = false;
            p.share_stage = false;
            p.share_availability = false;
        }
        let facts = facts_for(&a, &b);
        assert_eq!(
            render(&facts[0], &labels),
            "You both prefer to talk in Polish."
        );
    }

    #[test]
    fn a_relaxed_match_says_why_first() {
        let (mut a, mut b) = (person("a"), person("b"));
        focus(&mut b, &["heart.heart_failure"]);
        a.wait_secs = W;
        tags(&mut a, &["life.carer"]);
        tags(&mut b, &["life.carer"]);
        let facts = facts_for(&a, &b);
        assert_eq!(
            render(&facts[0], &labels),
            "We couldn't find someone with exactly the same condition this week, so we've \
             matched you with someone who shares caring for someone else."
        );
        assert!(!facts.iter().any(|f| matches!(f, Fact::SharedTag { .. })));
        // The other side did not wait, so hears no apology.
        assert!(
            !facts_for(&b, &a)
                .iter()
                .any(|f| matches!(f, Fact::Relaxed { .. }))
        );
    }

    #[test]
    fn a_volunteer_further_along_is_introduced_by_name() {
        let (m, v) = (member("m"), volunteer("v"));
        let cfg = Config::default();
        let s = volunteer_score(&m, &v, &related_groups(), &HashMap::new(), &cfg);
        let facts = explain_volunteer(&m, &v, &s, &HashMap::new(), &cfg);
        let words: Vec<String> = facts.iter().map(|f| render(f, &labels)).collect();
        assert_eq!(words[0], "You both live with COPD.");
        assert_eq!(
            words[1],
            "Sam was diagnosed more than five years ago and has trained as a peer supporter. \
             They've been where you are now."
        );
    }

    #[test]
    fn facts_serialise_as_tagged_objects() {
        let f = Fact::SameCondition {
            condition: "lungs.copd".into(),
        };
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            serde_json::json!({"kind": "same_condition", "condition": "lungs.copd"})
        );
        let f = Fact::SameStage {
            since: Since::UnderSixMonths,
        };
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            serde_json::json!({"kind": "same_stage", "since": "under_six_months"})
        );
    }

    #[test]
    fn rendered_facts_never_contain_numbers() {
        let pop = generate(300, 5, Format::Pair);
        let cfg = Config::default();
        let refs: Vec<&Person> = pop.people.iter().collect();
        let table = tag_idf(&refs);
        let mut seen = 0;
        for a in pop.people.iter().take(60) {
            for b in pop.people.iter().take(60) {
                let s = peer_score(a, b, &pop.vocab, &table, &cfg);
                for f in explain_pair(a, b, &s, &table, &cfg) {
                    let text = render(&f, &|_| "something".to_string());
                    assert!(!text.chars().any(|c| c.is_ascii_digit()), "{text}");
                    seen += 1;
                }
            }
        }
        assert!(seen > 1000);
    }

    fn brute_force_has_partner(people: &[Person], vocab: &Vocab, excl: &Exclusions) -> Vec<bool> {
        let cfg = Config::default();
        let refs: Vec<&Person> = people.iter().collect();
        let table = tag_idf(&refs);
        let mut has = vec![false; people.len()];
        for i in 0..people.len() {
            for j in i + 1..people.len() {
                let (a, b) = (&people[i], &people[j]);
                if feasible_peer(a, b, vocab, excl, &cfg) {
                    let s = peer_score(a, b, vocab, &table, &cfg);
                    if offered(s.total, person_step(a, &cfg), person_step(b, &cfg), &cfg) {
                        has[i] = true;
                        has[j] = true;
                    }
                }
            }
        }
        has
    }

    #[test]
    fn candidate_edges_agree_with_the_pairwise_rules() {
        let pop = generate(400, 17, Format::Pair);
        let mut excl = Exclusions::new();
        excl.add(&pop.people[0].user, &pop.people[1].user);
        let cfg = Config::default();
        let edges = candidate_pairs(&pop.people, &pop.vocab, &excl, &cfg, 5);
        let refs: Vec<&Person> = pop.people.iter().collect();
        let table = tag_idf(&refs);
        assert!(!edges.is_empty());
        assert!(
            edges
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
        );
        for (i, j, w) in &edges {
            assert!(i < j);
            let (a, b) = (&pop.people[*i as usize], &pop.people[*j as usize]);
            assert!(feasible_peer(a, b, &pop.vocab, &excl, &cfg));
            let s = peer_score(a, b, &pop.vocab, &table, &cfg);
            assert!(offered(
                s.total,
                person_step(a, &cfg),
                person_step(b, &cfg),
                &cfg
            ));
            assert_eq!(
                *w,
                edge_weight(s.total, person_bonus(a, &cfg), person_bonus(b, &cfg))
            );
        }
        assert!(!edges.iter().any(|(i, j, _)| (*i, *j) == (0, 1)));
        // Nobody with an offered partner is left without an edge.
        let has = brute_force_has_partner(&pop.people, &pop.vocab, &excl);
        for (k, want) in has.iter().enumerate() {
            let got = edges
                .iter()
                .any(|(i, j, _)| *i as usize == k || *j as usize == k);
            assert_eq!(got, *want, "person {k}");
        }
    }

    #[test]
    fn each_person_keeps_their_best_edges() {
        let pop = generate(300, 23, Format::Group);
        let cfg = Config::default();
        let k = 3;
        let edges = candidate_pairs(&pop.people, &pop.vocab, &Exclusions::new(), &cfg, k);
        let all = candidate_pairs(&pop.people, &pop.vocab, &Exclusions::new(), &cfg, 10_000);
        // Candidates are people in the same or a related focus group; someone with fewer
        // than k of those is compared with everyone.
        let in_range = |i: u32, j: u32| {
            let (a, b) = (&pop.people[i as usize], &pop.people[j as usize]);
            a.focus.group == b.focus.group
                || pop
                    .vocab
                    .relation(&a.focus.group, &b.focus.group)
                    .is_some_and(|m| !m || (a.has_mental && b.has_mental))
        };
        let n = pop.people.len() as u32;
        let mine = |p: u32| -> Vec<&(u32, u32, i64)> {
            all.iter().filter(|(i, j, _)| *i == p || *j == p).collect()
        };
        let widened: Vec<bool> = (0..n)
            .map(|p| mine(p).iter().filter(|(i, j, _)| in_range(*i, *j)).count() < k)
            .collect();
        for p in 0..n {
            let other = |(i, j, _): &&(u32, u32, i64)| if *i == p { *j } else { *i };
            let pool: Vec<&(u32, u32, i64)> = mine(p)
                .into_iter()
                .filter(|e| widened[p as usize] || widened[other(e) as usize] || in_range(e.0, e.1))
                .collect();
            // Ranked by compatibility: the weight without either person's wait bonus.
            let rank = |(i, j, w): &(u32, u32, i64)| {
                w - person_bonus(&pop.people[*i as usize], &cfg)
                    - person_bonus(&pop.people[*j as usize], &cfg)
            };
            let mut best: Vec<i64> = pool.iter().map(|e| rank(e)).collect();
            best.sort_unstable_by(|x, y| y.cmp(x));
            for r in best.iter().take(k) {
                assert!(
                    edges
                        .iter()
                        .any(|e| (e.0 == p || e.1 == p) && rank(e) == *r),
                    "person {p} lost a partner of compatibility {r}"
                );
            }
        }
        assert!(edges.len() < all.len());
        assert_eq!(
            edges,
            candidate_pairs(&pop.people, &pop.vocab, &Exclusions::new(), &cfg, k),
            "the same input gives the same edges"
        );
    }

    #[test]
    fn minority_languages_and_rare_conditions_are_widened() {
        // Two Polish speakers with unrelated conditions who share a tag: outside each other's
        // focus buckets, found by widening.
        let (mut a, mut b) = (person("a"), person("b"));
        focus(&mut b, &["msk.back_pain"]);
        for p in [&mut a, &mut b] {
            p.session_languages = strs(&["pl"]);
            p.first_language = Some("pl".into());
            tags(p, &["life.carer", "work.working"]);
        }
        let mut people = vec![a, b];
        people.extend((0..20).map(|i| person(&format!("en{i}"))));
        let edges = candidate_pairs(
            &people,
            &related_groups(),
            &Exclusions::new(),
            &Config::default(),
            5,
        );
        assert!(edges.iter().any(|(i, j, _)| (*i, *j) == (0, 1)));
    }

    #[test]
    fn many_distinct_ids_take_the_general_path_with_the_same_numbers() {
        // More than 64 tags and languages: sets are compared by merging, not by signature.
        let mut people: Vec<Person> = (0..80)
            .map(|i| {
                let mut p = person(&format!("u{i}"));
                tags(
                    &mut p,
                    &[
                        &format!("t{i}"),
                        &format!("t{}", (i + 1) % 80),
                        "life.carer",
                    ],
                );
                p.session_languages =
                    vec![format!("l{i}"), format!("l{}", (i + 7) % 80), "en".into()];
                p.first_language = Some(format!("l{i}"));
                p
            })
            .collect();
        people[3].session_languages = strs(&["zz"]);
        let cfg = Config::default();
        let vocab = related_groups();
        let edges = candidate_pairs(&people, &vocab, &Exclusions::new(), &cfg, 80);
        let refs: Vec<&Person> = people.iter().collect();
        let table = tag_idf(&refs);
        assert_eq!(
            edges.len(),
            79 * 78 / 2,
            "everyone but the zz speaker pairs up"
        );
        for (i, j, w) in &edges {
            let (a, b) = (&people[*i as usize], &people[*j as usize]);
            let s = peer_score(a, b, &vocab, &table, &cfg);
            assert_eq!(*w, edge_weight(s.total, 0, 0), "{i}–{j}");
        }
    }

    #[test]
    fn degenerate_inputs_give_no_edges() {
        let vocab = related_groups();
        let cfg = Config::default();
        let one = vec![person("a")];
        assert!(candidate_pairs(&one, &vocab, &Exclusions::new(), &cfg, 5).is_empty());
        let two = vec![person("a"), person("b")];
        assert!(candidate_pairs(&two, &vocab, &Exclusions::new(), &cfg, 0).is_empty());
        assert_eq!(
            candidate_pairs(&two, &vocab, &Exclusions::new(), &cfg, 1).len(),
            1
        );
    }

    #[test]
    fn a_packed_pool_scores_exactly_like_the_pairwise_functions() {
        let pop = generate(120, 31, Format::Pair);
        let one = generate(40, 32, Format::OneToOne);
        let mut excl = Exclusions::new();
        excl.add(&pop.people[0].user, &pop.people[1].user);
        excl.add(&one.people[0].user, &one.volunteers[0].user);
        let cfg = Config::default();
        let people: Vec<&Person> = pop.people.iter().chain(&one.people).collect();
        let vols: Vec<&Volunteer> = one.volunteers.iter().collect();
        let table = tag_idf(&people);
        let scorer = Scorer::new(&people, &vols, &pop.vocab, &excl, &table, &cfg);
        for (i, a) in people.iter().enumerate() {
            assert_eq!(scorer.step(i), person_step(a, &cfg));
            assert_eq!(scorer.bonus(i), person_bonus(a, &cfg));
            for (j, b) in people.iter().enumerate().step_by(7) {
                assert_eq!(
                    scorer.feasible_peer(i, j),
                    feasible_peer(a, b, &pop.vocab, &excl, &cfg)
                );
                let s = peer_score(a, b, &pop.vocab, &table, &cfg);
                assert_eq!(scorer.peer_total(i, j), s.total);
                assert_eq!(scorer.peer_score(i, j), s);
            }
            for (v, x) in vols.iter().enumerate() {
                assert_eq!(
                    scorer.feasible_volunteer(i, v),
                    feasible_volunteer(a, x, &excl, &cfg)
                );
                assert_eq!(
                    scorer.volunteer_score(i, v),
                    volunteer_score(a, x, &pop.vocab, &table, &cfg)
                );
            }
        }
        assert!(!scorer.feasible_peer(0, people.len()));
        assert_eq!(scorer.peer_total(people.len(), 0), 0.0);
    }

    #[test]
    fn candidate_weights_use_the_given_tag_table() {
        let (mut a, mut b) = (person("a"), person("b"));
        tags(&mut a, &["x"]);
        tags(&mut b, &["x", "y"]);
        let people = vec![a, b];
        let (vocab, cfg, excl) = (related_groups(), Config::default(), Exclusions::new());
        let table = idf(&[("x", 1.0), ("y", 3.0)]);
        let edges = candidate_pairs_with_idf(&people, &vocab, &excl, &cfg, 5, &table);
        let s = peer_score(&people[0], &people[1], &vocab, &table, &cfg);
        assert_eq!(edges, vec![(0, 1, edge_weight(s.total, 0, 0))]);
        assert_ne!(
            candidate_pairs(&people, &vocab, &excl, &cfg, 5),
            edges,
            "the pool's own table weighs x and y equally"
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const CONDS: [&str; 8] = [
            "lungs.copd",
            "lungs.asthma",
            "heart.heart_failure",
            "metabolic.type2_diabetes",
            "mental.depression",
            "mental.anxiety",
            "msk.back_pain",
            "pain_fatigue.chronic_pain",
        ];
        const TAG_IDS: [&str; 6] = ["a", "b", "c", "d", "e", "journey.progressive"];
        const LANGS: [&str; 3] = ["en", "pl", "ur"];
        const GENDERS: [&str; 3] = ["woman", "man", "non_binary"];

        fn strength() -> impl Strategy<Value = Strength> {
            prop_oneof![
                Just(Strength::None),
                Just(Strength::Prefer),
                Just(Strength::Must)
            ]
        }

        prop_compose! {
            fn arb_person(user: &'static str)(
                conds in proptest::sample::subsequence(CONDS.to_vec(), 1..4),
                first in 0usize..3,
                tag_ids in proptest::sample::subsequence(TAG_IDS.to_vec(), 0..5),
                shared in any::<[bool; 6]>(),
                langs in proptest::sample::subsequence(LANGS.to_vec(), 1..3),
                first_lang in proptest::option::of(proptest::sample::select(LANGS.to_vec())),
                stage in proptest::option::of(0u8..4),
                level in proptest::option::of(1u8..=4),
                age in proptest::option::of(0u8..6),
                gender in proptest::option::of(proptest::sample::select(GENDERS.to_vec())),
                gender_pref in strength(),
                age_pref in strength(),
                avail in any::<[u64; 3]>(),
                offset in prop_oneof![Just(0), Just(60), Just(-300)],
                wait in 0i64..30 * DAY_SECS,
                group in any::<bool>(),
                share in any::<[bool; 4]>(),
            ) -> Person {
                let mut p = person(user);
                let conds: Vec<&str> = conds;
                let f = first % conds.len();
                let mut ordered = vec![conds[f]];
                ordered.extend(conds.iter().enumerate().filter(|(i, _)| *i != f).map(|(_, c)| *c));
                focus(&mut p, &ordered);
                p.tags = strs(&tag_ids);
                p.shared_tags = tag_ids.iter().zip(shared).filter(|(_, s)| *s).map(|(t, _)| t.to_string()).collect();
                p.progressive = p.tags.iter().any(|t| t == "journey.progressive");
                p.session_languages = strs(&langs);
                p.first_language = first_lang.map(str::to_string);
                p.stage_bin = stage;
                p.level = level;
                p.age_band = age;
                p.gender = gender.map(str::to_string);
                p.gender_pref = gender_pref;
                p.age_pref = age_pref;
                p.availability = [avail[0], avail[1], avail[2] & ((1u64 << 40) - 1)];
                p.utc_offset_minutes = offset;
                p.wait_secs = wait;
                p.format = if group { Format::Group } else { Format::Pair };
                [p.share_conditions, p.share_stage, p.share_availability, p.share_languages] = share;
                p
            }
        }

        proptest! {
            #[test]
            fn peer_scores_are_bounded_and_symmetric(a in arb_person("a"), b in arb_person("b")) {
                let vocab = related_groups();
                let cfg = Config::default();
                let table = tag_idf(&[&a, &b]);
                let s = peer_score(&a, &b, &vocab, &table, &cfg);
                prop_assert!((0.0..=100.0).contains(&s.total));
                prop_assert!(s.parts.iter().all(|(_, f)| (0.0..=1.0).contains(f)));
                prop_assert_eq!(&s, &peer_score(&b, &a, &vocab, &table, &cfg));
                prop_assert_eq!((s.total * 100.0).round() / 100.0, s.total);
            }

            #[test]
            fn peer_feasibility_is_symmetric(a in arb_person("a"), b in arb_person("b"), excluded in any::<bool>()) {
                let vocab = related_groups();
                let cfg = Config::default();
                let mut excl = Exclusions::new();
                if excluded {
                    excl.add("a", "b");
                }
                let ab = feasible_peer(&a, &b, &vocab, &excl, &cfg);
                prop_assert_eq!(ab, feasible_peer(&b, &a, &vocab, &excl, &cfg));
                if excluded {
                    prop_assert!(!ab);
                }
            }

            #[test]
            fn volunteer_scores_are_bounded(m in arb_person("m"), p in arb_person("v")) {
                let mut v = volunteer("v");
                v.conditions = p.conditions.clone();
                v.has_mental = p.has_mental;
                v.tags = p.tags.clone();
                v.stage_bin = p.stage_bin;
                v.session_languages = p.session_languages.clone();
                v.age_band = p.age_band;
                v.gender = p.gender.clone();
                v.availability = p.availability;
                let s = volunteer_score(&m, &v, &related_groups(), &tag_idf(&[&m]), &Config::default());
                prop_assert!((0.0..=100.0).contains(&s.total));
                prop_assert!(s.parts.iter().all(|(_, f)| (0.0..=1.0).contains(f)));
            }

            #[test]
            fn edge_weights_never_overflow(total in 0.0f64..=100.0, wa in any::<i64>(), wb in any::<i64>(), max in 1i64..=30 * DAY_SECS) {
                let (ba, bb) = (wait_bonus(wa, max), wait_bonus(wb, max));
                prop_assert!((0..=WAIT_BONUS_MAX + PRIORITY_BONUS).contains(&ba));
                let w = edge_weight(total, ba, bb);
                prop_assert_eq!(w, (100.0 * total).round() as i64 + ba + bb);
                prop_assert!(w <= 10_000 + 2 * (WAIT_BONUS_MAX + PRIORITY_BONUS));
                // Even a sum over a large batch of maximal edges fits in i64.
                prop_assert!(w.checked_mul(1_000_000).is_some());
            }

            #[test]
            fn waiting_longer_never_lowers_the_bonus_or_the_step(w1 in any::<i64>(), w2 in any::<i64>(), max in 1i64..=30 * DAY_SECS) {
                let (lo, hi) = (w1.min(w2), w1.max(w2));
                prop_assert!(wait_bonus(lo, max) <= wait_bonus(hi, max));
                prop_assert!(relax_step(lo, max) <= relax_step(hi, max));
            }

            #[test]
            fn batch_edges_match_pairwise_scores(people in proptest::collection::vec(arb_person("x"), 2..12)) {
                let people: Vec<Person> = people
                    .into_iter()
                    .enumerate()
                    .map(|(i, mut p)| { p.user = format!("u{}", i / 2); p })
                    .collect();
                let vocab = related_groups();
                let cfg = Config::default();
                let refs: Vec<&Person> = people.iter().collect();
                let table = tag_idf(&refs);
                let edges = candidate_pairs(&people, &vocab, &Exclusions::new(), &cfg, 100);
                for (i, j, w) in &edges {
                    let (a, b) = (&people[*i as usize], &people[*j as usize]);
                    prop_assert!(feasible_peer(a, b, &vocab, &Exclusions::new(), &cfg));
                    let s = peer_score(a, b, &vocab, &table, &cfg);
                    prop_assert_eq!(*w, edge_weight(s.total, person_bonus(a, &cfg), person_bonus(b, &cfg)));
                }
            }
        }
    }
}
