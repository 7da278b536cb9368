//! Unicode character classes the text rules share (display names, message bodies), taken
//! from the Unicode Character Database as ICU4X ships it (`icu_properties`), never listed by
//! hand, so they follow the standard when the data is updated:
//!
//! - *default-ignorable* code points (`Default_Ignorable_Code_Point`): rendered as nothing
//!   (zero-width spaces and joiners, Hangul fillers, variation selectors, tags, bidi
//!   controls). A display name may hold none of them; a message body may (emoji sequences
//!   need ZWJ and variation selectors, Persian needs ZWNJ).
//! - *explicit bidi formatting* characters (UAX #9 §2: `Bidi_Class` LRE, RLE, LRO, RLO, PDF,
//!   LRI, RLI, FSI, PDI): they reorder the text around them, so what people read is not what
//!   was written ("Trojan Source"). Refused in names (they are default-ignorable) and in
//!   message bodies alike. The implicit marks (LRM, RLM, ALM) reorder nothing beyond
//!   themselves and are ordinary in Arabic, Hebrew and Persian typing: bodies keep them.

use icu_properties::props::GeneralCategoryGroup;
use icu_properties::props::{BidiClass, DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};

/// Whether `c` is rendered as nothing (`Default_Ignorable_Code_Point`).
pub fn is_default_ignorable(c: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

/// Whether `c` is one of UAX #9's explicit directional embedding, override or isolate
/// characters.
pub fn is_explicit_bidi_formatting(c: char) -> bool {
    matches!(
        CodePointMapData::<BidiClass>::new().get(c),
        BidiClass::LeftToRightEmbedding
            | BidiClass::RightToLeftEmbedding
            | BidiClass::LeftToRightOverride
            | BidiClass::RightToLeftOverride
            | BidiClass::PopDirectionalFormat
            | BidiClass::LeftToRightIsolate
            | BidiClass::RightToLeftIsolate
            | BidiClass::FirstStrongIsolate
            | BidiClass::PopDirectionalIsolate
    )
}

/// Whether `c` is a letter or a digit (`General_Category` L* or N*) that is not
/// default-ignorable: something a reader can see and say.
pub fn is_visible_letter_or_digit(c: char) -> bool {
    let gc = CodePointMapData::<GeneralCategory>::new().get(c);
    (GeneralCategoryGroup::Letter.contains(gc) || GeneralCategoryGroup::Number.contains(gc))
        && !is_default_ignorable(c)
}

/// Whether `c` is a combining mark (`General_Category` M*).
pub fn is_mark(c: char) -> bool {
    GeneralCategoryGroup::Mark.contains(CodePointMapData::<GeneralCategory>::new().get(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangul_fillers_and_joiners_are_default_ignorable() {
        for c in [
            '\u{3164}',
            '\u{115F}',
            '\u{1160}',
            '\u{FFA0}',
            '\u{200B}',
            '\u{200D}',
            '\u{FE0F}',
            '\u{202E}',
            '\u{2066}',
            '\u{E0041}',
        ] {
            assert!(is_default_ignorable(c), "{:04X}", c as u32);
            assert!(!is_visible_letter_or_digit(c), "{:04X}", c as u32);
        }
        for c in ['a', 'ㅎ', '李', 'ت', '7', ' '] {
            assert!(!is_default_ignorable(c), "{c}");
        }
    }

    #[test]
    fn the_nine_explicit_bidi_controls_and_no_others() {
        let all: Vec<u32> = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|c| is_explicit_bidi_formatting(*c))
            .map(|c| c as u32)
            .collect();
        assert_eq!(
            all,
            [
                0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069
            ]
        );
        for mark in ['\u{200E}', '\u{200F}', '\u{061C}'] {
            assert!(!is_explicit_bidi_formatting(mark));
        }
    }

    #[test]
    fn letters_digits_and_marks() {
        for c in ['a', 'Ж', 'ㅎ', '李', 'ت', '7', '٣', 'Ⅻ'] {
            assert!(is_visible_letter_or_digit(c), "{c}");
        }
        for c in ['.', '-', ' ', '\u{301}', '\u{2800}'] {
            assert!(!is_visible_letter_or_digit(c), "{c:?}");
        }
        assert!(is_mark('\u{301}') && is_mark('\u{94D}') && !is_mark('e'));
    }
}
