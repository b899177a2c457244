//! The workload options' compound values: `--wsess`, `--wsesspage`,
//! `--wsesslog`, `--wset` and `--wlog`, with httperf's diagnostics.

use super::{compound_error, path_from_bytes};
use crate::c::strto::{strtod, strtoul};
use crate::cli::options::{SessionLogSpec, SessionSpec, UriLogSpec, WorkingSetSpec};

/// Which of the two `N1,N2,X` session options is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOption {
    Wsess,
    Wsesspage,
}

impl SessionOption {
    fn name(self) -> &'static str {
        match self {
            SessionOption::Wsess => "wsess",
            SessionOption::Wsesspage => "wsesspage",
        }
    }

    fn second_param(self) -> &'static str {
        match self {
            SessionOption::Wsess => "bad number of calls per session (2nd param)",
            SessionOption::Wsesspage => "bad number of user requests per session (2nd param)",
        }
    }
}

/// A UL0 count at the start of `text` and the text after it; on failure the
/// compound-option error for `reason`, showing where parsing stopped.
fn count_param<'a>(text: &'a str, reason: &str, opt: &str) -> Result<(u64, &'a str), String> {
    let count = strtoul(text, 0);
    if !count.converted() || count.erange {
        return Err(compound_error(
            reason,
            opt,
            &text[count.end..],
            count.erange,
        ));
    }
    Ok((count.value, &text[count.end..]))
}

/// `,X` with X a think time ≥ 0, and the text after it.
fn think_param<'a>(rest: &'a str, reason: &str, opt: &str) -> Result<(f64, &'a str), String> {
    let Some(text) = rest.strip_prefix(',') else {
        return Err(compound_error(reason, opt, rest, false));
    };
    let think = strtod(text);
    if !think.converted() || think.erange || think.value < 0.0 {
        return Err(compound_error(
            reason,
            opt,
            &text[think.end..],
            think.erange,
        ));
    }
    Ok((think.value, &text[think.end..]))
}

const BAD_SESSIONS: &str = "bad number of sessions (1st param)";

/// `--wsess=N1,N2,X` / `--wsesspage=N1,N2,X`.
pub fn parse_session(arg: &str, which: SessionOption) -> Result<SessionSpec, String> {
    let opt = which.name();
    let (sessions, rest) = count_param(arg, BAD_SESSIONS, opt)?;
    let Some(calls_text) = rest.strip_prefix(',') else {
        return Err(compound_error(which.second_param(), opt, rest, false));
    };
    let (calls, rest) = count_param(calls_text, which.second_param(), opt)?;
    let (think_time_s, rest) = think_param(rest, "bad user think time (3rd param)", opt)?;
    if !rest.is_empty() {
        return Err(compound_error("extraneous parameter", opt, rest, false));
    }
    Ok(SessionSpec {
        sessions: sessions as u32,
        calls_per_session: calls as u32,
        think_time_s,
    })
}

/// `--wsesslog=N,X,F`. F is taken from `arg` byte for byte.
pub fn parse_wsesslog(arg: &[u8]) -> Result<SessionLogSpec, String> {
    let opt = "wsesslog";
    let text = String::from_utf8_lossy(arg);
    let (sessions, rest) = count_param(&text, BAD_SESSIONS, opt)?;
    let (think_time_s, rest) = think_param(rest, "bad user think time (2nd param)", opt)?;
    let Some(file_text) = rest.strip_prefix(',') else {
        return Err(compound_error(
            "bad session filename (3rd param)",
            opt,
            rest,
            false,
        ));
    };
    // The numbers and commas before F are ASCII, so F starts at the same
    // offset in `arg` as in its lossy text.
    let file_raw = &arg[text.len() - file_text.len()..];
    let (file, extra) = match file_raw.iter().position(|&b| b == b',') {
        Some(comma) => (&file_raw[..comma], &file_raw[comma + 1..]),
        None => (file_raw, &b""[..]),
    };
    // A lone trailing comma is tolerated; anything after it is not.
    if !extra.is_empty() {
        let extra = String::from_utf8_lossy(extra);
        return Err(compound_error("extraneous parameter", opt, &extra, false));
    }
    Ok(SessionLogSpec {
        sessions: sessions as u32,
        think_time_s,
        file: path_from_bytes(file),
    })
}

/// `--wset=N,X` with X in [0, 1].
pub fn parse_wset(arg: &str) -> Result<WorkingSetSpec, String> {
    let opt = "wset";
    let files = strtoul(arg, 0);
    if !files.converted() || files.erange {
        return Err(compound_error(
            "bad working set size (1st parameter)",
            opt,
            arg,
            files.erange,
        ));
    }
    let miss_reason = "bad target miss rate (2nd parameter)";
    let Some(rate_text) = arg[files.end..].strip_prefix(',') else {
        return Err(compound_error(miss_reason, opt, arg, false));
    };
    let rate = strtod(rate_text);
    if !rate.converted() || rate.erange || rate.value < 0.0 || rate.value > 1.0 {
        return Err(compound_error(miss_reason, opt, rate_text, rate.erange));
    }
    if rate.end != rate_text.len() {
        return Err(compound_error(
            "extraneous parameter",
            opt,
            rate_text,
            false,
        ));
    }
    Ok(WorkingSetSpec {
        files: files.value as u32,
        miss_rate: rate.value,
    })
}

/// `--wlog=B,F`: B is the first character, F starts at the third; nothing is
/// checked (a value shorter than two characters gives an empty file name).
pub fn parse_wlog(arg: &[u8]) -> UriLogSpec {
    let wrap = matches!(arg.first(), Some(b'y' | b'Y'));
    let file = path_from_bytes(arg.get(2..).unwrap_or_default());
    UriLogSpec { wrap, file }
}

#[cfg(test)]
mod tests {
    use std::os::unix::ffi::OsStrExt;
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn sessions() {
        let spec = |sessions, calls_per_session, think_time_s| SessionSpec {
            sessions,
            calls_per_session,
            think_time_s,
        };
        let ok: &[(&str, SessionSpec)] = &[
            ("1,2,3", spec(1, 2, 3.0)),
            (" 1, 2, 3", spec(1, 2, 3.0)),
            ("0x10,010,0.5", spec(16, 8, 0.5)),
            ("4294967297,1,0", spec(1, 1, 0.0)),
            ("1,1,-0", spec(1, 1, -0.0)),
        ];
        for &(arg, want) in ok {
            assert_eq!(parse_session(arg, SessionOption::Wsess), Ok(want), "{arg}");
        }
        let range = ": Numerical result out of range";
        let bad: &[(SessionOption, &str, String)] = &[
            (
                SessionOption::Wsess,
                "x",
                "bad number of sessions (1st param) in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsess,
                "99999999999999999999,2,3",
                format!("bad number of sessions (1st param) in --wsess arg (rest: `,2,3'){range}"),
            ),
            (
                SessionOption::Wsess,
                "1",
                "bad number of calls per session (2nd param) in --wsess arg (rest: `')".into(),
            ),
            (
                SessionOption::Wsess,
                "1x",
                "bad number of calls per session (2nd param) in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,x",
                "bad number of calls per session (2nd param) in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,99999999999999999999,3",
                format!(
                    "bad number of calls per session (2nd param) in --wsess arg (rest: `,3'){range}"
                ),
            ),
            (
                SessionOption::Wsess,
                "1,2",
                "bad user think time (3rd param) in --wsess arg (rest: `')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,2x",
                "bad user think time (3rd param) in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,2,",
                "bad user think time (3rd param) in --wsess arg (rest: `')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,2,x",
                "bad user think time (3rd param) in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,2,-1",
                "bad user think time (3rd param) in --wsess arg (rest: `')".into(),
            ),
            (
                SessionOption::Wsess,
                "1,2,1e999",
                format!("bad user think time (3rd param) in --wsess arg (rest: `'){range}"),
            ),
            (
                SessionOption::Wsess,
                "1,2,3x",
                "extraneous parameter in --wsess arg (rest: `x')".into(),
            ),
            (
                SessionOption::Wsesspage,
                "1,x",
                "bad number of user requests per session (2nd param) in --wsesspage arg (rest: `x')"
                    .into(),
            ),
            (
                SessionOption::Wsesspage,
                "1,2,-1",
                "bad user think time (3rd param) in --wsesspage arg (rest: `')".into(),
            ),
            (
                SessionOption::Wsesspage,
                "1,2,3x",
                "extraneous parameter in --wsesspage arg (rest: `x')".into(),
            ),
        ];
        for (which, arg, want) in bad {
            assert_eq!(parse_session(arg, *which), Err(want.clone()), "{arg}");
        }
    }

    #[test]
    fn wsesslog() {
        let spec = |sessions, think_time_s, file: &str| SessionLogSpec {
            sessions,
            think_time_s,
            file: PathBuf::from(file),
        };
        let ok: &[(&str, SessionLogSpec)] = &[
            ("1,2,f", spec(1, 2.0, "f")),
            ("1,2,f,", spec(1, 2.0, "f")),
            ("1,2,", spec(1, 2.0, "")),
            ("1,2,,", spec(1, 2.0, "")),
            (" 0x10, 2.5,f g", spec(16, 2.5, "f g")),
        ];
        for (arg, want) in ok {
            assert_eq!(parse_wsesslog(arg.as_bytes()).as_ref(), Ok(want), "{arg}");
        }
        let file = parse_wsesslog(b"1,2,/tmp/\xff\xfe,").map(|spec| spec.file);
        assert_eq!(
            file.as_ref().map(|f| f.as_os_str().as_bytes()),
            Ok(&b"/tmp/\xff\xfe"[..])
        );
        let range = ": Numerical result out of range";
        let bad: &[(&str, String)] = &[
            (
                "x",
                "bad number of sessions (1st param) in --wsesslog arg (rest: `x')".into(),
            ),
            (
                "1x,2,f",
                "bad user think time (2nd param) in --wsesslog arg (rest: `x,2,f')".into(),
            ),
            (
                "1,x",
                "bad user think time (2nd param) in --wsesslog arg (rest: `x')".into(),
            ),
            (
                "1,-2,f",
                "bad user think time (2nd param) in --wsesslog arg (rest: `,f')".into(),
            ),
            (
                "1,1e999,f",
                format!("bad user think time (2nd param) in --wsesslog arg (rest: `,f'){range}"),
            ),
            (
                "1,2",
                "bad session filename (3rd param) in --wsesslog arg (rest: `')".into(),
            ),
            (
                "1,2x,f",
                "bad session filename (3rd param) in --wsesslog arg (rest: `x,f')".into(),
            ),
            (
                "1,2,f,g",
                "extraneous parameter in --wsesslog arg (rest: `g')".into(),
            ),
            (
                "1,2,f,g,h",
                "extraneous parameter in --wsesslog arg (rest: `g,h')".into(),
            ),
            (
                "1,2,f,,",
                "extraneous parameter in --wsesslog arg (rest: `,')".into(),
            ),
            (
                "1,2,,x",
                "extraneous parameter in --wsesslog arg (rest: `x')".into(),
            ),
        ];
        for (arg, want) in bad {
            assert_eq!(parse_wsesslog(arg.as_bytes()), Err(want.clone()), "{arg}");
        }
    }

    #[test]
    fn wset() {
        let spec = |files, miss_rate| WorkingSetSpec { files, miss_rate };
        for (arg, want) in [
            ("10,0.25", spec(10, 0.25)),
            ("1, 0.5", spec(1, 0.5)),
            (" 5,1", spec(5, 1.0)),
            ("0,0.5", spec(0, 0.5)),
            ("0x10,0", spec(16, 0.0)),
        ] {
            assert_eq!(parse_wset(arg), Ok(want), "{arg}");
        }
        let range = ": Numerical result out of range";
        let bad: &[(&str, String)] = &[
            (
                "x",
                "bad working set size (1st parameter) in --wset arg (rest: `x')".into(),
            ),
            (
                "99999999999999999999,0.5",
                format!(
                    "bad working set size (1st parameter) in --wset arg (rest: `99999999999999999999,0.5'){range}"
                ),
            ),
            (
                "1",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `1')".into(),
            ),
            (
                "1x",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `1x')".into(),
            ),
            (
                "1x,0.5",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `1x,0.5')".into(),
            ),
            (
                "1,",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `')".into(),
            ),
            (
                "1,2",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `2')".into(),
            ),
            (
                "1,-0.1",
                "bad target miss rate (2nd parameter) in --wset arg (rest: `-0.1')".into(),
            ),
            (
                "1,1e-400",
                format!("bad target miss rate (2nd parameter) in --wset arg (rest: `1e-400'){range}"),
            ),
            (
                "1,0.5x",
                "extraneous parameter in --wset arg (rest: `0.5x')".into(),
            ),
        ];
        for (arg, want) in bad {
            assert_eq!(parse_wset(arg), Err(want.clone()), "{arg}");
        }
    }

    #[test]
    fn wlog() {
        let spec = |wrap, file: &str| UriLogSpec {
            wrap,
            file: PathBuf::from(file),
        };
        for (arg, want) in [
            ("y,log", spec(true, "log")),
            ("Y,log", spec(true, "log")),
            ("n,log", spec(false, "log")),
            ("yes", spec(true, "s")),
            ("y", spec(true, "")),
            ("", spec(false, "")),
        ] {
            assert_eq!(parse_wlog(arg.as_bytes()), want, "{arg}");
        }
        let file = parse_wlog(b"y,/tmp/\xff\xfe").file;
        assert_eq!(file.as_os_str().as_bytes(), b"/tmp/\xff\xfe");
    }
}
