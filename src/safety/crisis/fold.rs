//! Step 1, fold: one input character to its plain form (compatibility-decomposed, lower case,
//! marks and invisible characters gone, quotes plain, look-alike letters Latin).
//!
//! It keeps whitespace and punctuation as they are: splitting is the tokeniser's job.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Pushes the folded form of one input character: compatibility-decomposed, lower case, marks
/// and invisible characters gone, quotes plain, look-alike letters Latin. Whitespace stays
/// whitespace and punctuation stays punctuation for the tokeniser.
pub(super) fn fold_char(c: char, mut out: impl FnMut(char)) {
    if c.is_ascii() {
        out(c.to_ascii_lowercase());
        return;
    }
    if is_invisible(c) {
        return;
    }
    if is_apostrophe(c) {
        out('\'');
        return;
    }
    if c.is_whitespace() {
        out(' ');
        return;
    }
    decompose_compatible(c, |d| {
        for lower in d.to_lowercase() {
            if !is_combining_mark(lower) && !is_invisible(lower) {
                out(look_alike(lower));
            }
        }
    });
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\u{2018}'
            | '\u{2019}'
            | '\u{201B}'
            | '\u{2032}'
            | '\u{00B4}'
            | '\u{02BC}'
            | '\u{02BB}'
            | '\u{FF07}'
    )
}

/// Format characters that render as nothing: used to split a word invisibly.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Cyrillic and Greek letters that look like Latin ones once lower-cased.
fn look_alike(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'с' => 'c',
        'ԁ' => 'd',
        'е' | 'ε' => 'e',
        'һ' | 'н' => 'h',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'ӏ' => 'l',
        'м' | 'μ' => 'm',
        'η' => 'n',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' => 'u',
        'ѵ' | 'ν' => 'v',
        'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' => 'y',
        other => other,
    }
}
