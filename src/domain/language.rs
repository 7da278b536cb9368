//! BCP 47 (RFC 5646) language tags for the languages a member can read or hold a session in.
//!
//! This module owns the syntax check and the canonical case of a tag, so two spellings of the
//! same language (`EN_gb`, `en-GB`) compare equal, and the key two tags are matched on
//! ([`match_key`]): the language people speak, whatever the region (`en-GB`, `en`, `en-US`).
//!
//! It must not do I/O and does not consult the IANA subtag registry: a well-formed tag for a
//! language nobody speaks still parses. It supports the subset profiles need — language,
//! script, region and variants — and rejects extended-language subtags, extensions,
//! private use and grandfathered tags with a message saying so, rather than storing forms the
//! matcher cannot compare.

/// The most languages a profile may list.
pub const MAX_LANGUAGES: usize = 10;

/// Longest tag accepted, in characters. Language + script + region + a few variants fits well
/// within it, and the bound keeps stored values and error paths small.
pub const MAX_TAG_CHARS: usize = 35;

/// Parses a language tag such as `en-GB`, `zh-Hant-TW`, `es-419` or `bfi` and returns it in
/// canonical case: language lower-case, script title-case, region upper-case, variants
/// lower-case. `_` is accepted as a separator and converted to `-`.
///
/// Grammar accepted (subtags in this order):
/// - language: 2–3 letters (ISO 639). The 4–8 letter registered-language form is not
///   accepted; no language we serve needs it;
/// - script (optional): 4 letters, e.g. `Hant`, `Guru`;
/// - region (optional): 2 letters or 3 digits, e.g. `GB`, `419`;
/// - variants (any number, no repeats): 5–8 letters or digits, or a digit followed by
///   3 letters or digits, e.g. `1996`.
///
/// The error is a plain-English message suitable for an API response.
pub fn parse_language_tag(raw: &str) -> Result<String, &'static str> {
    if raw.is_empty() {
        return Err("language tag is empty");
    }
    // Character checks come before the length check so that the message names the real
    // problem (a space, an accent) rather than just "too long".
    if raw.chars().any(char::is_whitespace) {
        return Err("language tag must not contain spaces");
    }
    if !raw.is_ascii() {
        return Err("language tag must use only ASCII letters, digits and hyphens");
    }
    if raw.len() > MAX_TAG_CHARS {
        return Err("language tag is longer than 35 characters");
    }
    if let Some(bad) = raw
        .bytes()
        .find(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
    {
        // Only ASCII punctuation can reach here; name the common mistake.
        return Err(if bad == b'.' || bad == b'@' {
            "language tag must not contain an encoding or modifier (like .UTF-8 or @euro)"
        } else {
            "language tag must use only ASCII letters, digits and hyphens"
        });
    }

    let subtags: Vec<&str> = raw.split(['-', '_']).collect();
    if subtags.iter().any(|s| s.is_empty()) {
        return Err(
            "language tag has an empty subtag (check for a leading, trailing or double hyphen)",
        );
    }
    if subtags.iter().any(|s| s.len() > 8) {
        return Err("language tag has a subtag longer than 8 characters");
    }
    // Singletons introduce extensions (`-u-`, `-t-`) and private use (`-x-`); a tag that
    // starts with one and goes on is private-use (`x-…`) or grandfathered (`i-…`). None are
    // supported. A lone one-letter tag (`e`) is just a too-short language, reported below.
    if subtags.len() > 1 && subtags.iter().any(|s| s.len() == 1) {
        return Err(
            "language tag extensions and private-use subtags (like -u- or -x-) are not supported",
        );
    }

    let mut rest = subtags.iter().copied().peekable();
    let mut out = String::with_capacity(raw.len());

    let language = rest.next().unwrap_or_default();
    if !(is_alpha(language) && (2..=3).contains(&language.len())) {
        return Err("language subtag must be 2 or 3 letters, e.g. en, cy or bfi");
    }
    out.push_str(&language.to_ascii_lowercase());

    // Three letters straight after the language can only be an extended-language subtag
    // (`zh-yue`); the registry prefers the extlang on its own (`yue`), so ask for that.
    if rest.peek().is_some_and(|s| is_alpha(s) && s.len() == 3) {
        return Err(
            "extended language subtags (like zh-yue) are not supported; use the language on its own, e.g. yue",
        );
    }

    if let Some(script) = rest.next_if(|s| is_alpha(s) && s.len() == 4) {
        out.push('-');
        let (first, tail) = script.split_at(1);
        out.push_str(&first.to_ascii_uppercase());
        out.push_str(&tail.to_ascii_lowercase());
    }

    if let Some(region) =
        rest.next_if(|s| (is_alpha(s) && s.len() == 2) || (is_digits(s) && s.len() == 3))
    {
        out.push('-');
        out.push_str(&region.to_ascii_uppercase());
    }

    let mut variants: Vec<String> = Vec::new();
    for subtag in rest {
        if !is_variant(subtag) {
            return Err(
                "language tag subtags must be language, then script (4 letters), then region (2 letters or 3 digits), then variants",
            );
        }
        let variant = subtag.to_ascii_lowercase();
        // RFC 5646 forbids repeating a variant; a repeat is always a typo.
        if variants.contains(&variant) {
            return Err("language tag repeats a variant subtag");
        }
        out.push('-');
        out.push_str(&variant);
        variants.push(variant);
    }

    Ok(out)
}

/// The key two session languages are matched on: the language people speak, not where they
/// speak it. `en-GB`, `en` and `en-US` all give `en`; `pl-PL` gives `pl`.
///
/// Decisions (the issue is silent on these; keep the list in step with the table below):
/// - Only the language subtag counts. Region, script and variants are dropped: a member who
///   writes `zh-Hant-TW` and one who writes `zh` are offered each other, and the soft score
///   prefers the same full tag (see `matching::score`). Script is not a hard constraint
///   because most tags carry none and "zh" would then match nobody.
/// - Sign languages are languages of their own: `bfi` (British Sign Language), `ase`
///   (American), `isg` (Irish) never match a spoken language or one another. The deprecated
///   `sgn-XX` forms map to the language the IANA registry names for them (`sgn-GB` → `bfi`,
///   `sgn-US` → `ase`, `sgn-IE` → `isg`, …). An `sgn-XX` the table does not know keeps its
///   region (`sgn-xx`), so two different sign languages never share one `sgn` key. A bare
///   `sgn` names no language at all and matches only another bare `sgn`.
/// - Deprecated codes map to their replacements (`iw` → `he`, `in` → `id`, `ji` → `yi`,
///   `jw` → `jv`, `mo` → `ro`), the three-letter ISO 639-2 forms of common languages map to
///   the two-letter code BCP 47 requires (`eng` → `en`, `pol` → `pl`, `wel`/`cym` → `cy`, …),
///   and `cmn` (Mandarin) maps to `zh`, the tag almost everyone uses for it. Cantonese (`yue`)
///   stays its own language.
///
/// Input need not be canonical or even valid: the key is the lower-cased first subtag (split on
/// `-` or `_`) after the mappings above, so it never fails.
pub fn match_key(tag: &str) -> String {
    let mut subtags = tag.split(['-', '_']);
    let language = subtags.next().unwrap_or_default().to_ascii_lowercase();
    if language == "sgn" {
        return match subtags.next() {
            None => language,
            Some(region) => {
                let region = region.to_ascii_uppercase();
                SIGN_LANGUAGES
                    .iter()
                    .find(|(r, _)| *r == region)
                    .map_or_else(
                        || format!("sgn-{}", region.to_ascii_lowercase()),
                        |(_, l)| (*l).to_owned(),
                    )
            }
        };
    }
    ALIASES
        .iter()
        .find(|(from, _)| *from == language)
        .map_or(language, |(_, to)| (*to).to_owned())
}

/// The IANA registry's deprecated `sgn-XX` tags and the sign language each now names.
const SIGN_LANGUAGES: &[(&str, &str)] = &[
    ("BR", "bzs"),
    ("CO", "csn"),
    ("DE", "gsg"),
    ("DK", "dsl"),
    ("ES", "ssp"),
    ("FR", "fsl"),
    ("GB", "bfi"),
    ("GR", "gss"),
    ("IE", "isg"),
    ("IT", "ise"),
    ("JP", "jsl"),
    ("MX", "mfs"),
    ("NI", "ncs"),
    ("NL", "dse"),
    ("NO", "nsl"),
    ("PT", "psr"),
    ("SE", "swl"),
    ("US", "ase"),
    ("ZA", "sfs"),
];

/// Deprecated language codes and ISO 639-2 three-letter forms, to the code BCP 47 uses.
const ALIASES: &[(&str, &str)] = &[
    ("iw", "he"),
    ("in", "id"),
    ("ji", "yi"),
    ("jw", "jv"),
    ("mo", "ro"),
    ("cmn", "zh"),
    ("ara", "ar"),
    ("ben", "bn"),
    ("chi", "zh"),
    ("zho", "zh"),
    ("cym", "cy"),
    ("wel", "cy"),
    ("deu", "de"),
    ("ger", "de"),
    ("ell", "el"),
    ("gre", "el"),
    ("eng", "en"),
    ("spa", "es"),
    ("fas", "fa"),
    ("per", "fa"),
    ("fra", "fr"),
    ("fre", "fr"),
    ("gle", "ga"),
    ("gla", "gd"),
    ("guj", "gu"),
    ("hin", "hi"),
    ("ita", "it"),
    ("lit", "lt"),
    ("lav", "lv"),
    ("nld", "nl"),
    ("dut", "nl"),
    ("pan", "pa"),
    ("pol", "pl"),
    ("por", "pt"),
    ("ron", "ro"),
    ("rum", "ro"),
    ("rus", "ru"),
    ("som", "so"),
    ("tam", "ta"),
    ("tur", "tr"),
    ("ukr", "uk"),
    ("urd", "ur"),
];

fn is_alpha(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphabetic())
}

fn is_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// 5–8 alphanumerics, or a digit followed by 3 alphanumerics (RFC 5646 `variant`).
fn is_variant(s: &str) -> bool {
    let alnum = s.bytes().all(|b| b.is_ascii_alphanumeric());
    let starts_with_digit = s.bytes().next().is_some_and(|b| b.is_ascii_digit());
    alnum && ((5..=8).contains(&s.len()) || (s.len() == 4 && starts_with_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_tags_come_back_in_canonical_case() {
        let cases = [
            ("en", "en"),
            ("en-GB", "en-GB"),
            ("EN-gb", "en-GB"),
            ("en_GB", "en-GB"),
            ("zh-hant-tw", "zh-Hant-TW"),
            ("ZH-HANT", "zh-Hant"),
            ("es-419", "es-419"),
            ("cy", "cy"),
            ("cy-GB", "cy-GB"),
            ("pa-Guru-IN", "pa-Guru-IN"),
            ("bfi", "bfi"),
            ("sgn-GB", "sgn-GB"),
            ("de-CH-1996", "de-CH-1996"),
            ("sl-rozaj-biske", "sl-rozaj-biske"),
            ("sr-Latn-RS", "sr-Latn-RS"),
            ("en-Latn-GB-OXENDICT", "en-Latn-GB-oxendict"),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_language_tag(raw), Ok(want.to_owned()), "{raw}");
        }
    }

    #[test]
    fn british_sign_language_parses_as_a_three_letter_language() {
        assert_eq!(parse_language_tag("BFI"), Ok("bfi".to_owned()));
    }

    #[test]
    fn malformed_tags_are_rejected() {
        let forty = "a".repeat(40);
        let cases = [
            "",
            "e",
            "english",
            "en-",
            "-en",
            "en--GB",
            "en GB",
            " en",
            "en-GB-x-private",
            "x-private",
            "i-klingon",
            "en-u-ca-buddhist",
            "ñ",
            "en-ñ",
            "123",
            forty.as_str(),
            "en-GB-Latn",
            "en-GB-US",
            "en-abcdefghi",
            "en.UTF-8",
            "en+GB",
            "de-CH-1996-1996",
            "en-1ab",
        ];
        for raw in cases {
            assert!(
                parse_language_tag(raw).is_err(),
                "{raw:?} should be rejected"
            );
        }
    }

    #[test]
    fn each_rejection_explains_itself() {
        assert_eq!(parse_language_tag(""), Err("language tag is empty"));
        assert_eq!(
            parse_language_tag("en GB"),
            Err("language tag must not contain spaces")
        );
        assert_eq!(
            parse_language_tag("ñ"),
            Err("language tag must use only ASCII letters, digits and hyphens")
        );
        assert_eq!(
            parse_language_tag(&"a".repeat(40)),
            Err("language tag is longer than 35 characters")
        );
        assert!(
            parse_language_tag("en--GB")
                .unwrap_err()
                .contains("empty subtag")
        );
        assert!(
            parse_language_tag("en-GB-x-private")
                .unwrap_err()
                .contains("private-use")
        );
        assert!(
            parse_language_tag("e")
                .unwrap_err()
                .contains("2 or 3 letters")
        );
        assert!(
            parse_language_tag("english")
                .unwrap_err()
                .contains("2 or 3 letters")
        );
        assert!(
            parse_language_tag("123")
                .unwrap_err()
                .contains("2 or 3 letters")
        );
        assert!(
            parse_language_tag("zh-yue")
                .unwrap_err()
                .contains("extended language")
        );
        assert!(
            parse_language_tag("en-GB-Latn")
                .unwrap_err()
                .contains("then region")
        );
        assert!(
            parse_language_tag("de-CH-1996-1996")
                .unwrap_err()
                .contains("repeats")
        );
    }

    #[test]
    fn a_tag_of_exactly_thirty_five_characters_is_accepted() {
        // "en-Latn-GB" (10) + three 5-letter variants (3 · 6) + one 6-letter variant (7) = 35.
        let tag = "en-Latn-GB-aaaaa-bbbbb-ccccc-dddddd";
        assert_eq!(tag.len(), MAX_TAG_CHARS);
        assert_eq!(parse_language_tag(tag), Ok(tag.to_owned()));
        let longer = format!("{tag}d");
        assert!(parse_language_tag(&longer).is_err());
    }

    #[test]
    fn a_language_matches_whatever_the_region() {
        for tag in ["en", "en-GB", "en-US", "EN_gb", "en-Latn-GB", "eng"] {
            assert_eq!(match_key(tag), "en", "{tag}");
        }
        assert_eq!(match_key("pl-PL"), "pl");
        assert_eq!(match_key("zh-Hant-TW"), "zh");
        assert_eq!(match_key("cmn"), "zh");
        assert_eq!(match_key("yue"), "yue");
        assert_ne!(match_key("en"), match_key("pl"));
    }

    #[test]
    fn sign_languages_are_languages_of_their_own() {
        assert_eq!(match_key("bfi"), "bfi");
        assert_eq!(match_key("bfi-GB"), "bfi");
        assert_eq!(match_key("sgn-GB"), "bfi");
        assert_eq!(match_key("sgn-US"), "ase");
        assert_eq!(match_key("sgn-IE"), "isg");
        assert_eq!(match_key("SGN-gb"), "bfi");
        assert_eq!(match_key("ase"), "ase");
        // Two sign languages never meet in one shared `sgn`, nor in English.
        let keys = [
            "sgn-GB", "sgn-US", "sgn-IE", "sgn-AU", "sgn-NZ", "sgn", "en-GB",
        ]
        .map(match_key);
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(match_key("sgn-AU"), "sgn-au");
    }

    #[test]
    fn deprecated_codes_match_their_replacements() {
        assert_eq!(match_key("iw"), match_key("he-IL"));
        assert_eq!(match_key("in"), "id");
        assert_eq!(match_key("mo"), "ro");
        assert_eq!(match_key("wel"), match_key("cy-GB"));
        assert_eq!(match_key("cym"), "cy");
    }

    #[test]
    fn every_key_is_the_key_of_itself() {
        for tag in ["en-GB", "sgn-GB", "sgn-AU", "eng", "iw", "bfi", "l3", ""] {
            let k = match_key(tag);
            assert_eq!(match_key(&k), k, "{tag}");
        }
    }

    #[test]
    fn profiles_may_list_up_to_ten_languages() {
        assert_eq!(MAX_LANGUAGES, 10);
    }
}
