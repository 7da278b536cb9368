//! Access tokens and opaque tokens.
//!
//! Access tokens are HS256 JWTs, pinned to that one algorithm, with `iss`, `aud`, `sub`,
//! `sid`, `iat` and `exp` (15 minutes) all required, header `typ` `at+jwt` (RFC 9068), and no
//! `kid`, `jku`, `jwk` or `x5u` accepted. `exp` and `iat` are checked both by jsonwebtoken
//! against the wall clock and here against the service's clock, so tests can move time.
//! Numeric claims must be numbers: `"exp": "9999999999"` fails to deserialise (the
//! CVE-2026-25537 regression that jsonwebtoken < 10.3 let through).
//!
//! Refresh, verification and reset tokens are 256 random bits, base64url, stored only as
//! SHA-256 hex.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Lifetime of an access token.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;
/// Clock skew tolerated on `exp` and `iat`.
pub const JWT_LEEWAY_SECS: u64 = 5;
/// The audience every access token names.
pub const AUDIENCE: &str = "kindred-api";
/// The JWT header type of an access token (RFC 9068).
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

/// Why a token was refused. All of them are a 401 to the client; the kind is for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    Malformed,
    Expired,
    Invalid,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8], issuer: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = JWT_LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_string(),
            validation,
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Signs an access token for `user_id` in session `session_id`.
    pub fn issue(
        &self,
        user_id: &str,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let iat = now.timestamp();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_string(),
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            iat,
            exp: iat + ACCESS_TOKEN_TTL_SECS,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some(ACCESS_TOKEN_TYP.to_string());
        encode(&header, &claims, &self.encoding)
    }

    /// Validates a token strictly; `now` is the service's clock.
    pub fn validate(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessClaims, TokenRejection> {
        // Bound the work on junk before any parsing.
        if token.len() > 4096 || token.split('.').count() != 3 {
            return Err(TokenRejection::Malformed);
        }
        let data =
            decode::<AccessClaims>(token, &self.decoding, &self.validation).map_err(|e| match e
                .kind()
            {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenRejection::Expired,
                _ => TokenRejection::Invalid,
            })?;
        let h = &data.header;
        if h.alg != Algorithm::HS256
            || h.typ.as_deref() != Some(ACCESS_TOKEN_TYP)
            || h.kid.is_some()
            || h.jku.is_some()
            || h.jwk.is_some()
            || h.x5u.is_some()
            || h.x5c.is_some()
            || h.cty.is_some()
        {
            return Err(TokenRejection::Invalid);
        }
        let c = data.claims;
        let leeway = JWT_LEEWAY_SECS as i64;
        let now = now.timestamp();
        if c.exp <= now - leeway {
            return Err(TokenRejection::Expired);
        }
        if c.iat > now + leeway || c.exp - c.iat > ACCESS_TOKEN_TTL_SECS {
            return Err(TokenRejection::Invalid);
        }
        if crate::domain::ids::parse_uuid(&c.sub).is_none()
            || crate::domain::ids::parse_uuid(&c.sid).is_none()
        {
            return Err(TokenRejection::Invalid);
        }
        Ok(c)
    }
}

/// A fresh opaque token: 256 bits from the OS CSPRNG, base64url without padding.
pub fn new_opaque_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored for an opaque token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Opaque tokens are 43 base64url characters; anything else is refused before any lookup.
pub fn looks_like_opaque_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const UID: &str = "0192f3c4-0000-7000-8000-000000000001";
    const SID: &str = "0192f3c4-0000-7000-8000-000000000002";

    fn keys() -> TokenKeys {
        TokenKeys::new(SECRET, "http://127.0.0.1:8080")
    }

    fn forge(header: serde_json::Value, claims: serde_json::Value, key: &[u8]) -> String {
        use hmac_like::sign;
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let c = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{h}.{c}");
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(sign(key, input.as_bytes()))
        )
    }

    /// HMAC-SHA256 by the book (RFC 2104), so the tests forge tokens independently of the
    /// library under test.
    mod hmac_like {
        use sha2::{Digest, Sha256};
        pub fn sign(key: &[u8], msg: &[u8]) -> Vec<u8> {
            let mut k = [0u8; 64];
            if key.len() > 64 {
                k[..32].copy_from_slice(&Sha256::digest(key));
            } else {
                k[..key.len()].copy_from_slice(key);
            }
            let mut inner = Sha256::new();
            inner.update(k.iter().map(|b| b ^ 0x36).collect::<Vec<_>>());
            inner.update(msg);
            let mut outer = Sha256::new();
            outer.update(k.iter().map(|b| b ^ 0x5c).collect::<Vec<_>>());
            outer.update(inner.finalize());
            outer.finalize().to_vec()
        }
    }

    fn claims(now: i64) -> serde_json::Value {
        serde_json::json!({
            "iss": "http://127.0.0.1:8080", "aud": AUDIENCE, "sub": UID, "sid": SID,
            "iat": now, "exp": now + 900
        })
    }

    fn header() -> serde_json::Value {
        serde_json::json!({"alg": "HS256", "typ": "at+jwt"})
    }

    #[test]
    fn round_trip_works_so_a_crypto_backend_is_compiled_in() {
        let now = Utc::now();
        let t = keys().issue(UID, SID, now).unwrap();
        let c = keys().validate(&t, now).unwrap();
        assert_eq!((c.sub.as_str(), c.sid.as_str()), (UID, SID));
        assert_eq!(c.exp - c.iat, ACCESS_TOKEN_TTL_SECS);
    }

    #[test]
    fn a_hand_forged_token_with_the_right_key_is_accepted() {
        // Proves the forging helper is right, so the rejections below mean something.
        let now = Utc::now();
        let t = forge(header(), claims(now.timestamp()), SECRET);
        assert!(keys().validate(&t, now).is_ok());
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let now = Utc::now();
        let ts = now.timestamp();
        let mut cases: Vec<(&str, String)> = vec![
            (
                "wrong key",
                forge(header(), claims(ts), b"another secret that is 32 bytes!"),
            ),
            ("alg none", {
                let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
                let c = URL_SAFE_NO_PAD.encode(claims(ts).to_string());
                format!("{h}.{c}.")
            }),
            (
                "HS512",
                forge(
                    serde_json::json!({"alg":"HS512","typ":"at+jwt"}),
                    claims(ts),
                    SECRET,
                ),
            ),
            (
                "no typ",
                forge(serde_json::json!({"alg":"HS256"}), claims(ts), SECRET),
            ),
            (
                "jku",
                forge(
                    serde_json::json!({"alg":"HS256","typ":"at+jwt","jku":"https://evil.example/k"}),
                    claims(ts),
                    SECRET,
                ),
            ),
            (
                "kid traversal",
                forge(
                    serde_json::json!({"alg":"HS256","typ":"at+jwt","kid":"../../x"}),
                    claims(ts),
                    SECRET,
                ),
            ),
        ];
        let mut c = claims(ts);
        c["exp"] = serde_json::json!((ts + 900).to_string());
        cases.push(("exp as string", forge(header(), c, SECRET)));
        let mut c = claims(ts);
        c["exp"] = serde_json::json!(ts - 60);
        c["iat"] = serde_json::json!(ts - 960);
        cases.push(("expired", forge(header(), c, SECRET)));
        for field in ["exp", "aud", "iss", "sub", "iat"] {
            let mut c = claims(ts);
            c.as_object_mut().unwrap().remove(field);
            cases.push(("missing claim", forge(header(), c, SECRET)));
        }
        let mut c = claims(ts);
        c["aud"] = serde_json::json!("someone-else");
        cases.push(("wrong aud", forge(header(), c, SECRET)));
        let mut c = claims(ts);
        c["iss"] = serde_json::json!("https://evil.example");
        cases.push(("wrong iss", forge(header(), c, SECRET)));
        let mut c = claims(ts);
        c["iat"] = serde_json::json!(ts + 3600);
        c["exp"] = serde_json::json!(ts + 3600 + 900);
        cases.push(("iat in the future", forge(header(), c, SECRET)));
        let mut c = claims(ts);
        c["exp"] = serde_json::json!(ts + 86_400);
        cases.push(("lifetime too long", forge(header(), c, SECRET)));
        let good = keys().issue(UID, SID, now).unwrap();
        let (body, _sig) = good.rsplit_once('.').unwrap();
        cases.push(("stripped signature", format!("{body}.")));
        cases.push(("truncated signature", good[..good.len() - 4].to_string()));
        let mut c = claims(ts);
        c["sub"] = serde_json::json!("0192f3c4-0000-7000-8000-000000000009");
        let (h, _, s) = {
            let mut it = good.split('.');
            (
                it.next().unwrap().to_string(),
                it.next(),
                it.next().unwrap().to_string(),
            )
        };
        cases.push((
            "changed sub",
            format!("{h}.{}.{s}", URL_SAFE_NO_PAD.encode(c.to_string())),
        ));
        cases.push(("garbage", "not.a.jwt".into()));
        cases.push(("sql in sub", {
            let mut c = claims(ts);
            c["sub"] = serde_json::json!("' OR 1=1--");
            forge(header(), c, SECRET)
        }));
        for (name, token) in cases {
            assert!(keys().validate(&token, now).is_err(), "{name} was accepted");
        }
    }

    #[test]
    fn the_service_clock_expires_tokens() {
        let now = Utc::now();
        let t = keys().issue(UID, SID, now).unwrap();
        let later = now + chrono::Duration::seconds(ACCESS_TOKEN_TTL_SECS + 6);
        assert_eq!(keys().validate(&t, later), Err(TokenRejection::Expired));
    }

    #[test]
    fn opaque_tokens_have_256_bits_and_hash_to_hex() {
        let a = new_opaque_token();
        assert!(looks_like_opaque_token(&a));
        assert_ne!(a, new_opaque_token());
        assert_eq!(hash_token(&a).len(), 64);
        assert!(!looks_like_opaque_token("short"));
        assert!(!looks_like_opaque_token(&format!("{}'", &a[..42])));
    }
}
