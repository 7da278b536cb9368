//! Matching: requests and blocks (with their rules), the pure engine (model, scoring and hard
//! constraints, the exact pair and assignment solvers, group formation, the planner), the pool
//! loader and the transactional commit, the tick service, the waiting ladder (steps, hand-over,
//! expiry) and the worker that runs it on every arrival and on a timer. `population` generates the synthetic populations of MATCHING.md 4.8
//! for benchmarks, `match-eval` and tests.

pub mod assignment;
pub mod blocks;
pub mod commit;
pub mod engine;
pub mod eval;
pub mod groups;
pub mod ladder;
pub mod model;
pub mod offers;
pub mod pairs;
pub mod pool;
pub mod population;
pub mod proposals;
pub mod requests;
pub mod score;
pub mod service;
pub mod worker;
