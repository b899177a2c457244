//! The rustls client configuration, built once before the run from the SSL
//! options: the crypto provider (*ring*), `--ssl-ciphers` mapped from OpenSSL
//! and IANA names to rustls suites, `--ssl-protocol` pinning, certificate
//! verification (off unless `--ssl-verify`, as in httperf) with the trust store
//! of `--ssl-ca-file`/`--ssl-ca-path`, client authentication
//! (`--ssl-certificate`/`--ssl-key`), session resumption (off with
//! `--ssl-no-reuse`) and the server name sent as SNI. Never touches a socket.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
    SupportedCipherSuite, SupportedProtocolVersion,
};

/// Session tickets/ids remembered for resumption (rustls keeps up to this many
/// servers, each with a few TLS 1.3 tickets).
const SESSION_CACHE_SERVERS: usize = 256;

/// Files where Debian, Fedora and others keep the system's CA bundle, used by
/// `--ssl-verify` when neither `--ssl-ca-file` nor `--ssl-ca-path` is given.
const SYSTEM_CA_FILES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// Every suite the *ring* provider implements: its OpenSSL name, its IANA
/// name, and rustls' own spelling (which differs for TLS 1.3).
const SUITE_NAMES: [(&str, &str, &str); 9] = [
    (
        "TLS_AES_256_GCM_SHA384",
        "TLS_AES_256_GCM_SHA384",
        "TLS13_AES_256_GCM_SHA384",
    ),
    (
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_128_GCM_SHA256",
        "TLS13_AES_128_GCM_SHA256",
    ),
    (
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS13_CHACHA20_POLY1305_SHA256",
    ),
    (
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
    (
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
];

/// OpenSSL cipher-list keywords that stand for every suite httperf-rs has.
const ALL_SUITES_KEYWORDS: [&str; 3] = ["ALL", "DEFAULT", "HIGH"];

/// [master] `--ssl-protocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslProtocol {
    Auto,
    SslV2,
    SslV3,
    TlsV1_0,
    TlsV1_1,
    TlsV1_2,
    TlsV1_3,
}

impl SslProtocol {
    /// The name `--ssl-protocol` takes and the echo line prints.
    pub fn name(self) -> &'static str {
        match self {
            SslProtocol::Auto => "auto",
            SslProtocol::SslV2 => "SSLv2",
            SslProtocol::SslV3 => "SSLv3",
            SslProtocol::TlsV1_0 => "TLSv1.0",
            SslProtocol::TlsV1_1 => "TLSv1.1",
            SslProtocol::TlsV1_2 => "TLSv1.2",
            SslProtocol::TlsV1_3 => "TLSv1.3",
        }
    }
}

/// The SSL options, as the run description hands them over.
#[derive(Debug, Clone, Default)]
pub struct TlsSettings {
    pub ciphers: Option<String>,
    pub protocol: Option<SslProtocol>,
    pub verify: bool,
    pub ca_file: Option<PathBuf>,
    pub ca_path: Option<PathBuf>,
    pub certificate: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// False with `--ssl-no-reuse`: every connection does a full handshake.
    pub reuse_sessions: bool,
    /// `--tls-server-name`, sent as given.
    pub tls_server_name: Option<String>,
    /// `--server-name` (the Host header), the SNI when no `--tls-server-name`.
    pub server_name: Option<String>,
}

/// What the engine needs to open TLS connections: the shared configuration
/// (with its session cache) and the name to present to each server.
#[derive(Clone)]
pub struct TlsClient {
    config: Arc<ClientConfig>,
    server_names: Vec<ServerName<'static>>,
}

impl fmt::Debug for TlsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsClient")
            .field("server_names", &self.server_names)
            .finish_non_exhaustive()
    }
}

impl TlsClient {
    /// A new client session for the server at `index` of the server list.
    pub fn connect(&self, index: usize) -> Result<ClientConnection, rustls::Error> {
        let name = self.server_names[index % self.server_names.len()].clone();
        ClientConnection::new(Arc::clone(&self.config), name)
    }

    pub fn server_names(&self) -> &[ServerName<'static>] {
        &self.server_names
    }
}

/// Builds the client for `servers`: each is the name given on the command line
/// (`--server`, or a line of `--servers`) and the address it resolved to.
/// Errors are complete sentences without the program prefix.
pub fn build(settings: &TlsSettings, servers: &[(String, IpAddr)]) -> Result<TlsClient, String> {
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites = select_suites(&provider.cipher_suites, settings.ciphers.as_deref())?;
    let versions = protocol_versions(settings, &provider.cipher_suites)?;
    let provider = Arc::new(provider);
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&versions)
        .map_err(|error| format!("cannot set up TLS: {error}"))?;
    let store = trust_store(settings)?;
    let builder = match store.filter(|_| settings.verify) {
        Some(store) => {
            let webpki = WebPkiServerVerifier::builder_with_provider(
                Arc::new(store.roots),
                Arc::clone(&provider),
            )
            .build()
            .map_err(|error| format!("cannot set up certificate verification: {error}"))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(TrustStoreVerifier {
                    webpki,
                    given: store.given,
                }))
        }
        None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoCertificateVerification {
                algorithms: provider.signature_verification_algorithms,
            })),
    };
    let mut config = match client_identity(settings)? {
        Some((chain, key)) => {
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|error| match error {
                    rustls::Error::InconsistentKeys(_) => {
                        "SSL certificate and key failed consistency check".to_string()
                    }
                    other => format!("cannot use the SSL certificate and key: {other}"),
                })?
        }
        None => builder.with_no_client_auth(),
    };
    config.resumption = if settings.reuse_sessions {
        Resumption::in_memory_sessions(SESSION_CACHE_SERVERS)
    } else {
        Resumption::disabled()
    };
    let server_names = servers
        .iter()
        .map(|(name, address)| sni_name(settings, name, *address))
        .collect::<Result<Vec<_>, String>>()?;
    Ok(TlsClient {
        config: Arc::new(config),
        server_names,
    })
}

/// The name a connection presents: `--tls-server-name`, else `--server-name`,
/// else the server's own name. A DNS name is sent as SNI (and checked against
/// the certificate with `--ssl-verify`); an IP address, or a fallback name
/// that is no valid DNS name, sends no SNI.
pub fn sni_name(
    settings: &TlsSettings,
    server: &str,
    address: IpAddr,
) -> Result<ServerName<'static>, String> {
    if let Some(name) = &settings.tls_server_name {
        return ServerName::try_from(name.clone())
            .map_err(|_| format!("invalid TLS server name {name}"));
    }
    let candidate = settings.server_name.as_deref().unwrap_or(server);
    let candidate = candidate
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(candidate);
    Ok(
        ServerName::try_from(candidate.to_string())
            .unwrap_or(ServerName::IpAddress(address.into())),
    )
}

/// The OpenSSL name of every suite httperf-rs can offer, colon-separated.
pub fn supported_suite_names() -> String {
    rustls::crypto::ring::default_provider()
        .cipher_suites
        .iter()
        .filter_map(|suite| openssl_name(*suite))
        .collect::<Vec<_>>()
        .join(":")
}

fn openssl_name(suite: SupportedCipherSuite) -> Option<&'static str> {
    let rustls_name = format!("{:?}", suite.suite());
    SUITE_NAMES
        .iter()
        .find(|(_, _, name)| *name == rustls_name)
        .map(|(openssl, _, _)| *openssl)
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
    let Some((_, _, rustls_name)) = SUITE_NAMES.iter().find(|(openssl, iana, rustls)| {
        [openssl, iana, rustls]
            .iter()
            .any(|name| name.eq_ignore_ascii_case(entry))
    }) else {
        return Vec::new();
    };
    available
        .iter()
        .filter(|suite| format!("{:?}", suite.suite()) == *rustls_name)
        .copied()
        .collect()
}

/// `--ssl-ciphers`: OpenSSL's list syntax (entries separated by `:`, `,` or
/// spaces, `!x`/`-x` removes, `+x` is taken as x, `@...` directives and unknown
/// names are ignored), in the order given. As with OpenSSL, whose cipher list
/// only governs TLS 1.2 and older, every TLS 1.3 suite stays offered (first)
/// unless the list names some: then only those. A list that selects nothing
/// is an error naming what exists.
fn select_suites(
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

/// `--ssl-protocol`: rustls speaks TLS 1.2 and 1.3 only. Versions without a
/// selected suite are left out.
fn protocol_versions(
    settings: &TlsSettings,
    suites: &[SupportedCipherSuite],
) -> Result<Vec<&'static SupportedProtocolVersion>, String> {
    let wanted: Vec<&'static SupportedProtocolVersion> = match settings.protocol {
        None | Some(SslProtocol::Auto) => vec![&rustls::version::TLS13, &rustls::version::TLS12],
        Some(SslProtocol::TlsV1_2) => vec![&rustls::version::TLS12],
        Some(SslProtocol::TlsV1_3) => vec![&rustls::version::TLS13],
        Some(old) => {
            return Err(format!(
                "--ssl-protocol={} is not supported: httperf-rs (rustls) speaks only \
                 TLSv1.2 and TLSv1.3 (use --ssl-protocol=TLSv1.2, TLSv1.3 or auto)",
                old.name()
            ))
        }
    };
    let usable: Vec<_> = wanted
        .into_iter()
        .filter(|v| suites.iter().any(|s| s.version().version == v.version))
        .collect();
    if usable.is_empty() {
        let protocol = settings.protocol.map_or("auto", SslProtocol::name);
        return Err(format!(
            "no cipher suite in --ssl-ciphers={} can be used with --ssl-protocol={protocol}",
            settings.ciphers.as_deref().unwrap_or("")
        ));
    }
    Ok(usable)
}

/// What `--ssl-verify` trusts.
struct TrustStore {
    roots: RootCertStore,
    /// The certificates of `--ssl-ca-file` and `--ssl-ca-path` as given, each
    /// also trusted as a server certificate of its own.
    given: Vec<CertificateDer<'static>>,
}

/// The trust anchors: `--ssl-ca-file` and `--ssl-ca-path` (read and checked
/// whenever given), else, only for `--ssl-verify`, the system's CA bundle.
fn trust_store(settings: &TlsSettings) -> Result<Option<TrustStore>, String> {
    let mut certificates = Vec::new();
    if let Some(file) = &settings.ca_file {
        let found = read_certificates(file).map_err(|error| {
            format!(
                "cannot read CA certificates from {}: {error}",
                file.display()
            )
        })?;
        if found.is_empty() {
            return Err(format!("no CA certificate found in {}", file.display()));
        }
        certificates.extend(found);
    }
    if let Some(dir) = &settings.ca_path {
        let found = read_certificate_dir(dir)?;
        if found.is_empty() {
            return Err(format!("no CA certificate found in {}", dir.display()));
        }
        certificates.extend(found);
    }
    let given = certificates.clone();
    if certificates.is_empty() {
        if !settings.verify {
            return Ok(None);
        }
        certificates = system_certificates().ok_or_else(|| {
            "--ssl-verify: no trusted CA certificates found (give --ssl-ca-file or --ssl-ca-path)"
                .to_string()
        })?;
    }
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(certificates);
    if added == 0 {
        return Err("none of the CA certificates given can be used".to_string());
    }
    Ok(Some(TrustStore { roots, given }))
}

fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = crate::files::read_limited(path, crate::files::TLS_FILE_MAX_BYTES)
        .map_err(|error| error.reason())?;
    CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| pem_error(&error))
}

/// Every PEM certificate in the regular files of `dir` (OpenSSL's hashed
/// `--ssl-ca-path` layout, or any other names); files that hold none are skipped.
fn read_certificate_dir(dir: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| format!("cannot read CA directory {}: {error}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    Ok(paths
        .iter()
        .filter_map(|path| read_certificates(path).ok())
        .flatten()
        .collect())
}

fn system_certificates() -> Option<Vec<CertificateDer<'static>>> {
    let from_env = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
    from_env
        .into_iter()
        .chain(SYSTEM_CA_FILES.iter().map(PathBuf::from))
        .filter_map(|path| read_certificates(&path).ok())
        .find(|found| !found.is_empty())
}

/// `--ssl-certificate` (a PEM chain) and `--ssl-key` (a PEM private key; when
/// absent, the key is looked for in the certificate file).
type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn client_identity(settings: &TlsSettings) -> Result<Option<Identity>, String> {
    let Some(cert_path) = &settings.certificate else {
        return match &settings.key {
            Some(_) => Err("--ssl-key needs --ssl-certificate".to_string()),
            None => Ok(None),
        };
    };
    let chain = read_certificates(cert_path).map_err(|error| {
        format!(
            "cannot read SSL certificate from {}: {error}",
            cert_path.display()
        )
    })?;
    if chain.is_empty() {
        return Err(format!("no certificate found in {}", cert_path.display()));
    }
    let key_path = settings.key.as_ref().unwrap_or(cert_path);
    let key_read_error =
        |reason: String| format!("cannot read SSL key from {}: {reason}", key_path.display());
    let key_pem = crate::files::read_limited(key_path, crate::files::TLS_FILE_MAX_BYTES)
        .map_err(|error| key_read_error(error.reason()))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|error| key_read_error(pem_error(&error)))?;
    Ok(Some((chain, key)))
}

fn pem_error(error: &rustls::pki_types::pem::Error) -> String {
    match error {
        rustls::pki_types::pem::Error::Io(io) => io.to_string(),
        rustls::pki_types::pem::Error::NoItemsFound => "no PEM data found".to_string(),
        other => format!("bad PEM data ({other:?})"),
    }
}

/// `--ssl-verify`: WebPKI path validation against the trust store, except
/// that a server certificate byte-identical to one given with
/// `--ssl-ca-file`/`--ssl-ca-path` is trusted as itself, names and dates
/// unchecked, as OpenSSL trusts a self-signed certificate found in its trust
/// store. Without that, the usual test certificate (`openssl req -x509`: CA:TRUE,
/// no subjectAltName) could not be trusted at all: WebPKI refuses a CA
/// certificate as a server's. The handshake signatures are verified either
/// way, so the server still proves that it holds the certificate's key.
#[derive(Debug)]
struct TrustStoreVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    given: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for TrustStoreVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self
            .given
            .iter()
            .any(|trusted| trusted.as_ref() == end_entity.as_ref())
        {
            return Ok(ServerCertVerified::assertion());
        }
        self.webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.webpki.requires_raw_public_keys()
    }
}

/// httperf's default: the server's certificate is not checked, but the
/// handshake signatures still are (as OpenSSL does with SSL_VERIFY_NONE), so
/// the cryptographic work matches a real client's.
#[derive(Debug)]
struct NoCertificateVerification {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for NoCertificateVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The provider httperf-rs uses, for callers that need its parameters.
pub fn provider() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn old_protocols_are_refused_and_versions_follow_the_suites() {
        let suites = provider().cipher_suites;
        for old in [
            SslProtocol::SslV2,
            SslProtocol::SslV3,
            SslProtocol::TlsV1_0,
            SslProtocol::TlsV1_1,
        ] {
            let settings = TlsSettings {
                protocol: Some(old),
                ..TlsSettings::default()
            };
            let error = protocol_versions(&settings, &suites).expect_err("refused");
            assert!(error.contains("not supported"), "{error}");
        }
        let settings = TlsSettings {
            protocol: Some(SslProtocol::TlsV1_2),
            ciphers: Some("TLS_AES_128_GCM_SHA256".into()),
            ..TlsSettings::default()
        };
        let tls13_only = select_suites(&suites, settings.ciphers.as_deref()).expect("suites");
        assert_eq!(
            protocol_versions(&settings, &tls13_only).expect_err("refused"),
            "no cipher suite in --ssl-ciphers=TLS_AES_128_GCM_SHA256 can be used with --ssl-protocol=TLSv1.2"
        );
        let auto = TlsSettings::default();
        let versions = protocol_versions(&auto, &tls13_only).expect("versions");
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].version, rustls::ProtocolVersion::TLSv1_3);
    }

    #[test]
    fn sni_comes_from_tls_server_name_then_server_name_then_server() {
        let ip: IpAddr = "127.0.0.1".parse().expect("ip");
        let mut settings = TlsSettings::default();
        let name = |s: &TlsSettings, server: &str| sni_name(s, server, ip).expect("name");
        assert_eq!(
            name(&settings, "example.org"),
            ServerName::try_from("example.org").expect("dns")
        );
        assert_eq!(
            name(&settings, "127.0.0.1"),
            ServerName::IpAddress(ip.into())
        );
        settings.server_name = Some("host.example".into());
        assert_eq!(
            name(&settings, "127.0.0.1"),
            ServerName::try_from("host.example").expect("dns")
        );
        settings.server_name = Some("not a name".into());
        assert_eq!(
            name(&settings, "127.0.0.1"),
            ServerName::IpAddress(ip.into())
        );
        settings.tls_server_name = Some("sni.example".into());
        assert_eq!(
            name(&settings, "127.0.0.1"),
            ServerName::try_from("sni.example").expect("dns")
        );
        settings.tls_server_name = Some("bad name".into());
        assert_eq!(
            sni_name(&settings, "x", ip),
            Err("invalid TLS server name bad name".to_string())
        );
    }

    #[test]
    fn default_build_resumes_and_no_reuse_does_not() {
        let servers = [("localhost".to_string(), "127.0.0.1".parse().expect("ip"))];
        let settings = TlsSettings {
            reuse_sessions: true,
            ..TlsSettings::default()
        };
        let client = build(&settings, &servers).expect("client");
        assert_eq!(
            client.server_names(),
            &[ServerName::try_from("localhost").expect("dns")]
        );
        assert!(client.connect(0).is_ok());
        let no_reuse = TlsSettings {
            reuse_sessions: false,
            ..TlsSettings::default()
        };
        assert!(build(&no_reuse, &servers).is_ok());
    }

    #[test]
    fn missing_files_are_clear_errors() {
        let servers = [("localhost".to_string(), "127.0.0.1".parse().expect("ip"))];
        let settings = TlsSettings {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..TlsSettings::default()
        };
        let error = build(&settings, &servers).expect_err("refused");
        assert!(
            error.starts_with("cannot read CA certificates from /nonexistent/ca.pem: "),
            "{error}"
        );
        let settings = TlsSettings {
            key: Some("/nonexistent/key.pem".into()),
            ..TlsSettings::default()
        };
        assert_eq!(
            build(&settings, &servers).expect_err("refused"),
            "--ssl-key needs --ssl-certificate"
        );
    }
}
