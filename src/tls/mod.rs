//! The rustls client configuration, built once before the run from the SSL
//! options: the crypto provider (*ring*), `--ssl-ciphers` (`ciphers`),
//! `--ssl-protocol` pinning, certificate verification (off unless
//! `--ssl-verify`, as in httperf; `verify`) with the trust store of
//! `--ssl-ca-file`/`--ssl-ca-path` and the client authentication of
//! `--ssl-certificate`/`--ssl-key` (`certs`), session resumption (off with
//! `--ssl-no-reuse`) and the server name sent as SNI. Never touches a socket.

mod certs;
mod ciphers;
mod verify;

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, SupportedCipherSuite, SupportedProtocolVersion};

use certs::{client_identity, trust_store};
use ciphers::select_suites;
use verify::{NoCertificateVerification, TrustStoreVerifier};

/// Session tickets/ids remembered for resumption (rustls keeps up to this many
/// servers, each with a few TLS 1.3 tickets).
const SESSION_CACHE_SERVERS: usize = 256;

/// \[master\] `--ssl-protocol`.
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
    pub(crate) fn name(self) -> &'static str {
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
pub(crate) struct TlsSettings {
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
pub(crate) struct TlsClient {
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
    pub(crate) fn connect(&self, index: usize) -> Result<ClientConnection, rustls::Error> {
        let name = self.server_names[index % self.server_names.len()].clone();
        ClientConnection::new(Arc::clone(&self.config), name)
    }

    #[cfg(test)]
    fn server_names(&self) -> &[ServerName<'static>] {
        &self.server_names
    }
}

/// Builds the client for `servers`: each is the name given on the command line
/// (`--server`, or a line of `--servers`) and the address it resolved to.
/// Errors are complete sentences without the program prefix.
pub(crate) fn build(
    settings: &TlsSettings,
    servers: &[(String, IpAddr)],
) -> Result<TlsClient, String> {
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
pub(crate) fn sni_name(
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

/// The provider httperf-rs uses, for tests that need its parameters.
#[cfg(test)]
fn provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

#[cfg(test)]
mod tests {
    use super::*;

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
