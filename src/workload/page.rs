//! `--wsesspage` embedded-object scanner (placeholder until the scanner lands).

pub fn is_html_content_type(_header_line: &[u8]) -> bool {
    false
}

#[derive(Debug, Default)]
pub struct PageScanner;

impl PageScanner {
    pub fn feed(&mut self, _piece: &[u8], _found: &mut Vec<String>) {}
}

pub fn resolve(_reference: &str, _page_uri: &str, _server: &str) -> Option<String> {
    None
}
