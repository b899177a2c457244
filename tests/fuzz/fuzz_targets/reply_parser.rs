//! The reply parser on a connection's byte stream (pipelined replies one after
//! another), fed once in one piece and once split at fuzzer-chosen points.
//! Besides never panicking, the parser promises that its results do not depend
//! on how the stream is split into reads, that `feed` uses all bytes unless
//! the reply completes, and that it never buffers more than `LINE_KEEP` bytes:
//! all three are checked.
//!
//! Input: byte 0 = flags (bit 0: HEAD, bit 1: feed one byte at a time),
//! byte 1 = number of split points (mod 16), then that many u16 LE split
//! positions, then the stream.
#![no_main]

use httperf_rs::http::response::{EofOutcome, ReplyEvents, ReplyParser, ReplyWarning, LINE_KEEP};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq)]
enum Event {
    Status(u32, Vec<u8>),
    Header(Vec<u8>),
    /// Consecutive body pieces are merged: only their bytes must not depend
    /// on the split.
    Body(Vec<u8>),
    Warning(ReplyWarning),
}

#[derive(Debug, Default, PartialEq)]
struct Recorder {
    events: Vec<Event>,
}

impl ReplyEvents for Recorder {
    fn status_line(&mut self, status: u32, raw_line: &[u8]) {
        assert!(
            raw_line.len() <= LINE_KEEP,
            "status line kept beyond LINE_KEEP"
        );
        self.events.push(Event::Status(status, raw_line.to_vec()));
    }
    fn header_line(&mut self, raw_line: &[u8]) {
        assert!(
            raw_line.len() <= LINE_KEEP,
            "header line kept beyond LINE_KEEP"
        );
        self.events.push(Event::Header(raw_line.to_vec()));
    }
    fn body(&mut self, data: &[u8]) {
        assert!(!data.is_empty(), "empty body event");
        if let Some(Event::Body(body)) = self.events.last_mut() {
            body.extend_from_slice(data);
        } else {
            self.events.push(Event::Body(data.to_vec()));
        }
    }
    fn warning(&mut self, warning: ReplyWarning) {
        let _ = warning.render_bytes("httperf");
        self.events.push(Event::Warning(warning));
    }
}

/// What one reply left behind.
#[derive(Debug, PartialEq)]
struct Reply {
    events: Recorder,
    status: u32,
    header_bytes: u64,
    content_bytes: u64,
    footer_bytes: u64,
    /// `None` while complete before the end of the stream.
    eof: Option<EofOutcome>,
}

fn finish(parser: &ReplyParser, events: Recorder, eof: Option<EofOutcome>) -> Reply {
    Reply {
        events,
        status: parser.status(),
        header_bytes: parser.header_bytes(),
        content_bytes: parser.content_bytes(),
        footer_bytes: parser.footer_bytes(),
        eof,
    }
}

/// Parses `pieces` as one connection's stream: a new parser after each
/// complete reply, `on_eof` on the last one.
fn parse_stream<'a>(is_head: bool, pieces: impl Iterator<Item = &'a [u8]>) -> Vec<Reply> {
    let mut replies = Vec::new();
    let mut parser = ReplyParser::new(is_head);
    let mut events = Recorder::default();
    for mut piece in pieces {
        while !piece.is_empty() {
            let used = parser.feed(piece, &mut events);
            assert!(used <= piece.len());
            assert!(
                parser.buffered_len() <= LINE_KEEP,
                "buffer beyond LINE_KEEP"
            );
            if parser.is_complete() {
                replies.push(finish(&parser, std::mem::take(&mut events), None));
                parser = ReplyParser::new(is_head);
            } else {
                assert_eq!(used, piece.len(), "incomplete reply left bytes unused");
            }
            piece = &piece[used..];
        }
    }
    let eof = parser.on_eof();
    // A second end of stream changes nothing.
    let eof_again = parser.on_eof();
    assert!(eof == eof_again || eof_again == EofOutcome::Complete);
    replies.push(finish(&parser, events, Some(eof)));
    replies
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Some((&split_count, mut rest)) = rest.split_first() else {
        return;
    };
    let is_head = flags & 1 != 0;
    let byte_at_a_time = flags & 2 != 0;
    let mut splits = Vec::new();
    for _ in 0..split_count % 16 {
        let Some((position, tail)) = rest.split_first_chunk::<2>() else {
            return;
        };
        splits.push(usize::from(u16::from_le_bytes(*position)));
        rest = tail;
    }
    let stream = rest;
    for split in &mut splits {
        *split %= stream.len() + 1;
    }
    splits.sort_unstable();
    splits.push(stream.len());

    let whole = parse_stream(is_head, std::iter::once(stream));
    let split_pieces: Vec<&[u8]> = if byte_at_a_time {
        stream.chunks(1).collect()
    } else {
        let mut start = 0;
        splits
            .iter()
            .map(|&end| {
                let piece = &stream[start..end];
                start = end;
                piece
            })
            .collect()
    };
    let split = parse_stream(is_head, split_pieces.into_iter());
    assert_eq!(whole, split, "results depend on how the stream was split");
});
