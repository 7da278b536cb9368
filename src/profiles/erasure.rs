//! `DELETE /me`: erasure (UK GDPR Art. 17). Needs the password. In one transaction: the
//! profile, conditions, lived experience, check-ins, volunteer applications, renewals and
//! record, one-time links, sessions (and their refresh tokens), unsent mail, match requests and
//! blocks (either way) are deleted; they leave their rooms (a pair or one-to-one room ends); and
//! the user row becomes a tombstone — no email, no password, display name "Former member",
//! status `erased` — so references from rooms and the audit log still hold. The email address
//! may register again.
//! Messages they wrote stay in rooms as from "Former member" with the body removed (README);
//! reports they made stay counted in their cases, with the words they gave removed.
//! No confirmation email is sent: keeping the address after the request, even to write to it,
//! would contradict it. The last active admin cannot erase their account.

use crate::auth::AuthUser;
use crate::db::{
    audit, blocks, check_ins, email_tokens, match_requests, messages, mfa, outbox, profiles,
    reports, rooms, sessions, users, volunteers, write_tx,
};
use crate::domain::display_name::FORMER_MEMBER;
use crate::domain::{Role, new_id};
use crate::error::AppError;
use crate::matching::offers;
use crate::realtime::Fact;
use crate::state::AppState;

/// A room the erased person left: its id, and who is left in it if it ended.
type Departure = (String, Vec<String>);

pub async fn erase(state: &AppState, who: &AuthUser, password: &str) -> Result<(), AppError> {
    let user = crate::auth::service::reauthenticate(state, who, password).await?;
    let now = state.clock.now_naive();
    let id = who.id.clone();
    let url = state.settings.public_url.clone();
    let (departures, offer_facts) = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<(Vec<Departure>, Vec<Fact>), AppError> {
                if user.role == Role::Admin.as_str() && users::count_active_admins(c)? <= 1 {
                    return Err(AppError::conflict(
                        "last_admin",
                        "You are the last admin; make someone else admin before erasing your account.",
                    ));
                }
                profiles::delete_all(c, &id)?;
                check_ins::delete_for_user(c, &id)?;
                volunteers::delete_all(c, &id)?;
                email_tokens::delete_for_user(c, &id)?;
                sessions::delete_for_user(c, &id)?;
                mfa::delete_for_user(c, &id)?;
                outbox::delete_for_user(c, &id)?;
                // Open offers end as if they declined: the others go back to the pool.
                let offer_facts = offers::withdraw_for(c, &id, now, &url)?;
                match_requests::delete_for_user(c, &id)?;
                blocks::delete_for_user(c, &id)?;
                // Appeals are the person's own words; the actions stay (ids and reasons only).
                crate::db::appeals::delete_for_user(c, &id)?;
                // They leave their rooms as "Former member": a pair or one-to-one room ends,
                // as it would if they had left it themselves.
                let mut departures = Vec::new();
                for (_, kind, _, room) in rooms::active_memberships(c, std::slice::from_ref(&id))? {
                    rooms::leave(c, &room, &id, now)?;
                    let remaining: Vec<String> = rooms::members(c, &room)?
                        .into_iter()
                        .map(|m| m.user_id)
                        .collect();
                    if kind != "group" || remaining.is_empty() {
                        rooms::end(c, &room, now)?;
                        departures.push((room, remaining));
                    } else {
                        departures.push((room, Vec::new()));
                    }
                }
                // Their messages stay, shown as from "Former member", with the text removed.
                messages::remove_bodies_of(c, &id, now)?;
                // Reports they made stay counted in their cases, without their words.
                reports::forget_details_of(c, &id)?;
                users::tombstone(c, &id, FORMER_MEMBER, now)?;
                audit::insert(
                    c,
                    &audit::NewAuditEntry {
                        id: &new_id(),
                        actor_id: Some(&id),
                        action: "user.erased",
                        target_type: "user",
                        target_id: Some(&id),
                        reason: Some("erasure requested by the account holder"),
                        details: "{}",
                        created_at: now,
                    },
                )?;
                Ok((departures, offer_facts))
            })
        })
        .await?;
    // Their sockets close at once; people left in a room that ended stop receiving it.
    state.sockets.deliver(Fact::AccountClosed {
        user_id: who.id.clone(),
        keep_session: None,
        reason: "account_erased",
    });
    for f in offer_facts {
        state.sockets.deliver(f);
    }
    for (room_id, ended_for) in departures {
        state.sockets.deliver(Fact::Left {
            room_id,
            user_id: who.id.clone(),
            ended_for,
        });
    }
    tracing::info!(event = "user_erased", user_id = %who.id, "account erased");
    Ok(())
}
