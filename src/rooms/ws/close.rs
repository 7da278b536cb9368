//! How a connection ends: each [`CloseKind`] as a close code and reason (see the close-code
//! table in `rooms::ws`), and which websocket protocol errors map to which kind.

use std::time::Duration;

use actix_ws::{CloseCode, CloseReason, Session};

use crate::rooms::hub::CloseKind;

/// How long a close frame may wait for a client that is not reading.
const CLOSE_GRACE: Duration = Duration::from_secs(10);

fn close_reason(kind: CloseKind) -> CloseReason {
    let (code, description) = match kind {
        CloseKind::Normal => (CloseCode::Normal, None),
        CloseKind::Idle => (CloseCode::Normal, Some("idle_timeout")),
        CloseKind::Shutdown => (CloseCode::Away, Some("server_stopping")),
        CloseKind::Policy(why) => (CloseCode::Policy, Some(why)),
        CloseKind::Resync => (CloseCode::Again, Some("resync")),
        CloseKind::TooBig => (CloseCode::Size, Some("frame_too_big")),
        CloseKind::Protocol => (CloseCode::Protocol, None),
        CloseKind::InvalidUtf8 => (CloseCode::Invalid, None),
    };
    CloseReason {
        code,
        description: description.map(str::to_string),
    }
}

pub(super) async fn close_now(session: Session, kind: CloseKind) {
    let _ = tokio::time::timeout(CLOSE_GRACE, session.close(Some(close_reason(kind)))).await;
}

pub(super) fn classify(e: &actix_ws::ProtocolError) -> CloseKind {
    use actix_ws::ProtocolError as P;
    if let Some(kind) = super::guard::refusal(e) {
        return kind;
    }
    match e {
        P::Overflow => CloseKind::TooBig,
        P::Io(io) if io.to_string().contains("continuation size") => CloseKind::TooBig,
        // actix-http reports RSV bits as invalid data too (the guard refuses them first).
        P::Io(io) if io.to_string().contains("reserved bits") => CloseKind::Protocol,
        P::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => CloseKind::InvalidUtf8,
        _ => CloseKind::Protocol,
    }
}
