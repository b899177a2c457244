//! `--wsesspage`: finds the embedded objects of an HTML reply — the `src` of
//! `<img>`, `<frame>` and `<iframe>` tags — and turns each reference into a
//! URI to fetch from the same server. Pure and streaming: the body is fed in
//! whatever pieces the connection delivers, with bounded memory.
//!
//! What counts as HTML is httperf's rule: a header line beginning
//! `Content-Type: text/html` (case-insensitive, exactly one space).
//!
//! Scanning rules: tag and attribute names are case-insensitive; a value is
//! quoted (`"…"`, and also `'…'`, which httperf does not know: it would fetch
//! the quotes as part of the URI) or unquoted up to whitespace or `>`; a `>`
//! inside a quoted value does not end the tag; `<!-- … -->` is skipped up to
//! the first `-->`. A tag longer than [`MAX_TAG_BYTES`] is dropped, which
//! keeps the scanner's memory bounded whatever the peer sends. A reference is
//! trimmed of surrounding whitespace, loses its `#fragment`, and has TAB, CR
//! and LF removed and other bytes that cannot appear in a request line
//! (controls, space, DEL, non-ASCII) percent-encoded, as browsers do; an empty
//! one is skipped. Nothing is decoded (no `&amp;`) and dot segments are kept:
//! the server sees the path as written.

use crate::c::ctype;

/// Longest tag (bytes between `<` and `>`) the scanner keeps; longer ones are
/// dropped. Real `<img>` tags are far shorter.
pub const MAX_TAG_BYTES: usize = 4096;

/// `--wsesspage`: most embedded objects fetched for one user request, frames
/// within frames included, so a server whose every reply embeds more objects
/// cannot keep a session going forever.
pub const MAX_EMBEDDED_PER_PAGE: usize = 1000;

const HTML_CONTENT_TYPE: &[u8] = b"Content-Type: text/html";

/// Whether a reply header line (without its line end) marks an HTML body.
pub fn is_html_content_type(header_line: &[u8]) -> bool {
    ctype::starts_with_ignore_case(header_line, 0, HTML_CONTENT_TYPE)
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Text,
    /// Just after `<`: decides whether this is a tag at all.
    TagStart,
    Tag,
    Comment,
}

/// Streaming scanner over one reply body.
#[derive(Debug, Default)]
pub struct PageScanner {
    state: State,
    /// The current tag's bytes after `<`, up to [`MAX_TAG_BYTES`].
    tag: Vec<u8>,
    /// The current tag outgrew `tag` and will be dropped.
    overflow: bool,
    /// Inside a quoted attribute value: the closing quote.
    quote: Option<u8>,
    /// The last non-whitespace byte of the tag was `=`, so a quote opens a value.
    after_eq: bool,
    /// `-` bytes just seen inside a comment (capped at 2).
    dashes: u8,
}

impl PageScanner {
    /// Scans the next piece of the body, appending each embedded-object
    /// reference found to `found` (see the module doc for its form) while
    /// `found` holds fewer than `limit`; past that the piece is not scanned,
    /// so a page that never ends cannot grow the list without bound.
    pub fn feed(&mut self, piece: &[u8], found: &mut Vec<String>, limit: usize) {
        for &b in piece {
            if found.len() >= limit {
                return;
            }
            self.byte(b, found);
        }
    }

    fn byte(&mut self, b: u8, found: &mut Vec<String>) {
        match self.state {
            State::Text => {
                if b == b'<' {
                    self.start_tag();
                }
            }
            State::TagStart => {
                // As in HTML, `<` followed by anything but a letter or `!` is
                // text (`a < b`), so it cannot swallow the page up to a `>`.
                if b.is_ascii_alphabetic() || b == b'!' {
                    self.state = State::Tag;
                    self.tag_byte(b, found);
                } else if b != b'<' {
                    self.state = State::Text;
                }
            }
            State::Tag => self.tag_byte(b, found),
            State::Comment => {
                if b == b'>' && self.dashes >= 2 {
                    self.state = State::Text;
                } else if b == b'-' {
                    self.dashes = (self.dashes + 1).min(2);
                } else {
                    self.dashes = 0;
                }
            }
        }
    }

    fn start_tag(&mut self) {
        self.state = State::TagStart;
        self.tag.clear();
        self.overflow = false;
        self.quote = None;
        self.after_eq = false;
    }

    fn tag_byte(&mut self, b: u8, found: &mut Vec<String>) {
        if let Some(quote) = self.quote {
            if b == quote {
                self.quote = None;
            }
        } else if b == b'>' {
            self.state = State::Text;
            if !self.overflow {
                if let Some(reference) = embedded_reference(&self.tag) {
                    found.push(reference);
                }
            }
            return;
        } else if self.after_eq && (b == b'"' || b == b'\'') {
            self.quote = Some(b);
        }
        self.after_eq = b == b'=' || (self.after_eq && b.is_ascii_whitespace());
        if self.tag.len() < MAX_TAG_BYTES {
            self.tag.push(b);
        } else {
            self.overflow = true;
        }
        if self.tag == b"!--" {
            self.state = State::Comment;
            self.dashes = 0;
        }
    }
}

/// The cleaned-up `src` of a complete `img`/`frame`/`iframe` tag (the bytes
/// between `<` and `>`), if it has a usable one.
fn embedded_reference(tag: &[u8]) -> Option<String> {
    let name_end = tag
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'/')
        .unwrap_or(tag.len());
    let name = &tag[..name_end];
    if !["img", "frame", "iframe"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
    {
        return None;
    }
    clean_reference(src_value(&tag[name_end..])?)
}

/// The value of the first `src` attribute in `attrs` (HTML keeps the first of
/// duplicated attributes).
fn src_value(attrs: &[u8]) -> Option<&[u8]> {
    let at = |i: usize| attrs.get(i).copied();
    let skip = |mut i: usize, what: &dyn Fn(u8) -> bool| {
        while at(i).is_some_and(what) {
            i += 1;
        }
        i
    };
    let mut i = 0;
    loop {
        i = skip(i, &|b| b.is_ascii_whitespace() || b == b'/');
        if i >= attrs.len() {
            return None;
        }
        // A name takes at least one byte, so a stray `=` cannot stall the loop.
        let name_start = i;
        i = skip(i + 1, &|b| {
            !b.is_ascii_whitespace() && b != b'=' && b != b'/'
        });
        let name = &attrs[name_start..i];
        i = skip(i, &|b| b.is_ascii_whitespace());
        let mut value: &[u8] = b"";
        if at(i) == Some(b'=') {
            i = skip(i + 1, &|b| b.is_ascii_whitespace());
            match at(i) {
                Some(q @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    i = skip(start, &|b| b != q);
                    value = &attrs[start..i];
                    i += 1;
                }
                _ => {
                    let start = i;
                    i = skip(i, &|b| !b.is_ascii_whitespace());
                    value = &attrs[start..i];
                }
            }
        }
        if name.eq_ignore_ascii_case(b"src") {
            return Some(value);
        }
    }
}

/// The target of a `Location: ` header, cleaned up like an embedded
/// reference, so that no byte of it can break the request line it ends up in.
pub fn location_reference(target: &[u8]) -> Option<String> {
    clean_reference(target)
}

/// Makes a raw attribute value usable in a request line; `None` if nothing
/// is left.
fn clean_reference(raw: &[u8]) -> Option<String> {
    let raw = raw.trim_ascii();
    let raw = match raw.iter().position(|&b| b == b'#') {
        Some(hash) => &raw[..hash],
        None => raw,
    };
    let mut out = String::with_capacity(raw.len());
    for &b in raw {
        match b {
            b'\t' | b'\n' | b'\r' => {}
            0x21..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Resolves a found reference against the page URI: absolute
/// `http://<server>/...` (or `//<server>/...`) → its path if the host matches
/// `server` (else `None`: the caller prints "ignoring absolute URI", as it
/// does for other schemes such as `https:`); `/x` → as is; relative →
/// directory part of `page_uri` + reference.
pub fn resolve(reference: &str, page_uri: &str, server: &str) -> Option<String> {
    let reference = reference.split('#').next().unwrap_or_default();
    let authority = if ctype::starts_with_ignore_case(reference.as_bytes(), 0, b"http://") {
        Some(&reference["http://".len()..])
    } else {
        reference.strip_prefix("//")
    };
    if let Some(authority) = authority {
        let host_end = authority.find(['/', '?']).unwrap_or(authority.len());
        let (host, path) = authority.split_at(host_end);
        if !host.eq_ignore_ascii_case(server) {
            return None;
        }
        return Some(if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        });
    }
    if has_scheme(reference) || reference.is_empty() {
        return None;
    }
    if reference.starts_with('/') {
        return Some(reference.to_string());
    }
    let page_path = page_uri.split(['?', '#']).next().unwrap_or_default();
    if reference.starts_with('?') {
        return Some(format!("{page_path}{reference}"));
    }
    let directory = page_path
        .rfind('/')
        .map_or("/", |slash| &page_path[..=slash]);
    Some(format!("{directory}{reference}"))
}

/// RFC 3986 scheme (`mailto:`, `https:`, `javascript:` …) before any path.
fn has_scheme(reference: &str) -> bool {
    let b = reference.as_bytes();
    let Some(colon) = b.iter().position(|&c| c == b':') else {
        return false;
    };
    colon > 0
        && b[0].is_ascii_alphabetic()
        && b[1..colon]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(page: &[u8]) -> Vec<String> {
        let mut scanner = PageScanner::default();
        let mut found = Vec::new();
        scanner.feed(page, &mut found, usize::MAX);
        found
    }

    const PAGE: &[u8] = b"<!DOCTYPE html>\n<HTML><head><title>a < b</title></head>\n\
<body bgcolor=white>\n\
<!-- <img src=\"commented.gif\"> -- still comment > -->\n\
<IMG SRC=\"/a.gif\" alt='x > y'>\n\
<img alt=\"<img src=fake.gif>\" src=b.png width=3>\n\
<img\n\tsrc = \"c d.jpg\" >\n\
<frame src='/frames/top.html'/>\n\
<iFrame Src=inner.html>\n\
<imgx src=no.gif><img data-src=no2.gif><a src=no3.gif><script src=no4.js></script>\n\
<img src=\"\"><img src=#top><img><img src>\n\
<img src=\"  /sp.gif  \"><img src=\"/x\xc3\xa9.gif#frag\">\n\
</body></HTML>\n";

    const PAGE_FOUND: &[&str] = &[
        "/a.gif",
        "b.png",
        "c%20d.jpg",
        "/frames/top.html",
        "inner.html",
        "/sp.gif",
        "/x%C3%A9.gif",
    ];

    #[test]
    fn finds_embedded_objects() {
        assert_eq!(scan(PAGE), PAGE_FOUND);
    }

    #[test]
    fn split_at_every_byte_is_equivalent() {
        let mut scanner = PageScanner::default();
        let mut found = Vec::new();
        for b in PAGE {
            scanner.feed(std::slice::from_ref(b), &mut found, usize::MAX);
        }
        assert_eq!(found, PAGE_FOUND);
        for split in 0..=PAGE.len() {
            let mut scanner = PageScanner::default();
            let mut found = Vec::new();
            scanner.feed(&PAGE[..split], &mut found, usize::MAX);
            scanner.feed(&[], &mut found, usize::MAX);
            scanner.feed(&PAGE[split..], &mut found, usize::MAX);
            assert_eq!(found, PAGE_FOUND, "split at {split}");
        }
    }

    #[test]
    fn comments() {
        assert_eq!(scan(b"<!--<img src=a>--><img src=b>"), ["b"]);
        assert_eq!(scan(b"<!-- -- > <img src=a> - -> --><img src=b>"), ["b"]);
        assert_eq!(scan(b"<!----><img src=b>"), ["b"]);
        assert_eq!(scan(b"<!---><img src=a>--><img src=b>"), ["b"]);
        // Unterminated: nothing after it counts.
        assert!(scan(b"<!-- <img src=a>").is_empty());
        // `<!x>` is not a comment.
        assert_eq!(scan(b"<!x><img src=b>"), ["b"]);
    }

    #[test]
    fn quoting_and_case() {
        assert_eq!(scan(b"<img src=\"a b>c\">"), ["a%20b>c"]);
        assert_eq!(scan(b"<img src='a\"b'>"), ["a\"b"]);
        assert_eq!(scan(b"<img src=a\"b>"), ["a\"b"]);
        assert_eq!(scan(b"<img src=a.gif/>"), ["a.gif/"]);
        assert_eq!(scan(b"<img src=a.gif />"), ["a.gif"]);
        assert_eq!(scan(b"<IMG SrC=A.GIF>"), ["A.GIF"]);
        assert_eq!(scan(b"<img src=a src=b>"), ["a"]);
        assert_eq!(scan(b"<img title=x=y src=a>"), ["a"]);
        assert_eq!(scan(b"<img = src=a>"), ["a"]);
        assert_eq!(scan(b"<img src=\"a\nb\">"), ["ab"]);
        // An unterminated quote runs to the end of the body.
        assert!(scan(b"<img src=\"a> <img src=b>").is_empty());
        // A `<` before a letter restarts the tag.
        assert_eq!(scan(b"<<img src=a>"), ["a"]);
        assert_eq!(scan(b"x < 3 and y > 2 <img src=a>"), ["a"]);
    }

    #[test]
    fn long_tags_are_dropped() {
        let mut page = b"<img alt=\"".to_vec();
        page.extend(std::iter::repeat_n(b'x', MAX_TAG_BYTES));
        page.extend_from_slice(b"\" src=lost.gif><img src=kept.gif>");
        assert_eq!(scan(&page), ["kept.gif"]);
        let mut scanner = PageScanner::default();
        scanner.feed(&page, &mut Vec::new(), usize::MAX);
        assert!(scanner.tag.capacity() <= 2 * MAX_TAG_BYTES);
        // Just under the limit is kept.
        let src = format!("/{}", "y".repeat(MAX_TAG_BYTES - "img src=/".len()));
        assert_eq!(scan(format!("<img src={src}>").as_bytes()), [src]);
    }

    #[test]
    fn location_targets_cannot_break_a_request_line() {
        assert_eq!(
            location_reference(b"/next.html").as_deref(),
            Some("/next.html")
        );
        assert_eq!(
            location_reference(b"/x\rX-Inj: 1").as_deref(),
            Some("/xX-Inj:%201")
        );
        assert_eq!(
            location_reference(b"/a\0b\xff#frag").as_deref(),
            Some("/a%00b%FF")
        );
        assert_eq!(location_reference(b" \r"), None);
    }

    #[test]
    fn scanning_stops_at_the_limit() {
        let page = b"<img src=a><img src=b><img src=c><img src=d>";
        let mut scanner = PageScanner::default();
        let mut found = Vec::new();
        scanner.feed(page, &mut found, 2);
        assert_eq!(found, ["a", "b"]);
        scanner.feed(page, &mut found, 2);
        assert_eq!(found, ["a", "b"]);
        scanner.feed(b"", &mut found, 3);
        scanner.feed(b"<img src=e>", &mut found, 3);
        assert_eq!(found, ["a", "b", "e"]);
    }

    #[test]
    fn html_content_type() {
        assert!(is_html_content_type(b"Content-Type: text/html"));
        assert!(is_html_content_type(
            b"content-type: TEXT/HTML; charset=utf-8"
        ));
        assert!(!is_html_content_type(b"Content-Type:text/html"));
        assert!(!is_html_content_type(b"Content-Type:  text/html"));
        assert!(!is_html_content_type(b"Content-Type: text/plain"));
        assert!(!is_html_content_type(b"X-Content-Type: text/html"));
        assert!(!is_html_content_type(b"Content-Type: text/htm"));
        assert!(!is_html_content_type(b""));
    }

    #[test]
    fn resolution() {
        let r = |reference| resolve(reference, "/dir/sub/page.html?q=/x", "www.example.com");
        assert_eq!(r("/abs.gif").as_deref(), Some("/abs.gif"));
        assert_eq!(r("rel.gif").as_deref(), Some("/dir/sub/rel.gif"));
        assert_eq!(r("img/rel.gif").as_deref(), Some("/dir/sub/img/rel.gif"));
        assert_eq!(r("../up.gif").as_deref(), Some("/dir/sub/../up.gif"));
        assert_eq!(r("?other").as_deref(), Some("/dir/sub/page.html?other"));
        assert_eq!(r("rel.gif#frag").as_deref(), Some("/dir/sub/rel.gif"));
        assert_eq!(
            r("http://www.example.com/p/x.gif?a=1").as_deref(),
            Some("/p/x.gif?a=1")
        );
        assert_eq!(r("HTTP://WWW.Example.COM/x").as_deref(), Some("/x"));
        assert_eq!(r("http://www.example.com").as_deref(), Some("/"));
        assert_eq!(r("http://www.example.com?a").as_deref(), Some("/?a"));
        assert_eq!(r("//www.example.com/y").as_deref(), Some("/y"));
        assert_eq!(r("http://other.example.com/x"), None);
        assert_eq!(r("http://www.example.com:8080/x"), None);
        assert_eq!(r("http://www.example.com.evil/x"), None);
        assert_eq!(r("https://www.example.com/x"), None);
        assert_eq!(r("javascript:void(0)"), None);
        assert_eq!(r("data:image/gif;base64,AAAA"), None);
        assert_eq!(r(""), None);
        assert_eq!(r("#only"), None);
        assert_eq!(
            resolve("a.gif", "/page.html", "s").as_deref(),
            Some("/a.gif")
        );
        assert_eq!(resolve("a.gif", "/", "s").as_deref(), Some("/a.gif"));
        assert_eq!(resolve("a.gif", "nodir", "s").as_deref(), Some("/a.gif"));
        assert_eq!(resolve("a:b/c", "/", "s"), None);
        assert_eq!(resolve("./a:b", "/", "s").as_deref(), Some("/./a:b"));
        assert_eq!(resolve(":x", "/", "s").as_deref(), Some("/:x"));
    }

    #[test]
    fn garbage_never_panics() {
        const PIECES: &[&[u8]] = &[
            b"<",
            b">",
            b"<img",
            b"<IFRAME",
            b"<frame",
            b" src=",
            b"SRC",
            b"=",
            b"\"",
            b"'",
            b"<!--",
            b"-->",
            b"-",
            b"!",
            b" ",
            b"\n",
            b"/",
            b"#",
            b"a",
            b"\xff",
            b"\0",
            b"http://s/",
            b"//",
            b":",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for round in 0..5000 {
            let mut page = Vec::new();
            for _ in 0..next() % 60 {
                if round % 3 == 0 {
                    page.push(next() as u8);
                } else {
                    page.extend_from_slice(PIECES[next() % PIECES.len()]);
                }
            }
            let whole = scan(&page);
            // Two random cuts must not change the result.
            let a = next() % (page.len() + 1);
            let b = a + next() % (page.len() - a + 1);
            let mut scanner = PageScanner::default();
            let mut found = Vec::new();
            for part in [&page[..a], &page[a..b], &page[b..]] {
                scanner.feed(part, &mut found, usize::MAX);
            }
            assert_eq!(found, whole);
            for reference in &whole {
                assert!(!reference.is_empty());
                assert!(reference.bytes().all(|b| (0x21..=0x7e).contains(&b)));
                if let Some(uri) = resolve(reference, "/d/p.html", "s") {
                    assert!(uri.starts_with('/'));
                }
            }
            let text = String::from_utf8_lossy(&page);
            let _ = resolve(&text, &text, "s");
        }
    }
}
