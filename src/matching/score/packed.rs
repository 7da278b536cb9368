//! The packed batch every scoring entry point runs on, and how it is built: people and
//! volunteers with their strings interned into small integers in sorted order (languages by
//! their [`match_key`], so `en-GB` and `en` are one language; the full first-language tag is
//! interned apart for the regional bonus), sets kept as
//! sorted id runs in one arena plus a 64-bit signature, group relations as a matrix and
//! exclusions as id pairs. The queries on a batch are in `sets`; the rules that use them are in
//! `constraints` and `soft`.

use std::collections::{HashMap, HashSet};

use crate::domain::language::match_key;
use crate::matching::model::{Config, Exclusions, Format, Person, Strength, Vocab, Volunteer};

use super::idf::DEFAULT_IDF;
use super::wait::{person_bonus, person_step};

pub(super) const NONE: u32 = u32::MAX;

/// A run of ids in an arena.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Span {
    pub(super) start: u32,
    pub(super) len: u32,
}

/// A set of interned ids: a sorted run in the arena and a signature with bit `id % 64` set.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Set {
    pub(super) span: Span,
    pub(super) sig: u64,
}

/// A person's features, interned.
#[derive(Clone, Debug)]
pub(super) struct Packed {
    pub(super) user: u32,
    pub(super) format: Format,
    pub(super) step: u8,
    pub(super) bonus: i64,
    /// Session languages by key.
    pub(super) langs: Set,
    /// First language by key.
    pub(super) first_lang: u32,
    /// First language as its full tag (region included).
    pub(super) first_tag: u32,
    pub(super) first_is_session: bool,
    pub(super) focus_cond: u32,
    pub(super) focus_group: u32,
    pub(super) conds: Span,
    pub(super) groups: Set,
    pub(super) tags: Set,
    pub(super) tag_total: f64,
    pub(super) stage: Option<u8>,
    pub(super) progressive: bool,
    pub(super) level: Option<u8>,
    pub(super) age: Option<u8>,
    pub(super) gender: u32,
    pub(super) gender_pref: Strength,
    pub(super) age_pref: Strength,
    pub(super) avail: [u64; 3],
    pub(super) has_mental: bool,
    pub(super) has_excl: bool,
}

/// A volunteer's features, interned.
#[derive(Clone, Debug)]
pub(super) struct PackedVolunteer {
    pub(super) user: u32,
    pub(super) langs: Set,
    pub(super) first_lang: u32,
    pub(super) first_tag: u32,
    pub(super) first_is_session: bool,
    pub(super) conds: Span,
    pub(super) supported_conds: Set,
    pub(super) supported_groups: Set,
    pub(super) tags: Set,
    pub(super) stage: Option<u8>,
    pub(super) age: Option<u8>,
    pub(super) gender: u32,
    pub(super) avail: [u64; 3],
    pub(super) has_mental: bool,
    pub(super) has_excl: bool,
    pub(super) free_one_to_one: u32,
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
pub(super) struct Batch {
    pub(super) people: Vec<Packed>,
    pub(super) volunteers: Vec<PackedVolunteer>,
    pub(super) ids: Vec<u32>,
    pub(super) conds: Vec<(u32, u32)>,
    pub(super) n_groups: usize,
    /// `rel[a * n_groups + b]`: 0 unrelated, 1 related, 2 related when both list mental health.
    pub(super) rel: Vec<u8>,
    pub(super) n_langs: usize,
    pub(super) lang_exact: bool,
    pub(super) group_exact: bool,
    pub(super) tag_exact: bool,
    pub(super) tag_weight: Vec<f64>,
    pub(super) excluded: HashSet<(u32, u32)>,
}

fn opt_str(s: &Option<String>) -> Option<&str> {
    s.as_deref()
}

impl Batch {
    pub(super) fn build(
        people: &[&Person],
        volunteers: &[&Volunteer],
        vocab: &Vocab,
        excl: &Exclusions,
        idf: &HashMap<String, f64>,
        cfg: &Config,
    ) -> Batch {
        // Languages are matched by key; keys are computed once per person here.
        let keys_of =
            |session: &[String], first: &Option<String>| -> (Vec<String>, Option<String>) {
                (
                    session.iter().map(|l| match_key(l)).collect(),
                    first.as_deref().map(match_key),
                )
            };
        let people_keys: Vec<(Vec<String>, Option<String>)> = people
            .iter()
            .map(|p| keys_of(&p.session_languages, &p.first_language))
            .collect();
        let volunteer_keys: Vec<(Vec<String>, Option<String>)> = volunteers
            .iter()
            .map(|v| keys_of(&v.session_languages, &v.first_language))
            .collect();
        let mut users = Vec::new();
        let mut langs = Vec::new();
        let mut first_tags = Vec::new();
        let mut groups = Vec::new();
        let mut conds = Vec::new();
        let mut tags = Vec::new();
        let mut genders = Vec::new();
        for p in people {
            users.push(p.user.as_str());
            first_tags.extend(opt_str(&p.first_language));
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
            first_tags.extend(opt_str(&v.first_language));
            groups.extend(v.groups_supported.iter().map(String::as_str));
            conds.extend(v.conditions_supported.iter().map(String::as_str));
            for c in &v.conditions {
                conds.push(c.id.as_str());
                groups.push(c.group.as_str());
            }
            tags.extend(v.tags.iter().map(String::as_str));
            genders.extend(opt_str(&v.gender));
        }
        for (session, first) in people_keys.iter().chain(&volunteer_keys) {
            langs.extend(session.iter().map(String::as_str));
            langs.extend(opt_str(first));
        }
        let users = Interner::new(users);
        let langs = Interner::new(langs);
        let first_tags = Interner::new(first_tags);
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

        for (p, (session, first)) in people.iter().zip(&people_keys) {
            let lang_set = b.push_set(session.iter().map(|l| langs.get(l)));
            let first_lang = opt_str(first).map_or(NONE, |l| langs.get(l));
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
                first_tag: opt_str(&p.first_language).map_or(NONE, |t| first_tags.get(t)),
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
        for (v, (session, first)) in volunteers.iter().zip(&volunteer_keys) {
            let lang_set = b.push_set(session.iter().map(|l| langs.get(l)));
            let first_lang = opt_str(first).map_or(NONE, |l| langs.get(l));
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
                first_tag: opt_str(&v.first_language).map_or(NONE, |t| first_tags.get(t)),
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
}
