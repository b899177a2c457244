//! The `--wlog` reader on arbitrary file contents: never a panic; the URIs
//! come out in file order, each non-empty and NUL-free; without wrap the log
//! ends (once) after its last URI, with wrap it starts over; and each URI
//! makes a request whose request line carries it unchanged.
//!
//! Input: byte 0 bit 0 = wrap (`--wlog=y,F`), then the file.
#![no_main]

use httperf_rs::workload::uri::{NextUri, UriLog, UriSource};
use httperf_rs::workload::RequestFactory;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, file)) = data.split_first() else {
        return;
    };
    let wrap = flags & 1 != 0;
    let log = match UriLog::from_bytes(file.to_vec(), Path::new("fuzz.log"), wrap) {
        Ok(log) => log,
        Err(message) => {
            assert!(!message.is_empty());
            return;
        }
    };
    let expected: Vec<&[u8]> = file
        .split(|&b| b == 0)
        .filter(|uri| !uri.is_empty())
        .collect();
    assert!(!expected.is_empty());
    let mut source = UriSource::Log(log);
    assert!(source.is_generated());
    let mut requests = RequestFactory::new(b"GET", (1, 1), Some(b"localhost".to_vec()), Vec::new());
    // Two rounds through the log, bounded so a huge log stays quick.
    let rounds = expected.len().min(64) * 2 + 1;
    for call in 0..rounds {
        let index = call % (expected.len() + usize::from(!wrap));
        match source.next_uri() {
            NextUri::Uri(uri) => {
                assert!(index < expected.len(), "log did not end");
                assert_eq!(uri, expected[index]);
                let (bytes, is_head) = requests.request_for(&uri);
                assert!(!is_head);
                let mut line = b"GET ".to_vec();
                line.extend_from_slice(&uri);
                line.extend_from_slice(b" HTTP/1.1\r\n");
                assert!(bytes.head.starts_with(&line));
                assert!(bytes.body.is_empty());
            }
            NextUri::LogExhausted(first) => {
                assert!(!wrap, "a wrapping log ended");
                assert_eq!(index, expected.len(), "log ended early");
                assert_eq!(first, expected[0]);
            }
        }
        if expected.len() > 64 && call >= 64 {
            break;
        }
    }
});
