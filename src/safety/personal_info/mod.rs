//! The personal-information guard (SAFE-SG-8): does a message or a display name look like it
//! shares a way to reach someone off the platform? Anonymity is protective (Togetherall house
//! rules 1.1–1.3), so Kindred warns the writer, or holds the message for review, depending on
//! `KINDRED_PERSONAL_INFO_POLICY`; display names that look like contact details are refused.
//!
//! Pure: text in, the [`Kind`]s found out. It never stores, copies or logs the text, and a
//! finding carries no part of it.
//!
//! What counts, and what deliberately does not:
//!
//! - **Phone numbers** ([`phone`]): UK mobiles (`07…`, 11 digits) and geographic numbers
//!   (`01…`/`02…`, 10–11 digits), written with spaces, dashes, dots or brackets, with `+44`,
//!   `0044` or `+44 (0)`; and any other `+`-prefixed international number of 8–15 digits.
//!   Not: freephone, service and non-geographic numbers (`080…`, `03…`, `084…`, 116 123,
//!   111, 999), which belong to organisations and helplines, not people; times, dates,
//!   prices, quantities, or a list of short numbers ("01 02 03 04 05").
//! - **Email addresses** ([`address`]): `name@domain.tld`, and the spelt-out
//!   `name at domain dot com` / `[at]` / `(dot)` forms. Not: an `@` with no domain
//!   ("me@home", "meet @ 5").
//! - **Social handles**: `@name` at the start of a word, when it looks like a handle on
//!   another service: it has a digit, `_` or an inner `.` (`@sam_r`, `@jo.smith92`), or the
//!   message names a platform (Instagram, TikTok, Snapchat, …). A plain `@Sam` on its own is
//!   how people address each other in a room, and is not flagged. Not: `@5pm`, `@ 10:30`.
//! - **Links**: `http://`, `https://`, `www.`, or a bare domain with a known top-level domain
//!   (`bit.ly/x`, `example.co.uk`). Not: abbreviations ("e.g.", "i.e."), decimals, versions,
//!   or a missing space after a full stop ("tired.Then").

mod address;
mod phone;

#[cfg(test)]
mod tests;

/// What kind of contact detail was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Phone,
    Email,
    Handle,
    Link,
}

impl Kind {
    /// Stable name (hold category details, logs).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Phone => "phone",
            Kind::Email => "email",
            Kind::Handle => "handle",
            Kind::Link => "link",
        }
    }

    /// Plain words for a notice.
    fn words(self) -> &'static str {
        match self {
            Kind::Phone => "a phone number",
            Kind::Email => "an email address",
            Kind::Handle => "a social media handle",
            Kind::Link => "a link",
        }
    }
}

/// Every kind found in `text`, in [`Kind`] order, each once. Empty: nothing found.
pub fn detect(text: &str) -> Vec<Kind> {
    let mut found = Vec::new();
    if phone::contains_phone(text) {
        found.push(Kind::Phone);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if address::contains_email(&words) {
        found.push(Kind::Email);
    }
    if address::contains_handle(&words) {
        found.push(Kind::Handle);
    }
    if address::contains_link(&words) {
        found.push(Kind::Link);
    }
    found
}

/// What the writer is told, in plain words, naming what was found (never the text itself).
pub fn describe(kinds: &[Kind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.words()).collect();
    match names.as_slice() {
        [] => "contact details".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The code and detail a display name that looks like contact details is refused with
/// (registration and profile change), or None if it does not.
pub fn display_name_problem(name: &str) -> Option<(&'static str, &'static str)> {
    if detect(name.trim()).is_empty() {
        None
    } else {
        Some((
            "display_name_personal_info",
            "display_name looks like a phone number, email address, social handle or link; \
             choose a pseudonym that does not identify you",
        ))
    }
}
