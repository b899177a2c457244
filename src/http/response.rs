//! Incremental reply parsing with httperf's framing rules and byte accounting.

/// A non-fatal oddity in a reply, reported as httperf reports it on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyWarning {
    InvalidStatusLine(String),
    BadStatus(u32),
    UnknownTransferEncoding(String),
    BadChunkLine(String),
    TruncatingHeader { from: usize, to: usize },
}

impl ReplyWarning {
    /// The full stderr line (without newline) for program name `program`.
    pub fn render(&self, program: &str) -> String {
        format!("{program}: {self:?}")
    }
}

/// Receives what the parser finds, in wire order.
pub trait ReplyEvents {
    /// The status line is complete (httperf's CALL_RECV_START). `raw_line` ends with its LF.
    fn status_line(&mut self, _status: u32, _raw_line: &[u8]) {}
    /// One header line (or the terminating empty line), with its CR/LF as received.
    fn header_line(&mut self, _raw_line: &[u8]) {}
    /// One piece of body data (for chunked replies, chunk payload only).
    fn body(&mut self, _data: &[u8]) {}
    fn warning(&mut self, _warning: ReplyWarning) {}
}

/// What end-of-stream means for the reply being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EofOutcome {
    /// The reply is complete (close-delimited or truncated body).
    Complete,
    /// EOF outside a body: the connection counts as reset.
    Reset,
}

#[derive(Debug, Default)]
pub struct ReplyParser {
    complete: bool,
}

impl ReplyParser {
    pub fn new(_is_head: bool) -> Self {
        ReplyParser::default()
    }
    /// Consumes bytes up to the end of this reply; returns how many were used.
    pub fn feed(&mut self, data: &[u8], _events: &mut dyn ReplyEvents) -> usize {
        self.complete = true;
        data.len()
    }
    pub fn on_eof(&mut self) -> EofOutcome {
        EofOutcome::Complete
    }
    pub fn is_complete(&self) -> bool {
        self.complete
    }
    /// True while no byte of the status line has been seen yet.
    pub fn awaiting_status(&self) -> bool {
        false
    }
    pub fn status(&self) -> u32 {
        0
    }
    pub fn header_bytes(&self) -> u64 {
        0
    }
    pub fn content_bytes(&self) -> u64 {
        0
    }
    pub fn footer_bytes(&self) -> u64 {
        0
    }
}

/// Status class 1..=5 for statuses 100..=599; other statuses complete a call
/// but are not counted as replies.
pub fn status_class(status: u32) -> Option<usize> {
    (100..600)
        .contains(&status)
        .then_some((status / 100) as usize)
}
