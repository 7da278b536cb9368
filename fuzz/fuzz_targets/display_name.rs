//! The display-name validator (NFC, default-ignorables, UTS #39 skeleton against reserved
//! words): no panic, and an accepted name is stable and visible.
#![no_main]

use kindred::domain::DisplayName;
use kindred::domain::display_name::{MAX_DISPLAY_NAME_CHARS, folded_skeleton};
use kindred::domain::text::{is_default_ignorable, is_visible_letter_or_digit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The skeleton itself must cope with anything, not only with valid names.
    let _ = folded_skeleton(text);
    if let Ok(name) = DisplayName::parse(text) {
        let v = name.as_str();
        assert!(v.chars().count() <= MAX_DISPLAY_NAME_CHARS);
        assert!(v.chars().any(is_visible_letter_or_digit));
        assert!(!v.chars().any(is_default_ignorable));
        assert!(!name.key().is_empty());
        // What is stored parses again to itself.
        assert_eq!(DisplayName::parse(v).as_ref().map(DisplayName::as_str), Ok(v));
    }
});
