//! `--print-request` and `--print-reply`: echoing each call's bytes as httperf's
//! `SH`/`SB`/`SS` and `RH`/`RB`/`RS` lines while the run goes on. This is the
//! one collector that writes during a run; it never changes a counter.
//!
//! Lines are split at LF and keep their CR, as httperf prints them. Unlike
//! 0.9.0 no search runs past the bytes being printed (so a body line is never
//! glued to the next reply's status line), an unterminated request body line
//! is printed at the end of the request, and a line longer than
//! `MAX_PENDING_LINE_BYTES` is printed in pieces so memory stays bounded.

use std::io::Write;

/// What `--print-request[=WHAT]` / `--print-reply[=WHAT]` select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintParts {
    /// No value, or a value whose first letter is neither `h` nor `b`.
    HeaderAndBody,
    /// First letter `h`/`H`.
    Header,
    /// First letter `b`/`B`.
    Body,
}

/// The longest partial line kept per call before it is printed as it is.
pub const MAX_PENDING_LINE_BYTES: usize = 64 * 1024;

/// Which parts are printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrintSelection {
    pub request: Option<PrintParts>,
    pub reply: Option<PrintParts>,
}

fn wants_header(parts: Option<PrintParts>) -> bool {
    matches!(parts, Some(PrintParts::HeaderAndBody | PrintParts::Header))
}

fn wants_body(parts: Option<PrintParts>) -> bool {
    matches!(parts, Some(PrintParts::HeaderAndBody | PrintParts::Body))
}

impl PrintSelection {
    pub fn prints_replies(&self) -> bool {
        self.reply.is_some()
    }
    pub fn reply_headers(&self) -> bool {
        wants_header(self.reply)
    }
    pub fn reply_body(&self) -> bool {
        wants_body(self.reply)
    }
}

/// Splits a byte stream into prefixed lines, keeping at most one partial line.
#[derive(Debug, Default)]
pub struct LinePrinter {
    pending: Vec<u8>,
}

impl LinePrinter {
    /// Prints every complete line of `data` as `<prefix><id>:<line>\n`
    /// (the LF itself ends the printed line) and keeps the rest pending.
    pub fn print(&mut self, out: &mut dyn Write, prefix: &str, id: u64, mut data: &[u8]) {
        while !data.is_empty() {
            let room = MAX_PENDING_LINE_BYTES - self.pending.len();
            let take = data.len().min(room);
            match data[..take].iter().position(|&byte| byte == b'\n') {
                Some(lf) => {
                    self.pending.extend_from_slice(&data[..lf]);
                    self.flush_line(out, prefix, id);
                    data = &data[lf + 1..];
                }
                None => {
                    self.pending.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    if self.pending.len() == MAX_PENDING_LINE_BYTES {
                        self.flush_line(out, prefix, id);
                    }
                }
            }
        }
    }

    /// Prints the pending partial line, if any.
    pub fn finish(&mut self, out: &mut dyn Write, prefix: &str, id: u64) {
        if !self.pending.is_empty() {
            self.flush_line(out, prefix, id);
        }
    }

    fn flush_line(&mut self, out: &mut dyn Write, prefix: &str, id: u64) {
        // A closed stdout must not stop the test; the report write will fail too.
        let _ = write!(out, "{prefix}{id}:");
        let _ = out.write_all(&self.pending);
        let _ = out.write_all(b"\n");
        self.pending.clear();
    }
}

/// Prints one request attempt: `SH` lines for the head, `SB` lines for the
/// body (as selected), then `SS<id>: header <n> content <n>`.
pub fn print_request(out: &mut dyn Write, parts: PrintParts, id: u64, head: &[u8], body: &[u8]) {
    let mut lines = LinePrinter::default();
    if wants_header(Some(parts)) {
        lines.print(out, "SH", id, head);
        lines.finish(out, "SH", id);
    }
    if wants_body(Some(parts)) {
        lines.print(out, "SB", id, body);
        lines.finish(out, "SB", id);
    }
    let _ = writeln!(out, "SS{id}: header {} content {}", head.len(), body.len());
}

/// Per-call reply printing state.
#[derive(Debug, Default)]
pub struct ReplyPrintState {
    lines: LinePrinter,
    /// httperf prints only the first header block (a 100 Continue's).
    header_done: bool,
}

impl ReplyPrintState {
    /// A header line (status line and terminating empty line included), with
    /// its CR/LF as received.
    pub fn header_line(
        &mut self,
        out: &mut dyn Write,
        selection: &PrintSelection,
        id: u64,
        raw: &[u8],
    ) {
        if self.header_done {
            return;
        }
        if selection.reply_headers() {
            self.lines.print(out, "RH", id, raw);
        }
        if raw == b"\r\n" || raw == b"\n" {
            self.header_done = true;
        }
    }

    /// A piece of body data.
    pub fn body(&mut self, out: &mut dyn Write, selection: &PrintSelection, id: u64, data: &[u8]) {
        if selection.reply_body() {
            self.lines.print(out, "RB", id, data);
        }
    }

    /// Reply complete: the pending body line, then the `RS` summary.
    pub fn finish(&mut self, out: &mut dyn Write, id: u64, bytes: (u64, u64, u64)) {
        self.lines.finish(out, "RB", id);
        let (header, content, footer) = bytes;
        let _ = writeln!(
            out,
            "RS{id}: header {header} content {content} footer {footer}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(out: Vec<u8>) -> String {
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn request_lines_keep_their_carriage_returns() {
        let mut out = Vec::new();
        let head = b"GET / HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: h\r\n\r\n";
        print_request(&mut out, PrintParts::HeaderAndBody, 0, head, b"");
        assert_eq!(
            text(out),
            "SH0:GET / HTTP/1.1\r\nSH0:User-Agent: httperf/0.9.0\r\nSH0:Host: h\r\nSH0:\r\nSS0: header 54 content 0\n"
        );
    }

    #[test]
    fn request_body_only_still_prints_the_summary() {
        let mut out = Vec::new();
        print_request(
            &mut out,
            PrintParts::Body,
            7,
            b"POST / HTTP/1.1\r\n\r\n",
            b"a=1\nb",
        );
        assert_eq!(text(out), "SB7:a=1\nSB7:b\nSS7: header 19 content 5\n");
        let mut out = Vec::new();
        print_request(
            &mut out,
            PrintParts::Header,
            7,
            b"GET / HTTP/1.1\r\n\r\n",
            b"x",
        );
        assert_eq!(
            text(out),
            "SH7:GET / HTTP/1.1\r\nSH7:\r\nSS7: header 18 content 1\n"
        );
    }

    #[test]
    fn reply_lines_split_across_pieces_and_flush_at_completion() {
        let selection = PrintSelection {
            request: None,
            reply: Some(PrintParts::HeaderAndBody),
        };
        let mut out = Vec::new();
        let mut state = ReplyPrintState::default();
        state.header_line(&mut out, &selection, 3, b"HTTP/1.1 200 OK\r\n");
        state.header_line(&mut out, &selection, 3, b"\r\n");
        state.body(&mut out, &selection, 3, b"li");
        state.body(&mut out, &selection, 3, b"ne1\nline2");
        state.finish(&mut out, 3, (19, 11, 0));
        assert_eq!(
            text(out),
            "RH3:HTTP/1.1 200 OK\r\nRH3:\r\nRB3:line1\nRB3:line2\nRS3: header 19 content 11 footer 0\n"
        );
    }

    #[test]
    fn only_the_first_header_block_is_printed() {
        let selection = PrintSelection {
            request: None,
            reply: Some(PrintParts::Header),
        };
        let mut out = Vec::new();
        let mut state = ReplyPrintState::default();
        for line in [
            &b"HTTP/1.1 100 Continue\r\n"[..],
            b"\r\n",
            b"HTTP/1.1 200 OK\r\n",
            b"\r\n",
        ] {
            state.header_line(&mut out, &selection, 0, line);
        }
        state.body(&mut out, &selection, 0, b"ignored");
        state.finish(&mut out, 0, (40, 0, 0));
        assert_eq!(
            text(out),
            "RH0:HTTP/1.1 100 Continue\r\nRH0:\r\nRS0: header 40 content 0 footer 0\n"
        );
    }

    #[test]
    fn very_long_lines_are_printed_in_bounded_pieces() {
        let mut out = Vec::new();
        let mut lines = LinePrinter::default();
        let chunk = vec![b'x'; 40 * 1024];
        lines.print(&mut out, "RB", 1, &chunk);
        assert!(out.is_empty());
        lines.print(&mut out, "RB", 1, &chunk);
        assert_eq!(out.len(), "RB1:".len() + 64 * 1024 + 1);
        assert_eq!(lines.pending.len(), 16 * 1024);
    }
}
