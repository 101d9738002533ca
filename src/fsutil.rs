//! Writing files so that a crash or a full disk never leaves half a file:
//! the content goes to a temporary file beside the target, then is renamed
//! over it. Walking folders so that every file is visited once and a link
//! loop ends ([`walk`], and [`walk_glob`] for the folders a glob pattern
//! reaches). Opening a file only when it is a regular one ([`open_checked`]).

use std::cmp::Ordering;
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
pub(crate) fn write_atomic(path: &Path, content: &[u8]) -> Result<(), Error> {
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
pub(crate) struct Walked {
    /// Every regular file the filter wanted, each once, in walk order
    /// (a folder's entries by `order`, depth first).
    pub files: Vec<PathBuf>,
    /// `(path, why)` for what the filter wanted but could not be read as
    /// a file or folder: a broken link, a link back to a folder being
    /// walked (a loop), a FIFO, socket or device, a folder that cannot be
    /// listed. These are lost to the reader.
    pub skipped: Vec<(PathBuf, Skip)>,
    /// `(path, first)`: a file or folder reached a second time through a
    /// link (not a loop), read once, at `first`. Nothing is lost.
    pub repeated: Vec<(PathBuf, PathBuf)>,
}

/// Why [`walk`] could not read something it was meant to. Displayed as
/// the reason on a `skipped PATH: why` line.
#[derive(Debug)]
pub(crate) enum Skip {
    /// The root, or an entry, whose canonical path cannot be found.
    Unresolved,
    /// A folder that cannot be listed.
    Unlisted(std::io::Error),
    /// A folder one of whose entries cannot be listed.
    EntryUnlisted(std::io::Error),
    /// A link whose target (the path held) cannot be reached.
    BrokenLink(PathBuf),
    /// A name that is neither a link nor readable.
    Unreadable,
    /// A FIFO, socket or device ([`special_kind`]): reading it could block
    /// or never end.
    Special(&'static str),
    /// A link back to a folder being walked (the path it was first seen at).
    Loop(PathBuf),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Unresolved => f.write_str("cannot be resolved"),
            Skip::Unlisted(e) => write!(f, "the folder cannot be listed: {e}"),
            Skip::EntryUnlisted(e) => write!(f, "an entry cannot be listed: {e}"),
            Skip::BrokenLink(target) => write!(
                f,
                "a broken link (its target {} cannot be reached)",
                target.display()
            ),
            Skip::Unreadable => f.write_str("cannot be read"),
            Skip::Special(kind) => write!(f, "{kind}, not a regular file"),
            Skip::Loop(first) => write!(
                f,
                "a link back to {}, a loop: not followed",
                first.display()
            ),
        }
    }
}

/// The kind of a file that is neither a regular file nor a folder:
/// `a FIFO`, `a socket`, `a device` (the words of the benchmark readers'
/// warnings; `open_regular` tells the two kinds of device apart).
#[must_use]
pub(crate) fn special_kind(ft: std::fs::FileType) -> &'static str {
    match file_kind(ft) {
        "a character device" | "a block device" => "a device",
        kind @ ("a FIFO" | "a socket") => kind,
        _ => "not a regular file",
    }
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
pub(crate) fn walk(
    root: &Path,
    max_depth: usize,
    order: &dyn Fn(&Path, &Path) -> Ordering,
    enter: &dyn Fn(&Path, usize) -> bool,
    want: &dyn Fn(&Path) -> bool,
) -> Walked {
    let mut out = Walked::default();
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    let Ok(canonical) = std::fs::canonicalize(root) else {
        out.skipped.push((root.to_path_buf(), Skip::Unresolved));
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

/// Walks the folders a glob `pattern` (compiled as `glob`) can match in,
/// with [`walk`] in `order`: from its leading folders without wildcards,
/// as many folders deep as the pattern has after them, or `deep` for `**`.
/// Files are matched with `/` matched only by `/`.
///
/// A pattern with no leading folder (`*.json`, `**/x.xml`) is walked from
/// `.`, and its files are named without `./`, as the user wrote them
/// (what was skipped or repeated keeps the `./`).
pub(crate) fn walk_glob(
    pattern: &str,
    glob: &glob::Pattern,
    deep: usize,
    order: &dyn Fn(&Path, &Path) -> Ordering,
) -> Walked {
    let base = glob_base(pattern);
    let wild = &pattern[pattern.find(['*', '?', '[']).unwrap_or(pattern.len())..];
    let max_depth = if wild.contains("**") {
        deep
    } else {
        wild.matches('/').count()
    };
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let relative = base.is_empty();
    let unprefixed = |p: &Path| -> PathBuf {
        if relative {
            p.strip_prefix(".").unwrap_or(p).to_path_buf()
        } else {
            p.to_path_buf()
        }
    };
    let root = Path::new(if relative { "." } else { base });
    let mut walked = walk(root, max_depth, order, &|_, _| true, &|p| {
        glob.matches_path_with(&unprefixed(p), options)
    });
    for p in &mut walked.files {
        *p = unprefixed(p);
    }
    walked
}

/// The literal folder before the first wildcard of a glob `pattern`, where
/// [`walk_glob`] starts: `/` for `/*.xml`, empty for `*.xml` (the current
/// folder, its files named without `./`).
#[must_use]
pub(crate) fn glob_base(pattern: &str) -> &str {
    let first = pattern.find(['*', '?', '[']).unwrap_or(pattern.len());
    match pattern[..first].rfind('/') {
        Some(0) => "/",
        Some(i) => &pattern[..i],
        None => "",
    }
}

struct Walker<'a> {
    max_depth: usize,
    order: &'a dyn Fn(&Path, &Path) -> Ordering,
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
                self.out
                    .skipped
                    .push((dir.to_path_buf(), Skip::Unlisted(e)));
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
                    .push((dir.to_path_buf(), Skip::EntryUnlisted(e))),
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
                    Ok(target) => Skip::BrokenLink(target),
                    Err(_) => Skip::Unreadable,
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
                Skip::Special(special_kind(meta.file_type())),
            ));
            return;
        }
        let Ok(canonical) = std::fs::canonicalize(p) else {
            self.out.skipped.push((p.to_path_buf(), Skip::Unresolved));
            return;
        };
        if is_dir && self.stack.contains(&canonical) {
            let first = self.seen.get(&canonical).unwrap_or(&canonical).clone();
            self.out.skipped.push((p.to_path_buf(), Skip::Loop(first)));
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

/// Opens `path` for reading when it is a regular file (after following
/// links). Devices, FIFOs, sockets and folders are refused with an error
/// naming what they are: `/dev/zero` never ends, `/dev/urandom` and a FIFO
/// without a writer block a read forever.
///
/// # Errors
/// The file cannot be opened, or is not a regular file.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    match open_checked(path) {
        Ok((file, _)) => Ok(file),
        Err(Refused::Io(e)) => Err(e),
        Err(Refused::NotRegular(ft)) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a regular file ({})", file_kind(ft)),
        )),
    }
}

/// Why [`open_checked`] did not open a file.
#[derive(Debug)]
pub(crate) enum Refused {
    /// The file cannot be examined or opened.
    Io(std::io::Error),
    /// Not a regular file: its type says what it is instead.
    NotRegular(std::fs::FileType),
}

/// Opens `path` for reading when it is a regular file (after following
/// links), with the metadata of what was opened; the one check behind
/// [`open_regular`] and the benchmark readers, each of which words the
/// refusal its own way.
///
/// # Errors
/// The file cannot be examined or opened, or is not a regular file.
pub(crate) fn open_checked(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), Refused> {
    // Checked before opening, since opening a FIFO blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotRegular(meta.file_type()));
    }
    let file = std::fs::File::open(path).map_err(Refused::Io)?;
    // Checked again on what was opened, in case the path changed in between.
    let meta = file.metadata().map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotRegular(meta.file_type()));
    }
    Ok((file, meta))
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

/// Makes a FIFO at `path` (unit tests of the readers that must refuse one).
#[cfg(test)]
pub(crate) fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
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
        mkfifo(&fifo);
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
            w.skipped.iter().all(|s| s.1.to_string().contains("a loop")),
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
        mkfifo(&root.join("pipe.json"));
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

    /// A glob walk starts at the pattern's literal folders and goes as deep
    /// as its components, or `deep` for `**`.
    #[test]
    fn glob_walks_start_at_the_literal_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b/c")).unwrap();
        for f in ["a/one.json", "a/b/two.json", "a/b/c/three.json"] {
            std::fs::write(root.join(f), "1").unwrap();
        }
        let run = |pattern: &str, deep| {
            let full = format!("{}/{pattern}", root.display());
            let glob = glob::Pattern::new(&full).unwrap();
            names(&walk_glob(&full, &glob, deep, &|a, b| a.cmp(b)).files, root)
        };
        assert_eq!(run("a/*.json", 0), vec!["a/one.json"]);
        assert_eq!(run("a/*/two.json", 0), vec!["a/b/two.json"]);
        assert_eq!(
            run("a/**/*.json", 64),
            vec!["a/b/c/three.json", "a/b/two.json", "a/one.json"]
        );
        assert_eq!(run("a/**/*.json", 1), vec!["a/b/two.json", "a/one.json"]);
        assert_eq!(glob_base("*.json"), "");
        assert_eq!(glob_base("/*.json"), "/");
        assert_eq!(glob_base("a/b/c*/*.json"), "a/b");
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

    /// Devices, FIFOs and folders are refused at once (a FIFO would block), naming their kind.
    #[test]
    fn only_regular_files_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        mkfifo(&fifo);
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
