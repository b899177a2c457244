//! What a connection's bytes travel over: the plain TCP stream, or TLS
//! (a rustls `ClientConnection` on top of it). Reads and writes take and give
//! application bytes only; the TLS records are moved to and from the socket
//! here, always until the socket would block, so the engine's edge-triggered
//! registration stays correct. rustls' `wants_write` decides when records are
//! written (after every write, read and handshake step), `wants_read` when the
//! handshake reads. No HTTP knowledge, no statistics.

use std::fmt;
use std::io::{self, IoSlice, Read, Write};

use mio::net::TcpStream;
use rustls::ClientConnection;

/// Why a transport operation failed.
#[derive(Debug)]
pub enum TransportError {
    /// The socket's own error (including `WouldBlock` and `Interrupted`,
    /// which callers handle by kind).
    Io(io::Error),
    /// A TLS protocol failure: bad record, alert received, certificate refused...
    Tls(rustls::Error),
    /// The peer closed the connection in the middle of the TLS handshake.
    EofInHandshake,
}

impl TransportError {
    /// The errno httperf's counters see: TLS protocol failures are EPROTO
    /// (counted as `other`), an end of stream in the middle of a handshake is
    /// ECONNRESET (`connreset`), socket errors keep their own.
    pub fn errno(&self) -> i32 {
        match self {
            TransportError::Io(error) => error.raw_os_error().unwrap_or(libc::EIO),
            TransportError::Tls(_) => libc::EPROTO,
            TransportError::EofInHandshake => libc::ECONNRESET,
        }
    }

    /// The `io::ErrorKind` of a socket error; TLS failures are `Other`,
    /// the early end of stream `UnexpectedEof`.
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            TransportError::Io(error) => error.kind(),
            TransportError::Tls(_) => io::ErrorKind::Other,
            TransportError::EofInHandshake => io::ErrorKind::UnexpectedEof,
        }
    }

    /// The TLS failure, if it is one.
    pub fn tls(&self) -> Option<&rustls::Error> {
        match self {
            TransportError::Tls(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for TransportError {
    fn from(error: io::Error) -> Self {
        TransportError::Io(error)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Io(error) => error.fmt(f),
            TransportError::Tls(error) => error.fmt(f),
            TransportError::EofInHandshake => {
                f.write_str("connection closed during the TLS handshake")
            }
        }
    }
}

impl std::error::Error for TransportError {}

type Result<T> = std::result::Result<T, TransportError>;

pub enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream>),
}

pub struct TlsStream {
    tcp: TcpStream,
    tls: ClientConnection,
    /// The last socket read was shorter than asked (or would block): the
    /// receive queue was empty then, so new data raises a new edge.
    drained: bool,
    /// The last event said the peer closed: only an EOF ends the reading.
    peer_closing: bool,
}

/// Reads from the socket and notes whether the read drained it.
struct DrainTracker<'a> {
    tcp: &'a mut TcpStream,
    drained: &'a mut bool,
    peer_closing: bool,
}

impl Read for DrainTracker<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let result = self.tcp.read(buffer);
        *self.drained = match &result {
            Ok(len) => *len < buffer.len() && !self.peer_closing,
            Err(error) => error.kind() == io::ErrorKind::WouldBlock,
        };
        result
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transport::Plain(tcp) => f.debug_tuple("Plain").field(tcp).finish(),
            Transport::Tls(stream) => f.debug_tuple("Tls").field(&stream.tcp).finish(),
        }
    }
}

impl Transport {
    pub fn tls(tcp: TcpStream, tls: ClientConnection) -> Transport {
        Transport::Tls(Box::new(TlsStream {
            tcp,
            tls,
            drained: true,
            peer_closing: false,
        }))
    }

    pub fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Plain(tcp) => tcp,
            Transport::Tls(stream) => &stream.tcp,
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self, Transport::Tls(_))
    }

    /// After a read that returned less than the buffer: was the socket
    /// drained? Plain TCP: yes. TLS: if rustls' last read from the socket
    /// was short too (it reads in pieces of its own size).
    pub fn short_read_drains(&self) -> bool {
        match self {
            Transport::Plain(_) => true,
            Transport::Tls(stream) => stream.drained,
        }
    }

    /// Whether the TLS handshake was a resumption (`None` for plain TCP or
    /// while handshaking).
    pub fn resumed(&self) -> Option<bool> {
        match self {
            Transport::Plain(_) => None,
            Transport::Tls(stream) => stream
                .tls
                .handshake_kind()
                .map(|kind| kind == rustls::HandshakeKind::Resumed),
        }
    }

    /// Moves the handshake on as far as the socket allows: `Ok(true)` once it
    /// is complete (plain TCP: at once), `Ok(false)` when waiting for the
    /// socket. `readable`/`read_closed` say what the event reported: the
    /// socket is only read when it may hold something (not right after the
    /// TCP connect, nor on an event that only says writable). A TLS error is
    /// sent to the peer (best effort) and returned.
    pub fn handshake(&mut self, readable: bool, read_closed: bool) -> Result<bool> {
        let Transport::Tls(stream) = self else {
            return Ok(true);
        };
        if readable || read_closed {
            stream.drained = false;
        }
        stream.peer_closing = read_closed;
        loop {
            stream.flush_records()?;
            if !stream.tls.is_handshaking() {
                return Ok(true);
            }
            if !stream.tls.wants_read() || stream.drained {
                // Waiting for the socket to take our records, or for the
                // peer's: the next edge brings the engine back here.
                return Ok(false);
            }
            let mut socket = DrainTracker {
                tcp: &mut stream.tcp,
                drained: &mut stream.drained,
                peer_closing: stream.peer_closing,
            };
            match stream.tls.read_tls(&mut socket) {
                Ok(0) => return Err(TransportError::EofInHandshake),
                Ok(_) => stream.process()?,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// Writes application bytes: returns how many were taken. With TLS they
    /// are encrypted and the records written until the socket would block;
    /// while records from an earlier write are still queued, nothing more is
    /// taken (`WouldBlock`), so at most one buffer's worth waits in memory.
    pub fn write_vectored(&mut self, parts: &[IoSlice<'_>]) -> Result<usize> {
        match self {
            Transport::Plain(tcp) => Ok(tcp.write_vectored(parts)?),
            Transport::Tls(stream) => {
                if !stream.flush_records()? {
                    return Err(io::Error::from(io::ErrorKind::WouldBlock).into());
                }
                let taken = stream.tls.writer().write_vectored(parts)?;
                stream.flush_records()?;
                Ok(taken)
            }
        }
    }

    /// `write_vectored` of one piece: plain TCP sends it with one send(2),
    /// which the kernel takes more cheaply than a writev of an iovec array.
    pub fn write(&mut self, data: &[u8]) -> Result<usize> {
        match self {
            Transport::Plain(tcp) => Ok(tcp.write(data)?),
            Transport::Tls(_) => self.write_vectored(&[IoSlice::new(data)]),
        }
    }

    /// Whether a read could find something without a new event: TLS
    /// plaintext or a close already decrypted, or a socket not yet drained.
    pub fn has_pending_input(&mut self) -> bool {
        match self {
            Transport::Plain(_) => false,
            Transport::Tls(stream) => {
                !stream.drained
                    || stream.tls.process_new_packets().map_or(true, |state| {
                        state.plaintext_bytes_to_read() > 0 || state.peer_has_closed()
                    })
            }
        }
    }

    /// Writes TLS records still queued (plain TCP has none). `Ok(true)` when
    /// nothing is left.
    pub fn flush(&mut self) -> Result<bool> {
        match self {
            Transport::Plain(_) => Ok(true),
            Transport::Tls(stream) => stream.flush_records(),
        }
    }

    /// Reads application bytes. `Ok(0)` is the end of the stream: a TCP EOF,
    /// or with TLS a close_notify or a TCP EOF without one (a truncation,
    /// which httperf's EOF rules then judge like any other EOF).
    pub fn read(&mut self, buffer: &mut [u8]) -> Result<usize> {
        match self {
            Transport::Plain(tcp) => Ok(tcp.read(buffer)?),
            Transport::Tls(stream) => stream.read_plaintext(buffer),
        }
    }

    /// Says goodbye with a TLS close_notify before the socket is closed
    /// (best effort, never blocks). Nothing for plain TCP.
    pub fn close_notify(&mut self) {
        if let Transport::Tls(stream) = self {
            if !stream.tls.is_handshaking() {
                stream.tls.send_close_notify();
                let _ = stream.flush_records();
            }
        }
    }
}

impl TlsStream {
    /// Writes queued TLS records until none is left (`Ok(true)`) or the
    /// socket would block (`Ok(false)`).
    fn flush_records(&mut self) -> Result<bool> {
        while self.tls.wants_write() {
            match self.tls.write_tls(&mut self.tcp) {
                Ok(0) => return Ok(false),
                Ok(_) => {}
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(true)
    }

    /// Decrypts what `read_tls` brought in. Whatever rustls wants to send in
    /// answer (an alert, a key update) goes out at once, best effort.
    fn process(&mut self) -> Result<()> {
        let result = self.tls.process_new_packets();
        let flushed = self.flush_records();
        result.map_err(TransportError::Tls)?;
        flushed.map(|_| ())
    }

    fn read_plaintext(&mut self, buffer: &mut [u8]) -> Result<usize> {
        loop {
            match self.tls.reader().read(buffer) {
                Ok(len) => return Ok(len),
                Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(error) if error.kind() != io::ErrorKind::WouldBlock => return Err(error.into()),
                Err(_) => {}
            }
            let mut socket = DrainTracker {
                tcp: &mut self.tcp,
                drained: &mut self.drained,
                peer_closing: self.peer_closing,
            };
            match self.tls.read_tls(&mut socket) {
                // rustls notes the EOF; the reader reports it on the next turn.
                Ok(_) => self.process()?,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_httperf_errnos() {
        let tls = TransportError::Tls(rustls::Error::DecryptError);
        assert_eq!(tls.errno(), libc::EPROTO);
        assert!(matches!(tls.tls(), Some(rustls::Error::DecryptError)));
        let eof = TransportError::EofInHandshake;
        assert_eq!(eof.errno(), libc::ECONNRESET);
        assert!(eof.tls().is_none());
        let refused = TransportError::from(io::Error::from_raw_os_error(libc::ECONNREFUSED));
        assert_eq!(refused.errno(), libc::ECONNREFUSED);
        assert!(refused.tls().is_none());
        let would_block = TransportError::from(io::Error::from(io::ErrorKind::WouldBlock));
        assert_eq!(would_block.kind(), io::ErrorKind::WouldBlock);
    }
}
