//! The parameter echo line read back: httperf prints each option as
//! ` --name` or ` --name=value` in a fixed order, values unquoted (only
//! `--add-header` and `--add-header-file` are wrapped in single quotes, with
//! nothing escaped inside). This recovers the items and from them a command
//! line, and says when that cannot be done exactly: a value containing
//! ` --` has no delimiter the line would show.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

/// The items httperf 0.9.0, upstream master and httperf-rs echo, in echo
/// order; names on one row are alternatives at the same place.
const ITEM_ORDER: &[&[&str]] = &[
    &["verbose"],
    &["print-reply"],
    &["print-request"],
    &["hog"],
    &["close-with-reset"],
    &["think-timeout"],
    &["timeout"],
    &["runtime"],
    &["client"],
    &["server"],
    &["server_name"],
    &["servers"],
    &["port"],
    &["uri"],
    &["failure-status"],
    &["http-version"],
    &["max-connections"],
    &["max-piped-calls"],
    &["rate", "period"],
    &["send-buffer"],
    &["retry-on-failure"],
    &["recv-buffer"],
    &["session-cookies"],
    &["ssl"],
    &["ssl-ciphers"],
    &["tls-server-name"],
    &["ssl-no-reuse"],
    &["ssl-cert"],
    &["ssl-key"],
    &["ssl-ca-file"],
    &["ssl-ca-path"],
    &["ssl-verify"],
    &["ssl-protocol"],
    &["add-header"],
    &["add-header-file"],
    &["method"],
    &["use-timer-cache"],
    &["wsesslog", "wsesspage", "wsess", "num-conns"],
    &["num-calls"],
    &["burst-length"],
    &["wset"],
    &["periodic-stats"],
];

/// Items that name where the load goes, not what it is: two runs of one
/// workload against different servers differ only in these.
const TARGET_ITEMS: &[&str] = &["client", "server", "servers", "port"];

/// Items echoed inside single quotes.
const QUOTED_ITEMS: &[&str] = &["add-header", "add-header-file"];

fn rank(name: &str) -> Option<usize> {
    ITEM_ORDER.iter().position(|row| row.contains(&name))
}

/// One echoed option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub name: String,
    /// The value as echoed (quotes of quoted items removed), if any.
    pub value: Option<Vec<u8>>,
}

impl Item {
    /// ` --name=value` as echoed.
    pub fn text(&self) -> String {
        match &self.value {
            None => format!("--{}", self.name),
            Some(value) => format!("--{}={}", self.name, String::from_utf8_lossy(value)),
        }
    }
}

/// A parsed echo line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    /// The line as printed.
    pub raw: Vec<u8>,
    /// What httperf printed as its name (argv\[0\]'s last component).
    pub program: Vec<u8>,
    pub items: Vec<Item>,
    /// Why the command line cannot be recovered exactly (empty if it can).
    pub inexact: Vec<String>,
}

/// Whether `line` is an echo line: a program name, then items starting with
/// a known one, including the two items every httperf always prints.
pub fn is_echo_line(line: &[u8]) -> bool {
    let Some(start) = find(line, b" --") else {
        return false;
    };
    if is_print_line(line) {
        return false;
    }
    let first = &line[start + 3..];
    let name_end = first
        .iter()
        .position(|&b| b == b'=' || b == b' ')
        .unwrap_or(first.len());
    let known_first = std::str::from_utf8(&first[..name_end])
        .ok()
        .and_then(rank)
        .is_some();
    known_first && find(line, b" --client=").is_some() && find(line, b" --send-buffer=").is_some()
}

/// A `--print-request`/`--print-reply` line (`SH12:…`, `RB0:…`): it can
/// carry any bytes, an echo line included.
pub fn is_print_line(line: &[u8]) -> bool {
    let tagged = matches!(
        line,
        [b'S', b'H' | b'B' | b'S', ..] | [b'R', b'H' | b'B' | b'S', ..]
    );
    let digits = line
        .iter()
        .skip(2)
        .take_while(|b| b.is_ascii_digit())
        .count();
    tagged && digits > 0 && line.get(2 + digits) == Some(&b':')
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Parses an echo line (`is_echo_line` must hold for a meaningful result).
pub fn parse(line: &[u8]) -> Echo {
    let start = find(line, b" --").unwrap_or(line.len());
    let program = line[..start].to_vec();
    let mut items: Vec<Item> = Vec::new();
    let mut inexact = Vec::new();
    let mut last_rank: Option<usize> = None;
    let mut rest = &line[start..];
    // Pieces between the ` --` separators; a piece that cannot start an item
    // here (unknown, or out of echo order) belongs to the previous value.
    let mut pieces: Vec<&[u8]> = Vec::new();
    while let Some(tail) = rest.strip_prefix(b" --") {
        let end = find(tail, b" --").unwrap_or(tail.len());
        pieces.push(&tail[..end]);
        rest = &tail[end..];
    }
    let mut merged_into: Vec<String> = Vec::new();
    for piece in pieces {
        let name_end = piece.iter().position(|&b| b == b'=').unwrap_or(piece.len());
        let name = std::str::from_utf8(&piece[..name_end]).ok();
        let item_rank = name.and_then(rank);
        let starts_item = match (item_rank, last_rank) {
            (Some(r), Some(last)) => r > last,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if starts_item || items.is_empty() {
            last_rank = item_rank.or(last_rank);
            let value = (name_end < piece.len()).then(|| piece[name_end + 1..].to_vec());
            if name.is_none() {
                inexact.push(
                    "an item's name is not text: it is shown with replacement characters"
                        .to_string(),
                );
            }
            items.push(Item {
                name: String::from_utf8_lossy(&piece[..name_end]).into_owned(),
                value,
            });
        } else if let Some(previous) = items.last_mut() {
            let value = previous.value.get_or_insert_with(Vec::new);
            value.extend_from_slice(b" --");
            value.extend_from_slice(piece);
            if !merged_into.contains(&previous.name) {
                merged_into.push(previous.name.clone());
            }
        }
    }
    for name in merged_into {
        inexact.push(format!(
            "the value of --{name} contains \" --\", which the echo line does not delimit: \
             the split into options is a guess"
        ));
    }
    for item in &mut items {
        if QUOTED_ITEMS.contains(&item.name.as_str()) {
            let unquoted = item
                .value
                .as_deref()
                .and_then(|v| v.strip_prefix(b"'"))
                .and_then(|v| v.strip_suffix(b"'"))
                .map(<[u8]>::to_vec);
            match unquoted {
                Some(value) => item.value = Some(value),
                None => inexact.push(format!(
                    "the value of --{} is not within its quotes: it may have held a line break",
                    item.name
                )),
            }
        }
        if item.name == "rate" {
            let digits = item
                .value
                .as_deref()
                .unwrap_or_default()
                .iter()
                .filter(|b| b.is_ascii_digit())
                .count();
            let all_significant = item.value.as_deref().is_some_and(|v| !v.starts_with(b"0"));
            if digits >= 6 && all_significant {
                inexact.push(
                    "--rate is echoed with 6 significant digits: the rate given may have had more"
                        .to_string(),
                );
            }
        }
    }
    Echo {
        raw: line.to_vec(),
        program,
        items,
        inexact,
    }
}

impl Echo {
    /// The options as a command line (without argv\[0\]): `--name` or
    /// `--name=value`, with master's `--ssl-cert` item given back as the
    /// `--ssl-certificate` option it stands for.
    pub fn arguments(&self) -> Vec<OsString> {
        self.items
            .iter()
            .map(|item| {
                let name = if item.name == "ssl-cert" {
                    "ssl-certificate"
                } else {
                    item.name.as_str()
                };
                let mut arg = format!("--{name}").into_bytes();
                if let Some(value) = &item.value {
                    arg.push(b'=');
                    arg.extend_from_slice(value);
                }
                OsString::from_vec(arg)
            })
            .collect()
    }

    /// The items that define the workload: all but the target items, and
    /// without master's `--ssl-protocol=auto`, which it echoes for every run.
    pub fn workload(&self) -> Vec<&Item> {
        self.items
            .iter()
            .filter(|item| !TARGET_ITEMS.contains(&item.name.as_str()))
            .filter(|item| {
                !(item.name == "ssl-protocol" && item.value.as_deref() == Some(b"auto".as_slice()))
            })
            .collect()
    }

    /// The value of item `name`, if echoed.
    pub fn value(&self, name: &str) -> Option<&[u8]> {
        self.items
            .iter()
            .find(|item| item.name == name)
            .and_then(|item| item.value.as_deref())
    }
}

/// One workload parameter that differs: name, one side's text, the other's
/// (`None` = not echoed).
pub type Difference = (String, Option<String>, Option<String>);

/// The workload parameters that differ between `a` and `b`.
pub fn differences(a: &Echo, b: &Echo) -> Vec<Difference> {
    let text = |item: &Item| {
        item.value
            .as_deref()
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default()
    };
    let (wa, wb) = (a.workload(), b.workload());
    let mut names: Vec<&str> = wa.iter().chain(&wb).map(|i| i.name.as_str()).collect();
    names.sort_by_key(|name| rank(name).unwrap_or(usize::MAX));
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let va = wa.iter().find(|i| i.name == name).map(|i| text(i));
            let vb = wb.iter().find(|i| i.name == name).map(|i| text(i));
            (va != vb).then(|| (name.to_string(), va, vb))
        })
        .collect()
}

/// The differences between two lists of httperf-rs workload options as a
/// `--json` document records them (`--NAME=VALUE` or `--NAME`, in order; the
/// echo line leaves them out). A name given twice counts with its last value,
/// as on a command line.
pub fn option_differences(a: &[String], b: &[String]) -> Vec<Difference> {
    let values = |options: &[String]| {
        let mut values: Vec<(String, String)> = Vec::new();
        for option in options {
            let option = option.strip_prefix("--").unwrap_or(option);
            let (name, value) = option.split_once('=').unwrap_or((option, ""));
            values.retain(|(known, _)| known != name);
            values.push((name.to_string(), value.to_string()));
        }
        values
    };
    let (va, vb) = (values(a), values(b));
    let mut names: Vec<&str> = va
        .iter()
        .chain(&vb)
        .map(|(name, _)| name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let value_in = |values: &[(String, String)], name: &str| {
        values
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.clone())
    };
    names
        .into_iter()
        .filter_map(|name| {
            let (x, y) = (value_in(&va, name), value_in(&vb, name));
            (x != y).then(|| (name.to_string(), x, y))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_options_differ_by_name_with_the_last_value_counting() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let a = list(&["--seed=1", "--schedule=const(5,1s)", "--seed=7"]);
        let b = list(&["--schedule=const(5,1s)", "--seed=7"]);
        assert_eq!(option_differences(&a, &b), vec![]);
        let c = list(&["--seed=8", "--ammo-loop"]);
        assert_eq!(
            option_differences(&b, &c),
            vec![
                ("ammo-loop".to_string(), None, Some(String::new())),
                (
                    "schedule".to_string(),
                    Some("const(5,1s)".to_string()),
                    None
                ),
                (
                    "seed".to_string(),
                    Some("7".to_string()),
                    Some("8".to_string())
                ),
            ]
        );
        assert_eq!(option_differences(&[], &[]), vec![]);
    }

    const DEFAULT: &[u8] = b"httperf --client=0/1 --server=localhost --port=80 --uri=/ \
--send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1";

    #[test]
    fn a_default_line_gives_back_its_options() {
        assert!(is_echo_line(DEFAULT));
        let echo = parse(DEFAULT);
        assert_eq!(echo.program, b"httperf");
        assert!(echo.inexact.is_empty(), "{:?}", echo.inexact);
        let args: Vec<String> = echo
            .arguments()
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "--client=0/1",
                "--server=localhost",
                "--port=80",
                "--uri=/",
                "--send-buffer=4096",
                "--recv-buffer=16384",
                "--num-conns=1",
                "--num-calls=1"
            ]
        );
    }

    #[test]
    fn the_full_example_of_the_echo_order() {
        let line = b"httperf --verbose --print-reply=header --print-request=body --hog \
--close-with-reset --think-timeout=1.5 --timeout=2 --client=1/4 --server=127.0.0.1 \
--server_name=foo --port=8080 --uri=/x --failure-status=500 --http-version=1.0 \
--max-connections=2 --max-piped-calls=2 --period=u0.1,0.2 --send-buffer=1000 \
--retry-on-failure --recv-buffer=2000 --session-cookies --ssl-ciphers=ALL --ssl-no-reuse \
--add-header='A: b\\n' --method=GET --wsess=1,1,0.000 --burst-length=3 --wset=10,0.250";
        let echo = parse(line);
        assert!(echo.inexact.is_empty(), "{:?}", echo.inexact);
        assert_eq!(echo.items.len(), 28);
        assert_eq!(echo.value("add-header"), Some(b"A: b\\n".as_slice()));
        assert_eq!(echo.value("period"), Some(b"u0.1,0.2".as_slice()));
    }

    #[test]
    fn values_with_spaces_and_dashes_are_kept_and_flagged() {
        let line = b"httperf --client=0/1 --server=h --port=1 --uri=/a b --c --d \
--send-buffer=4096 --recv-buffer=16384 --add-header='X: y --z' --num-conns=1";
        let echo = parse(line);
        assert_eq!(echo.value("uri"), Some(b"/a b --c --d".as_slice()));
        assert_eq!(echo.value("add-header"), Some(b"X: y --z".as_slice()));
        assert_eq!(echo.inexact.len(), 2, "{:?}", echo.inexact);
        assert!(echo.inexact[0].contains("--uri"));
    }

    #[test]
    fn a_first_item_whose_name_is_not_text_is_flagged() {
        let echo = parse(b"x --time\x91out --client=0/1 --server=h --port=1 --uri=/");
        assert_eq!(echo.items[0].name, "time\u{fffd}out");
        assert_eq!(echo.inexact.len(), 1, "{:?}", echo.inexact);
    }

    #[test]
    fn a_header_cut_by_a_line_break_is_flagged() {
        let echo = parse(
            b"httperf --client=0/1 --server=h --port=1 --uri=/ --send-buffer=1 \
--recv-buffer=1 --add-header='X: y",
        );
        assert_eq!(echo.inexact.len(), 1);
    }

    #[test]
    fn targets_and_masters_auto_protocol_are_not_workload() {
        let a = parse(DEFAULT);
        let b = parse(
            b"/usr/bin/httperf --client=1/2 --server=example --port=8080 --uri=/ \
--send-buffer=4096 --recv-buffer=16384 --ssl-protocol=auto --num-conns=2 --num-calls=1",
        );
        assert_eq!(
            differences(&a, &b),
            vec![(
                "num-conns".to_string(),
                Some("1".to_string()),
                Some("2".to_string())
            )]
        );
    }

    #[test]
    fn lines_that_are_not_echo_lines() {
        assert!(!is_echo_line(b"RB0:httperf --client=0/1 --send-buffer=1"));
        assert!(!is_echo_line(b"Total: connections 1"));
        assert!(!is_echo_line(b"x --foo --client=0/1 --send-buffer=1"));
        assert!(!is_echo_line(b""));
    }
}
