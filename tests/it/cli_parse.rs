//! `httperf_rs::cli::parse` and `echo_line` on whole command lines. Expected
//! messages and echo lines were checked against the real httperf 0.9.0
//! (/usr/bin/httperf, Debian 0.9.0-9) unless a comment says otherwise.
//!
//! Ambiguity lists: our option table is upstream master's, which has more
//! long options than 0.9.0's, so a prefix can match more candidates than it
//! does in 0.9.0 (`--ser` also lists `--servers`, `--t` also lists
//! `--tls-server-name`). Those lists legitimately differ from 0.9.0's; the
//! order is master's table order.

use std::ffi::OsString;

use httperf_rs::cli::options::{Interarrival, PrintParts, SslProtocol};
use httperf_rs::cli::{self, Options, Parsed};
use httperf_rs::output::Exit;

fn argv(args: &[&str]) -> Vec<OsString> {
    std::iter::once("httperf")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect()
}

fn run(args: &[&str]) -> Options {
    match cli::parse(argv(args)) {
        Ok(Parsed::Run(options)) => *options,
        other => panic!("{args:?}: expected a run, got {other:?}"),
    }
}

fn err(args: &[&str]) -> Exit {
    match cli::parse(argv(args)) {
        Err(e) => e,
        other => panic!("{args:?}: expected an error, got {other:?}"),
    }
}

fn echo(args: &[&str]) -> String {
    String::from_utf8(cli::echo_line(&run(args))).expect("UTF-8 arguments echo as UTF-8")
}

/// (argv, message, exit status)
fn check_errors(cases: &[(&[&str], &str, i32)]) {
    for &(args, message, status) in cases {
        assert_eq!(
            err(args),
            Exit {
                message: message.into(),
                status
            },
            "{args:?}"
        );
    }
}

#[test]
fn abbreviations_and_value_forms() {
    assert_eq!(run(&["--ra", "10"]).rate.rate_per_s, 10.0);
    assert_eq!(run(&["--rate=10"]).rate.rate_per_s, 10.0);
    assert_eq!(run(&["--num-co", "5"]).num_conns, 5);
    assert_eq!(run(&["--num-ca=7"]).num_calls, 7);
    assert_eq!(
        run(&["--print-rep=h"]).print_reply,
        Some(PrintParts::Header)
    );
    // Exact matches win over longer names.
    assert_eq!(run(&["--server", "a"]).server, b"a");
    assert!(run(&["--wsess=1,1,0"]).wsess.is_some());
    assert!(run(&["--ssl"]).ssl);
    // The next argument is taken verbatim, even if it looks like an option.
    assert_eq!(run(&["--uri", "-x"]).uri, b"-x");
    assert_eq!(run(&["--uri", "--rate=x"]).uri, b"--rate=x");
    // Last occurrence wins.
    assert_eq!(run(&["--uri=/a", "--uri=/b"]).uri, b"/b");
}

#[test]
fn ambiguous_prefixes_list_candidates_in_table_order() {
    check_errors(&[
        (
            &["--ser"],
            "httperf: option '--ser' is ambiguous; possibilities: '--server' '--server-name' '--servers'\n",
            1,
        ),
        (
            &["--se"],
            "httperf: option '--se' is ambiguous; possibilities: '--send-buffer' '--server' \
             '--server-name' '--servers' '--session-cookies'\n",
            1,
        ),
        (
            &["--t"],
            "httperf: option '--t' is ambiguous; possibilities: '--tls-server-name' \
             '--think-timeout' '--timeout'\n",
            1,
        ),
        // Same lists as 0.9.0 from here on.
        (
            &["--h"],
            "httperf: option '--h' is ambiguous; possibilities: '--help' '--hog' '--http-version'\n",
            1,
        ),
        (
            &["--ws=1,2,3"],
            "httperf: option '--ws=1,2,3' is ambiguous; possibilities: '--wsess' '--wsesslog' \
             '--wsesspage' '--wset'\n",
            1,
        ),
        (
            &["--ws"],
            "httperf: option '--ws' is ambiguous; possibilities: '--wsess' '--wsesslog' \
             '--wsesspage' '--wset'\n",
            1,
        ),
        (
            &["--num"],
            "httperf: option '--num' is ambiguous; possibilities: '--num-calls' '--num-conns'\n",
            1,
        ),
    ]);
}

#[test]
fn getopt_diagnostics() {
    check_errors(&[
        (
            &["--bogus=3"],
            "httperf: unrecognized option '--bogus=3'\n",
            1,
        ),
        (
            &["--ho=1"],
            "httperf: option '--hog' doesn't allow an argument\n",
            1,
        ),
        (
            &["--hog="],
            "httperf: option '--hog' doesn't allow an argument\n",
            1,
        ),
        (
            &["--verbose=2"],
            "httperf: option '--verbose' doesn't allow an argument\n",
            1,
        ),
        (
            &["--rate"],
            "httperf: option '--rate' requires an argument\n",
            1,
        ),
        (
            &["--ra"],
            "httperf: option '--rate' requires an argument\n",
            1,
        ),
        (&["-x"], "httperf: invalid option -- 'x'\n", 1),
        (&["-vx"], "httperf: invalid option -- 'x'\n", 1),
        (&["-d"], "httperf: option requires an argument -- 'd'\n", 1),
        // The first bad option wins; later ones are never looked at.
        (
            &["--rate=x", "--bogus"],
            "httperf: illegal request rate x\n",
            1,
        ),
    ]);
}

#[test]
fn getopt_messages_use_argv0_verbatim_and_httperf_messages_its_basename() {
    let with_argv0 = |argv0: &str, arg: &str| {
        cli::parse(vec![OsString::from(argv0), OsString::from(arg)]).unwrap_err()
    };
    assert_eq!(
        with_argv0("./httperf", "--bogus").text(),
        "./httperf: unrecognized option '--bogus'\n"
    );
    assert_eq!(
        with_argv0("/usr/bin/httperf", "-x").text(),
        "/usr/bin/httperf: invalid option -- 'x'\n"
    );
    assert_eq!(
        with_argv0("/usr/bin/httperf", "--rate=x").text(),
        "httperf: illegal request rate x\n"
    );
    let options = match cli::parse(vec![OsString::from("/opt/bin/httperf-rs")]) {
        Ok(Parsed::Run(o)) => o,
        other => panic!("{other:?}"),
    };
    assert_eq!(options.program, "httperf-rs");
}

#[test]
fn short_options() {
    let o = run(&["-d12"]);
    assert_eq!(o.debug, 12);
    assert_eq!(o.verbose, 0);
    let o = run(&["-vV"]);
    assert_eq!((o.verbose, o.version_lines), (1, 1));
    assert_eq!(run(&["-vv", "-v"]).verbose, 3);
    assert_eq!(run(&["-d3"]).debug, 3);
    assert_eq!(run(&["-d", "3"]).debug, 3);
    assert_eq!(run(&["--debug= 3"]).debug, 3);
    assert!(run(&["-n"]).periodic_stats);
}

#[test]
fn non_options_are_ignored_and_double_dash_ends_options() {
    let o = run(&["--print-reply", "header"]);
    assert_eq!(o.print_reply, Some(PrintParts::HeaderAndBody));
    assert_eq!(
        run(&["--print-reply=b"]).print_reply,
        Some(PrintParts::Body)
    );
    assert_eq!(
        run(&["--print-request=header"]).print_request,
        Some(PrintParts::Header)
    );
    assert!(run(&["x", "y", "-", "--hog"]).hog);
    let o = run(&["--hog", "--", "--rate=x", "-x"]);
    assert!(o.hog);
    assert_eq!(o.rate.rate_per_s, 0.0);
}

#[test]
fn debug_levels_are_parsed_like_a_debug_build_of_httperf() {
    // httperf-rs implements --debug, so it validates the level as httperf
    // built with DEBUG does, instead of 0.9.0's "sorry, need to recompile".
    check_errors(&[
        (&["-dv", "--rate=x"], "httperf: illegal debug level v\n", 1),
        (&["-d", "-v"], "httperf: illegal debug level -v\n", 1),
        (
            &["--debug=3", "--bogus"],
            "httperf: unrecognized option '--bogus'\n",
            1,
        ),
    ]);
}

#[test]
fn help_is_returned_when_reached() {
    let help = cli::help_text("httperf");
    assert_eq!(
        cli::parse(argv(&["-h", "-x"])),
        Ok(Parsed::Help(help.clone()))
    );
    assert_eq!(
        cli::parse(argv(&["--he", "--rate=x"])),
        Ok(Parsed::Help(help.clone()))
    );
    assert_eq!(
        err(&["-x", "-h"]).text(),
        "httperf: invalid option -- 'x'\n"
    );
    // 0.9.0 prints the version line of an earlier -V before the usage.
    assert_eq!(
        cli::parse(argv(&["-V", "-h"])),
        Ok(Parsed::Help(format!(
            "httperf: httperf-0.9.0 compiled without DEBUG without TIME_SYSCALLS.\n{help}"
        )))
    );
    assert!(help.starts_with("Usage: httperf [-hdvV] [--add-header S]"));
}

#[test]
fn version_does_not_stop_the_run() {
    let o = run(&["-V", "--hog"]);
    assert!(o.version_lines == 1 && o.hog);
    assert_eq!(
        cli::version_line("httperf"),
        "httperf: httperf-0.9.0 compiled without DEBUG without TIME_SYSCALLS."
    );
}

#[test]
fn each_version_line_is_printed_before_what_follows_it() {
    // 0.9.0 prints a line for each -V as it reads it: before the test, and
    // before the message of a bad option that comes later.
    let line = "httperf-rs: httperf-0.9.0 compiled without DEBUG without TIME_SYSCALLS.\n";
    let limit = std::time::Duration::from_secs(30);
    let bad = crate::support::run_binary(&["-V", "-V", "--rate=x"], limit);
    assert_eq!(bad.stdout, line.repeat(2));
    assert_eq!(bad.stderr, "httperf-rs: illegal request rate x\n");
    assert_eq!(bad.status, 1);
    let before = crate::support::run_binary(&["--rate=x", "-V"], limit);
    assert_eq!((before.stdout.as_str(), before.status), ("", 1));
    let port = crate::support::closed_port().to_string();
    let ran = crate::support::run_binary(
        &[
            "-V",
            "--server=127.0.0.1",
            "--port",
            &port,
            "--num-conns=1",
            "-V",
        ],
        limit,
    );
    assert_eq!(ran.status, 0, "{}", ran.stderr);
    assert!(ran
        .stdout
        .starts_with(&format!("{line}{line}httperf-rs --client=0/1")));
}

#[test]
fn checks_after_the_option_loop() {
    check_errors(&[
        (
            &["--session-cookies"],
            "httperf: --session-cookie requires session-oriented workload (e.g., --wsess)\n",
            255,
        ),
        // Master's rule; the order of the two options does not matter.
        (
            &["--servers=list", "--server=a"],
            "httperf: --server S or --servers file\n",
            255,
        ),
        (
            &["--server=localhost", "--servers", "list"],
            "httperf: --server S or --servers file\n",
            255,
        ),
        // 0.9.0 dies on an internal limit here; we reject it explicitly.
        (
            &["--wsess=1,1,0", "--wsesslog=1,0,f"],
            "httperf: only one of --wsess, --wsesslog and --wsesspage may be given\n",
            1,
        ),
        (
            &["--wsesspage=1,1,0", "--wsess=1,1,0"],
            "httperf: only one of --wsess, --wsesslog and --wsesspage may be given\n",
            1,
        ),
    ]);
    assert!(run(&["--session-cookies", "--wsesslog=1,0,f"]).session_cookies);
    // The same workload option twice: the last one wins.
    assert_eq!(
        run(&["--wsess=1,1,0", "--wsess=2,3,4"])
            .wsess
            .map(|s| s.sessions),
        Some(2)
    );
}

#[test]
fn option_value_errors() {
    check_errors(&[
        (&["--burst-length=0"], "httperf: illegal burst-length 0\n", 1),
        (
            &["--burst-length=4294967296"],
            "httperf: illegal burst-length 4294967296\n",
            1,
        ),
        (&["--client=1/1"], "httperf: bad number of clients (rest: `1')\n", 1),
        (
            &["--client=1"],
            "httperf: client id not followed by `/' (rest: `')\n",
            1,
        ),
        (&["--client=x"], "httperf: bad client id (rest: `x')\n", 1),
        (&["--failure-status=0"], "httperf: illegal failure status 0\n", 1),
        (
            &["--failure-status=2147483648"],
            "httperf: illegal failure status 2147483648\n",
            1,
        ),
        (&["--http-version=1"], "httperf: illegal version number 1\n", 1),
        (
            &["--max-connections=-1"],
            "httperf: illegal max. # of connection -1\n",
            1,
        ),
        (
            &["--max-piped-calls="],
            "httperf: illegal max. # of piped calls \n",
            1,
        ),
        (&["--num-calls=1x"], "httperf: illegal number of calls 1x\n", 1),
        (
            &["--num-conns=x"],
            "httperf: illegal number of connections x\n",
            1,
        ),
        (
            &["--period=v1,2x"],
            "httperf: illegal duration 2x\n",
            1,
        ),
        (
            &["--period=x5"],
            "httperf: illegal interarrival distribution 'x' in x5\n",
            1,
        ),
        (&["--port=65536"], "httperf: illegal port number 65536\n", 1),
        (&["--port=-1"], "httperf: illegal port number -1\n", 1),
        (&["--rate=1e999"], "httperf: illegal request rate 1e999\n", 1),
        (&["--rate="], "httperf: illegal request rate \n", 1),
        (&["--rate=2.5 "], "httperf: illegal request rate 2.5 \n", 1),
        (
            &["--recv-buffer=x"],
            "httperf: illegal receive buffer size x\n",
            1,
        ),
        (&["--send-buffer=x"], "httperf: illegal send buffer size x\n", 1),
        (
            &["--think-timeout=x"],
            "httperf: illegal think timeout value x\n",
            1,
        ),
        (&["--timeout=x"], "httperf: illegal connect timeout x\n", 1),
        (
            &["--wsess=1,2,1e999"],
            "httperf: bad user think time (3rd param) in --wsess arg (rest: `'): Numerical result out of range\n",
            1,
        ),
        (
            &["--wsesslog=1,2,f,g"],
            "httperf: extraneous parameter in --wsesslog arg (rest: `g')\n",
            1,
        ),
        (
            &["--wsesspage=1,x"],
            "httperf: bad number of user requests per session (2nd param) in --wsesspage arg (rest: `x')\n",
            1,
        ),
        (
            &["--wset=99999999999999999999,0.5"],
            "httperf: bad working set size (1st parameter) in --wset arg (rest: \
             `99999999999999999999,0.5'): Numerical result out of range\n",
            1,
        ),
        // Master-only options (no 0.9.0 to compare with).
        (&["--runtime=0"], "httperf: illegal runtime value 0\n", 1),
        (
            &["--ssl-protocol=TLSv9"],
            "httperf: illegal SSL protocol TLSv9\n",
            1,
        ),
        (
            &["--ssl-verify=maybe"],
            "httperf: illegal --ssl-verify value maybe (expected yes or no)\n",
            1,
        ),
    ]);
}

#[test]
fn integers_are_stored_as_0_9_0_stores_them() {
    let o = run(&[
        "--num-conns=-1",
        "--num-calls=4294967297",
        "--send-buffer=-1",
    ]);
    assert_eq!((o.num_conns, o.num_calls, o.send_buffer), (-1, 1, -1));
    assert_eq!(run(&["--recv-buffer=99999999999"]).recv_buffer, 1215752191);
    assert_eq!(run(&["--port=4294967376"]).port, 80);
    assert_eq!(run(&["--failure-status=4294967297"]).failure_status, 1);
    let o = run(&["--client=0x1/010"]);
    assert_eq!((o.client_id, o.num_clients), (1, 8));
    assert_eq!(run(&["--http-version=65537.0"]).http_version, (1, 0));
}

#[test]
fn rate_and_period() {
    let o = run(&["--period=e0.5", "--rate=4"]);
    assert_eq!(
        o.rate.interarrival,
        Interarrival::Deterministic { iat_s: 0.25 }
    );
    let o = run(&["--rate=4", "--period=u1,3"]);
    assert_eq!(
        o.rate.interarrival,
        Interarrival::Uniform {
            min_s: 1.0,
            max_s: 3.0
        }
    );
    assert_eq!(o.rate.rate_per_s, 0.5);
}

#[test]
fn master_options() {
    let o = run(&[
        "--myaddr=10.0.0.1",
        "--myaddr",
        "10.0.0.2-10.0.0.9",
        "--runtime=1.5",
        "--tls-server-name=example.org",
        "--ssl-protocol=tlsv1_2",
        "--ssl-verify",
        "--use-timer-cache",
        "--add-header-file=h.txt",
    ]);
    assert_eq!(o.myaddr, [&b"10.0.0.1"[..], b"10.0.0.2-10.0.0.9"]);
    assert_eq!(o.runtime_s, 1.5);
    assert_eq!(o.tls_server_name.as_deref(), Some(&b"example.org"[..]));
    assert_eq!(o.ssl_protocol, Some(SslProtocol::TlsV1_2));
    assert!(o.ssl && o.ssl_verify && o.use_timer_cache);
    assert_eq!(o.effective_port(), 443);
    assert!(!run(&["--ssl-verify=no"]).ssl_verify);
    // --ssl-verify's value is optional: only the '=' form gives one.
    assert!(run(&["--ssl-verify", "no"]).ssl_verify);
}

#[cfg(unix)]
#[test]
fn non_utf8_arguments_do_not_panic() {
    use std::os::unix::ffi::OsStringExt;
    let raw = |b: &[u8]| OsString::from_vec(b.to_vec());
    let args = vec![
        raw(b"http\xffperf"),
        raw(b"--uri=/\xff"),
        raw(b"--ssl-key=k\xfe"),
        raw(b"\xff"),
    ];
    let o = match cli::parse(args) {
        Ok(Parsed::Run(o)) => o,
        other => panic!("{other:?}"),
    };
    assert_eq!(o.uri, b"/\xff");
    assert_eq!(o.ssl_key.map(|p| p.into_os_string()), Some(raw(b"k\xfe")));
    for bad in [
        &b"--rate=\xff"[..],
        b"--\xff",
        b"-\xff",
        b"--period=\xff1",
        b"--client=\xff",
    ] {
        let e = cli::parse(vec![raw(b"httperf"), raw(bad)]).unwrap_err();
        assert!(e.message.ends_with(b"\n") && e.status == 1, "{e:?}");
    }
}

#[test]
fn echo_of_the_default_run() {
    assert_eq!(
        echo(&[]),
        "httperf --client=0/1 --server=localhost --port=80 --uri=/ --send-buffer=4096 \
         --recv-buffer=16384 --num-conns=1 --num-calls=1"
    );
}

#[test]
fn echo_of_the_verified_example() {
    let args = [
        "--verbose",
        "--print-reply=header",
        "--print-request=body",
        "--hog",
        "--close-with-reset",
        "--think-timeout=1.5",
        "--timeout=2",
        "--client=1/4",
        "--server=127.0.0.1",
        "--server-name=foo",
        "--port=8080",
        "--uri=/x",
        "--failure-status=500",
        "--http-version=1.0",
        "--max-connections=2",
        "--max-piped-calls=2",
        "--period=u0.1,0.2",
        "--send-buffer=1000",
        "--retry-on-failure",
        "--recv-buffer=2000",
        "--session-cookies",
        "--ssl-ciphers=ALL",
        "--ssl-no-reuse",
        "--add-header=A: b\\n",
        "--method=GET",
        "--wsess=1,1,0",
        "--burst-length=3",
        "--wset=10,0.25",
    ];
    assert_eq!(
        echo(&args),
        "httperf --verbose --print-reply=header --print-request=body --hog --close-with-reset \
         --think-timeout=1.5 --timeout=2 --client=1/4 --server=127.0.0.1 --server_name=foo \
         --port=8080 --uri=/x --failure-status=500 --http-version=1.0 --max-connections=2 \
         --max-piped-calls=2 --period=u0.1,0.2 --send-buffer=1000 --retry-on-failure \
         --recv-buffer=2000 --session-cookies --ssl-ciphers=ALL --ssl-no-reuse \
         --add-header='A: b\\n' --method=GET --wsess=1,1,0.000 --burst-length=3 --wset=10,0.250"
    );
}

/// Echo items of single options, from `--uri` on.
#[test]
fn echo_items() {
    let tail = |args: &[&str]| {
        let mut all = vec!["--server=127.0.0.1", "--port=1"];
        all.extend_from_slice(args);
        echo(&all)
    };
    let cases: &[(&[&str], &str)] = &[
        (
            &["--period=0.3"],
            "--uri=/ --rate=3.33333 --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--period=d0.25"],
            "--uri=/ --rate=4 --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--period=e0.01"],
            "--uri=/ --period=e0.01 --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--period=U1,3"],
            "--uri=/ --period=u1,3 --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--period=0"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--period=dnan"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--rate=inf"],
            "--uri=/ --rate=inf --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--rate=-1"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--rate=0x1p-3"],
            "--uri=/ --rate=0.125 --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--timeout=1e-5", "--think-timeout=123456789"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--num-conns=-1", "--send-buffer=-1", "--recv-buffer=99999999999"],
            "--uri=/ --send-buffer=-1 --recv-buffer=1215752191 --num-conns=-1 --num-calls=1",
        ),
        (
            &["--failure-status=4294967297", "--max-connections=2147483647"],
            "--uri=/ --failure-status=1 --max-connections=2147483647 --send-buffer=4096 \
             --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--http-version=1.65537"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--wsess=1,1,nan"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --wsess=1,1,nan",
        ),
        (
            &["--wsess=1,1,-0"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --wsess=1,1,-0.000",
        ),
        (
            &["--wsess=0,1,0", "--burst-length=2"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1 --burst-length=2",
        ),
        (
            &["--wsesspage=1,1,0", "--burst-length=2", "--wset=5,0.5"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --wsesspage=1,1,0.000",
        ),
        (
            &["--wsesslog=1,0,/f", "--burst-length=2", "--wset=5,0.5"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --wsesslog=1,0.000,/f",
        ),
        (
            &["--wsesslog=1,2,"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --wsesslog=1,2.000,",
        ),
        (
            &["--wset=0,0.5"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--wset=1,nan"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1 --wset=1,nan",
        ),
        (
            &["--print-reply=", "-vvv", "--no-host-hdr", "--wlog=y,f", "-d1", "-V"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1",
        ),
        (
            &["--uri=", "--server-name=", "--ssl-ciphers=", "--add-header=x'y\\n"],
            "--uri= --send-buffer=4096 --recv-buffer=16384 --ssl-ciphers= --add-header='x'y\\n' \
             --num-conns=1 --num-calls=1",
        ),
        (
            &["--method=HEAD"],
            "--uri=/ --send-buffer=4096 --recv-buffer=16384 --method=HEAD --num-conns=1 --num-calls=1",
        ),
    ];
    for (args, want) in cases {
        let line = tail(args);
        // Items before --uri are checked separately below.
        let got = line.find(" --uri").map(|i| &line[i + 1..]);
        assert_eq!(got, Some(*want), "{args:?}: {line}");
    }
    assert_eq!(
        tail(&["--timeout=1e-5", "--think-timeout=123456789"]),
        "httperf --think-timeout=1.23457e+08 --timeout=1e-05 --client=0/1 --server=127.0.0.1 \
         --port=1 --uri=/ --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1"
    );
    assert_eq!(
        tail(&[
            "--print-reply=",
            "-vvv",
            "--no-host-hdr",
            "--wlog=y,f",
            "-d1",
            "-V"
        ]),
        "httperf --verbose --print-reply --client=0/1 --server=127.0.0.1 --port=1 --uri=/ \
         --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1"
    );
    assert_eq!(
        tail(&["--server-name="]),
        "httperf --client=0/1 --server=127.0.0.1 --server_name= --port=1 --uri=/ \
         --send-buffer=4096 --recv-buffer=16384 --num-conns=1 --num-calls=1"
    );
}

#[test]
fn echo_of_ports() {
    assert_eq!(
        echo(&["--port=0"]),
        "httperf --client=0/1 --server=localhost --uri=/ --send-buffer=4096 --recv-buffer=16384 \
         --num-conns=1 --num-calls=1"
    );
    assert_eq!(
        echo(&["--port=4294967376"]),
        "httperf --client=0/1 --server=localhost --port=80 --uri=/ --send-buffer=4096 \
         --recv-buffer=16384 --num-conns=1 --num-calls=1"
    );
    assert_eq!(
        echo(&["--ssl"]),
        "httperf --client=0/1 --server=localhost --port=443 --uri=/ --send-buffer=4096 \
         --recv-buffer=16384 --ssl --num-conns=1 --num-calls=1"
    );
    assert_eq!(
        echo(&["--port=0", "--ssl"]),
        "httperf --client=0/1 --server=localhost --uri=/ --send-buffer=4096 --recv-buffer=16384 \
         --ssl --num-conns=1 --num-calls=1"
    );
}

/// Master items appear only when their options are given (no 0.9.0 to
/// compare with; order of docs/behaviour.md#echo-line).
#[test]
fn echo_of_master_options() {
    assert_eq!(
        echo(&[
            "-n",
            "--use-timer-cache",
            "--runtime=2.5",
            "--servers=hosts",
            "--period=v0.1,2,0.5,3",
            "--ssl-protocol=TLSv1",
            "--tls-server-name=sni",
            "--ssl-certificate=c.pem",
            "--ssl-key=k.pem",
            "--ssl-ca-file=ca.pem",
            "--ssl-ca-path=/etc/ssl",
            "--ssl-verify=yes",
            "--add-header=X: 1\\n",
            "--add-header-file=h",
            "--myaddr=10.0.0.1",
        ]),
        "httperf --runtime=2.5 --client=0/1 --servers=hosts --port=443 --uri=/ \
         --period=v0.1,2,0.5,3 --send-buffer=4096 --recv-buffer=16384 --ssl \
         --tls-server-name=sni --ssl-cert=c.pem --ssl-key=k.pem --ssl-ca-file=ca.pem \
         --ssl-ca-path=/etc/ssl --ssl-verify --ssl-protocol=TLSv1.0 --add-header='X: 1\\n' \
         --add-header-file='h' --use-timer-cache --num-conns=1 --num-calls=1 --periodic-stats"
    );
}
