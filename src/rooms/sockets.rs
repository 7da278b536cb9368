//! How a committed [`Fact`] reaches open sockets: the realtime layer's side of the one door
//! (`crate::realtime`). Each fact becomes hub operations — subscriptions, frames, closes —
//! here and nowhere else, so a service never builds a frame or touches a connection.

use super::Live;
use super::hub::{CloseKind, RoomEvent};
use super::protocol::{self, MessageView, SenderView, ServerFrame};
use crate::moderation::coverage::Coverage;
use crate::moderation::holds::notices::{self, Notice};
use crate::realtime::{Fact, Sockets};

/// A `notice` to a held message's writer.
fn writer_notice(room_id: &str, client_id: &str, id: &str, n: &Notice) -> bytestring::ByteString {
    ServerFrame::Notice {
        room_id,
        client_id: Some(client_id),
        message_id: Some(id),
        code: n.code,
        text: &n.text,
    }
    .encode()
}

impl Sockets for Live {
    fn deliver(&self, fact: Fact) {
        let hub = &self.hub;
        match fact {
            Fact::Seated { room_id, seats } => {
                for seat in seats {
                    // Subscribe first: the room is live for this person before they hear of it.
                    hub.join(&seat.user_id, &room_id);
                    if let Some(request_id) = &seat.request_id {
                        let frame = ServerFrame::MatchFound {
                            request_id,
                            room_id: &room_id,
                        }
                        .encode();
                        hub.to_user(&seat.user_id, &frame);
                    }
                }
            }
            Fact::Offered { notes } => {
                for n in notes {
                    let frame = ServerFrame::MatchOffer {
                        request_id: &n.request_id,
                        kind: &n.kind,
                        explanation: &n.explanation,
                        expires_at: &n.expires_at,
                    }
                    .encode();
                    hub.to_user(&n.user_id, &frame);
                }
            }
            Fact::OfferEnded { ends } => {
                for e in ends {
                    let frame = ServerFrame::MatchOfferEnded {
                        request_id: &e.request_id,
                        status: e.status,
                    }
                    .encode();
                    hub.to_user(&e.user_id, &frame);
                }
            }
            Fact::Left {
                room_id,
                user_id,
                ended_for,
            } => {
                hub.leave(&user_id, &room_id, "left");
                for other in &ended_for {
                    hub.leave(other, &room_id, "ended");
                }
            }
            Fact::BlockChanged {
                user_id,
                other,
                blocked,
            } => hub.set_block(&user_id, &other, blocked),
            Fact::SessionEnded { session_id, reason } => {
                hub.close_session(&session_id, CloseKind::Policy(reason));
            }
            Fact::AccountClosed {
                user_id,
                keep_session,
                reason,
            } => hub.close_user(&user_id, keep_session.as_deref(), CloseKind::Policy(reason)),
            Fact::ReportUpdated { notes } => {
                for n in notes {
                    let frame = ServerFrame::ReportUpdate {
                        report_id: &n.report_id,
                        status: &n.status,
                        message: &n.message,
                    }
                    .encode();
                    hub.to_user(&n.user_id, &frame);
                }
            }
            Fact::CoverageChanged { staffed } => {
                let coverage = Coverage::of(staffed);
                hub.to_all(&ServerFrame::Coverage(&coverage).encode());
            }
            Fact::AlertRaised {
                alert_id,
                kind,
                room_id,
                message_id,
                severity,
                created_at,
            } => {
                let frame = ServerFrame::SafetyAlert {
                    alert_id: &alert_id,
                    kind,
                    room_id: &room_id,
                    message_id: message_id.as_deref(),
                    severity,
                    created_at: &created_at,
                }
                .encode();
                hub.to_moderators(&frame);
            }
            Fact::MessageReleased { message: m } => {
                // Published like a new message: every member's outbound delivers it in seq
                // order (filling from the database if it overtook one), the writer included.
                let view = MessageView {
                    room_id: m.room_id,
                    id: m.id,
                    seq: m.seq,
                    sender: SenderView {
                        id: m.sender_id,
                        display_name: m.sender_name,
                        role: m.sender_role,
                    },
                    body: m.body,
                    client_id: m.client_id,
                    created_at: m.created_at,
                    removed: m.removed,
                    // Just released: a moderator hides a delivered message, not a held one.
                    hidden: false,
                };
                hub.publish(RoomEvent {
                    room_id: view.room_id.clone(),
                    seq: Some(view.seq),
                    from: Some(view.sender.id.clone()),
                    echo: true,
                    frame: protocol::message_frame(&view),
                });
                let n = notices::released();
                hub.to_user(
                    &view.sender.id,
                    &writer_notice(&view.room_id, &view.client_id, &view.id, &n),
                );
            }
            Fact::MessageRejected {
                room_id,
                message_id,
                client_id,
                writer_id,
            } => {
                let n = notices::rejected();
                hub.to_user(
                    &writer_id,
                    &writer_notice(&room_id, &client_id, &message_id, &n),
                );
            }
            Fact::MessageHidden {
                room_id,
                message_id,
                hidden,
            } => {
                let frame = if hidden {
                    ServerFrame::MessageHidden {
                        room_id: &room_id,
                        id: &message_id,
                    }
                } else {
                    ServerFrame::MessageRestored {
                        room_id: &room_id,
                        id: &message_id,
                    }
                }
                .encode();
                // Every subscribed connection, the author's included, and past any block.
                hub.publish(RoomEvent {
                    room_id,
                    seq: None,
                    from: None,
                    echo: true,
                    frame,
                });
            }
            Fact::Removed {
                room_id,
                user_id,
                ended_for,
            } => {
                hub.leave(&user_id, &room_id, "removed");
                for other in &ended_for {
                    hub.leave(other, &room_id, "ended");
                }
            }
            Fact::ModerationNotice(n) => {
                let frame = ServerFrame::ModerationNotice {
                    action_id: &n.action_id,
                    kind: n.kind,
                    reason: &n.reason,
                    room_id: n.room_id.as_deref(),
                    message_id: n.message_id.as_deref(),
                    until: n.until.as_deref(),
                    appeal_id: n.appeal_id.as_deref(),
                }
                .encode();
                hub.to_user(&n.user_id, &frame);
            }
        }
    }

    fn connections_of(&self, user_id: &str) -> usize {
        self.hub.connections_of(user_id)
    }

    fn connection_count(&self) -> usize {
        self.hub.connection_count()
    }
}
