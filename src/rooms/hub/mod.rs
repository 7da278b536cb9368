//! The in-process fan-out hub: which connections are open, whose they are, and which rooms each
//! is subscribed to.
//!
//! Every connection has one bounded queue ([`Out`] items). Producers never wait on it: a push
//! that finds the queue full marks the connection for closing with `resync` (close code 1013),
//! so a consumer that cannot keep up costs at most `queue` items of memory and the client
//! resumes from its last seq when it reconnects. Room events are serialised once and shared
//! (`Arc`) by every recipient.
//!
//! Ordering: the message writer is the only publisher of `message` events and publishes each
//! batch in seq order, so every queue receives a room's messages in seq order. The connection
//! task additionally tracks the last seq it delivered per room and fills any gap from the
//! database (`rooms::ws`), so delivery stays gap-free even if a publish was missed.
//!
//! Membership: subscriptions are changed here synchronously when a member joins (a match) or
//! leaves, so a member who leaves receives nothing further from the moment the leave commits.
//! The database stays the authority: sends, reads and resumes re-check membership there.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use bytestring::ByteString;
use tokio::sync::{mpsc, watch};

mod depth;
mod queue;

pub use queue::{CloseKind, ConnId, Out, RoomEvent};

struct Conn {
    user_id: String,
    session_id: String,
    moderator: bool,
    tx: mpsc::Sender<Out>,
    close: watch::Sender<Option<CloseKind>>,
    rooms: HashSet<String>,
}

#[derive(Default)]
struct Inner {
    next_id: ConnId,
    conns: HashMap<ConnId, Conn>,
    rooms: HashMap<String, HashSet<ConnId>>,
    users: HashMap<String, HashSet<ConnId>>,
}

/// A new connection's handles.
pub struct Registration {
    pub id: ConnId,
    pub rx: mpsc::Receiver<Out>,
    pub close: watch::Receiver<Option<CloseKind>>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct TooManyConnections;

/// Builds a `presence` frame: (room, user, online).
pub type PresenceFrame = fn(&str, &str, bool) -> ByteString;

pub struct Hub {
    inner: Mutex<Inner>,
    queue: usize,
    max_per_user: usize,
    presence: PresenceFrame,
}

impl Hub {
    /// A hub that announces presence with `presence` (the wire protocol's frame in the
    /// service; tests use a readable stand-in), so the hub never imports the protocol.
    pub fn new(queue: usize, max_per_user: usize, presence: PresenceFrame) -> Self {
        Hub {
            inner: Mutex::new(Inner::default()),
            queue: queue.max(8),
            max_per_user: max_per_user.max(1),
            presence,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many connections `user` has open.
    pub fn connections_of(&self, user: &str) -> usize {
        self.lock().users.get(user).map_or(0, HashSet::len)
    }

    pub fn connection_count(&self) -> usize {
        self.lock().conns.len()
    }

    /// Registers a connection (no rooms yet). From here on, joins and leaves of `user` reach it.
    pub fn register(
        &self,
        user: &str,
        session: &str,
        moderator: bool,
    ) -> Result<Registration, TooManyConnections> {
        let mut g = self.lock();
        if g.users.get(user).map_or(0, HashSet::len) >= self.max_per_user {
            return Err(TooManyConnections);
        }
        g.next_id += 1;
        let id = g.next_id;
        let (tx, rx) = mpsc::channel(self.queue);
        let (close_tx, close_rx) = watch::channel(None);
        g.conns.insert(
            id,
            Conn {
                user_id: user.to_string(),
                session_id: session.to_string(),
                moderator,
                tx,
                close: close_tx,
                rooms: HashSet::new(),
            },
        );
        g.users.entry(user.to_string()).or_default().insert(id);
        Ok(Registration {
            id,
            rx,
            close: close_rx,
        })
    }

    /// Subscribes a connection to rooms. For each room this is the user's first subscribed
    /// connection in, the other members get `presence online`.
    pub fn subscribe(&self, conn: ConnId, rooms: &[String]) {
        let mut g = self.lock();
        let Some(user) = g.conns.get(&conn).map(|c| c.user_id.clone()) else {
            return;
        };
        for room in rooms {
            let first = !Self::user_in_room(&g, &user, room);
            if let Some(c) = g.conns.get_mut(&conn) {
                c.rooms.insert(room.clone());
            }
            g.rooms.entry(room.clone()).or_default().insert(conn);
            if first {
                self.announce(&mut g, room, &user, true);
            }
        }
    }

    fn user_in_room(g: &Inner, user: &str, room: &str) -> bool {
        g.users.get(user).is_some_and(|ids| {
            ids.iter()
                .any(|id| g.conns.get(id).is_some_and(|c| c.rooms.contains(room)))
        })
    }

    /// Removes a connection. Rooms where it was the user's last connection get `presence
    /// offline`.
    pub fn unregister(&self, conn: ConnId) {
        let mut g = self.lock();
        let Some(c) = g.conns.remove(&conn) else {
            return;
        };
        if let Some(ids) = g.users.get_mut(&c.user_id) {
            ids.remove(&conn);
            if ids.is_empty() {
                g.users.remove(&c.user_id);
            }
        }
        for room in &c.rooms {
            if let Some(ids) = g.rooms.get_mut(room) {
                ids.remove(&conn);
                if ids.is_empty() {
                    g.rooms.remove(room);
                }
            }
            if !Self::user_in_room(&g, &c.user_id, room) {
                self.announce(&mut g, room, &c.user_id, false);
            }
        }
    }

    /// Whether this connection currently receives `room`.
    pub fn is_subscribed(&self, conn: ConnId, room: &str) -> bool {
        self.lock()
            .conns
            .get(&conn)
            .is_some_and(|c| c.rooms.contains(room))
    }

    /// Users with at least one connection subscribed to `room`.
    pub fn online_in(&self, room: &str) -> Vec<String> {
        let g = self.lock();
        let mut users: Vec<String> = g
            .rooms
            .get(room)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| g.conns.get(id).map(|c| c.user_id.clone()))
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect()
            })
            .unwrap_or_default();
        users.sort();
        users
    }

    /// Pushes without waiting; a full queue closes the connection for resync.
    fn push(c: &Conn, item: Out) {
        if c.close.borrow().is_some() {
            return;
        }
        if let Err(mpsc::error::TrySendError::Full(_)) = c.tx.try_send(item) {
            let _ = c.close.send(Some(CloseKind::Resync));
        }
    }

    fn fan_out(g: &mut Inner, room: &str, ev: &Arc<RoomEvent>) {
        let Some(ids) = g.rooms.get(room) else {
            return;
        };
        for id in ids {
            if let Some(c) = g.conns.get(id) {
                if !ev.echo && ev.from.as_deref() == Some(c.user_id.as_str()) {
                    continue;
                }
                Self::push(c, Out::Room(ev.clone()));
            }
        }
    }

    /// A presence change of `user`, to the room's other members.
    fn announce(&self, g: &mut Inner, room: &str, user: &str, online: bool) {
        let ev = Arc::new(RoomEvent {
            room_id: room.to_string(),
            seq: None,
            from: Some(user.to_string()),
            echo: false,
            frame: (self.presence)(room, user, online),
        });
        Self::fan_out(g, room, &ev);
    }

    /// Delivers a room event to every subscribed connection.
    pub fn publish(&self, ev: RoomEvent) {
        let ev = Arc::new(ev);
        let mut g = self.lock();
        let room = ev.room_id.clone();
        Self::fan_out(&mut g, &room, &ev);
    }

    /// A frame for one connection.
    pub fn to_conn(&self, conn: ConnId, item: Out) {
        let g = self.lock();
        if let Some(c) = g.conns.get(&conn) {
            Self::push(c, item);
        }
    }

    /// A frame for every connection of `user`.
    pub fn to_user(&self, user: &str, frame: &ByteString) {
        let g = self.lock();
        for id in g.users.get(user).into_iter().flatten() {
            if let Some(c) = g.conns.get(id) {
                Self::push(c, Out::Frame(frame.clone()));
            }
        }
    }

    /// A frame for every connected moderator and admin.
    pub fn to_moderators(&self, frame: &ByteString) -> usize {
        let g = self.lock();
        let mut n = 0;
        for c in g.conns.values().filter(|c| c.moderator) {
            Self::push(c, Out::Frame(frame.clone()));
            n += 1;
        }
        n
    }

    /// A frame for every open connection (service-wide notices: coverage).
    pub fn to_all(&self, frame: &ByteString) {
        for c in self.lock().conns.values() {
            Self::push(c, Out::Frame(frame.clone()));
        }
    }

    /// `user` blocked or unblocked `other`: tell every connection of `user`.
    pub fn set_block(&self, user: &str, other: &str, blocked: bool) {
        let g = self.lock();
        for id in g.users.get(user).into_iter().flatten() {
            if let Some(c) = g.conns.get(id) {
                Self::push(
                    c,
                    Out::Block {
                        user_id: other.to_string(),
                        blocked,
                    },
                );
            }
        }
    }

    /// `user` joined `room`: subscribe their connections and tell them.
    pub fn join(&self, user: &str, room: &str) {
        let ids: Vec<ConnId> = self
            .lock()
            .users
            .get(user)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        for id in ids {
            self.subscribe(id, &[room.to_string()]);
            self.to_conn(
                id,
                Out::Joined {
                    room_id: room.to_string(),
                },
            );
        }
    }

    /// `user` is no longer in `room` (left, removed, or the room ended): unsubscribe at once.
    pub fn leave(&self, user: &str, room: &str, reason: &'static str) {
        let mut g = self.lock();
        let ids: Vec<ConnId> = g
            .users
            .get(user)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        let mut was_in = false;
        for id in &ids {
            if let Some(c) = g.conns.get_mut(id)
                && c.rooms.remove(room)
            {
                was_in = true;
                Self::push(
                    c,
                    Out::Left {
                        room_id: room.to_string(),
                        reason,
                    },
                );
            }
            if let Some(set) = g.rooms.get_mut(room) {
                set.remove(id);
                if set.is_empty() {
                    g.rooms.remove(room);
                }
            }
        }
        if was_in {
            self.announce(&mut g, room, user, false);
        }
    }

    /// Closes one connection.
    pub fn close_conn(&self, conn: ConnId, kind: CloseKind) {
        let g = self.lock();
        if let Some(c) = g.conns.get(&conn) {
            c.close.send_if_modified(|k| {
                if k.is_none() {
                    *k = Some(kind);
                    true
                } else {
                    false
                }
            });
        }
    }

    /// Closes every connection of `user`, except those of session `keep`.
    pub fn close_user(&self, user: &str, keep: Option<&str>, kind: CloseKind) {
        let g = self.lock();
        for id in g.users.get(user).into_iter().flatten() {
            if let Some(c) = g.conns.get(id)
                && keep != Some(c.session_id.as_str())
            {
                let _ = c.close.send(Some(kind));
            }
        }
    }

    /// Closes the connections authenticated by one session.
    pub fn close_session(&self, session: &str, kind: CloseKind) {
        let g = self.lock();
        for c in g.conns.values().filter(|c| c.session_id == session) {
            let _ = c.close.send(Some(kind));
        }
    }

    /// Closes everything (shutdown).
    pub fn close_all(&self, kind: CloseKind) {
        let g = self.lock();
        for c in g.conns.values() {
            let _ = c.close.send(Some(kind));
        }
    }
}

#[cfg(test)]
mod tests;
