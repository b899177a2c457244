//! What each session requests: the three scripts (`--wsess`, `--wsesslog`,
//! `--wsesspage`), the calls of each burst and its think time, and the
//! objects a page embeds.

use super::*;
use std::ops::Range;

/// What each session does.
#[derive(Debug, Clone)]
pub enum SessionScript {
    /// `--wsess=N1,N2,X`: N2 calls in bursts of `burst_length`, X seconds apart.
    Calls {
        calls: u64,
        burst_length: u64,
        think_time_s: f64,
    },
    /// `--wsesslog`: session k replays definition k mod count.
    Log(Rc<SessionLog>),
    /// `--wsesspage=N1,N2,X`: N2 page fetches, each followed by the
    /// objects its HTML embeds, X seconds apart. The pages come from the
    /// workload's URI source (`--uri`, `--wset` or `--wlog`).
    Pages {
        user_requests: u64,
        think_time_s: f64,
        /// `--server`, for recognising absolute URIs of this server.
        server: String,
    },
}

/// One request of a session.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SessionCall {
    pub(super) uri: Vec<u8>,
    pub(super) method: Vec<u8>,
    pub(super) body: Vec<u8>,
}

/// The calls of a session's burst not issued yet: a stretch of the shared
/// `--wsesslog` file's requests, each copied out only when it is issued (so
/// that sessions in flight cost no copy of their bursts, however long), or
/// calls made for this session (`--wsess`, `--wsesspage` and its embedded
/// objects).
#[derive(Debug, Default)]
pub(super) struct PendingCalls {
    log_requests: Range<usize>,
    calls: VecDeque<SessionCall>,
}

impl PendingCalls {
    /// Requests `range` of the session log, taken in order.
    fn of_log(range: Range<usize>) -> PendingCalls {
        PendingCalls {
            log_requests: range,
            calls: VecDeque::new(),
        }
    }

    /// Calls made for one session.
    fn of_calls(calls: impl Into<VecDeque<SessionCall>>) -> PendingCalls {
        PendingCalls {
            log_requests: 0..0,
            calls: calls.into(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.log_requests.len() + self.calls.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(super) fn extend(&mut self, calls: impl IntoIterator<Item = SessionCall>) {
        self.calls.extend(calls);
    }

    /// The next call, its request taken from `script`'s log when it is one.
    pub(super) fn pop_front(&mut self, script: &SessionScript) -> Option<SessionCall> {
        if let SessionScript::Log(log) = script {
            if let Some(index) = self.log_requests.next() {
                let request = log.request(index);
                return Some(SessionCall {
                    uri: request.uri.to_vec(),
                    method: request.method.as_bytes().to_vec(),
                    body: request.body.to_vec(),
                });
            }
        }
        self.calls.pop_front()
    }
}

impl SessionWorkload {
    /// `--wsesslog`: which entry of the file the call just taken from the
    /// session's burst is (session definition, burst, request, from 0).
    pub(super) fn log_entry(&self, serial: u64) -> Option<String> {
        let SessionScript::Log(definitions) = &self.spec.script else {
            return None;
        };
        let session = self.sessions.get(&serial)?;
        let burst = definitions.burst(session.definition, session.burst)?;
        let request = burst
            .request_count()
            .checked_sub(session.pending.len() + 1)?;
        Some(format!(
            "{}.{}.{request}",
            session.definition, session.burst
        ))
    }

    /// The calls of burst `index` of a session and the think time after it.
    pub(super) fn burst_calls(
        &mut self,
        engine: &mut dyn Actions,
        serial: u64,
    ) -> Option<(PendingCalls, f64)> {
        let session = self.sessions.get(&serial)?;
        match &self.spec.script {
            SessionScript::Calls {
                calls,
                burst_length,
                think_time_s,
            } => {
                let first = session.burst as u64 * burst_length;
                let count = (*burst_length).min(calls.saturating_sub(first));
                let think = *think_time_s;
                let method = self.requests.method().to_vec();
                let mut burst = Vec::new();
                for _ in 0..count {
                    let Some(uri) = next_call_uri(&mut self.uris, engine) else {
                        self.open_for_call_ending_the_test(engine, serial);
                        return None;
                    };
                    burst.push(SessionCall {
                        uri,
                        method: method.clone(),
                        body: Vec::new(),
                    });
                }
                (!burst.is_empty()).then(|| (PendingCalls::of_calls(burst), think))
            }
            SessionScript::Log(definitions) => {
                let burst = definitions.burst(session.definition, session.burst)?;
                Some((
                    PendingCalls::of_log(burst.request_range()),
                    burst.think_time_s,
                ))
            }
            SessionScript::Pages { think_time_s, .. } => {
                // The page comes from --wset or --wlog when one was given
                // (`uris` is --uri otherwise), as in httperf 0.9.0.
                let think = *think_time_s;
                let Some(uri) = next_call_uri(&mut self.uris, engine) else {
                    self.open_for_call_ending_the_test(engine, serial);
                    return None;
                };
                let call = SessionCall {
                    uri,
                    method: self.requests.method().to_vec(),
                    body: Vec::new(),
                };
                Some((PendingCalls::of_calls([call]), think))
            }
        }
    }

    /// True when the session's current burst is its last one.
    pub(super) fn is_last_burst(&self, session: &Session) -> bool {
        let next = session.burst as u64 + 1;
        match &self.spec.script {
            SessionScript::Calls {
                calls,
                burst_length,
                ..
            } => next.saturating_mul(*burst_length) >= *calls,
            SessionScript::Log(definitions) => {
                next as usize >= definitions.burst_count(session.definition)
            }
            SessionScript::Pages { user_requests, .. } => next >= *user_requests,
        }
    }

    /// `--wsesspage`: queues the objects a page embeds as calls of the
    /// current burst (this server's absolute URIs and relative ones).
    pub(super) fn queue_embedded(
        &mut self,
        engine: &mut dyn Actions,
        serial: u64,
        page_uri: &[u8],
        embedded: Vec<String>,
    ) {
        let SessionScript::Pages { server, .. } = &self.spec.script else {
            return;
        };
        let method = self.requests.method().to_vec();
        // Page references are text (page.rs reads them from the HTML as
        // text), so the page's own URI is resolved against as text too.
        let page_uri = String::from_utf8_lossy(page_uri);
        let mut calls = Vec::new();
        for reference in embedded {
            match crate::http::page::resolve(&reference, &page_uri, server) {
                Some(uri) => calls.push(SessionCall {
                    uri: uri.into_bytes(),
                    method: method.clone(),
                    body: Vec::new(),
                }),
                None if engine.verbose() >= 2 => {
                    eprintln!("{}: ignoring absolute URI `{reference}'", engine.program());
                }
                None => {}
            }
        }
        if let Some(session) = self.sessions.get_mut(&serial) {
            let room = MAX_EMBEDDED_PER_PAGE.saturating_sub(session.embedded_in_burst);
            calls.truncate(room);
            session.embedded_in_burst += calls.len();
            session.pending.extend(calls);
        }
    }
}
