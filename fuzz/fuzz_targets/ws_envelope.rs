//! Inbound websocket text frames: strict serde JSON into `ClientFrame`. Websocket text is
//! UTF-8 by the protocol (anything else is refused before parsing), so only UTF-8 is fed.
#![no_main]

use kindred::rooms::protocol::{ClientFrame, FrameError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ClientFrame::parse(text) {
        Ok(_) => {}
        // The unknown type echoed back is bounded.
        Err(FrameError::UnknownType(t)) => assert!(t.chars().count() <= 40),
        Err(FrameError::Malformed(_)) => {}
    }
});
