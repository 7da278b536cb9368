//! The seeded vocabularies (conditions, groups, related groups, lived-experience tags). Read
//! once at start; they change only by migration.

use diesel::prelude::*;

use super::DbConn;
use super::schema::{
    condition_groups, conditions, experience_categories, experiences, related_condition_groups,
};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = condition_groups)]
pub struct ConditionGroup {
    pub id: String,
    pub label: String,
    pub icd10_chapter: String,
    pub position: i32,
    /// The words a sentence uses (after "live with"); see the explanation_words migration.
    pub phrase: Option<String>,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = conditions)]
pub struct Condition {
    pub id: String,
    pub group_id: String,
    pub label: String,
    pub qof_register: Option<String>,
    pub icd10_chapter: String,
    pub position: i32,
    /// The words a sentence uses (after "live with").
    pub phrase: Option<String>,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = related_condition_groups)]
pub struct RelatedGroups {
    pub group_a: String,
    pub group_b: String,
    pub requires_both_mental: bool,
    pub reason: String,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = experience_categories)]
pub struct ExperienceCategory {
    pub id: String,
    pub label: String,
    pub position: i32,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = experiences)]
pub struct Experience {
    pub id: String,
    pub category_id: String,
    pub label: String,
    pub sensitive: bool,
    pub derived_from_stage: bool,
    pub position: i32,
    /// The words a sentence uses (a plural verb phrase after "You both").
    pub phrase: Option<String>,
}

pub struct VocabularyRows {
    pub groups: Vec<ConditionGroup>,
    pub conditions: Vec<Condition>,
    pub related: Vec<RelatedGroups>,
    pub categories: Vec<ExperienceCategory>,
    pub experiences: Vec<Experience>,
}

pub fn load(conn: &mut DbConn) -> QueryResult<VocabularyRows> {
    Ok(VocabularyRows {
        groups: condition_groups::table
            .order(condition_groups::position)
            .select(ConditionGroup::as_select())
            .load(conn)?,
        conditions: conditions::table
            .order((conditions::group_id, conditions::position))
            .select(Condition::as_select())
            .load(conn)?,
        related: related_condition_groups::table
            .order((
                related_condition_groups::group_a,
                related_condition_groups::group_b,
            ))
            .select(RelatedGroups::as_select())
            .load(conn)?,
        categories: experience_categories::table
            .order(experience_categories::position)
            .select(ExperienceCategory::as_select())
            .load(conn)?,
        experiences: experiences::table
            .order((experiences::category_id, experiences::position))
            .select(Experience::as_select())
            .load(conn)?,
    })
}
