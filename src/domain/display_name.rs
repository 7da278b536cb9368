//! Display names are pseudonyms: 3–32 characters after NFC, no `@` (never an email), and
//! everyone must be able to see, read and say them:
//!
//! - no default-ignorable code point (zero-width characters, Hangul fillers such as U+3164,
//!   variation selectors, bidi controls) and no control character: a blank or partly
//!   invisible name cannot be named in a report, and bidi controls spoof what others read;
//! - at least one visible letter or digit, and no combining mark first, at most two in a row;
//! - letters, digits, single spaces and `- _ . '` only, and none that UTS #39 types as
//!   `Technical`, `Obsolete` or `Deprecated` (IPA and phonetic letters such as `ɾ` or `ᴏ`,
//!   clicks such as `ǀ`): they are for linguists, not names, and many pass for plain Latin
//!   letters without being confusables. Living scripts of limited use (Cherokee, Adlam, …)
//!   and compatibility forms (full-width letters) stay allowed;
//! - nothing that reads as a reserved staff or service name ("moderator", "NHS", …) in any
//!   case and with look-alike letters: both are compared by their UTS #39 confusable
//!   skeleton (`unicode_security::skeleton`, the `confusables.txt` data) after NFKC and case
//!   folding, with marks, spaces and punctuation dropped, so `Μoderator` (Greek Mu),
//!   `Ꮇoderator` (Cherokee), `Mᴏderator` (small capital) and `N.H.S` are all refused.
//!
//! The character classes come from `domain::text` (Unicode data, not hand-made lists).
//! Uniqueness is case-insensitive on the NFKC form.

use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;
use unicode_security::GeneralSecurityProfile;
use unicode_security::general_security_profile::IdentifierType;

use super::text::{is_default_ignorable, is_mark, is_visible_letter_or_digit};

pub const MIN_DISPLAY_NAME_CHARS: usize = 3;
pub const MAX_DISPLAY_NAME_CHARS: usize = 32;

/// The name shown for an erased account.
pub const FORMER_MEMBER: &str = "Former member";

/// Names people could mistake for staff or the service itself.
const RESERVED: &[&str] = &[
    "admin",
    "administrator",
    "moderator",
    "kindred",
    "nhs",
    "system",
    "formermember",
    "staff",
    "support",
    "safeguarding",
    "samaritans",
];

type Refusal = (&'static str, &'static str);

const fn invalid(detail: &'static str) -> Refusal {
    ("invalid_display_name", detail)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName {
    value: String,
    key: String,
}

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, Refusal> {
        let value: String = raw.trim().nfc().collect();
        let len = value.chars().count();
        if !(MIN_DISPLAY_NAME_CHARS..=MAX_DISPLAY_NAME_CHARS).contains(&len) {
            return Err(invalid("display_name must be 3 to 32 characters"));
        }
        if value.contains('@') {
            return Err(invalid(
                "display_name is a pseudonym and must not contain @",
            ));
        }
        if value
            .chars()
            .any(|c| is_default_ignorable(c) || c.is_control())
        {
            return Err(invalid(
                "display_name must not contain invisible, control or bidi characters",
            ));
        }
        if value.chars().next().is_some_and(is_mark) {
            return Err(invalid("display_name must not start with a combining mark"));
        }
        let mut marks_in_a_row = 0;
        let mut prev_space = false;
        for c in value.chars() {
            if is_mark(c) {
                marks_in_a_row += 1;
                if marks_in_a_row > 2 {
                    return Err(invalid("display_name has too many combining marks"));
                }
                continue;
            }
            marks_in_a_row = 0;
            if c == ' ' {
                if prev_space {
                    return Err(invalid("display_name must not contain repeated spaces"));
                }
                prev_space = true;
                continue;
            }
            prev_space = false;
            if !(c.is_alphanumeric() || "-_.'".contains(c)) {
                return Err(invalid(
                    "display_name may contain letters, digits, spaces and - _ . ' only",
                ));
            }
        }
        if value.chars().any(is_specialist) {
            return Err(invalid(
                "display_name must not use technical, phonetic or obsolete letters",
            ));
        }
        if !value.chars().any(is_visible_letter_or_digit) {
            return Err(invalid("display_name needs at least one letter or digit"));
        }
        if looks_reserved(&value) {
            return Err((
                "display_name_reserved",
                "display_name must not look like a staff or service name",
            ));
        }
        let key = value.nfkc().collect::<String>().to_lowercase();
        Ok(DisplayName { value, key })
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The case-insensitive uniqueness key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// A character UTS #39 (`IdentifierType.txt`) keeps for technical or historical use.
fn is_specialist(c: char) -> bool {
    matches!(
        c.identifier_type(),
        Some(IdentifierType::Technical | IdentifierType::Obsolete | IdentifierType::Deprecated)
    )
}

/// The UTS #39 skeleton of `s` after NFKC, case-folded: skeleton, lower-case, skeleton
/// again (a lower-case letter can have a prototype of its own), then only letters and
/// digits kept, so marks, spaces and punctuation cannot hide a word.
pub fn folded_skeleton(s: &str) -> String {
    let nfkc: String = s.nfkc().collect();
    let lower = unicode_security::skeleton(&nfkc)
        .collect::<String>()
        .to_lowercase();
    unicode_security::skeleton(&lower)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A text and its upper-case form, folded: confusables are case-sensitive (`1` looks like
/// `l` and `I`, not `i`), so `adm1n` meets `admin` through `ADMIN`.
fn both_cases(s: &str) -> [String; 2] {
    [folded_skeleton(s), folded_skeleton(&s.to_uppercase())]
}

/// Reserved words pass through the same folding, so the comparison is like for like.
static RESERVED_SKELETONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut all: Vec<String> = RESERVED.iter().flat_map(|w| both_cases(w)).collect();
    all.sort();
    all.dedup();
    all
});

/// Whether any case of `name` contains, skeleton for skeleton, any case of a reserved word.
fn looks_reserved(name: &str) -> bool {
    both_cases(name)
        .iter()
        .any(|n| RESERVED_SKELETONS.iter().any(|r| n.contains(r.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(raw: &str) -> Option<&'static str> {
        DisplayName::parse(raw).err().map(|e| e.0)
    }

    #[test]
    fn accepts_ordinary_pseudonyms() {
        for ok in [
            "Sam",
            "river_walker",
            "Zoë",
            "Ana-Lúcia",
            "李小龙",
            "O'Neill 2",
            "تامر",
        ] {
            assert!(DisplayName::parse(ok).is_ok(), "rejected {ok:?}");
        }
    }

    #[test]
    fn length_is_counted_in_characters_after_nfc() {
        assert_eq!(code("ab"), Some("invalid_display_name"));
        assert!(DisplayName::parse(&"é".repeat(32)).is_ok());
        // 32 × (e + combining acute) is 32 characters once composed.
        assert!(DisplayName::parse(&"e\u{301}".repeat(32)).is_ok());
        assert_eq!(code(&"a".repeat(33)), Some("invalid_display_name"));
    }

    #[test]
    fn rejects_spoofing_characters() {
        for bad in [
            "sam@example.org",
            "abc\u{202E}def",
            "abc\u{2066}def",
            "ab\u{200D}cd",
            "ab\u{200B}cd",
            "abc\u{0000}",
            "a\u{301}\u{302}\u{303}\u{304}bc",
            "two  spaces",
            "<script>",
            "'; DROP TABLE users;--",
        ] {
            assert!(code(bad).is_some(), "accepted {bad:?}");
        }
    }

    #[test]
    fn rejects_reserved_names_and_their_lookalikes() {
        for bad in [
            "Moderator",
            "NHS Team",
            "mоderatоr", // Cyrillic о
            "Kindred Help",
            "adm1n",
            "N.H.S",
            "Former member",
        ] {
            assert_eq!(code(bad), Some("display_name_reserved"), "{bad:?}");
        }
    }

    #[test]
    fn uniqueness_key_ignores_case_and_compatibility_forms() {
        let a = DisplayName::parse("RiverWalker").unwrap();
        let b = DisplayName::parse("riverwalker").unwrap();
        let c = DisplayName::parse("ＲｉｖｅｒWalker").unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key(), c.key());
    }

    #[test]
    fn reserved_words_fold_like_names() {
        assert!(RESERVED_SKELETONS.iter().all(|s| !s.is_empty()));
    }

    /// Issue 12, finding 4: staff names in look-alike letters.
    #[test]
    fn rejects_staff_names_in_lookalike_letters_from_other_scripts() {
        for bad in [
            "\u{39C}oderator",                               // Greek capital Mu
            "\u{39D}HS",                                     // Greek capital Nu
            "\u{39C}\u{39F}D\u{395}R\u{391}\u{3A4}\u{39F}R", // Greek capitals
            "\u{13B7}oderator",                              // Cherokee
            "\u{FF2D}\u{FF2F}\u{FF24}\u{FF25}\u{FF32}\u{FF21}\u{FF34}\u{FF2F}\u{FF32}", // full-width
            "\u{1D40C}oderator", // mathematical bold M
            "ADM1N",
            "Supp\u{3BF}rt Team", // Greek omicron
        ] {
            assert_eq!(code(bad), Some("display_name_reserved"), "{bad:?}");
        }
    }

    /// Issue 12, finding 4: phonetic letters are refused outright; `ᴏ` is also a
    /// confusable of `o`, `ɾ` is not (it is not in confusables.txt).
    #[test]
    fn rejects_staff_names_in_phonetic_letters() {
        for bad in [
            "M\u{1D0F}derator",
            "Moderato\u{27E}",
            "\u{1C0}\u{1C0}\u{1C0}",
        ] {
            assert_eq!(code(bad), Some("invalid_display_name"), "{bad:?}");
        }
        assert!(looks_reserved("M\u{1D0F}derator"));
        for ok in [
            "\u{13A0}\u{13A9}\u{13D7}",
            "\u{FF33}am",
            "Ma\u{142}gorzata",
            "Nguy\u{1EC5}n",
        ] {
            assert!(DisplayName::parse(ok).is_ok(), "rejected {ok:?}");
        }
    }

    /// Issue 12, finding 5: invisible and blank names.
    #[test]
    fn rejects_invisible_and_blank_names() {
        for bad in [
            "\u{3164}\u{3164}\u{3164}",
            "\u{115F}\u{115F}\u{115F}",
            "\u{1160}\u{1160}\u{1160}",
            "\u{FFA0}\u{FFA0}\u{FFA0}",
            "\u{3164}Sam",
            "Sam\u{3164}",
            "Sa\u{AD}m",
            "Sam\u{FE0F}",
            "Sam\u{E0041}",
            "...",
            "-_-",
            "\u{301}Sam",
            "\u{94D}Sam",
        ] {
            assert_eq!(code(bad), Some("invalid_display_name"), "{bad:?}");
        }
    }

    proptest::proptest! {
        /// Whatever is accepted has a visible letter or digit, nothing default-ignorable, no
        /// mark first, and a skeleton free of every reserved word.
        #[test]
        fn accepted_names_are_visible_and_unreserved(raw in "\\PC{0,40}") {
            if let Ok(n) = DisplayName::parse(&raw) {
                let v = n.as_str();
                proptest::prop_assert!(v.chars().any(is_visible_letter_or_digit));
                proptest::prop_assert!(!v.chars().any(is_default_ignorable));
                proptest::prop_assert!(!v.chars().next().is_some_and(is_mark));
                proptest::prop_assert!(!looks_reserved(v));
            }
        }

        /// Any default-ignorable code point anywhere makes a name invalid.
        #[test]
        fn one_invisible_character_spoils_a_name(
            name in "[a-z]{3,20}",
            at in 0usize..20,
            c in proptest::char::any().prop_filter("default-ignorable", |c| is_default_ignorable(*c)),
        ) {
            let mut chars: Vec<char> = name.chars().collect();
            chars.insert(at.min(chars.len()), c);
            let raw: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(code(&raw), Some("invalid_display_name"));
        }

        /// A reserved word in either case with one letter swapped for any single letter of
        /// any script that UTS #39 says looks the same stays reserved.
        #[test]
        fn reserved_words_stay_reserved_with_any_lookalike_letter(
            w in proptest::sample::select(RESERVED),
            upper in proptest::bool::ANY,
            at in 0usize..16,
            pick in proptest::num::usize::ANY,
        ) {
            let word: Vec<char> =
                if upper { w.to_uppercase() } else { w.to_string() }.chars().collect();
            let at = at % word.len();
            let twins = lookalikes(word[at]);
            let mut spoof = word.clone();
            if !twins.is_empty() {
                spoof[at] = twins[pick % twins.len()];
            }
            let raw: String = spoof.into_iter().collect();
            proptest::prop_assert_eq!(code(&raw), Some("display_name_reserved"), "{:?}", raw);
        }
    }

    /// Every letter or digit (not a mark) whose skeleton is that of `c`.
    fn lookalikes(c: char) -> Vec<char> {
        static ALL: LazyLock<Vec<(char, String)>> = LazyLock::new(|| {
            (0..=0x10FFFF_u32)
                .filter_map(char::from_u32)
                .filter(|c| c.is_alphanumeric() && !is_mark(*c) && !is_default_ignorable(*c))
                .filter(|c| !is_specialist(*c))
                .map(|c| (c, folded_skeleton(&c.to_string())))
                .collect()
        });
        let want = folded_skeleton(&c.to_string());
        ALL.iter()
            .filter(|(_, s)| *s == want)
            .map(|(c, _)| *c)
            .collect()
    }

    #[test]
    fn lookalikes_come_from_the_confusables_data() {
        let m = lookalikes('M');
        for c in ['\u{39C}', '\u{13B7}', '\u{41C}', '\u{FF2D}'] {
            assert!(m.contains(&c), "{:04X}", c as u32);
        }
        assert!(lookalikes('o').contains(&'\u{3BF}'));
        assert!(!lookalikes('r').contains(&'\u{27E}'));
    }
}
