//! A re-implementation of glibc `getopt_long`'s scanning rules over an option
//! table: left-to-right processing, permutation of non-options (which httperf
//! ignores), unique-prefix abbreviation of long names, `--name=value` and
//! `--name value`, optional values only after `=`, grouped short flags, `--`
//! ending the options, `POSIXLY_CORRECT` stopping at the first non-option, and
//! glibc 2.36's exact diagnostics (prefixed with `argv[0]` verbatim).
//!
//! The scanner works on bytes, like C, so non-UTF-8 arguments are carried
//! through untouched; diagnostics show them lossily.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};

/// Whether an option takes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A flag.
    None,
    /// `--opt=value`, `--opt value`, `-oVALUE`, `-o VALUE`.
    Required,
    /// Only `--opt=value` (or `-oVALUE`) gives a value.
    Optional,
}

/// One row of the option table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptSpec {
    pub long: String,
    pub short: Option<char>,
    pub arg: ArgKind,
}

/// What the scanner found next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Option `table[index]`, with its value if it has one.
    Opt {
        index: usize,
        value: Option<OsString>,
    },
    /// getopt's diagnostic, ending with a newline.
    Error(String),
}

pub(crate) fn os_bytes(s: &OsStr) -> Cow<'_, [u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Cow::Borrowed(s.as_bytes())
    }
    #[cfg(not(unix))]
    {
        match s.to_string_lossy() {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        }
    }
}

fn bytes_os(b: &[u8]) -> OsString {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        OsStr::from_bytes(b).to_os_string()
    }
    #[cfg(not(unix))]
    {
        OsString::from(String::from_utf8_lossy(b).into_owned())
    }
}

fn lossy(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// Iterates over the options of an argv (`argv[0]` included), stopping after
/// the first error is reported.
pub struct Scanner<'a> {
    table: &'a [OptSpec],
    args: Vec<Cow<'a, [u8]>>,
    /// argv[0] as typed: getopt's messages start with it.
    prog: String,
    /// Next argv element to look at.
    optind: usize,
    /// Inside a group of short options: (argv index, byte offset).
    cluster: Option<(usize, usize)>,
    /// Stop at the first non-option (`POSIXLY_CORRECT`).
    posix: bool,
    finished: bool,
    /// Table entries from this index on are httperf-rs's own options: an
    /// abbreviation only reaches them when it matches no httperf option, so
    /// they change no httperf abbreviation or ambiguity message.
    own_from: usize,
    /// Table entries httperf 0.9.0 already had: an abbreviation unique among
    /// them means that option even where a later option shares the prefix,
    /// so that abbreviations in 0.9.0 scripts keep working.
    first_release: Vec<bool>,
}

impl<'a> Scanner<'a> {
    pub fn new(table: &'a [OptSpec], args: &'a [OsString], posix: bool) -> Self {
        let args: Vec<Cow<'a, [u8]>> = args.iter().map(|a| os_bytes(a)).collect();
        let prog = args
            .first()
            .map(|a| lossy(a).into_owned())
            .unwrap_or_default();
        Scanner {
            table,
            args,
            prog,
            optind: 1,
            cluster: None,
            posix,
            finished: false,
            own_from: usize::MAX,
            first_release: Vec::new(),
        }
    }

    /// Marks the table entries named in `names` as 0.9.0's options.
    pub fn first_release_options(mut self, names: &[&str]) -> Self {
        self.first_release = self
            .table
            .iter()
            .map(|o| names.contains(&o.long.as_str()))
            .collect();
        self
    }

    /// Marks the table entries from `index` on as the program's own options.
    pub fn own_options_from(mut self, index: usize) -> Self {
        self.own_from = index;
        self
    }

    fn error(&mut self, message: String) -> Option<Event> {
        self.finished = true;
        Some(Event::Error(format!("{}: {message}\n", self.prog)))
    }

    fn short(&mut self, ai: usize, off: usize) -> Option<Event> {
        let arg_len = self.args[ai].len();
        let c = self.args[ai][off];
        let next = off + 1;
        self.cluster = (next < arg_len).then_some((ai, next));
        let found = self
            .table
            .iter()
            .position(|o| o.short.is_some_and(|s| s.is_ascii() && s as u8 == c));
        let shown = lossy(std::slice::from_ref(&c)).into_owned();
        let Some(index) = found else {
            return self.error(format!("invalid option -- '{shown}'"));
        };
        let value = match self.table[index].arg {
            ArgKind::None => None,
            ArgKind::Optional => self
                .cluster
                .take()
                .map(|_| bytes_os(&self.args[ai][next..])),
            ArgKind::Required => {
                if self.cluster.take().is_some() {
                    Some(bytes_os(&self.args[ai][next..]))
                } else if self.optind < self.args.len() {
                    self.optind += 1;
                    Some(bytes_os(&self.args[self.optind - 1]))
                } else {
                    return self.error(format!("option requires an argument -- '{shown}'"));
                }
            }
        };
        Some(Event::Opt { index, value })
    }

    fn long(&mut self, ai: usize) -> Option<Event> {
        // The argument without its leading `--`.
        let body = self.args[ai][2..].to_vec();
        let (name, inline_value) = match body.iter().position(|&b| b == b'=') {
            Some(eq) => (&body[..eq], Some(&body[eq + 1..])),
            None => (&body[..], None),
        };
        let exact = self.table.iter().position(|o| o.long.as_bytes() == name);
        let index = match exact {
            Some(index) => index,
            None => {
                let matching = |range: std::ops::Range<usize>| -> Vec<usize> {
                    range
                        .filter(|&i| self.table[i].long.as_bytes().starts_with(name))
                        .collect()
                };
                let split = self.own_from.min(self.table.len());
                let mut candidates = matching(0..split);
                if candidates.is_empty() {
                    candidates = matching(split..self.table.len());
                } else if candidates.len() > 1 {
                    let first_release: Vec<usize> = candidates
                        .iter()
                        .copied()
                        .filter(|&i| self.first_release.get(i) == Some(&true))
                        .collect();
                    if first_release.len() == 1 {
                        candidates = first_release;
                    }
                }
                match candidates.as_slice() {
                    [] => {
                        let shown = lossy(&body).into_owned();
                        return self.error(format!("unrecognized option '--{shown}'"));
                    }
                    [only] => *only,
                    several => {
                        let mut message =
                            format!("option '--{}' is ambiguous; possibilities:", lossy(&body));
                        for &i in several {
                            message.push_str(&format!(" '--{}'", self.table[i].long));
                        }
                        return self.error(message);
                    }
                }
            }
        };
        let inline_value = inline_value.map(bytes_os);
        let full_name = self.table[index].long.clone();
        let value = match (self.table[index].arg, inline_value) {
            (ArgKind::None, Some(_)) => {
                return self.error(format!("option '--{full_name}' doesn't allow an argument"));
            }
            (ArgKind::None, None) => None,
            (_, Some(value)) => Some(value),
            (ArgKind::Optional, None) => None,
            (ArgKind::Required, None) => {
                if self.optind < self.args.len() {
                    self.optind += 1;
                    Some(bytes_os(&self.args[self.optind - 1]))
                } else {
                    return self.error(format!("option '--{full_name}' requires an argument"));
                }
            }
        };
        Some(Event::Opt { index, value })
    }
}

impl Iterator for Scanner<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.finished {
            return None;
        }
        if let Some((ai, off)) = self.cluster {
            return self.short(ai, off);
        }
        loop {
            let ai = self.optind;
            let arg = self.args.get(ai)?;
            if arg.as_ref() == b"--" {
                self.finished = true;
                return None;
            }
            let is_long = arg.starts_with(b"--");
            if arg.first() != Some(&b'-') || arg.len() == 1 {
                if self.posix {
                    self.finished = true;
                    return None;
                }
                self.optind += 1;
                continue;
            }
            self.optind += 1;
            return if is_long {
                self.long(ai)
            } else {
                self.short(ai, 1)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Vec<OptSpec> {
        let spec = |long: &str, short, arg| OptSpec {
            long: long.to_string(),
            short,
            arg,
        };
        vec![
            spec("debug", Some('d'), ArgKind::Required),
            spec("help", Some('h'), ArgKind::None),
            spec("hog", None, ArgKind::None),
            spec("num-calls", None, ArgKind::Required),
            spec("num-conns", None, ArgKind::Required),
            spec("print-reply", None, ArgKind::Optional),
            spec("rate", None, ArgKind::Required),
            spec("server", None, ArgKind::Required),
            spec("server-name", None, ArgKind::Required),
            spec("verbose", Some('v'), ArgKind::None),
            spec("version", Some('V'), ArgKind::None),
        ]
    }

    /// Renders the events of one argv as text, e.g. `rate=10 verbose`.
    fn scan(argv: &[&str]) -> Vec<String> {
        scan_with(argv, false)
    }

    fn scan_with(argv: &[&str], posix: bool) -> Vec<String> {
        let table = table();
        let args: Vec<OsString> = argv.iter().map(OsString::from).collect();
        Scanner::new(&table, &args, posix)
            .map(|event| match event {
                Event::Opt { index, value: None } => table[index].long.clone(),
                Event::Opt {
                    index,
                    value: Some(v),
                } => format!("{}={}", table[index].long, v.to_string_lossy()),
                Event::Error(message) => format!("ERR {message}"),
            })
            .collect()
    }

    #[test]
    fn scanning() {
        let cases: &[(&[&str], &[&str])] = &[
            (&["p"], &[]),
            (&["p", "--rate=10"], &["rate=10"]),
            (&["p", "--rate", "10"], &["rate=10"]),
            (&["p", "--ra", "10"], &["rate=10"]),
            (&["p", "--rate", "-x"], &["rate=-x"]),
            (&["p", "--rate", "--"], &["rate=--"]),
            (&["p", "--rate="], &["rate="]),
            (&["p", "--num-co=5"], &["num-conns=5"]),
            (&["p", "--server=a"], &["server=a"]),
            (&["p", "--server-n=a"], &["server-name=a"]),
            (&["p", "--print-reply"], &["print-reply"]),
            (&["p", "--print-reply", "header"], &["print-reply"]),
            (&["p", "--print-rep=b"], &["print-reply=b"]),
            (&["p", "--print-reply="], &["print-reply="]),
            (&["p", "x", "-v", "y", "--hog"], &["verbose", "hog"]),
            (&["p", "-", "-v"], &["verbose"]),
            (&["p", "-v", "--", "-V"], &["verbose"]),
            (&["p", "-vV"], &["verbose", "version"]),
            (&["p", "-vv"], &["verbose", "verbose"]),
            (&["p", "-d3"], &["debug=3"]),
            (&["p", "-d", "3"], &["debug=3"]),
            (&["p", "-d", "-v"], &["debug=-v"]),
            (&["p", "-dv"], &["debug=v"]),
            (&["p", "-vdV", "-h"], &["verbose", "debug=V", "help"]),
        ];
        for (argv, want) in cases {
            assert_eq!(scan(argv), *want, "{argv:?}");
        }
    }

    #[test]
    fn diagnostics() {
        let cases: &[(&[&str], &[&str])] = &[
            (
                &["./p", "--bogus=3", "-x"],
                &["ERR ./p: unrecognized option '--bogus=3'\n"],
            ),
            (
                &["p", "--num"],
                &["ERR p: option '--num' is ambiguous; possibilities: '--num-calls' '--num-conns'\n"],
            ),
            (
                &["p", "--h=1"],
                &["ERR p: option '--h=1' is ambiguous; possibilities: '--help' '--hog'\n"],
            ),
            (
                &["p", "--ho=1"],
                &["ERR p: option '--hog' doesn't allow an argument\n"],
            ),
            (
                &["p", "--hog="],
                &["ERR p: option '--hog' doesn't allow an argument\n"],
            ),
            (
                &["p", "-v", "--ra"],
                &["verbose", "ERR p: option '--rate' requires an argument\n"],
            ),
            (&["p", "-vx", "-v"], &["verbose", "ERR p: invalid option -- 'x'\n"]),
            (&["p", "-d"], &["ERR p: option requires an argument -- 'd'\n"]),
            (&["p", "-v-"], &["verbose", "ERR p: invalid option -- '-'\n"]),
        ];
        for (argv, want) in cases {
            assert_eq!(scan(argv), *want, "{argv:?}");
        }
        let all = scan(&["p", "--=x"]);
        assert_eq!(all.len(), 1);
        assert!(all[0].starts_with(
            "ERR p: option '--=x' is ambiguous; possibilities: '--debug' '--help' '--hog'"
        ));
    }

    #[test]
    fn posixly_correct_stops_at_the_first_non_option() {
        assert_eq!(
            scan_with(&["p", "-v", "x", "--hog"], true),
            vec!["verbose".to_string()]
        );
        assert_eq!(scan_with(&["p", "-", "--hog"], true), Vec::<String>::new());
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_values_pass_through() {
        use std::os::unix::ffi::OsStringExt;
        let table = table();
        let args = vec![
            OsString::from("p"),
            OsString::from_vec(b"--rate=\xff".to_vec()),
            OsString::from_vec(b"--\xff".to_vec()),
        ];
        let events: Vec<Event> = Scanner::new(&table, &args, false).collect();
        assert_eq!(
            events,
            vec![
                Event::Opt {
                    index: 6,
                    value: Some(OsString::from_vec(b"\xff".to_vec())),
                },
                Event::Error("p: unrecognized option '--\u{fffd}'\n".to_string()),
            ]
        );
    }
}
