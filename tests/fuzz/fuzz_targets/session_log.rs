//! The `--wsesslog` session-file parser on arbitrary file contents: never a
//! panic, and a successful parse always has sessions made of non-empty
//! bursts, each request with a known method and a URI free of separators.
//!
//! Input: byte 0 = default think time in tenths of a second, then the file.
#![no_main]

use httperf_rs::workload::session_log::parse;
use libfuzzer_sys::fuzz_target;

const METHODS: [&str; 9] = [
    "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PROPFIND", "REPORT", "TRACE",
];

fuzz_target!(|data: &[u8]| {
    let Some((&think, file)) = data.split_first() else {
        return;
    };
    let default_think_s = f64::from(think) / 10.0;
    match parse(file, "fuzz.log", default_think_s) {
        Ok(sessions) => {
            assert!(!sessions.is_empty());
            for session in &sessions {
                assert!(!session.bursts.is_empty(), "empty session");
                assert!(session.request_count() > 0);
                for burst in &session.bursts {
                    assert!(!burst.requests.is_empty(), "empty burst");
                    for request in &burst.requests {
                        assert!(METHODS.contains(&request.method));
                        assert!(!request.uri.is_empty(), "empty URI");
                        assert!(
                            !request.uri.bytes().any(|b| matches!(
                                b,
                                b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0
                            )),
                            "separator in URI {:?}",
                            request.uri
                        );
                    }
                }
            }
        }
        Err(error) => {
            assert!(!error.message.is_empty());
            let _ = error.location("fuzz.log");
            let _ = error.to_string();
        }
    }
});
