//! A harder population for the property tests of the hard constraints ([`generate_constrained`]):
//! the §4.8 population with every hard constraint made common, plus open group rooms to join.
//!
//! On top of [`generate`](super::generate), from a second seeded stream (so the plain
//! population is unchanged): `must` gender (20 %) and age (15 %) preferences, some held by
//! people whose own gender or age band is unknown (such a `must` can never be met); another
//! 10 % at level 1; English written three ways (`en`, `en-GB`, `en-US`) and a few British Sign
//! Language users, written `bfi` or the deprecated `sgn-GB`; volunteers with one or two free
//! group places. Rooms: about one per eight requests, focused on a waiting person's condition,
//! with one to five seated members, zero to three free seats, a facilitator in most (their
//! gender or age band sometimes unknown) and up to two former members taken from the waiting
//! people, so the rule that they never return is exercised.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::people::person;
use super::sampling::{chance, cumulative};
use super::vocabulary::{CONDITIONS, TAGS, group_of};
use super::{Population, generate};
use crate::matching::groups::{RoomSlot, composition_ok};
use crate::matching::model::{Condition, Config, Exclusions, Format, Person, Strength};
use crate::matching::score::feasible_peer;

const GENDERS: [&str; 2] = ["woman", "man"];

fn english(rng: &mut StdRng) -> &'static str {
    match rng.gen_range(0..10) {
        0..=3 => "en-GB",
        4..=5 => "en-US",
        _ => "en",
    }
}

/// Regional English and sign languages in place of the plain tags.
fn respell(rng: &mut StdRng, session: &mut Vec<String>, first: &mut Option<String>) {
    if chance(rng, 0.04) {
        let bsl = if chance(rng, 0.5) { "bfi" } else { "sgn-GB" };
        *session = vec![bsl.to_string()];
        if chance(rng, 0.5) {
            session.push(english(rng).to_string());
        }
    } else {
        for l in session.iter_mut() {
            if l == "en" {
                *l = english(rng).to_string();
            }
        }
    }
    *first = session.first().cloned();
}

fn harden(rng: &mut StdRng, p: &mut Person) {
    if chance(rng, 0.2) {
        p.gender_pref = Strength::Must;
    }
    if chance(rng, 0.15) {
        p.age_pref = Strength::Must;
    }
    if chance(rng, 0.1) {
        p.level = Some(1);
    }
    respell(rng, &mut p.session_languages, &mut p.first_language);
}

/// The §4.8 population of `n` requests of `format` with the hard constraints made common, and
/// open group rooms (empty unless `format` is group). Same `(n, seed, format)`, same result.
pub fn generate_constrained(n: usize, seed: u64, format: Format) -> (Population, Vec<RoomSlot>) {
    let mut pop = generate(n, seed, format);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x00c0_ffee_5eed);
    for p in &mut pop.people {
        harden(&mut rng, p);
    }
    for v in &mut pop.volunteers {
        v.free_groups = rng.gen_range(1..=2);
        respell(&mut rng, &mut v.session_languages, &mut v.first_language);
    }
    if format != Format::Group || pop.people.is_empty() {
        return (pop, Vec::new());
    }
    let cond_cum = cumulative(CONDITIONS.iter().map(|(_, w)| *w));
    let tag_cum = cumulative((0..TAGS.len()).map(|r| 1.0 / (r as f64 + 1.0)));
    let (cfg, none) = (Config::default(), Exclusions::new());
    let mut rooms = Vec::new();
    for r in 0..n / 8 + 1 {
        let anchor = &pop.people[rng.gen_range(0..pop.people.len())];
        let focus = if chance(&mut rng, 0.7) {
            anchor.focus.clone()
        } else {
            let id = CONDITIONS[rng.gen_range(0..CONDITIONS.len())].0;
            Condition::new(id, group_of(id))
        };
        let facilitated = chance(&mut rng, 0.6);
        let facilitator = facilitated.then(|| {
            if !pop.volunteers.is_empty() && chance(&mut rng, 0.5) {
                pop.volunteers[rng.gen_range(0..pop.volunteers.len())]
                    .user
                    .clone()
            } else {
                format!("facilitator-{r:04}")
            }
        });
        let facilitator_gender = (facilitated && chance(&mut rng, 0.9))
            .then(|| GENDERS[rng.gen_range(0..GENDERS.len())].to_string());
        let facilitator_age_band =
            (facilitated && chance(&mut rng, 0.9)).then(|| rng.gen_range(0..6u8));
        // Members as a real room holds them: each feasible with the others, accepting the
        // facilitator, the composition kept.
        let want = rng.gen_range(1..=5);
        let mut members: Vec<Person> = Vec::new();
        for k in 0..4 * want {
            if members.len() == want {
                break;
            }
            let mut m = person(
                &mut rng,
                900_000 + r * 100 + k,
                Format::Group,
                &cond_cum,
                &tag_cum,
            );
            harden(&mut rng, &mut m);
            m.user = format!("member-{r:04}-{k}");
            m.key = m.user.clone();
            m.focus = focus.clone();
            if !m.conditions.contains(&focus) {
                m.conditions.insert(0, focus.clone());
            }
            m.wait_secs = 0;
            let accepts = (m.gender_pref != Strength::Must
                || (m.gender.is_some() && m.gender == facilitator_gender))
                && (m.age_pref != Strength::Must
                    || (m.age_band.is_some() && m.age_band == facilitator_age_band));
            let peers = members
                .iter()
                .all(|o| feasible_peer(&m, o, &pop.vocab, &none, &cfg));
            let mut with: Vec<&Person> = members.iter().collect();
            with.push(&m);
            let idx: Vec<usize> = (0..with.len()).collect();
            if (!facilitated || accepts) && peers && composition_ok(&with, &idx, facilitated, &cfg)
            {
                members.push(m);
            }
        }
        // Former members among those who would otherwise be offered the room.
        let near: Vec<&str> = pop
            .people
            .iter()
            .filter(|p| p.focus.group == focus.group)
            .map(|p| p.user.as_str())
            .collect();
        let former = if near.is_empty() {
            Vec::new()
        } else {
            (0..rng.gen_range(0..=2))
                .map(|_| near[rng.gen_range(0..near.len())].to_string())
                .collect()
        };
        rooms.push(RoomSlot {
            room_id: format!("room-{r:04}"),
            focus_condition: focus.id.clone(),
            focus_group: focus.group.clone(),
            free_seats: rng.gen_range(0..=3),
            members,
            facilitator_gender,
            facilitator_age_band,
            facilitator,
            former,
        });
    }
    (pop, rooms)
}
