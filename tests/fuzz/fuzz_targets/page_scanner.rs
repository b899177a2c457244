//! The `--wsesspage` HTML scanner on an arbitrary body, fed once whole and
//! once split at fuzzer-chosen points: never a panic, the same references
//! whatever the split, each reference printable ASCII without `#`, and every
//! reference that resolves against a clean page URI gives a URI that fits a
//! request line (printable ASCII, starting with `/`); a limit keeps exactly
//! the first references.
//!
//! Input: byte 0 = which page URI and server (see `PAGES`), byte 1 = number
//! of split points (mod 16), then that many u16 LE positions, then the body.
#![no_main]

use httperf_rs::http::page::{is_html_content_type, resolve, PageScanner, MAX_EMBEDDED_PER_PAGE};
use libfuzzer_sys::fuzz_target;

const PAGES: [(&str, &str); 4] = [
    ("/", "localhost"),
    ("/dir/page.html", "example.com"),
    ("/dir/sub/?q=1#frag", "127.0.0.1"),
    ("/a", "[::1]"),
];

/// A small limit, so the fuzzer reaches the point where scanning stops.
const SMALL_LIMIT: usize = 3;

fn scan<'a>(pieces: impl Iterator<Item = &'a [u8]>, limit: usize) -> Vec<String> {
    let mut scanner = PageScanner::default();
    let mut found = Vec::new();
    for piece in pieces {
        scanner.feed(piece, &mut found, limit);
    }
    found
}

fn fits_request_line(uri: &str) -> bool {
    uri.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

fuzz_target!(|data: &[u8]| {
    let Some((&page, rest)) = data.split_first() else {
        return;
    };
    let Some((&split_count, mut rest)) = rest.split_first() else {
        return;
    };
    let mut splits = Vec::new();
    for _ in 0..split_count % 16 {
        let Some((position, tail)) = rest.split_first_chunk::<2>() else {
            return;
        };
        splits.push(usize::from(u16::from_le_bytes(*position)));
        rest = tail;
    }
    let body = rest;
    for split in &mut splits {
        *split %= body.len() + 1;
    }
    splits.sort_unstable();
    splits.push(body.len());
    let _ = is_html_content_type(body);

    let whole = scan(std::iter::once(body), MAX_EMBEDDED_PER_PAGE);
    let mut start = 0;
    let split = scan(
        splits.iter().map(|&end| {
            let piece = &body[start..end];
            start = end;
            piece
        }),
        MAX_EMBEDDED_PER_PAGE,
    );
    assert_eq!(whole, split, "references depend on how the body was split");
    assert!(whole.len() <= body.len(), "more references than bytes");
    assert!(whole.len() <= MAX_EMBEDDED_PER_PAGE, "limit not kept");
    let limited = scan(std::iter::once(body), SMALL_LIMIT);
    assert_eq!(
        limited,
        whole[..whole.len().min(SMALL_LIMIT)],
        "a limit must keep the first references and no others"
    );

    let (page_uri, server) = PAGES[usize::from(page) % PAGES.len()];
    for reference in &whole {
        assert!(!reference.is_empty());
        assert!(fits_request_line(reference), "reference {reference:?}");
        assert!(!reference.contains('#'), "fragment kept in {reference:?}");
        if let Some(uri) = resolve(reference, page_uri, server) {
            assert!(uri.starts_with('/'), "{reference:?} resolved to {uri:?}");
            assert!(fits_request_line(&uri), "{reference:?} resolved to {uri:?}");
        }
    }
});
