//! The population's own copy of the vocabulary ids, so that it runs without a database: the
//! §5.2 conditions with rough prevalence weights and their groups, the §5.4 tags with their
//! `sensitive` flag, the other languages, and the §5.3 related-groups table built in code.

use crate::matching::model::Vocab;

/// The 54 condition ids of §5.2 with a rough prevalence weight (≈ % of adults).
pub const CONDITIONS: [(&str, f64); 54] = [
    ("heart.high_blood_pressure", 14.0),
    ("heart.coronary_heart_disease", 3.0),
    ("heart.heart_failure", 1.0),
    ("heart.atrial_fibrillation", 2.1),
    ("heart.stroke_tia", 1.9),
    ("heart.peripheral_arterial_disease", 0.6),
    ("lungs.asthma", 6.5),
    ("lungs.copd", 1.9),
    ("lungs.bronchiectasis", 0.5),
    ("lungs.pulmonary_fibrosis", 0.2),
    ("metabolic.type1_diabetes", 0.5),
    ("metabolic.type2_diabetes", 7.0),
    ("metabolic.prediabetes", 5.0),
    ("metabolic.thyroid", 3.5),
    ("metabolic.obesity", 9.0),
    ("kidney.ckd", 4.0),
    ("kidney.kidney_failure", 0.2),
    ("cancer.breast", 1.2),
    ("cancer.prostate", 0.9),
    ("cancer.bowel", 0.5),
    ("cancer.lung", 0.15),
    ("cancer.blood", 0.3),
    ("cancer.other", 0.9),
    ("neuro.epilepsy", 0.8),
    ("neuro.multiple_sclerosis", 0.2),
    ("neuro.parkinsons", 0.25),
    ("neuro.migraine", 3.0),
    ("neuro.dementia", 0.7),
    ("neuro.mnd", 0.02),
    ("mental.depression", 13.0),
    ("mental.anxiety", 6.0),
    ("mental.bipolar", 0.4),
    ("mental.psychosis", 0.5),
    ("mental.eating_disorder", 0.5),
    ("mental.ptsd", 1.0),
    ("mental.substance_recovery", 1.0),
    ("msk.osteoarthritis", 8.0),
    ("msk.rheumatoid_arthritis", 0.8),
    ("msk.osteoporosis", 1.0),
    ("msk.back_pain", 6.0),
    ("msk.lupus_autoimmune", 0.3),
    ("digestive.ibd", 0.5),
    ("digestive.ibs", 4.0),
    ("digestive.coeliac", 0.5),
    ("digestive.liver", 0.6),
    ("pain_fatigue.chronic_pain", 5.0),
    ("pain_fatigue.fibromyalgia", 1.0),
    ("pain_fatigue.me_cfs", 0.4),
    ("pain_fatigue.long_covid", 1.5),
    ("sensory.sight_loss", 1.5),
    ("sensory.hearing_loss", 4.0),
    ("other.hiv", 0.15),
    ("other.sickle_cell", 0.03),
    ("other.skin", 3.0),
];

/// The 12 condition groups of §5.2.
pub const GROUPS: [&str; 12] = [
    "heart",
    "lungs",
    "metabolic",
    "kidney",
    "cancer",
    "neuro",
    "mental",
    "msk",
    "digestive",
    "pain_fatigue",
    "sensory",
    "other",
];

/// The 30 lived-experience tags of §5.4 that are not derived from stage, most popular first,
/// with their `sensitive` flag. (`journey.newly_diagnosed` and `journey.long_term` come from
/// the diagnosis date and are left out of the tag score.)
pub const TAGS: [(&str, bool); 30] = [
    ("journey.more_than_one_condition", false),
    ("life.living_alone", false),
    ("work.working", false),
    ("feelings.loneliness", false),
    ("journey.flare_up", false),
    ("work.stopped", false),
    ("work.money_worries", true),
    ("life.carer", false),
    ("life.older_adult", false),
    ("journey.new_treatment", false),
    ("journey.waiting_for_treatment", false),
    ("feelings.body_image", true),
    ("life.parent", false),
    ("journey.progressive", true),
    ("life.cared_for", false),
    ("journey.waiting_for_diagnosis", false),
    ("feelings.bereavement", true),
    ("journey.after_hospital", false),
    ("identity.faith", true),
    ("work.returning", false),
    ("life.rural", false),
    ("journey.device_or_equipment", false),
    ("identity.ethnic_minority", true),
    ("feelings.relationship_change", true),
    ("journey.finished_treatment", false),
    ("life.young_adult", false),
    ("identity.neurodivergent", true),
    ("identity.lgbtq", true),
    ("work.student", false),
    ("life.pregnancy", true),
];

/// Languages other than English in the synthetic population.
pub const OTHER_LANGUAGES: [&str; 5] = ["pl", "ur", "pa", "ro", "bn"];

/// The related-groups table of §5.3, built in code: cardio-renal-metabolic, pain and fatigue,
/// breathlessness, and mental health with every other group when both people list a
/// mental-health condition. (Cancer subtypes already share a group.)
pub fn related_groups() -> Vocab {
    let mut v = Vocab::new();
    for (a, b) in [
        ("metabolic", "heart"),
        ("metabolic", "kidney"),
        ("msk", "pain_fatigue"),
        ("neuro", "pain_fatigue"),
        ("lungs", "heart"),
    ] {
        v.add_related(a, b, false);
    }
    for g in GROUPS {
        if g != "mental" {
            v.add_related("mental", g, true);
        }
    }
    v
}

/// The group of a condition id (`lungs.copd` → `lungs`).
pub fn group_of(condition: &str) -> &str {
    condition.split('.').next().unwrap_or(condition)
}

/// Whether a tag id is sensitive (§5.4); unknown ids are treated as sensitive.
pub fn is_sensitive(tag: &str) -> bool {
    TAGS.iter().find(|(t, _)| *t == tag).is_none_or(|(_, s)| *s)
}
