//! Coverage honesty (SAFE-SG-5): whether a moderator is on shift, and what rooms are told
//! while nobody is.
//!
//! Staffed means at least one open shift (`moderation::shifts`). While nobody is on shift,
//! every connection hears `coverage {staffed:false, text, resources}` right after `ready`,
//! and every open connection hears it again whenever staffing changes (`Fact::CoverageChanged`,
//! delivered in `rooms::sockets`); `GET /api/v1/safety/coverage` answers the same.
//!
//! Decisions where the issue is silent:
//! - The banner is service-wide, not per room: it goes to every connection, members,
//!   volunteers and moderators alike (a moderator seeing it knows nobody is on shift), so a
//!   room joined after `ready` is covered by the state the connection already holds.
//! - The text says when moderators are next expected only if that could be known honestly.
//!   Kindred keeps no rota, so it cannot: the text says moderators are offline, with no time,
//!   rather than guess one.
//! - The signposting is England's (as the writer's private signposting is) on the socket;
//!   `GET /safety/coverage?region=` gives another nation's.
//! - `GET /safety/coverage` needs a signed-in account: whether anyone is watching right now
//!   helps someone time abuse and tells a visitor with no room nothing they need. The help
//!   lines themselves stay public at `GET /safety/resources`.
//!
//! Ordering: a staffing change is announced by reading the state after the commit and
//! delivering it under one process-wide lock ([`announce`]), so two changes racing (one
//! moderator off, another on) cannot reach sockets in the opposite order of their reads: the
//! last frame every connection receives is the state last read.

use std::sync::Mutex;

use serde::Serialize;

use crate::db::{Db, DbConn, shifts};
use crate::error::AppError;
use crate::realtime::{Fact, Sockets};
use crate::safety::signposting::{self, Region, Resource};

/// The banner shown while no moderator is on shift.
pub const OFFLINE_TEXT: &str = "This is not a crisis service. Moderators are offline right now, so nobody may see what is written here for a while. If you are in danger, or thinking about harming yourself or ending your life, call 999 now, or contact one of these services:";

/// What a connection or `GET /safety/coverage` is told.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub staffed: bool,
    /// The "not a crisis service" banner, while nobody is on shift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'static str>,
    /// Where to get urgent help, while nobody is on shift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<Resource>>,
}

impl Coverage {
    /// The coverage for `staffed`, signposting England's lines.
    pub fn of(staffed: bool) -> Coverage {
        Coverage::for_region(staffed, Region::England)
    }

    pub fn for_region(staffed: bool, region: Region) -> Coverage {
        if staffed {
            Coverage {
                staffed,
                text: None,
                resources: None,
            }
        } else {
            Coverage {
                staffed,
                text: Some(OFFLINE_TEXT),
                resources: Some(signposting::resources(region)),
            }
        }
    }
}

/// Whether anyone is on shift now.
pub async fn staffed(db: &Db) -> Result<bool, AppError> {
    db.run(|c| Ok(shifts::any_open(c)?)).await
}

/// Serialises [`announce`]'s read-and-deliver across tasks.
static ANNOUNCING: Mutex<()> = Mutex::new(());

/// After a commit that changed staffing: reads whether anyone is on shift and tells every
/// open connection. Blocking (call it inside `Db::run`, after the transaction returned).
pub fn announce(c: &mut DbConn, sockets: &dyn Sockets) -> Result<bool, AppError> {
    let _turn = ANNOUNCING.lock().unwrap_or_else(|e| e.into_inner());
    let staffed = shifts::any_open(c)?;
    sockets.deliver(Fact::CoverageChanged { staffed });
    Ok(staffed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unstaffed_coverage_says_it_is_not_a_crisis_service_and_signposts() {
        let v = serde_json::to_value(Coverage::of(false)).unwrap();
        assert_eq!(v["staffed"], false);
        let text = v["text"].as_str().unwrap();
        assert!(text.starts_with("This is not a crisis service."));
        assert!(text.contains("999"));
        let contacts: Vec<&str> = v["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["contact"].as_str().unwrap())
            .collect();
        assert!(contacts.contains(&"call 116 123"));
        assert!(contacts.contains(&"call 111 and choose option 2"));
    }

    #[test]
    fn staffed_coverage_carries_no_banner() {
        assert_eq!(
            serde_json::to_value(Coverage::of(true)).unwrap(),
            serde_json::json!({"staffed": true})
        );
        let wales = Coverage::for_region(false, Region::Wales);
        assert!(
            wales
                .resources
                .unwrap()
                .iter()
                .any(|r| r.name == "NHS 111 Wales")
        );
    }
}
