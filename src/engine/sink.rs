//! What the engine hands the reply parser: a sink that records the status
//! line, captures cookies and embedded objects when asked, and prints the
//! reply for `--print-reply`, all while the bytes are parsed.

use std::io::Write;

use crate::c::ctype::strip_prefix_ignore_case;
use crate::http::response::{ReplyEvents, ReplyWarning};
use crate::stats::print::{PrintSelection, ReplyPrintState};

/// `--print-reply` output for the call being parsed.
pub(super) struct ReplyPrinter<'a> {
    pub(super) out: &'a mut dyn Write,
    pub(super) state: &'a mut ReplyPrintState,
    pub(super) selection: PrintSelection,
    pub(super) call_id: u64,
}

/// Collects what the reply parser reports while the engine feeds it.
#[derive(Default)]
pub(super) struct ParseSink<'a> {
    pub(super) status_line_seen: Option<u32>,
    pub(super) warnings: Vec<ReplyWarning>,
    pub(super) printer: Option<ReplyPrinter<'a>>,
    /// Where to keep the last `Set-Cookie: ` value, when cookies are captured.
    pub(super) cookie: Option<&'a mut Option<Vec<u8>>>,
    /// Embedded-object capture, when pages are captured.
    pub(super) page: Option<&'a mut PageCapture>,
}

/// Most references kept from one reply: no more can be fetched for a page
/// anyway, and the cap holds while the reply streams, so a page without end
/// cannot grow the list.
const MAX_FOUND: usize = crate::http::page::MAX_EMBEDDED_PER_PAGE;

/// `--wsesspage`: what one reply links to (at most `MAX_FOUND` references,
/// the first ones in the reply).
#[derive(Debug, Default)]
pub struct PageCapture {
    html: bool,
    scanner: crate::http::page::PageScanner,
    pub found: Vec<String>,
}

impl PageCapture {
    fn header_line(&mut self, raw_line: &[u8]) {
        if crate::http::page::is_html_content_type(raw_line) {
            self.html = true;
        }
        let line = raw_line.strip_suffix(b"\n").unwrap_or(raw_line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // The header name in any case, as 0.9.0 matches it.
        if let Some(target) = strip_prefix_ignore_case(line, b"location: ") {
            if self.found.len() < MAX_FOUND {
                self.found
                    .extend(crate::http::page::location_reference(target));
            }
        }
    }

    fn body(&mut self, data: &[u8]) {
        if self.html {
            self.scanner.feed(data, &mut self.found, MAX_FOUND);
        }
    }
}

impl ReplyEvents for ParseSink<'_> {
    fn status_line(&mut self, status: u32, raw_line: &[u8]) {
        self.status_line_seen = Some(status);
        self.header_line(raw_line);
    }
    fn header_line(&mut self, raw_line: &[u8]) {
        if let Some(page) = &mut self.page {
            page.header_line(raw_line);
        }
        if let Some(cookie) = &mut self.cookie {
            if let Some(value) = crate::http::cookie::set_cookie_value(raw_line) {
                **cookie = Some(value);
            }
        }
        if let Some(p) = &mut self.printer {
            p.state
                .header_line(&mut *p.out, &p.selection, p.call_id, raw_line);
        }
    }
    fn body(&mut self, data: &[u8]) {
        if let Some(page) = &mut self.page {
            page.body(data);
        }
        if let Some(p) = &mut self.printer {
            p.state.body(&mut *p.out, &p.selection, p.call_id, data);
        }
    }
    fn warning(&mut self, warning: ReplyWarning) {
        self.warnings.push(warning);
    }
}
