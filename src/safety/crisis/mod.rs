//! The crisis-language detector (SAFE-SG-1): curated phrases, matched after normalisation that
//! undoes the usual ways people get past filters.
//!
//! It owns the rules file format and its validation, the normalisation, and the matcher. It must
//! not log, store or copy the text it reads: a [`Detection`] names a rule and a severity only.
//!
//! How a message is matched:
//!
//! 1. **Fold** each character: compatibility forms (NFKD: fullwidth, mathematical and ligature
//!    letters), lower case, accents and other combining marks removed (so "zalgo" text reads
//!    plainly), invisible format characters removed (zero-width spaces inside a word join it),
//!    curly quotes made plain, a few Cyrillic and Greek look-alike letters made Latin.
//! 2. **Tokenise**: apostrophes are dropped ("can't" → "cant"); in a chunk that contains a letter
//!    (or a run of single characters that does, as in "k 1 l l"), leetspeak is undone (0→o 1→i
//!    3→e 4→a 5→s 7→t @→a $→s, and `!` → i between letters, never at the end of a word);
//!    every other punctuation mark or symbol separates tokens. Numbers stay numbers.
//! 3. **Compact**: the tokens are concatenated without spaces, every run of a repeated character
//!    is squeezed to one ("diiiie" → "die", "kill" → "kil"), and the positions where a token
//!    starts or ends are remembered as word boundaries.
//!
//! Phrases go through the same steps. A phrase matches where its compact form appears starting
//! and ending on a word boundary. Nothing is required in between, so a phrase matches however
//! the writer spaced it ("k m s", "k.m.s", "kill my self", "killmyself", "sui cide"), while
//! "skills" never matches "kms" and "therapist" never matches "rapist". Squeezing on both sides
//! makes doubled-letter misspellings ("kil myself") match without listing them. When a `1` or
//! `!` was read as a letter, the text is matched a second time reading it as `l` ("ki11").
//!
//! A rule may be marked `"hold": true` (SAFE-SG-2): the CSO's hold-for-review categories,
//! method detail and encouragement of self-harm. [`Detection::hold`] names the first such rule
//! that matched, whichever rule is the most severe, so a holding phrase is never masked by a
//! more severe or earlier rule in the same message. What holding means is the message
//! writer's and `moderation::holds`' business; the detector only says so.
//!
//! Phrases are compiled into a byte trie laid out as a dense transition table, so the scan costs
//! one short walk per word boundary, whatever the number of phrases: about 15 µs of CPU for a
//! 4,000-character message on the 2-core CI machine.

mod compact;
mod fold;
mod rules;
mod severity;
mod tokenise;
mod trie;

#[cfg(test)]
mod hold_tests;
#[cfg(test)]
mod tests;

use tokenise::{LeetOne, normalise};
use trie::{Found, Trie};

pub use severity::Severity;

/// The outcome of a match: which rule and how severe. Holds no copy of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    pub rule_id: String,
    pub severity: Severity,
    /// The first matching rule marked `hold`, if any (may differ from `rule_id`).
    pub hold: Option<String>,
}

/// A validated, compiled rules file. Cheap to share behind an `Arc`; `detect` takes `&self`.
#[derive(Clone)]
pub struct CrisisDetector {
    version: String,
    rules: Vec<Rule>,
    trie: Trie,
}

/// The phrases are data, not secrets, but a whole rules file in a log line is noise.
impl std::fmt::Debug for CrisisDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrisisDetector")
            .field("version", &self.version)
            .field("rules", &self.rules.len())
            .finish()
    }
}

#[derive(Clone, Debug)]
struct Rule {
    id: String,
    severity: Severity,
    hold: bool,
}

impl CrisisDetector {
    /// The rules file's `version`, recorded with every flag.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The most severe matching rule (ties: first in file order), or None.
    pub fn detect(&self, body: &str) -> Option<Detection> {
        let first = normalise(body, LeetOne::AsI);
        let mut found = self.trie.scan(&first, Found::default());
        if first.read_one_as_letter {
            // "ki11 myse1f": the same text with 1 and ! read as l.
            let second = normalise(body, LeetOne::AsL);
            found = self.trie.scan(&second, found);
        }
        let hold = found
            .hold
            .and_then(|i| self.rules.get(i))
            .filter(|r| r.hold)
            .map(|r| r.id.clone());
        found
            .best
            .and_then(|hit| self.rules.get(hit.rule))
            .map(|rule| Detection {
                rule_id: rule.id.clone(),
                severity: rule.severity,
                hold,
            })
    }

    /// The ids of the rules marked `hold`, in file order.
    pub fn hold_rules(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| r.hold)
            .map(|r| r.id.as_str())
            .collect()
    }
}
