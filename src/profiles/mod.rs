//! What matters to a member: the profile, conditions and lived experience (from the seeded
//! vocabularies), SEMCD-6 confidence check-ins, volunteer applications and records, and the
//! member's rights over all of it: export and erasure.

pub mod checkin;
pub mod erasure;
pub mod export;
pub mod model;
pub mod service;
pub mod vocab;
pub mod volunteers;
