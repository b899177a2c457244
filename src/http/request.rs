//! Serialising a request into httperf's exact bytes, and `--add-header` escape processing.

/// What one request is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    /// (major, minor); only 1.0 and 1.1 are valid.
    pub version: (u32, u32),
    /// Host header value; `None` for `--no-host-hdr`.
    pub host: Option<&'a str>,
    /// Extra header blocks in order, each already ending in CRLF (or not, as the user gave it).
    pub extra_headers: &'a [&'a [u8]],
    pub body: &'a [u8],
}

/// The bytes of one request: `head` is everything up to and including the final
/// empty line, `body` follows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestBytes {
    pub head: Vec<u8>,
    pub body: Vec<u8>,
}

pub fn build(spec: &RequestSpec<'_>) -> RequestBytes {
    let mut head = Vec::new();
    head.extend_from_slice(spec.method.as_bytes());
    RequestBytes {
        head,
        body: spec.body.to_vec(),
    }
}

/// Result of `--add-header` escape processing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unescaped {
    pub bytes: Vec<u8>,
    /// Characters that followed a backslash but are not a known escape, in order.
    pub unknown_escapes: Vec<char>,
}

pub fn unescape_add_header(raw: &str) -> Unescaped {
    Unescaped {
        bytes: raw.as_bytes().to_vec(),
        unknown_escapes: Vec::new(),
    }
}
