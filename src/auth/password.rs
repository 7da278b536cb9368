//! Argon2id hashing. Hashes run on the blocking pool under a semaphore: each one takes
//! `m_cost` KiB, so at most `max_concurrent_hashes` run at once and a flood of logins waits
//! briefly, then gets 503, instead of exhausting memory. Unknown accounts are verified against
//! a dummy hash with the same parameters, so their timing matches a wrong password.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::domain::Password;
use crate::error::AppError;

/// How long a request waits for a hashing slot before it is told to come back (503).
pub const HASH_QUEUE_TIMEOUT: Duration = Duration::from_secs(5);

/// Argon2id cost. The default is OWASP's and ASVS's floor: m = 19 MiB, t = 2, p = 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordParams {
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl Default for PasswordParams {
    fn default() -> Self {
        PasswordParams {
            m_cost_kib: 19_456,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

impl PasswordParams {
    pub fn meets_production_floor(&self) -> bool {
        self.m_cost_kib >= 19_456 && self.t_cost >= 2 && self.p_cost == 1
    }

    fn argon2(&self) -> Result<Argon2<'static>, argon2::Error> {
        let params = Params::new(self.m_cost_kib, self.t_cost, self.p_cost, None)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub ok: bool,
    /// The stored hash used other parameters than today's: store a fresh one.
    pub needs_rehash: bool,
}

pub struct PasswordHasher {
    params: PasswordParams,
    slots: Arc<Semaphore>,
    dummy_hash: String,
}

impl PasswordHasher {
    /// Builds the hasher and its dummy hash. Blocking (one hash): call off the async threads.
    pub fn new(params: PasswordParams, max_concurrent: usize) -> Result<Self, argon2::Error> {
        let dummy_hash = hash_blocking(&params, "a dummy password nobody has")?;
        Ok(PasswordHasher {
            params,
            slots: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy_hash,
        })
    }

    /// Hashes on the calling thread: for the CLI, never for async code.
    pub fn hash_now(&self, password: &Password) -> Result<String, argon2::Error> {
        hash_blocking(&self.params, password.expose())
    }

    pub fn params(&self) -> PasswordParams {
        self.params
    }

    async fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        match tokio::time::timeout(HASH_QUEUE_TIMEOUT, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => Err(AppError::unavailable(
                "server_busy",
                "The service is busy; try again in a moment.",
            )),
        }
    }

    pub async fn hash(&self, password: Password) -> Result<String, AppError> {
        let permit = self.slot().await?;
        let params = self.params;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            hash_blocking(&params, password.expose())
        })
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(std::io::Error::other(e.to_string())))
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is no account,
    /// so both paths cost the same.
    pub async fn verify(
        &self,
        password: Password,
        stored: Option<String>,
    ) -> Result<Verified, AppError> {
        let permit = self.slot().await?;
        let params = self.params;
        let (hash, real) = match stored {
            Some(h) => (h, true),
            None => (self.dummy_hash.clone(), false),
        };
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let Ok(parsed) = PasswordHash::new(&hash) else {
                return Verified {
                    ok: false,
                    needs_rehash: false,
                };
            };
            // Verification takes its parameters from the stored hash.
            let ok = Argon2::default()
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok()
                && real;
            Verified {
                ok,
                needs_rehash: ok && !matches_params(&parsed, &params),
            }
        })
        .await
        .map_err(AppError::internal)
    }
}

fn hash_blocking(params: &PasswordParams, password: &str) -> Result<String, argon2::Error> {
    let salt = SaltString::generate(&mut OsRng);
    params
        .argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| argon2::Error::AlgorithmInvalid)
}

fn matches_params(hash: &PasswordHash<'_>, want: &PasswordParams) -> bool {
    if hash.algorithm.as_str() != "argon2id" {
        return false;
    }
    match Params::try_from(hash) {
        Ok(p) => {
            p.m_cost() == want.m_cost_kib && p.t_cost() == want.t_cost && p.p_cost() == want.p_cost
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: PasswordParams = PasswordParams {
        m_cost_kib: 1024,
        t_cost: 1,
        p_cost: 1,
    };

    #[tokio::test]
    async fn production_hashes_are_argon2id_with_the_floor_parameters() {
        let h = PasswordHasher::new(PasswordParams::default(), 2).unwrap();
        let hash = h
            .hash(Password::new_secret("a long enough passphrase").unwrap())
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }

    #[tokio::test]
    async fn salts_are_unique_and_verification_works() {
        let h = PasswordHasher::new(CHEAP, 2).unwrap();
        let pw = || Password::new_secret("a long enough passphrase").unwrap();
        let a = h.hash(pw()).await.unwrap();
        let b = h.hash(pw()).await.unwrap();
        assert_ne!(a, b);
        assert!(h.verify(pw(), Some(a.clone())).await.unwrap().ok);
        let wrong = Password::for_verify("a long enough passphrasE");
        assert!(!h.verify(wrong, Some(a)).await.unwrap().ok);
    }

    #[tokio::test]
    async fn no_account_never_verifies_even_with_the_dummy_password() {
        let h = PasswordHasher::new(CHEAP, 2).unwrap();
        let v = h
            .verify(Password::for_verify("a dummy password nobody has"), None)
            .await
            .unwrap();
        assert!(!v.ok);
    }

    #[tokio::test]
    async fn old_parameters_ask_for_a_rehash() {
        let old = PasswordHasher::new(CHEAP, 2).unwrap();
        let hash = old
            .hash(Password::new_secret("a long enough passphrase").unwrap())
            .await
            .unwrap();
        let new = PasswordHasher::new(
            PasswordParams {
                m_cost_kib: 2048,
                ..CHEAP
            },
            2,
        )
        .unwrap();
        let v = new
            .verify(Password::for_verify("a long enough passphrase"), Some(hash))
            .await
            .unwrap();
        assert_eq!(
            v,
            Verified {
                ok: true,
                needs_rehash: true
            }
        );
    }
}
