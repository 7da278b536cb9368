//! Authentication and the access policy: password hashing (Argon2id on the blocking pool,
//! bounded), access tokens (HS256 JWT, strictly validated) and opaque refresh and one-time
//! tokens (stored hashed), brute-force limits, the account flows, and the extractors whose
//! types ARE the access rules (`AuthUser`, `VerifiedUser`, `Moderator`, `Admin`).

pub mod extractors;
pub mod password;
pub mod rate_limit;
pub mod service;
pub mod tokens;

pub use extractors::{Admin, AuthUser, ClientAddr, Moderator};
