//! Where each call's URI comes from: the fixed `--uri`, httperf's `--wset`
//! working-set walk, or a `--wlog` file of NUL-separated URIs. URIs are bytes,
//! sent as given.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::files;

/// The value glibc's `drand48()` returns first when nothing seeded it:
/// glibc sets the multiplier and addend on first use but leaves the 48-bit
/// state at 0, so the first value is the addend 11 over 2^48 (about 3.9e-14,
/// not the 0.3964... of the documented default seed). httperf's `--wset`
/// walk starts its accumulator there.
const UNSEEDED_DRAND48_FIRST: f64 = 11.0 / (1u64 << 48) as f64;
/// httperf builds working-set URIs in a 128-byte buffer (NUL included).
const WSET_URI_MAX_BYTES: usize = 127;

/// What the next call should request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextUri {
    Uri(Vec<u8>),
    /// `--wlog=n,…` ran past the last URI: the test ends. The call being
    /// made still gets the log's first URI (httperf prints it at `-v`) but is
    /// never sent.
    LogExhausted(Vec<u8>),
}

#[derive(Debug, Clone)]
pub enum UriSource {
    Fixed(Vec<u8>),
    WorkingSet(WorkingSet),
    Log(UriLog),
}

impl UriSource {
    pub fn next_uri(&mut self) -> NextUri {
        match self {
            UriSource::Fixed(uri) => NextUri::Uri(uri.clone()),
            UriSource::WorkingSet(set) => NextUri::Uri(set.next_uri()),
            UriSource::Log(log) => log.next_uri(),
        }
    }

    /// The URI of every call, when it never varies (`--uri` alone).
    pub fn fixed(&self) -> Option<&[u8]> {
        match self {
            UriSource::Fixed(uri) => Some(uri),
            _ => None,
        }
    }

    /// True when URIs vary per call (httperf's `-v` prints each one).
    pub fn is_generated(&self) -> bool {
        !matches!(self, UriSource::Fixed(_))
    }

    /// The generator's index of the URI last returned: the `--wset` file
    /// number or the position in the `--wlog` file (from 0).
    pub fn last_index(&self) -> Option<u64> {
        match self {
            UriSource::Fixed(_) => None,
            UriSource::WorkingSet(set) => Some(set.file),
            UriSource::Log(log) => Some(log.last_index),
        }
    }
}

/// `--wset=N,X`: walks N files, moving to the next one with probability X per
/// call (as an accumulator, not randomly), spread over clients.
#[derive(Debug, Clone)]
pub struct WorkingSet {
    prefix: Vec<u8>,
    digits: usize,
    files: u32,
    miss_rate: f64,
    num_clients: u32,
    file: u64,
    accumulator: f64,
}

impl WorkingSet {
    /// Errors with httperf's message when the URIs cannot fit its buffer.
    pub fn new(
        uri: &[u8],
        files: u32,
        miss_rate: f64,
        client_id: u32,
        num_clients: u32,
    ) -> Result<WorkingSet, String> {
        // 0.9.0 drops the *first* character when --uri ends in '/', so the
        // default "/" becomes an empty prefix; kept for identical URIs.
        let prefix = match uri.split_first() {
            Some((_, rest)) if uri.ends_with(b"/") => rest.to_vec(),
            _ => uri.to_vec(),
        };
        let digits = if files <= 1 {
            0
        } else {
            (files - 1).to_string().len()
        };
        let set = WorkingSet {
            prefix,
            digits,
            files,
            miss_rate,
            num_clients,
            file: u64::from(client_id),
            accumulator: UNSEEDED_DRAND48_FIRST,
        };
        if set.path_for(0).len() > WSET_URI_MAX_BYTES {
            return Err("uri_wset: URI buffer overflow!".to_string());
        }
        Ok(set)
    }

    fn next_uri(&mut self) -> Vec<u8> {
        self.accumulator += self.miss_rate;
        if self.accumulator >= 1.0 {
            self.accumulator -= 1.0;
            self.file += u64::from(self.num_clients);
        }
        if self.file >= u64::from(self.files) {
            self.file -= u64::from(self.files);
        }
        self.path_for(self.file)
    }

    /// `prefix` + one `/d` per digit of the zero-padded file number + `.html`.
    fn path_for(&self, file: u64) -> Vec<u8> {
        let number = format!("{file:0width$}", width = self.digits);
        let tail = number.len().saturating_sub(self.digits);
        let mut path = self.prefix.clone();
        for &digit in &number.as_bytes()[tail..] {
            path.push(b'/');
            path.push(digit);
        }
        path.extend_from_slice(b".html");
        path
    }
}

/// `text` with each run of NULs made one NUL and none at either end: the
/// same URIs in the same order (empty entries are skipped), but a pass over
/// the file then costs its URIs, not its gaps, which a request at the end of
/// a pass would otherwise scan again and again.
fn without_empty_entries(mut text: Vec<u8>) -> Vec<u8> {
    text.dedup_by(|next, kept| *next == 0 && *kept == 0);
    if text.last() == Some(&0) {
        text.pop();
    }
    if text.first() == Some(&0) {
        text.remove(0);
    }
    text.shrink_to_fit();
    text
}

/// `--wlog=B,F`: the URIs of a NUL-separated file, in order. The file is
/// kept as read (empty entries dropped) and walked with a cursor, so it
/// costs its own size and nothing per URI.
#[derive(Debug, Clone)]
pub struct UriLog {
    text: Vec<u8>,
    /// Where the search for the next URI starts.
    cursor: usize,
    wrap: bool,
    /// The position in the file (from 0) of the URI at `cursor`.
    next_index: u64,
    /// The position of the URI last returned (the request log's tag).
    last_index: u64,
}

impl UriLog {
    /// Reads `path` (at most `files::WLOG_MAX_BYTES`); errors carry
    /// httperf's message text (after `httperf: `).
    pub fn load(path: &Path, wrap: bool) -> Result<UriLog, Vec<u8>> {
        let bytes = files::read_limited(path, files::WLOG_MAX_BYTES)
            .map_err(|error| error.message(path, "--wlog"))?;
        UriLog::from_bytes(bytes, path, wrap)
    }

    pub fn from_bytes(text: Vec<u8>, path: &Path, wrap: bool) -> Result<UriLog, Vec<u8>> {
        let name = path.as_os_str().as_bytes();
        if text.is_empty() {
            return Err([b"file ".as_slice(), name, b" is empty"].concat());
        }
        let log = UriLog {
            text: without_empty_entries(text),
            cursor: 0,
            wrap,
            next_index: 0,
            last_index: 0,
        };
        if log.uri_from(0).is_none() {
            return Err([name, b" does not contain any valid URIs".as_slice()].concat());
        }
        Ok(log)
    }

    /// The first non-empty URI at or after `start`, and where the one after
    /// it is to be looked for.
    fn uri_from(&self, start: usize) -> Option<(&[u8], usize)> {
        let rest = self.text.get(start..)?;
        let skipped = rest.iter().position(|&byte| byte != 0)?;
        let uri = &rest[skipped..];
        let len = uri.iter().position(|&byte| byte == 0).unwrap_or(uri.len());
        Some((&uri[..len], start + skipped + len))
    }

    fn next_uri(&mut self) -> NextUri {
        if self.uri_from(self.cursor).is_none() {
            self.cursor = 0;
            self.next_index = 0;
            self.last_index = 0;
            if !self.wrap {
                let first = self.uri_from(0).map(|(uri, _)| uri.to_vec());
                return NextUri::LogExhausted(first.unwrap_or_default());
            }
        }
        let found = self
            .uri_from(self.cursor)
            .map(|(uri, after)| (uri.to_vec(), after));
        match found {
            Some((uri, after)) => {
                self.cursor = after;
                self.last_index = self.next_index;
                self.next_index += 1;
                NextUri::Uri(uri)
            }
            // Not reached: `from_bytes` made sure the log holds a URI.
            None => NextUri::LogExhausted(Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_nuls_collapse_to_one_separator() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"/a\0/b\0", b"/a\0/b"),
            (b"\0\0/a\0\0\0/b\0\0", b"/a\0/b"),
            (b"/a", b"/a"),
            (b"\0\0\0", b""),
            (b"/a\0\0", b"/a"),
        ];
        for (text, expected) in cases {
            assert_eq!(without_empty_entries(text.to_vec()), *expected, "{text:?}");
        }
    }

    fn take(source: &mut UriSource, count: usize) -> Vec<String> {
        let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8 in these tests");
        (0..count)
            .map(|_| match source.next_uri() {
                NextUri::Uri(uri) => text(uri),
                NextUri::LogExhausted(first) => format!("<end:{}>", text(first)),
            })
            .collect()
    }

    fn wset(uri: &str, files: u32, miss: f64, client: u32, clients: u32) -> UriSource {
        let set = WorkingSet::new(uri.as_bytes(), files, miss, client, clients).expect("fits");
        UriSource::WorkingSet(set)
    }

    fn log(bytes: &[u8], wrap: bool) -> UriSource {
        UriSource::Log(UriLog::from_bytes(bytes.to_vec(), Path::new("f"), wrap).expect("valid"))
    }

    #[test]
    fn working_set_sequences_match_httperf() {
        assert_eq!(
            take(&mut wset("/", 100, 0.5, 0, 1), 6),
            [
                "/0/0.html",
                "/0/1.html",
                "/0/1.html",
                "/0/2.html",
                "/0/2.html",
                "/0/3.html"
            ]
        );
        assert_eq!(
            take(&mut wset("/foo/", 100, 0.5, 0, 1), 1),
            ["foo//0/0.html"]
        );
        assert_eq!(
            take(&mut wset("/foo", 10, 0.0, 0, 1), 2),
            ["/foo/0.html", "/foo/0.html"]
        );
        assert_eq!(
            take(&mut wset("/", 1000, 0.3, 0, 1), 4),
            ["/0/0/0.html", "/0/0/0.html", "/0/0/0.html", "/0/0/1.html"]
        );
        assert_eq!(take(&mut wset("/", 1, 1.0, 0, 1), 2), [".html", ".html"]);
        assert_eq!(
            take(&mut wset("/", 10, 1.0, 2, 3), 3),
            ["/5.html", "/8.html", "/1.html"]
        );
    }

    /// File numbers httperf 0.9.0 requested for `--wset=1000,X --num-conns 40`
    /// (its `--print-request` output): the walk starts from glibc's unseeded
    /// first `drand48()` value, 11/2^48, so with X = 0.25 file 0 is requested
    /// three times and every later file four times.
    #[test]
    fn working_set_walk_starts_from_unseeded_drand48() {
        let observed: [(f64, &str); 4] = [
            (
                0.25,
                "0 0 0 1 1 1 1 2 2 2 2 3 3 3 3 4 4 4 4 5 5 5 5 6 6 6 6 7 7 7 7 8 8 8 8 9 9 9 9 10",
            ),
            (
                0.1,
                "0 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1 1 1 2 2 2 2 2 2 2 2 2 2 3 3 3 3 3 3 3 3 3 3 4",
            ),
            (
                0.3,
                "0 0 0 1 1 1 2 2 2 3 3 3 3 4 4 4 5 5 5 6 6 6 6 7 7 7 8 8 8 9 9 9 9 10 10 10 11 11 11 12",
            ),
            (
                0.7,
                "0 1 2 2 3 4 4 5 6 7 7 8 9 9 10 11 11 12 13 14 14 15 16 16 17 18 18 19 20 21 21 22 23 23 24 25 25 26 27 28",
            ),
        ];
        for (miss_rate, files) in observed {
            let expected: Vec<String> = files
                .split(' ')
                .map(|n| {
                    let n: u32 = n.parse().expect("number");
                    format!("/{}/{}/{}.html", n / 100, n / 10 % 10, n % 10)
                })
                .collect();
            assert_eq!(
                take(&mut wset("/", 1000, miss_rate, 0, 1), 40),
                expected,
                "--wset=1000,{miss_rate}"
            );
        }
    }

    #[test]
    fn working_set_rejects_uris_longer_than_httperfs_buffer() {
        let long = format!("/{}", "x".repeat(120));
        assert_eq!(
            WorkingSet::new(long.as_bytes(), 1000, 0.5, 0, 1)
                .err()
                .as_deref(),
            Some("uri_wset: URI buffer overflow!")
        );
    }

    #[test]
    fn uri_log_skips_empty_entries_and_wraps_or_ends() {
        let bytes = b"/a\0/b\0\0/c\0";
        assert_eq!(
            take(&mut log(bytes, false), 5),
            ["/a", "/b", "/c", "<end:/a>", "/a"]
        );
        assert_eq!(
            take(&mut log(bytes, true), 5),
            ["/a", "/b", "/c", "/a", "/b"]
        );
        assert_eq!(take(&mut log(b"/x\0/last", true), 3), ["/x", "/last", "/x"]);
        assert_eq!(take(&mut log(b"\0\0/x\0\0", true), 2), ["/x", "/x"]);
    }

    #[test]
    fn uri_log_keeps_bytes_that_are_not_utf8() {
        let mut source = log(b"/\xff\xfe\0/b", true);
        assert_eq!(source.next_uri(), NextUri::Uri(b"/\xff\xfe".to_vec()));
        let mut set =
            UriSource::WorkingSet(WorkingSet::new(b"/\xff", 10, 1.0, 0, 1).expect("fits"));
        assert_eq!(set.next_uri(), NextUri::Uri(b"/\xff/1.html".to_vec()));
        let mut set =
            UriSource::WorkingSet(WorkingSet::new(b"\xff/", 10, 1.0, 0, 1).expect("fits"));
        assert_eq!(set.next_uri(), NextUri::Uri(b"//1.html".to_vec()));
    }

    #[test]
    fn uri_log_errors_use_httperfs_messages() {
        let error = |bytes: &[u8]| UriLog::from_bytes(bytes.to_vec(), Path::new("F"), true).err();
        assert_eq!(error(b"").as_deref(), Some(&b"file F is empty"[..]));
        assert_eq!(
            error(b"\0\0").as_deref(),
            Some(&b"F does not contain any valid URIs"[..])
        );
        assert_eq!(
            UriLog::load(Path::new("/nonexistent/x"), true)
                .err()
                .as_deref(),
            Some(&b"can't open /nonexistent/x"[..])
        );
        assert_eq!(
            UriLog::load(Path::new("/dev/zero"), true).err().as_deref(),
            Some(&b"/dev/zero: not a regular file or a pipe"[..])
        );
    }
}
