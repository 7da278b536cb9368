//! Languages in words: the English name a member reads for a language tag ("English",
//! "Polish", "British Sign Language"), so an explanation never shows a tag such as `en-GB`.
//!
//! The name belongs to the language, not the region or script: `en`, `en-GB` and `en-US` are
//! all "English". Tags are looked up by their primary language subtag, lower-cased, with the
//! deprecated `sgn-XX` sign-language forms mapped to their own languages (`sgn-GB` is BSL,
//! `bfi`). The table covers the languages UK services meet; a tag it does not know has no
//! name, and a caller then leaves the sentence out rather than show the tag. This module does
//! its own lookup from a full tag (it does not depend on `language::match_key`), and no I/O.

/// Primary language subtag (ISO 639, lower case) → English name.
const NAMES: &[(&str, &str)] = &[
    // Languages of the UK and Ireland.
    ("en", "English"),
    ("cy", "Welsh"),
    ("gd", "Scottish Gaelic"),
    ("ga", "Irish"),
    ("kw", "Cornish"),
    ("gv", "Manx"),
    ("sco", "Scots"),
    // Sign languages are languages of their own.
    ("bfi", "British Sign Language"),
    ("ase", "American Sign Language"),
    ("isg", "Irish Sign Language"),
    ("fsl", "French Sign Language"),
    ("gsg", "German Sign Language"),
    ("asf", "Australian Sign Language"),
    // South Asia.
    ("pa", "Punjabi"),
    ("pnb", "Punjabi"),
    ("ur", "Urdu"),
    ("bn", "Bengali"),
    ("syl", "Sylheti"),
    ("gu", "Gujarati"),
    ("hi", "Hindi"),
    ("ta", "Tamil"),
    ("te", "Telugu"),
    ("ml", "Malayalam"),
    ("mr", "Marathi"),
    ("kn", "Kannada"),
    ("ne", "Nepali"),
    ("si", "Sinhala"),
    ("ps", "Pashto"),
    // The Middle East and Central Asia.
    ("ar", "Arabic"),
    ("fa", "Farsi"),
    ("prs", "Dari"),
    ("ku", "Kurdish"),
    ("ckb", "Kurdish (Sorani)"),
    ("kmr", "Kurdish (Kurmanji)"),
    ("tr", "Turkish"),
    ("he", "Hebrew"),
    // Africa.
    ("so", "Somali"),
    ("ti", "Tigrinya"),
    ("am", "Amharic"),
    ("om", "Oromo"),
    ("sw", "Swahili"),
    ("yo", "Yoruba"),
    ("ig", "Igbo"),
    ("ha", "Hausa"),
    ("tw", "Twi"),
    ("ak", "Akan"),
    ("sn", "Shona"),
    ("zu", "Zulu"),
    ("af", "Afrikaans"),
    // Europe.
    ("pl", "Polish"),
    ("ro", "Romanian"),
    ("pt", "Portuguese"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("it", "Italian"),
    ("de", "German"),
    ("nl", "Dutch"),
    ("lt", "Lithuanian"),
    ("lv", "Latvian"),
    ("et", "Estonian"),
    ("uk", "Ukrainian"),
    ("ru", "Russian"),
    ("bg", "Bulgarian"),
    ("cs", "Czech"),
    ("sk", "Slovak"),
    ("hu", "Hungarian"),
    ("el", "Greek"),
    ("sq", "Albanian"),
    ("sr", "Serbian"),
    ("hr", "Croatian"),
    ("bs", "Bosnian"),
    ("sl", "Slovenian"),
    ("mk", "Macedonian"),
    ("da", "Danish"),
    ("sv", "Swedish"),
    ("no", "Norwegian"),
    ("nb", "Norwegian"),
    ("nn", "Norwegian"),
    ("fi", "Finnish"),
    ("is", "Icelandic"),
    ("ca", "Catalan"),
    ("eu", "Basque"),
    ("gl", "Galician"),
    ("mt", "Maltese"),
    // East and South-East Asia.
    ("zh", "Chinese"),
    ("yue", "Cantonese"),
    ("cmn", "Mandarin"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("vi", "Vietnamese"),
    ("th", "Thai"),
    ("tl", "Tagalog"),
    ("fil", "Filipino"),
    ("ms", "Malay"),
    ("id", "Indonesian"),
];

/// Deprecated `sgn-XX` forms (sign language of a country, ISO 3166 region) → the language
/// subtag that replaced them.
const SIGN_BY_REGION: &[(&str, &str)] = &[
    ("gb", "bfi"),
    ("us", "ase"),
    ("ie", "isg"),
    ("fr", "fsl"),
    ("de", "gsg"),
    ("au", "asf"),
];

/// The key a tag is named by: its primary language subtag in lower case, with `sgn-XX` mapped
/// to the sign language it names. `None` for an empty tag or a bare `sgn` (which names no
/// language).
pub fn name_key(tag: &str) -> Option<String> {
    let mut parts = tag.split(['-', '_']).map(str::to_ascii_lowercase);
    let primary = parts.next().filter(|p| !p.is_empty())?;
    if primary == "sgn" {
        let region = parts.next()?;
        return SIGN_BY_REGION
            .iter()
            .find(|(r, _)| *r == region)
            .map(|(_, lang)| (*lang).to_string());
    }
    Some(primary)
}

/// The English name of the language a tag names, or `None` when the table has no name for it.
pub fn language_name(tag: &str) -> Option<&'static str> {
    let key = name_key(tag)?;
    NAMES.iter().find(|(k, _)| *k == key).map(|(_, n)| *n)
}

/// Every language subtag the table names (for tests over the whole table).
pub fn known_keys() -> impl Iterator<Item = &'static str> {
    NAMES.iter().map(|(k, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_is_named_whatever_its_region_or_script() {
        for tag in ["en", "en-GB", "EN_us", "en-Latn-GB"] {
            assert_eq!(language_name(tag), Some("English"), "{tag}");
        }
        assert_eq!(language_name("pl-PL"), Some("Polish"));
        assert_eq!(language_name("pa-Guru-IN"), Some("Punjabi"));
        assert_eq!(language_name("zh-Hant-TW"), Some("Chinese"));
        assert_eq!(language_name("yue"), Some("Cantonese"));
    }

    #[test]
    fn sign_languages_are_their_own_languages_in_every_spelling() {
        assert_eq!(language_name("bfi"), Some("British Sign Language"));
        assert_eq!(language_name("sgn-GB"), Some("British Sign Language"));
        assert_eq!(language_name("ase"), Some("American Sign Language"));
        assert_eq!(language_name("sgn-US"), Some("American Sign Language"));
        assert_eq!(language_name("isg"), Some("Irish Sign Language"));
        assert_eq!(language_name("sgn-IE"), Some("Irish Sign Language"));
        assert_eq!(name_key("sgn-GB").as_deref(), Some("bfi"));
        assert_ne!(language_name("sgn-GB"), language_name("en-GB"));
    }

    #[test]
    fn an_unknown_tag_has_no_name() {
        for tag in ["", "sgn", "sgn-ZZ", "xx", "qaa", "-en"] {
            assert_eq!(language_name(tag), None, "{tag}");
        }
    }

    #[test]
    fn the_languages_uk_services_meet_are_all_named() {
        for (tag, name) in [
            ("cy", "Welsh"),
            ("gd", "Scottish Gaelic"),
            ("ga", "Irish"),
            ("ur", "Urdu"),
            ("bn", "Bengali"),
            ("gu", "Gujarati"),
            ("ar", "Arabic"),
            ("ro", "Romanian"),
            ("pt-BR", "Portuguese"),
            ("es", "Spanish"),
            ("fr", "French"),
            ("it", "Italian"),
            ("lt", "Lithuanian"),
            ("so", "Somali"),
            ("ta", "Tamil"),
            ("tr", "Turkish"),
            ("cmn", "Mandarin"),
            ("fa", "Farsi"),
            ("ku", "Kurdish"),
            ("ps", "Pashto"),
            ("ti", "Tigrinya"),
            ("uk", "Ukrainian"),
            ("ru", "Russian"),
            ("hi", "Hindi"),
            ("de", "German"),
        ] {
            assert_eq!(language_name(tag), Some(name), "{tag}");
        }
    }

    #[test]
    fn every_name_is_words_not_a_tag() {
        for key in known_keys() {
            let name = language_name(key).unwrap();
            assert!(name.chars().next().unwrap().is_ascii_uppercase(), "{name}");
            assert!(!name.contains('-') && name.len() >= 3, "{name}");
            assert_eq!(
                NAMES.iter().filter(|(k, _)| *k == key).count(),
                1,
                "{key} twice"
            );
        }
    }
}
