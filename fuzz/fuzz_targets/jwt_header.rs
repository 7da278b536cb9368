//! The access-token wrapper (`TokenKeys::validate`): its pre-checks on size and shape, then
//! the header checks (algorithm pinned, `typ`, no `kid`/`jku`/`jwk`/`x5u`/`x5c`/`cty`).
//!
//! The first byte picks how the rest is used: even, as a whole token string; odd, as the
//! header JSON of a token that is otherwise valid and correctly signed with the service's
//! key, so the fuzzer reaches the header checks behind the signature. A token accepted in
//! that mode must have the one header the service issues.
#![no_main]

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use hmac::{Hmac, Mac};
use kindred::auth::tokens::{ACCESS_TOKEN_TTL_SECS, AUDIENCE, TokenKeys};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const SECRET: &[u8] = b"fuzzing-secret-0123456789abcdef!";
const ISSUER: &str = "https://kindred.test";
static KEYS: LazyLock<TokenKeys> = LazyLock::new(|| TokenKeys::new(SECRET, ISSUER));

fn signed_with_header(header: &[u8]) -> String {
    let now = Utc::now().timestamp();
    let claims = json!({
        "iss": ISSUER, "aud": AUDIENCE,
        "sub": "0192f3c4-0000-7000-8000-000000000001",
        "sid": "0192f3c4-0000-7000-8000-000000000002",
        "iat": now, "exp": now + ACCESS_TOKEN_TTL_SECS,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(SECRET) else {
        unreachable!("HMAC takes a key of any length")
    };
    mac.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{sig}")
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Ok(token) = std::str::from_utf8(rest) {
            let _ = KEYS.validate(token, Utc::now());
        }
        return;
    }
    let token = signed_with_header(rest);
    if KEYS.validate(&token, Utc::now()).is_ok() {
        let h: Value = serde_json::from_slice(rest).unwrap_or(Value::Null);
        assert_eq!(h["alg"], "HS256", "accepted header {h}");
        assert_eq!(h["typ"], "at+jwt", "accepted header {h}");
        for k in ["kid", "jku", "jwk", "x5u", "x5c", "cty"] {
            assert!(h.get(k).is_none(), "accepted header with {k}: {h}");
        }
    }
});
