//! Socket setup for one connection, in httperf's order: non-blocking TCP
//! socket, SO_LINGER 0 for `--close-with-reset`, TCP_NODELAY, send and receive
//! buffer sizes, the `--hog` local port, then a non-blocking connect. Also the
//! `--hog` port map. No HTTP here.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

/// How every connection's socket is set up.
#[derive(Debug, Clone)]
pub struct SocketOptions {
    pub send_buffer: i32,
    pub recv_buffer: i32,
    pub close_with_reset: bool,
}

/// Why a socket could not be made or connected. `errno` decides the error counter.
#[derive(Debug)]
pub struct SetupError {
    pub errno: i32,
    /// httperf prints a message for setsockopt failures; `None` for socket(),
    /// bind() and connect() failures, which are only counted.
    pub message: Option<String>,
}

fn errno_of(error: &io::Error) -> i32 {
    error.raw_os_error().unwrap_or(libc::EIO)
}

#[cold]
#[inline(never)]
fn setsockopt_failure(what: &str, error: io::Error) -> SetupError {
    SetupError {
        errno: errno_of(&error),
        message: Some(format!(
            "core_connect.setsockopt({what}): {}",
            crate::sys::strerror(&error)
        )),
    }
}

/// Creates the socket and applies the options, as httperf does before it
/// counts the connection as "connecting".
pub fn create_socket(server: SocketAddr, options: &SocketOptions) -> Result<Socket, SetupError> {
    let socket = Socket::new(
        Domain::for_address(server),
        Type::STREAM.nonblocking().cloexec(),
        Some(Protocol::TCP),
    )
    .map_err(|error| SetupError {
        errno: errno_of(&error),
        message: None,
    })?;
    if options.close_with_reset {
        socket
            .set_linger(Some(Duration::ZERO))
            .map_err(|error| setsockopt_failure("SO_LINGER", error))?;
    }
    // httperf reports all three of these under the SO_SNDBUF name.
    socket
        .set_tcp_nodelay(true)
        .map_err(|error| setsockopt_failure("SO_SNDBUF", error))?;
    socket
        .set_send_buffer_size(options.send_buffer.max(0) as usize)
        .map_err(|error| setsockopt_failure("SO_SNDBUF", error))?;
    socket
        .set_recv_buffer_size(options.recv_buffer.max(0) as usize)
        .map_err(|error| setsockopt_failure("SO_SNDBUF", error))?;
    Ok(socket)
}

/// Binds `local` if given and starts a non-blocking connect to `server`
/// (converted once per run: see `server_sockaddrs`). Returns whether the
/// connection completed at once.
pub fn connect(
    socket: &Socket,
    server: &SockAddr,
    local: Option<SocketAddr>,
) -> Result<bool, SetupError> {
    if let Some(local) = local {
        socket
            .bind(&SockAddr::from(local))
            .map_err(|error| SetupError {
                errno: errno_of(&error),
                message: None,
            })?;
    }
    match socket.connect(server) {
        Ok(()) => Ok(true),
        Err(error) if error.raw_os_error() == Some(libc::EINPROGRESS) => Ok(false),
        Err(error) => {
            // The asynchronous error, when there is one, says more than connect's.
            let errno = match socket.take_error() {
                Ok(Some(pending)) => errno_of(&pending),
                _ => errno_of(&error),
            };
            Err(SetupError {
                errno,
                message: None,
            })
        }
    }
}

/// `--hog`: binds the next free port of `ports` (skipping ports the system
/// refuses, which stay marked used) and connects. Returns whether the connect
/// completed at once and the port to release when the connection closes.
pub fn connect_from_hog_port(
    socket: &Socket,
    server: SocketAddr,
    local_ip: Option<IpAddr>,
    ports: &mut PortMap,
) -> Result<(bool, Option<u16>), SetupError> {
    let unavailable = || SetupError {
        errno: libc::EADDRNOTAVAIL,
        message: None,
    };
    loop {
        let port = ports.allocate().ok_or_else(unavailable)?;
        let local = SockAddr::from(match local_ip {
            Some(ip) => SocketAddr::new(ip, port),
            None => any_local_address(server, port),
        });
        match socket.bind(&local) {
            Ok(()) => {
                return match connect(socket, &SockAddr::from(server), None) {
                    Ok(connected) => Ok((connected, Some(port))),
                    Err(error) => {
                        ports.release(port);
                        Err(error)
                    }
                }
            }
            Err(error) if error.raw_os_error() == Some(libc::EADDRNOTAVAIL) => {
                ports.release(port);
                return Err(unavailable());
            }
            // In use (often TIME_WAIT from an earlier run): try the next port.
            Err(_) => continue,
        }
    }
}

/// The unspecified local address of the same family as `server`, with `port`.
pub fn any_local_address(server: SocketAddr, port: u16) -> SocketAddr {
    let ip = match server.ip() {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    SocketAddr::new(ip, port)
}

const FIRST_HOG_PORT: u16 = 1024;
const HOG_PORTS: usize = 65536 - FIRST_HOG_PORT as usize;

/// `--hog`'s own local-port allocator over 1024..=65535: next fit from where
/// the last allocation stopped, wrapping, so a run uses 1024, 1025, … and a
/// freed port is reached again only after the scan wraps.
#[derive(Debug)]
pub struct PortMap {
    in_use: Vec<bool>,
    cursor: usize,
    used: usize,
}

impl Default for PortMap {
    fn default() -> Self {
        PortMap {
            in_use: vec![false; HOG_PORTS],
            cursor: 0,
            used: 0,
        }
    }
}

impl PortMap {
    /// The next free port, marked used; `None` when every port is taken.
    pub fn allocate(&mut self) -> Option<u16> {
        if self.used == HOG_PORTS {
            return None;
        }
        for step in 0..HOG_PORTS {
            let index = (self.cursor + step) % HOG_PORTS;
            if !self.in_use[index] {
                self.in_use[index] = true;
                self.used += 1;
                self.cursor = (index + 1) % HOG_PORTS;
                return Some(FIRST_HOG_PORT + index as u16);
            }
        }
        None
    }

    pub fn release(&mut self, port: u16) {
        if let Some(slot) = port
            .checked_sub(FIRST_HOG_PORT)
            .and_then(|index| self.in_use.get_mut(usize::from(index)))
        {
            if *slot {
                *slot = false;
                self.used -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_allocated_next_fit_and_reused_after_wrapping() {
        let mut map = PortMap::default();
        assert_eq!(map.allocate(), Some(1024));
        assert_eq!(map.allocate(), Some(1025));
        map.release(1024);
        assert_eq!(map.allocate(), Some(1026));
        for _ in 1027..=65535u32 {
            assert!(map.allocate().is_some());
        }
        assert_eq!(map.allocate(), Some(1024), "wraps to the freed port");
        assert_eq!(map.allocate(), None, "all ports in use");
        map.release(2000);
        assert_eq!(map.allocate(), Some(2000));
    }
}
