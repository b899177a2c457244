//! `--ssl-ciphers`: OpenSSL cipher-list syntax mapped onto the suites of the
//! *ring* provider. Each suite is known by its OpenSSL name, its IANA name and
//! rustls' own spelling, and identified by its rustls `CipherSuite` value.

use rustls::{CipherSuite, SupportedCipherSuite};

/// Every suite the *ring* provider implements: its rustls identity, OpenSSL
/// name, IANA name, and rustls' own spelling (which differs for TLS 1.3).
const SUITE_NAMES: [(CipherSuite, &str, &str, &str); 9] = [
    (
        CipherSuite::TLS13_AES_256_GCM_SHA384,
        "TLS_AES_256_GCM_SHA384",
        "TLS_AES_256_GCM_SHA384",
        "TLS13_AES_256_GCM_SHA384",
    ),
    (
        CipherSuite::TLS13_AES_128_GCM_SHA256,
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_128_GCM_SHA256",
        "TLS13_AES_128_GCM_SHA256",
    ),
    (
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS13_CHACHA20_POLY1305_SHA256",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
];

/// OpenSSL cipher-list keywords that stand for every suite httperf-rs has.
const ALL_SUITES_KEYWORDS: [&str; 3] = ["ALL", "DEFAULT", "HIGH"];

/// The OpenSSL name of every suite httperf-rs can offer, colon-separated.
pub(crate) fn supported_suite_names() -> String {
    rustls::crypto::ring::default_provider()
        .cipher_suites
        .iter()
        .filter_map(|suite| openssl_name(*suite))
        .collect::<Vec<_>>()
        .join(":")
}

fn openssl_name(suite: SupportedCipherSuite) -> Option<&'static str> {
    SUITE_NAMES
        .iter()
        .find(|(id, ..)| *id == suite.suite())
        .map(|(_, openssl, ..)| *openssl)
}

/// The suites a cipher-list entry names (an OpenSSL, IANA or rustls name, or
/// a keyword meaning all of them).
fn suites_named(available: &[SupportedCipherSuite], entry: &str) -> Vec<SupportedCipherSuite> {
    if ALL_SUITES_KEYWORDS
        .iter()
        .any(|keyword| keyword.eq_ignore_ascii_case(entry))
    {
        return available.to_vec();
    }
    let Some((id, ..)) = SUITE_NAMES.iter().find(|(_, openssl, iana, rustls)| {
        [openssl, iana, rustls]
            .iter()
            .any(|name| name.eq_ignore_ascii_case(entry))
    }) else {
        return Vec::new();
    };
    available
        .iter()
        .filter(|suite| suite.suite() == *id)
        .copied()
        .collect()
}

/// `--ssl-ciphers`: OpenSSL's list syntax (entries separated by `:`, `,` or
/// spaces, `!x`/`-x` removes, `+x` is taken as x, `@...` directives and unknown
/// names are ignored), in the order given. As with OpenSSL, whose cipher list
/// only governs TLS 1.2 and older, every TLS 1.3 suite stays offered (first)
/// unless the list names some: then only those. A list that selects nothing
/// is an error naming what exists.
pub(super) fn select_suites(
    available: &[SupportedCipherSuite],
    list: Option<&str>,
) -> Result<Vec<SupportedCipherSuite>, String> {
    let Some(list) = list else {
        return Ok(available.to_vec());
    };
    let mut chosen: Vec<SupportedCipherSuite> = Vec::new();
    let mut banned: Vec<SupportedCipherSuite> = Vec::new();
    for entry in list.split([':', ',', ' ']).filter(|e| !e.is_empty()) {
        if entry.starts_with('@') {
            continue;
        }
        if let Some(name) = entry.strip_prefix('!').or_else(|| entry.strip_prefix('-')) {
            let removed = suites_named(available, name);
            chosen.retain(|suite| !removed.contains(suite));
            if entry.starts_with('!') {
                banned.extend(removed);
            }
            continue;
        }
        let name = entry.strip_prefix('+').unwrap_or(entry);
        for suite in suites_named(available, name) {
            if !chosen.contains(&suite) && !banned.contains(&suite) {
                chosen.push(suite);
            }
        }
    }
    if !chosen.is_empty() && !chosen.iter().any(|suite| suite.tls13().is_some()) {
        let tls13 = available
            .iter()
            .filter(|suite| suite.tls13().is_some() && !banned.contains(suite));
        chosen.splice(0..0, tls13.copied().collect::<Vec<_>>());
    }
    if chosen.is_empty() {
        return Err(format!(
            "no cipher suite in --ssl-ciphers={list} is supported by httperf-rs; \
             supported: {}",
            supported_suite_names()
        ));
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::provider;

    fn names(suites: &[SupportedCipherSuite]) -> Vec<&'static str> {
        suites.iter().filter_map(|s| openssl_name(*s)).collect()
    }

    fn select(list: &str) -> Result<Vec<&'static str>, String> {
        select_suites(&provider().cipher_suites, Some(list)).map(|s| names(&s))
    }

    #[test]
    fn every_provider_suite_has_names() {
        let all = provider().cipher_suites;
        assert_eq!(names(&all).len(), all.len());
        assert_eq!(all.len(), SUITE_NAMES.len());
    }

    #[test]
    fn cipher_lists_take_openssl_iana_and_rustls_names_in_order() {
        assert_eq!(
            select("ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_256_GCM_SHA384"),
            Ok(vec![
                "ECDHE-RSA-AES128-GCM-SHA256",
                "TLS_AES_256_GCM_SHA384"
            ])
        );
        assert_eq!(
            select("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,tls13_aes_128_gcm_sha256"),
            Ok(vec![
                "ECDHE-RSA-CHACHA20-POLY1305",
                "TLS_AES_128_GCM_SHA256"
            ])
        );
        assert_eq!(
            select("TLS_CHACHA20_POLY1305_SHA256"),
            Ok(vec!["TLS_CHACHA20_POLY1305_SHA256"])
        );
        // Unknown and export-grade names are skipped, as OpenSSL does; a list
        // of TLS 1.2 suites leaves TLS 1.3's on (OpenSSL's cipher list does
        // not govern TLS 1.3 either), bans excepted.
        assert_eq!(
            select("EXP-RC4-MD5:RC4-SHA:ECDHE-RSA-AES256-GCM-SHA384:!TLS_AES_128_GCM_SHA256"),
            Ok(vec![
                "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256",
                "ECDHE-RSA-AES256-GCM-SHA384"
            ])
        );
    }

    #[test]
    fn keywords_and_exclusions() {
        assert_eq!(select("ALL").map(|s| s.len()), Ok(9));
        let without = select("ALL:!TLS_AES_256_GCM_SHA384:-ECDHE-RSA-AES128-GCM-SHA256:@STRENGTH")
            .expect("suites");
        assert_eq!(without.len(), 7);
        assert!(!without.contains(&"TLS_AES_256_GCM_SHA384"));
        // A banned suite cannot come back; a removed one can.
        let again = select("!TLS_AES_256_GCM_SHA384:-ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES128-GCM-SHA256")
            .expect("suites");
        assert_eq!(
            again,
            vec![
                "TLS_AES_128_GCM_SHA256",
                "TLS_CHACHA20_POLY1305_SHA256",
                "ECDHE-RSA-AES128-GCM-SHA256"
            ]
        );
    }

    #[test]
    fn a_list_without_supported_suites_names_the_supported_ones() {
        let error = select("RC4-MD5:DES-CBC3-SHA").expect_err("refused");
        assert!(
            error.starts_with(
                "no cipher suite in --ssl-ciphers=RC4-MD5:DES-CBC3-SHA is supported by httperf-rs; supported: TLS_AES_256_GCM_SHA384:"
            ),
            "{error}"
        );
        assert!(error.contains("ECDHE-RSA-AES128-GCM-SHA256"), "{error}");
    }
}
