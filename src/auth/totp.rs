//! The second factor's pure parts: TOTP (RFC 6238) through the `totp-rs` crate, with the
//! parameters every authenticator app expects (HMAC-SHA-1, 6 digits, a 30-second step) and a
//! window of one step either side for clock drift; single-use recovery codes; and how both
//! are stored. No I/O here: the caller passes the time and keeps the replay guard (the newest
//! step accepted, `db::mfa::spend_totp_step`).
//!
//! - A secret is 160 bits from the OS CSPRNG (RFC 4226 4, R6), base32 as apps take it.
//! - A recovery code is 16 characters from a 32-letter alphabet without look-alikes (80 bits),
//!   shown as `xxxx-xxxx-xxxx-xxxx`; case, spaces and hyphens are ignored when typed. It is
//!   stored as SHA-256 of the account id and the code: with 80 bits a slow hash buys nothing,
//!   and the account id keeps one table of hashes from serving every account.

use rand::RngCore;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::tokens::hash_token;

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Kindred";
/// Seconds per TOTP step.
pub const STEP_SECS: u64 = 30;
/// Digits per code.
pub const DIGITS: u8 = 6;
/// Steps accepted either side of now.
pub const SKEW_STEPS: u16 = 1;
/// Recovery codes issued at confirmation.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (without its hyphens).
const RECOVERY_CODE_CHARS: usize = 16;
/// Lower-case letters and digits without `0 o 1 l`: 32 symbols, 5 bits each.
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// A new secret, base32 (no padding).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::from(bytes.to_vec()).to_base32()
}

fn totp(secret_b32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_b32).ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(STEP_SECS)
        .with_skew(SKEW_STEPS)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account.replace(':', " "))
        .build()
        .ok()
}

/// The `otpauth://` URI for an authenticator app (label `Kindred:<account>`), with every
/// parameter spelled out. None if the secret is not valid base32.
pub fn otpauth_uri(secret_b32: &str, account: &str) -> Option<String> {
    let uri = totp(secret_b32, account)?.to_url().ok()?;
    Some(format!(
        "{uri}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}"
    ))
}

/// The step a 6-digit `code` is valid for at `unix_secs` (within one step either side), or
/// None. Anything that is not six digits (spaces allowed) is None without computing.
pub fn matching_step(secret_b32: &str, code: &str, unix_secs: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = u64::try_from(unix_secs).ok()?;
    let step = totp(secret_b32, "")?.check(&code, now)?;
    i64::try_from(step).ok()
}

/// The code for `unix_secs` (what an authenticator app shows then).
pub fn code_at(secret_b32: &str, unix_secs: i64) -> Option<String> {
    let t = u64::try_from(unix_secs).ok()?;
    Some(totp(secret_b32, "")?.generate(t).to_string())
}

/// Ten fresh recovery codes, formatted for display.
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; RECOVERY_CODE_CHARS];
            rng.fill_bytes(&mut bytes);
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| char::from(RECOVERY_ALPHABET[usize::from(b & 31)]))
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A typed recovery code in its canonical form, or None if it cannot be one.
pub fn normalize_recovery_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (code.len() == RECOVERY_CODE_CHARS && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)))
        .then_some(code)
}

/// What is stored for recovery code `code` (canonical form) of `user_id`.
pub fn recovery_code_hash(user_id: &str, code: &str) -> String {
    hash_token(&format!("{user_id}:{code}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key, "12345678901234567890", in base32.
    const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_rfc_6238_test_vectors() {
        // The RFC's 8-digit values; an app shows their last six digits.
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(RFC_KEY, t).as_deref(), Some(code), "t={t}");
            assert_eq!(matching_step(RFC_KEY, code, t), Some(t / 30));
        }
    }

    #[test]
    fn one_step_either_side_is_accepted_and_two_are_not() {
        let t = 1_234_567_890;
        let code = code_at(RFC_KEY, t).unwrap();
        assert_eq!(matching_step(RFC_KEY, &code, t + 30), Some(t / 30));
        assert_eq!(matching_step(RFC_KEY, &code, t - 30), Some(t / 30));
        assert_eq!(matching_step(RFC_KEY, &code, t + 60), None);
        assert_eq!(matching_step(RFC_KEY, &code, t - 60), None);
        assert_eq!(matching_step(RFC_KEY, "12345", t), None);
        assert_eq!(matching_step(RFC_KEY, "abcdef", t), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(RFC_KEY, &spaced, t), Some(t / 30));
    }

    #[test]
    fn the_uri_names_the_issuer_and_every_parameter() {
        let s = new_secret();
        assert_eq!(s.len(), 32);
        let uri = otpauth_uri(&s, "ada@example.org").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/Kindred:ada%40example.org?"),
            "{uri}"
        );
        for p in [
            format!("secret={s}"),
            "issuer=Kindred".into(),
            "algorithm=SHA1".into(),
            "digits=6".into(),
            "period=30".into(),
        ] {
            assert!(uri.contains(&p), "{uri} lacks {p}");
        }
    }

    #[test]
    fn recovery_codes_are_distinct_and_read_back_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), 10);
        for c in &codes {
            assert_eq!(c.len(), 19, "{c}");
            let canon = normalize_recovery_code(c).unwrap();
            assert_eq!(
                normalize_recovery_code(&c.to_uppercase()),
                Some(canon.clone())
            );
            assert_eq!(
                normalize_recovery_code(&canon.replace('-', " ")),
                Some(canon)
            );
        }
        assert_eq!(normalize_recovery_code("123456"), None);
        assert_eq!(normalize_recovery_code("0000-0000-0000-0000"), None);
        assert_ne!(recovery_code_hash("a", "x"), recovery_code_hash("b", "x"));
    }
}
