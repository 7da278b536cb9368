//! Message validation and normalisation: `validate_body` (trim, length, NUL, bidi controls)
//! and `validate_client_id`, with the properties a stored body must have.
#![no_main]

use kindred::domain::text::is_explicit_bidi_formatting;
use kindred::rooms::protocol::{MAX_BODY_CHARS, MAX_CLIENT_ID_CHARS, validate_body, validate_client_id};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(body) = validate_body(text) {
        assert_eq!(body, text.trim());
        let n = body.chars().count();
        assert!((1..=MAX_BODY_CHARS).contains(&n));
        assert!(!body.contains('\0'));
        assert!(!body.chars().any(is_explicit_bidi_formatting));
        // Normalisation is idempotent: a stored body passes again unchanged.
        assert_eq!(validate_body(body), Ok(body));
    }
    if validate_client_id(text).is_ok() {
        assert!((1..=MAX_CLIENT_ID_CHARS).contains(&text.chars().count()));
        assert!(!text.chars().any(char::is_control));
    }
});
