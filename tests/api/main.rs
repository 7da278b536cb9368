//! The one integration test binary. Every test runs against the real application on port 0,
//! a fresh database per test (SQLite always; PostgreSQL when `TEST_DATABASE_URL` is set), a
//! real SMTP server and real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod accounts;
mod actions;
mod admin;
mod alerts;
mod appeals;
mod attacks;
mod cli;
mod coverage;
mod explanations;
mod holds;
mod http_contract;
mod ladder;
mod log_hygiene;
mod looks;
mod mail;
mod matching;
mod matching_rules;
mod mfa;
mod offers;
mod openapi;
mod ops;
mod pool;
mod privacy;
mod profiles;
mod readme;
mod realtime;
mod reports;
mod sessions;
mod slow_clients;
mod text;
mod tick;
mod volunteers;
mod ws_abuse;
mod ws_flood;
