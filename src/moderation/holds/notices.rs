//! What a writer is told about a held, released, rejected or personal-information message:
//! a stable `code` for clients and a plain sentence. Never a copy of the message.

use super::PERSONAL_INFO;
use crate::safety::personal_info::{Kind, describe};

/// A private notice to a message's writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub code: &'static str,
    pub text: String,
}

/// The message is held for review in `category` (a crisis rule id or `personal_info`).
pub fn held(category: &str) -> Notice {
    let why = if category == PERSONAL_INFO {
        "it looks like it shares contact details (a phone number, email address, social \
         handle or link). Rooms are anonymous to keep everyone safe"
    } else {
        "it may describe ways of self-harm or encourage it, which can put others at risk"
    };
    Notice {
        code: "held_for_review",
        text: format!(
            "Your message is being held for a moderator to review before anyone else can see \
             it, because {why}. You have not done anything wrong by reaching out, and you can \
             keep talking in the room."
        ),
    }
}

/// Delivered, with a warning: the message looks like it shares contact details.
pub fn personal_info_warning(kinds: &[Kind]) -> Notice {
    Notice {
        code: "personal_info",
        text: format!(
            "Your message looks like it contains {}. Rooms are anonymous to keep everyone \
             safe: please think twice before sharing ways to contact you or anyone else \
             outside Kindred.",
            describe(kinds)
        ),
    }
}

pub fn released() -> Notice {
    Notice {
        code: "message_released",
        text: "A moderator reviewed your held message, and it is now shown in the room."
            .to_string(),
    }
}

pub fn rejected() -> Notice {
    Notice {
        code: "message_rejected",
        text: "A moderator reviewed your held message, and it will not be shown in the room. \
               It has not been deleted: you can still see it yourself."
            .to_string(),
    }
}

/// The notice for a message in hold state `state` (a resend of a held message).
pub fn for_state(state: &str, category: &str) -> Notice {
    match state {
        "rejected" => rejected(),
        "released" => released(),
        _ => held(category),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_have_stable_codes_and_name_no_text() {
        assert_eq!(held("method_detail").code, "held_for_review");
        assert!(held("method_detail").text.contains("self-harm"));
        assert!(held(PERSONAL_INFO).text.contains("contact details"));
        let w = personal_info_warning(&[Kind::Phone]);
        assert_eq!(w.code, "personal_info");
        assert!(w.text.contains("a phone number"));
        assert_eq!(for_state("rejected", "x").code, "message_rejected");
        assert_eq!(for_state("released", "x").code, "message_released");
        assert_eq!(for_state("held", PERSONAL_INFO), held(PERSONAL_INFO));
    }
}
