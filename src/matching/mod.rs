//! Matching: requests and blocks (with their rules), the pure engine (scoring, hard
//! constraints, solvers), the service that claims matches in one transaction, and the worker
//! that runs on every arrival and on a timer.

pub mod blocks;
pub mod requests;
