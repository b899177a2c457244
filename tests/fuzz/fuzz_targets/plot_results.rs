//! `httperf-rs plot` on an arbitrary result file: reading it either fails
//! with a message naming the file, or gives a run that draws as a page of
//! five charts, whose text and attributes from the file are escaped (no
//! markup of the file's own reaches the page).
//!
//! Input: the text of a result file (seeds: real `--json` documents).
#![no_main]

use httperf_rs::plot::{model, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match model::from_text("fuzz.json", text, "label".to_string()) {
        Err(message) => assert!(message.starts_with("fuzz.json: "), "{message}"),
        Ok(run) => {
            let (page, charts) = render(&[run]);
            assert_eq!(charts.len(), 5);
            assert!(page.starts_with("<!DOCTYPE html>"));
            assert_eq!(page.matches("<svg ").count(), 5);
            assert_eq!(page.matches("</svg>").count(), 5);
            assert!(!page.contains("<script"));
        }
    }
});
