//! The password policy (ASVS 5.0 6.2): 12–128 characters after NFC normalisation, never
//! truncated, no composition rules, not one of the 30,000 most common passwords (the list
//! ships in `auth/common_passwords.txt`), and not built only from the service's own words.
//! Spaces count and are kept: what a person pasted is what they typed.

use std::collections::HashSet;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Words of this service that make a guessable password when strung together.
const CONTEXT_WORDS: &[&str] = &["kindred", "peer", "support", "nhs", "password"];

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../auth/common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

/// How many passwords the shipped list holds (for tests and the README).
pub fn common_password_count() -> usize {
    COMMON.len()
}

/// A password in its canonical (NFC) form. Not `Debug`-printable: it never reaches a log.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    /// A password being set: the whole policy applies.
    pub fn new_secret(raw: &str) -> Result<Password, (&'static str, &'static str)> {
        let p: String = raw.nfc().collect();
        let n = p.chars().count();
        if n < MIN_PASSWORD_CHARS {
            return Err((
                "password_too_short",
                "password must be at least 12 characters",
            ));
        }
        if n > MAX_PASSWORD_CHARS {
            return Err((
                "password_too_long",
                "password must be at most 128 characters",
            ));
        }
        let lower = p.to_lowercase();
        if COMMON.contains(lower.as_str()) || COMMON.contains(lower.trim()) {
            return Err((
                "password_too_common",
                "this password is too common; choose another",
            ));
        }
        if built_from_context_words(&lower) {
            return Err((
                "password_too_common",
                "this password is too easy to guess; choose another",
            ));
        }
        Ok(Password(p))
    }

    /// A password being checked (login, re-authentication): only normalised, so a password
    /// set before a policy change still verifies.
    pub fn for_verify(raw: &str) -> Password {
        Password(raw.nfc().collect())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// True when the letters of the password are nothing but context words, or a common password
/// with digits and symbols around it ("Kindred2024!", "peer-support-peer").
fn built_from_context_words(lower: &str) -> bool {
    let letters: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() {
        return false;
    }
    if COMMON.contains(letters.as_str()) && letters.chars().count() * 2 >= lower.chars().count() {
        return true;
    }
    segments_into_words(&letters)
}

fn segments_into_words(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    CONTEXT_WORDS
        .iter()
        .any(|w| s.strip_prefix(w).is_some_and(segments_into_words))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> Option<&'static str> {
        Password::new_secret(raw).err().map(|e| e.0)
    }

    #[test]
    fn the_list_has_at_least_ten_thousand_entries() {
        assert!(common_password_count() >= 10_000);
    }

    #[test]
    fn lengths_at_the_boundaries() {
        let base = "Tq8#vLm2@pZ9wXk";
        assert_eq!(code(&"x7Kp".repeat(3)[..11]), Some("password_too_short"));
        for n in [12, 15, 64, 128] {
            let pw: String = base.chars().cycle().take(n).collect();
            assert_eq!(code(&pw), None, "length {n}");
        }
        let pw: String = base.chars().cycle().take(129).collect();
        assert_eq!(code(&pw), Some("password_too_long"));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 12 emoji are 48 bytes but 12 characters.
        assert_eq!(code(&"🦔".repeat(12)), None);
        assert_eq!(code(&"🦔".repeat(11)), Some("password_too_short"));
        assert_eq!(code(&"é".repeat(128)), None);
    }

    #[test]
    fn common_passwords_are_refused_whatever_the_case() {
        assert_eq!(code("1qaz2wsx3edc"), Some("password_too_common"));
        assert_eq!(code("1QAZ2WSX3EDC"), Some("password_too_common"));
    }

    #[test]
    fn context_words_are_refused() {
        for bad in [
            "kindredkindred",
            "Kindred2024!!",
            "peer-support-nhs",
            "NHSpeersupport1",
        ] {
            assert_eq!(code(bad), Some("password_too_common"), "{bad}");
        }
        assert_eq!(code("kindred river otter"), None);
    }

    #[test]
    fn nfc_and_nfd_are_the_same_password() {
        let nfc = Password::new_secret("caf\u{e9} au lait tous les jours").unwrap();
        let nfd = Password::for_verify("cafe\u{301} au lait tous les jours");
        assert_eq!(nfc.expose(), nfd.expose());
    }

    #[test]
    fn nothing_is_trimmed_or_truncated() {
        let a = Password::new_secret("  correct horse battery  ").unwrap();
        assert_eq!(a.expose(), "  correct horse battery  ");
        let long: String = "Tq8#vLm2@pZ9wXk".chars().cycle().take(128).collect();
        let b = Password::new_secret(&long).unwrap();
        assert_eq!(b.expose().chars().count(), 128);
    }

    #[test]
    fn debug_is_redacted() {
        let p = Password::for_verify("hunter2hunter2");
        assert!(!format!("{p:?}").contains("hunter"));
    }
}
