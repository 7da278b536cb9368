//! Safeguarding helpers with no I/O of their own: the crisis-language detector (SAFE-SG-1),
//! the crisis signposting shown to a writer (SAFE-SG-3) and the personal-information guard
//! (SAFE-SG-8, `personal_info`).
//!
//! The detector runs server-side on every chat message before fan-out. It exists so that a
//! person who may be in crisis is seen quickly by a human and is shown where to get help at
//! once. It is tuned for **recall**: a false positive costs a moderator a glance, a false
//! negative can cost a life. So it matches quoted, negated and third-person mentions too, and
//! undoes spacing tricks, leetspeak, look-alike letters and misspellings.
//!
//! It **never deletes or silences** a message (SAFE-SG-2): it only returns the matching rule id
//! and severity. What happens next (a `crisis_flag` row, a `safety_alert`, the private
//! signposting message, holding the few categories the CSO designates) is the caller's job.
//! Neither the detector nor its results hold or log any text.
//!
//! The rules live in `crisis_rules.json`, a versioned data file owned by the Clinical Safety
//! Officer (CSO). The copy compiled into the binary is the default; `KINDRED_CRISIS_RULES`
//! can point at an extended file without a code change. The signposting numbers live in
//! `signposting.rs`, are snapshot-tested (T33) and are reviewed by the CSO each release.

pub mod crisis;
pub mod personal_info;
pub mod signposting;
