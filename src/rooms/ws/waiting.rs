//! Sockets that have not authenticated yet, counted per peer address and in total, so that
//! an unauthenticated client cannot hold more than its share of them
//! (`KINDRED_WS_PREAUTH_PER_ADDRESS`, `KINDRED_WS_PREAUTH_TOTAL`). A [`Ticket`] is taken
//! before the upgrade and given back when the first frame's `auth` has been judged or the
//! socket ends, whichever comes first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use crate::config::PreAuthLimits;
use crate::error::AppError;

#[derive(Default)]
struct Counts {
    total: usize,
    /// Addresses with at least one waiting socket (None: the peer address is unknown).
    by_address: HashMap<Option<IpAddr>, usize>,
}

/// The counts, shared by every connection of one server.
#[derive(Default)]
pub struct Waiting {
    counts: Mutex<Counts>,
}

/// One waiting socket's place; dropping it gives the place back.
pub struct Ticket {
    waiting: Arc<Waiting>,
    addr: Option<IpAddr>,
}

impl Waiting {
    /// Takes a place for a socket from `addr`, or refuses: 429 when that address has its
    /// share waiting, 503 when the server has.
    pub fn enter(
        self: &Arc<Self>,
        addr: Option<IpAddr>,
        limits: &PreAuthLimits,
    ) -> Result<Ticket, AppError> {
        let mut c = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = c.by_address.get(&addr).copied().unwrap_or(0);
        if mine >= limits.per_address {
            return Err(AppError::TooMany {
                code: "too_many_unauthenticated",
                detail: "Too many websockets from this address are waiting to authenticate; \
                         authenticate or close one first."
                    .into(),
            });
        }
        if c.total >= limits.total {
            return Err(AppError::unavailable(
                "server_busy",
                "Too many websockets are waiting to authenticate; try again shortly.",
            ));
        }
        c.total += 1;
        *c.by_address.entry(addr).or_default() += 1;
        Ok(Ticket {
            waiting: self.clone(),
            addr,
        })
    }

    /// Sockets waiting in total.
    pub fn total(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut c = self
            .waiting
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.by_address.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                c.by_address.remove(&self.addr);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_counted_per_address_and_in_total_and_given_back() {
        let w = Arc::new(Waiting::default());
        let limits = PreAuthLimits {
            per_address: 2,
            total: 3,
        };
        let a: Option<IpAddr> = Some("192.0.2.1".parse().unwrap());
        let b: Option<IpAddr> = Some("192.0.2.2".parse().unwrap());
        let a1 = w.enter(a, &limits).unwrap();
        let _a2 = w.enter(a, &limits).unwrap();
        assert_eq!(
            w.enter(a, &limits).err().unwrap().code(),
            "too_many_unauthenticated"
        );
        let _b1 = w.enter(b, &limits).unwrap();
        assert_eq!(w.enter(None, &limits).err().unwrap().code(), "server_busy");
        drop(a1);
        assert_eq!(w.total(), 2);
        let _a3 = w.enter(a, &limits).unwrap();
        assert_eq!(w.total(), 3);
    }
}
