//! `--ammo FILE`: requests read from a Yandex Phantom / yandex-tank ammo
//! file, streamed so that memory stays bounded whatever the file's size.
//! Three formats:
//!
//! * `uri`: one `URI [TAG]` per line; `[Name: value]` lines set a header for
//!   the URIs after them (a later one of the same name replaces it, an empty
//!   value removes it).
//! * `uripost`: `SIZE URI [TAG]` lines, each followed by SIZE bytes of body;
//!   `[Name: value]` lines as in `uri`.
//! * `phantom`: `SIZE [TAG]` lines, each followed by exactly SIZE bytes of
//!   request, sent as given.
//!
//! Empty lines between entries are skipped, and in the two uri formats so
//! are lines starting with `#`. Every error names the line it is on; a file
//! is checked whole when it is opened, so a bad one never starts a test.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

/// Longest line (size line, URI line, header line) the parser accepts.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Largest request (`phantom`) or body (`uripost`) one entry may have:
/// each is held in memory while it is sent.
pub const MAX_REQUEST_BYTES: u64 = 64 * 1024 * 1024;

/// Most headers a `[Name: value]` line may leave in force. Far above what
/// servers accept in one request (100 for Apache), it keeps each header
/// line's lookup, and each request's header block, bounded whatever the file.
pub const MAX_HEADERS_IN_FORCE: usize = 1000;

/// Most bytes of names and values the headers in force may hold: every
/// request of the file carries them (and each call in flight its own copy),
/// so they are bounded as `--add-header-file` is.
pub const MAX_HEADER_BYTES_IN_FORCE: usize = 1 << 20;

/// The ammo formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmmoFormat {
    Uri,
    UriPost,
    Phantom,
}

impl AmmoFormat {
    /// The format of an `--ammo-format` name.
    pub fn from_name(name: &str) -> Option<AmmoFormat> {
        match name {
            "uri" => Some(AmmoFormat::Uri),
            "uripost" => Some(AmmoFormat::UriPost),
            "phantom" => Some(AmmoFormat::Phantom),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AmmoFormat::Uri => "uri",
            AmmoFormat::UriPost => "uripost",
            AmmoFormat::Phantom => "phantom",
        }
    }
}

/// Headers set by `[Name: value]` lines, in the order first set.
pub type AmmoHeaders = Rc<Vec<(Vec<u8>, Vec<u8>)>>;

/// What one entry asks to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmmoRequest {
    /// `phantom`: the request's bytes, sent as given.
    Raw(Vec<u8>),
    /// `uri` (no body) and `uripost` (a body): built by the request builder.
    Uri { uri: Vec<u8>, body: Option<Vec<u8>> },
}

/// One request of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmmoEntry {
    /// The line the entry starts on (its URI or size line), from 1.
    pub line: u64,
    pub request: AmmoRequest,
    /// The entry's tag, empty when it has none.
    pub tag: Vec<u8>,
    /// The headers in force for a `uri`/`uripost` entry.
    pub headers: AmmoHeaders,
}

/// A problem in the file, on line `line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmmoError {
    pub line: u64,
    pub message: String,
}

impl fmt::Display for AmmoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Up to 40 bytes of `bytes` as printable text, for messages.
fn excerpt(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(40)];
    let mut text: String = cut.escape_ascii().to_string();
    if bytes.len() > cut.len() {
        text.push_str("...");
    }
    text
}

/// Guesses the format from the start of a file: the first line that is not
/// empty, a comment or a header decides (`SIZE /uri` is uripost, a size alone
/// or with a tag is phantom, anything else is uri).
pub fn detect(start: &[u8]) -> AmmoFormat {
    let mut saw_header = false;
    for line in start.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        if line.starts_with(b"[") {
            saw_header = true;
            continue;
        }
        let mut words = line
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty());
        let first = words.next().unwrap_or_default();
        if !first.is_empty() && first.iter().all(u8::is_ascii_digit) {
            let second = words.next().unwrap_or_default();
            let is_uri = second.starts_with(b"/") || second.starts_with(b"http");
            return if is_uri || saw_header {
                AmmoFormat::UriPost
            } else {
                AmmoFormat::Phantom
            };
        }
        return AmmoFormat::Uri;
    }
    AmmoFormat::Uri
}

/// Splits a line into its first word and the rest (trimmed): `URI TAG`,
/// `SIZE TAG`.
fn first_word(line: &[u8]) -> (&[u8], &[u8]) {
    let end = line
        .iter()
        .position(u8::is_ascii_whitespace)
        .unwrap_or(line.len());
    (&line[..end], line[end..].trim_ascii())
}

/// A streaming parser of one ammo file.
#[derive(Debug)]
pub struct AmmoReader<R> {
    input: R,
    format: AmmoFormat,
    /// Length of the input in bytes.
    len: u64,
    /// Bytes consumed so far.
    offset: u64,
    /// Number of the next line to be read.
    next_line: u64,
    headers: AmmoHeaders,
    /// Bytes of the names and values in `headers`.
    header_bytes: usize,
}

impl<R: BufRead + Seek> AmmoReader<R> {
    /// A parser of `input`, `len` bytes long.
    pub fn new(input: R, len: u64, format: AmmoFormat) -> AmmoReader<R> {
        AmmoReader {
            input,
            format,
            len,
            offset: 0,
            next_line: 1,
            headers: Rc::new(Vec::new()),
            header_bytes: 0,
        }
    }

    pub fn format(&self) -> AmmoFormat {
        self.format
    }

    /// Back to the start of the file, headers forgotten.
    pub fn rewind(&mut self) -> Result<(), AmmoError> {
        self.input
            .seek(SeekFrom::Start(0))
            .map_err(|error| AmmoError {
                line: self.next_line,
                message: format!("cannot read: {error}"),
            })?;
        self.offset = 0;
        self.next_line = 1;
        self.headers = Rc::new(Vec::new());
        self.header_bytes = 0;
        Ok(())
    }

    fn error(&self, line: u64, message: String) -> AmmoError {
        AmmoError { line, message }
    }

    /// The next line without its line end, and its number; `None` at the
    /// end of the file. Control bytes (binary data) are refused.
    fn read_line(&mut self) -> Result<Option<(Vec<u8>, u64)>, AmmoError> {
        let number = self.next_line;
        let mut line = Vec::new();
        loop {
            let buffer = self.input.fill_buf().map_err(|error| AmmoError {
                line: number,
                message: format!("cannot read: {error}"),
            })?;
            if buffer.is_empty() {
                if line.is_empty() {
                    return Ok(None);
                }
                break;
            }
            let (take, complete) = match buffer.iter().position(|&b| b == b'\n') {
                Some(at) => (at + 1, true),
                None => (buffer.len(), false),
            };
            if line.len() + take > MAX_LINE_BYTES + 2 {
                return Err(self.error(
                    number,
                    format!("line longer than {MAX_LINE_BYTES} bytes (binary data?)"),
                ));
            }
            line.extend_from_slice(&buffer[..take]);
            self.input.consume(take);
            self.offset += take as u64;
            if complete {
                break;
            }
        }
        self.next_line += 1;
        if line.ends_with(b"\n") {
            line.pop();
        }
        if line.ends_with(b"\r") {
            line.pop();
        }
        if let Some(&byte) = line
            .iter()
            .find(|&&b| (b < 0x20 && b != b'\t') || b == 0x7f)
        {
            return Err(self.error(
                number,
                format!("binary data (byte 0x{byte:02x}) where a line of text was expected"),
            ));
        }
        Ok(Some((line, number)))
    }

    /// `size` bytes of request or body following line `line`; kept only
    /// when `keep`.
    fn read_sized(&mut self, size: u64, line: u64, keep: bool) -> Result<Vec<u8>, AmmoError> {
        let left = self.len.saturating_sub(self.offset);
        if size > left {
            return Err(self.error(
                line,
                format!("size {size} is larger than the rest of the file ({left} bytes)"),
            ));
        }
        let mut bytes = Vec::new();
        let mut missing = size;
        while missing > 0 {
            let buffer = self.input.fill_buf().map_err(|error| AmmoError {
                line,
                message: format!("cannot read: {error}"),
            })?;
            if buffer.is_empty() {
                return Err(self.error(
                    line,
                    format!("the file ends {missing} bytes before the end of this request"),
                ));
            }
            let take = buffer
                .len()
                .min(usize::try_from(missing).unwrap_or(usize::MAX));
            let taken = &buffer[..take];
            self.next_line += taken.iter().filter(|&&b| b == b'\n').count() as u64;
            if keep {
                bytes.extend_from_slice(taken);
            }
            self.input.consume(take);
            self.offset += take as u64;
            missing -= take as u64;
        }
        Ok(bytes)
    }

    /// A request size: decimal digits, at most [`MAX_REQUEST_BYTES`].
    fn size(&self, word: &[u8], line: u64, expected: &str) -> Result<u64, AmmoError> {
        let digits = !word.is_empty() && word.iter().all(u8::is_ascii_digit);
        let size = std::str::from_utf8(word)
            .ok()
            .filter(|_| digits)
            .and_then(|text| text.parse::<u64>().ok());
        match size {
            None if digits => Err(self.error(line, format!("size {} is too large", excerpt(word)))),
            None => Err(self.error(
                line,
                format!("expected '{expected}', found '{}'", excerpt(word)),
            )),
            Some(0) => Err(self.error(line, "size 0: an entry cannot be empty".to_string())),
            Some(size) if size > MAX_REQUEST_BYTES => Err(self.error(
                line,
                format!("size {size} is over the limit of {MAX_REQUEST_BYTES} bytes per request"),
            )),
            Some(size) => Ok(size),
        }
    }

    /// Applies a `[Name: value]` line.
    fn header_line(&mut self, text: &[u8], line: u64) -> Result<(), AmmoError> {
        let inner = text
            .strip_prefix(b"[")
            .and_then(|t| t.strip_suffix(b"]"))
            .ok_or_else(|| self.error(line, "a header line must end with ']'".to_string()))?;
        let colon = inner.iter().position(|&b| b == b':');
        let (name, value) = match colon {
            Some(at) if at > 0 => (inner[..at].trim_ascii(), inner[at + 1..].trim_ascii()),
            _ => {
                return Err(self.error(
                    line,
                    format!("expected '[Name: value]', found '{}'", excerpt(text)),
                ))
            }
        };
        if name.is_empty() || name.iter().any(|b| b.is_ascii_whitespace()) {
            return Err(self.error(line, format!("bad header name '{}'", excerpt(name))));
        }
        let existing = self
            .headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name));
        let replaced = existing.map_or(0, |at| {
            let (name, value) = &self.headers[at];
            name.len() + value.len()
        });
        let added = if value.is_empty() {
            0
        } else {
            name.len() + value.len()
        };
        let bytes = self.header_bytes - replaced + added;
        if existing.is_none() && added > 0 && self.headers.len() >= MAX_HEADERS_IN_FORCE {
            return Err(self.error(
                line,
                format!(
                    "more than {MAX_HEADERS_IN_FORCE} headers in force \
                     (an empty value removes one: '[Name:]')"
                ),
            ));
        }
        if bytes > MAX_HEADER_BYTES_IN_FORCE {
            return Err(self.error(
                line,
                format!(
                    "the headers in force would hold more than {MAX_HEADER_BYTES_IN_FORCE} \
                     bytes (an empty value removes one: '[Name:]')"
                ),
            ));
        }
        self.header_bytes = bytes;
        let headers = Rc::make_mut(&mut self.headers);
        match (existing, value.is_empty()) {
            (Some(at), true) => {
                headers.remove(at);
            }
            (Some(at), false) => headers[at].1 = value.to_vec(),
            (None, true) => {}
            (None, false) => headers.push((name.to_vec(), value.to_vec())),
        }
        Ok(())
    }

    /// The next entry, `None` at the end of the file. With `keep` false
    /// request bytes are read past, not kept (checking a whole file).
    pub fn next_entry(&mut self, keep: bool) -> Result<Option<AmmoEntry>, AmmoError> {
        loop {
            let Some((text, line)) = self.read_line()? else {
                return Ok(None);
            };
            if text.trim_ascii().is_empty() {
                continue;
            }
            if self.format != AmmoFormat::Phantom {
                if text.starts_with(b"#") {
                    continue;
                }
                if text.starts_with(b"[") {
                    self.header_line(&text, line)?;
                    continue;
                }
            }
            // Leading blanks (a TAB) would otherwise leave an empty URI.
            let (first, rest) = first_word(text.trim_ascii());
            let (request, tag) = match self.format {
                AmmoFormat::Phantom => {
                    let size = self.size(first, line, "SIZE [TAG]")?;
                    (AmmoRequest::Raw(self.read_sized(size, line, keep)?), rest)
                }
                AmmoFormat::UriPost => {
                    let size = self.size(first, line, "SIZE URI [TAG]")?;
                    let (uri, tag) = first_word(rest);
                    if uri.is_empty() {
                        return Err(
                            self.error(line, "a size line needs a URI after the size".into())
                        );
                    }
                    let body = self.read_sized(size, line, keep)?;
                    let request = AmmoRequest::Uri {
                        uri: uri.to_vec(),
                        body: Some(body),
                    };
                    (request, tag)
                }
                AmmoFormat::Uri => {
                    let request = AmmoRequest::Uri {
                        uri: first.to_vec(),
                        body: None,
                    };
                    (request, rest)
                }
            };
            return Ok(Some(AmmoEntry {
                line,
                request,
                tag: tag.to_vec(),
                headers: Rc::clone(&self.headers),
            }));
        }
    }
}

/// An opened, checked ammo file that hands out its requests in order,
/// cycling when `looping`.
#[derive(Debug)]
pub struct AmmoFile {
    reader: AmmoReader<BufReader<File>>,
    requests: u64,
    looping: bool,
    served: u64,
}

impl AmmoFile {
    /// Opens `path`, detects the format unless given, and reads the whole
    /// file once to check it. Errors say `PATH: line N: what`.
    pub fn open(
        path: &Path,
        format: Option<AmmoFormat>,
        looping: bool,
    ) -> Result<AmmoFile, String> {
        let name = path.display();
        let fail = |message: String| format!("{name}: {message}");
        let file = File::open(path).map_err(|error| fail(format!("cannot open: {error}")))?;
        let metadata = file
            .metadata()
            .map_err(|error| fail(format!("cannot read: {error}")))?;
        if !metadata.is_file() {
            return Err(fail("not a regular file".to_string()));
        }
        let mut input = BufReader::with_capacity(64 * 1024, file);
        let format = match format {
            Some(format) => format,
            None => detect(
                input
                    .fill_buf()
                    .map_err(|error| fail(format!("cannot read: {error}")))?,
            ),
        };
        let mut reader = AmmoReader::new(input, metadata.len(), format);
        let mut requests = 0u64;
        while reader
            .next_entry(false)
            .map_err(|error| fail(format!("{error} ({} format)", format.name())))?
            .is_some()
        {
            requests += 1;
        }
        if requests == 0 {
            return Err(fail(format!(
                "no requests in the file ({} format)",
                format.name()
            )));
        }
        reader.rewind().map_err(|error| fail(error.to_string()))?;
        Ok(AmmoFile {
            reader,
            requests,
            looping,
            served: 0,
        })
    }

    pub fn format(&self) -> AmmoFormat {
        self.reader.format()
    }

    /// Number of requests in the file.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// True with `--ammo-loop`.
    pub fn is_looping(&self) -> bool {
        self.looping
    }

    /// True when no request is left (never with `--ammo-loop`).
    pub fn is_exhausted(&self) -> bool {
        !self.looping && self.served >= self.requests
    }

    /// Hands out no more requests (after a read error).
    pub fn abandon(&mut self) {
        self.looping = false;
        self.served = self.requests;
    }

    /// The next request, `None` once the file is exhausted. An error means
    /// the file changed since it was checked.
    pub fn next_entry(&mut self) -> Result<Option<AmmoEntry>, AmmoError> {
        if self.is_exhausted() {
            return Ok(None);
        }
        let entry = match self.reader.next_entry(true)? {
            Some(entry) => entry,
            None => {
                self.reader.rewind()?;
                match self.reader.next_entry(true)? {
                    Some(entry) => entry,
                    None => return Ok(None),
                }
            }
        };
        self.served += 1;
        if self.looping && self.served.is_multiple_of(self.requests) {
            self.reader.rewind()?;
        }
        Ok(Some(entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn entries(bytes: &[u8], format: AmmoFormat) -> Result<Vec<AmmoEntry>, AmmoError> {
        let mut reader = AmmoReader::new(Cursor::new(bytes), bytes.len() as u64, format);
        let mut all = Vec::new();
        while let Some(entry) = reader.next_entry(true)? {
            all.push(entry);
        }
        Ok(all)
    }

    fn uri(entry: &AmmoEntry) -> &[u8] {
        match &entry.request {
            AmmoRequest::Uri { uri, .. } => uri,
            AmmoRequest::Raw(_) => b"",
        }
    }

    #[test]
    fn uri_lines_take_the_headers_above_them_and_optional_tags() {
        let file = b"[Host: example.org]\r\n[Connection: close]\n/a\n\n/b tag b\n[Connection:]\n\
                     [host: other]\n# comment\n/c\n";
        let all = entries(file, AmmoFormat::Uri).expect("valid");
        assert_eq!(all.len(), 3);
        assert_eq!(
            (uri(&all[0]), all[0].tag.as_slice(), all[0].line),
            (&b"/a"[..], &b""[..], 3)
        );
        assert_eq!(
            *all[0].headers,
            [
                (b"Host".to_vec(), b"example.org".to_vec()),
                (b"Connection".to_vec(), b"close".to_vec())
            ]
        );
        assert_eq!(
            (uri(&all[1]), all[1].tag.as_slice()),
            (&b"/b"[..], &b"tag b"[..])
        );
        assert_eq!(*all[2].headers, [(b"Host".to_vec(), b"other".to_vec())]);
        assert_eq!(all[2].line, 9);
    }

    #[test]
    fn leading_blanks_before_a_uri_are_skipped() {
        let all = entries(b"\t /a tag\n", AmmoFormat::Uri).expect("valid");
        assert_eq!(
            (uri(&all[0]), all[0].tag.as_slice()),
            (&b"/a"[..], &b"tag"[..])
        );
    }

    #[test]
    fn uripost_entries_carry_their_bodies() {
        let file = b"[Content-Type: text/plain]\n5 /post first\nhello\n3 /p2\na\nb\n/x";
        let all = entries(file, AmmoFormat::UriPost);
        // The last line is no size line.
        let error = all.expect_err("/x is not SIZE URI");
        assert_eq!(error.line, 7);
        assert!(
            error.message.contains("expected 'SIZE URI [TAG]'"),
            "{error}"
        );
        let all = entries(&file[..file.len() - 2], AmmoFormat::UriPost).expect("valid");
        assert_eq!(
            all[0].request,
            AmmoRequest::Uri {
                uri: b"/post".to_vec(),
                body: Some(b"hello".to_vec())
            }
        );
        assert_eq!(all[0].tag, b"first");
        assert_eq!(
            all[1].request,
            AmmoRequest::Uri {
                uri: b"/p2".to_vec(),
                body: Some(b"a\nb".to_vec())
            }
        );
        assert_eq!(all[1].line, 4);
    }

    #[test]
    fn phantom_entries_are_exact_bytes_and_line_numbers_count_them() {
        let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        let mut file = format!("{} first\n", request.len()).into_bytes();
        file.extend_from_slice(request);
        file.extend_from_slice(b"\n\n3\nabc\n1 x\n");
        let error = entries(&file, AmmoFormat::Phantom).expect_err("truncated");
        assert_eq!(error.line, 9);
        assert!(error
            .message
            .contains("size 1 is larger than the rest of the file (0 bytes)"));
        file.push(b'z');
        let all = entries(&file, AmmoFormat::Phantom).expect("valid");
        assert_eq!(all[0].request, AmmoRequest::Raw(request.to_vec()));
        assert_eq!((all[0].tag.as_slice(), all[0].line), (&b"first"[..], 1));
        assert_eq!(
            (all[1].request.clone(), all[1].line),
            (AmmoRequest::Raw(b"abc".to_vec()), 7)
        );
    }

    #[test]
    fn bad_files_name_the_line() {
        let cases: &[(&[u8], AmmoFormat, u64, &str)] = &[
            (
                b"10 t\nshort",
                AmmoFormat::Phantom,
                1,
                "larger than the rest",
            ),
            (
                b"GET / HTTP/1.1\n",
                AmmoFormat::Phantom,
                1,
                "expected 'SIZE [TAG]'",
            ),
            (b"0\n", AmmoFormat::Phantom, 1, "size 0"),
            (
                b"99999999999999999999999 t\n",
                AmmoFormat::Phantom,
                1,
                "too large",
            ),
            (b"999999999 t\n", AmmoFormat::Phantom, 1, "over the limit"),
            (
                b"/a\n/b\x00\x01\n",
                AmmoFormat::Uri,
                2,
                "binary data (byte 0x00)",
            ),
            (
                b"[Host example]\n/a\n",
                AmmoFormat::Uri,
                1,
                "expected '[Name: value]'",
            ),
            (b"[Host: example\n", AmmoFormat::Uri, 1, "must end with ']'"),
            (b"5\n/a\n", AmmoFormat::UriPost, 1, "needs a URI"),
            (b"\t5\n/a\n", AmmoFormat::UriPost, 1, "needs a URI"),
        ];
        for (file, format, line, message) in cases {
            let error = entries(file, *format).expect_err(message);
            assert_eq!(error.line, *line, "{error}");
            assert!(error.message.contains(message), "{error}");
        }
        let mut many: Vec<u8> = (0..MAX_HEADERS_IN_FORCE)
            .flat_map(|i| format!("[X-H{i}: v]\n").into_bytes())
            .collect();
        // Replacing and removing headers at the limit is fine; one more is not.
        many.extend_from_slice(b"[x-h0: w]\n[X-H1:]\n[X-New: v]\n/a\n[X-Other: v]\n/b\n");
        let error = entries(&many, AmmoFormat::Uri).expect_err("too many headers");
        assert_eq!(error.line, MAX_HEADERS_IN_FORCE as u64 + 5, "{error}");
        assert!(
            error.message.contains("more than 1000 headers in force"),
            "{error}"
        );
        // Bytes: 17 headers of 64,000-byte values pass 1 MiB; replacing one
        // by a short value first keeps the total under it.
        let value = "v".repeat(64_000);
        let mut big: Vec<u8> = (0..16)
            .flat_map(|i| format!("[X-H{i}: {value}]\n").into_bytes())
            .collect();
        big.extend_from_slice(b"/a\n[X-H0: short]\n");
        big.extend_from_slice(format!("[X-H16: {value}]\n/b\n[X-H17: {value}]\n/c\n").as_bytes());
        let error = entries(&big, AmmoFormat::Uri).expect_err("too many header bytes");
        assert_eq!(error.line, 21, "{error}");
        assert!(error.message.contains("more than 1048576 bytes"), "{error}");
        let long = vec![b'a'; MAX_LINE_BYTES + 10];
        let error = entries(&long, AmmoFormat::Uri).expect_err("long line");
        assert!(error.message.contains("longer than"), "{error}");
    }

    #[test]
    fn the_format_is_detected_from_the_first_entry() {
        assert_eq!(detect(b"/index.html\n"), AmmoFormat::Uri);
        assert_eq!(detect(b"[Host: a]\n/index.html tag\n"), AmmoFormat::Uri);
        assert_eq!(detect(b"\n5 /post\nhello"), AmmoFormat::UriPost);
        assert_eq!(detect(b"[Host: a]\n5 tag\nhello"), AmmoFormat::UriPost);
        assert_eq!(
            detect(b"27 good\r\nGET / HTTP/1.1\r\n"),
            AmmoFormat::Phantom
        );
        assert_eq!(detect(b"27\nGET / HTTP/1.1\r\n"), AmmoFormat::Phantom);
        assert_eq!(detect(b""), AmmoFormat::Uri);
    }
}
