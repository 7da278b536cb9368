//! The checker: the writers' logs (every client id with the seq its ack gave, in send order),
//! the full HTTP history of each room, what each reader saw, and the database's own view,
//! against the properties of TESTPLAN T23.

use std::collections::{HashMap, HashSet};

use crate::clients::{ReaderLog, Stored, WriterLog};

/// Every figure the run prints; any nonzero failure count is also in the violations.
#[derive(Default, Debug)]
pub struct Counts {
    pub sent: u64,
    pub acked: u64,
    /// Messages sent again after a reconnect, and the resends in total.
    pub resent_messages: u64,
    pub resends: u64,
    /// Resends answered with the original ack: committed before the kill, ack lost with it.
    pub replayed: u64,
    pub retries: u64,
    pub unacked: u64,
    pub unacked_stored: u64,
    pub refused: u64,
    pub stored: u64,
    /// Acked messages missing from the history.
    pub lost: u64,
    /// Extra copies of a client id in the history.
    pub duplicates: u64,
    /// Acked messages stored under another seq (or room) than their ack said.
    pub seq_mismatch: u64,
    /// Places where a room's history is not 1, 2, 3, …
    pub gaps: u64,
    /// A sender's messages stored out of send order.
    pub order: u64,
    /// Stored messages no writer sent.
    pub unknown: u64,
    /// `rooms.last_seq` disagreeing with the history.
    pub room_rows: u64,
    pub reader_received: u64,
    pub reader_duplicates: u64,
    pub reader_gaps: u64,
    pub reader_foreign: u64,
    /// A reader's message that the history has under another seq or id.
    pub reader_mismatch: u64,
    /// History messages a reader never saw, even after the final catch-up.
    pub reader_missing: u64,
    pub resyncs: u64,
}

/// The database's view of one room.
pub struct RoomRow {
    pub room_id: String,
    pub last_seq: i64,
}

/// Checks everything; the counts and a description of each violation.
pub fn check(
    room_ids: &[String],
    writers: &[WriterLog],
    history: &[Vec<Stored>],
    readers: &[ReaderLog],
    rows: &[RoomRow],
) -> (Counts, Vec<String>) {
    let mut c = Counts::default();
    let mut v: Vec<String> = Vec::new();

    // Each room's history: seqs exactly 1..=n, all in that room.
    let mut where_stored: HashMap<&str, Vec<(usize, i64, &str)>> = HashMap::new();
    for (r, h) in history.iter().enumerate() {
        for (i, m) in h.iter().enumerate() {
            if m.seq != i as i64 + 1 {
                c.gaps += 1;
                v.push(format!("room {r}: position {} holds seq {}", i + 1, m.seq));
            }
            if m.room_id != room_ids[r] {
                v.push(format!(
                    "room {r}: history lists a message of room {}",
                    m.room_id
                ));
            }
            where_stored.entry(m.client_id.as_str()).or_default().push((
                r,
                m.seq,
                m.sender.id.as_str(),
            ));
        }
        c.stored += h.len() as u64;
        let last = h.last().map_or(0, |m| m.seq);
        match rows.iter().find(|row| row.room_id == room_ids[r]) {
            Some(row) if row.last_seq == last => {}
            Some(row) => {
                c.room_rows += 1;
                v.push(format!(
                    "room {r}: rooms.last_seq {} but history ends at {last}",
                    row.last_seq
                ));
            }
            None => {
                c.room_rows += 1;
                v.push(format!("room {r}: no rooms row"));
            }
        }
    }
    for (cid, places) in &where_stored {
        if places.len() > 1 {
            c.duplicates += places.len() as u64 - 1;
            v.push(format!("client id {cid} stored {} times", places.len()));
        }
    }

    // Each writer's messages against the history.
    let mut ours: HashSet<&str> = HashSet::new();
    let mut sender_of_writer: Vec<Option<&str>> = Vec::new();
    for (w, log) in writers.iter().enumerate() {
        let mut last_seq = 0i64;
        let mut sender: Option<&str> = None;
        for m in &log.sent {
            ours.insert(m.client_id.as_str());
            c.sent += 1;
            c.resends += u64::from(m.resent);
            c.retries += u64::from(m.retried);
            c.resent_messages += u64::from(m.resent > 0);
            c.replayed += u64::from(m.replayed);
            if let Some(code) = &m.refused {
                c.refused += 1;
                v.push(format!("{} refused: {code}", m.client_id));
            }
            let stored = where_stored.get(m.client_id.as_str());
            match m.ack_seq {
                Some(seq) => {
                    c.acked += 1;
                    match stored.and_then(|p| p.first()) {
                        None => {
                            c.lost += 1;
                            v.push(format!("{} acked at seq {seq} but not stored", m.client_id));
                        }
                        Some(&(room, at, _)) if room != log.room || at != seq => {
                            c.seq_mismatch += 1;
                            v.push(format!(
                                "{} acked at seq {seq} in room {} but stored at seq {at} in room {room}",
                                m.client_id, log.room
                            ));
                        }
                        Some(_) => {}
                    }
                }
                None => {
                    c.unacked += 1;
                    c.unacked_stored += u64::from(stored.is_some());
                }
            }
            if let Some(&(room, at, by)) = stored.and_then(|p| p.first()) {
                if room == log.room {
                    if at <= last_seq {
                        c.order += 1;
                        v.push(format!(
                            "{} stored at seq {at}, after seq {last_seq} of a later send",
                            m.client_id
                        ));
                    }
                    last_seq = last_seq.max(at);
                }
                if sender.is_some_and(|s| s != by) {
                    v.push(format!("writer {w}'s messages have two senders"));
                }
                sender = Some(by);
            }
        }
        sender_of_writer.push(sender);
        for s in &log.surprises {
            v.push(format!("writer {w}: {s}"));
        }
    }
    let distinct: HashSet<&str> = sender_of_writer.iter().flatten().copied().collect();
    if distinct.len() != sender_of_writer.iter().flatten().count() {
        v.push("two writers' messages share a sender".into());
    }
    for cid in where_stored.keys() {
        if !ours.contains(cid) {
            c.unknown += 1;
            v.push(format!("stored client id {cid} that no writer sent"));
        }
    }

    // Each reader against its room's history.
    for (i, log) in readers.iter().enumerate() {
        let h = &history[log.room];
        c.reader_received += log.received.len() as u64;
        c.reader_duplicates += log.duplicates;
        c.reader_gaps += log.gaps;
        c.reader_foreign += log.foreign;
        c.resyncs += log.resyncs;
        if log.duplicates > 0 || log.gaps > 0 || log.foreign > 0 || log.went_back > 0 {
            v.push(format!(
                "reader {i}: {} duplicates, {} gaps, {} from another room, {} ready behind what it saw",
                log.duplicates, log.gaps, log.foreign, log.went_back
            ));
        }
        let mut seen_seqs: HashSet<i64> = HashSet::new();
        let mut seen_ids: HashSet<&str> = HashSet::new();
        for m in &log.received {
            if m.room_id != room_ids[log.room] {
                continue;
            }
            let want = usize::try_from(m.seq - 1).ok().and_then(|at| h.get(at));
            if want.is_none_or(|w| w.id != m.id || w.client_id != m.client_id) {
                c.reader_mismatch += 1;
                v.push(format!(
                    "reader {i}: seq {} ({}) is not in the history so",
                    m.seq, m.client_id
                ));
            }
            seen_seqs.insert(m.seq);
            seen_ids.insert(m.id.as_str());
        }
        if seen_ids.len() != seen_seqs.len() {
            v.push(format!(
                "reader {i}: after dedupe an id appears under two seqs"
            ));
        }
        let missing = h.iter().filter(|m| !seen_seqs.contains(&m.seq)).count() as u64;
        if missing > 0 {
            c.reader_missing += missing;
            v.push(format!(
                "reader {i}: never saw {missing} of the room's {} messages",
                h.len()
            ));
        }
        for s in &log.surprises {
            // A close frame is how the server says goodbye; only report the odd ones.
            if !s.starts_with("closed:1001") {
                v.push(format!("reader {i}: {s}"));
            }
        }
    }
    (c, v)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::clients::{Sender, Sent};

    const ROOM: &str = "room-a";

    fn stored(seq: i64, cid: &str) -> Stored {
        Stored {
            room_id: ROOM.into(),
            id: format!("id-{cid}"),
            seq,
            client_id: cid.into(),
            sender: Sender {
                id: "user-w0".into(),
            },
        }
    }

    fn sent(cid: &str, ack_seq: Option<i64>) -> Sent {
        Sent {
            client_id: cid.into(),
            ack_seq,
            resent: 0,
            retried: 0,
            refused: None,
            dropped_at: None,
            replayed: false,
        }
    }

    fn writer(sent: Vec<Sent>) -> WriterLog {
        WriterLog {
            room: 0,
            sent,
            connects: 1,
            connect_failures: BTreeMap::new(),
            surprises: Vec::new(),
            max_ack_ms: 0,
        }
    }

    fn reader(received: Vec<Stored>) -> ReaderLog {
        ReaderLog {
            room: 0,
            received,
            foreign: 0,
            duplicates: 0,
            gaps: 0,
            went_back: 0,
            resyncs: 0,
            connects: 1,
            surprises: Vec::new(),
        }
    }

    fn run(w: Vec<Sent>, h: Vec<Stored>, r: Vec<Stored>, last_seq: i64) -> (Counts, Vec<String>) {
        let rows = [RoomRow {
            room_id: ROOM.into(),
            last_seq,
        }];
        check(&[ROOM.into()], &[writer(w)], &[h], &[reader(r)], &rows)
    }

    #[test]
    fn a_clean_history_passes_and_an_unacked_message_may_be_stored_once() {
        let h = vec![stored(1, "a"), stored(2, "b"), stored(3, "c")];
        let w = vec![sent("a", Some(1)), sent("b", Some(2)), sent("c", None)];
        let (c, v) = run(w, h.clone(), h, 3);
        assert!(v.is_empty(), "{v:?}");
        assert_eq!(
            (c.acked, c.unacked, c.unacked_stored, c.stored),
            (2, 1, 1, 3)
        );
    }

    #[test]
    fn a_lost_ack_is_caught() {
        let h = vec![stored(1, "a")];
        let (c, v) = run(
            vec![sent("a", Some(1)), sent("b", Some(2))],
            h.clone(),
            h,
            1,
        );
        assert_eq!(c.lost, 1, "{v:?}");
    }

    #[test]
    fn a_duplicate_a_gap_a_moved_seq_and_a_stale_room_row_are_caught() {
        let h = vec![stored(1, "a"), stored(2, "b"), stored(4, "b")];
        let w = vec![sent("a", Some(1)), sent("b", Some(3))];
        let (c, v) = run(w, h.clone(), h, 5);
        assert_eq!(c.duplicates, 1, "{v:?}");
        assert_eq!(c.gaps, 1, "{v:?}");
        assert_eq!(c.seq_mismatch, 1, "{v:?}");
        assert_eq!(c.room_rows, 1, "{v:?}");
    }

    #[test]
    fn messages_out_of_send_order_are_caught() {
        let h = vec![stored(1, "b"), stored(2, "a")];
        let w = vec![sent("a", Some(2)), sent("b", Some(1))];
        let (c, v) = run(w, h.clone(), h, 2);
        assert_eq!(c.order, 1, "{v:?}");
    }

    #[test]
    fn a_reader_that_missed_or_invented_a_message_is_caught() {
        let h = vec![stored(1, "a"), stored(2, "b")];
        let w = vec![sent("a", Some(1)), sent("b", Some(2))];
        let (c, v) = run(w, h, vec![stored(1, "a"), stored(3, "ghost")], 2);
        assert_eq!((c.reader_missing, c.reader_mismatch), (1, 1), "{v:?}");
    }
}
