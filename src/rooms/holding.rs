//! The message writer's part of holds (`moderation::holds`): screening a send for a hold
//! category or personal information, storing a held message outside the timeline, and the
//! writer-only `notice` frames. Kept beside `writer` so the group commit stays one concept.

use bytestring::ByteString;

use super::protocol::{MessageView, ServerFrame};
use crate::config::PersonalInfoPolicy;
use crate::db::{DbConn, holds, messages};
use crate::moderation::holds::{PERSONAL_INFO, notices, notices::Notice};
use crate::safety::crisis::Detection;
use crate::safety::personal_info;

/// What the writer does with one send, decided before its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Screen {
    /// Into the timeline, with a private notice to the writer if any.
    Deliver(Option<Notice>),
    /// Held for review in this category (a crisis rule id or `personal_info`).
    Hold(String),
}

/// A crisis hold rule first; then personal information, held or warned about by `policy`.
pub(super) fn screen(
    detection: Option<&Detection>,
    body: &str,
    policy: PersonalInfoPolicy,
) -> Screen {
    if let Some(rule) = detection.and_then(|d| d.hold.as_ref()) {
        return Screen::Hold(rule.clone());
    }
    let found = personal_info::detect(body);
    if found.is_empty() {
        return Screen::Deliver(None);
    }
    match policy {
        PersonalInfoPolicy::Hold => Screen::Hold(PERSONAL_INFO.to_string()),
        PersonalInfoPolicy::Warn => Screen::Deliver(Some(notices::personal_info_warning(&found))),
    }
}

/// A placeholder seq for a held message in `room` and the room's last seq (the context a
/// moderator reads). Takes the room's row lock first, as a seq reservation does, so writers
/// of one room stay serialised across instances.
pub(super) fn placeholder(c: &mut DbConn, room: &str) -> diesel::QueryResult<(i64, i64)> {
    let last = messages::reserve_seqs(c, room, 0)?;
    Ok((holds::placeholder_seq(c, room)?, last))
}

/// Marks a just-stored message held in `category`; the notice its writer gets.
pub(super) fn mark_held(
    c: &mut DbConn,
    id: &str,
    category: &str,
    after_seq: i64,
) -> diesel::QueryResult<Notice> {
    holds::mark_held(c, id, category, after_seq)?;
    Ok(notices::held(category))
}

/// The notice for a resent message that is held or was decided (`seq < 1`).
pub(super) fn replay_notice(c: &mut DbConn, id: &str) -> diesel::QueryResult<Notice> {
    let row = holds::find(c, id)?;
    let (state, category) = row
        .map(|r| (r.hold_state, r.hold_category))
        .unwrap_or_default();
    Ok(notices::for_state(
        state.as_deref().unwrap_or(holds::HELD),
        category.as_deref().unwrap_or(PERSONAL_INFO),
    ))
}

/// The `notice` frame for the writer of `view`.
pub(super) fn notice_frame(view: &MessageView, notice: &Notice) -> ByteString {
    ServerFrame::Notice {
        room_id: &view.room_id,
        client_id: Some(&view.client_id),
        message_id: Some(&view.id),
        code: notice.code,
        text: &notice.text,
    }
    .encode()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::safety::crisis::Severity;

    fn det(hold: Option<&str>) -> Detection {
        Detection {
            rule_id: "r".into(),
            severity: Severity::Red,
            hold: hold.map(str::to_string),
        }
    }

    #[test]
    fn crisis_holds_come_first_then_the_personal_info_policy() {
        let warn = PersonalInfoPolicy::Warn;
        let hold = PersonalInfoPolicy::Hold;
        assert_eq!(
            screen(Some(&det(Some("method_detail"))), "07700 900123", hold),
            Screen::Hold("method_detail".into())
        );
        assert_eq!(
            screen(Some(&det(None)), "hello", hold),
            Screen::Deliver(None)
        );
        assert_eq!(
            screen(None, "ring 07700 900123", hold),
            Screen::Hold(PERSONAL_INFO.into())
        );
        match screen(None, "ring 07700 900123", warn) {
            Screen::Deliver(Some(n)) => assert_eq!(n.code, "personal_info"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            screen(None, "see you at 10:30", warn),
            Screen::Deliver(None)
        );
    }
}
