//! `-h`/`--help`: httperf 0.9.0's usage synopsis, extended with the options
//! that only upstream master and httperf-rs have, followed by a description
//! of every option rendered by clap from `cli::command()` at a fixed width.

/// httperf 0.9.0's synopsis after the program name (SSL build), lines after
/// the first indented with a TAB as in the original.
const SYNOPSIS_0_9_0: &str = " [-hdvV] [--add-header S] [--burst-length N] [--client N/N]
\t[--close-with-reset] [--debug N] [--failure-status N]
\t[--help] [--hog] [--http-version S] [--max-connections N]
\t[--max-piped-calls N] [--method S] [--no-host-hdr]
\t[--num-calls N] [--num-conns N] [--period [d|u|e]T1[,T2]]
\t[--port N] [--print-reply [header|body]] [--print-request [header|body]]
\t[--rate X] [--recv-buffer N] [--retry-on-failure] [--send-buffer N]
\t[--server S] [--server-name S] [--session-cookies]
\t[--ssl] [--ssl-ciphers L] [--ssl-no-reuse]
\t[--think-timeout X] [--timeout X] [--uri S] [--verbose] [--version]
\t[--wlog y|n,file] [--wsess N,N,X] [--wsesslog N,X,file]
\t[--wset N,X]
";

/// Options 0.9.0's synopsis does not show, in the same style.
const SYNOPSIS_EXTENSIONS: &str = "\t[--period vT1,D1[,T2,D2]...[,Tn,Dn]] [--wsesspage N,N,X]
\t[--add-header-file file] [--myaddr S] [--servers file] [--runtime X]
\t[--ssl-certificate file] [--ssl-key file]
\t[--ssl-ca-file file] [--ssl-ca-path path]
\t[--ssl-verify [yes|no]] [--ssl-protocol S] [--tls-server-name S]
\t[--use-timer-cache] [-n|--periodic-stats]
\t[--generate-completions bash|zsh|fish]
\t[--percentiles [=LIST]] [--json file|-] [--log-requests file]
\t[--self-check] [--progress]
\t[--schedule SPEC] [--seed N] [--think-jitter uniform:F|exp]
\t[--ammo file] [--ammo-format uri|uripost|phantom] [--ammo-loop]
\t[--workers N|auto] [--start-at TIME] [--worker-shards dir]
\t[--websocket] [--ws-messages N] [--ws-message-size N] [--ws-low-watermark N]
";

/// The usage synopsis without the "Usage: " label: `program`, then the
/// bracketed options, continuation lines starting with a TAB. It also is the
/// man page's SYNOPSIS.
pub fn synopsis(program: &str) -> String {
    format!("{program}{SYNOPSIS_0_9_0}{SYNOPSIS_EXTENSIONS}")
}

/// The full `--help` text for a program invoked as `program` (its basename).
pub fn help_text(program: &str) -> String {
    let options = super::command()
        .help_template("{all-args}")
        .render_long_help()
        .to_string();
    let mut text = format!("Usage: {}\n", synopsis(program));
    // clap indents the empty line before "[possible values: ...]".
    for line in options.trim_end().lines() {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_with_the_0_9_0_synopsis() {
        let text = help_text("httperf");
        let original =
            "Usage: httperf [-hdvV] [--add-header S] [--burst-length N] [--client N/N]\n\
            \t[--close-with-reset] [--debug N] [--failure-status N]\n\
            \t[--help] [--hog] [--http-version S] [--max-connections N]\n\
            \t[--max-piped-calls N] [--method S] [--no-host-hdr]\n\
            \t[--num-calls N] [--num-conns N] [--period [d|u|e]T1[,T2]]\n\
            \t[--port N] [--print-reply [header|body]] [--print-request [header|body]]\n\
            \t[--rate X] [--recv-buffer N] [--retry-on-failure] [--send-buffer N]\n\
            \t[--server S] [--server-name S] [--session-cookies]\n\
            \t[--ssl] [--ssl-ciphers L] [--ssl-no-reuse]\n\
            \t[--think-timeout X] [--timeout X] [--uri S] [--verbose] [--version]\n\
            \t[--wlog y|n,file] [--wsess N,N,X] [--wsesslog N,X,file]\n\
            \t[--wset N,X]\n";
        assert!(text.starts_with(original), "{text}");
        assert!(help_text("./x").starts_with("Usage: ./x [-hdvV]"));
    }

    /// True if `line` is the first line of the entry for `long`
    /// ("      --rate <X>", "  -v, --verbose...").
    fn heads_entry(line: &str, long: &str) -> bool {
        let Some(names) = line.strip_prefix("  ") else {
            return false;
        };
        let names = match names.strip_prefix("    ") {
            Some(rest) => rest,
            None => names
                .get(4..)
                .filter(|_| names.get(2..4) == Some(", "))
                .unwrap_or(""),
        };
        names
            .strip_prefix(long)
            .is_some_and(|end| end.is_empty() || end.starts_with([' ', '[', '.']))
    }

    #[test]
    fn describes_every_option_and_ends_with_a_newline() {
        let text = help_text("httperf");
        let (synopsis, rest) = text.split_once("\n\n").unwrap_or_default();
        let mut cmd = crate::cli::command();
        cmd.build();
        for arg in cmd.get_arguments() {
            let long = format!("--{}", arg.get_long().unwrap_or_default());
            // "[--ssl]" must not be satisfied by "[--ssl-key file]".
            let listed = [" ", "]", "|"]
                .iter()
                .any(|end| synopsis.contains(&format!("{long}{end}")));
            assert!(listed, "synopsis lacks {long}");
            assert!(
                rest.lines().any(|line| heads_entry(line, &long)),
                "help does not describe {long}"
            );
        }
        assert!(text.ends_with("]\n") || text.ends_with(".\n") || text.ends_with(")\n"));
        assert!(!text.ends_with("\n\n"));
        for line in rest.lines() {
            assert!(line.chars().count() <= 100, "line too long: {line}");
            assert_eq!(line, line.trim_end(), "trailing blanks");
        }
    }
}
