//! A session's connection slots (`--max-connections`), each with up to
//! `--max-piped-calls` calls in flight: which slot a call goes on, opening a
//! slot's connection, building and (re)sending calls.

use super::*;

#[derive(Debug, Default)]
pub(super) struct Slot {
    pub(super) conn: Option<ConnId>,
    /// Tags of calls issued on this slot and not done, in issue order.
    pub(super) outstanding: VecDeque<u64>,
    /// Connection failures since this slot last completed a reply.
    pub(super) failures_in_row: u32,
}

impl SessionWorkload {
    /// `--wlog=n` ran out while a call was being made: the test is over, but
    /// as in httperf the call's connection is still opened (and counted),
    /// though nothing is sent on it.
    pub(super) fn open_for_call_ending_the_test(&mut self, engine: &mut dyn Actions, serial: u64) {
        let max_piped = self.spec.max_piped;
        let Some(session) = self.sessions.get_mut(&serial) else {
            return;
        };
        let Some(slot) = session
            .slots
            .iter_mut()
            .find(|slot| slot.outstanding.len() < max_piped)
        else {
            return;
        };
        if slot.conn.is_none() {
            slot.conn = Some(engine.open_connection());
        }
    }

    /// Issues the burst's waiting calls: only the first while it is alone,
    /// then as many as slot capacity allows.
    pub(super) fn issue_pending(&mut self, engine: &mut dyn Actions, serial: u64) {
        loop {
            let Some(session) = self.sessions.get_mut(&serial) else {
                return;
            };
            if session.awaiting_first && session.in_flight > 0 {
                return;
            }
            let max_piped = self.spec.max_piped;
            let Some(slot) = session
                .slots
                .iter()
                .position(|slot| slot.outstanding.len() < max_piped)
            else {
                return;
            };
            let Some(call) = session.pending.pop_front(&self.spec.script) else {
                return;
            };
            session.in_flight += 1;
            self.issue_on_slot(engine, serial, slot, call);
        }
    }

    /// Builds a call's request: `Content-length` for a body, then the
    /// session's cookie as it is now.
    pub(super) fn build_request(&self, serial: u64, call: &SessionCall) -> Rc<RequestBytes> {
        let mut more_headers = Vec::new();
        if !call.body.is_empty() {
            more_headers.push(format!("Content-length: {}\r\n", call.body.len()).into_bytes());
        }
        if let Some(value) = self.sessions.get(&serial).and_then(|s| s.cookie.as_ref()) {
            more_headers.push(cookie::cookie_header(value));
        }
        self.requests
            .build_custom(&call.method, &call.uri, &more_headers, &call.body)
    }

    /// Sends a new call on `slot`.
    pub(super) fn issue_on_slot(
        &mut self,
        engine: &mut dyn Actions,
        serial: u64,
        slot: usize,
        call: SessionCall,
    ) {
        let request = self.build_request(serial, &call);
        let is_head = is_head_request(&call.method);
        if matches!(self.spec.script, SessionScript::Pages { .. }) && engine.verbose() >= 2 {
            let prefix = format!("{}: fetching `", engine.program());
            engine.print_line(&[prefix.as_bytes(), &call.uri, b"'"].concat());
        }
        let issued = IssuedCall {
            session: serial,
            slot,
            uri: call.uri.clone(),
            request,
            is_head,
            retries: 0,
            log_entry: self.log_entry(serial),
        };
        self.send_on_slot(engine, issued, CallHistory::default());
    }

    /// Sends an issued call on its slot, opening the slot's connection if it
    /// has none. A call sent again keeps its request bytes (httperf adds the
    /// cookie once per call) and its written-byte count.
    pub(super) fn send_on_slot(
        &mut self,
        engine: &mut dyn Actions,
        issued: IssuedCall,
        history: CallHistory,
    ) {
        let (serial, slot) = (issued.session, issued.slot);
        let Some(session) = self.sessions.get_mut(&serial) else {
            return;
        };
        let conn = match session.slots[slot].conn {
            Some(conn) => conn,
            None => {
                let conn = engine.open_connection_with_lag(session.arrival_lag_ns);
                session.slots[slot].conn = Some(conn);
                self.conns.insert(conn, (serial, slot));
                conn
            }
        };
        let tag = self.next_tag;
        self.next_tag += 1;
        session.slots[slot].outstanding.push_back(tag);
        let request = Rc::clone(&issued.request);
        if let Some(entry) = &issued.log_entry {
            engine.label_next_call(&|| entry.clone());
        }
        engine.reissue_call(conn, request, issued.is_head, tag, history);
        self.calls.insert(tag, issued);
    }

    /// Sends a call answered with `--failure-status` again, on the first slot with room.
    pub(super) fn retry(
        &mut self,
        engine: &mut dyn Actions,
        mut issued: IssuedCall,
        history: CallHistory,
    ) {
        let serial = issued.session;
        let max_piped = self.spec.max_piped;
        let slot = self.sessions.get(&serial).and_then(|session| {
            session
                .slots
                .iter()
                .position(|slot| slot.outstanding.len() < max_piped)
        });
        match slot {
            Some(slot) => {
                issued.slot = slot;
                issued.retries += 1;
                self.send_on_slot(engine, issued, history);
            }
            None => self.end_session(engine, serial, true),
        }
    }
}
