//! The `--websocket` frame reader and the handshake reply parser on a
//! server's byte stream, fed whole and split at fuzzer-chosen points.
//! Besides never panicking: the outcome and the bytes used do not depend on
//! the split, `feed` uses every byte until the outcome is decided, and a
//! decided reader takes no more bytes.
//!
//! Input: byte 0 = flags (bit 0: awaiting Close, bit 1: parse as a
//! handshake reply instead), byte 1 = number of split points (mod 16), then
//! that many u16 LE split positions, then the stream.
#![no_main]

use httperf_rs::http::response::ReplyParser;
use httperf_rs::http::websocket::{accept_for_key, FrameReader, WebSocketCall};
use libfuzzer_sys::fuzz_target;

fn read_frames(stream: &[u8], splits: &[usize], awaiting_close: bool) -> (Option<String>, usize) {
    let mut reader = FrameReader::new(awaiting_close);
    let mut used = 0;
    let mut start = 0;
    for &end in splits.iter().chain(std::iter::once(&stream.len())) {
        let end = end.clamp(start, stream.len());
        let piece = &stream[start..end];
        start = end;
        if reader.outcome().is_some() {
            break;
        }
        let n = reader.feed(piece);
        assert!(n <= piece.len());
        if reader.outcome().is_none() {
            assert_eq!(n, piece.len(), "undecided reader left bytes");
        }
        used += n;
        if reader.outcome().is_some() {
            assert_eq!(reader.feed(&[0x81, 0]), 0, "decided reader took bytes");
        }
    }
    (reader.outcome().map(|o| format!("{o:?}")), used)
}

fn read_handshake(stream: &[u8], splits: &[usize]) -> (u32, bool, usize) {
    let call = WebSocketCall::Handshake {
        expected_accept: accept_for_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
    };
    let mut parser = ReplyParser::for_websocket(call);
    let mut used = 0;
    let mut start = 0;
    for &end in splits.iter().chain(std::iter::once(&stream.len())) {
        let end = end.clamp(start, stream.len());
        used += parser.feed(&stream[start..end], &mut ());
        start = end;
        if parser.is_complete() {
            break;
        }
    }
    (parser.call_outcome(), parser.is_complete(), used)
}

fuzz_target!(|data: &[u8]| {
    let [flags, count, rest @ ..] = data else {
        return;
    };
    let count = usize::from(count % 16);
    if rest.len() < count * 2 {
        return;
    }
    let (positions, stream) = rest.split_at(count * 2);
    let mut splits: Vec<usize> = positions
        .chunks_exact(2)
        .map(|pair| usize::from(u16::from_le_bytes([pair[0], pair[1]])) % (stream.len() + 1))
        .collect();
    splits.sort_unstable();
    if flags & 2 != 0 {
        assert_eq!(read_handshake(stream, &[]), read_handshake(stream, &splits));
    } else {
        let awaiting_close = flags & 1 != 0;
        assert_eq!(
            read_frames(stream, &[], awaiting_close),
            read_frames(stream, &splits, awaiting_close)
        );
    }
});
