//! The vocabularies in memory: loaded once at start (they change only by migration), used to
//! validate ids without a query, and served as JSON with a strong ETag computed once.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::vocab::VocabularyRows;

#[derive(Serialize)]
struct GroupView<'a> {
    id: &'a str,
    label: &'a str,
    icd10_chapter: &'a str,
    related_groups: Vec<RelatedView<'a>>,
    conditions: Vec<ConditionView<'a>>,
}

#[derive(Serialize)]
struct RelatedView<'a> {
    group: &'a str,
    requires_both_mental: bool,
    reason: &'a str,
}

#[derive(Serialize)]
struct ConditionView<'a> {
    id: &'a str,
    label: &'a str,
    qof_register: Option<&'a str>,
    icd10_chapter: &'a str,
}

#[derive(Serialize)]
struct CategoryView<'a> {
    id: &'a str,
    label: &'a str,
    experiences: Vec<ExperienceView<'a>>,
}

#[derive(Serialize)]
struct ExperienceView<'a> {
    id: &'a str,
    label: &'a str,
    sensitive: bool,
    derived_from_stage: bool,
}

/// A rendered, cacheable document.
#[derive(Clone, Debug)]
pub struct Cached {
    pub json: String,
    pub etag: String,
}

impl Cached {
    fn new(json: String) -> Self {
        let etag = format!(
            "\"{}\"",
            &hex::encode(Sha256::digest(json.as_bytes()))[..32]
        );
        Cached { json, etag }
    }
}

#[derive(Clone, Debug)]
pub struct ConditionInfo {
    pub label: String,
    pub group_id: String,
}

#[derive(Clone, Debug)]
pub struct ExperienceInfo {
    pub label: String,
    pub sensitive: bool,
    /// Derived from the diagnosis date; left out of the tag score (MATCHING.md 5.4).
    pub derived_from_stage: bool,
}

pub struct Vocabulary {
    pub conditions: HashMap<String, ConditionInfo>,
    pub groups: HashMap<String, String>,
    pub experiences: HashMap<String, ExperienceInfo>,
    /// Normalised (a < b) related pairs → requires both to list a mental-health condition.
    pub related: HashMap<(String, String), bool>,
    /// The words a sentence uses for a condition, group or tag id, where the vocabulary gives
    /// them (migration `explanation_words`): conditions and groups read after "live with",
    /// tags after "You both". Not served: only explanations use them.
    pub phrases: HashMap<String, String>,
    pub conditions_doc: Cached,
    pub experiences_doc: Cached,
}

impl Vocabulary {
    pub fn build(rows: VocabularyRows) -> Result<Self, serde_json::Error> {
        let mut related_of: BTreeMap<&str, Vec<RelatedView<'_>>> = BTreeMap::new();
        for r in &rows.related {
            for (a, b) in [(&r.group_a, &r.group_b), (&r.group_b, &r.group_a)] {
                related_of.entry(a.as_str()).or_default().push(RelatedView {
                    group: b,
                    requires_both_mental: r.requires_both_mental,
                    reason: &r.reason,
                });
            }
        }
        let groups: Vec<GroupView<'_>> = rows
            .groups
            .iter()
            .map(|g| GroupView {
                id: &g.id,
                label: &g.label,
                icd10_chapter: &g.icd10_chapter,
                related_groups: related_of.remove(g.id.as_str()).unwrap_or_default(),
                conditions: rows
                    .conditions
                    .iter()
                    .filter(|c| c.group_id == g.id)
                    .map(|c| ConditionView {
                        id: &c.id,
                        label: &c.label,
                        qof_register: c.qof_register.as_deref(),
                        icd10_chapter: &c.icd10_chapter,
                    })
                    .collect(),
            })
            .collect();
        let conditions_doc = Cached::new(serde_json::to_string(&serde_json::json!({
            "source": "Kindred condition vocabulary (MATCHING.md §5.2–5.3); ids are stable",
            "groups": groups,
        }))?);
        let categories: Vec<CategoryView<'_>> = rows
            .categories
            .iter()
            .map(|cat| CategoryView {
                id: &cat.id,
                label: &cat.label,
                experiences: rows
                    .experiences
                    .iter()
                    .filter(|e| e.category_id == cat.id)
                    .map(|e| ExperienceView {
                        id: &e.id,
                        label: &e.label,
                        sensitive: e.sensitive,
                        derived_from_stage: e.derived_from_stage,
                    })
                    .collect(),
            })
            .collect();
        let experiences_doc = Cached::new(serde_json::to_string(&serde_json::json!({
            "source": "Kindred lived-experience tags (MATCHING.md §5.4); sensitive tags are not shared with matches unless the member says so",
            "categories": categories,
        }))?);
        Ok(Vocabulary {
            conditions: rows
                .conditions
                .iter()
                .map(|c| {
                    (
                        c.id.clone(),
                        ConditionInfo {
                            label: c.label.clone(),
                            group_id: c.group_id.clone(),
                        },
                    )
                })
                .collect(),
            groups: rows
                .groups
                .iter()
                .map(|g| (g.id.clone(), g.label.clone()))
                .collect(),
            experiences: rows
                .experiences
                .iter()
                .map(|e| {
                    (
                        e.id.clone(),
                        ExperienceInfo {
                            label: e.label.clone(),
                            sensitive: e.sensitive,
                            derived_from_stage: e.derived_from_stage,
                        },
                    )
                })
                .collect(),
            related: rows
                .related
                .iter()
                .map(|r| {
                    (
                        (r.group_a.clone(), r.group_b.clone()),
                        r.requires_both_mental,
                    )
                })
                .collect(),
            phrases: rows
                .groups
                .iter()
                .map(|g| (&g.id, &g.phrase))
                .chain(rows.conditions.iter().map(|c| (&c.id, &c.phrase)))
                .chain(rows.experiences.iter().map(|e| (&e.id, &e.phrase)))
                .filter_map(|(id, p)| p.as_ref().map(|p| (id.clone(), p.clone())))
                .collect(),
            conditions_doc,
            experiences_doc,
        })
    }

    /// The group of a condition id.
    pub fn group_of(&self, condition: &str) -> Option<&str> {
        self.conditions.get(condition).map(|c| c.group_id.as_str())
    }

    /// Label of a condition, group or tag id (the id itself if unknown).
    pub fn label(&self, id: &str) -> String {
        if let Some(c) = self.conditions.get(id) {
            return c.label.clone();
        }
        if let Some(e) = self.experiences.get(id) {
            return e.label.clone();
        }
        self.groups
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    /// The words an explanation uses for a condition, group or tag id; `None` when the
    /// vocabulary gives none, and then the fact is not put in a sentence.
    pub fn phrase(&self, id: &str) -> Option<String> {
        self.phrases.get(id).cloned()
    }

    pub fn is_condition(&self, id: &str) -> bool {
        self.conditions.contains_key(id)
    }

    pub fn is_experience(&self, id: &str) -> bool {
        self.experiences.contains_key(id)
    }

    /// Ids of sensitive tags.
    pub fn sensitive_experiences(&self) -> HashSet<&str> {
        self.experiences
            .iter()
            .filter(|(_, e)| e.sensitive)
            .map(|(id, _)| id.as_str())
            .collect()
    }
}
