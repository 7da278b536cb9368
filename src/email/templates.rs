//! The text of every email. Plain words, no tracking, links built from `KINDRED_PUBLIC_URL`
//! (never from a request's Host header). Display names are the member's own pseudonym.

use super::Mail;

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub(super) const SIGNOFF: &str = "With warmth,\nThe Kindred team\n\nKindred is a peer support community. It is not a crisis service: if you are in danger, call 999; for urgent mental health help call NHS 111 and choose option 2; Samaritans are free on 116 123, any time.";

pub fn verify_email(to: &str, display_name: &str, public_url: &str, token: &str) -> Mail {
    let link = format!("{public_url}/verify-email?token={token}");
    let text = format!(
        "Hello {display_name},\n\nWelcome to Kindred. Please confirm this is your email address by opening this link within 24 hours:\n\n{link}\n\nIf you did not create an account, you can ignore this email.\n\n{SIGNOFF}\n"
    );
    let html = format!(
        "<p>Hello {name},</p><p>Welcome to Kindred. Please confirm this is your email address by opening this link within 24 hours:</p><p><a href=\"{link}\">Confirm my email address</a></p><p>If you did not create an account, you can ignore this email.</p>",
        name = html_escape(display_name),
    );
    Mail {
        kind: "verify_email",
        to: to.to_string(),
        subject: "Confirm your email address for Kindred".into(),
        text,
        html: Some(html),
    }
}

pub fn already_registered(to: &str, public_url: &str) -> Mail {
    let text = format!(
        "Hello,\n\nSomeone, perhaps you, tried to create a Kindred account with this email address. You already have an account, so nothing was changed.\n\nIf you have forgotten your password, you can set a new one here:\n\n{public_url}/reset-password\n\nIf it was not you, you can ignore this email; your account is safe.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "already_registered",
        to: to.to_string(),
        subject: "Someone tried to register with your email address".into(),
        text,
        html: None,
    }
}

pub fn password_reset(to: &str, public_url: &str, token: &str) -> Mail {
    let text = format!(
        "Hello,\n\nWe received a request to reset the password of your Kindred account. Open this link within 1 hour to choose a new one:\n\n{public_url}/reset-password?token={token}\n\nThe link works once. If you did not ask for this, ignore this email: your password stays as it is.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "password_reset",
        to: to.to_string(),
        subject: "Reset your Kindred password".into(),
        text,
        html: None,
    }
}

pub fn password_changed(to: &str, public_url: &str) -> Mail {
    let text = format!(
        "Hello,\n\nThe password of your Kindred account was just changed, and your other devices were signed out.\n\nIf this was not you, reset your password now and tell us:\n\n{public_url}/reset-password\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "password_changed",
        to: to.to_string(),
        subject: "Your Kindred password was changed".into(),
        text,
        html: None,
    }
}

pub fn session_revoked_after_reuse(to: &str, public_url: &str) -> Mail {
    let text = format!(
        "Hello,\n\nA sign-in token of your Kindred account was used twice, which can mean someone copied it. To be safe we signed that device out.\n\nIf you did not expect this, change your password:\n\n{public_url}/reset-password\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "session_revoked",
        to: to.to_string(),
        subject: "We signed one of your devices out of Kindred".into(),
        text,
        html: None,
    }
}

pub fn volunteer_approved(
    to: &str,
    display_name: &str,
    public_url: &str,
    expires_on: &str,
) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nThank you for offering to support others. A moderator has approved your application: you are now a Kindred peer volunteer.\n\nYour training record is current until {expires_on}. You can choose how many people you support one-to-one, and whether you are accepting new matches, in your volunteer settings:\n\n{public_url}/volunteer\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "volunteer_approved",
        to: to.to_string(),
        subject: "You are now a Kindred peer volunteer".into(),
        text,
        html: None,
    }
}

pub fn volunteer_rejected(to: &str, display_name: &str, reason: &str) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nThank you for offering to support others. This time a moderator could not approve your volunteer application. They said:\n\n{reason}\n\nYou are very welcome to apply again when that has changed.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "volunteer_rejected",
        to: to.to_string(),
        subject: "About your Kindred volunteer application".into(),
        text,
        html: None,
    }
}

pub fn volunteer_renewed(to: &str, display_name: &str, public_url: &str, expires_on: &str) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nThank you for keeping your training up to date. A moderator has approved your renewed training record: it is now current until {expires_on}, and you can be matched with people as a peer volunteer.\n\nYour volunteer settings are here:\n\n{public_url}/volunteer\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "volunteer_renewed",
        to: to.to_string(),
        subject: "Your Kindred volunteer training is renewed".into(),
        text,
        html: None,
    }
}

pub fn volunteer_renewal_rejected(to: &str, display_name: &str, reason: &str) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nA moderator could not approve the renewed training record you sent. They said:\n\n{reason}\n\nYour volunteer record is unchanged. You are welcome to send a renewal again when that has changed.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "volunteer_renewal_rejected",
        to: to.to_string(),
        subject: "About your Kindred volunteer training renewal".into(),
        text,
        html: None,
    }
}

/// To the volunteer whose status a moderator withdrew, with the moderator's reason.
pub fn volunteer_withdrawn(to: &str, display_name: &str, reason: &str) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nThank you for the support you have given others. A moderator has withdrawn your peer volunteer status on Kindred. They said:\n\n{reason}\n\nYou will not be offered new people to support, and you have left the conversations you were supporting; the people in them have been told that you are no longer volunteering (never why). Your own account, and any support you receive as a member, are unchanged.\n\nIf you think this is a mistake, reply to this email and a moderator will look at it again.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "volunteer_withdrawn",
        to: to.to_string(),
        subject: "Your Kindred volunteer status has been withdrawn".into(),
        text,
        html: None,
    }
}

/// To a member whose one-to-one room ended because its volunteer is no longer volunteering.
/// Never says why.
pub fn one_to_one_volunteer_left(to: &str, display_name: &str, public_url: &str) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nThe peer volunteer who was supporting you one-to-one is no longer volunteering with Kindred, so that conversation has closed. We are sorry for the interruption; it is nothing you did.\n\nYou can ask for a new one-to-one volunteer, or another kind of support, at any time:\n\n{public_url}/match-requests\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "one_to_one_volunteer_left",
        to: to.to_string(),
        subject: "Your one-to-one conversation on Kindred has closed".into(),
        text,
        html: None,
    }
}

/// To the members of a group whose facilitator is no longer volunteering; the group goes on.
pub fn group_facilitator_left(
    to: &str,
    display_name: &str,
    public_url: &str,
    room_id: &str,
) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nThe peer volunteer who facilitated your group is no longer volunteering with Kindred. The group stays open, and you can carry on talking with the others as before; our moderators have been told it has no facilitator for now.\n\n{public_url}/rooms/{room_id}\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "group_facilitator_left",
        to: to.to_string(),
        subject: "Your Kindred group's facilitator has stepped away".into(),
        text,
        html: None,
    }
}

/// To moderators: groups left without a facilitator by a withdrawal. Only links, no names.
pub fn groups_need_facilitator(to: &str, public_url: &str, room_ids: &[String]) -> Mail {
    let links = room_ids
        .iter()
        .map(|id| format!("  - {public_url}/rooms/{id}"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = format!(
        "A peer volunteer's status was withdrawn, and these groups they facilitated now have no facilitator. They stay open for their members, who have been told; members who need a facilitated group are not seated in them while they have none.\n\n{links}\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "groups_need_facilitator",
        to: to.to_string(),
        subject: "Kindred groups without a facilitator".into(),
        text,
        html: None,
    }
}

pub fn matched(
    to: &str,
    display_name: &str,
    public_url: &str,
    kind: &str,
    room_id: &str,
    sentences: &[String],
) -> Mail {
    let what = match kind {
        "one_to_one" => "a trained peer volunteer who will support you one-to-one",
        "pair" => "someone to support each other with",
        _ => "a small peer support group",
    };
    let why = if sentences.is_empty() {
        String::new()
    } else {
        format!(
            "\n{}\n",
            sentences
                .iter()
                .map(|s| format!("  - {s}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    let text = format!(
        "Hello {display_name},\n\nGood news: we have found {what}.\n{why}\nYour conversation is waiting for you here:\n\n{public_url}/rooms/{room_id}\n\nIf it does not feel right, you can leave the room or block someone at any time, and ask again.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "matched",
        to: to.to_string(),
        subject: "You have been matched on Kindred".into(),
        text,
        html: None,
    }
}

/// To the volunteer seated as a one-to-one supporter or a new group's facilitator: who they
/// will support and why, in the sentences the member allowed to share.
pub fn matched_as_volunteer(
    to: &str,
    display_name: &str,
    public_url: &str,
    kind: &str,
    room_id: &str,
    sentences: &[String],
) -> Mail {
    let what = match kind {
        "one_to_one" => "a member who asked for one-to-one support",
        _ => "a new peer support group that needs a facilitator",
    };
    let why: String = sentences.iter().map(|s| format!("  - {s}\n")).collect();
    let why = if why.is_empty() {
        why
    } else {
        format!("\n{why}")
    };
    let text = format!(
        "Hello {display_name},\n\nThank you for volunteering: we have matched you with {what}.\n{why}\nThe conversation is waiting for you here:\n\n{public_url}/rooms/{room_id}\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "matched",
        to: to.to_string(),
        subject: "You have been matched on Kindred".into(),
        text,
        html: None,
    }
}

pub fn matching_relaxed(to: &str, display_name: &str, public_url: &str) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nWe are sorry you have been waiting a while. We have not yet found someone who matches everything you asked for, so we are now also looking a little wider: at people with related conditions, and without the preferences you marked as \"prefer\" (never the ones you marked as \"must\").\n\nYou can see or cancel your request here:\n\n{public_url}/match-requests\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "matching_relaxed",
        to: to.to_string(),
        subject: "Still looking for the right match for you".into(),
        text,
        html: None,
    }
}

/// A format in plain words, for the waiting ladder's emails.
fn format_words(format: &str) -> &'static str {
    match format {
        "one_to_one" => "one-to-one support with a trained peer volunteer",
        "pair" => "a peer pair, with one other member",
        _ => "a small group with a trained facilitator",
    }
}

/// The ladder's step 2 (1.5 W): other formats that could serve the member now.
pub fn matching_alternatives(
    to: &str,
    display_name: &str,
    public_url: &str,
    asked: &str,
    alternatives: &[String],
) -> Mail {
    let list = alternatives
        .iter()
        .map(|f| format!("  - {}", format_words(f)))
        .collect::<Vec<_>>()
        .join("\n");
    let text = format!(
        "Hello {display_name},\n\nWe are still looking for {asked} for you, and we are sorry it is taking this long. Right now there is room in:\n\n{list}\n\nIf you would like one of these instead, cancel your current request and ask again in that format (if it is not among the formats in your support preferences, add it there first). Or keep waiting: your request stays as it is.\n\n{public_url}/match-requests\n\n{SIGNOFF}\n",
        asked = format_words(asked),
    );
    Mail {
        kind: "matching_alternatives",
        to: to.to_string(),
        subject: "Other ways we could support you now".into(),
        text,
        html: None,
    }
}

/// The ladder's step 3 (2 W), to the member: a person is now looking at their request.
pub fn matching_handed_over(to: &str, display_name: &str, public_url: &str) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nWe are sorry: we have still not found the right match for you, and you have waited much longer than we want anyone to wait. The reason is simply that nobody who fits what you asked for has had room yet.\n\nWe have passed your request to one of our coordinators, a person rather than the matching system. A human coordinator will be in touch about what we can do. Your request keeps waiting meanwhile, and you can see or cancel it here:\n\n{public_url}/match-requests\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "matching_handed_over",
        to: to.to_string(),
        subject: "A coordinator is looking at your request".into(),
        text,
        html: None,
    }
}

/// The ladder's step 3, to a coordinator: only what a coordinator needs to pick it up — the
/// request id, its format, the focus condition's group and the wait. No name, no condition,
/// no message.
pub fn coordinator_handover(
    to: &str,
    request_id: &str,
    format: &str,
    focus_group: &str,
    waited_days: i64,
) -> Mail {
    let text = format!(
        "A match request has waited {waited_days} days without a match and is handed to the coordinators.\n\nRequest: {request_id}\nFormat: {format}\nFocus: {focus_group}\nWaited: {waited_days} days\n\nThe member has been told a coordinator will be in touch. The request keeps waiting until it is matched, cancelled or expires.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "coordinator_handover",
        to: to.to_string(),
        subject: format!("Kindred: a {format} request needs a coordinator"),
        text,
        html: None,
    }
}

/// The end of the ladder: the request expired; the member may ask again.
pub fn matching_expired(to: &str, display_name: &str, public_url: &str, format: &str) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nWe are sorry: we could not find {what} for you this time, so your request has now closed. This says nothing about you; it means nobody with room fitted what you asked for.\n\nYou are very welcome to ask again whenever you like, in the same format or another one:\n\n{public_url}/match-requests\n\n{SIGNOFF}\n",
        what = format_words(format),
    );
    Mail {
        kind: "matching_expired",
        to: to.to_string(),
        subject: "Your Kindred match request has closed".into(),
        text,
        html: None,
    }
}

/// A crisis flag needs a human. Holds no message text, no member name, no condition: only
/// how urgent it is and where to look.
pub fn safety_alert(to: &str, public_url: &str, severity: &str, alert_id: &str) -> Mail {
    let urgency = if severity == "red" {
        "A message in a Kindred room may mean someone is at risk right now (red alert). Please look within 5 minutes."
    } else {
        "A message in a Kindred room may show someone is struggling (amber alert). Please look within the hour."
    };
    let link = format!("{public_url}/moderation/alerts/{alert_id}");
    let text = format!(
        "{urgency}\n\nOpen the alert: {link}\n\nThe writer has already been shown crisis signposting. Acknowledge the alert once someone has it in hand.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "safety_alert",
        to: to.to_string(),
        subject: format!("Kindred safety alert ({severity})"),
        text,
        html: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_in_html() {
        let m = verify_email("a@example.org", "<b>x</b>", "http://h", "T");
        assert!(m.html.unwrap().contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(m.text.contains("http://h/verify-email?token=T"));
    }
}
