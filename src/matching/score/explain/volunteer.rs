//! What a volunteer reads about a one-to-one match: that they will support a member, and why,
//! in what the member allows to share.

use std::collections::HashMap;

use crate::matching::model::{Person, Volunteer};

use super::{Side, best_shared_tag, language_fact};
use crate::matching::score::facts::{Fact, Since};

/// Up to four facts for the volunteer matched one-to-one with `m`: who (a member, one-to-one),
/// then the member's focus condition ("You both live with …" when the volunteer lives with it
/// too and shares conditions, else "They live with …"), when the member was diagnosed, the
/// rarest tag both share, and a shared first language. Each only when the member allows it
/// (`share_conditions`, `share_stage`, `shared_tags`, `share_languages`); what it says of the
/// volunteer only when they allow it too.
pub fn explain_to_volunteer(v: &Volunteer, m: &Person, idf: &HashMap<String, f64>) -> Vec<Fact> {
    let (me, them) = (Side::volunteer(v), Side::person(m));
    let mut facts = vec![Fact::SupportingOneToOne];
    if m.share_conditions {
        let condition = m.focus.id.clone();
        facts.push(
            if v.share_conditions && me.conditions.contains(&condition.as_str()) {
                Fact::SameCondition { condition }
            } else {
                Fact::MemberLivesWith { condition }
            },
        );
    }
    if m.share_stage
        && let Some(bin) = m.stage_bin
    {
        facts.push(Fact::MemberSince {
            since: Since::from_bin(bin),
        });
    }
    if let Some(tag) = best_shared_tag(me.tags, me.shared_tags, them.tags, them.shared_tags, idf) {
        facts.push(Fact::SharedTag { tag });
    }
    if v.share_languages
        && m.share_languages
        && let Some(f) = language_fact(&me, &them)
    {
        facts.push(f);
    }
    facts.truncate(4);
    facts
}
