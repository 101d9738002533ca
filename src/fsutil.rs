//! Writing files so that a crash or a full disk never leaves half a file:
//! the content goes to a temporary file beside the target, then is renamed
//! over it. Walking folders so that every file is visited once and a link
//! loop ends ([`walk`]).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// What [`walk`] found under a folder.
#[derive(Debug, Default)]
pub struct Walked {
    /// Every regular file the filter wanted, each once, in walk order
    /// (a folder's entries by `order`, depth first).
    pub files: Vec<PathBuf>,
    /// `(path, why)` for what the filter wanted but could not be read as
    /// a file or folder: a broken link, a link back to a folder being
    /// walked (a loop), a FIFO, socket or device, a folder that cannot be
    /// listed. These are lost to the reader.
    pub skipped: Vec<(PathBuf, String)>,
    /// `(path, first)`: a file or folder reached a second time through a
    /// link (not a loop), read once, at `first`. Nothing is lost.
    pub repeated: Vec<(PathBuf, PathBuf)>,
}

/// The kind of a file that is neither a regular file nor a folder:
/// `a FIFO`, `a socket`, `a device`.
#[must_use]
pub fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = meta;
    "not a regular file"
}

/// Walks `root` depth first, following links, and ends: each folder and
/// file is visited once (identified by its canonical path), a link back to
/// a folder being walked or above the root is a loop and is not followed,
/// and no more than
/// `max_depth` folders deep below `root` are entered.
///
/// `enter(folder, depth)` says whether to walk into a folder (`depth` 1 for
/// the entries of `root`); `want(file)` which files the caller reads. Only
/// wanted names are reported when they cannot be read (a broken link named
/// `*.json`, not one named `README`); a folder the walk cannot list is
/// always reported. Entries of a folder are visited in `order`.
pub fn walk(
    root: &Path,
    max_depth: usize,
    order: &dyn Fn(&Path, &Path) -> std::cmp::Ordering,
    enter: &dyn Fn(&Path, usize) -> bool,
    want: &dyn Fn(&Path) -> bool,
) -> Walked {
    let mut out = Walked::default();
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    let Ok(canonical) = std::fs::canonicalize(root) else {
        out.skipped
            .push((root.to_path_buf(), "cannot be resolved".into()));
        return out;
    };
    seen.insert(canonical.clone(), root.to_path_buf());
    // A link to a folder above the root leads back into the root: a loop too.
    let stack = canonical.ancestors().map(Path::to_path_buf).collect();
    let mut walker = Walker {
        max_depth,
        order,
        enter,
        want,
        seen,
        stack,
        out,
    };
    walker.folder(root, 1);
    walker.out
}

struct Walker<'a> {
    max_depth: usize,
    order: &'a dyn Fn(&Path, &Path) -> std::cmp::Ordering,
    enter: &'a dyn Fn(&Path, usize) -> bool,
    want: &'a dyn Fn(&Path) -> bool,
    /// Canonical path of everything visited, with the path it was first seen at.
    seen: HashMap<PathBuf, PathBuf>,
    /// Canonical paths of the folders being walked (the current branch) and
    /// of the root's ancestors.
    stack: Vec<PathBuf>,
    out: Walked,
}

impl Walker<'_> {
    fn folder(&mut self, dir: &Path, depth: usize) {
        let entries = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => {
                self.out.skipped.push((
                    dir.to_path_buf(),
                    format!("the folder cannot be listed: {e}"),
                ));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => paths.push(e.path()),
                Err(e) => self
                    .out
                    .skipped
                    .push((dir.to_path_buf(), format!("an entry cannot be listed: {e}"))),
            }
        }
        paths.sort_by(|a, b| (self.order)(a, b));
        for p in paths {
            self.entry(&p, depth);
        }
    }

    fn entry(&mut self, p: &Path, depth: usize) {
        let Ok(meta) = std::fs::metadata(p) else {
            if (self.want)(p) {
                let why = match std::fs::read_link(p) {
                    Ok(target) => format!(
                        "a broken link (its target {} cannot be reached)",
                        target.display()
                    ),
                    Err(_) => "cannot be read".to_string(),
                };
                self.out.skipped.push((p.to_path_buf(), why));
            }
            return;
        };
        let is_dir = meta.is_dir();
        if is_dir && (depth > self.max_depth || !(self.enter)(p, depth)) {
            return;
        }
        if !is_dir && !(self.want)(p) {
            return;
        }
        if !is_dir && !meta.is_file() {
            self.out.skipped.push((
                p.to_path_buf(),
                format!("{}, not a regular file", special_kind(&meta)),
            ));
            return;
        }
        let Ok(canonical) = std::fs::canonicalize(p) else {
            self.out
                .skipped
                .push((p.to_path_buf(), "cannot be resolved".into()));
            return;
        };
        if is_dir && self.stack.contains(&canonical) {
            self.out.skipped.push((
                p.to_path_buf(),
                format!(
                    "a link back to {}, a loop: not followed",
                    self.seen.get(&canonical).unwrap_or(&canonical).display()
                ),
            ));
            return;
        }
        if let Some(first) = self.seen.get(&canonical) {
            self.out.repeated.push((p.to_path_buf(), first.clone()));
            return;
        }
        self.seen.insert(canonical.clone(), p.to_path_buf());
        if is_dir {
            self.stack.push(canonical);
            self.folder(p, depth + 1);
            self.stack.pop();
        } else {
            self.out.files.push(p.to_path_buf());
        }
    }
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

    fn names(paths: &[PathBuf], root: &Path) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect()
    }

    fn walk_all(root: &Path) -> Walked {
        walk(root, 64, &|a, b| a.cmp(b), &|_, _| true, &|p| {
            p.extension().is_some_and(|e| e == "json")
        })
    }

    /// Links back up the tree are loops, reported and not followed; two of
    /// them still end; a second link to a folder already read is read once.
    #[test]
    fn walks_end_and_visit_each_file_once() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/x.json"), "1").unwrap();
        std::fs::write(root.join("a/y.json"), "2").unwrap();
        symlink("..", root.join("a/b/up")).unwrap();
        symlink("../..", root.join("a/b/top")).unwrap();
        symlink("../../..", root.join("a/b/above")).unwrap();
        symlink("b", root.join("a/link")).unwrap();
        symlink("y.json", root.join("a/z.json")).unwrap();
        let w = walk_all(root);
        assert_eq!(names(&w.files, root), vec!["a/b/x.json", "a/y.json"]);
        let skipped = names(
            &w.skipped.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
            root,
        );
        assert_eq!(
            skipped,
            vec!["a/b/above", "a/b/top", "a/b/up"],
            "{:?}",
            w.skipped
        );
        assert!(
            w.skipped.iter().all(|s| s.1.contains("a loop")),
            "{:?}",
            w.skipped
        );
        let repeated = names(
            &w.repeated.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
            root,
        );
        assert_eq!(repeated, vec!["a/link", "a/z.json"]);
    }

    /// Broken links and FIFOs that the caller wants are reported, not
    /// dropped silently; unwanted names are not; nothing hangs on the FIFO.
    #[test]
    fn broken_links_and_fifos_are_reported() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        symlink("gone.json", root.join("dangling.json")).unwrap();
        symlink("gone", root.join("README")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("pipe.json"))
            .status()
            .unwrap();
        assert!(made.success());
        symlink("/dev/zero", root.join("zero.json")).unwrap();
        let w = walk_all(root);
        assert!(w.files.is_empty(), "{:?}", w.files);
        let why: Vec<String> = w
            .skipped
            .iter()
            .map(|(p, why)| format!("{}: {why}", p.file_name().unwrap().to_string_lossy()))
            .collect();
        assert_eq!(why.len(), 3, "{why:?}");
        assert!(
            why[0].starts_with("dangling.json: a broken link"),
            "{why:?}"
        );
        assert!(why[1].starts_with("pipe.json: a FIFO"), "{why:?}");
        assert!(why[2].starts_with("zero.json: a device"), "{why:?}");
    }

    /// The depth bound and `enter` keep the walk out of folders.
    #[test]
    fn depth_and_enter_bound_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b/c")).unwrap();
        std::fs::create_dir_all(root.join("skip")).unwrap();
        for f in [
            "top.json",
            "a/one.json",
            "a/b/two.json",
            "a/b/c/three.json",
            "skip/s.json",
        ] {
            std::fs::write(root.join(f), "1").unwrap();
        }
        let w = walk(
            root,
            2,
            &|a, b| a.cmp(b),
            &|p, _| !p.ends_with("skip"),
            &|_| true,
        );
        assert_eq!(
            names(&w.files, root),
            vec!["a/b/two.json", "a/one.json", "top.json"]
        );
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
