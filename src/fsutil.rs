//! Writing files so that a crash or a full disk never leaves half a file:
//! the content goes to a temporary file beside the target, then is renamed
//! over it.

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Writes `content` to `path` atomically (temporary file + rename).
///
/// Only regular files are replaced that way: an existing device, pipe or
/// terminal (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is written in place,
/// since renaming over it would replace the device with a file.
///
/// # Errors
/// The folder is not writable, or the disk is full; `path` is then untouched.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<(), Error> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(content))
            .map_err(|e| Error::write(path, e));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::write(path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_whole_files_and_leave_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn devices_and_pipes_are_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        // Checked before joining: had the FIFO been replaced, the reader would wait forever.
        assert!(
            std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
            "the FIFO was replaced by a file"
        );
        assert_eq!(reader.join().unwrap(), "through the pipe");
    }

    #[test]
    fn a_failed_write_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing-folder").join("out.json");
        let e = write_atomic(&p, b"x").unwrap_err().to_string();
        assert!(e.contains("missing-folder/out.json"), "{e}");
    }
}

/// Opens `path` for reading when it is a regular file (after following
/// links). Devices, FIFOs, sockets and folders are refused with an error
/// naming what they are: `/dev/zero` never ends, `/dev/urandom` and a FIFO
/// without a writer block a read forever.
///
/// # Errors
/// The file cannot be opened, or is not a regular file.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let not_regular = |ft: std::fs::FileType| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a regular file ({})", file_kind(ft)),
        )
    };
    // Checked before opening, since opening a FIFO blocks until a writer comes.
    let ft = std::fs::metadata(path)?.file_type();
    if !ft.is_file() {
        return Err(not_regular(ft));
    }
    let file = std::fs::File::open(path)?;
    // Checked again on what was opened, in case the path changed in between.
    let ft = file.metadata()?.file_type();
    if !ft.is_file() {
        return Err(not_regular(ft));
    }
    Ok(file)
}

/// What kind of file `ft` is, in words.
fn file_kind(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a folder"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod open_regular_tests {
    use super::*;

    /// Devices, FIFOs and folders are refused at once (a FIFO would block), naming their kind.
    #[test]
    fn only_regular_files_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for (path, kind) in [
            (Path::new("/dev/zero"), "a character device"),
            (fifo.as_path(), "a FIFO"),
            (dir.path(), "a folder"),
        ] {
            let e = open_regular(path).unwrap_err().to_string();
            assert_eq!(
                e,
                format!("not a regular file ({kind})"),
                "{}",
                path.display()
            );
        }
        let file = dir.path().join("a.xml");
        std::fs::write(&file, "x").unwrap();
        assert!(open_regular(&file).is_ok());
    }
}
