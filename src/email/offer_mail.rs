//! The emails of a match offer (`matching::offers`): the offer itself, an offer that did not
//! go ahead (never saying why or who), and an offer that lapsed unanswered. Plain words, links
//! from `KINDRED_PUBLIC_URL`.

use super::Mail;
use super::templates::SIGNOFF;

fn bullets(sentences: &[String]) -> String {
    if sentences.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = sentences.iter().map(|s| format!("  - {s}")).collect();
    format!("\n{}\n", lines.join("\n"))
}

/// A possible match, for a member (`for_volunteer` false) or the volunteer asked to support
/// them. `answer_by` is a date in words, e.g. "5 December 2026, 14:00 UTC".
pub fn offered(
    to: &str,
    display_name: &str,
    public_url: &str,
    kind: &str,
    for_volunteer: bool,
    sentences: &[String],
    answer_by: &str,
) -> Mail {
    let what = match (kind, for_volunteer) {
        (_, true) => "a member you could support one-to-one",
        ("one_to_one", false) => "a trained peer volunteer who could support you one-to-one",
        _ => "someone you could support each other with",
    };
    let why = bullets(sentences);
    let text = format!(
        "Hello {display_name},\n\nWe think we have found {what}.\n{why}\nHave a look and say yes or no by {answer_by}:\n\n{public_url}/match-offers\n\nNobody is told why if you say no, and saying no never counts against you.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "match_offered",
        to: to.to_string(),
        subject: "A possible match for you on Kindred".into(),
        text,
        html: None,
    }
}

/// The offer ended without a room; a member's request is back in the pool, wait kept.
pub fn offer_ended(to: &str, display_name: &str, public_url: &str, for_volunteer: bool) -> Mail {
    let text = if for_volunteer {
        format!(
            "Hello {display_name},\n\nThe one-to-one we suggested is not going ahead this time. That happens, and it is nobody's fault; the place is free for someone else.\n\n{SIGNOFF}\n"
        )
    } else {
        format!(
            "Hello {display_name},\n\nThe match we suggested is not going ahead this time. That happens, and it is nobody's fault.\n\nYour request is back in the pool and keeps its place: the time you have already waited still counts. You can see it here:\n\n{public_url}/match-requests\n\n{SIGNOFF}\n"
        )
    };
    Mail {
        kind: "match_offer_ended",
        to: to.to_string(),
        subject: "That match is not going ahead".into(),
        text,
        html: None,
    }
}

/// A member did not answer in time: their request is closed; they can ask again.
pub fn offer_lapsed(to: &str, display_name: &str, public_url: &str) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nWe suggested a match but did not hear back in time, so we have closed your request for now rather than keep someone else waiting.\n\nWhenever you are ready, you can ask again here:\n\n{public_url}/match-requests\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "match_offer_lapsed",
        to: to.to_string(),
        subject: "We did not hear back about your match".into(),
        text,
        html: None,
    }
}

/// A volunteer did not answer in time: they are paused (not accepting) until they switch it
/// back on.
pub fn volunteer_paused(to: &str, display_name: &str, public_url: &str) -> Mail {
    let text = format!(
        "Hello {display_name},\n\nWe offered you a member to support one-to-one but did not hear back in time, so the member has gone back to the pool and we have paused new offers to you.\n\nWhen you are ready to take members again, switch \"accepting\" back on here:\n\n{public_url}/volunteer\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "volunteer_paused",
        to: to.to_string(),
        subject: "We have paused new matches for you".into(),
        text,
        html: None,
    }
}
