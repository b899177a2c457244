//! WebSocket bytes for `--websocket` (RFC 6455): the opening handshake's
//! headers and the `Sec-WebSocket-Accept` value a server must answer with,
//! masked client frames, and an incremental decoder of the server's frames.
//!
//! The decoder never buffers payload: it keeps at most one frame header
//! (14 bytes) and a Close frame's first bytes, counts the rest, and refuses
//! what RFC 6455 forbids a server to send (masked frames, reserved bits or
//! opcodes, oversized or fragmented control frames, a message over
//! [`MAX_MESSAGE_BYTES`]) with [`FrameOutcome::ProtocolError`]. Its result
//! does not depend on how the byte stream is split into reads.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

/// The GUID RFC 6455 appends to the key before hashing.
const ACCEPT_GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// Largest message a server may send back (and largest `--ws-message-size`).
pub const MAX_MESSAGE_BYTES: u64 = 16 * 1024 * 1024;
/// Control frames carry at most this many payload bytes.
const MAX_CONTROL_PAYLOAD: u64 = 125;

const OPCODE_CONTINUATION: u8 = 0x0;
pub const OPCODE_TEXT: u8 = 0x1;
pub const OPCODE_BINARY: u8 = 0x2;
pub const OPCODE_CLOSE: u8 = 0x8;
const OPCODE_PING: u8 = 0x9;
const OPCODE_PONG: u8 = 0xA;

/// Close status code "normal closure" sent in the client's Close frame.
const CLOSE_NORMAL: u16 = 1000;

/// The `Sec-WebSocket-Accept` value for `key` (the base64 text as sent):
/// base64 of the SHA-1 of the key followed by the RFC's GUID.
pub fn accept_for_key(key: &[u8]) -> Vec<u8> {
    let mut context = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    context.update(key);
    context.update(ACCEPT_GUID);
    BASE64.encode(context.finish().as_ref()).into_bytes()
}

/// A `Sec-WebSocket-Key` value: 16 random bytes, base64 (24 characters).
pub fn new_key(random: &[u8; 16]) -> Vec<u8> {
    BASE64.encode(random).into_bytes()
}

/// The header lines (CRLF-terminated) that make a GET an opening handshake.
pub fn handshake_headers(key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    out.extend_from_slice(key);
    out.extend_from_slice(b"\r\nSec-WebSocket-Version: 13\r\n");
    out
}

/// One client frame, FIN set, payload masked with `mask` as RFC 6455 requires.
pub fn client_frame(opcode: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 14);
    out.push(0x80 | (opcode & 0x0F));
    let len = payload.len();
    if len < 126 {
        out.push(0x80 | len as u8);
    } else if let Ok(len16) = u16::try_from(len) {
        out.push(0x80 | 126);
        out.extend_from_slice(&len16.to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out.extend_from_slice(&mask);
    out.extend(
        payload
            .iter()
            .zip(mask.iter().cycle())
            .map(|(byte, key)| byte ^ key),
    );
    out
}

/// The client's Close frame: status 1000 (normal closure), masked.
pub fn close_frame(mask: [u8; 4]) -> Vec<u8> {
    client_frame(OPCODE_CLOSE, &CLOSE_NORMAL.to_be_bytes(), mask)
}

/// What a `--websocket` call sends and waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebSocketCall {
    /// The opening handshake, answered by a `101` carrying this
    /// `Sec-WebSocket-Accept` value.
    Handshake { expected_accept: Vec<u8> },
    /// A data frame, answered by its echo.
    Echo,
    /// The client's Close frame, answered by the server's.
    Close,
}

/// What a call that waits for a server frame found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameOutcome {
    /// A whole data message (text or binary, all its fragments) of this size.
    Message { bytes: u64 },
    /// The server's Close frame.
    Close,
    /// Bytes no RFC 6455 server may send.
    ProtocolError,
}

/// The call outcome codes the engine hands the workload in place of an HTTP
/// status for WebSocket calls (`Notice::CallDone`'s `status`). They lie
/// outside 100–599, so none can be mistaken for an HTTP reply.
pub mod outcome {
    /// A data message came back.
    pub const MESSAGE: u32 = 1;
    /// The server's Close frame came.
    pub const CLOSE: u32 = 8;
    /// The server sent bytes RFC 6455 forbids (close code 1002's number).
    pub const PROTOCOL_ERROR: u32 = 1002;
    /// A `101` whose `Sec-WebSocket-Accept` was missing or wrong.
    pub const BAD_ACCEPT: u32 = 1101;
}

impl FrameOutcome {
    /// The outcome code of [`outcome`].
    pub fn code(self) -> u32 {
        match self {
            FrameOutcome::Message { .. } => outcome::MESSAGE,
            FrameOutcome::Close => outcome::CLOSE,
            FrameOutcome::ProtocolError => outcome::PROTOCOL_ERROR,
        }
    }
}

/// Where the decoder is within a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Collecting the header (2 to 14 bytes, unmasked from a server).
    Header,
    /// Skipping `remaining` payload bytes of a frame with `opcode`.
    Payload {
        opcode: u8,
        remaining: u64,
    },
    Done(FrameOutcome),
}

/// Decodes server frames until one whole data message or a Close frame (or
/// a protocol error); Ping and Pong frames are skipped. With
/// `awaiting_close`, data messages are skipped too (RFC 6455 lets a server
/// send data until its Close).
#[derive(Debug, Clone)]
pub struct FrameReader {
    awaiting_close: bool,
    stage: Stage,
    header: [u8; 14],
    header_len: usize,
    /// Opcode of the data message whose fragments are arriving, if any.
    message_opcode: Option<u8>,
    message_bytes: u64,
    /// Bytes consumed so far.
    consumed: u64,
}

impl FrameReader {
    pub fn new(awaiting_close: bool) -> FrameReader {
        FrameReader {
            awaiting_close,
            stage: Stage::Header,
            header: [0; 14],
            header_len: 0,
            message_opcode: None,
            message_bytes: 0,
            consumed: 0,
        }
    }

    /// The outcome once decided.
    pub fn outcome(&self) -> Option<FrameOutcome> {
        match self.stage {
            Stage::Done(outcome) => Some(outcome),
            _ => None,
        }
    }

    /// Bytes consumed so far (0 until the first byte of a reply arrived).
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Consumes bytes up to the end of the outcome's frame; returns how many
    /// were used (all of `data` unless the outcome is decided inside it).
    pub fn feed(&mut self, data: &[u8]) -> usize {
        let mut pos = 0;
        while pos < data.len() {
            let rest = &data[pos..];
            let used = match self.stage {
                Stage::Done(_) => break,
                Stage::Header => self.feed_header(rest),
                Stage::Payload { opcode, remaining } => {
                    let n = usize::try_from(remaining).map_or(rest.len(), |r| r.min(rest.len()));
                    let left = remaining - n as u64;
                    if left == 0 {
                        self.frame_done(opcode);
                    } else {
                        self.stage = Stage::Payload {
                            opcode,
                            remaining: left,
                        };
                    }
                    n
                }
            };
            pos += used;
        }
        self.consumed = self.consumed.saturating_add(pos as u64);
        pos
    }

    fn feed_header(&mut self, data: &[u8]) -> usize {
        let mut used = 0;
        for &byte in data {
            self.header[self.header_len] = byte;
            self.header_len += 1;
            used += 1;
            if let Some(needed) = self.header_needed() {
                if self.header_len >= needed {
                    self.header_done();
                    return used;
                }
            }
        }
        used
    }

    /// The header's full length once its first two bytes are in.
    fn header_needed(&self) -> Option<usize> {
        if self.header_len < 2 {
            return None;
        }
        let masked = self.header[1] & 0x80 != 0;
        let length_bytes = match self.header[1] & 0x7F {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        Some(2 + length_bytes + if masked { 4 } else { 0 })
    }

    fn header_done(&mut self) {
        self.header_len = 0;
        let first = self.header[0];
        let second = self.header[1];
        let fin = first & 0x80 != 0;
        let opcode = first & 0x0F;
        let masked = second & 0x80 != 0;
        let length = match second & 0x7F {
            126 => u64::from(u16::from_be_bytes([self.header[2], self.header[3]])),
            127 => {
                let mut bytes = [0; 8];
                bytes.copy_from_slice(&self.header[2..10]);
                u64::from_be_bytes(bytes)
            }
            short => u64::from(short),
        };
        let is_control = opcode & 0x08 != 0;
        let valid = first & 0x70 == 0
            && !masked
            && matches!(
                opcode,
                OPCODE_CONTINUATION
                    | OPCODE_TEXT
                    | OPCODE_BINARY
                    | OPCODE_CLOSE
                    | OPCODE_PING
                    | OPCODE_PONG
            )
            && (!is_control || (fin && length <= MAX_CONTROL_PAYLOAD))
            && match opcode {
                OPCODE_CONTINUATION => self.message_opcode.is_some(),
                OPCODE_TEXT | OPCODE_BINARY => self.message_opcode.is_none(),
                _ => true,
            };
        if !valid {
            self.stage = Stage::Done(FrameOutcome::ProtocolError);
            return;
        }
        if !is_control {
            self.message_bytes = self.message_bytes.saturating_add(length);
            if self.message_bytes > MAX_MESSAGE_BYTES {
                self.stage = Stage::Done(FrameOutcome::ProtocolError);
                return;
            }
            if opcode != OPCODE_CONTINUATION {
                self.message_opcode = Some(opcode);
            }
        }
        // FIN on a data frame ends its message: mark it with the message's
        // own opcode so `frame_done` knows; a fragment keeps continuing.
        let effective = if is_control {
            opcode
        } else if fin {
            self.message_opcode.unwrap_or(OPCODE_BINARY)
        } else {
            OPCODE_CONTINUATION
        };
        if length == 0 {
            self.frame_done(effective);
        } else {
            self.stage = Stage::Payload {
                opcode: effective,
                remaining: length,
            };
        }
    }

    fn frame_done(&mut self, opcode: u8) {
        self.stage = match opcode {
            OPCODE_CLOSE => Stage::Done(FrameOutcome::Close),
            OPCODE_TEXT | OPCODE_BINARY => {
                let bytes = self.message_bytes;
                self.message_opcode = None;
                self.message_bytes = 0;
                if self.awaiting_close {
                    Stage::Header
                } else {
                    Stage::Done(FrameOutcome::Message { bytes })
                }
            }
            // Ping, Pong, or a fragment that does not end its message.
            _ => Stage::Header,
        };
    }
}

/// Checks a `101` reply's headers against the key the handshake sent.
#[derive(Debug, Clone)]
pub struct HandshakeCheck {
    expected_accept: Vec<u8>,
    accept_ok: bool,
}

impl HandshakeCheck {
    pub fn new(expected_accept: Vec<u8>) -> HandshakeCheck {
        HandshakeCheck {
            expected_accept,
            accept_ok: false,
        }
    }

    /// One header line without its CR/LF.
    pub fn header_line(&mut self, text: &[u8]) {
        const NAME: &[u8] = b"sec-websocket-accept:";
        if let Some(value) = crate::c::ctype::strip_prefix_ignore_case(text, NAME) {
            // The last Accept header decides, as for any repeated header.
            self.accept_ok = value.trim_ascii() == self.expected_accept.as_slice();
        }
    }

    /// True when a matching `Sec-WebSocket-Accept` header was seen.
    pub fn accept_ok(&self) -> bool {
        self.accept_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_value_is_the_rfc_example() {
        // RFC 6455 section 1.3.
        assert_eq!(
            accept_for_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".to_vec()
        );
    }

    #[test]
    fn client_frames_are_masked_with_the_right_length_forms() {
        let mask = [1, 2, 3, 4];
        let short = client_frame(OPCODE_BINARY, b"abc", mask);
        assert_eq!(&short[..6], &[0x82, 0x83, 1, 2, 3, 4]);
        assert_eq!(&short[6..], &[b'a' ^ 1, b'b' ^ 2, b'c' ^ 3]);
        let medium = client_frame(OPCODE_BINARY, &[0; 300], mask);
        assert_eq!(&medium[..4], &[0x82, 0x80 | 126, 1, 44]);
        let long = client_frame(OPCODE_BINARY, &vec![0; 70_000], mask);
        assert_eq!(long[1], 0x80 | 127);
        assert_eq!(long.len(), 2 + 8 + 4 + 70_000);
        assert_eq!(close_frame(mask)[..2], [0x88, 0x82]);
    }

    fn server_frame(first: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![first];
        if payload.len() < 126 {
            out.push(payload.len() as u8);
        } else {
            out.push(126);
            out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        }
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn a_message_completes_however_the_bytes_are_split() {
        let mut stream = server_frame(0x89, b"ping");
        stream.extend(server_frame(0x02, &[7; 200]));
        stream.extend(server_frame(0x80, &[7; 100]));
        stream.extend(server_frame(0x88, &[3, 232]));
        for split in 1..stream.len() {
            let mut reader = FrameReader::new(false);
            let mut used = reader.feed(&stream[..split]);
            if reader.outcome().is_none() {
                used += reader.feed(&stream[split..]);
            }
            assert_eq!(reader.outcome(), Some(FrameOutcome::Message { bytes: 300 }));
            assert_eq!(used, stream.len() - 4, "split at {split}");
            let mut close = FrameReader::new(true);
            close.feed(&stream[used..]);
            assert_eq!(close.outcome(), Some(FrameOutcome::Close));
        }
    }

    #[test]
    fn awaiting_close_skips_data_messages() {
        let mut stream = server_frame(0x81, b"late");
        stream.extend(server_frame(0x88, &[]));
        let mut reader = FrameReader::new(true);
        assert_eq!(reader.feed(&stream), stream.len());
        assert_eq!(reader.outcome(), Some(FrameOutcome::Close));
    }

    #[test]
    fn forbidden_frames_are_protocol_errors() {
        let cases: Vec<Vec<u8>> = vec![
            vec![0xC1, 0x00],                           // RSV1
            vec![0x83, 0x00],                           // reserved opcode
            vec![0x81, 0x81, 0, 0, 0, 0, 0x41],         // masked
            vec![0x09, 0x00],                           // fragmented ping
            server_frame(0x89, &[0; 126]),              // oversized control
            vec![0x80, 0x00],                           // continuation without start
            vec![0x82, 127, 0xFF, 0, 0, 0, 0, 0, 0, 0], // huge length
            b"HTTP/1.1 200 OK\r\n".to_vec(),
        ];
        for case in cases {
            let mut reader = FrameReader::new(false);
            reader.feed(&case);
            assert_eq!(
                reader.outcome(),
                Some(FrameOutcome::ProtocolError),
                "{case:?}"
            );
        }
    }

    #[test]
    fn handshake_check_wants_the_exact_accept_value() {
        let expected = accept_for_key(b"dGhlIHNhbXBsZSBub25jZQ==");
        let mut good = HandshakeCheck::new(expected.clone());
        good.header_line(b"sec-websocket-accept:  s3pPLMBiTxaQ9kYGzzhZRbK+xOo= ");
        assert!(good.accept_ok());
        let mut bad = HandshakeCheck::new(expected.clone());
        bad.header_line(b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOp=");
        assert!(!bad.accept_ok());
        let missing = HandshakeCheck::new(expected);
        assert!(!missing.accept_ok());
    }
}
