//! Everything the pool reads per person, fetched for everyone at once: one query per table
//! (per chunk of `db::IDS_PER_QUERY` ids) instead of five per person, then each person's
//! [`Features`] decoded once, on first use, and kept for the rest of the load.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDateTime;

use super::features::{Features, PersonRows, features};
use crate::db::profiles;
use crate::db::users::{self, User};
use crate::db::{DbConn, check_ins};
use crate::error::AppError;
use crate::profiles::vocab::Vocabulary;

/// The rows of a set of people, and their features once decoded.
pub(super) struct Rows {
    users: HashMap<String, User>,
    rows: HashMap<String, PersonRows>,
    features: HashMap<String, Features>,
}

impl Rows {
    /// Reads users, profiles, conditions, experiences and latest check-ins of `ids` (sorted and
    /// deduplicated by the caller or not: duplicates only cost bind parameters): five queries
    /// per chunk of `db::IDS_PER_QUERY`.
    pub fn fetch(c: &mut DbConn, ids: &[String]) -> Result<Rows, AppError> {
        let users: HashMap<String, User> = users::find_many(c, ids)?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        let mut rows: HashMap<String, PersonRows> = HashMap::with_capacity(ids.len());
        for p in profiles::find_many(c, ids)? {
            let user = p.user_id.clone();
            rows.entry(user).or_default().profile = Some(p);
        }
        for uc in profiles::conditions_of(c, ids)? {
            rows.entry(uc.user_id.clone())
                .or_default()
                .conditions
                .push(uc);
        }
        for (user, tag) in profiles::experiences_of(c, ids)? {
            rows.entry(user).or_default().experiences.push(tag);
        }
        for ci in check_ins::latest_of(c, ids)? {
            rows.entry(ci.user_id).or_default().latest_level = Some(ci.level);
        }
        Ok(Rows {
            users,
            rows,
            features: HashMap::new(),
        })
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.get(id)
    }

    /// `user`'s features, decoded on first use.
    pub fn features(
        &mut self,
        vocab: &Vocabulary,
        user: &str,
        now: NaiveDateTime,
    ) -> Result<&Features, AppError> {
        match self.features.entry(user.to_string()) {
            Entry::Occupied(e) => Ok(e.into_mut()),
            Entry::Vacant(e) => {
                let empty = PersonRows::default();
                let rows = self.rows.get(user).unwrap_or(&empty);
                Ok(e.insert(features(rows, vocab, now)?))
            }
        }
    }
}
