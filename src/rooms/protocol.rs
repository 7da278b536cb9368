//! The realtime protocol's frames (JSON text, tagged by `type`), as documented in
//! `openapi.yaml` (`x-websocket`) and README. Inbound frames are parsed strictly: unknown
//! fields are refused, so a client bug shows up as an `error` frame instead of being ignored.

use std::collections::BTreeMap;

use bytestring::ByteString;
use serde::{Deserialize, Serialize};

use crate::db::messages::MessageRow;
use crate::domain::time::ts;

/// Serialises a frame; our frame types cannot fail to serialise, but if one ever did the
/// recipient gets an error frame rather than nothing.
pub fn frame<T: serde::Serialize>(value: &T) -> ByteString {
    match serde_json::to_string(value) {
        Ok(s) => ByteString::from(s),
        Err(_) => ByteString::from_static(
            r#"{"type":"error","code":"internal","detail":"A frame could not be encoded."}"#,
        ),
    }
}

/// Largest frame (and aggregated continuation) accepted, in bytes (close 1009 beyond).
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Longest message body, in characters after trimming.
pub const MAX_BODY_CHARS: usize = 4000;
/// Longest client id, in characters.
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// A resume that would replay more than this asks the client to fetch history over HTTP.
pub const MAX_REPLAY: i64 = 1000;
/// Name shown for a member who erased their account.
pub const FORMER_MEMBER: &str = "Former member";

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    Auth {
        token: String,
    },
    Send {
        room_id: String,
        client_id: String,
        body: String,
    },
    Typing {
        room_id: String,
    },
    Read {
        room_id: String,
        seq: i64,
    },
    Resume {
        rooms: BTreeMap<String, i64>,
    },
    Ping,
}

const CLIENT_TYPES: &[&str] = &["auth", "send", "typing", "read", "resume", "ping"];

/// Why a text frame could not be used.
#[derive(Debug, PartialEq, Eq)]
pub enum FrameError {
    Malformed(String),
    UnknownType(String),
}

impl ClientFrame {
    pub fn parse(text: &str) -> Result<ClientFrame, FrameError> {
        match serde_json::from_str::<ClientFrame>(text) {
            Ok(f) => Ok(f),
            Err(e) => {
                // Tell an unknown type apart from a known one with bad fields.
                let ty = serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string));
                match ty {
                    Some(t) if !CLIENT_TYPES.contains(&t.as_str()) => {
                        Err(FrameError::UnknownType(t.chars().take(40).collect()))
                    }
                    _ => Err(FrameError::Malformed(e.to_string())),
                }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SenderView {
    pub id: String,
    pub display_name: String,
    /// Room role: `member` or `facilitator`.
    pub role: String,
}

/// A message as members see it (HTTP and websocket alike).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MessageView {
    pub room_id: String,
    pub id: String,
    pub seq: i64,
    pub sender: SenderView,
    pub body: String,
    pub client_id: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
    /// A moderator hid it: `body` is empty (see `hide`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl MessageView {
    /// As members see a hidden message: marked hidden, with no body.
    pub fn hide(mut self) -> Self {
        self.hidden = true;
        self.body = String::new();
        self
    }
}

impl From<MessageRow> for MessageView {
    fn from(r: MessageRow) -> Self {
        let removed = r.removed_at.is_some();
        MessageView {
            room_id: r.room_id,
            id: r.id,
            seq: r.seq,
            sender: SenderView {
                id: r.sender_id,
                display_name: if removed {
                    FORMER_MEMBER.to_string()
                } else {
                    r.sender_name
                },
                role: r.sender_room_role.unwrap_or_else(|| "member".into()),
            },
            body: r.body,
            client_id: r.client_id,
            created_at: ts(r.created_at),
            removed,
            hidden: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RoomState {
    pub room_id: String,
    pub last_seq: i64,
    pub unread: i64,
    pub online: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct UserView<'a> {
    pub id: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
}

#[derive(Debug, Serialize)]
pub struct Limits {
    pub max_body_chars: usize,
    pub max_frame_bytes: usize,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    Ready {
        user: UserView<'a>,
        rooms: &'a [RoomState],
        limits: Limits,
    },
    RoomJoined {
        room: &'a RoomState,
    },
    RoomLeft {
        room_id: &'a str,
        reason: &'a str,
    },
    MatchFound {
        request_id: &'a str,
        room_id: &'a str,
    },
    MatchOffer {
        request_id: &'a str,
        kind: &'a str,
        explanation: &'a [String],
        expires_at: &'a str,
    },
    MatchOfferEnded {
        request_id: &'a str,
        status: &'a str,
    },
    /// `held`: stored but held for review (`moderation::holds`): no `seq` until released.
    Ack {
        client_id: &'a str,
        id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        seq: Option<i64>,
        room_id: &'a str,
        created_at: &'a str,
        held: bool,
    },
    Message(&'a MessageView),
    Typing {
        room_id: &'a str,
        user_id: &'a str,
    },
    Read {
        room_id: &'a str,
        user_id: &'a str,
        seq: i64,
    },
    Presence {
        room_id: &'a str,
        user_id: &'a str,
        online: bool,
    },
    ResyncRequired {
        room_id: &'a str,
        last_seq: i64,
    },
    Safety {
        room_id: &'a str,
        message_id: &'a str,
        resources: &'a [crate::safety::signposting::Resource],
        notice: &'a str,
    },
    SafetyAlert {
        alert_id: &'a str,
        /// `crisis` or `volunteer_escalation`.
        kind: &'a str,
        room_id: &'a str,
        /// None for a volunteer's escalation about the room as a whole.
        message_id: Option<&'a str>,
        severity: &'a str,
        created_at: &'a str,
    },
    AuthOk {
        expires_at: &'a str,
    },
    /// A private notice to a message's writer (held, released, rejected, personal info).
    Notice {
        room_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        client_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<&'a str>,
        code: &'a str,
        text: &'a str,
    },
    Pong,
    /// To a reporter only: their report's new status and what they are told.
    ReportUpdate {
        report_id: &'a str,
        status: &'a str,
        message: &'a str,
    },
    /// Whether a moderator is on shift, with the banner while nobody is (SAFE-SG-5).
    Coverage(&'a crate::moderation::coverage::Coverage),
    /// A moderator hid a message: show it as hidden, drop its body.
    MessageHidden {
        room_id: &'a str,
        id: &'a str,
    },
    /// A hidden message was unhidden: fetch it again (`GET /rooms/{id}/messages`).
    MessageRestored {
        room_id: &'a str,
        id: &'a str,
    },
    /// To the person a moderation action or an appeal decision concerns.
    ModerationNotice {
        action_id: &'a str,
        kind: &'a str,
        reason: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        room_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        until: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        appeal_id: Option<&'a str>,
    },
}

impl ServerFrame<'_> {
    pub fn encode(&self) -> ByteString {
        frame(self)
    }
}

/// An `error` frame.
#[derive(Debug, Serialize)]
pub struct ErrorFrame<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub code: &'a str,
    pub detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// Until when a `muted` or `suspended` refusal holds (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<&'a str>,
}

pub fn error(
    code: &str,
    detail: &str,
    room_id: Option<&str>,
    client_id: Option<&str>,
    retry_after_ms: Option<u64>,
) -> ByteString {
    frame(&ErrorFrame {
        kind: "error",
        code,
        detail,
        room_id,
        client_id,
        retry_after_ms,
        until: None,
    })
}

pub fn message_frame(view: &MessageView) -> ByteString {
    ServerFrame::Message(view).encode()
}

pub fn presence_frame(room_id: &str, user_id: &str, online: bool) -> ByteString {
    ServerFrame::Presence {
        room_id,
        user_id,
        online,
    }
    .encode()
}

/// Checks a body: 1..=4000 characters after trimming, no NUL (PostgreSQL text cannot hold it),
/// no explicit bidi embedding, override or isolate character (`domain::text`: they make
/// others read the text in another order than it was written, as in display names, and are
/// refused with `invalid_body` rather than silently stripped, so the writer sees why).
/// Joiners, variation selectors and the LRM/RLM/ALM marks stay: emoji and right-to-left
/// writing need them. Returns the trimmed body.
pub fn validate_body(body: &str) -> Result<&str, &'static str> {
    let t = body.trim();
    if t.is_empty() {
        return Err("The message is empty.");
    }
    if t.chars().count() > MAX_BODY_CHARS {
        return Err("The message is longer than 4000 characters.");
    }
    if t.contains('\0') {
        return Err("The message contains a NUL character.");
    }
    if t.chars()
        .any(crate::domain::text::is_explicit_bidi_formatting)
    {
        return Err("The message contains a right-to-left or left-to-right override character.");
    }
    Ok(t)
}

/// Checks a client id: 1..=64 characters, none of them control characters.
pub fn validate_client_id(id: &str) -> Result<(), &'static str> {
    let n = id.chars().count();
    if n == 0 || n > MAX_CLIENT_ID_CHARS {
        return Err("client_id must be 1 to 64 characters.");
    }
    if id.chars().any(char::is_control) {
        return Err("client_id must not contain control characters.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_client_frame() {
        assert_eq!(
            ClientFrame::parse(r#"{"type":"send","room_id":"r","client_id":"c","body":"hi"}"#),
            Ok(ClientFrame::Send {
                room_id: "r".into(),
                client_id: "c".into(),
                body: "hi".into()
            })
        );
        assert_eq!(
            ClientFrame::parse(r#"{"type":"ping"}"#),
            Ok(ClientFrame::Ping)
        );
        assert_eq!(
            ClientFrame::parse(r#"{"type":"resume","rooms":{"a":3,"b":0}}"#),
            Ok(ClientFrame::Resume {
                rooms: [("a".to_string(), 3), ("b".to_string(), 0)].into()
            })
        );
        assert_eq!(
            ClientFrame::parse(r#"{"type":"read","room_id":"r","seq":4}"#),
            Ok(ClientFrame::Read {
                room_id: "r".into(),
                seq: 4
            })
        );
    }

    #[test]
    fn tells_unknown_types_from_malformed_frames() {
        assert_eq!(
            ClientFrame::parse(r#"{"type":"shout"}"#),
            Err(FrameError::UnknownType("shout".into()))
        );
        for bad in [
            "not json",
            "{}",
            "[]",
            r#"{"type":"send","room_id":"r"}"#,
            r#"{"type":"send","room_id":"r","client_id":"c","body":"x","extra":1}"#,
            r#"{"type":"read","room_id":"r","seq":"4"}"#,
            r#"{"type":7}"#,
            r#"{"type":"send","room_id":"r","client_id":"c","body":"\ud800"}"#,
        ] {
            assert!(
                matches!(ClientFrame::parse(bad), Err(FrameError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn body_limits_count_characters_after_trimming() {
        assert_eq!(validate_body("  hi \n"), Ok("hi"));
        assert!(validate_body("   ").is_err());
        let at_limit = "😀".repeat(MAX_BODY_CHARS);
        assert!(validate_body(&format!("  {at_limit}  ")).is_ok());
        assert!(validate_body(&format!("{at_limit}a")).is_err());
        assert!(validate_body("a\0b").is_err());
        assert!(validate_client_id("abc-1").is_ok());
        assert!(validate_client_id("").is_err());
        assert!(validate_client_id(&"x".repeat(65)).is_err());
        assert!(validate_client_id("a\nb").is_err());
    }

    /// Issue 12, finding 8: bidi overrides pass in bodies though names refuse them.
    #[test]
    fn bodies_refuse_bidi_overrides_and_keep_joiners_and_marks() {
        for bad in [
            "abc\u{202E}def",
            "\u{202E}gnp.exe",
            "pay \u{202D}100\u{202C}",
            "x\u{2066}y\u{2069}",
            "\u{2067}\u{2068}hi",
            "a\u{202A}b\u{202B}c",
        ] {
            assert!(validate_body(bad).is_err(), "accepted {bad:?}");
        }
        for ok in [
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", // family emoji (ZWJ)
            "\u{2764}\u{FE0F}",                            // heart with a variation selector
            "\u{645}\u{200C}\u{6CC}\u{200F} ok",           // ZWNJ and RLM in Persian
            "\u{5E9}\u{5DC}\u{5D5}\u{5DD} \u{200E}42",     // Hebrew with LRM
        ] {
            assert_eq!(validate_body(ok), Ok(ok));
        }
    }

    proptest::proptest! {
        /// A body is accepted exactly when, trimmed, it is 1..=4000 characters with no NUL and
        /// no explicit bidi control, and what comes back is the trimmed text.
        #[test]
        fn validate_body_is_trim_then_rules(raw in "\\PC{0,60}|[ \\t\\n\\u{202A}-\\u{202E}\\u{2066}-\\u{2069}a\\u{0}]{0,12}") {
            let t = raw.trim();
            let ok = !t.is_empty()
                && !t.contains('\0')
                && !t.chars().any(crate::domain::text::is_explicit_bidi_formatting);
            match validate_body(&raw) {
                Ok(b) => {
                    proptest::prop_assert!(ok);
                    proptest::prop_assert_eq!(b, t);
                }
                Err(_) => proptest::prop_assert!(!ok),
            }
        }
    }

    #[test]
    fn frames_are_tagged() {
        assert_eq!(ServerFrame::Pong.encode().to_string(), r#"{"type":"pong"}"#);
        assert_eq!(
            presence_frame("r", "u", true).to_string(),
            r#"{"type":"presence","room_id":"r","user_id":"u","online":true}"#
        );
    }
}
