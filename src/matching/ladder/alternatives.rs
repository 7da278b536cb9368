//! Step 2 of the ladder: the formats that could serve a member *now*, decided by the engine
//! itself rather than by a second set of rules.
//!
//! A format F counts when, had the member asked for F at this moment (a brand-new request,
//! wait 0, so everyone already waiting keeps their priority), the engine would place them in
//! this very tick: it plans F alone over everyone waiting in F, the volunteers with free
//! capacity and the open groups, with the member added, and F counts if the member is in one
//! of its proposals. So every hard constraint the engine applies — shared language, blocks and
//! the re-match cool-down, `must` preferences, coverage of the focus condition by the
//! volunteer, the level rules, seats and former membership — applies here too, and an offer
//! never promises what the engine would refuse. Concretely:
//! - `one_to_one`: a volunteer with a free one-to-one place who covers the focus condition or
//!   its group and could take the member;
//! - `group`: a seat in an open group of the focus group, or a new group (enough others
//!   waiting for a group), and in either case **with a facilitator** — the facilitated group
//!   of MATCHING.md 4.6; an unfacilitated peer group does not count;
//! - `pair`: another member waiting for a pair whom the member could be paired with.
//!
//! Formats the member already has a waiting request in are not offered (that request is
//! already in the pool), nor the request's own format.

use std::collections::HashMap;

use super::steps::format_name;
use crate::matching::engine::plan;
use crate::matching::model::{Config, Format, Person, Vocab};
use crate::matching::pool::Pool;

/// The key of the imagined request; never a real request id (those are UUIDs).
const PROBE: &str = "ladder-probe";

/// Formats in the order they are offered.
const ORDER: [Format; 3] = [Format::OneToOne, Format::Group, Format::Pair];

/// The formats other than the request's own (and `already_waiting`) that could serve the
/// member of request `request_id` now, as stored names. Empty when the request is not in the
/// pool (an account that is not active).
pub fn could_serve_now(
    request_id: &str,
    already_waiting: &[Format],
    pool: &Pool,
    vocab: &Vocab,
    cfg: &Config,
) -> Vec<String> {
    let Some(me) = pool.people.iter().find(|p| p.key == request_id) else {
        return Vec::new();
    };
    ORDER
        .into_iter()
        .filter(|f| *f != me.format && !already_waiting.contains(f))
        .filter(|f| serves(me, *f, pool, vocab, cfg))
        .map(|f| format_name(f).to_string())
        .collect()
}

fn serves(me: &Person, format: Format, pool: &Pool, vocab: &Vocab, cfg: &Config) -> bool {
    let mut probe = me.clone();
    probe.key = PROBE.to_string();
    probe.format = format;
    probe.wait_secs = 0;
    let mut people: Vec<Person> = pool
        .people
        .iter()
        .filter(|p| p.format == format && p.user != me.user)
        .cloned()
        .collect();
    people.push(probe);
    let labels = |id: &str| Some(id.to_string());
    let planned = plan(
        &people,
        &pool.volunteers,
        &pool.open_groups,
        &HashMap::new(),
        vocab,
        &pool.exclusions,
        cfg,
        &labels,
    );
    planned.proposals.iter().any(|p| {
        p.seats.iter().any(|s| s.request_id == PROBE)
            && (format != Format::Group
                || p.facilitator.is_some()
                || p.existing_room.as_ref().is_some_and(|room| {
                    pool.open_groups
                        .iter()
                        .any(|g| &g.room_id == room && g.has_facilitator())
                }))
    })
}
