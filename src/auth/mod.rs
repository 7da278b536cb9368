//! Authentication and the access policy: password hashing (Argon2id on the blocking pool,
//! bounded), access tokens (HS256 JWT, strictly validated) and opaque refresh and one-time
//! tokens (stored hashed), brute-force limits, the account flows, the second factor (TOTP,
//! `totp` and `service::mfa`), and the extractors whose types ARE the access rules
//! (`AuthUser`, `VerifiedUser`, `Moderator`, `Admin`; staff need a second-factor session).

pub mod extractors;
pub mod password;
pub mod rate_limit;
pub mod service;
pub mod tokens;
pub mod totp;

pub use extractors::{Admin, AuthUser, ClientAddr, Moderator};
