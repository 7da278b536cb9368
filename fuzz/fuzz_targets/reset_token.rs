//! The reset (and verification) token parser: the shape check made before any lookup, and
//! the hash that is looked up.
#![no_main]

use kindred::auth::tokens::{hash_token, looks_like_opaque_token};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    if looks_like_opaque_token(token) {
        assert_eq!(token.len(), 43);
        assert!(token.is_ascii());
        let h = hash_token(token);
        assert_eq!(h.len(), 64);
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit()));
    }
});
