//! `--wsesslog` session files (placeholder until the parser lands).

#[derive(Debug, Clone, PartialEq)]
pub struct LogRequest {
    pub uri: String,
    pub method: &'static str,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogBurst {
    pub requests: Vec<LogRequest>,
    pub think_time_s: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogSession {
    pub bursts: Vec<LogBurst>,
}

impl LogSession {
    pub fn request_count(&self) -> usize {
        self.bursts.iter().map(|burst| burst.requests.len()).sum()
    }
}
