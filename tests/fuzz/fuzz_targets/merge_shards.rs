//! `httperf-rs merge` on hostile shards: JSON documents read back with
//! `results::json::from_str` and merged: never a panic, a hang or unbounded
//! memory, whatever their counts, times, series and histograms say; a
//! merged report renders whenever the merge succeeds.
//!
//! Input: up to four documents separated by NUL bytes.
#![no_main]

use httperf_rs::results::json;
use httperf_rs::results::merge::{self, MergeContext, NamedDocument};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let shards: Vec<NamedDocument> = data
        .split(|&b| b == 0)
        .take(4)
        .enumerate()
        .filter_map(|(index, part)| {
            let text = std::str::from_utf8(part).ok()?;
            Some(NamedDocument {
                name: format!("shard {index}"),
                document: json::from_str(text).ok()?,
            })
        })
        .collect();
    let context = MergeContext {
        args: &[],
        percentiles: &[50.0, 99.0],
    };
    if let Ok(document) = merge::merge(&shards, &context) {
        let _ = merge::report_text(&document, Some(&[50.0, 99.9]));
        let _ = json::to_string(&document);
    }
});
