//! Display names are pseudonyms: 3–32 characters after NFC, no `@` (never an email), no
//! control, bidi or zero-width characters (they spoof what others read), at most two combining
//! marks on a letter, and nothing that reads as a reserved name ("moderator", "NHS", …) even
//! when spelt with look-alike letters. Uniqueness is case-insensitive on the NFKC form.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName {
    value: String,
    key: String,
}

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, (&'static str, &'static str)> {
        let value: String = raw.trim().nfc().collect();
        let len = value.chars().count();
        if !(MIN_DISPLAY_NAME_CHARS..=MAX_DISPLAY_NAME_CHARS).contains(&len) {
            return Err((
                "invalid_display_name",
                "display_name must be 3 to 32 characters",
            ));
        }
        if value.contains('@') {
            return Err((
                "invalid_display_name",
                "display_name is a pseudonym and must not contain @",
            ));
        }
        let mut marks_in_a_row = 0;
        let mut prev_space = false;
        for c in value.chars() {
            if is_combining_mark(c) {
                marks_in_a_row += 1;
                if marks_in_a_row > 2 {
                    return Err((
                        "invalid_display_name",
                        "display_name has too many combining marks",
                    ));
                }
                continue;
            }
            marks_in_a_row = 0;
            if c == ' ' {
                if prev_space {
                    return Err((
                        "invalid_display_name",
                        "display_name must not contain repeated spaces",
                    ));
                }
                prev_space = true;
                continue;
            }
            prev_space = false;
            if !(c.is_alphanumeric() || "-_.'".contains(c)) {
                return Err((
                    "invalid_display_name",
                    "display_name may contain letters, digits, spaces and - _ . ' only",
                ));
            }
        }
        let skel = skeleton(&value);
        if reserved_skeletons().any(|r| skel.contains(&r)) {
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

/// A rough UTS-39 skeleton: NFKD, marks dropped, lower-cased, common Cyrillic and Greek
/// look-alikes folded to Latin, digits that pass for letters folded, separators removed.
fn skeleton(s: &str) -> String {
    s.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter_map(|c| {
            let folded = match c {
                'а' => 'a',
                'е' | 'ё' => 'e',
                'о' | 'ο' | '0' => 'o',
                'р' | 'ρ' => 'p',
                'с' | 'ϲ' => 'c',
                'у' => 'y',
                'х' | 'χ' => 'x',
                'і' | 'ι' | '1' | 'l' | '|' => 'i',
                'ѕ' | '5' | '$' => 's',
                'м' => 'm',
                'н' | 'η' => 'h',
                'т' | 'τ' => 't',
                'к' | 'κ' => 'k',
                'в' | 'β' => 'b',
                'ν' => 'v',
                'α' => 'a',
                'ε' => 'e',
                '3' => 'e',
                '4' => 'a',
                '7' => 't',
                c if c.is_alphanumeric() => c,
                _ => return None,
            };
            Some(folded)
        })
        .collect::<String>()
        .replace("rn", "m")
}

/// Reserved words pass through the same folding, so the comparison is like for like.
fn reserved_skeletons() -> impl Iterator<Item = String> {
    RESERVED.iter().map(|r| skeleton(r))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(reserved_skeletons().all(|s| !s.is_empty()));
    }
}
