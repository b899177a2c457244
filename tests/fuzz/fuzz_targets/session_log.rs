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
    match parse(file.to_vec(), b"fuzz.log", default_think_s) {
        Ok(log) => {
            assert!(log.session_count() > 0);
            for session in 0..log.session_count() {
                let burst_count = log.burst_count(session);
                assert!(burst_count > 0, "empty session");
                assert!(log.burst(session, burst_count).is_none());
                let mut requests_in_bursts = 0;
                for index in 0..burst_count {
                    let burst = log.burst(session, index).expect("burst within count");
                    let mut requests_in_burst = 0;
                    for request in burst.requests() {
                        requests_in_burst += 1;
                        assert!(METHODS.contains(&request.method));
                        assert!(!request.uri.is_empty(), "empty URI");
                        assert!(
                            !request.uri.iter().any(|&b| matches!(
                                b,
                                b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0
                            )),
                            "separator in URI {:?}",
                            request.uri
                        );
                    }
                    assert!(requests_in_burst > 0, "empty burst");
                    requests_in_bursts += requests_in_burst;
                }
                assert_eq!(log.request_count(session), requests_in_bursts);
            }
            assert!(log.burst(log.session_count(), 0).is_none());
        }
        Err(error) => {
            assert!(!error.message.is_empty());
            let _ = error.location(b"fuzz.log");
            let _ = error.to_string();
        }
    }
});
