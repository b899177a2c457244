//! The command line: one clap `Command` that is the single source of the option
//! table, `--help`, the man page and completions; a getopt_long-compatible
//! scanner over that table; the parameter echo line.
//!
//! clap only *describes* the options here. Parsing is done by [`getopt`],
//! because httperf scripts depend on glibc's exact rules and messages
//! (abbreviations, argument placement, diagnostics), which clap does not
//! reproduce.

pub(crate) mod completions;
mod echo;
pub mod getopt;
mod help;
pub mod man;
pub use crate::config::options;
mod table;
pub(crate) mod values;

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::sync::OnceLock;

pub use crate::output::Exit;

pub use echo::echo_line;
pub use help::{help_text, synopsis};
pub use options::Options;

use getopt::{ArgKind, Event, OptSpec, Scanner};

/// What a successful parse asks the program to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Run a test with these options.
    Run(Box<Options>),
    /// Print this text to stdout and exit 0 (`-h`/`--help`, or the script of
    /// `--generate-completions`).
    Help(String),
}

/// The line `-V`/`--version` prints to stdout (without the newline). In
/// 0.9.0 the run then goes on.
pub fn version_line(program: &str) -> String {
    format!("{program}: httperf-0.9.0 compiled without DEBUG without TIME_SYSCALLS.")
}

/// The clap definition of every option, in the option-table order of
/// upstream master (the order getopt lists ambiguous candidates in), then
/// httperf-rs's own options. Their names start with letters no httperf option
/// starts with, so they change no existing abbreviation or ambiguity message.
pub fn command() -> clap::Command {
    clap::Command::new("httperf-rs")
        .version(env!("CARGO_PKG_VERSION"))
        .about("HTTP performance measurement tool, compatible with httperf 0.9.0")
        .long_about(
            "httperf-rs generates HTTP load against one server and reports connection, \
             request, reply and error statistics when the test ends. It accepts httperf \
             0.9.0's command line and prints the same output, plus the options added by \
             later upstream versions.\n\n\
             Long options may be abbreviated to any unique prefix (--ra for --rate); \
             a prefix that named one option in httperf 0.9.0 still does where later \
             options share it (--add-head is --add-header, not --add-header-file). \
             Values follow an equals sign or come as the next argument (--rate=10, \
             --rate 10); optional values are only taken after an equals sign. Arguments \
             that are not options are ignored; -- ends the options.",
        )
        .disable_help_flag(true)
        .disable_version_flag(true)
        .term_width(100)
        .max_term_width(100)
        .args(table::definitions().into_iter().map(|option| option.arg))
}

/// The getopt table, derived once from [`command`].
fn option_table() -> &'static [OptSpec] {
    static TABLE: OnceLock<Vec<OptSpec>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut cmd = command();
        cmd.build();
        cmd.get_arguments()
            .filter_map(|arg| {
                let long = arg.get_long()?;
                let kind = if !arg.get_action().takes_values() {
                    ArgKind::None
                } else if arg.get_num_args().is_some_and(|n| n.min_values() == 0) {
                    ArgKind::Optional
                } else {
                    ArgKind::Required
                };
                Some(OptSpec {
                    long: long.to_string(),
                    short: arg.get_short(),
                    arg: kind,
                })
            })
            .collect()
    })
}

/// httperf 0.9.0's long options. The later ones upstream master added share
/// prefixes with some of them (`--add-head` could now be `--add-header-file`,
/// `--per` `--periodic-stats`); a prefix unique among these keeps meaning
/// what it meant in 0.9.0.
const OPTIONS_0_9_0: [&str; 39] = [
    "add-header",
    "burst-length",
    "client",
    "close-with-reset",
    "debug",
    "failure-status",
    "help",
    "hog",
    "http-version",
    "max-connections",
    "max-piped-calls",
    "method",
    "no-host-hdr",
    "num-calls",
    "num-conns",
    "period",
    "port",
    "print-reply",
    "print-request",
    "rate",
    "recv-buffer",
    "retry-on-failure",
    "send-buffer",
    "server",
    "server-name",
    "uri",
    "session-cookies",
    "ssl",
    "ssl-ciphers",
    "ssl-no-reuse",
    "think-timeout",
    "timeout",
    "verbose",
    "version",
    "wlog",
    "wsess",
    "wsesslog",
    "wsesspage",
    "wset",
];

/// The number of httperf's options at the start of the table; the rest
/// are httperf-rs's own.
fn httperf_option_count() -> usize {
    option_table()
        .iter()
        .position(|o| o.long == "wset")
        .map_or(0, |wset| wset + 1)
}

/// Parse state besides the options themselves.
struct State {
    options: Options,
    /// stderr lines 0.9.0 would already have printed (the `-d` warning);
    /// they precede any error message.
    stderr_before: String,
    server_given: bool,
}

impl State {
    fn error(&self, body: &str, status: i32) -> Exit {
        Exit {
            message: format!("{}{}: {body}\n", self.stderr_before, self.options.program).into(),
            status,
        }
    }
}

fn check<T>(state: &State, value: Result<T, String>) -> Result<T, Exit> {
    value.map_err(|body| state.error(&body, 1))
}

fn require<T>(state: &State, value: Option<T>, message: String) -> Result<T, Exit> {
    value.ok_or_else(|| state.error(&message, 1))
}

/// Checks made once every option has been read, as httperf does after its
/// option loop.
fn check_combinations(st: &State) -> Result<(), Exit> {
    let o = &st.options;
    if o.session_cookies && !o.has_session_workload() {
        return Err(st.error(
            "--session-cookie requires session-oriented workload (e.g., --wsess)",
            255,
        ));
    }
    if st.server_given && o.servers.is_some() {
        return Err(st.error("--server S or --servers file", 255));
    }
    let workloads = [
        o.wsess.is_some(),
        o.wsesslog.is_some(),
        o.wsesspage.is_some(),
    ];
    if workloads.iter().filter(|&&given| given).count() > 1 {
        // 0.9.0 accepts this and then dies on an internal limit or mixes the
        // two generators; reject it up front instead.
        return Err(st.error(
            "only one of --wsess, --wsesslog and --wsesspage may be given",
            1,
        ));
    }
    Ok(())
}

/// The basename of `argv[0]`, which prefixes httperf's own messages.
pub fn program_name(args: &[OsString]) -> String {
    let Some(argv0) = args.first() else {
        return "httperf".to_string();
    };
    let full = argv0.to_string_lossy();
    full.rsplit('/').next().unwrap_or_default().to_string()
}

/// httperf-rs's own options that change what is sent or when. The echo line
/// leaves them out (it stays httperf's), so they are recorded as given for
/// the results, where `merge` compares them between shards.
const WORKLOAD_OPTIONS: &[&str] = &[
    "schedule",
    "seed",
    "think-jitter",
    "ammo",
    "ammo-format",
    "ammo-loop",
    "websocket",
    "ws-messages",
    "ws-message-size",
    "ws-low-watermark",
];

/// `--NAME=VALUE` (or `--NAME` for a flag), the value's bytes as given.
fn option_as_given(long: &str, value: Option<&OsString>) -> Vec<u8> {
    let mut given = format!("--{long}").into_bytes();
    if let Some(value) = value {
        given.push(b'=');
        given.extend_from_slice(value.as_bytes());
    }
    given
}

/// Parses argv (`argv[0]` included) with getopt_long semantics.
pub fn parse(args: Vec<OsString>) -> Result<Parsed, Exit> {
    let program = program_name(&args);
    let mut st = State {
        options: Options::defaults(&program),
        stderr_before: String::new(),
        server_given: false,
    };
    match scan(&args, &mut st) {
        Ok(Some(done)) => Ok(done),
        Ok(None) => Ok(Parsed::Run(Box::new(st.options))),
        Err(exit) => {
            // 0.9.0 prints the version line as it reads each -V, so an error
            // found later comes after it.
            for _ in 0..st.options.version_lines {
                crate::output::print_bytes(format!("{}\n", version_line(&program)).as_bytes());
            }
            Err(exit)
        }
    }
}

/// Applies every option of `args` to `st`, then checks their combinations.
/// `Some` when an option decided the outcome (`--help`, completions).
fn scan(args: &[OsString], st: &mut State) -> Result<Option<Parsed>, Exit> {
    let posix = std::env::var_os("POSIXLY_CORRECT").is_some();
    let table = option_table();
    let definitions = table::definitions();
    let scanner = Scanner::new(table, args, posix)
        .own_options_from(httperf_option_count())
        .first_release_options(&OPTIONS_0_9_0);
    for event in scanner {
        match event {
            Event::Opt { index, value } => {
                let apply = definitions[index].apply;
                let long = table[index].long.as_str();
                if WORKLOAD_OPTIONS.contains(&long) {
                    st.options
                        .workload_options
                        .push(option_as_given(long, value.as_ref()));
                }
                if let Some(done) = apply(st, &table::Value::new(value))? {
                    return Ok(Some(done));
                }
            }
            Event::Error(message) => {
                return Err(Exit::failure(format!("{}{message}", st.stderr_before)));
            }
        }
    }
    check_combinations(st)?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn the_table_is_masters_order_with_its_short_options() {
        let names: Vec<&str> = option_table().iter().map(|o| o.long.as_str()).collect();
        let master = "add-header add-header-file burst-length client close-with-reset debug \
            failure-status help hog http-version max-connections max-piped-calls method myaddr \
            no-host-hdr num-calls num-conns period port print-reply print-request rate \
            recv-buffer retry-on-failure runtime send-buffer server server-name servers uri \
            session-cookies ssl ssl-ciphers tls-server-name ssl-no-reuse ssl-certificate ssl-key \
            ssl-verify ssl-ca-file ssl-ca-path ssl-protocol think-timeout timeout use-timer-cache \
            verbose version periodic-stats wlog wsess wsesslog wsesspage wset \
            generate-completions percentiles json log-requests self-check progress \
            workers start-at worker-shards schedule seed think-jitter ammo ammo-format \
            ammo-loop websocket ws-messages ws-message-size ws-low-watermark";
        assert_eq!(names, master.split_whitespace().collect::<Vec<_>>());
        let shorts: Vec<(char, &str)> = option_table()
            .iter()
            .filter_map(|o| Some((o.short?, o.long.as_str())))
            .collect();
        assert_eq!(
            shorts,
            [
                ('d', "debug"),
                ('h', "help"),
                ('v', "verbose"),
                ('V', "version"),
                ('n', "periodic-stats")
            ]
        );
        let optional: Vec<&str> = option_table()
            .iter()
            .filter(|o| o.arg == ArgKind::Optional)
            .map(|o| o.long.as_str())
            .collect();
        assert_eq!(
            optional,
            ["print-reply", "print-request", "ssl-verify", "percentiles"]
        );
    }

    #[test]
    fn own_options_change_no_abbreviation_of_httperfs() {
        // Every prefix of every option name, scanned with httperf's options
        // alone and with the whole table, must mean the same httperf option
        // or give the same message: own options only take prefixes that
        // match no httperf option.
        let table = option_table();
        let split = httperf_option_count();
        assert_eq!(table[split - 1].long, "wset");
        let httperf = &table[..split];
        let scan = |table: &[OptSpec], own_from: usize, arg: &str| -> String {
            let args = vec![OsString::from("p"), OsString::from(arg)];
            let mut scanner = Scanner::new(table, &args, false).own_options_from(own_from);
            match scanner.next() {
                Some(Event::Opt { index, .. }) => table[index].long.clone(),
                Some(Event::Error(message)) => message,
                None => String::new(),
            }
        };
        for option in table {
            for end in 1..=option.long.len() {
                let arg = format!("--{}=1", &option.long[..end]);
                let alone = scan(httperf, usize::MAX, &arg);
                let whole = scan(table, split, &arg);
                if alone.starts_with("p: unrecognized option") {
                    // Only a prefix no httperf option has may reach an own one.
                    let reaches_own = table[split..]
                        .iter()
                        .any(|o| whole == o.long || whole.contains(&format!("'--{}'", o.long)));
                    assert!(
                        reaches_own || whole == alone,
                        "{arg}: {alone} became {whole}"
                    );
                } else {
                    assert_eq!(alone, whole, "{arg} changed meaning");
                }
            }
        }
        assert_eq!(scan(table, split, "--perc"), "percentiles");
        assert_eq!(scan(table, split, "--self"), "self-check");
        assert_eq!(scan(table, split, "--pro"), "progress");
    }

    #[test]
    fn abbreviations_of_0_9_0_options_keep_their_meaning() {
        // Master's later options share prefixes with 0.9.0's: a prefix that
        // named one option in 0.9.0 still does, and prefixes that only
        // master's options have still reach them.
        let table = option_table();
        let first = |arg: &str| -> String {
            let args = vec![
                OsString::from("p"),
                OsString::from(arg),
                OsString::from("1"),
            ];
            let mut scanner = Scanner::new(table, &args, false)
                .own_options_from(httperf_option_count())
                .first_release_options(&OPTIONS_0_9_0);
            match scanner.next() {
                Some(Event::Opt { index, .. }) => table[index].long.clone(),
                Some(Event::Error(message)) => message,
                None => String::new(),
            }
        };
        for name in OPTIONS_0_9_0 {
            assert!(table.iter().any(|o| o.long == name), "{name}");
            for end in 1..=name.len() {
                let prefix = &name[..end];
                let mut meant: Vec<&str> = OPTIONS_0_9_0
                    .iter()
                    .copied()
                    .filter(|o| o.starts_with(prefix))
                    .collect();
                if meant.contains(&prefix) {
                    meant = vec![prefix];
                }
                if let [only] = meant.as_slice() {
                    assert_eq!(first(&format!("--{prefix}")), *only, "--{prefix}");
                }
            }
        }
        assert_eq!(first("--add-head"), "add-header");
        assert_eq!(first("--per"), "period");
        assert_eq!(first("--ssl-c"), "ssl-ciphers");
        assert_eq!(first("--u"), "uri");
        assert_eq!(first("--add-header-f"), "add-header-file");
        assert_eq!(first("--periodic"), "periodic-stats");
        assert_eq!(first("--us"), "use-timer-cache");
        assert_eq!(
            first("--ssl-ca"),
            "p: option '--ssl-ca' is ambiguous; possibilities: '--ssl-ca-file' '--ssl-ca-path'\n"
        );
        assert!(first("--ser").contains("'--server' '--server-name' '--servers'"));
    }

    #[test]
    fn completions_print_a_script_and_reject_other_shells() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        for shell in completions::SHELLS {
            let parsed = parse(args(&["/usr/bin/httperf", "--gen", shell, "--bogus"]));
            let Ok(Parsed::Help(script)) = parsed else {
                panic!("{shell}: {parsed:?}");
            };
            assert_eq!(Some(script), completions::script(shell, "httperf"));
        }
        let parsed = parse(args(&["httperf-rs", "--generate-completions=tcsh"]));
        assert_eq!(
            parsed,
            Err(Exit::failure(
                "httperf-rs: illegal completion shell tcsh (use bash, zsh or fish)\n"
            ))
        );
    }

    #[test]
    fn the_getopt_table_and_the_definitions_share_their_order() {
        let definitions = table::definitions();
        assert_eq!(option_table().len(), definitions.len());
        for (spec, definition) in option_table().iter().zip(&definitions) {
            assert_eq!(Some(spec.long.as_str()), definition.arg.get_long());
        }
    }

    #[test]
    fn every_option_in_the_table_is_handled() {
        let definitions = table::definitions();
        for (spec, definition) in option_table().iter().zip(&definitions) {
            let mut st = State {
                options: Options::defaults("httperf"),
                stderr_before: String::new(),
                server_given: false,
            };
            let value = match spec.long.as_str() {
                "client" => "0/1",
                "period" => "1",
                "ssl-protocol" => "auto",
                "ssl-verify" => "yes",
                "wsess" | "wsesspage" => "1,1,0",
                "wsesslog" => "1,0,f",
                "wset" => "1,0",
                "http-version" => "1.0",
                "generate-completions" => "bash",
                "percentiles" => "50,99",
                "schedule" => "const(1,1s)",
                "think-jitter" => "exp",
                "ammo-format" => "uri",
                _ => "1",
            };
            let value = (spec.arg != ArgKind::None).then(|| OsString::from(value));
            assert!(
                (definition.apply)(&mut st, &table::Value::new(value)).is_ok(),
                "--{} is not handled",
                spec.long
            );
        }
    }

    #[test]
    fn workload_options_are_recorded_as_given() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        for name in WORKLOAD_OPTIONS {
            assert!(option_table().iter().any(|o| o.long == *name), "--{name}");
        }
        let parsed = parse(args(&[
            "httperf-rs",
            "--seed",
            "7",
            "--websocket",
            "--num-conns=1",
            "--schedule=const(1,1s)",
        ]));
        let Ok(Parsed::Run(options)) = parsed else {
            panic!("{parsed:?}");
        };
        let given: Vec<&[u8]> = options.workload_options.iter().map(Vec::as_slice).collect();
        assert_eq!(
            given,
            [&b"--seed=7"[..], b"--websocket", b"--schedule=const(1,1s)"]
        );
        let plain = parse(args(&["httperf-rs", "--num-conns=1"]));
        let Ok(Parsed::Run(options)) = plain else {
            panic!("{plain:?}");
        };
        assert!(options.workload_options.is_empty());
    }

    #[test]
    fn every_option_has_help_and_a_value_name() {
        let mut cmd = command();
        cmd.build();
        for arg in cmd.get_arguments() {
            let id = arg.get_id();
            assert!(arg.get_help().is_some(), "{id} has no help");
            assert!(arg.get_long_help().is_some(), "{id} has no long help");
            if arg.get_action().takes_values() {
                assert!(arg.get_value_names().is_some(), "{id} has no value name");
                if arg.get_num_args().is_some_and(|n| n.min_values() == 0) {
                    assert!(arg.is_require_equals_set(), "{id} must require '='");
                }
            }
        }
    }
}
