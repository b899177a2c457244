//! Where each call's URI comes from: the fixed `--uri`, httperf's `--wset`
//! working-set walk, or a `--wlog` file of NUL-separated URIs.

/// The value glibc's unseeded `drand48()` returns first (default seed
/// 0x1234ABCD330E); httperf's `--wset` walk always starts there.
const UNSEEDED_DRAND48_FIRST: f64 = 0.396_464_773_760_275_34;
/// httperf builds working-set URIs in a 128-byte buffer (NUL included).
const WSET_URI_MAX_BYTES: usize = 127;

/// What the next call should request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextUri {
    Uri(String),
    /// `--wlog=n,…` ran past the last URI: the test ends. The call being
    /// made still gets the log's first URI (httperf prints it at `-v`) but is
    /// never sent.
    LogExhausted(String),
}

#[derive(Debug, Clone)]
pub enum UriSource {
    Fixed(String),
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
            UriSource::Log(log) => Some(
                log.next
                    .checked_sub(1)
                    .unwrap_or(log.uris.len().saturating_sub(1)) as u64,
            ),
        }
    }
}

/// `--wset=N,X`: walks N files, moving to the next one with probability X per
/// call (as an accumulator, not randomly), spread over clients.
#[derive(Debug, Clone)]
pub struct WorkingSet {
    prefix: String,
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
        uri: &str,
        files: u32,
        miss_rate: f64,
        client_id: u32,
        num_clients: u32,
    ) -> Result<WorkingSet, String> {
        // 0.9.0 drops the *first* character when --uri ends in '/', so the
        // default "/" becomes an empty prefix; kept for identical URIs.
        let prefix = if uri.ends_with('/') {
            uri.chars().skip(1).collect()
        } else {
            uri.to_string()
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

    fn next_uri(&mut self) -> String {
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
    fn path_for(&self, file: u64) -> String {
        let number = format!("{file:0width$}", width = self.digits);
        let tail = number.len().saturating_sub(self.digits);
        let mut path = self.prefix.clone();
        for digit in number[tail..].chars() {
            path.push('/');
            path.push(digit);
        }
        path.push_str(".html");
        path
    }
}

/// `--wlog=B,F`: the URIs of a NUL-separated file, in order.
#[derive(Debug, Clone)]
pub struct UriLog {
    uris: Vec<String>,
    next: usize,
    wrap: bool,
}

impl UriLog {
    /// Reads `path`; errors carry httperf's message text (after `httperf: `).
    pub fn load(path: &str, wrap: bool) -> Result<UriLog, String> {
        let bytes = std::fs::read(path).map_err(|_| format!("can't open {path}"))?;
        UriLog::from_bytes(&bytes, path, wrap)
    }

    pub fn from_bytes(bytes: &[u8], path: &str, wrap: bool) -> Result<UriLog, String> {
        if bytes.is_empty() {
            return Err(format!("file {path} is empty"));
        }
        let uris: Vec<String> = bytes
            .split(|&byte| byte == 0)
            .filter(|uri| !uri.is_empty())
            .map(|uri| String::from_utf8_lossy(uri).into_owned())
            .collect();
        if uris.is_empty() {
            return Err(format!("{path} does not contain any valid URIs"));
        }
        Ok(UriLog {
            uris,
            next: 0,
            wrap,
        })
    }

    fn next_uri(&mut self) -> NextUri {
        if self.next == self.uris.len() {
            self.next = 0;
            if !self.wrap {
                return NextUri::LogExhausted(self.uris[0].clone());
            }
        }
        let uri = self.uris[self.next].clone();
        self.next += 1;
        NextUri::Uri(uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(source: &mut UriSource, count: usize) -> Vec<String> {
        (0..count)
            .map(|_| match source.next_uri() {
                NextUri::Uri(uri) => uri,
                NextUri::LogExhausted(first) => format!("<end:{first}>"),
            })
            .collect()
    }

    fn wset(uri: &str, files: u32, miss: f64, client: u32, clients: u32) -> UriSource {
        UriSource::WorkingSet(WorkingSet::new(uri, files, miss, client, clients).expect("fits"))
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
            ["/0/0/0.html", "/0/0/0.html", "/0/0/1.html", "/0/0/1.html"]
        );
        assert_eq!(take(&mut wset("/", 1, 1.0, 0, 1), 2), [".html", ".html"]);
        assert_eq!(
            take(&mut wset("/", 10, 1.0, 2, 3), 3),
            ["/5.html", "/8.html", "/1.html"]
        );
    }

    #[test]
    fn working_set_rejects_uris_longer_than_httperfs_buffer() {
        let long = format!("/{}", "x".repeat(120));
        assert_eq!(
            WorkingSet::new(&long, 1000, 0.5, 0, 1).err().as_deref(),
            Some("uri_wset: URI buffer overflow!")
        );
    }

    #[test]
    fn uri_log_skips_empty_entries_and_wraps_or_ends() {
        let bytes = b"/a\0/b\0\0/c\0";
        let mut once = UriSource::Log(UriLog::from_bytes(bytes, "f", false).expect("valid"));
        assert_eq!(take(&mut once, 4), ["/a", "/b", "/c", "<end:/a>"]);
        let mut looped = UriSource::Log(UriLog::from_bytes(bytes, "f", true).expect("valid"));
        assert_eq!(take(&mut looped, 5), ["/a", "/b", "/c", "/a", "/b"]);
        let unterminated = UriLog::from_bytes(b"/x\0/last", "f", true).expect("valid");
        assert_eq!(take(&mut UriSource::Log(unterminated), 2), ["/x", "/last"]);
    }

    #[test]
    fn uri_log_errors_use_httperfs_messages() {
        assert_eq!(
            UriLog::from_bytes(b"", "F", true).err().as_deref(),
            Some("file F is empty")
        );
        assert_eq!(
            UriLog::from_bytes(b"\0\0", "F", true).err().as_deref(),
            Some("F does not contain any valid URIs")
        );
        assert_eq!(
            UriLog::load("/nonexistent/x", true).err().as_deref(),
            Some("can't open /nonexistent/x")
        );
    }
}
