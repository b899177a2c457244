//! `--ssl` end to end: httperf-rs against a loopback rustls server that uses a
//! certificate made at test time (rcgen; no key is committed). The server
//! records, per connection, whether the handshake was full or resumed, the
//! SNI it received and the plaintext bytes of the requests.

use crate::support;

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{HandshakeKind, RootCertStore, ServerConfig, ServerConnection};
use support::{ok_reply, wait_bounded, Behaviour, Run, Scratch, TestServer};

const LIMIT: Duration = Duration::from_secs(30);
/// How long the test server waits on a silent client before giving up.
const SERVER_READ_TIMEOUT: Duration = Duration::from_secs(10);

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A self-signed certificate for `localhost` and 127.0.0.1, as DER and as
/// PEM files.
struct Identity {
    cert: CertificateDer<'static>,
    key: Vec<u8>,
    cert_file: PathBuf,
    key_file: PathBuf,
}

impl Identity {
    fn new(dir: &Scratch, name: &str) -> Identity {
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, format!("httperf-rs test {name}"));
        let key = rcgen::KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("certificate");
        Identity {
            cert: cert.der().clone(),
            key: key.serialize_der(),
            cert_file: dir.write(format!("{name}-cert.pem"), cert.pem()),
            key_file: dir.write(format!("{name}-key.pem"), key.serialize_pem()),
        }
    }

    fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()))
    }
}

/// What the server does once a connection's handshake is done.
#[derive(Clone, Debug)]
enum Mode {
    /// Answer every request with these bytes, until the client closes.
    Reply(Vec<u8>),
    /// Answer the first request, then close TCP without a close_notify.
    ReplyThenDrop(Vec<u8>),
    /// Close TCP right after the handshake, without a close_notify.
    DropAfterHandshake,
    /// Answer the first request with these bytes, less the last 7 bytes of
    /// their last TLS record, then close TCP.
    TruncatedRecord(Vec<u8>),
}

/// What the server saw on one connection.
#[derive(Clone, Debug, Default)]
struct Seen {
    kind: Option<HandshakeKind>,
    sni: Option<String>,
    version: Option<rustls::ProtocolVersion>,
    suite: Option<rustls::CipherSuite>,
    received: Vec<u8>,
    error: Option<String>,
    close_notify: bool,
}

struct TlsServer {
    port: u16,
    seen: Arc<Mutex<Vec<Arc<Mutex<Seen>>>>>,
    stop: Arc<AtomicBool>,
    accept_thread: Option<thread::JoinHandle<()>>,
    workers: Arc<Mutex<Vec<thread::JoinHandle<()>>>>,
}

impl TlsServer {
    fn start(config: ServerConfig, mode: Mode) -> TlsServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let config = Arc::new(config);
        let seen: Arc<Mutex<Vec<Arc<Mutex<Seen>>>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Arc<Mutex<Vec<thread::JoinHandle<()>>>> = Arc::default();
        let accept_thread = {
            let (seen, stop, workers) =
                (Arc::clone(&seen), Arc::clone(&stop), Arc::clone(&workers));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let record = Arc::new(Mutex::new(Seen::default()));
                    seen.lock().expect("lock").push(Arc::clone(&record));
                    let (config, mode) = (Arc::clone(&config), mode.clone());
                    let worker = thread::spawn(move || serve(stream, config, mode, record));
                    workers.lock().expect("lock").push(worker);
                }
            })
        };
        TlsServer {
            port,
            seen,
            stop,
            accept_thread: Some(accept_thread),
            workers,
        }
    }

    /// Every connection's record, once all of them have finished.
    fn seen(&self) -> Vec<Seen> {
        let workers: Vec<_> = self.workers.lock().expect("lock").drain(..).collect();
        for worker in workers {
            let _ = worker.join();
        }
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .map(|record| record.lock().expect("lock").clone())
            .collect()
    }

    fn resumed_and_full(&self) -> (usize, usize) {
        let seen = self.seen();
        let resumed = seen
            .iter()
            .filter(|s| s.kind == Some(HandshakeKind::Resumed))
            .count();
        let full = seen
            .iter()
            .filter(|s| matches!(s.kind, Some(HandshakeKind::Full)))
            .count();
        (resumed, full)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(handle) = self.accept_thread.take() {
            let _ = handle.join();
        }
    }
}

fn serve(mut tcp: TcpStream, config: Arc<ServerConfig>, mode: Mode, record: Arc<Mutex<Seen>>) {
    let _ = tcp.set_read_timeout(Some(SERVER_READ_TIMEOUT));
    let fail = |error: String| record.lock().expect("lock").error = Some(error);
    let mut conn = match ServerConnection::new(config) {
        Ok(conn) => conn,
        Err(error) => return fail(error.to_string()),
    };
    while conn.is_handshaking() {
        if let Err(error) = conn.complete_io(&mut tcp) {
            return fail(error.to_string());
        }
    }
    {
        let mut seen = record.lock().expect("lock");
        seen.kind = conn.handshake_kind();
        seen.sni = conn.server_name().map(str::to_string);
        seen.version = conn.protocol_version();
        seen.suite = conn.negotiated_cipher_suite().map(|s| s.suite());
    }
    let reply = match &mode {
        Mode::DropAfterHandshake => {
            let _ = conn.complete_io(&mut tcp);
            let _ = tcp.shutdown(Shutdown::Both);
            return;
        }
        Mode::Reply(reply) | Mode::ReplyThenDrop(reply) | Mode::TruncatedRecord(reply) => {
            reply.clone()
        }
    };
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    let mut pending = Vec::new();
    let mut buffer = [0u8; 16384];
    loop {
        let read = match tls.read(&mut buffer) {
            Ok(0) => {
                record.lock().expect("lock").close_notify = true;
                return;
            }
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return,
            Err(error) => return fail(error.to_string()),
        };
        record
            .lock()
            .expect("lock")
            .received
            .extend_from_slice(&buffer[..read]);
        pending.extend_from_slice(&buffer[..read]);
        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            pending.drain(..end + 4);
            if matches!(mode, Mode::TruncatedRecord(_)) {
                let mut wire = Vec::new();
                let _ = tls.conn.writer().write_all(&reply);
                while tls.conn.wants_write() {
                    let _ = tls.conn.write_tls(&mut wire);
                }
                let _ = tls.sock.write_all(&wire[..wire.len() - 7]);
                let _ = tls.sock.shutdown(Shutdown::Both);
                return;
            }
            if tls.write_all(&reply).and_then(|()| tls.flush()).is_err() {
                return;
            }
            if matches!(mode, Mode::ReplyThenDrop(_)) {
                let _ = tls.sock.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

fn server_config(identity: &Identity) -> ServerConfig {
    ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![identity.cert.clone()], identity.key())
        .expect("server config")
}

fn tls12_server_config(identity: &Identity) -> ServerConfig {
    ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![identity.cert.clone()], identity.key())
        .expect("server config")
}

fn tls13_server_config(identity: &Identity) -> ServerConfig {
    ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![identity.cert.clone()], identity.key())
        .expect("server config")
}

/// Runs httperf-rs `--ssl` against `port` with `extra` options.
fn run_env(port: u16, extra: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_httperf-rs"));
    command
        .arg("--ssl")
        .arg(format!("--port={port}"))
        .args(extra)
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    wait_bounded(command.spawn().expect("spawn httperf-rs"), LIMIT)
}

fn run(port: u16, extra: &[&str]) -> Run {
    run_env(port, extra, &[])
}

fn totals(result: &Run) -> &str {
    result
        .line("Total:")
        .split(" test-duration")
        .next()
        .unwrap_or_default()
}

fn errors(result: &Run) -> String {
    let lines: Vec<&str> = result
        .stdout
        .lines()
        .filter(|line| line.starts_with("Errors:"))
        .collect();
    lines.join("\n")
}

const REPLY_BODY: &str = "hello, tls";

fn request_for(host: &str) -> Vec<u8> {
    format!("GET / HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: {host}\r\n\r\n").into_bytes()
}

#[test]
fn requests_and_replies_count_application_bytes() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    let reply = ok_reply(REPLY_BODY);
    let server = TlsServer::start(server_config(&identity), Mode::Reply(reply.clone()));
    let result = run(
        server.port,
        &["--server=localhost", "--num-conns=4", "--num-calls=3"],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(result.stderr, "");
    assert_eq!(
        totals(&result),
        "Total: connections 4 requests 12 replies 12"
    );
    let request = request_for("localhost");
    assert_eq!(
        result.line("Request size"),
        format!("Request size [B]: {}.0", request.len())
    );
    let header = reply.len() - REPLY_BODY.len();
    assert_eq!(
        result.line("Reply size"),
        format!(
            "Reply size [B]: header {header}.0 content {}.0 footer 0.0 (total {}.0)",
            REPLY_BODY.len(),
            reply.len()
        )
    );
    assert_eq!(result.count("Errors: total", "total"), 0);
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    for conn in &seen {
        assert_eq!(conn.error, None);
        assert_eq!(conn.received, request.repeat(3));
        assert_eq!(conn.sni.as_deref(), Some("localhost"));
        assert_eq!(conn.version, Some(rustls::ProtocolVersion::TLSv1_3));
        // httperf closes with a close_notify, as 0.9.0 (OpenSSL) does.
        assert!(conn.close_notify);
    }
    assert_eq!(
        result.stdout.lines().next(),
        Some(
            format!(
                "httperf-rs --client=0/1 --server=localhost --port={} --uri=/ --send-buffer=4096 --recv-buffer=16384 --ssl --num-conns=4 --num-calls=3",
                server.port
            )
            .as_str()
        )
    );
}

#[test]
fn sessions_are_resumed_across_connections_by_default() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    let server = TlsServer::start(server_config(&identity), Mode::Reply(ok_reply(REPLY_BODY)));
    let result = run(server.port, &["--server=localhost", "--num-conns=6"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 6 requests 6 replies 6");
    assert_eq!(server.resumed_and_full(), (5, 1));
}

#[test]
fn tls12_sessions_are_resumed_too() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    let server = TlsServer::start(
        tls12_server_config(&identity),
        Mode::Reply(ok_reply(REPLY_BODY)),
    );
    let result = run(server.port, &["--server=localhost", "--num-conns=4"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 4 requests 4 replies 4");
    let seen = server.seen();
    assert!(seen
        .iter()
        .all(|s| s.version == Some(rustls::ProtocolVersion::TLSv1_2)));
    assert_eq!(server.resumed_and_full(), (3, 1));
}

#[test]
fn ssl_no_reuse_makes_every_handshake_full() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    for config in [server_config(&identity), tls12_server_config(&identity)] {
        let server = TlsServer::start(config, Mode::Reply(ok_reply(REPLY_BODY)));
        let result = run(
            server.port,
            &["--server=localhost", "--num-conns=5", "--ssl-no-reuse"],
        );
        assert_eq!(result.status, 0, "{}", result.stderr);
        assert_eq!(totals(&result), "Total: connections 5 requests 5 replies 5");
        assert_eq!(server.resumed_and_full(), (0, 5));
    }
}

#[test]
fn sni_follows_tls_server_name_then_server_name_and_is_absent_for_addresses() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    let cases: [(&[&str], Option<&str>, &str); 4] = [
        (&["--server=127.0.0.1"], None, "127.0.0.1"),
        (
            &["--server=127.0.0.1", "--server-name=www.example.org"],
            Some("www.example.org"),
            "www.example.org",
        ),
        (
            &[
                "--server=localhost",
                "--server-name=www.example.org",
                "--tls-server-name=sni.example.net",
            ],
            Some("sni.example.net"),
            "www.example.org",
        ),
        (&["--server=localhost"], Some("localhost"), "localhost"),
    ];
    for (args, sni, host) in cases {
        let server = TlsServer::start(server_config(&identity), Mode::Reply(ok_reply(REPLY_BODY)));
        let result = run(server.port, args);
        assert_eq!(result.status, 0, "{args:?}: {}", result.stderr);
        assert_eq!(totals(&result), "Total: connections 1 requests 1 replies 1");
        let seen = server.seen();
        assert_eq!(seen[0].sni.as_deref(), sni, "{args:?}");
        assert_eq!(seen[0].received, request_for(host), "{args:?}");
    }
}

#[test]
fn verification_fails_against_an_untrusted_certificate_and_is_counted() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    // The "system" trust store holds some other CA only.
    let other = Identity::new(&dir, "other");
    let server = TlsServer::start(server_config(&identity), Mode::Reply(ok_reply(REPLY_BODY)));
    let result = run_env(
        server.port,
        &["--server=localhost", "--num-conns=3", "--ssl-verify"],
        &[("SSL_CERT_FILE", &other.cert_file)],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 3 requests 0 replies 0");
    assert_eq!(
        errors(&result),
        "Errors: total 3 client-timo 0 socket-timo 0 connrefused 0 connreset 0\n\
         Errors: fd-unavail 0 addrunavail 0 ftab-full 0 other 3"
    );
    assert_eq!(
        result.stderr,
        "httperf-rs: SSL/TLS error: invalid peer certificate: UnknownIssuer\n\
         httperf-rs: connection failed with unexpected error 71\n"
    );
    // The server saw the client's bad_certificate alert.
    assert!(server.seen().iter().all(|s| s.error.is_some()));
}

#[test]
fn verification_succeeds_with_the_ca_file() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    for server_arg in ["--server=localhost", "--server=127.0.0.1"] {
        let server = TlsServer::start(server_config(&identity), Mode::Reply(ok_reply(REPLY_BODY)));
        let ca = format!("--ssl-ca-file={}", identity.cert_file.display());
        let result = run(
            server.port,
            &[server_arg, "--num-conns=2", "--ssl-verify", &ca],
        );
        assert_eq!(result.status, 0, "{}", result.stderr);
        assert_eq!(result.stderr, "");
        assert_eq!(totals(&result), "Total: connections 2 requests 2 replies 2");
        // The same directory works as --ssl-ca-path.
        let ca_path = format!("--ssl-ca-path={}", dir.path().display());
        let result = run(
            server.port,
            &[server_arg, "--num-conns=1", "--ssl-verify=yes", &ca_path],
        );
        assert_eq!(result.status, 0, "{}", result.stderr);
        assert_eq!(totals(&result), "Total: connections 1 requests 1 replies 1");
    }
}

/// The usual test certificate, made with exactly
/// `openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost`: a CA:TRUE
/// certificate without subjectAltName. Returns its DER and its PEM file, and
/// the key.
fn openssl_self_signed(
    dir: &Scratch,
    name: &str,
) -> (CertificateDer<'static>, PathBuf, PrivateKeyDer<'static>) {
    let cert_file = dir.join(format!("{name}-openssl-cert.pem"));
    let key_file = dir.join(format!("{name}-openssl-key.pem"));
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes"])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(&key_file)
        .arg("-out")
        .arg(&cert_file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the openssl command runs (apt-get install openssl)");
    assert!(status.success(), "openssl req failed");
    let cert = CertificateDer::from_pem_file(&cert_file).expect("certificate PEM");
    let key = PrivateKeyDer::from_pem_file(&key_file).expect("key PEM");
    (cert, cert_file, key)
}

fn config_for(cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> ServerConfig {
    ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server config")
}

#[test]
fn a_self_signed_openssl_certificate_is_trusted_through_the_ca_file() {
    let dir = Scratch::new("tls");
    let (cert, cert_file, key) = openssl_self_signed(&dir, "server");
    let server = TlsServer::start(config_for(cert, key), Mode::Reply(ok_reply(REPLY_BODY)));
    let ca = format!("--ssl-ca-file={}", cert_file.display());
    for server_arg in ["--server=localhost", "--server=127.0.0.1"] {
        let result = run(
            server.port,
            &[server_arg, "--num-conns=2", "--ssl-verify", &ca],
        );
        assert_eq!(result.status, 0, "{}", result.stderr);
        assert_eq!(result.stderr, "", "{server_arg}");
        assert_eq!(totals(&result), "Total: connections 2 requests 2 replies 2");
    }
    // Another certificate made the same way is no substitute.
    let (_, other_file, _) = openssl_self_signed(&dir, "other");
    let other = format!("--ssl-ca-file={}", other_file.display());
    let result = run(
        server.port,
        &[
            "--server=localhost",
            "--num-conns=1",
            "--ssl-verify",
            &other,
        ],
    );
    assert_eq!(totals(&result), "Total: connections 1 requests 0 replies 0");
    assert!(
        result
            .stderr
            .starts_with("httperf-rs: SSL/TLS error: invalid peer certificate: "),
        "{}",
        result.stderr
    );
}

/// Presents a fixed certificate but signs the handshake with another key.
#[derive(Debug)]
struct ImpostorCert(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for ImpostorCert {
    fn resolve(
        &self,
        _client_hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

#[test]
fn a_trusted_certificate_still_has_to_prove_its_key() {
    let dir = Scratch::new("tls");
    let (cert, cert_file, _) = openssl_self_signed(&dir, "server");
    let (_, _, impostor_key) = openssl_self_signed(&dir, "impostor");
    let signing_key = provider()
        .key_provider
        .load_private_key(impostor_key)
        .expect("signing key");
    let certified = Arc::new(rustls::sign::CertifiedKey::new(vec![cert], signing_key));
    let ca = format!("--ssl-ca-file={}", cert_file.display());
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let config = ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[version])
            .expect("versions")
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(ImpostorCert(Arc::clone(&certified))));
        let server = TlsServer::start(config, Mode::Reply(ok_reply(REPLY_BODY)));
        let result = run(
            server.port,
            &["--server=localhost", "--num-conns=1", "--ssl-verify", &ca],
        );
        assert_eq!(totals(&result), "Total: connections 1 requests 0 replies 0");
        assert!(
            result
                .stderr
                .starts_with("httperf-rs: SSL/TLS error: invalid peer certificate: BadSignature"),
            "{version:?}: {}",
            result.stderr
        );
    }
}

#[test]
fn client_certificates_are_presented() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    let client = Identity::new(&dir, "client");
    let mut roots = RootCertStore::empty();
    roots.add(client.cert.clone()).expect("root");
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .expect("client verifier");
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![identity.cert.clone()], identity.key())
        .expect("server config");
    let server = TlsServer::start(config, Mode::Reply(ok_reply(REPLY_BODY)));
    let cert = format!("--ssl-certificate={}", client.cert_file.display());
    let key = format!("--ssl-key={}", client.key_file.display());
    let result = run(
        server.port,
        &["--server=localhost", "--num-conns=2", &cert, &key],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 2 requests 2 replies 2");
    assert!(result
        .stdout
        .lines()
        .next()
        .expect("echo")
        .contains(&format!(
            " --ssl-cert={} --ssl-key={}",
            client.cert_file.display(),
            client.key_file.display()
        )));
    // Without a certificate the server refuses the client: counted, no crash.
    let result = run(server.port, &["--server=localhost", "--num-conns=2"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(result.count("Errors: fd-unavail", "other"), 2);
    assert!(
        result.stderr.starts_with("httperf-rs: SSL/TLS error: "),
        "{}",
        result.stderr
    );
    // A key that does not belong to the certificate: httperf's message, exit 1.
    let wrong_key = format!("--ssl-key={}", identity.key_file.display());
    let result = run(server.port, &["--server=localhost", &cert, &wrong_key]);
    assert_eq!(result.status, 1);
    assert_eq!(
        result.stderr,
        "httperf-rs: SSL certificate and key failed consistency check\n"
    );
}

#[test]
fn a_cipher_list_without_supported_suites_is_refused_after_the_echo_line() {
    let result = run(
        support::closed_port(),
        &[
            "--server=127.0.0.1",
            "--ssl-ciphers=RC4-MD5:EXP-DES-CBC-SHA",
        ],
    );
    assert_eq!(result.status, 1);
    assert_eq!(result.stdout.lines().count(), 1, "{}", result.stdout);
    assert!(result
        .stdout
        .contains(" --ssl-ciphers=RC4-MD5:EXP-DES-CBC-SHA"));
    assert_eq!(
        result.stderr,
        "httperf-rs: no cipher suite in --ssl-ciphers=RC4-MD5:EXP-DES-CBC-SHA is supported by httperf-rs; \
         supported: TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:\
         ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:\
         ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305\n"
    );
}

#[test]
fn a_cipher_list_picks_the_negotiated_suite() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    let cases = [
        // rcgen makes ECDSA keys. As with OpenSSL, a list of TLS 1.2 suites
        // leaves TLS 1.3 on: pin the version to get the suite.
        (
            "--ssl-ciphers=NOT-A-SUITE:ECDHE-ECDSA-AES128-GCM-SHA256",
            Some("--ssl-protocol=TLSv1.2"),
            rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
        (
            "--ssl-ciphers=ECDHE-ECDSA-AES128-GCM-SHA256",
            None,
            rustls::CipherSuite::TLS13_AES_256_GCM_SHA384,
        ),
        (
            "--ssl-ciphers=TLS_CHACHA20_POLY1305_SHA256",
            None,
            rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
        ),
    ];
    for (ciphers, protocol, suite) in cases {
        let server = TlsServer::start(server_config(&identity), Mode::Reply(ok_reply(REPLY_BODY)));
        let mut args = vec!["--server=localhost", ciphers];
        args.extend(protocol);
        let result = run(server.port, &args);
        assert_eq!(result.status, 0, "{}", result.stderr);
        assert_eq!(totals(&result), "Total: connections 1 requests 1 replies 1");
        assert_eq!(server.seen()[0].suite, Some(suite), "{ciphers}");
    }
}

#[test]
fn protocols_rustls_cannot_speak_are_refused_clearly() {
    for protocol in ["SSLv3", "SSLv2", "TLSv1.0", "TLSv1_1"] {
        let result = run(
            support::closed_port(),
            &["--server=127.0.0.1", &format!("--ssl-protocol={protocol}")],
        );
        assert_eq!(result.status, 1, "{protocol}");
        assert_eq!(result.stdout.lines().count(), 1, "{}", result.stdout);
        let shown = protocol.replace('_', ".");
        assert_eq!(
            result.stderr,
            format!(
                "httperf-rs: --ssl-protocol={shown} is not supported: httperf-rs (rustls) speaks only \
                 TLSv1.2 and TLSv1.3 (use --ssl-protocol=TLSv1.2, TLSv1.3 or auto)\n"
            )
        );
    }
}

#[test]
fn a_pinned_protocol_the_server_refuses_is_an_alert_counted_as_other() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    let server = TlsServer::start(
        tls13_server_config(&identity),
        Mode::Reply(ok_reply(REPLY_BODY)),
    );
    let result = run(
        server.port,
        &[
            "--server=localhost",
            "--num-conns=2",
            "--ssl-protocol=TLSv1.2",
        ],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 2 requests 0 replies 0");
    assert_eq!(result.count("Errors: fd-unavail", "other"), 2);
    assert_eq!(
        result.stderr,
        "httperf-rs: SSL/TLS error: received fatal alert: ProtocolVersion\n\
         httperf-rs: connection failed with unexpected error 71\n"
    );
    // With TLSv1.3 pinned it works.
    let result = run(
        server.port,
        &["--server=localhost", "--ssl-protocol=TLSv1.3"],
    );
    assert_eq!(totals(&result), "Total: connections 1 requests 1 replies 1");
}

/// A plain-HTTP server: reads the ClientHello, answers 400 and closes.
fn plain_http_server() -> (u16, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = thread::spawn(move || {
        for _ in 0..3 {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let _ = stream.set_read_timeout(Some(SERVER_READ_TIMEOUT));
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (port, handle)
}

#[test]
fn a_handshake_with_a_plain_http_server_is_counted_not_fatal() {
    let (port, handle) = plain_http_server();
    let result = run(
        port,
        &["--server=127.0.0.1", "--num-conns=3", "--timeout=5"],
    );
    handle.join().expect("server");
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 3 requests 0 replies 0");
    assert_eq!(
        errors(&result),
        "Errors: total 3 client-timo 0 socket-timo 0 connrefused 0 connreset 0\n\
         Errors: fd-unavail 0 addrunavail 0 ftab-full 0 other 3"
    );
    let mut lines = result.stderr.lines();
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("httperf-rs: SSL/TLS error: ")),
        "{}",
        result.stderr
    );
    assert_eq!(
        lines.next(),
        Some("httperf-rs: connection failed with unexpected error 71")
    );
    assert_eq!(lines.next(), None);
    // Connect time is only recorded once a handshake completes.
    assert_eq!(
        result.line("Connection time [ms]: connect"),
        "Connection time [ms]: connect 0.0"
    );
}

#[test]
fn truncations_follow_httperfs_eof_rules() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    // A body ended by close (no length) completes at the TCP EOF, even
    // without a close_notify.
    let close_delimited = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello".to_vec();
    let server = TlsServer::start(
        server_config(&identity),
        Mode::ReplyThenDrop(close_delimited),
    );
    let result = run(server.port, &["--server=localhost", "--num-conns=2"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 2 requests 2 replies 2");
    assert_eq!(result.count("Errors: total", "total"), 0);
    // Closing outside a body is httperf's connreset.
    let server = TlsServer::start(server_config(&identity), Mode::DropAfterHandshake);
    let result = run(server.port, &["--server=localhost", "--num-conns=2"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 2 requests 2 replies 0");
    assert_eq!(result.count("Errors: total", "connreset"), 2);
    assert_eq!(result.stderr, "");
    // A truncated record: what came in whole counts, the rest is an EOF. A
    // reply in one record never arrives: connreset.
    let server = TlsServer::start(
        server_config(&identity),
        Mode::TruncatedRecord(ok_reply(REPLY_BODY)),
    );
    let result = run(server.port, &["--server=localhost", "--num-conns=2"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 2 requests 2 replies 0");
    assert_eq!(result.count("Errors: total", "connreset"), 2);
    // A 20,000-byte body takes two records: the first (16,384 bytes of
    // plaintext) arrives, the EOF inside the body completes the reply, as
    // httperf counts a truncated body.
    let body = "b".repeat(20_000);
    let long = ok_reply(&body);
    let header = long.len() - body.len();
    let server = TlsServer::start(server_config(&identity), Mode::TruncatedRecord(long));
    let result = run(server.port, &["--server=localhost", "--num-conns=2"]);
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 2 requests 2 replies 2");
    assert_eq!(result.count("Errors: total", "total"), 0);
    assert_eq!(
        result.line("Reply size"),
        format!(
            "Reply size [B]: header {header}.0 content {}.0 footer 0.0 (total 16384.0)",
            16384 - header
        )
    );
    assert_eq!(result.stderr, "");
}

#[test]
fn a_server_that_never_handshakes_hits_the_connect_timeout() {
    let server = TestServer::start(Behaviour::Silent);
    let result = run(
        server.port,
        &["--server=127.0.0.1", "--num-conns=2", "--timeout=0.3"],
    );
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 2 requests 0 replies 0");
    assert_eq!(result.count("Errors: total", "client-timo"), 2);
}

#[test]
fn an_eof_during_the_handshake_is_a_connreset() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = thread::spawn(move || {
        for _ in 0..2 {
            if let Ok((stream, _)) = listener.accept() {
                let _ = stream.set_read_timeout(Some(SERVER_READ_TIMEOUT));
                let mut buffer = [0u8; 4096];
                let _ = (&stream).read(&mut buffer);
                drop(stream);
            }
        }
    });
    let result = run(
        port,
        &["--server=127.0.0.1", "--num-conns=2", "--timeout=5"],
    );
    handle.join().expect("server");
    assert_eq!(result.status, 0, "{}", result.stderr);
    assert_eq!(totals(&result), "Total: connections 2 requests 0 replies 0");
    assert_eq!(result.count("Errors: total", "connreset"), 2);
    assert_eq!(result.stderr, "");
}

#[test]
fn session_workloads_resume_within_and_across_sessions() {
    let dir = Scratch::new("tls");
    let identity = Identity::new(&dir, "server");
    for (extra, expected) in [(None, (3, 1)), (Some("--ssl-no-reuse"), (0, 4))] {
        let server = TlsServer::start(server_config(&identity), Mode::Reply(ok_reply(REPLY_BODY)));
        // HTTP/1.0 sessions open one connection per call.
        let mut args = vec!["--server=localhost", "--wsess=1,4,0", "--http-version=1.0"];
        args.extend(extra);
        let result = run(server.port, &args);
        assert_eq!(result.status, 0, "{}", result.stderr);
        assert_eq!(totals(&result), "Total: connections 4 requests 4 replies 4");
        assert_eq!(
            result.line("Session length histogram"),
            "Session length histogram: 0 0 0 0 1"
        );
        assert_eq!(server.resumed_and_full(), expected, "{extra:?}");
    }
}
