//! The bounded, mergeable latency histograms behind `--percentiles` and
//! `--json`: one HdrHistogram per measure (microseconds, 3 significant
//! digits, up to a day), their percentiles, and their HdrHistogram V2
//! compressed encoding (base64), which every HdrHistogram implementation
//! reads. Memory is fixed when a histogram is created, whatever the number
//! of values recorded, and a histogram read from a file is checked first so
//! that it cannot ask for more.

use std::borrow::Cow;
use std::io::Read;

use base64::Engine as _;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;

use crate::stats::summary::HandshakeTimes;

/// Highest value kept, in microseconds (one day); longer ones count as this.
pub const HIGHEST_US: u64 = 86_400_000_000;
/// Significant decimal digits kept for every value (0.1 % resolution).
pub const SIGNIFICANT_DIGITS: u8 = 3;
/// The percentiles `--percentiles` prints when it is given no list.
pub const DEFAULT_PERCENTILES: [f64; 5] = [50.0, 90.0, 99.0, 99.9, 99.99];

/// One measure's distribution, in microseconds.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    histogram: Histogram<u64>,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram::with_digits(SIGNIFICANT_DIGITS)
    }
}

impl PartialEq for LatencyHistogram {
    fn eq(&self, other: &Self) -> bool {
        self.histogram == other.histogram
    }
}

impl LatencyHistogram {
    /// A histogram of `digits` significant digits (the per-second series use
    /// fewer, to stay small).
    pub fn with_digits(digits: u8) -> LatencyHistogram {
        // Constant bounds (1 µs to a day, at most 3 digits) that the crate
        // always accepts: no input reaches this.
        #[allow(clippy::expect_used)]
        let histogram = Histogram::new_with_bounds(1, HIGHEST_US, digits.clamp(1, 3))
            .expect("constant histogram bounds are valid");
        LatencyHistogram { histogram }
    }

    /// Records a duration given in nanoseconds (rounded to the nearest
    /// microsecond; values beyond a day count as a day).
    pub fn record_ns(&mut self, ns: u64) {
        self.histogram
            .saturating_record(ns.saturating_add(500) / 1000);
    }

    /// Records a duration in seconds.
    pub fn record_s(&mut self, seconds: f64) {
        let us = if seconds.is_finite() && seconds > 0.0 {
            (seconds * 1e6).round().min(HIGHEST_US as f64) as u64
        } else {
            0
        };
        self.histogram.saturating_record(us);
    }

    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// The value at percentile `p` (0–100), in milliseconds; 0 when empty.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.histogram.is_empty() {
            return 0.0;
        }
        self.histogram.value_at_quantile(p / 100.0) as f64 / 1000.0
    }

    /// The largest value recorded (within the histogram's resolution), ms.
    pub fn max_ms(&self) -> f64 {
        if self.histogram.is_empty() {
            return 0.0;
        }
        self.histogram.max() as f64 / 1000.0
    }

    /// The smallest value recorded (within the histogram's resolution), ms.
    pub fn min_ms(&self) -> f64 {
        if self.histogram.is_empty() {
            return 0.0;
        }
        self.histogram.min() as f64 / 1000.0
    }

    pub fn mean_ms(&self) -> f64 {
        if self.histogram.is_empty() {
            return 0.0;
        }
        self.histogram.mean() / 1000.0
    }

    pub fn reset(&mut self) {
        self.histogram.reset();
    }

    /// Adds every value of `other` (merging runs).
    pub fn add(&mut self, other: &LatencyHistogram) {
        if self.histogram.add(&other.histogram).is_err() {
            // Both histograms share bounds, so this cannot happen; keep the
            // values anyway, clamped, rather than drop them.
            for value in other.histogram.iter_recorded() {
                self.histogram
                    .saturating_record_n(value.value_iterated_to(), value.count_at_value());
            }
        }
    }

    /// HdrHistogram's V2 compressed encoding, base64 (the "HISTF…" strings).
    pub fn to_base64(&self) -> String {
        let mut bytes = Vec::new();
        match V2DeflateSerializer::new().serialize(&self.histogram, &mut bytes) {
            Ok(_) => base64::engine::general_purpose::STANDARD.encode(bytes),
            Err(_) => String::new(),
        }
    }

    /// Decodes [`to_base64`](Self::to_base64)'s form (or any V2 histogram,
    /// compressed or not, within this program's bounds: 1 to 3 significant
    /// digits, values from 1 to [`HIGHEST_US`], the payload all there).
    pub fn from_base64(text: &str) -> Result<LatencyHistogram, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|error| format!("not base64: {error}"))?;
        let plain = checked_v2(&bytes)?;
        let histogram: Histogram<u64> = Deserializer::new()
            .deserialize(&mut plain.as_ref())
            .map_err(|error| format!("not an HdrHistogram: {error:?}"))?;
        Ok(LatencyHistogram { histogram })
    }
}

/// HdrHistogram's V2 encoding cookies (8-byte counts).
const V2_COOKIE: u32 = 0x1c84_9313;
const V2_COMPRESSED_COOKIE: u32 = 0x1c84_9314;
/// A V2 header: cookie, payload length, normalizing offset, significant
/// digits (4 bytes each), lowest and highest trackable values, and the
/// conversion ratio (8 bytes each).
const V2_HEADER_BYTES: usize = 40;
/// The largest payload a histogram of this program's bounds encodes to (at
/// most 9 bytes for each of its ~28,000 counts), rounded up.
const MAX_PAYLOAD_BYTES: usize = 1 << 20;

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// The uncompressed V2 encoding in `bytes`, once its header is known to
/// describe a histogram this program could have written: 1 to 3 significant
/// digits, values from 1 to at most [`HIGHEST_US`], and a payload that is
/// present. hdrhistogram sizes its buffers from the header before reading
/// the rest, so a few bytes of a hostile file could otherwise make it
/// allocate gigabytes; a compressed one is inflated only up to the largest
/// such encoding.
fn checked_v2(bytes: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    const TRUNCATED: &str = "not an HdrHistogram: truncated header";
    let plain = match be_u32(bytes, 0).ok_or(TRUNCATED)? {
        V2_COOKIE => Cow::Borrowed(bytes),
        V2_COMPRESSED_COOKIE => {
            let length = be_u32(bytes, 4).ok_or(TRUNCATED)? as usize;
            let compressed = bytes
                .get(8..)
                .and_then(|rest| rest.get(..length))
                .ok_or("not an HdrHistogram: compressed length beyond the data")?;
            let limit = V2_HEADER_BYTES + MAX_PAYLOAD_BYTES;
            let mut inflated = Vec::new();
            flate2::read::ZlibDecoder::new(compressed)
                .take(limit as u64 + 1)
                .read_to_end(&mut inflated)
                .map_err(|error| format!("not an HdrHistogram: {error}"))?;
            if inflated.len() > limit {
                return Err(format!(
                    "not an HdrHistogram of this program: inflates to more than {limit} bytes"
                ));
            }
            if be_u32(&inflated, 0) != Some(V2_COOKIE) {
                return Err("not an HdrHistogram: bad inner cookie".to_string());
            }
            Cow::Owned(inflated)
        }
        cookie => {
            return Err(format!(
                "not an HdrHistogram V2 encoding (cookie {cookie:#x})"
            ))
        }
    };
    let header = |at| be_u32(&plain, at).ok_or(TRUNCATED);
    let payload = header(4)? as usize;
    let digits = header(12)?;
    let lowest = be_u64(&plain, 16).ok_or(TRUNCATED)?;
    let highest = be_u64(&plain, 24).ok_or(TRUNCATED)?;
    if payload > plain.len().saturating_sub(V2_HEADER_BYTES) || payload > MAX_PAYLOAD_BYTES {
        return Err(format!(
            "not an HdrHistogram: a payload of {payload} bytes, more than is present"
        ));
    }
    if !(1..=u32::from(SIGNIFICANT_DIGITS)).contains(&digits)
        || lowest < 1
        || highest > HIGHEST_US
        || highest < lowest.saturating_mul(2)
    {
        return Err(format!(
            "not an HdrHistogram of this program: {digits} significant digits, values \
             {lowest} to {highest} (at most {SIGNIFICANT_DIGITS} digits, 1 to {HIGHEST_US})"
        ));
    }
    Ok(plain)
}

/// A WebSocket handshake time block from its histogram: count, extremes,
/// mean and the default percentiles, and the histogram itself. A run and a
/// merge of shards both make it here, so they agree.
pub fn handshake_times(histogram: &LatencyHistogram) -> HandshakeTimes {
    if histogram.count() == 0 {
        return HandshakeTimes::default();
    }
    HandshakeTimes {
        count: histogram.count(),
        min_ms: histogram.min_ms(),
        avg_ms: histogram.mean_ms(),
        max_ms: histogram.max_ms(),
        percentiles_ms: DEFAULT_PERCENTILES
            .iter()
            .map(|&p| (percentile_label(p), histogram.percentile_ms(p)))
            .collect(),
        histogram: Some(histogram.to_base64()),
    }
}

/// Parses `--percentiles`' list: comma-separated numbers from 0 to 100.
pub fn parse_percentile_list(text: &str) -> Result<Vec<f64>, String> {
    let mut list = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        let value: f64 = item
            .parse()
            .map_err(|_| format!("illegal percentile `{item}' (use numbers from 0 to 100)"))?;
        if !(0.0..=100.0).contains(&value) {
            return Err(format!(
                "illegal percentile `{item}' (use numbers from 0 to 100)"
            ));
        }
        list.push(value);
    }
    Ok(list)
}

/// `p50`, `p99.9`, `p99.999`: the label of a percentile in text and JSON.
pub fn percentile_label(p: f64) -> String {
    format!("p{p}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_split_a_known_distribution() {
        let mut histogram = LatencyHistogram::default();
        for _ in 0..90 {
            histogram.record_ns(1_000_000);
        }
        for _ in 0..10 {
            histogram.record_ns(50_000_000);
        }
        assert_eq!(histogram.count(), 100);
        assert!((histogram.percentile_ms(50.0) - 1.0).abs() < 0.001);
        assert!((histogram.percentile_ms(90.0) - 1.0).abs() < 0.001);
        assert!((histogram.percentile_ms(99.0) - 50.0).abs() < 0.05);
        assert!((histogram.max_ms() - 50.0).abs() < 0.05);
    }

    #[test]
    fn out_of_range_values_are_clamped_not_lost() {
        let mut histogram = LatencyHistogram::default();
        histogram.record_ns(u64::MAX);
        histogram.record_s(f64::NAN);
        histogram.record_s(-1.0);
        histogram.record_s(1e12);
        assert_eq!(histogram.count(), 4);
        assert!(histogram.max_ms() >= HIGHEST_US as f64 / 1000.0 * 0.999);
    }

    #[test]
    fn base64_round_trip_is_exact() {
        let mut histogram = LatencyHistogram::default();
        for us in [1u64, 10, 100, 1_000, 123_456, 9_999_999] {
            histogram.record_ns(us * 1000);
        }
        let text = histogram.to_base64();
        assert!(text.starts_with("HISTF"), "{text}");
        let back = LatencyHistogram::from_base64(&text).unwrap();
        assert_eq!(back, histogram);
        assert!(LatencyHistogram::from_base64("not base64!").is_err());
        assert!(LatencyHistogram::from_base64("AAAA").is_err());
    }

    /// A V2 header (and `payload` after it), base64.
    fn v2(cookie: u32, payload_len: u32, digits: u32, lowest: u64, highest: u64) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&cookie.to_be_bytes());
        bytes.extend_from_slice(&payload_len.to_be_bytes());
        bytes.extend_from_slice(&0u32.to_be_bytes());
        bytes.extend_from_slice(&digits.to_be_bytes());
        bytes.extend_from_slice(&lowest.to_be_bytes());
        bytes.extend_from_slice(&highest.to_be_bytes());
        bytes.extend_from_slice(&1.0f64.to_be_bytes());
        bytes
    }

    fn decode(bytes: &[u8]) -> Result<LatencyHistogram, String> {
        LatencyHistogram::from_base64(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    fn compressed(inner: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(inner).unwrap();
        let deflated = encoder.finish().unwrap();
        let mut bytes = V2_COMPRESSED_COOKIE.to_be_bytes().to_vec();
        bytes.extend_from_slice(&(deflated.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&deflated);
        bytes
    }

    #[test]
    fn histograms_beyond_this_programs_bounds_are_refused_before_decoding() {
        // A payload length the data does not hold (hdrhistogram would
        // allocate it first): 4 GiB asked by 40 bytes.
        let error = decode(&v2(V2_COOKIE, u32::MAX, 3, 1, HIGHEST_US)).unwrap_err();
        assert!(error.contains("more than is present"), "{error}");
        // Bounds whose counts array would be large.
        for (digits, lowest, highest) in [
            (5, 1, HIGHEST_US),
            (3, 1, 1 << 62),
            (0, 1, 1000),
            (3, 0, 1000),
        ] {
            let mut bytes = v2(V2_COOKIE, 2, digits, lowest, highest);
            bytes.extend_from_slice(&[0, 0]);
            let error = decode(&bytes).unwrap_err();
            assert!(
                error.contains("of this program"),
                "{digits} {lowest} {highest}: {error}"
            );
        }
        // A compressed bomb: inflates to more than any histogram needs.
        let mut inner = v2(V2_COOKIE, u32::MAX, 3, 1, HIGHEST_US);
        inner.resize(V2_HEADER_BYTES + MAX_PAYLOAD_BYTES + 10, 0);
        let error = decode(&compressed(&inner)).unwrap_err();
        assert!(error.contains("inflates to more than"), "{error}");
        // A compressed length beyond the data, a truncated header, a bad cookie.
        let mut short = compressed(&v2(V2_COOKIE, 0, 3, 1, HIGHEST_US));
        short.truncate(short.len() - 1);
        assert!(decode(&short).unwrap_err().contains("beyond the data"));
        assert!(decode(&V2_COOKIE.to_be_bytes())
            .unwrap_err()
            .contains("truncated"));
        assert!(decode(&v2(7, 0, 3, 1, HIGHEST_US))
            .unwrap_err()
            .contains("cookie 0x7"));
    }

    #[test]
    fn histograms_within_the_bounds_decode_compressed_or_not() {
        let mut histogram = LatencyHistogram::with_digits(2);
        histogram.record_ns(5_000_000);
        histogram.record_ns(7_000);
        let mut plain = Vec::new();
        hdrhistogram::serialization::V2Serializer::new()
            .serialize(&histogram.histogram, &mut plain)
            .unwrap();
        assert_eq!(decode(&plain).unwrap(), histogram);
        assert_eq!(decode(&compressed(&plain)).unwrap(), histogram);
        let text = histogram.to_base64();
        assert_eq!(LatencyHistogram::from_base64(&text).unwrap(), histogram);
    }

    #[test]
    fn merging_adds_counts() {
        let mut a = LatencyHistogram::default();
        let mut b = LatencyHistogram::default();
        a.record_ns(1_000_000);
        b.record_ns(3_000_000);
        a.add(&b);
        assert_eq!(a.count(), 2);
        assert!((a.max_ms() - 3.0).abs() < 0.01);
    }

    #[test]
    fn percentile_lists_parse_and_label() {
        assert_eq!(
            parse_percentile_list("50,75,99.999").unwrap(),
            [50.0, 75.0, 99.999]
        );
        assert!(parse_percentile_list("50,101").is_err());
        assert!(parse_percentile_list("x").is_err());
        assert!(parse_percentile_list("").is_err());
        assert_eq!(percentile_label(50.0), "p50");
        assert_eq!(percentile_label(99.9), "p99.9");
        assert_eq!(percentile_label(99.999), "p99.999");
    }
}
