//! The rules file: its format, its validation, and compiling it into a [`CrisisDetector`].
//!
//! The file is data owned by the CSO; this module must reject a malformed or meaningless file
//! with an error naming the rule, never run with half of it.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::severity::Severity;
use super::tokenise::{LeetOne, normalise};
use super::trie::{Hit, TrieBuilder};
use super::{CrisisDetector, Rule};

/// The rules shipped in the binary. The CSO owns this file; `KINDRED_CRISIS_RULES` can point
/// at a replacement without a code change.
pub(super) const BUILTIN_RULES_JSON: &str = include_str!("../crisis_rules.json");

/// Rule ids end up in `crisis_flag` rows and alerts, so they are short and plain.
const MAX_RULE_ID_CHARS: usize = 64;

/// A phrase shorter than this (after normalisation) would flag nearly every message.
const MIN_PHRASE_CHARS: usize = 2;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RulesFile {
    version: String,
    pub(super) rules: Vec<RuleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RuleEntry {
    id: String,
    pub(super) severity: String,
    /// Free text for reviewers (why the rule exists, known false positives). Not used.
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "read by people reviewing the file, not by the code"
    )]
    note: Option<String>,
    pub(super) phrases: Vec<String>,
    /// A message matching this rule is held for moderator review before anyone else sees it
    /// (SAFE-SG-2: method detail, encouragement of self-harm). It is still flagged as usual.
    #[serde(default)]
    pub(super) hold: bool,
}

impl CrisisDetector {
    /// The rules shipped in the binary (`crisis_rules.json`). A test proves the shipped file
    /// parses, so the error case is only reachable by editing the file without running tests;
    /// startup should fail on it rather than run without a detector.
    pub fn builtin() -> Result<Self, String> {
        Self::from_json(BUILTIN_RULES_JSON).map_err(|e| format!("built-in crisis rules: {e}"))
    }

    /// Parses and validates a rules file: a non-empty `version`; at least one rule; rule ids
    /// unique, of `a-z`, `0-9` and `_`; severity `amber` or `red`; at least one phrase per rule
    /// and no phrase that normalises to fewer than two characters. `hold` is optional (false).
    pub fn from_json(json: &str) -> Result<Self, String> {
        let file: RulesFile = serde_json::from_str(json)
            .map_err(|e| format!("crisis rules are not valid JSON: {e}"))?;
        let version = file.version.trim();
        if version.is_empty() {
            return Err("crisis rules: version must not be empty".to_owned());
        }
        if file.rules.is_empty() {
            return Err("crisis rules: there must be at least one rule".to_owned());
        }
        let mut seen_ids = HashSet::new();
        let mut rules = Vec::with_capacity(file.rules.len());
        let mut trie = TrieBuilder::default();
        for (index, entry) in file.rules.into_iter().enumerate() {
            let id = entry.id;
            if id.is_empty()
                || id.len() > MAX_RULE_ID_CHARS
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(format!(
                    "crisis rules: rule {} has id {id:?}; ids are 1 to {MAX_RULE_ID_CHARS} of a-z, 0-9 and _",
                    index + 1
                ));
            }
            if !seen_ids.insert(id.clone()) {
                return Err(format!("crisis rules: rule id {id:?} is used twice"));
            }
            let severity = Severity::parse(&entry.severity).ok_or_else(|| {
                format!(
                    "crisis rules: rule {id:?} has severity {:?}; expected \"amber\" or \"red\"",
                    entry.severity
                )
            })?;
            if entry.phrases.is_empty() {
                return Err(format!("crisis rules: rule {id:?} has no phrases"));
            }
            for phrase in &entry.phrases {
                let compact = normalise(phrase, LeetOne::AsI).text;
                if String::from_utf8_lossy(&compact).chars().count() < MIN_PHRASE_CHARS {
                    return Err(format!(
                        "crisis rules: rule {id:?} has phrase {phrase:?}, which is empty or too short once normalised"
                    ));
                }
                trie.insert(
                    &compact,
                    Hit {
                        rule: index,
                        severity,
                    },
                    entry.hold,
                );
            }
            rules.push(Rule {
                id,
                severity,
                hold: entry.hold,
            });
        }
        Ok(CrisisDetector {
            version: version.to_owned(),
            rules,
            trie: trie.build(),
        })
    }

    /// Reads and validates a rules file (`KINDRED_CRISIS_RULES=<path>`).
    pub fn load(path: &Path) -> Result<Self, String> {
        let json = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read crisis rules {}: {e}", path.display()))?;
        Self::from_json(&json).map_err(|e| format!("{}: {e}", path.display()))
    }
}
