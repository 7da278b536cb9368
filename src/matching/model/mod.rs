//! The matching engine's inputs: waiting requests ([`Person`]), volunteers ([`Volunteer`]), the
//! related-groups table ([`Vocab`], MATCHING.md §5.3), permanent and cool-down exclusions
//! ([`Exclusions`]) and every tunable number ([`Config`], MATCHING.md §4.3 and §4.6).
//!
//! This module owns those shapes and the one conversion the service needs to fill them: weekly
//! availability slots in a member's local time to a 168-bit mask of UTC hours
//! ([`availability_mask`]). It is pure data: it must not do I/O, read the database or the clock,
//! or hold vocabulary data (condition and tag ids are opaque strings here).
//!
//! Eligibility and safety gates (MATCHING.md §4.2 rule 8 and DESIGN.md: adults only, nobody
//! flagged "in crisis", no suspended or banned account, volunteers approved with current
//! training, at level 4 and with at least 12 months' lived experience) are applied by the
//! service *before* it builds these values: anyone in a slice handed to the engine is eligible.
//!
//! Layout: `people` (formats, strengths, conditions, [`Person`], [`Volunteer`]), `vocab`,
//! `exclusions`, `config` ([`Weights`], [`Config`]) and `availability` (days, parts of the
//! day and the UTC-hour masks).

mod availability;
mod config;
mod exclusions;
mod people;
mod vocab;

pub use availability::{Day, HOURS_PER_WEEK, Part, availability_mask, mask_has, shared_hours};
pub use config::{Config, DAY_SECS, Weights};
pub use exclusions::Exclusions;
pub use people::{Condition, Format, Person, Strength, Volunteer};
pub use vocab::Vocab;

#[cfg(test)]
mod tests;
