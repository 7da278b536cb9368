//! What a group seat is explained with: from the reader's side, about the others in the group
//! ("Two others in this group also live with COPD."), never "you both"; and what a new group's
//! facilitator reads about the members.

use crate::matching::model::{Condition, Person};

use crate::matching::score::facts::Fact;

/// How many of `people` allow conditions to be shared and live with `condition` (by id) or,
/// with `group_only`, with any condition in its group.
fn sharing(people: &[&Person], condition: &Condition, group_only: bool) -> usize {
    people
        .iter()
        .filter(|p| {
            p.share_conditions
                && p.conditions.iter().any(|c| {
                    if group_only {
                        c.group == condition.group
                    } else {
                        c.id == condition.id
                    }
                })
        })
        .count()
}

/// The facts for `reader` taking a seat among `others` (the room's members, or the rest of a
/// new group) in a group whose condition group is `group`: how many others live with the
/// reader's focus condition; when none does, how many live with a condition in its group;
/// when none of that can be said (nobody shares, or the reader keeps conditions private),
/// what the group is for. Others are counted only when they allow conditions to be shared,
/// so a member with asthma joining a COPD group hears about the lung group, not asthma.
pub fn explain_seat(reader: &Person, others: &[&Person], group: &str) -> Vec<Fact> {
    if reader.share_conditions {
        let same = sharing(others, &reader.focus, false);
        if same > 0 {
            return vec![Fact::OthersShareCondition {
                condition: reader.focus.id.clone(),
                others: same,
            }];
        }
        let near = sharing(others, &reader.focus, true);
        if near > 0 {
            return vec![Fact::OthersShareGroup {
                group: reader.focus.group.clone(),
                others: near,
            }];
        }
    }
    vec![Fact::GroupFor {
        group: group.to_string(),
    }]
}

/// The facts for the facilitator of a new group of `members` formed around `focus`: the
/// group's size, how many members live with the focus condition, and, when more live with a
/// condition in its group, how many do; only members who allow conditions to be shared are
/// counted.
pub fn explain_to_facilitator(members: &[&Person], focus: &Condition) -> Vec<Fact> {
    let mut facts = vec![Fact::FacilitatingGroup {
        members: members.len(),
    }];
    let same = sharing(members, focus, false);
    let near = sharing(members, focus, true);
    if same > 0 {
        facts.push(Fact::MembersWithCondition {
            condition: focus.id.clone(),
            count: same,
        });
    }
    if near > same {
        facts.push(Fact::MembersWithGroup {
            group: focus.group.clone(),
            count: near,
        });
    }
    facts
}
