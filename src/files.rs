//! Reading the files that options name (`--wlog`, `--wsesslog`,
//! `--add-header-file`, `--servers`, the TLS files): only regular files and
//! pipes, and never more bytes than a limit chosen per option, so that
//! `/dev/zero` or a runaway file is refused with a message instead of
//! filling memory. File names are bytes, as the user gave them.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

/// `--wlog`: the URI list is kept in memory as read.
pub(crate) const WLOG_MAX_BYTES: u64 = 1 << 30;
/// `--wsesslog`: the session file is kept in memory as read, plus an index.
pub(crate) const WSESSLOG_MAX_BYTES: u64 = 1 << 30;
/// `--add-header-file`: sent with every request.
pub(crate) const ADD_HEADER_FILE_MAX_BYTES: u64 = 1 << 20;
/// `--servers`: a list of host names.
pub(crate) const SERVERS_MAX_BYTES: u64 = 1 << 20;
/// `--ssl-ca-file`, `--ssl-certificate`, `--ssl-key` and each file of
/// `--ssl-ca-path`: PEM text.
pub(crate) const TLS_FILE_MAX_BYTES: u64 = 4 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// It could not be opened or read (missing, no permission, a directory).
    Unreadable(io::Error),
    /// A device, socket or other special file: it may never end.
    NotFileOrPipe,
    /// It holds more than `limit` bytes.
    TooLarge { limit: u64 },
}

impl ReadError {
    /// What went wrong, without the file name (`larger than 1 GiB`).
    pub(crate) fn reason(&self) -> String {
        match self {
            ReadError::Unreadable(error) => error.to_string(),
            ReadError::NotFileOrPipe => "not a regular file or a pipe".to_string(),
            ReadError::TooLarge { limit } => format!("larger than {}", size_text(*limit)),
        }
    }

    /// The message after `<program>: ` for the file `path` of `option`:
    /// httperf's `can't open <path>` when it cannot be read at all, else
    /// `<path>: <reason> (the most --option reads)`.
    pub(crate) fn message(&self, path: &Path, option: &str) -> Vec<u8> {
        let name = path.as_os_str().as_bytes();
        match self {
            ReadError::Unreadable(_) => [b"can't open ".as_slice(), name].concat(),
            ReadError::NotFileOrPipe => {
                [name, b": not a regular file or a pipe".as_slice()].concat()
            }
            ReadError::TooLarge { limit } => [
                name,
                format!(
                    ": larger than {}, the most {option} reads",
                    size_text(*limit)
                )
                .as_bytes(),
            ]
            .concat(),
        }
    }
}

/// `limit` as the man page says it: `1 GiB`, `4 MiB`, or bytes.
pub(crate) fn size_text(limit: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    UNITS
        .iter()
        .find(|(unit, _)| limit >= *unit && limit.is_multiple_of(*unit))
        .map_or_else(
            || format!("{limit} bytes"),
            |(unit, name)| format!("{} {name}", limit / unit),
        )
}

/// The whole content of `path`, a regular file or a pipe, if it holds at
/// most `limit` bytes. A pipe is read until its writer closes it.
pub(crate) fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = File::open(path).map_err(ReadError::Unreadable)?;
    let metadata = file.metadata().map_err(ReadError::Unreadable)?;
    let kind = metadata.file_type();
    if kind.is_dir() {
        return Err(ReadError::Unreadable(io::Error::from_raw_os_error(
            libc::EISDIR,
        )));
    }
    if !kind.is_file() && !kind.is_fifo() {
        return Err(ReadError::NotFileOrPipe);
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    // A regular file's size is known (it may still grow while it is read);
    // a pipe's is not.
    let expected = if kind.is_file() { metadata.len() } else { 0 };
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_refused_before_any_read() {
        let error = read_limited(Path::new("/dev/zero"), 10).expect_err("a device");
        assert!(matches!(error, ReadError::NotFileOrPipe), "{error:?}");
        assert_eq!(
            error.message(Path::new("/dev/zero"), "--wlog"),
            b"/dev/zero: not a regular file or a pipe"
        );
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let path =
            std::env::temp_dir().join(format!("httperf-rs-files-{}.txt", std::process::id()));
        std::fs::write(&path, b"0123456789").expect("write");
        let exact = read_limited(&path, 10).map_err(|e| e.reason());
        let over = read_limited(&path, 9).map_err(|e| e.reason());
        let _ = std::fs::remove_file(&path);
        assert_eq!(exact, Ok(b"0123456789".to_vec()));
        assert_eq!(over, Err("larger than 9 bytes".to_string()));
    }

    #[test]
    fn missing_files_and_directories_cannot_be_opened() {
        let missing = read_limited(Path::new("/nonexistent/x"), 10).expect_err("missing");
        assert_eq!(
            missing.message(Path::new("/nonexistent/x"), "--wlog"),
            b"can't open /nonexistent/x"
        );
        let dir = read_limited(&std::env::temp_dir(), 10).expect_err("directory");
        assert!(matches!(dir, ReadError::Unreadable(_)), "{dir:?}");
    }

    #[test]
    fn sizes_read_as_the_man_page_says_them() {
        assert_eq!(size_text(WLOG_MAX_BYTES), "1 GiB");
        assert_eq!(size_text(TLS_FILE_MAX_BYTES), "4 MiB");
        assert_eq!(size_text(1536), "1536 bytes");
        assert_eq!(size_text(2048), "2 KiB");
    }
}
