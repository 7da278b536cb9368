//! A moderator withdraws volunteer status ([`withdraw`]), with a reason the volunteer is shown
//! (in `GET /me` and by email). In one transaction, audited:
//!
//! - the record is kept, marked withdrawn with the reason, and stops accepting: the volunteer
//!   is not offered a match from the next tick on, and can neither renew nor change settings;
//!   a pending renewal is closed as rejected; a `volunteer` becomes a `member` (a moderator or
//!   admin keeps their role);
//! - their facilitator seats end at once (a withdrawal may be for safeguarding reasons, so they
//!   do not stay beside the people they supported). A one-to-one room ends, as it would if
//!   they had left it, and its member is emailed that the volunteer is no longer volunteering
//!   (never why) and invited to ask again. A group they facilitated stays open for its members,
//!   who are emailed that the facilitator has stepped away; every moderator is emailed the
//!   groups now without a facilitator, and the response lists both kinds of room. Rooms where
//!   they are an ordinary member are untouched: withdrawal is of the volunteer role only.
//!
//! To volunteer again after a withdrawal, a person applies afresh; approval starts a new record.

use serde::Serialize;

use super::MAX_NOTE_CHARS;
use super::fields::text;
use crate::auth::AuthUser;
use crate::db::{audit, rooms, users, volunteer_renewals, volunteers, write_tx};
use crate::domain::time::ts;
use crate::domain::{Role, new_id};
use crate::email::{self, templates};
use crate::error::AppError;
use crate::realtime::Fact;
use crate::state::AppState;

/// The answer to a withdrawal: what changed, so the acting moderator can follow up.
#[derive(Debug, Serialize)]
pub struct Withdrawal {
    pub user_id: String,
    pub status: &'static str,
    pub reason: String,
    pub withdrawn_at: String,
    /// One-to-one rooms that ended (their members were told).
    pub rooms_ended: Vec<String>,
    /// Groups that stay open without their facilitator (members and moderators were told).
    pub groups_without_facilitator: Vec<String>,
}

/// What the transaction did, for the facts delivered after it.
struct Done {
    withdrawal: Withdrawal,
    left: Vec<(String, Vec<String>)>,
    role_changed: bool,
}

/// `POST /moderation/volunteers/{user_id}/withdraw`.
pub async fn withdraw(
    state: &AppState,
    moderator: &AuthUser,
    user_id: &str,
    reason: &str,
) -> Result<Withdrawal, AppError> {
    let reason = text(reason, MAX_NOTE_CHARS, "invalid_reason", "reason")?;
    let target = crate::domain::ids::parse_uuid(user_id).ok_or(AppError::NotFound)?;
    let moderator_id = moderator.id.clone();
    let now = state.clock.now_naive();
    let public_url = state.settings.public_url.clone();
    let done = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Done, AppError> {
                let user = users::find(c, &target)?
                    .filter(|u| u.status != "erased")
                    .ok_or(AppError::NotFound)?;
                if user.id == moderator_id {
                    return Err(AppError::forbidden(
                        "cannot_decide_own",
                        "Another moderator must withdraw your own volunteer status.",
                    ));
                }
                let Some(record) = volunteers::find_volunteer(c, &user.id)? else {
                    return Err(AppError::conflict(
                        "not_a_volunteer",
                        "This person is not a volunteer.",
                    ));
                };
                if record.withdrawn_at.is_some()
                    || volunteers::withdraw(c, &user.id, &reason, now)? == 0
                {
                    return Err(AppError::conflict(
                        "already_withdrawn",
                        "This person's volunteer status is already withdrawn.",
                    ));
                }
                let renewals_closed = volunteer_renewals::reject_pending_of(
                    c,
                    &user.id,
                    &moderator_id,
                    "Volunteer status withdrawn.",
                    now,
                )?;
                let role_changed = user.role == Role::Volunteer.as_str();
                if role_changed {
                    users::set_role(c, &user.id, Role::Member.as_str(), now)?;
                }

                let (mut rooms_ended, mut groups, mut left) = (Vec::new(), Vec::new(), Vec::new());
                for (_, kind, role, room) in
                    rooms::active_memberships(c, std::slice::from_ref(&user.id))?
                {
                    if role != rooms::ROLE_FACILITATOR {
                        continue;
                    }
                    rooms::leave(c, &room, &user.id, now)?;
                    let remaining = rooms::members(c, &room)?;
                    let ends = kind != "group" || remaining.is_empty();
                    if ends {
                        rooms::end(c, &room, now)?;
                    }
                    for m in &remaining {
                        let Some(addr) = users::find(c, &m.user_id)?.and_then(|u| u.email) else {
                            continue;
                        };
                        let mail = if ends {
                            templates::one_to_one_volunteer_left(
                                &addr,
                                &m.display_name,
                                &public_url,
                            )
                        } else {
                            templates::group_facilitator_left(
                                &addr,
                                &m.display_name,
                                &public_url,
                                &room,
                            )
                        };
                        email::enqueue(c, Some(&m.user_id), &mail, now)?;
                    }
                    let others: Vec<String> = remaining.into_iter().map(|m| m.user_id).collect();
                    if ends {
                        if !others.is_empty() {
                            rooms_ended.push(room.clone());
                        }
                        left.push((room, others));
                    } else {
                        groups.push(room.clone());
                        left.push((room, Vec::new()));
                    }
                }
                if !groups.is_empty() {
                    for (id, addr) in users::moderator_addresses(c)? {
                        let mail = templates::groups_need_facilitator(&addr, &public_url, &groups);
                        email::enqueue(c, Some(&id), &mail, now)?;
                    }
                }
                if let Some(addr) = &user.email {
                    let mail = templates::volunteer_withdrawn(addr, &user.display_name, &reason);
                    email::enqueue(c, Some(&user.id), &mail, now)?;
                }
                let mut details = serde_json::json!({
                    "rooms_ended": rooms_ended,
                    "groups_without_facilitator": groups,
                    "renewals_closed": renewals_closed,
                });
                if role_changed {
                    details["role"] = serde_json::json!({"from": "volunteer", "to": "member"});
                }
                audit::insert(
                    c,
                    &audit::NewAuditEntry {
                        id: &new_id(),
                        actor_id: Some(&moderator_id),
                        action: "volunteer.withdrawn",
                        target_type: "user",
                        target_id: Some(&user.id),
                        reason: Some(&reason),
                        details: &details.to_string(),
                        created_at: now,
                    },
                )?;
                Ok(Done {
                    withdrawal: Withdrawal {
                        user_id: user.id.clone(),
                        status: "withdrawn",
                        reason: reason.clone(),
                        withdrawn_at: ts(now),
                        rooms_ended,
                        groups_without_facilitator: groups,
                    },
                    left,
                    role_changed,
                })
            })
        })
        .await?;
    let volunteer = done.withdrawal.user_id.clone();
    for (room_id, ended_for) in done.left {
        state.sockets.deliver(Fact::Left {
            room_id,
            user_id: volunteer.clone(),
            ended_for,
        });
    }
    if done.role_changed {
        // Open sockets carry the old role: reconnect, as any role change does.
        state.sockets.deliver(Fact::AccountClosed {
            user_id: volunteer.clone(),
            keep_session: None,
            reason: "role_changed",
        });
    }
    tracing::info!(event = "volunteer_withdrawn", moderator_id = %moderator.id, user_id = %volunteer, "volunteer status withdrawn");
    state.mail_wakeup.notify_one();
    Ok(done.withdrawal)
}
