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
use crate::workload::rate::RateSchedule;

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
        let delay = schedule.advance();
        if engine.verbose() >= 3 {
            eprintln!("next arrival delay = {delay:.4}");
        }
        if !create(engine) {
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
            // httperf compares the method string exactly.
            is_head: method == "HEAD",
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
        let headers: Vec<&[u8]> = self.extra_headers.iter().map(Vec::as_slice).collect();
        let bytes = Rc::new(build_request(&RequestSpec {
            method: &self.method,
            uri,
            version: self.version,
            host: self.host.as_deref(),
            extra_headers: &headers,
            body: &[],
        }));
        self.last = Some((uri.to_string(), Rc::clone(&bytes)));
        (bytes, self.is_head)
    }
}
