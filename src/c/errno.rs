//! The symbolic names of errno values (glibc's `strerrorname_np`), for the
//! errnos a load test meets.

/// `ECONNREFUSED` for 111 and so on; `None` for an errno not listed.
pub fn symbol(errno: i32) -> Option<&'static str> {
    match errno {
        libc::EPERM => Some("EPERM"),
        libc::EINTR => Some("EINTR"),
        libc::EIO => Some("EIO"),
        libc::EBADF => Some("EBADF"),
        libc::EAGAIN => Some("EAGAIN"),
        libc::ENOMEM => Some("ENOMEM"),
        libc::EACCES => Some("EACCES"),
        libc::EINVAL => Some("EINVAL"),
        libc::ENFILE => Some("ENFILE"),
        libc::EMFILE => Some("EMFILE"),
        libc::EPIPE => Some("EPIPE"),
        libc::ENOBUFS => Some("ENOBUFS"),
        libc::EADDRINUSE => Some("EADDRINUSE"),
        libc::EADDRNOTAVAIL => Some("EADDRNOTAVAIL"),
        libc::ENETDOWN => Some("ENETDOWN"),
        libc::ENETUNREACH => Some("ENETUNREACH"),
        libc::ECONNABORTED => Some("ECONNABORTED"),
        libc::ECONNRESET => Some("ECONNRESET"),
        libc::ENOTCONN => Some("ENOTCONN"),
        libc::ETIMEDOUT => Some("ETIMEDOUT"),
        libc::ECONNREFUSED => Some("ECONNREFUSED"),
        libc::EHOSTUNREACH => Some("EHOSTUNREACH"),
        libc::EINPROGRESS => Some("EINPROGRESS"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_usual_errnos_and_no_others() {
        assert_eq!(symbol(libc::ECONNREFUSED), Some("ECONNREFUSED"));
        assert_eq!(symbol(libc::EMFILE), Some("EMFILE"));
        assert_eq!(symbol(4242), None);
    }
}
