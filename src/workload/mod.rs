//! Workload generators: what to request and when. Each one only reacts to the
//! engine's notices and calls the engine's actions; none touches a socket.

pub mod cookie;
pub mod page;
pub mod rate;
pub mod request;
pub mod session;
pub mod session_log;
pub mod uri;

use std::rc::Rc;

use crate::engine::Engine;
use crate::http::request::{build as build_request, RequestBytes, RequestSpec};
use crate::http::response::is_head_method;
use crate::workload::rate::RateSchedule;
use crate::workload::uri::{NextUri, UriSource};

/// The URI of the next call, printing httperf's `-v` line for generated
/// URIs. `None` when `--wlog=n` ran out: the test has been ended, and the
/// call that found out still shows (after the burst line) the URI it got.
pub fn next_call_uri(uris: &mut UriSource, engine: &mut Engine) -> Option<String> {
    let (uri, more) = match uris.next_uri() {
        NextUri::Uri(uri) => (uri, true),
        NextUri::LogExhausted(first) => {
            engine.end_test();
            (first, false)
        }
    };
    if uris.is_generated() && engine.verbose() > 0 {
        engine.print_line(&format!("{}: accessing URI `{uri}'", engine.program()));
    }
    more.then_some(uri)
}

/// Creates every unit (connection or session) whose time has come, printing
/// each inter-arrival draw at `-vvv`, and re-arms the timer `timer_id` for the
/// next one. `create` returns false once no more units will ever be wanted.
/// Returns the schedule while units remain.
pub fn release_due_units(
    mut schedule: RateSchedule,
    engine: &mut Engine,
    timer_id: u64,
    mut create: impl FnMut(&mut Engine) -> bool,
) -> Option<RateSchedule> {
    let now_s = engine.now_s();
    while schedule.is_due(now_s) {
        let due_s = schedule.next_due_s();
        let delay = schedule.advance();
        if engine.verbose() >= 3 {
            eprintln!("next arrival delay = {delay:.4}");
        }
        if !engine.arrival(due_s, &mut create) {
            return None;
        }
    }
    engine.schedule_at(schedule.next_due_s(), timer_id);
    Some(schedule)
}

/// Builds the request bytes for a URI from the run's fixed request parts
/// (method, version, Host, extra headers), caching the last one so that a
/// fixed URI costs nothing per call.
#[derive(Debug, Clone)]
pub struct RequestFactory {
    method: String,
    version: (u32, u32),
    host: Option<String>,
    extra_headers: Vec<Vec<u8>>,
    is_head: bool,
    last: Option<(String, Rc<RequestBytes>)>,
}

impl RequestFactory {
    pub fn new(
        method: &str,
        version: (u32, u32),
        host: Option<String>,
        extra_headers: Vec<Vec<u8>>,
    ) -> RequestFactory {
        RequestFactory {
            method: method.to_string(),
            version,
            host,
            extra_headers,
            is_head: is_head_method(method),
            last: None,
        }
    }

    /// A request with its own method, more header blocks after the run's
    /// extra headers (httperf's order: `--add-header`, `Content-length`,
    /// `Cookie`), and a body.
    pub fn build_custom(
        &self,
        method: &str,
        uri: &str,
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

    /// The run's `--method`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request for `uri` and whether its reply has no body (HEAD).
    pub fn request_for(&mut self, uri: &str) -> (Rc<RequestBytes>, bool) {
        if let Some((cached_uri, bytes)) = &self.last {
            if cached_uri == uri {
                return (Rc::clone(bytes), self.is_head);
            }
        }
        let bytes = self.build_custom(&self.method, uri, &[], &[]);
        self.last = Some((uri.to_string(), Rc::clone(&bytes)));
        (bytes, self.is_head)
    }
}
