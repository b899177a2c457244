//! The `--ammo` parser on arbitrary file contents, in each format and with
//! the format detected: never a panic; every error names a line within the
//! file; entries come out in file order with line numbers that grow, each
//! raw request no larger than the file, and each one makes a request (a raw
//! one byte for byte).
//!
//! Input: byte 0 chooses the format (0 uri, 1 uripost, 2 phantom, else
//! detected), then the file.
#![no_main]

use httperf_rs::workload::ammo::{detect, AmmoFormat, AmmoReader, AmmoRequest};
use httperf_rs::workload::RequestFactory;
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, file)) = data.split_first() else {
        return;
    };
    let format = match choice % 4 {
        0 => AmmoFormat::Uri,
        1 => AmmoFormat::UriPost,
        2 => AmmoFormat::Phantom,
        _ => detect(file),
    };
    let lines = file.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let requests = RequestFactory::new(b"GET", (1, 1), Some(b"localhost".to_vec()), Vec::new());
    for keep in [true, false] {
        let mut reader = AmmoReader::new(Cursor::new(file), file.len() as u64, format);
        let mut last_line = 0;
        loop {
            match reader.next_entry(keep) {
                Ok(Some(entry)) => {
                    assert!(entry.line > last_line && entry.line <= lines);
                    last_line = entry.line;
                    if !keep {
                        continue;
                    }
                    let (bytes, _) = requests.request_for_ammo(&entry);
                    match &entry.request {
                        AmmoRequest::Raw(raw) => {
                            assert!(!raw.is_empty() && raw.len() <= file.len());
                            assert_eq!([bytes.head.as_slice(), &bytes.body].concat(), *raw);
                        }
                        AmmoRequest::Uri { uri, body } => {
                            assert!(!uri.is_empty());
                            assert!(bytes.head.ends_with(b"\r\n\r\n"));
                            assert_eq!(bytes.body, body.clone().unwrap_or_default());
                        }
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    assert!(error.line >= 1 && error.line <= lines, "{error}");
                    assert!(!error.message.is_empty());
                    break;
                }
            }
        }
    }
});
