//! Identifiers: UUID v7 as text (time-ordered, so indexes stay append-mostly on both engines).

use serde::{Deserialize, Serialize};

/// A fresh UUID v7 in its canonical hyphenated lower-case form.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Parses an id from a path or body: only a canonical UUID is accepted, so arbitrary text never
/// reaches a query.
pub fn parse_uuid(raw: &str) -> Option<String> {
    uuid::Uuid::parse_str(raw)
        .ok()
        .map(|u| u.hyphenated().to_string())
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub String);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_ordered() {
        let a = new_id();
        let b = new_id();
        assert_eq!(uuid::Uuid::parse_str(&a).unwrap().get_version_num(), 7);
        assert!(a < b);
    }

    #[test]
    fn only_canonical_uuids_parse() {
        assert!(parse_uuid("' OR 1=1--").is_none());
        assert_eq!(
            parse_uuid("0192F3C4-0000-7000-8000-000000000000").unwrap(),
            "0192f3c4-0000-7000-8000-000000000000"
        );
    }
}
