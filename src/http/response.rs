//! Incremental reply parsing with httperf 0.9.0's framing rules and byte accounting
//! (docs/behaviour.md#reply-parsing): status line, headers, Content-Length / chunked / close-delimited
//! bodies, trailers, the 100-Continue quirk, and the stderr warnings (docs/behaviour.md#reply-warnings).
//!
//! The parser is fed whatever each `read` returned and never buffers body bytes; only a
//! partial line (at most [`LINE_KEEP`] bytes) is kept between reads. Its results do not
//! depend on how the byte stream is split into reads.
//!
//! Deliberate deviations from 0.9.0, all because 0.9.0's outcome depended on where the
//! kernel happened to split the stream (or crashed):
//! * An over-long line (1024 bytes or more including its LF) is always handled as one
//!   line: the warning gives its full length and the first 1023 bytes are interpreted.
//!   0.9.0 does exactly this when the line arrives in one read; when it spanned reads,
//!   0.9.0 cut it at the read boundary and parsed the continuation as a new line.
//!   An over-long *status* line is interpreted as soon as its 1024th byte arrives, when
//!   0.9.0 interprets it too (so the reply has started, and its deadline is no longer
//!   renewed, even if the line never ends); its warnings wait for its LF, to come in
//!   0.9.0's order.
//! * A NUL byte does not hide a following LF. 0.9.0 searched for the LF with a C string
//!   search, so a NUL before the LF in the same read left the line unfinished. Once a line
//!   is split off, it is still interpreted as a C string (text after a NUL is ignored),
//!   as 0.9.0 does.
//! * An unparsable status line gives status 599 with a body expected, without 0.9.0's
//!   second `bad status <uninitialised value>` warning.

use crate::c::ctype::{strip_prefix_ignore_case, trim_leading_space};
use crate::c::strto::strtoul;
use crate::http::websocket::{outcome, FrameReader, HandshakeCheck, WebSocketCall};

/// Size of httperf's line buffer: a line of this many bytes or more (LF included) is
/// truncated.
pub const LINE_LIMIT: usize = 1024;
/// Bytes of an over-long line that are kept and interpreted.
pub const LINE_KEEP: usize = LINE_LIMIT - 1;

/// A non-fatal oddity in a reply, reported as httperf reports it on stderr.
///
/// Text payloads are raw bytes (a line as the peer sent it, up to a NUL, CR/LF removed)
/// because 0.9.0 prints them verbatim, whatever their encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyWarning {
    InvalidStatusLine(Vec<u8>),
    BadStatus(u32),
    UnknownTransferEncoding(Vec<u8>),
    BadChunkLine(Vec<u8>),
    /// `from` is the full length of the line including its LF, `to` is [`LINE_LIMIT`].
    TruncatingHeader {
        from: usize,
        to: usize,
    },
}

impl ReplyWarning {
    /// The exact stderr line (without newline) for program name `program`.
    pub fn render_bytes(&self, program: &str) -> Vec<u8> {
        fn quoted(program: &str, prefix: &str, text: &[u8], suffix: &str) -> Vec<u8> {
            let mut out = Vec::with_capacity(program.len() + prefix.len() + text.len() + 4);
            out.extend_from_slice(program.as_bytes());
            out.extend_from_slice(prefix.as_bytes());
            out.extend_from_slice(text);
            out.extend_from_slice(suffix.as_bytes());
            out
        }
        match self {
            ReplyWarning::InvalidStatusLine(line) => quoted(
                program,
                ".parse_status_line: invalid status line `",
                line,
                "'!!",
            ),
            ReplyWarning::BadStatus(status) => {
                format!("{program}.parse_status_line: bad status {status}").into_bytes()
            }
            ReplyWarning::UnknownTransferEncoding(value) => quoted(
                program,
                ".parse_headers: unknown transfer encoding `",
                value,
                "'",
            ),
            ReplyWarning::BadChunkLine(line) => {
                quoted(program, ".xfer_chunked: bad chunk line `", line, "'")
            }
            ReplyWarning::TruncatingHeader { from, to } => {
                format!("{program}.get_line: truncating header from {from} to {to} bytes")
                    .into_bytes()
            }
        }
    }

    /// Like [`render_bytes`](Self::render_bytes), with invalid UTF-8 replaced; exact for
    /// every reply that is valid UTF-8. For tests: what is written is the bytes.
    #[cfg(test)]
    pub fn render(&self, program: &str) -> String {
        String::from_utf8_lossy(&self.render_bytes(program)).into_owned()
    }
}

/// Passes every event on except warnings, which it keeps.
struct HoldWarnings<'a> {
    events: &'a mut dyn ReplyEvents,
    held: Vec<ReplyWarning>,
}

impl ReplyEvents for HoldWarnings<'_> {
    fn status_line(&mut self, status: u32, raw_line: &[u8]) {
        self.events.status_line(status, raw_line);
    }
    fn header_line(&mut self, raw_line: &[u8]) {
        self.events.header_line(raw_line);
    }
    fn body(&mut self, data: &[u8]) {
        self.events.body(data);
    }
    fn warning(&mut self, warning: ReplyWarning) {
        self.held.push(warning);
    }
}

/// Receives what the parser finds, in wire order.
pub trait ReplyEvents {
    /// The status line is complete (httperf's CALL_RECV_START). `raw_line` ends with its
    /// LF, except for an over-long line, which is cut to [`LINE_KEEP`] bytes.
    fn status_line(&mut self, _status: u32, _raw_line: &[u8]) {}
    /// One header line (or the terminating empty line), with its CR/LF as received;
    /// over-long lines are cut to [`LINE_KEEP`] bytes. After a `100` status this also
    /// receives the lines of the following block, status line included (docs/behaviour.md#100-continue).
    fn header_line(&mut self, _raw_line: &[u8]) {}
    /// One piece of body data (for chunked replies, chunk payload only). Never empty.
    fn body(&mut self, _data: &[u8]) {}
    fn warning(&mut self, _warning: ReplyWarning) {}
}

/// An event sink that ignores everything.
impl ReplyEvents for () {}

/// What end-of-stream means for the reply being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EofOutcome {
    /// The reply is complete (close-delimited or truncated body).
    Complete,
    /// EOF outside a body: the connection counts as reset (synthetic ECONNRESET).
    Reset,
}

/// True for the method string that makes httperf expect a body-less reply: exactly
/// `HEAD`, case-sensitive (docs/behaviour.md#method).
pub fn is_head_method(method: &str) -> bool {
    method == "HEAD"
}

/// The reply class (index into the `1xx`..`5xx` counters) of a completed reply, or
/// `None` for statuses that complete a call without being a "reply" (docs/behaviour.md#what-is-counted).
///
/// 0.9.0 puts 0–99 into an uncounted slot and aborts on an assertion for 600 and above;
/// both are `None` here (the latter is a documented deviation: never abort).
pub fn status_class(status: u32) -> Option<usize> {
    match status {
        100..=599 => Some((status / 100) as usize),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Status,
    /// The rest of an over-long status line, already interpreted from its first
    /// [`LINE_KEEP`] bytes; its warnings wait for the line's end.
    StatusTail,
    Header,
    /// The second header block after a `100` status, which ends the reply.
    Continue,
    /// Body framed by Content-Length (`Some(remaining)`) or by EOF (`None`).
    Data(Option<u64>),
    ChunkSize,
    ChunkData(u64),
    Footer,
    Done,
}

/// Parses one reply. Create one per call; feed it the bytes read from the connection.
#[derive(Debug, Clone)]
pub struct ReplyParser {
    is_head: bool,
    state: State,
    status: u32,
    has_body: bool,
    chunked: bool,
    content_length: Option<u64>,
    /// The start of the current line (never more than [`LINE_KEEP`] bytes).
    line: Vec<u8>,
    /// Full length of the current line so far, including bytes not kept in `line`.
    line_len: usize,
    /// Warnings about an over-long status line, given once the line ends.
    held_warnings: Vec<ReplyWarning>,
    header_bytes: u64,
    content_bytes: u64,
    footer_bytes: u64,
    /// `--websocket` calls only; `None` for every HTTP call.
    websocket: Option<Box<WebSocketReply>>,
}

/// What a `--websocket` call waits for (docs/behaviour.md#websocket).
#[derive(Debug, Clone)]
enum WebSocketReply {
    /// An HTTP reply to an opening handshake, whose `Sec-WebSocket-Accept`
    /// is checked; parsed as any reply (a `101` has no body).
    Handshake(HandshakeCheck),
    /// Server frames, not HTTP: decoded by the frame reader alone.
    Frames(FrameReader),
}

impl ReplyParser {
    /// The parser for what a `--websocket` call waits for.
    pub fn for_websocket(call: WebSocketCall) -> Self {
        let mut parser = ReplyParser::new(false);
        parser.websocket = Some(Box::new(match call {
            WebSocketCall::Handshake { expected_accept } => {
                WebSocketReply::Handshake(HandshakeCheck::new(expected_accept))
            }
            WebSocketCall::Echo => WebSocketReply::Frames(FrameReader::new(false)),
            WebSocketCall::Close => WebSocketReply::Frames(FrameReader::new(true)),
        }));
        parser
    }

    fn frames(&self) -> Option<&FrameReader> {
        match self.websocket.as_deref() {
            Some(WebSocketReply::Frames(reader)) => Some(reader),
            _ => None,
        }
    }

    /// True for a call whose reply is WebSocket frames, not HTTP: the engine
    /// keeps it out of httperf's request and reply statistics.
    pub fn is_websocket_frames(&self) -> bool {
        self.frames().is_some()
    }

    /// The call's outcome as the workload sees it: the status, except for
    /// WebSocket calls, which give an `http::websocket::outcome` code for
    /// frames and for a `101` without the right `Sec-WebSocket-Accept`.
    pub fn call_outcome(&self) -> u32 {
        match self.websocket.as_deref() {
            Some(WebSocketReply::Handshake(check)) if self.status == 101 && !check.accept_ok() => {
                outcome::BAD_ACCEPT
            }
            Some(WebSocketReply::Frames(reader)) => reader
                .outcome()
                .map_or(outcome::PROTOCOL_ERROR, |found| found.code()),
            _ => self.status,
        }
    }

    /// `is_head`: the call's method string is exactly `HEAD` (see [`is_head_method`]).
    pub fn new(is_head: bool) -> Self {
        ReplyParser {
            is_head,
            state: State::Status,
            status: 0,
            has_body: true,
            chunked: false,
            content_length: None,
            line: Vec::new(),
            line_len: 0,
            held_warnings: Vec::new(),
            header_bytes: 0,
            content_bytes: 0,
            footer_bytes: 0,
            websocket: None,
        }
    }

    /// Consumes bytes up to the end of this reply; returns how many were used. The rest of
    /// `data` belongs to the next (pipelined) reply. Uses all of `data` unless the reply
    /// completes inside it, so a non-empty `data` on an incomplete reply always makes
    /// progress.
    pub fn feed(&mut self, data: &[u8], events: &mut dyn ReplyEvents) -> usize {
        if let Some(WebSocketReply::Frames(reader)) = self.websocket.as_deref_mut() {
            return reader.feed(data);
        }
        let mut pos = 0;
        while pos < data.len() {
            let rest = &data[pos..];
            pos += match self.state {
                State::Done => break,
                State::Data(remaining) => {
                    let n = match remaining {
                        Some(r) => clamp_len(r, rest.len()),
                        None => rest.len(),
                    };
                    self.content_bytes += n as u64;
                    events.body(&rest[..n]);
                    if let Some(r) = remaining {
                        let left = r - n as u64;
                        self.state = if left == 0 {
                            State::Done
                        } else {
                            State::Data(Some(left))
                        };
                    }
                    n
                }
                State::ChunkData(remaining) => {
                    let n = clamp_len(remaining, rest.len());
                    self.content_bytes += n as u64;
                    events.body(&rest[..n]);
                    let left = remaining - n as u64;
                    self.state = if left == 0 {
                        State::ChunkSize
                    } else {
                        State::ChunkData(left)
                    };
                    n
                }
                State::Status
                | State::StatusTail
                | State::Header
                | State::Continue
                | State::ChunkSize
                | State::Footer => self.feed_line(rest, events),
            };
        }
        pos
    }

    /// Accumulates bytes of the current line; processes it once its LF is in `data`.
    fn feed_line(&mut self, data: &[u8], events: &mut dyn ReplyEvents) -> usize {
        let lf = if self.state == State::Status {
            // Never 0: a status line that reaches the limit leaves this state.
            let to_limit = LINE_LIMIT.saturating_sub(self.line_len).max(1);
            // An LF at or past the limit would cut the line all the same, so
            // garbage without one is searched only up to the limit.
            let lf = memchr::memchr(b'\n', &data[..data.len().min(to_limit)]);
            if lf.is_none() && data.len() >= to_limit {
                return self.cut_status_line(&data[..to_limit], events);
            }
            lf
        } else {
            memchr::memchr(b'\n', data)
        };
        let piece = match lf {
            Some(i) => &data[..=i],
            None => data,
        };
        // Bytes are accounted to the state the line started in; a line never changes it.
        match self.state {
            State::Status | State::StatusTail | State::Header | State::Continue => {
                self.header_bytes += piece.len() as u64
            }
            State::Footer => self.footer_bytes += piece.len() as u64,
            _ => {}
        }
        self.line_len = self.line_len.saturating_add(piece.len());
        if self.state == State::StatusTail {
            if lf.is_some() {
                self.end_status_tail(events);
            }
            return piece.len();
        }
        if lf.is_none() || !self.line.is_empty() {
            let room = LINE_KEEP - self.line.len();
            self.line.extend_from_slice(&piece[..piece.len().min(room)]);
        }
        if lf.is_some() {
            let line_len = self.line_len;
            self.line_len = 0;
            if self.line.is_empty() {
                // The whole line is in this read: interpret it in place.
                self.finish_line(piece, line_len, events);
            } else {
                let buf = std::mem::take(&mut self.line);
                self.finish_line(&buf, line_len, events);
                self.line = buf;
                self.line.clear();
            }
        }
        piece.len()
    }

    /// `piece` brings the status line to [`LINE_LIMIT`] bytes, its LF not among
    /// them: interpret the line's first [`LINE_KEEP`] bytes now and skip the rest
    /// of it. Returns the bytes used.
    fn cut_status_line(&mut self, piece: &[u8], events: &mut dyn ReplyEvents) -> usize {
        self.header_bytes += piece.len() as u64;
        self.line_len = self.line_len.saturating_add(piece.len());
        let room = LINE_KEEP.saturating_sub(self.line.len());
        self.line.extend_from_slice(&piece[..piece.len().min(room)]);
        let kept = std::mem::take(&mut self.line);
        let mut holder = HoldWarnings {
            events,
            held: Vec::new(),
        };
        self.status_line(&kept, &kept, &mut holder);
        self.held_warnings = holder.held;
        self.state = State::StatusTail;
        piece.len()
    }

    /// The LF of an over-long status line: its warnings, in 0.9.0's order.
    fn end_status_tail(&mut self, events: &mut dyn ReplyEvents) {
        events.warning(ReplyWarning::TruncatingHeader {
            from: self.line_len,
            to: LINE_LIMIT,
        });
        self.line_len = 0;
        for warning in std::mem::take(&mut self.held_warnings) {
            events.warning(warning);
        }
        self.state = State::Header;
    }

    /// `raw` holds the line's first bytes (all of it unless over-long).
    fn finish_line(&mut self, raw: &[u8], full_len: usize, events: &mut dyn ReplyEvents) {
        let (raw, text) = if full_len >= LINE_LIMIT {
            events.warning(ReplyWarning::TruncatingHeader {
                from: full_len,
                to: LINE_LIMIT,
            });
            // 0.9.0 keeps a cut line as it is: no LF, and a CR in it is not stripped.
            let kept = &raw[..raw.len().min(LINE_KEEP)];
            (kept, kept)
        } else {
            let mut text = raw.strip_suffix(b"\n").unwrap_or(raw);
            text = text.strip_suffix(b"\r").unwrap_or(text);
            (raw, text)
        };
        match self.state {
            State::Status => self.status_line(raw, text, events),
            State::Header | State::Continue => self.header_line(raw, text, events),
            State::ChunkSize => self.chunk_size_line(text, events),
            State::Footer => {
                if text.is_empty() {
                    self.state = State::Done;
                }
            }
            State::StatusTail | State::Data(_) | State::ChunkData(_) | State::Done => {}
        }
    }

    fn status_line(&mut self, raw: &[u8], text: &[u8], events: &mut dyn ReplyEvents) {
        let parsed = parse_status_line(c_str(text));
        self.status = parsed.unwrap_or(599);
        if parsed.is_none() {
            events.warning(ReplyWarning::InvalidStatusLine(c_str(text).to_vec()));
        }
        events.status_line(self.status, raw);
        self.has_body = if self.is_head {
            false
        } else if parsed.is_none() {
            true
        } else {
            match self.status {
                100..=199 | 204 | 205 | 304 => false,
                200..=599 => true,
                status => {
                    events.warning(ReplyWarning::BadStatus(status));
                    true
                }
            }
        };
        self.state = State::Header;
    }

    fn header_line(&mut self, raw: &[u8], text: &[u8], events: &mut dyn ReplyEvents) {
        events.header_line(raw);
        if let Some(WebSocketReply::Handshake(check)) = self.websocket.as_deref_mut() {
            check.header_line(text);
        }
        if text.is_empty() {
            self.state = if self.state == State::Header && !self.is_head && self.status == 100 {
                State::Continue
            } else if !self.has_body {
                State::Done
            } else if self.chunked {
                State::ChunkSize
            } else {
                State::Data(self.content_length)
            };
            return;
        }
        let text = c_str(text);
        // Most header lines are neither of the two: one byte tells.
        if !matches!(text.first(), Some(b'c' | b'C' | b't' | b'T')) {
            return;
        }
        if let Some(value) = strip_prefix_ignore_case(text, b"content-length:") {
            let length = plain_decimal(value).unwrap_or_else(|| strtoul(value, 10).value);
            if length == 0 {
                self.has_body = false;
            }
            self.content_length = Some(length);
        } else if let Some(value) = strip_prefix_ignore_case(text, b"transfer-encoding:") {
            let value = trim_leading_space(value);
            if value.eq_ignore_ascii_case(b"chunked") {
                self.chunked = true;
            } else {
                events.warning(ReplyWarning::UnknownTransferEncoding(value.to_vec()));
            }
        }
    }

    fn chunk_size_line(&mut self, text: &[u8], events: &mut dyn ReplyEvents) {
        // Empty lines are how the CRLF after each chunk's data is consumed.
        if text.is_empty() {
            return;
        }
        let text = c_str(text);
        let size = strtoul(text, 16);
        // 0.9.0 also refuses a size past 64 bits (strtoul's ERANGE).
        let size = if size.erange {
            None
        } else {
            size.if_converted()
        };
        match size {
            None => events.warning(ReplyWarning::BadChunkLine(text.to_vec())),
            Some(0) => self.state = State::Footer,
            Some(size) => self.state = State::ChunkData(size),
        }
    }

    /// End of stream before the reply completed (or after; then it is a no-op).
    pub fn on_eof(&mut self) -> EofOutcome {
        if let Some(reader) = self.frames() {
            // A frame cut short by the close is a reset, as a cut header is.
            return match reader.outcome() {
                Some(_) => EofOutcome::Complete,
                None => EofOutcome::Reset,
            };
        }
        match self.state {
            State::Done => EofOutcome::Complete,
            State::Data(_) => {
                self.state = State::Done;
                EofOutcome::Complete
            }
            _ => EofOutcome::Reset,
        }
    }

    pub fn is_complete(&self) -> bool {
        match self.frames() {
            Some(reader) => reader.outcome().is_some(),
            None => self.state == State::Done,
        }
    }

    /// True until the status line is complete (also while part of it has arrived) or,
    /// for an over-long one, interpreted from its first bytes. 0.9.0 refreshes the
    /// reply deadline for every read that finds the reply in this state, so ask
    /// *before* feeding the read (docs/behaviour.md#timeouts).
    pub fn awaiting_status(&self) -> bool {
        match self.frames() {
            // Only until the first byte: a server that trickles a frame out
            // cannot keep renewing the deadline.
            Some(reader) => reader.consumed() == 0,
            None => self.state == State::Status,
        }
    }

    /// The status code (`%u` of 0.9.0's `sscanf`), 599 for an unparsable status line,
    /// 0 before the status line is complete.
    pub fn status(&self) -> u32 {
        self.status
    }

    /// Status line(s), header lines and the empty line(s), CR/LF included.
    pub fn header_bytes(&self) -> u64 {
        self.header_bytes
    }

    /// Body bytes; for chunked replies the chunk payloads only.
    pub fn content_bytes(&self) -> u64 {
        self.content_bytes
    }

    /// Trailer lines plus the final empty line of a chunked reply.
    pub fn footer_bytes(&self) -> u64 {
        self.footer_bytes
    }

    /// Bytes of an unfinished line held between reads (never above [`LINE_KEEP`]).
    pub fn buffered_len(&self) -> usize {
        self.line.len()
    }
}

fn clamp_len(remaining: u64, available: usize) -> usize {
    usize::try_from(remaining).map_or(available, |r| r.min(available))
}

/// The line as C string functions see it: up to the first NUL.
fn c_str(text: &[u8]) -> &[u8] {
    match memchr::memchr(0, text) {
        Some(i) => &text[..i],
        None => text,
    }
}

/// What `strtoul(value, 10)` gives for the usual header value: one optional
/// space, then 1 to 19 digits to its end (too few to overflow). `None` for
/// anything else, which takes the general scan.
fn plain_decimal(value: &[u8]) -> Option<u64> {
    let digits = value.strip_prefix(b" ").unwrap_or(value);
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0, |n, digit| n * 10 + u64::from(digit - b'0')),
    )
}

/// glibc `sscanf` `%u`: white space, optional sign, decimal digits; stored truncated to
/// `unsigned int`.
fn scan_u32(s: &[u8]) -> Option<(u32, &[u8])> {
    let t = trim_leading_space(s);
    let digits = match t.first() {
        Some(b'+') | Some(b'-') => &t[1..],
        _ => t,
    };
    if !digits.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let number = strtoul(t, 10);
    Some((number.value as u32, &t[number.end..]))
}

/// `sscanf(line, "HTTP/%u.%u %u ", ...) == 3`, returning the status.
fn parse_status_line(line: &[u8]) -> Option<u32> {
    // The usual form, `HTTP/d.d ddd` and no further digit, read directly:
    // the general scan below gives the same status for it.
    if let [b'H', b'T', b'T', b'P', b'/', major, b'.', minor, b' ', d0, d1, d2, rest @ ..] = line {
        let digits = [*major, *minor, *d0, *d1, *d2];
        if digits.iter().all(u8::is_ascii_digit) && !rest.first().is_some_and(u8::is_ascii_digit) {
            let digit = |d: u8| u32::from(d - b'0');
            return Some(digit(*d0) * 100 + digit(*d1) * 10 + digit(*d2));
        }
    }
    scan_status_line(line)
}

/// [`parse_status_line`] without its shortcut.
fn scan_status_line(line: &[u8]) -> Option<u32> {
    let rest = line.strip_prefix(b"HTTP/")?;
    let (_major, rest) = scan_u32(rest)?;
    let rest = rest.strip_prefix(b".")?;
    let (_minor, rest) = scan_u32(rest)?;
    let (status, _) = scan_u32(rest)?;
    Some(status)
}

#[cfg(test)]
mod tests;
