//! The operating-system calls std and mio do not offer: the monotonic clock in
//! nanoseconds, epoll waits with a nanosecond timeout (and a timerfd for
//! microsecond timers where the kernel has none), CPU time from getrusage, the
//! open-file limit, and the signals (the stop flag that SIGINT, SIGTERM and
//! SIGHUP raise, with a descriptor that wakes the event loop, and SIGPIPE
//! ignored). Every `unsafe` block of the crate outside tests lives here:
//! Cargo.toml denies `unsafe_code` and only this module allows it.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// Nanoseconds on CLOCK_MONOTONIC: the same clock the timerfd is armed against.
pub(crate) fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64) * 1_000_000_000 + ts.tv_nsec as u64
}

/// User and system CPU time consumed by this process so far, in seconds.
pub(crate) fn cpu_times_s() -> (f64, f64) {
    // SAFETY: an all-zero rusage is a valid value for getrusage to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is valid and writable; RUSAGE_SELF is always accepted.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let seconds = |tv: libc::timeval| tv.tv_sec as f64 + 1e-6 * tv.tv_usec as f64;
    (seconds(usage.ru_utime), seconds(usage.ru_stime))
}

/// Raises the soft open-file limit to the hard limit and returns the new limit.
pub(crate) fn raise_open_file_limit() -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    limit.rlim_cur = limit.rlim_max;
    // SAFETY: `limit` is a valid rlimit whose soft value does not exceed its hard value.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(limit.rlim_cur)
}

/// A stop signal (SIGINT, SIGTERM or SIGHUP) arrived and the loop has not yet
/// taken it.
static STOP_REQUESTED: AtomicBool = AtomicBool::new(false);
/// The eventfd the stop-signal handler writes to, so that a signal arriving
/// just before the loop blocks in epoll still wakes it; -1 until installed.
static STOP_WAKE_FD: AtomicI32 = AtomicI32::new(-1);

/// The signals that end the test with its report: SIGINT as in httperf, and
/// SIGTERM and SIGHUP, with which containers, schedulers and closing
/// terminals stop a process.
const STOP_SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

extern "C" fn on_stop_signal(_signal: libc::c_int) {
    // Only async-signal-safe work: an atomic store and a write(2), with the
    // interrupted code's errno preserved.
    // SAFETY: __errno_location always returns this thread's errno slot.
    let saved_errno = unsafe { *libc::__errno_location() };
    STOP_REQUESTED.store(true, Ordering::SeqCst);
    let fd = STOP_WAKE_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a valid u64 to an eventfd this module
        // owns for the life of the process; a full counter (EAGAIN) is fine.
        unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = saved_errno };
}

/// Installs the handlers that turn SIGINT, SIGTERM and SIGHUP into "end the
/// test now". They are installed without SA_RESTART so that a blocked epoll_wait
/// returns EINTR; the wake descriptor ([`stop_wake_fd`]) covers a signal that
/// arrives before the loop blocks.
pub(crate) fn install_stop_signals() -> io::Result<()> {
    if STOP_WAKE_FD.load(Ordering::SeqCst) < 0 {
        // SAFETY: plain syscall; the result is checked before use.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // The descriptor lives as long as the process: the handler may run
        // at any time after this.
        STOP_WAKE_FD.store(fd, Ordering::SeqCst);
    }
    for signal in STOP_SIGNALS {
        set_signal_action(signal, on_stop_signal as *const () as libc::sighandler_t)?;
    }
    Ok(())
}

/// Ignores SIGPIPE, as httperf does: a write to a closed socket or pipe then
/// fails with EPIPE instead of killing the process.
pub(crate) fn ignore_sigpipe() -> io::Result<()> {
    set_signal_action(libc::SIGPIPE, libc::SIG_IGN)
}

fn set_signal_action(signal: libc::c_int, handler: libc::sighandler_t) -> io::Result<()> {
    // SAFETY: an all-zero sigaction is valid; `handler` is SIG_IGN or a
    // handler doing only async-signal-safe work.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The descriptor that becomes readable when a stop signal arrives (`None`
/// before [`install_stop_signals`]). Reading it is left to
/// [`take_stop_signal`].
pub(crate) fn stop_wake_fd() -> Option<RawFd> {
    let fd = STOP_WAKE_FD.load(Ordering::SeqCst);
    (fd >= 0).then_some(fd)
}

/// Makes `command`'s process start with the stop signals ignored, until it
/// installs its own handlers: a signal that comes while it starts up is
/// then lost rather than fatal (no report), and [`interrupt`] again reaches it.
pub(crate) fn start_ignoring_stop_signals(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the child between fork and exec and makes
    // only sigaction calls, which are async-signal-safe; it allocates nothing.
    unsafe {
        command.pre_exec(|| {
            for signal in STOP_SIGNALS {
                set_signal_action(signal, libc::SIG_IGN)?;
            }
            Ok(())
        });
    }
}

/// How often a parent of httperf-rs processes (`--workers`, `rerun`) looks
/// at its children and at its own stop flag.
pub(crate) const CHILD_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(20);

/// Sends SIGINT to process `pid` (a `--workers` worker, to end its test).
pub(crate) fn interrupt(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: plain kill(2); the caller passes its own unreaped child.
        unsafe { libc::kill(pid, libc::SIGINT) };
    }
}

/// True once a stop signal has arrived and the loop has not yet taken it;
/// leaves it for the loop (a wait before the test starts looks without
/// taking).
pub(crate) fn stop_signal_pending() -> bool {
    STOP_REQUESTED.load(Ordering::SeqCst)
}

/// True once a stop signal has arrived; clears the flag (and drains the wake
/// descriptor) so that a later signal is seen again.
pub(crate) fn take_stop_signal() -> bool {
    if !STOP_REQUESTED.load(Ordering::Relaxed) {
        return false;
    }
    if let Some(fd) = stop_wake_fd() {
        let mut counter = [0u8; 8];
        // SAFETY: reads at most 8 bytes into an 8-byte buffer from the
        // non-blocking eventfd this module owns; EAGAIN is fine.
        unsafe { libc::read(fd, counter.as_mut_ptr().cast(), counter.len()) };
    }
    STOP_REQUESTED.swap(false, Ordering::SeqCst)
}

/// Waits for events on the epoll instance `epfd` until one comes (epoll_wait).
pub(crate) fn epoll_wait(epfd: RawFd, events: &mut [libc::epoll_event]) -> io::Result<usize> {
    let capacity = libc::c_int::try_from(events.len()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `events` is valid for `capacity` entries.
    let ready = unsafe { libc::epoll_wait(epfd, events.as_mut_ptr(), capacity, -1) };
    if ready < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(ready as usize)
}

/// A non-blocking CLOCK_MONOTONIC timerfd armed at absolute deadlines:
/// epoll_wait's own timeout has millisecond granularity; this gives the
/// loop nanoseconds.
pub(crate) struct TimerFd {
    fd: OwnedFd,
}

impl TimerFd {
    pub(crate) fn new() -> io::Result<TimerFd> {
        // SAFETY: plain syscall; the result is checked before use.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(TimerFd { fd })
    }

    /// Arms the timer for the absolute monotonic time `first_ns`, then every
    /// `period_ns` after it (once when 0); disarms on `None`. A first expiry
    /// already in the past fires at once.
    pub(crate) fn set(&self, setting: Option<(u64, u64)>) -> io::Result<()> {
        let timespec = |ns: u64| libc::timespec {
            tv_sec: (ns / 1_000_000_000) as libc::time_t,
            tv_nsec: (ns % 1_000_000_000) as libc::c_long,
        };
        let spec = match setting {
            Some((first_ns, period_ns)) => {
                let mut value = timespec(first_ns);
                // A zero it_value would disarm: use the smallest positive time instead.
                if first_ns == 0 {
                    value.tv_nsec = 1;
                }
                libc::itimerspec {
                    it_interval: timespec(period_ns),
                    it_value: value,
                }
            }
            None => libc::itimerspec {
                it_interval: timespec(0),
                it_value: timespec(0),
            },
        };
        // SAFETY: `spec` is a valid itimerspec and the fd is a timerfd we own.
        let rc = unsafe {
            libc::timerfd_settime(
                self.fd.as_raw_fd(),
                libc::TFD_TIMER_ABSTIME,
                &spec,
                std::ptr::null_mut(),
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Consumes a pending expiration so that the descriptor stops being readable.
    pub(crate) fn clear(&self) {
        let mut expirations = [0u8; 8];
        // SAFETY: reading 8 bytes into an 8-byte buffer from a timerfd we own;
        // EAGAIN (nothing pending) is fine to ignore.
        unsafe {
            libc::read(
                self.fd.as_raw_fd(),
                expirations.as_mut_ptr().cast(),
                expirations.len(),
            )
        };
    }
}

impl AsRawFd for TimerFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// The C `strerror` text of an I/O error, without Rust's " (os error N)" suffix.
pub(crate) fn strerror(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_clock_advances() {
        let a = monotonic_ns();
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert!(monotonic_ns() >= a + 2_000_000);
    }

    #[test]
    fn timerfd_fires_at_an_absolute_deadline() {
        let timer = TimerFd::new().expect("timerfd");
        timer
            .set(Some((monotonic_ns() + 1_000_000, 0)))
            .expect("arm");
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(
            expirations(&timer),
            Some(1),
            "the timer should have expired once"
        );
        assert_eq!(expirations(&timer), None, "a single expiry");
    }

    /// The expirations a timerfd counted since the last read (`None`: none).
    fn expirations(timer: &TimerFd) -> Option<u64> {
        let mut buf = [0u8; 8];
        // SAFETY: as in `clear`.
        let n = unsafe { libc::read(timer.as_raw_fd(), buf.as_mut_ptr().cast(), 8) };
        (n == 8).then(|| u64::from_ne_bytes(buf))
    }

    #[test]
    fn timerfd_repeats_with_a_period_until_disarmed() {
        let timer = TimerFd::new().expect("timerfd");
        timer
            .set(Some((monotonic_ns() + 1_000_000, 2_000_000)))
            .expect("arm");
        std::thread::sleep(std::time::Duration::from_millis(8));
        let fired = expirations(&timer).expect("expired");
        assert!((2..=4).contains(&fired), "{fired} expirations in 8 ms");
        timer.set(None).expect("disarm");
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(expirations(&timer), None, "disarmed");
    }

    #[test]
    fn cpu_times_are_non_negative() {
        let (user, system) = cpu_times_s();
        assert!(user >= 0.0 && system >= 0.0);
    }

    #[test]
    fn strerror_drops_the_os_error_suffix() {
        let error = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(strerror(&error), "Connection refused");
    }
}
