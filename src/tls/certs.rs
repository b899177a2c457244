//! The certificates the SSL options name: the trust store of `--ssl-verify`
//! (`--ssl-ca-file`, `--ssl-ca-path`, else the system's CA bundle) and the
//! client identity of `--ssl-certificate`/`--ssl-key`, read from PEM files.

use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::RootCertStore;

use super::TlsSettings;

/// Files where Debian, Fedora and others keep the system's CA bundle, used by
/// `--ssl-verify` when neither `--ssl-ca-file` nor `--ssl-ca-path` is given.
const SYSTEM_CA_FILES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// What `--ssl-verify` trusts.
pub(super) struct TrustStore {
    pub(super) roots: RootCertStore,
    /// The certificates of `--ssl-ca-file` and `--ssl-ca-path` as given, each
    /// also trusted as a server certificate of its own.
    pub(super) given: Vec<CertificateDer<'static>>,
}

/// The trust anchors: `--ssl-ca-file` and `--ssl-ca-path` (read and checked
/// whenever given), else, only for `--ssl-verify`, the system's CA bundle.
pub(super) fn trust_store(settings: &TlsSettings) -> Result<Option<TrustStore>, String> {
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
pub(super) type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

pub(super) fn client_identity(settings: &TlsSettings) -> Result<Option<Identity>, String> {
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
