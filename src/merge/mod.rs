//! `httperf-rs merge`: one exact httperf report from the `--json` shards of
//! several processes or machines that ran parts of one test (see
//! `results::merge` for how every figure merges). Reads the shards, refuses
//! parts of different tests with exit status 2, prints the echo line and
//! the report (and the percentile block with `--percentiles`), and writes
//! the merged document with `--json`.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::os::unix::ffi::OsStrExt;

use crate::output::{self, Exit};
use crate::results::histograms::{parse_percentile_list, DEFAULT_PERCENTILES};
use crate::results::json;
use crate::results::merge::{self, MergeContext, NamedDocument};

/// Largest shard read, bytes: a long run's document is a few megabytes.
const MAX_SHARD_BYTES: u64 = 1 << 30;

const USAGE: &str = "usage: merge SHARD... [--json FILE|-] [--percentiles[=LIST]]";

/// What the command line asks for.
#[derive(Debug, Default, PartialEq)]
struct MergeArgs {
    shards: Vec<OsString>,
    json: Option<OsString>,
    percentiles: Option<Vec<f64>>,
}

fn parse_args(args: &[OsString]) -> Result<MergeArgs, String> {
    let mut parsed = MergeArgs::default();
    let mut words = args.iter();
    let mut options_done = false;
    while let Some(word) = words.next() {
        let bytes = word.as_bytes();
        if options_done || !bytes.starts_with(b"-") || bytes == b"-" {
            parsed.shards.push(word.clone());
            continue;
        }
        if bytes == b"--" {
            options_done = true;
        } else if bytes == b"--json" {
            let file = words
                .next()
                .ok_or("--json needs a file name (- for stdout)")?;
            parsed.json = Some(file.clone());
        } else if let Some(file) = bytes.strip_prefix(b"--json=") {
            parsed.json = Some(std::ffi::OsStr::from_bytes(file).to_os_string());
        } else if bytes == b"--percentiles" {
            parsed.percentiles = Some(DEFAULT_PERCENTILES.to_vec());
        } else if let Some(list) = bytes.strip_prefix(b"--percentiles=") {
            let list = String::from_utf8_lossy(list);
            parsed.percentiles = Some(parse_percentile_list(&list)?);
        } else {
            return Err(format!(
                "unknown option {}\n{USAGE}",
                String::from_utf8_lossy(bytes)
            ));
        }
    }
    if parsed.shards.is_empty() {
        return Err(format!("no shards given\n{USAGE}"));
    }
    Ok(parsed)
}

fn read_shard(path: &OsString) -> Result<NamedDocument, String> {
    use std::io::Read;
    let name = path.to_string_lossy().into_owned();
    let file = std::fs::File::open(path).map_err(|error| format!("cannot open {name}: {error}"))?;
    let mut text = Vec::new();
    file.take(MAX_SHARD_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|error| format!("cannot read {name}: {error}"))?;
    if text.len() as u64 > MAX_SHARD_BYTES {
        return Err(format!("{name} is larger than 1 GiB"));
    }
    let text = std::str::from_utf8(&text).map_err(|_| format!("{name} is not UTF-8 JSON"))?;
    let document = json::from_str(text).map_err(|why| format!("{name}: {why}"))?;
    Ok(NamedDocument { name, document })
}

/// `--json FILE` and the shard it names under any path (the same file, by
/// device and inode), which writing the merged document would destroy.
fn output_replaces_a_shard(parsed: &MergeArgs) -> Option<(&OsString, &OsString)> {
    use std::os::unix::fs::MetadataExt;
    let output = parsed.json.as_ref().filter(|p| p.as_bytes() != b"-")?;
    let written = std::fs::metadata(output).ok()?;
    let shard = parsed.shards.iter().find(|shard| {
        std::fs::metadata(shard)
            .is_ok_and(|shard| (shard.dev(), shard.ino()) == (written.dev(), written.ino()))
    })?;
    Some((output, shard))
}

/// Runs `merge SHARD…` (`args` are the words after `merge`).
pub fn run(program: &str, args: &[OsString]) -> i32 {
    let fail = |message: String, status: i32| {
        let mut exit = Exit::failure_line(format!("{program}: merge: {message}"));
        exit.status = status;
        exit.finish()
    };
    let parsed = match parse_args(args) {
        Ok(parsed) => parsed,
        Err(message) => return fail(message, 1),
    };
    if let Some((output, shard)) = output_replaces_a_shard(&parsed) {
        return fail(
            format!(
                "--json {}: that file is the shard {}; the merged document would replace it",
                output.to_string_lossy(),
                shard.to_string_lossy()
            ),
            1,
        );
    }
    let mut shards = Vec::with_capacity(parsed.shards.len());
    for path in &parsed.shards {
        match read_shard(path) {
            Ok(shard) => shards.push(shard),
            Err(message) => return fail(message, 1),
        }
    }
    let mut command_line = vec![OsString::from(program), OsString::from("merge")];
    command_line.extend(args.iter().cloned());
    let list = parsed
        .percentiles
        .clone()
        .unwrap_or_else(|| DEFAULT_PERCENTILES.to_vec());
    let context = MergeContext {
        args: &command_line,
        percentiles: &list,
    };
    let document = match merge::merge(&shards, &context) {
        Ok(document) => document,
        Err(error) => return fail(error.message().to_string(), error.exit_status()),
    };
    if let Some(warning) = merge::disjoint_shards(&shards) {
        eprintln!("{program}: merge: {warning}");
    }
    if let Some(warning) = merge::missing_clients(&shards) {
        eprintln!("{program}: merge: {warning}");
    }
    let text = json::to_string(&document);
    let json_to_stdout = parsed.json.as_deref().is_some_and(|p| p.as_bytes() == b"-");
    if let Some(path) = parsed.json.as_ref().filter(|_| !json_to_stdout) {
        if let Err(error) = std::fs::write(path, text.as_bytes()) {
            return fail(
                format!("cannot write {}: {error}", path.to_string_lossy()),
                1,
            );
        }
    }
    let report = match merge::report_text(&document, parsed.percentiles.as_deref()) {
        Ok(report) => report,
        Err(message) => return fail(message, 1),
    };
    let mut printed = document.echo_line.clone();
    printed.push('\n');
    printed.push_str(&report);
    if json_to_stdout {
        eprint!("{printed}");
        output::print_bytes(text.as_bytes());
    } else {
        output::print_bytes(printed.as_bytes());
    }
    if std::io::stderr().is_terminal() {
        eprint!(
            "{}",
            crate::results::check::render(&document.self_check, program)
        );
    }
    match output::stdout_failure_message(program) {
        Some(message) => Exit::failure_line(message).finish(),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn shards_and_options_in_any_order() {
        let parsed = parse_args(&words(&["a.json", "--json", "out.json", "b.json"]));
        assert_eq!(
            parsed,
            Ok(MergeArgs {
                shards: words(&["a.json", "b.json"]),
                json: Some(OsString::from("out.json")),
                percentiles: None,
            })
        );
        let parsed = parse_args(&words(&["--percentiles=50,99", "--", "--odd"]));
        assert_eq!(
            parsed.map(|p| (p.shards, p.percentiles)),
            Ok((words(&["--odd"]), Some(vec![50.0, 99.0])))
        );
    }

    #[test]
    fn bad_command_lines_are_refused() {
        assert!(parse_args(&[]).is_err());
        assert!(parse_args(&words(&["a", "--jsn"])).is_err());
        assert!(parse_args(&words(&["a", "--json"])).is_err());
        assert!(parse_args(&words(&["a", "--percentiles=x"])).is_err());
    }
}
