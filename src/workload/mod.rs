//! Workload generators: what to request and when. Each one only reacts to the
//! engine's notices and calls the engine's actions; none touches a socket.

pub mod page;
pub mod rate;
pub mod request;
pub mod session_log;
pub mod uri;

use std::rc::Rc;

use crate::http::request::{build as build_request, RequestBytes, RequestSpec};

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
