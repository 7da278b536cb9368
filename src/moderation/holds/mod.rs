//! Holds for review (SAFE-SG-2, SAFE-SG-8): a message in a hold category is stored, but no one
//! but its writer sees it until a moderator releases or rejects it.
//!
//! **What is held.** The crisis rules marked `"hold": true` (`safety/crisis_rules.json`: method
//! detail and encouragement of self-harm), and, under `KINDRED_PERSONAL_INFO_POLICY=hold`,
//! personal information (`safety::personal_info`). Under the default `warn` a message with
//! personal information is delivered, and the writer alone gets a private `notice` frame.
//! A held crisis message still raises its safety alert and signposts its writer, as any
//! flagged message does; nothing is ever deleted.
//!
//! **Held messages and `seq` (the decision).** A room's `seq` is gap-free by contract, and the
//! sockets fill any gap from the database (`rooms/ws/outbound.rs`, `rooms/sync.rs`, `resume`),
//! so a held message must not occupy a member-visible seq. It therefore takes **no room seq
//! while held**: the writer stores it at a negative placeholder seq (unique per room, below
//! every member's range, `db::holds`), so every read of the timeline (`seq >= 1`: gap fill,
//! replay, history, unread counts) passes it by without a hole. On **release**, the release
//! transaction takes the room's row lock, gives the message the room's **next** seq and moves
//! it there; after the commit it is published like any new message, so every member — live,
//! or resuming later from any earlier seq — receives it in seq order with no gap. Its
//! `created_at` stays the time it was written. A **rejected** message keeps its placeholder
//! for ever (kept for the record and the writer's own view, never in the timeline). The
//! alternative, reserving the seq at write time and filling the slot on release, would show
//! every other member a gap (or a tell-tale placeholder) for as long as the hold lasts, and
//! deliver the message out of order when released.
//!
//! **What the writer sees.** Their `ack` says `held: true` (with no `seq`), and a `notice`
//! frame explains; `GET /rooms/{id}/messages` lists their own held and rejected messages
//! under `held`. Release reaches them as the `message` frame everyone gets (same `id` and
//! `client_id`) plus a `notice`; rejection as a `notice` only.
//!
//! **Moderators.** `GET /moderation/held` (oldest first, with category, room kind, a few
//! messages before it and its alerts), then release or reject: the state change and its audit
//! row are one transaction; the sockets hear after the commit (`Fact::MessageReleased`,
//! `Fact::MessageRejected`). A moderator cannot decide on their own message.
//!
//! - `notices` — what the writer is told (pure).
//! - `service` — the queue, release, reject.

pub mod notices;
pub mod service;

/// The hold category of personal information (crisis holds use their rule id).
pub const PERSONAL_INFO: &str = "personal_info";
