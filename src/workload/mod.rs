//! Workload generators: what to request and when. Each one only reacts to the
//! engine's notices and calls the engine's actions; none touches a socket.

pub mod ammo;
pub(crate) mod rate;
pub(crate) mod request;
pub mod schedule;
pub(crate) mod session;
pub mod session_log;
pub mod uri;
pub(crate) mod websocket;

#[cfg(test)]
mod fake_engine;

use std::rc::Rc;

use crate::engine::Actions;
use crate::http::request::is_head_request;
use crate::http::request::{build as build_request, RequestBytes, RequestSpec};
use crate::workload::ammo::{AmmoEntry, AmmoRequest};
use crate::workload::rate::RateSchedule;
use crate::workload::uri::{NextUri, UriSource};

/// The URI of the next call, printing httperf's `-v` line for generated
/// URIs. `None` when `--wlog=n` ran out: the test has been ended, and the
/// call that found out still shows (after the burst line) the URI it got.
pub(crate) fn next_call_uri(uris: &mut UriSource, engine: &mut dyn Actions) -> Option<Vec<u8>> {
    let (uri, more) = match uris.next_uri() {
        NextUri::Uri(uri) => (uri, true),
        NextUri::LogExhausted(first) => {
            engine.end_test();
            (first, false)
        }
    };
    if uris.is_generated() && engine.verbose() > 0 {
        let prefix = format!("{}: accessing URI `", engine.program());
        engine.print_line(&[prefix.as_bytes(), &uri, b"'"].concat());
    }
    more.then_some(uri)
}

/// How long one turn of the event loop may spend creating overdue units. A
/// client that cannot keep up with its rate catches up in slices of this
/// size, and sockets, timeouts and samples are served between them.
const RELEASE_BUDGET_S: f64 = 0.005;

/// Creates the units (connections or sessions) whose time has come, printing
/// each inter-arrival draw at `-vvv`, and re-arms the timer `timer_id` for the
/// next one. `create` returns false once no more units will ever be wanted.
/// Returns the schedule while units remain: `None` once `create` wants no
/// more or a `--schedule` profile has come to its end.
///
/// A client behind its schedule releases at most `RELEASE_BUDGET_S` worth
/// of units per call and re-arms the timer at once for the rest; the test's
/// end (a stop signal, `--runtime`) is looked for between units.
pub(crate) fn release_due_units(
    mut schedule: RateSchedule,
    engine: &mut dyn Actions,
    timer_id: u64,
    mut create: impl FnMut(&mut dyn Actions, f64) -> bool,
) -> Option<RateSchedule> {
    let now_s = engine.now_s();
    let budget_end_s = now_s + RELEASE_BUDGET_S;
    while schedule.is_due(now_s) {
        if engine.stop_if_requested() || engine.now_s() >= budget_end_s {
            break;
        }
        let due_s = schedule.next_due_s();
        let delay = schedule.advance();
        if engine.verbose() >= 3 {
            eprintln!("next arrival delay = {delay:.4}");
        }
        if !engine.arrival(due_s, &mut |engine| create(engine, due_s)) {
            return None;
        }
    }
    if schedule.has_ended(now_s) {
        return None;
    }
    engine.schedule_at(schedule.next_due_s(), timer_id);
    Some(schedule)
}

/// Builds the request bytes for a URI from the run's fixed request parts
/// (method, version, Host, extra headers), caching the last one so that a
/// fixed URI costs nothing per call. Every part is bytes, sent as given.
#[derive(Debug, Clone)]
pub struct RequestFactory {
    method: Vec<u8>,
    version: (u32, u32),
    host: Option<Vec<u8>>,
    extra_headers: Vec<Vec<u8>>,
    is_head: bool,
    last: Option<(Vec<u8>, Rc<RequestBytes>)>,
}

impl RequestFactory {
    pub fn new(
        method: &[u8],
        version: (u32, u32),
        host: Option<Vec<u8>>,
        extra_headers: Vec<Vec<u8>>,
    ) -> RequestFactory {
        RequestFactory {
            method: method.to_vec(),
            version,
            host,
            extra_headers,
            is_head: is_head_request(method),
            last: None,
        }
    }

    /// A request with its own method, more header blocks after the run's
    /// extra headers (httperf's order: `--add-header`, `Content-length`,
    /// `Cookie`), and a body.
    pub fn build_custom(
        &self,
        method: &[u8],
        uri: &[u8],
        more_headers: &[Vec<u8>],
        body: &[u8],
    ) -> Rc<RequestBytes> {
        let headers: Vec<&[u8]> = self
            .extra_headers
            .iter()
            .chain(more_headers.iter())
            .map(Vec::as_slice)
            .collect();
        Rc::new(build_request(&RequestSpec {
            method,
            uri,
            version: self.version,
            host: self.host.as_deref(),
            extra_headers: &headers,
            body,
        }))
    }

    /// The request of an ammo entry and whether its reply has no body.
    /// Raw (`phantom`) requests are sent as given; `uri` entries use
    /// `--method`, `uripost` ones POST with a `Content-Length`, both with the
    /// run's headers, then the entry's (its `Host` replacing the run's).
    pub fn request_for_ammo(&self, entry: &AmmoEntry) -> (Rc<RequestBytes>, bool) {
        let (uri, body) = match &entry.request {
            AmmoRequest::Raw(bytes) => {
                let head_len = bytes
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .map_or(bytes.len(), |at| at + 4);
                let (head, body) = bytes.split_at(head_len);
                let is_head = bytes.split(|&b| b == b' ').next() == Some(b"HEAD");
                let request = RequestBytes {
                    head: head.to_vec(),
                    body: body.to_vec(),
                };
                return (Rc::new(request), is_head);
            }
            AmmoRequest::Uri { uri, body } => (uri, body),
        };
        let method: &[u8] = if body.is_some() {
            b"POST"
        } else {
            &self.method
        };
        let mut host = self.host.as_deref();
        let mut more_headers: Vec<Vec<u8>> = Vec::new();
        let mut has_length = false;
        for (name, value) in entry.headers.iter() {
            if name.eq_ignore_ascii_case(b"host") {
                host = Some(value);
                continue;
            }
            has_length |= name.eq_ignore_ascii_case(b"content-length");
            more_headers.push([name.as_slice(), b": ", value, b"\r\n"].concat());
        }
        let body = body.as_deref().unwrap_or_default();
        if !body.is_empty() && !has_length {
            more_headers.push(format!("Content-Length: {}\r\n", body.len()).into_bytes());
        }
        let headers: Vec<&[u8]> = self
            .extra_headers
            .iter()
            .chain(more_headers.iter())
            .map(Vec::as_slice)
            .collect();
        let request = build_request(&RequestSpec {
            method,
            uri,
            version: self.version,
            host,
            extra_headers: &headers,
            body,
        });
        (Rc::new(request), is_head_request(method))
    }

    /// The run's `--method`.
    pub fn method(&self) -> &[u8] {
        &self.method
    }

    /// The request for `uri` and whether its reply has no body (HEAD).
    pub fn request_for(&mut self, uri: &[u8]) -> (Rc<RequestBytes>, bool) {
        if let Some((cached_uri, bytes)) = &self.last {
            if cached_uri == uri {
                return (Rc::clone(bytes), self.is_head);
            }
        }
        let bytes = self.build_custom(&self.method, uri, &[], &[]);
        self.last = Some((uri.to_vec(), Rc::clone(&bytes)));
        (bytes, self.is_head)
    }
}
