//! The `--websocket` block printed after the report: the conversations'
//! counts and the opening and closing handshake times with percentiles.
//! Only runs with `--websocket` have it, so no httperf line changes.

use crate::c::printf::fixed;
use crate::stats::summary::{HandshakeTimes, WebSocketSummary};

/// The block, starting with an empty line like httperf's blocks.
pub fn render(ws: &WebSocketSummary) -> String {
    let mut out = String::from("\n");
    out.push_str(&format!(
        "WebSocket: handshakes {} upgraded {} ws-handshake-fail {} ws-bad-accept {} ws-frame-error {}\n",
        ws.handshakes, ws.upgraded, ws.handshake_failed, ws.bad_accept, ws.frame_errors
    ));
    out.push_str(&format!(
        "WebSocket messages: sent {} echoed {}\n",
        ws.messages_sent, ws.messages_echoed
    ));
    out.push_str(&format!(
        "WebSocket close: sent {} answered {}\n",
        ws.closes_sent, ws.closes_answered
    ));
    out.push_str(&times_line("opening", &ws.opening));
    out.push_str(&times_line("closing", &ws.closing));
    out
}

fn times_line(which: &str, times: &HandshakeTimes) -> String {
    let mut line = format!(
        "WebSocket {which} handshake [ms]: n {} min {} avg {} max {}",
        times.count,
        fixed(times.min_ms, 3),
        fixed(times.avg_ms, 3),
        fixed(times.max_ms, 3)
    );
    for (label, ms) in &times.percentiles_ms {
        line.push_str(&format!(" {label} {}", fixed(*ms, 3)));
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_names_every_counter() {
        let ws = WebSocketSummary {
            handshakes: 3,
            upgraded: 2,
            handshake_failed: 1,
            opening: HandshakeTimes {
                count: 2,
                min_ms: 0.5,
                avg_ms: 0.75,
                max_ms: 1.0,
                percentiles_ms: vec![("p50".into(), 0.5)],
                histogram: None,
            },
            ..WebSocketSummary::default()
        };
        assert_eq!(
            render(&ws),
            "\nWebSocket: handshakes 3 upgraded 2 ws-handshake-fail 1 ws-bad-accept 0 ws-frame-error 0\n\
             WebSocket messages: sent 0 echoed 0\n\
             WebSocket close: sent 0 answered 0\n\
             WebSocket opening handshake [ms]: n 2 min 0.500 avg 0.750 max 1.000 p50 0.500\n\
             WebSocket closing handshake [ms]: n 0 min 0.000 avg 0.000 max 0.000\n"
        );
    }
}
