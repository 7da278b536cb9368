//! Rooms: what a match opens. This part holds membership and the room list; the realtime
//! hub, the socket tasks and messages come with the realtime issue.

pub mod service;
