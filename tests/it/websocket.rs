//! `--websocket` end to end: against a real WebSocket echo server (Python's
//! `websockets`, Debian package python3-websockets) and against a scripted
//! server that misbehaves in one way per test (no 101, a wrong accept value,
//! no Close, garbage frames). Every run is bounded in time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use httperf_rs::http::websocket::accept_for_key;

use crate::support::{run_binary, Run};

const LIMIT: Duration = Duration::from_secs(60);

/// The echo server of the `websockets` package, killed on drop.
struct EchoServer {
    child: Child,
    port: u16,
}

const ECHO_SERVER: &str = r#"
import asyncio, websockets
async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)
async def main():
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(port, flush=True)
        await asyncio.sleep(120)
asyncio.run(main())
"#;

impl EchoServer {
    fn start() -> EchoServer {
        // The package installs for the system Python, which a python3 found
        // first on PATH (pyenv, a venv) may not see.
        let python = ["/usr/bin/python3", "python3"]
            .into_iter()
            .find(|python| {
                Command::new(python)
                    .args(["-c", "import websockets"])
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success())
            })
            .expect("python3 with the websockets module (apt-get install python3-websockets)");
        let mut child = Command::new(python)
            .args(["-c", ECHO_SERVER])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the echo server");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the port");
        let port = line.trim().parse().expect("the echo server's port");
        EchoServer { child, port }
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_websocket(port: u16, extra: &[&str]) -> Run {
    let port = port.to_string();
    let mut args = vec![
        "--server",
        "127.0.0.1",
        "--port",
        &port,
        "--websocket",
        "--timeout",
        "5",
    ];
    args.extend_from_slice(extra);
    run_binary(&args, LIMIT)
}

/// The `Reply status:` count of a class (`1xx`).
fn reply_class(run: &Run, class: &str) -> u64 {
    let line = run.line("Reply status:");
    line.split_whitespace()
        .find_map(|word| word.strip_prefix(class)?.strip_prefix('=')?.parse().ok())
        .unwrap_or_else(|| panic!("no {class} in {line}"))
}

#[test]
fn handshakes_messages_and_closes_against_a_real_server() {
    let server = EchoServer::start();
    let run = run_websocket(
        server.port,
        &[
            "--num-conns",
            "20",
            "--rate",
            "200",
            "--ws-messages",
            "3",
            "--ws-message-size",
            "1000",
        ],
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(run.count("Total:", "requests"), 20, "{}", run.stdout);
    assert_eq!(reply_class(&run, "1xx"), 20, "{}", run.stdout);
    assert_eq!(run.count("Errors: total", "total"), 0, "{}", run.stdout);
    assert_eq!(run.count("WebSocket:", "upgraded"), 20);
    assert_eq!(run.count("WebSocket:", "ws-handshake-fail"), 0);
    assert_eq!(run.count("WebSocket messages:", "sent"), 60);
    assert_eq!(run.count("WebSocket messages:", "echoed"), 60);
    assert_eq!(run.count("WebSocket close:", "answered"), 20);
    assert_eq!(run.count("WebSocket opening handshake", "n"), 20);
    assert_eq!(run.count("WebSocket closing handshake", "n"), 20);
    assert!(run
        .line("WebSocket opening handshake [ms]:")
        .contains(" p99 "));
}

#[test]
fn watermarks_bound_the_conversations_in_flight() {
    let server = EchoServer::start();
    let run = run_websocket(
        server.port,
        &[
            "--num-conns",
            "12",
            "--rate",
            "1000",
            "--max-connections",
            "4",
            "--ws-low-watermark",
            "1",
            "--ws-messages",
            "1",
        ],
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(
        run.count("WebSocket close:", "answered"),
        12,
        "{}",
        run.stdout
    );
    let concurrent = run.line("Connection rate:");
    let at_most: u64 = concurrent
        .split("<=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("concurrency");
    assert!(at_most <= 4, "{concurrent}");
}

#[test]
fn json_carries_the_websocket_block() {
    let server = EchoServer::start();
    let run = run_websocket(server.port, &["--num-conns", "3", "--json", "-"]);
    assert_eq!(run.status, 0, "{run:?}");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let ws = json
        .pointer("/totals/websocket")
        .unwrap_or_else(|| panic!("no totals.websocket in {}", run.stdout));
    assert_eq!(ws["upgraded"], 3);
    assert_eq!(ws["closes_answered"], 3);
    assert_eq!(ws["opening"]["count"], 3);
}

/// How the scripted server misbehaves.
#[derive(Clone, Copy)]
enum Misbehaviour {
    /// Answers the handshake with 200.
    NoUpgrade,
    /// Answers 101 with an accept value for another key.
    WrongAccept,
    /// Answers 101 correctly, then reads everything and never sends Close.
    NeverCloses,
    /// Answers 101 correctly, then answers any frame with bytes no
    /// WebSocket server may send.
    GarbageFrames,
    /// Answers 101 correctly and echoes the Close frame back correctly.
    Correct,
}

/// A one-thread-per-connection server; records the keys it was sent. The
/// threads end when httperf-rs closes its connections; the listener stays
/// until the test process ends.
fn scripted_server(behaviour: Misbehaviour) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let keys: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = Arc::clone(&keys);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let record = Arc::clone(&record);
            thread::spawn(move || serve(stream, behaviour, &record));
        }
    });
    (port, keys)
}

fn serve(mut stream: TcpStream, behaviour: Misbehaviour, keys: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => request.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&request).into_owned();
    assert!(text.starts_with("GET / HTTP/1.1\r\n"), "{text}");
    for header in [
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Version: 13",
    ] {
        assert!(text.contains(&format!("{header}\r\n")), "{text}");
    }
    let key = text
        .lines()
        .find_map(|line| line.strip_prefix("Sec-WebSocket-Key: "))
        .unwrap_or_default()
        .to_string();
    keys.lock().expect("lock").push(key.clone());
    let accept = match behaviour {
        Misbehaviour::WrongAccept => accept_for_key(b"another key"),
        _ => accept_for_key(key.as_bytes()),
    };
    let reply = match behaviour {
        Misbehaviour::NoUpgrade => b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno".to_vec(),
        _ => [
            &b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "[..],
            &accept,
            b"\r\n\r\n",
        ]
        .concat(),
    };
    let _ = stream.write_all(&reply);
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let answer: &[u8] = match behaviour {
            Misbehaviour::GarbageFrames => b"\xff\xfe\xfd garbage that is no frame",
            Misbehaviour::Correct => b"\x88\x02\x03\xe8",
            _ => b"",
        };
        let _ = stream.write_all(answer);
    }
}

#[test]
fn a_correct_scripted_server_sees_fresh_keys_and_completes() {
    let (port, keys) = scripted_server(Misbehaviour::Correct);
    let run = run_websocket(port, &["--num-conns", "4"]);
    assert_eq!(run.count("WebSocket close:", "answered"), 4, "{run:?}");
    let mut keys = keys.lock().expect("lock").clone();
    assert_eq!(keys.len(), 4);
    assert!(keys.iter().all(|key| key.len() == 24), "{keys:?}");
    keys.dedup();
    assert_eq!(keys.len(), 4, "keys repeat");
}

#[test]
fn a_reply_without_101_counts_as_handshake_failure() {
    let (port, _) = scripted_server(Misbehaviour::NoUpgrade);
    let run = run_websocket(port, &["--num-conns", "5"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(
        run.count("WebSocket:", "ws-handshake-fail"),
        5,
        "{}",
        run.stdout
    );
    assert_eq!(run.count("WebSocket:", "upgraded"), 0);
    assert_eq!(reply_class(&run, "2xx"), 5);
    assert_eq!(run.count("WebSocket close:", "sent"), 0);
}

#[test]
fn a_wrong_accept_value_counts_as_bad_accept() {
    let (port, _) = scripted_server(Misbehaviour::WrongAccept);
    let run = run_websocket(port, &["--num-conns", "5", "--ws-messages", "2"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(
        run.count("WebSocket:", "ws-bad-accept"),
        5,
        "{}",
        run.stdout
    );
    assert_eq!(run.count("WebSocket:", "upgraded"), 0);
    assert_eq!(run.count("WebSocket messages:", "sent"), 0);
}

#[test]
fn a_server_that_never_closes_ends_in_client_timeouts() {
    let (port, _) = scripted_server(Misbehaviour::NeverCloses);
    let run = run_binary(
        &[
            "--server",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--websocket",
            "--num-conns",
            "3",
            "--rate",
            "100",
            "--timeout",
            "0.5",
        ],
        LIMIT,
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(run.count("WebSocket:", "upgraded"), 3, "{}", run.stdout);
    assert_eq!(run.count("WebSocket close:", "sent"), 3);
    assert_eq!(run.count("WebSocket close:", "answered"), 0);
    assert_eq!(run.count("Errors: total", "client-timo"), 3);
}

#[test]
fn garbage_frames_count_as_frame_errors() {
    let (port, _) = scripted_server(Misbehaviour::GarbageFrames);
    let run = run_websocket(port, &["--num-conns", "4", "--ws-messages", "2"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(
        run.count("WebSocket:", "ws-frame-error"),
        4,
        "{}",
        run.stdout
    );
    assert_eq!(run.count("WebSocket messages:", "echoed"), 0);
    assert!(!run.stderr.contains("panick"), "{}", run.stderr);
}

#[test]
fn websocket_options_are_checked() {
    let refused = [
        vec!["--ws-messages", "3"],
        vec!["--websocket", "--ws-low-watermark", "2"],
        vec![
            "--websocket",
            "--max-connections",
            "2",
            "--ws-low-watermark",
            "2",
        ],
        vec!["--websocket", "--wsess", "1,1,0"],
        vec!["--websocket", "--http-version", "1.0"],
        vec!["--websocket", "--ws-message-size", "16777217"],
        vec!["--websocket", "--ws-messages", "x"],
    ];
    for args in refused {
        let run = run_binary(&args, LIMIT);
        assert_eq!(run.status, 1, "{args:?}: {run:?}");
        assert!(run.stderr.contains("httperf-rs: "), "{args:?}: {run:?}");
    }
}

#[test]
fn merged_shards_add_up_their_websocket_blocks() {
    let server = EchoServer::start();
    let dir = std::env::temp_dir().join(format!("httperf-rs-ws-merge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let shard = |index: usize| dir.join(format!("shard-{index}.json"));
    let mut texts = Vec::new();
    // Each shard runs its share: the same options but for --client.
    for (index, conns) in [(0, "3"), (1, "3")] {
        let client = format!("{index}/2");
        let path = shard(index);
        let path = path.to_str().expect("UTF-8 path");
        let run = run_websocket(
            server.port,
            &["--client", &client, "--num-conns", conns, "--json", path],
        );
        assert_eq!(run.status, 0, "{run:?}");
        texts.push(std::fs::read_to_string(path).expect("shard written"));
    }
    let shards: Vec<serde_json::Value> = texts
        .iter()
        .map(|text| serde_json::from_str(text).expect("JSON"))
        .collect();
    let (a, b) = (shard(0), shard(1));
    let merged = run_binary(
        &[
            "merge",
            a.to_str().unwrap_or(""),
            b.to_str().unwrap_or(""),
            "--json",
            "-",
        ],
        LIMIT,
    );
    let text = run_binary(
        &["merge", a.to_str().unwrap_or(""), b.to_str().unwrap_or("")],
        LIMIT,
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(merged.status, 0, "{merged:?}");
    assert!(
        text.stdout
            .contains("\nWebSocket: handshakes 6 upgraded 6 "),
        "{text:?}"
    );
    let json: serde_json::Value = serde_json::from_str(&merged.stdout).expect("merged JSON");
    let ws = json
        .pointer("/totals/websocket")
        .unwrap_or_else(|| panic!("no totals.websocket in {}", merged.stdout));
    assert_eq!(ws["handshakes"], 6);
    assert_eq!(ws["upgraded"], 6);
    assert_eq!(ws["closes_answered"], 6);
    let times = |doc: &serde_json::Value, field: &str| {
        doc.pointer(&format!("/totals/websocket/opening/{field}"))
            .and_then(serde_json::Value::as_f64)
            .unwrap_or_else(|| panic!("no opening.{field}"))
    };
    assert_eq!(times(&json, "count"), 6.0);
    let lowest = times(&shards[0], "min_ms").min(times(&shards[1], "min_ms"));
    let highest = times(&shards[0], "max_ms").max(times(&shards[1], "max_ms"));
    assert_eq!(times(&json, "min_ms"), lowest);
    assert_eq!(times(&json, "max_ms"), highest);
    // The mean of the merged histogram is the shards' means weighted by count.
    let weighted = (times(&shards[0], "avg_ms") + times(&shards[1], "avg_ms")) / 2.0;
    assert!((times(&json, "avg_ms") - weighted).abs() < 1e-9, "{ws}");
    assert!(ws["opening"]["histogram"].is_string(), "{ws}");
}
