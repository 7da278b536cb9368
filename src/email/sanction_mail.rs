//! The emails of moderation actions and appeals (`moderation::actions`, `moderation::appeals`):
//! a warning, a removal from a room, a suspension, a ban, a reinstatement, and an appeal's
//! decision. Each says what happened, the moderator's reason in their words, until when, and
//! how to appeal; none ever says who reported the person. Plain words, links from
//! `KINDRED_PUBLIC_URL`.

use super::Mail;
use super::templates::SIGNOFF;

/// What the email is about, with its subject line and its opening sentence.
fn wording(kind: &str, until: Option<&str>) -> (&'static str, &'static str, String) {
    let until = until.unwrap_or("");
    match kind {
        "warn" => (
            "moderation_warning",
            "A warning from the Kindred moderators",
            "A moderator has sent you a warning about how you have been taking part in Kindred.".into(),
        ),
        "remove" => (
            "moderation_removed",
            "You have been removed from a Kindred room",
            "A moderator has removed you from one of your rooms. You will not be matched with its members again.".into(),
        ),
        "suspend" => (
            "moderation_suspended",
            "Your Kindred account is suspended for a while",
            format!("A moderator has suspended your account until {until}. Until then you can still sign in, read your rooms, export your data and appeal, but you cannot send messages or be matched. The suspension ends by itself."),
        ),
        "ban" => (
            "moderation_banned",
            "Your Kindred account has been banned",
            "A moderator has banned your account. You have been signed out everywhere, you have left your rooms, and you can no longer sign in.".into(),
        ),
        _ => (
            "moderation_reinstated",
            "Your Kindred account is back in full",
            "A moderator has lifted the suspension or ban on your account. You can sign in and take part again.".into(),
        ),
    }
}

/// To the person a moderator acted on. `action_id` is what an appeal names.
pub fn action_taken(
    to: &str,
    display_name: &str,
    public_url: &str,
    kind: &str,
    reason: &str,
    until: Option<&str>,
    action_id: &str,
) -> Mail {
    let (mail_kind, subject, opening) = wording(kind, until);
    let appeal = match kind {
        "reinstate" => String::new(),
        "ban" => format!(
            "\n\nIf you think this is a mistake, reply to this email quoting reference {action_id} and a moderator who did not take this decision will look at it again.\n"
        ),
        _ => format!(
            "\n\nIf you think this is a mistake you can appeal once, in your own words, from {public_url}/appeals (reference {action_id}). A moderator who did not take this decision will look at it.\n"
        ),
    };
    let text = format!(
        "Hello {display_name},\n\n{opening}\n\nThe moderator said:\n\n{reason}{appeal}\n{SIGNOFF}\n"
    );
    Mail {
        kind: mail_kind,
        to: to.to_string(),
        subject: subject.into(),
        text,
        html: None,
    }
}

/// To the person who appealed: the decision and the deciding moderator's note.
pub fn appeal_decided(
    to: &str,
    display_name: &str,
    public_url: &str,
    overturned: bool,
    note: &str,
) -> Mail {
    let outcome = if overturned {
        "A moderator has looked at your appeal again and overturned the decision. What it took away has been restored where that is still possible."
    } else {
        "A moderator has looked at your appeal and decided that the decision stands."
    };
    let text = format!(
        "Hello {display_name},\n\n{outcome}\n\nThey said:\n\n{note}\n\nYou can see your appeals at {public_url}/appeals.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: if overturned {
            "appeal_overturned"
        } else {
            "appeal_upheld"
        },
        to: to.to_string(),
        subject: "The decision on your Kindred appeal".into(),
        text,
        html: None,
    }
}
