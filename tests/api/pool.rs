//! The pool at scale (issue 10): `pool::load` issues as many queries for a pool of 50 as for a
//! pool of 5 (counted with diesel's instrumentation on the connection), and each batched
//! lookup it uses returns what the one-person query returns for every person.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Duration;
use diesel::Connection;
use diesel::connection::InstrumentationEvent;
use kindred::config::DatabaseUrl;
use kindred::db::check_ins::{self, CheckIn};
use kindred::db::connection::establish;
use kindred::db::{profiles, rooms, users};
use kindred::domain::ids::new_id;
use kindred::matching::pool::{self, seed};

use crate::both_backends;
use crate::support::TestApp;

/// The queries one `pool::load` issues, as documented in `matching/pool/mod.rs`.
const LOAD_QUERIES: usize = 14;

async fn pool_loads_in_a_fixed_number_of_queries(app: TestApp) {
    let url = DatabaseUrl::parse(&app.database_url).unwrap();
    let (vocab, now) = (app.state.vocab.clone(), app.state.clock.now_naive());
    let counts = tokio::task::spawn_blocking(move || {
        let mut c = establish(&url).unwrap();
        let queries = Arc::new(AtomicUsize::new(0));
        let n = queries.clone();
        c.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if matches!(event, InstrumentationEvent::StartQuery { .. }) {
                n.fetch_add(1, Ordering::SeqCst);
            }
        });
        let mut counts = Vec::new();
        for (more, rng_seed) in [(5, 1), (45, 2)] {
            seed::seed(&mut c, more, rng_seed, now).unwrap();
            queries.store(0, Ordering::SeqCst);
            let loaded = pool::load(&mut c, &vocab, now).unwrap();
            let issued = queries.load(Ordering::SeqCst);
            // Every branch ran: people, volunteers, open groups with members.
            assert!(!loaded.volunteers.is_empty());
            assert!(loaded.open_groups.iter().any(|g| !g.members.is_empty()));
            counts.push((loaded.people.len(), issued));
        }
        counts
    })
    .await
    .unwrap();
    assert_eq!(counts[0].0, 5, "every seeded request is in the pool");
    assert_eq!(counts[1].0, 50);
    assert_eq!(
        counts[0].1, counts[1].1,
        "queries grow with the pool: {counts:?}"
    );
    assert_eq!(counts[0].1, LOAD_QUERIES);
}
both_backends!(pool_loads_in_a_fixed_number_of_queries);

async fn batched_lookups_return_what_the_single_ones_do(app: TestApp) {
    let now = app.state.clock.now_naive();
    app.db(move |c| {
        seed::seed(c, 30, 3, now).unwrap();
        let ids: Vec<String> = users::find_many(c, &[])
            .unwrap()
            .into_iter()
            .map(|u| u.id)
            .collect();
        assert!(ids.is_empty());
        let all: Vec<String> = {
            use kindred::db::match_requests;
            let mut v: Vec<String> = match_requests::waiting(c)
                .unwrap()
                .into_iter()
                .map(|r| r.user_id)
                .collect();
            v.sort();
            v
        };
        // Several check-ins, two at the same instant: the latest is the newest, then highest id.
        for (k, user) in all.iter().take(6).enumerate() {
            for at in [
                now - Duration::days(9),
                now - Duration::hours(1),
                now - Duration::hours(1),
            ] {
                check_ins::insert(
                    c,
                    &CheckIn {
                        id: new_id(),
                        user_id: user.clone(),
                        instrument: "semcd6".into(),
                        instrument_version: "1".into(),
                        wording: "test".into(),
                        answers: "[]".into(),
                        score: 5.0,
                        level: i32::try_from(k % 4 + 1).unwrap(),
                        created_at: at,
                    },
                )
                .unwrap();
            }
        }
        let found = users::find_many(c, &all).unwrap();
        assert_eq!(found.len(), all.len());
        for u in &found {
            assert_eq!(
                users::find(c, &u.id).unwrap().map(|x| x.display_name),
                Some(u.display_name.clone())
            );
        }
        let profiles_ = profiles::find_many(c, &all).unwrap();
        assert_eq!(profiles_.len(), all.len());
        for p in &profiles_ {
            let one = profiles::find(c, &p.user_id).unwrap().unwrap();
            assert_eq!(
                (
                    &one.languages,
                    &one.availability,
                    &one.sharing,
                    &one.support_preferences
                ),
                (
                    &p.languages,
                    &p.availability,
                    &p.sharing,
                    &p.support_preferences
                )
            );
        }
        let conditions = profiles::conditions_of(c, &all).unwrap();
        let experiences = profiles::experiences_of(c, &all).unwrap();
        let latest = check_ins::latest_of(c, &all).unwrap();
        // 5 % of the synthetic members have no check-in yet.
        assert!(latest.len() > all.len() / 2 && latest.len() <= all.len());
        for user in &all {
            let batched: Vec<_> = conditions
                .iter()
                .filter(|uc| &uc.user_id == user)
                .map(|uc| (uc.condition_id.clone(), uc.diagnosed_year, uc.is_primary))
                .collect();
            let single: Vec<_> = profiles::conditions(c, user)
                .unwrap()
                .into_iter()
                .map(|uc| (uc.condition_id, uc.diagnosed_year, uc.is_primary))
                .collect();
            assert!(!single.is_empty());
            assert_eq!(batched, single);
            let batched: Vec<String> = experiences
                .iter()
                .filter(|(u, _)| u == user)
                .map(|(_, t)| t.clone())
                .collect();
            assert_eq!(batched, profiles::experiences(c, user).unwrap());
            let batched: Vec<&str> = latest
                .iter()
                .filter(|ci| &ci.user_id == user)
                .map(|ci| ci.id.as_str())
                .collect();
            let single = check_ins::latest(c, user).unwrap().map(|ci| ci.id);
            assert_eq!(
                batched,
                single.iter().map(String::as_str).collect::<Vec<_>>()
            );
        }
        let groups: Vec<String> = rooms::open_groups(c)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert!(!groups.is_empty());
        let members = rooms::members_of_rooms(c, &groups).unwrap();
        let former = rooms::former_members_of(c, &groups).unwrap();
        for room in &groups {
            let batched: Vec<(String, String)> = members
                .iter()
                .filter(|(r, _)| r == room)
                .map(|(_, m)| (m.user_id.clone(), m.room_role.clone()))
                .collect();
            let single: Vec<(String, String)> = rooms::members(c, room)
                .unwrap()
                .into_iter()
                .map(|m| (m.user_id, m.room_role))
                .collect();
            assert_eq!(batched, single);
            let mut single = rooms::former_members(c, room).unwrap();
            single.sort();
            let batched: Vec<String> = former
                .iter()
                .filter(|(r, _)| r == room)
                .map(|(_, u)| u.clone())
                .collect();
            assert_eq!(batched.len(), 1, "each seeded group has one former member");
            assert_eq!(batched, single);
        }
    })
    .await;
}
both_backends!(batched_lookups_return_what_the_single_ones_do);
