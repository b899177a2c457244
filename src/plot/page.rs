//! The HTML page: a header table with each run's command line, start,
//! duration, host and the report's key figures (one column per run), then
//! the charts as inline SVG. No script, font, style sheet or image comes
//! from anywhere else, so the page opens offline as it was written.

use std::fmt::Write as _;

use serde_json::Value;

use super::model::Run;
use super::svg::{escape, Chart};
use crate::results::json::Argument;

const STYLE: &str = "<style>\
body{font-family:sans-serif;font-size:14px;margin:12px 16px;color:#222;background:#f6f6f6}\
h1{font-size:18px;margin:0 0 8px}\
table.runs{border-collapse:collapse;background:#fff;margin-bottom:12px;max-width:100%}\
table.runs th,table.runs td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}\
table.runs th{background:#f0f0f0;font-weight:normal;color:#444;white-space:nowrap}\
table.runs td.run{font-weight:bold}\
code{font-size:12px;word-break:break-all}\
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:12px}\
.charts figure{margin:0;background:#fff;border:1px solid #ddd}\
.charts svg{display:block;width:100%;height:auto}\
footer{margin-top:10px;color:#777;font-size:12px}\
</style>";

/// The whole page.
pub fn render(runs: &[Run], charts: &[Chart]) -> String {
    let labels: Vec<&str> = runs.iter().map(|r| r.label.as_str()).collect();
    let mut html = String::with_capacity(64 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>httperf-rs plot: {}</title>{STYLE}</head><body>\n",
        escape(&labels.join(", "))
    );
    let _ = writeln!(
        html,
        "<h1>httperf-rs results: {}</h1>",
        escape(&labels.join(" vs. "))
    );
    html.push_str(&header_table(runs));
    html.push_str("<div class=\"charts\">\n");
    for chart in charts {
        let _ = writeln!(html, "<figure>{}</figure>", chart.render());
    }
    html.push_str("</div>\n");
    let _ = writeln!(
        html,
        "<footer>Drawn by httperf-rs {} plot.</footer></body></html>",
        env!("CARGO_PKG_VERSION")
    );
    html
}

/// One row: a name and each run's cell (already HTML).
fn row(html: &mut String, name: &str, cells: impl Iterator<Item = String>) {
    let _ = write!(html, "<tr><th>{}</th>", escape(name));
    for cell in cells {
        let _ = write!(html, "<td>{cell}</td>");
    }
    html.push_str("</tr>\n");
}

fn header_table(runs: &[Run]) -> String {
    let mut html = String::from("<table class=\"runs\">\n");
    let _ = write!(html, "<tr><th>run</th>");
    for run in runs {
        let _ = write!(html, "<td class=\"run\">{}</td>", escape(&run.label));
    }
    html.push_str("</tr>\n");
    let text_rows: [FigureRow; 4] = [
        ("command line", |r| {
            format!(
                "<code>{}</code>",
                escape(&command_line(&r.document.command_line))
            )
        }),
        ("start (UTC)", |r| escape(&r.document.start_time_utc)),
        ("duration", |r| format!("{:.3} s", r.document.duration_s)),
        ("host", |r| {
            escape(&format!(
                "{} ({} {})",
                r.document.host, r.document.program.name, r.document.program.version
            ))
        }),
    ];
    for (name, cell) in text_rows {
        row(&mut html, name, runs.iter().map(cell));
    }
    for (name, cell) in figure_rows() {
        row(&mut html, name, runs.iter().map(|r| escape(&cell(r))));
    }
    if runs.iter().any(|r| r.document.report.session.is_some()) {
        for (name, cell) in session_rows() {
            row(
                &mut html,
                name,
                runs.iter().map(|r| match &r.document.report.session {
                    Some(session) => escape(&cell(session)),
                    None => "–".to_string(),
                }),
            );
        }
    }
    html.push_str("</table>\n");
    html
}

type FigureRow = (&'static str, fn(&Run) -> String);

/// The text report's key figures, as it prints them.
fn figure_rows() -> Vec<FigureRow> {
    vec![
        ("connections", |r| {
            let b = &r.document.report.basic;
            format!(
                "{} total, {} conn/s, connect {} ms",
                int(b, "total_connections"),
                fixed(b, "connection_rate_per_s", 1),
                fixed(b, "connection_time_connect_ms", 1)
            )
        }),
        ("requests", |r| {
            let b = &r.document.report.basic;
            format!(
                "{} total, {} req/s",
                int(b, "total_requests"),
                fixed(b, "request_rate_per_s", 1)
            )
        }),
        ("replies", |r| {
            let b = &r.document.report.basic;
            format!(
                "{} total, rate min {} avg {} max {} /s",
                int(b, "total_replies"),
                fixed(b, "reply_rate_min_per_s", 1),
                fixed(b, "reply_rate_avg_per_s", 1),
                fixed(b, "reply_rate_max_per_s", 1)
            )
        }),
        ("reply status", |r| {
            let c = &r.document.totals.replies_by_class;
            format!(
                "1xx={} 2xx={} 3xx={} 4xx={} 5xx={}",
                c.c1xx, c.c2xx, c.c3xx, c.c4xx, c.c5xx
            )
        }),
        ("reply time", |r| {
            let b = &r.document.report.basic;
            let mut text = format!(
                "response {} ms, transfer {} ms",
                fixed(b, "reply_time_response_ms", 1),
                fixed(b, "reply_time_transfer_ms", 1)
            );
            if let Some(reply) = r.document.percentiles.measures.get("reply") {
                if reply.count > 0 {
                    for (label, value) in &reply.values_ms {
                        let _ = write!(text, ", {label} {value:.3}");
                    }
                    let _ = write!(text, ", max {:.3} ms", reply.max_ms);
                }
            }
            text
        }),
        ("net I/O", |r| {
            format!(
                "{} KB/s",
                fixed(&r.document.report.basic, "net_io_kb_per_s", 1)
            )
        }),
        ("errors", |r| {
            let e = &r.document.totals.errors;
            let kinds = [
                ("client-timo", e.client_timo),
                ("socket-timo", e.socket_timo),
                ("connrefused", e.connrefused),
                ("connreset", e.connreset),
                ("fd-unavail", e.fd_unavail),
                ("addrunavail", e.addrunavail),
                ("ftab-full", e.ftab_full),
                ("other", e.other),
            ];
            let mut text = int(&r.document.report.basic, "errors_total");
            for (name, count) in kinds.iter().filter(|(_, c)| *c > 0) {
                let _ = write!(text, " {name} {count}");
            }
            text
        }),
        ("self-check", |r| {
            let verdict = &r.document.self_check;
            if verdict.passed {
                "passed".to_string()
            } else {
                format!("FAILED: {}", verdict.reasons.join("; "))
            }
        }),
    ]
}

/// A row of the session figures: its name and its cell from `report.session`.
type SessionRow = (&'static str, fn(&Value) -> String);

fn session_rows() -> Vec<SessionRow> {
    vec![
        ("sessions", |s| {
            format!(
                "{} completed of {}, rate avg {} sess/s (min {} max {})",
                int(s, "completed"),
                int(s, "total"),
                fixed(s, "rate_avg_per_s", 1),
                fixed(s, "rate_min_per_s", 1),
                fixed(s, "rate_max_per_s", 1)
            )
        }),
        ("session lifetime", |s| {
            format!(
                "{} s (failed sessions: {} s)",
                fixed(s, "lifetime_s", 3),
                fixed(s, "failtime_s", 3)
            )
        }),
    ]
}

/// A number of the report's values with `decimals` decimals ("–" when
/// the report has none, as where it prints inf or nan).
fn fixed(values: &Value, key: &str, decimals: usize) -> String {
    match values.get(key).and_then(Value::as_f64) {
        Some(value) => format!("{value:.decimals$}"),
        None => "–".to_string(),
    }
}

fn int(values: &Value, key: &str) -> String {
    match values.get(key).and_then(Value::as_u64) {
        Some(value) => value.to_string(),
        None => "–".to_string(),
    }
}

/// The command line as a shell would take it back (quoted where needed;
/// arguments that were not UTF-8 shown as their base64).
fn command_line(args: &[Argument]) -> String {
    let words: Vec<String> = args
        .iter()
        .map(|arg| match arg {
            Argument::Text(text) => shell_quote(text),
            Argument::Bytes { base64 } => format!("<bytes, base64 {base64}>"),
        })
        .collect();
    words.join(" ")
}

fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=./,:@%+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_quote_what_a_shell_would_split() {
        let args = vec![
            Argument::Text("httperf-rs".to_string()),
            Argument::Text("--add-header=X: y\\n".to_string()),
            Argument::Text("it's".to_string()),
            Argument::Bytes {
                base64: "Lf8=".to_string(),
            },
        ];
        assert_eq!(
            command_line(&args),
            r"httperf-rs '--add-header=X: y\n' 'it'\''s' <bytes, base64 Lf8=>"
        );
    }
}
