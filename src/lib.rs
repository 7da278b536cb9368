//! Kindred: the backend of a peer support community for people living with long-term health
//! conditions. It matches people by condition and lived experience into one-to-one, paired or
//! small-group support, runs those conversations as realtime rooms, and gives volunteers and
//! moderators what they need to keep everyone safe.
//!
//! Layout (dependencies point inward): `api` → feature services (`auth`, `profiles`,
//! `matching`, `moderation`, `rooms`, `email`) → `db` and `domain`. Services reach open
//! sockets only through the `realtime` port, which `rooms` implements. `ARCHITECTURE.md`
//! is the map and lists the floors `.ci/layers.py` checks.

pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod email;
pub mod error;
pub mod matching;
pub mod metrics;
pub mod moderation;
pub mod profiles;
pub mod realtime;
pub mod rooms;
pub mod safety;
pub mod startup;
pub mod state;
pub mod telemetry;
