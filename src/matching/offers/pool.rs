//! What open and past offers change in the pool the engine sees.

use std::collections::HashMap;

use crate::db::match_offers;
use crate::error::AppError;
use crate::matching::pool::{self, Pool};

/// The pool, with what open and past offers change: people who declined each other (or let
/// an offer lapse) are never proposed again, and a volunteer's open offers hold capacity.
pub fn load_pool(
    c: &mut crate::db::DbConn,
    vocab: &crate::profiles::vocab::Vocabulary,
    now: chrono::NaiveDateTime,
) -> Result<Pool, AppError> {
    let mut loaded = pool::load(c, vocab, now)?;
    let mut everyone: Vec<String> = loaded.people.iter().map(|p| p.user.clone()).collect();
    everyone.extend(loaded.volunteers.iter().map(|v| v.user.clone()));
    for (a, b) in match_offers::declined_involving(c, &everyone)? {
        loaded.exclusions.add(&a, &b);
    }
    let vols: Vec<String> = loaded.volunteers.iter().map(|v| v.user.clone()).collect();
    let held: HashMap<String, i64> = match_offers::held_by(c, &vols)?.into_iter().collect();
    for v in &mut loaded.volunteers {
        let n = u32::try_from(held.get(&v.user).copied().unwrap_or(0)).unwrap_or(u32::MAX);
        v.free_one_to_one = v.free_one_to_one.saturating_sub(n);
    }
    Ok(loaded)
}
