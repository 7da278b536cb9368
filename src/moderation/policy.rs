//! Who may act on whom: pure rules, no I/O. The services in `moderation::actions` and
//! `moderation::appeals` read the parties from the database and ask here first.
//!
//! - Nobody acts on themselves, nor on anyone of an equal or higher role (a moderator cannot
//!   sanction a moderator or an admin; an admin can sanction a moderator).
//! - Moderators and admins may take every action anywhere.
//! - A volunteer may take room-scoped actions (hide or unhide a message, mute or unmute) only
//!   in a room they staff as its facilitator, and only on members; every account-wide action
//!   (warn, remove, suspend, ban, reinstate) and every appeal is for moderators.
//! - Every action carries a reason: 1 to 1,000 characters after trimming.
//! - An appeal is decided by a moderator other than the one who acted.

use crate::domain::Role;

/// Longest reason or note, in characters after trimming.
pub const MAX_REASON_CHARS: usize = 1_000;
/// Longest appeal text, in characters after trimming.
pub const MAX_APPEAL_CHARS: usize = 4_000;
/// Longest mute: 30 days.
pub const MAX_MUTE_MINUTES: i64 = 30 * 24 * 60;
/// Longest suspension: a year (longer is a ban).
pub const MAX_SUSPENSION_DAYS: i64 = 365;
/// The categories an action may be filed under (the report categories; the sanction ladder
/// counts strikes per category).
pub const CATEGORIES: &[&str] = &[
    "self_harm",
    "abuse_harassment",
    "personal_info",
    "spam",
    "other",
];

/// One side of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Party<'a> {
    pub id: &'a str,
    pub role: Role,
}

/// What the action reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One message or one membership in one room; `actor_staffs` when the actor is the
    /// room's current facilitator.
    Room { actor_staffs: bool },
    /// The person's whole account, or their place in a room (removal).
    Account,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The actor's role cannot take this action at all.
    InsufficientRole,
    /// A volunteer acting in a room they do not staff.
    NotYourRoom,
    /// Acting on oneself.
    OwnAccount,
    /// The target's role is equal to or above the actor's.
    EqualOrHigherRole,
    /// Deciding an appeal against one's own action.
    OwnAction,
    ReasonRequired,
    ReasonTooLong,
}

impl Denial {
    pub fn code(self) -> &'static str {
        match self {
            Denial::InsufficientRole => "insufficient_role",
            Denial::NotYourRoom => "not_your_room",
            Denial::OwnAccount => "own_account",
            Denial::EqualOrHigherRole => "equal_or_higher_role",
            Denial::OwnAction => "own_action",
            Denial::ReasonRequired => "reason_required",
            Denial::ReasonTooLong => "reason_too_long",
        }
    }

    pub fn detail(self) -> &'static str {
        match self {
            Denial::InsufficientRole => "Your role does not allow this action.",
            Denial::NotYourRoom => "Volunteers act only in the rooms they facilitate.",
            Denial::OwnAccount => "Nobody takes a moderation action on themselves.",
            Denial::EqualOrHigherRole => {
                "Nobody takes a moderation action on someone of an equal or higher role."
            }
            Denial::OwnAction => {
                "An appeal is decided by a moderator other than the one who acted."
            }
            Denial::ReasonRequired => "Give a reason: the person is told it, and it is audited.",
            Denial::ReasonTooLong => "The reason is longer than 1000 characters.",
        }
    }
}

/// Whether `actor` may act on `target` within `scope`.
pub fn may_act(actor: Party<'_>, target: Party<'_>, scope: Scope) -> Result<(), Denial> {
    match (actor.role, scope) {
        (Role::Moderator | Role::Admin, _) => {}
        (Role::Volunteer, Scope::Room { actor_staffs: true }) => {}
        (
            Role::Volunteer,
            Scope::Room {
                actor_staffs: false,
            },
        ) => {
            return Err(Denial::NotYourRoom);
        }
        (Role::Volunteer, Scope::Account) | (Role::Member, _) => {
            return Err(Denial::InsufficientRole);
        }
    }
    if actor.id == target.id {
        return Err(Denial::OwnAccount);
    }
    if target.role >= actor.role {
        return Err(Denial::EqualOrHigherRole);
    }
    Ok(())
}

/// Whether `decider` may decide an appeal against an action taken by `acted_by` on
/// `appellant`: a moderator or admin, not the one who acted, not the appellant, and above
/// the appellant's role.
pub fn may_decide(decider: Party<'_>, acted_by: &str, appellant: Party<'_>) -> Result<(), Denial> {
    may_act(decider, appellant, Scope::Account)?;
    if decider.id == acted_by {
        return Err(Denial::OwnAction);
    }
    Ok(())
}

/// The reason, trimmed; required, at most [`MAX_REASON_CHARS`].
pub fn reason(raw: Option<&str>) -> Result<String, Denial> {
    let t = raw.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return Err(Denial::ReasonRequired);
    }
    if t.chars().count() > MAX_REASON_CHARS {
        return Err(Denial::ReasonTooLong);
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str, role: Role) -> Party<'_> {
        Party { id, role }
    }

    #[test]
    fn nobody_acts_on_an_equal_or_higher_role_or_themselves() {
        use Role::*;
        let cases = [
            (Moderator, Member, Ok(())),
            (Moderator, Volunteer, Ok(())),
            (Moderator, Moderator, Err(Denial::EqualOrHigherRole)),
            (Moderator, Admin, Err(Denial::EqualOrHigherRole)),
            (Admin, Moderator, Ok(())),
            (Admin, Admin, Err(Denial::EqualOrHigherRole)),
            (Member, Member, Err(Denial::InsufficientRole)),
            (Volunteer, Member, Err(Denial::InsufficientRole)),
        ];
        for (a, t, want) in cases {
            assert_eq!(
                may_act(p("a", a), p("t", t), Scope::Account),
                want,
                "{a:?} on {t:?}"
            );
        }
        assert_eq!(
            may_act(p("a", Admin), p("a", Admin), Scope::Account),
            Err(Denial::OwnAccount)
        );
        assert_eq!(
            may_act(p("a", Moderator), p("a", Moderator), Scope::Account),
            Err(Denial::OwnAccount)
        );
    }

    #[test]
    fn volunteers_act_only_in_rooms_they_staff_and_only_on_members() {
        use Role::*;
        let staffs = Scope::Room { actor_staffs: true };
        let elsewhere = Scope::Room {
            actor_staffs: false,
        };
        assert_eq!(may_act(p("v", Volunteer), p("m", Member), staffs), Ok(()));
        assert_eq!(
            may_act(p("v", Volunteer), p("m", Member), elsewhere),
            Err(Denial::NotYourRoom)
        );
        assert_eq!(
            may_act(p("v", Volunteer), p("w", Volunteer), staffs),
            Err(Denial::EqualOrHigherRole)
        );
        assert_eq!(
            may_act(p("m", Member), p("n", Member), staffs),
            Err(Denial::InsufficientRole)
        );
        // A moderator needs no room of their own.
        assert_eq!(
            may_act(p("x", Moderator), p("m", Member), elsewhere),
            Ok(())
        );
    }

    #[test]
    fn an_appeal_is_decided_by_someone_other_than_the_actor() {
        use Role::*;
        assert_eq!(
            may_decide(p("m1", Moderator), "m1", p("u", Member)),
            Err(Denial::OwnAction)
        );
        assert_eq!(may_decide(p("m2", Moderator), "m1", p("u", Member)), Ok(()));
        assert_eq!(
            may_decide(p("v", Volunteer), "m1", p("u", Member)),
            Err(Denial::InsufficientRole)
        );
    }

    #[test]
    fn a_reason_is_required_and_bounded() {
        assert_eq!(reason(None), Err(Denial::ReasonRequired));
        assert_eq!(reason(Some("  \n ")), Err(Denial::ReasonRequired));
        assert_eq!(reason(Some("  spam links ")), Ok("spam links".into()));
        assert!(reason(Some(&"é".repeat(MAX_REASON_CHARS))).is_ok());
        assert_eq!(
            reason(Some(&"é".repeat(MAX_REASON_CHARS + 1))),
            Err(Denial::ReasonTooLong)
        );
    }
}
