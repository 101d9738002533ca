//! An embedded SQLite cache of GitHub HTTP responses, so that a second
//! `readiness report owner/repo` costs far fewer requests than the first.
//!
//! This module is responsible for storing and finding responses, nothing
//! more: the HTTP client decides what to cache, sends `If-None-Match` with a
//! stored ETag, calls [`Cache::touch`] after a `304 Not Modified` (which costs
//! no rate limit) and answers `--offline` runs from [`Cache::get`] alone.
//!
//! What is stored is exactly what the caller passes in an [`Entry`]: a status,
//! the response's `ETag` and `Link` header values and its body. Callers pass
//! response bodies and response header values, never request headers, so the
//! `Authorization` token is never written to disk. Data fetched with
//! different credentials (a private repository seen with a token must not be
//! served to an anonymous run) is kept apart by the `scope` part of [`key`],
//! which for a token is [`token_scope`], a fingerprint that does not contain
//! the token.
//!
//! The database is disposable: a file that is not a SQLite database, or
//! that fails a time-boxed `PRAGMA quick_check` on open, is moved aside
//! (stderr names where) and a file written by another schema version is
//! emptied, rather than making the tool unusable. A cached body that is not
//! JSON is dropped by [`Cache::get_usable`], so it is fetched again instead
//! of revalidated forever. It is opened in WAL mode with a busy timeout so
//! that two `readiness` processes can share it; once another process has
//! held the lock past that timeout, the cache gives up for the rest of the
//! run ([`CacheError::Unavailable`]) instead of making every call wait
//! again. A transaction is only ever open inside [`Cache::transaction`], so
//! a process killed between calls leaves nothing half-written.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};

/// Name of the database file inside the cache directory.
const FILE_NAME: &str = "cache.sqlite3";

/// Stored in `PRAGMA user_version`; a file with any other value is emptied.
const SCHEMA_VERSION: i64 = 1;

/// How long a process waits for another one holding the write lock: long
/// enough for any batch of puts, short enough that a stuck process is noticed.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the integrity check on open may run before it is cut short: a
/// 54 MB cache is checked whole in 30-80 ms (debug build, busy machine), so
/// only caches of a few hundred megabytes are checked in part.
const CHECK_BUDGET: Duration = Duration::from_millis(250);

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS responses (
    key        TEXT PRIMARY KEY NOT NULL,
    status     INTEGER NOT NULL,
    etag       TEXT,
    link       TEXT,
    body       TEXT NOT NULL,
    fetched_at INTEGER NOT NULL
)";

/// A cached HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub status: u16,
    pub etag: Option<String>,
    /// The `Link` header (REST pagination), if any.
    pub link: Option<String>,
    pub body: String,
    /// When it was fetched or last revalidated (seconds since 1970, UTC).
    pub fetched_at: i64,
}

/// Why the cache could not be opened, read or written. Every variant names
/// the database file (`:memory:` for [`Cache::in_memory`]).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache {}: cannot create its directory: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cache {}: cannot move the corrupt database aside: {source}", path.display())]
    MoveAside {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cache {}: is a folder, not a database file; remove it or choose another --cache-dir", path.display())]
    NotAFile { path: PathBuf },

    /// `PRAGMA quick_check` found damage: what it reported first.
    #[error("cache {}: damaged: {detail}", path.display())]
    Damaged { path: PathBuf, detail: String },

    /// Another process held the lock for longer than the busy timeout.
    #[error("cache {}: cannot {action}: another process has held its lock for more than {} s", path.display(), BUSY_TIMEOUT.as_secs())]
    Busy { path: PathBuf, action: &'static str },

    /// An earlier call met [`CacheError::Busy`]: the cache is not used for
    /// the rest of the run, so no later call waits again.
    #[error("cache {}: not used for the rest of this run (another process held its lock)", path.display())]
    Unavailable { path: PathBuf },

    #[error("cache {}: cannot {action}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        /// What was being done, e.g. "open" or "write entry".
        action: &'static str,
        source: rusqlite::Error,
    },

    /// The closure given to [`Cache::transaction`] gave up for a reason of
    /// its own (see [`Cache::abort`]); nothing it wrote was kept.
    #[error("cache {}: transaction abandoned: {reason}", path.display())]
    Aborted { path: PathBuf, reason: String },
}

/// A connection to the response cache.
///
/// `Send` but not `Sync` (SQLite connections are not shared between
/// threads): an async client keeps it behind a mutex, or opens one per task.
#[derive(Debug)]
pub struct Cache {
    conn: Connection,
    path: PathBuf,
    /// Whether warnings (giving up on a locked cache) stay off stderr.
    quiet: bool,
    /// Set once a call waited out the busy timeout; every later call then
    /// fails at once with [`CacheError::Unavailable`].
    gave_up: Cell<bool>,
}

impl Cache {
    /// Opens (creating if needed) the cache database at `dir/cache.sqlite3`,
    /// creating `dir`. Warnings go to stderr; see [`Cache::open_with`].
    ///
    /// # Errors
    /// As for [`Cache::open_with`].
    pub fn open(dir: &Path) -> Result<Cache, CacheError> {
        Cache::open_with(dir, false)
    }

    /// Opens the cache like [`Cache::open`], or says on stderr (unless
    /// `quiet`) why it cannot and that the run goes on without it: the cache
    /// saves requests, and is never a reason to stop.
    #[must_use]
    pub fn open_or_warn(dir: &Path, quiet: bool) -> Option<Cache> {
        Cache::open_with(dir, quiet)
            .map_err(|e| warn(quiet, &format!("{e}; going on without the cache")))
            .ok()
    }

    /// Opens (creating if needed) the cache database at `dir/cache.sqlite3`,
    /// creating `dir`; `quiet` keeps warnings off stderr.
    ///
    /// If the file exists but is not a SQLite database, or SQLite reports it
    /// corrupt, or `PRAGMA quick_check` (cut short after [`CHECK_BUDGET`])
    /// finds damage, it is renamed to `cache.sqlite3.corrupt-<unix seconds>`
    /// (its `-wal` file, if any, moved along with it), stderr says where it
    /// went, and a fresh, empty database is created in its place: the cache
    /// is disposable and a damaged one must not stop the tool. A file
    /// written with another schema version is emptied for the same reason.
    ///
    /// # Errors
    /// The directory cannot be created, the database path is a folder, the
    /// file cannot be opened or configured (e.g. a read-only directory, or
    /// another process holding the lock longer than the busy timeout:
    /// [`CacheError::Busy`]), or a corrupt file cannot be moved aside.
    pub fn open_with(dir: &Path, quiet: bool) -> Result<Cache, CacheError> {
        let path = dir.join(FILE_NAME);
        create_private_dir(dir).map_err(|source| CacheError::CreateDir {
            path: path.clone(),
            source,
        })?;
        if path.is_dir() {
            return Err(CacheError::NotAFile { path });
        }
        let cache = match Cache::open_file(&path) {
            Err(e) if e.is_damage() => {
                let aside = move_aside(&path).map_err(|source| CacheError::MoveAside {
                    path: path.clone(),
                    source,
                })?;
                warn(
                    quiet,
                    &format!(
                        "{e}: moved aside to {}; starting an empty cache",
                        aside.display()
                    ),
                );
                Cache::open_file(&path)
            }
            other => other,
        }?;
        Ok(Cache { quiet, ..cache })
    }

    /// An in-memory cache (tests, --no-cache runs that still want request
    /// de-duplication). It is gone when dropped.
    ///
    /// # Errors
    /// Only if SQLite cannot allocate the database.
    pub fn in_memory() -> Result<Cache, CacheError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| sqlite_err(&path, "open", e))?;
        let cache = Cache::new(conn, path);
        cache.migrate()?;
        Ok(cache)
    }

    /// The default directory: `$XDG_CACHE_HOME/readiness`, else
    /// `$HOME/.cache/readiness` (Linux/macOS); on Windows
    /// `%LOCALAPPDATA%\readiness`. `None` if none of those is set.
    ///
    /// A relative `XDG_CACHE_HOME` is ignored, as the XDG specification asks.
    #[must_use]
    pub fn default_dir() -> Option<PathBuf> {
        dir_from_env(cfg!(windows), |name| std::env::var_os(name))
    }

    /// The database file (`:memory:` for an in-memory cache), for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Looks up a response by key.
    ///
    /// # Errors
    /// SQLite cannot read the database (I/O error, corruption found late).
    pub fn get(&self, key: &str) -> Result<Option<Entry>, CacheError> {
        self.available()?;
        self.conn
            .prepare_cached(
                "SELECT status, etag, link, body, fetched_at FROM responses WHERE key = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([key], |row| {
                    Ok(Entry {
                        status: row.get(0)?,
                        etag: row.get(1)?,
                        link: row.get(2)?,
                        body: row.get(3)?,
                        fetched_at: row.get(4)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.err("read entry", e))
    }

    /// Looks up a response like [`Cache::get`], but drops a successful
    /// (2xx) entry whose body is not JSON and reports it as a miss: such a
    /// body (damaged on disk) would otherwise be revalidated with its
    /// still-matching ETag and fail to parse on every later run. The caller
    /// then fetches it again without `If-None-Match` and stores a good copy.
    ///
    /// # Errors
    /// As for [`Cache::get`] and [`Cache::put`].
    pub fn get_usable(&self, key: &str) -> Result<Option<Entry>, CacheError> {
        let Some(entry) = self.get(key)? else {
            return Ok(None);
        };
        let json = serde_json::from_str::<serde::de::IgnoredAny>(&entry.body).is_ok();
        if json || !(200..300).contains(&entry.status) {
            return Ok(Some(entry));
        }
        self.conn
            .execute("DELETE FROM responses WHERE key = ?1", [key])
            .map_err(|e| self.err("drop a damaged entry", e))?;
        Ok(None)
    }

    /// Stores (insert or replace) a response.
    ///
    /// # Errors
    /// SQLite cannot write (disk full, read-only file, write lock held by
    /// another process for longer than the busy timeout).
    pub fn put(&self, key: &str, entry: &Entry) -> Result<(), CacheError> {
        self.available()?;
        self.conn
            .prepare_cached(
                "INSERT INTO responses (key, status, etag, link, body, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (key) DO UPDATE SET
                     status = excluded.status, etag = excluded.etag, link = excluded.link,
                     body = excluded.body, fetched_at = excluded.fetched_at",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    key,
                    entry.status,
                    entry.etag,
                    entry.link,
                    entry.body,
                    entry.fetched_at
                ])
            })
            .map(|_| ())
            .map_err(|e| self.err("write entry", e))
    }

    /// Marks an entry as revalidated now (after a 304): updates `fetched_at`
    /// only. A key that is not stored (another process replaced the file
    /// meanwhile) is left absent; that is not an error.
    ///
    /// # Errors
    /// As for [`Cache::put`].
    pub fn touch(&self, key: &str, fetched_at: i64) -> Result<(), CacheError> {
        self.available()?;
        self.conn
            .prepare_cached("UPDATE responses SET fetched_at = ?2 WHERE key = ?1")
            .and_then(|mut stmt| stmt.execute(params![key, fetched_at]))
            .map(|_| ())
            .map_err(|e| self.err("update entry", e))
    }

    /// Runs `f` inside one transaction (`BEGIN IMMEDIATE ... COMMIT`; rolled
    /// back if `f` returns an error or panics), so a batch of puts is
    /// all-or-nothing. Called from inside `f`, it nests as a savepoint.
    ///
    /// The write lock is held until `f` returns, and other processes wait for
    /// it at most the busy timeout: do the network requests first and only
    /// the puts inside `f`.
    ///
    /// # Errors
    /// The transaction cannot start (write lock busy) or commit, or `f`
    /// failed; use [`Cache::abort`] to give up for a reason of your own.
    pub fn transaction<T>(
        &self,
        f: impl FnOnce(&Cache) -> Result<T, CacheError>,
    ) -> Result<T, CacheError> {
        // IMMEDIATE takes the write lock up front: a deferred transaction
        // that reads first and then writes can fail with SQLITE_BUSY without
        // the busy handler being able to help.
        self.available()?;
        let nested = !self.conn.is_autocommit();
        let (begin, commit, rollback) = if nested {
            (
                "SAVEPOINT readiness_cache",
                "RELEASE readiness_cache",
                "ROLLBACK TO readiness_cache; RELEASE readiness_cache",
            )
        } else {
            ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
        };
        self.conn
            .execute_batch(begin)
            .map_err(|e| self.err("begin transaction", e))?;
        let guard = RollbackOnDrop {
            conn: &self.conn,
            sql: rollback,
            armed: true,
        };
        let value = f(self)?;
        self.conn
            .execute_batch(commit)
            .map_err(|e| self.err("commit transaction", e))?;
        guard.disarm();
        Ok(value)
    }

    /// An error for a closure given to [`Cache::transaction`] to return when
    /// it gives up for a reason of its own; the transaction is rolled back.
    pub fn abort(&self, reason: impl Into<String>) -> CacheError {
        CacheError::Aborted {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    /// Number of stored entries.
    ///
    /// # Errors
    /// SQLite cannot read the database.
    pub fn len(&self) -> Result<u64, CacheError> {
        self.available()?;
        self.conn
            .query_row("SELECT COUNT(*) FROM responses", [], |row| row.get(0))
            .map_err(|e| self.err("count entries", e))
    }

    /// Whether no entry is stored.
    ///
    /// # Errors
    /// SQLite cannot read the database.
    pub fn is_empty(&self) -> Result<bool, CacheError> {
        Ok(self.len()? == 0)
    }

    fn open_file(path: &Path) -> Result<Cache, CacheError> {
        // No SQLITE_OPEN_URI: the directory comes from the environment or
        // the command line and a name starting with "file:" is just a name.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| sqlite_err(path, "open", e))?;
        let cache = Cache::new(conn, path.to_path_buf());
        cache.configure()?;
        cache.check_integrity(CHECK_BUDGET)?;
        cache.migrate()?;
        Ok(cache)
    }

    /// A cache on `conn`, quiet until [`Cache::open_with`] says otherwise,
    /// so that a failure while opening is reported once, by the caller.
    fn new(conn: Connection, path: PathBuf) -> Cache {
        Cache {
            conn,
            path,
            quiet: true,
            gave_up: Cell::new(false),
        }
    }

    /// `PRAGMA quick_check` (b-tree structure, page and record format: what
    /// flipped bytes in the file break), interrupted once it has run for
    /// `budget` so that opening a huge cache stays cheap; a check cut short
    /// counts as passed. Damage is [`CacheError::Damaged`].
    fn check_integrity(&self, budget: Duration) -> Result<Checked, CacheError> {
        let interrupt = self.conn.get_interrupt_handle();
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let timer = std::thread::spawn(move || {
            // An interrupt while no statement runs is a no-op, so one sent
            // before the check got going is repeated until it finishes.
            let mut wait = budget;
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(wait)
            {
                interrupt.interrupt();
                wait = Duration::from_millis(1);
            }
        });
        let result = self
            .conn
            .query_row("PRAGMA quick_check(1)", [], |row| row.get::<_, String>(0));
        drop(done);
        // Joined before any other statement runs, so a late interrupt
        // cannot hit one.
        let _ = timer.join();
        match result {
            Ok(verdict) if verdict == "ok" => Ok(Checked::Whole),
            Ok(detail) => Err(CacheError::Damaged {
                path: self.path.clone(),
                detail: detail.lines().collect::<Vec<_>>().join("; "),
            }),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::OperationInterrupted) => {
                Ok(Checked::CutShort)
            }
            Err(e) => Err(self.err("check integrity", e)),
        }
    }

    /// Fails at once when an earlier call (of this handle, or of another
    /// handle on the same file in this process) gave up on a locked database.
    fn available(&self) -> Result<(), CacheError> {
        if self.gave_up.get() || given_up(&self.path, false) {
            self.gave_up.set(true);
            return Err(CacheError::Unavailable {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    fn configure(&self) -> Result<(), CacheError> {
        // The busy timeout first, so that switching to WAL (which needs a
        // brief exclusive lock the first time) waits for other processes.
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.err("configure", e))?;
        // WAL lets readers go on while another process writes. Its answer
        // is ignored: a file system without shared memory keeps the old
        // mode, which is slower under contention but still correct.
        self.conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
            .map_err(|e| self.err("configure", e))?;
        // In WAL mode NORMAL can lose the last commits on power loss but
        // never corrupts the file, a fair trade for a disposable cache.
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| self.err("configure", e))
    }

    fn migrate(&self) -> Result<(), CacheError> {
        let version = self.user_version()?;
        if version == SCHEMA_VERSION {
            // The common case takes no write lock; creating is a no-op
            // unless someone dropped the table by hand.
            return self
                .conn
                .execute_batch(CREATE_TABLE)
                .map_err(|e| self.err("create schema", e));
        }
        self.transaction(|cache| {
            // Another process may have migrated between the read above and
            // taking the write lock; dropping its fresh table would be
            // harmless but wasteful.
            if cache.user_version()? != SCHEMA_VERSION {
                let sql = format!(
                    "DROP TABLE IF EXISTS responses; {CREATE_TABLE}; \
                     PRAGMA user_version = {SCHEMA_VERSION};"
                );
                cache
                    .conn
                    .execute_batch(&sql)
                    .map_err(|e| cache.err("create schema", e))?;
            }
            Ok(())
        })
    }

    fn user_version(&self) -> Result<i64, CacheError> {
        self.conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| self.err("read schema version", e))
    }

    /// The error for a failed call. A lock held past the busy timeout makes
    /// the cache give up for the rest of the run, said once on stderr.
    fn err(&self, action: &'static str, source: rusqlite::Error) -> CacheError {
        let e = sqlite_err(&self.path, action, source);
        if matches!(e, CacheError::Busy { .. })
            && !self.gave_up.replace(true)
            && !given_up(&self.path, true)
        {
            warn(self.quiet, &format!("{e}; going on without the cache"));
        }
        e
    }
}

/// Cache files given up on in this process (a lock held past the busy
/// timeout): the run's other handles on the same file (the project file's,
/// an asv site's, the GitHub client's) neither wait nor warn again.
static GIVEN_UP: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Whether `path` was given up on already; with `mark`, it is from now on.
fn given_up(path: &Path, mark: bool) -> bool {
    let Ok(mut list) = GIVEN_UP.lock() else {
        return false;
    };
    let known = list.iter().any(|p| p == path);
    if mark && !known {
        list.push(path.to_path_buf());
    }
    known
}

/// How much of the file the integrity check on open covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checked {
    Whole,
    /// Interrupted after its time budget; what it covered was sound.
    CutShort,
}

/// Rolls back the transaction or savepoint it guards unless disarmed, so
/// that neither an error nor a panic inside [`Cache::transaction`] leaves a
/// transaction open on the connection.
struct RollbackOnDrop<'a> {
    conn: &'a Connection,
    sql: &'static str,
    armed: bool,
}

impl RollbackOnDrop<'_> {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for RollbackOnDrop<'_> {
    fn drop(&mut self) {
        // Some errors (disk full, I/O) make SQLite roll back by itself; then
        // there is nothing left to undo and ROLLBACK would only fail.
        if self.armed && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch(self.sql);
        }
    }
}

fn sqlite_err(path: &Path, action: &'static str, source: rusqlite::Error) -> CacheError {
    let path = path.to_path_buf();
    match source.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            CacheError::Busy { path, action }
        }
        _ => CacheError::Sqlite {
            path,
            action,
            source,
        },
    }
}

impl CacheError {
    /// Whether the file itself is damaged (not a database, corrupt, failed
    /// the integrity check), so that moving it aside is the cure.
    fn is_damage(&self) -> bool {
        match self {
            CacheError::Damaged { .. } => true,
            CacheError::Sqlite { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
            ),
            _ => false,
        }
    }
}

/// `readiness: warning: TEXT` on stderr, unless `quiet`.
fn warn(quiet: bool, text: &str) {
    if !quiet {
        eprintln!("readiness: warning: {text}");
    }
}

/// Creates `dir` readable by its owner only when it does not exist yet:
/// responses fetched with a token may come from private repositories.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        // Another process created it meanwhile.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        other => other,
    }
}

/// Renames a corrupt database to `<name>.corrupt-<unix seconds>` (kept for
/// inspection rather than deleted) along with its WAL file, and returns
/// where it went; the shared-memory index is only derived data and is
/// removed.
fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let aside = sibling(path, &format!(".corrupt-{secs}"));
    match std::fs::rename(path, &aside) {
        // Another process already moved it; its fresh file will do.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(aside),
        other => other?,
    }
    // A WAL file left beside the new, empty database would be replayed
    // into it.
    let wal = sibling(path, "-wal");
    if wal.exists() {
        std::fs::rename(&wal, sibling(&aside, "-wal"))?;
    }
    match std::fs::remove_file(sibling(path, "-shm")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(aside),
    }
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn dir_from_env(
    windows: bool,
    var: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if windows {
        return set("LOCALAPPDATA").map(|d| d.join("readiness"));
    }
    if let Some(xdg) = set("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return Some(xdg.join("readiness"));
    }
    set("HOME").map(|home| home.join(".cache").join("readiness"))
}

/// The cache key for a request: method + URL + a scope that separates data
/// seen with different credentials, WITHOUT containing the token. `scope`
/// is given by the caller ("anonymous", or [`token_scope`] of the token).
///
/// The parts are joined by spaces, which neither an HTTP method nor a valid
/// URL contains, so different requests never share a key. A raw space in
/// `url` is written `%20`, as the HTTP client would send it.
#[must_use]
pub fn key(method: &str, url: &str, scope: &str) -> String {
    format!("{method} {} {scope}", url.replace(' ', "%20"))
}

/// A non-reversible fingerprint of a token for use as a scope: 16 hex
/// characters (64 bits) hashed from the token with a fixed domain-separation
/// prefix. Stable across Rust versions and platforms, so a cache written by
/// one build is found by the next.
///
/// A 64-bit digest of a GitHub token (well over 150 bits of randomness)
/// cannot be turned back into it: countless tokens share each fingerprint.
/// It never contains the token, even a short hexadecimal one; the empty
/// token, contained in every string, is the only exception.
#[must_use]
pub fn token_scope(token: &str) -> String {
    // The round only changes the result for tokens of a few hex digits,
    // which could otherwise appear inside their own fingerprint by chance.
    let mut round: u64 = 0;
    loop {
        let mut hash = Fnv1a::new();
        hash.write(b"readiness/cache-scope/v1\0");
        hash.write(&round.to_le_bytes());
        hash.write(token.as_bytes());
        let scope = format!("{:016x}", hash.finish());
        if token.is_empty() || !scope.contains(token) {
            return scope;
        }
        round = round.wrapping_add(1);
    }
}

/// FNV-1a, 64 bits, with a final mixing step.
///
/// FNV alone moves a change in the last input byte mostly into the low bits
/// of the result; the final step spreads every input bit over all 64 output
/// bits, so similar tokens get unrelated fingerprints.
struct Fnv1a(u64);

impl Fnv1a {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> Fnv1a {
        Fnv1a(Self::OFFSET_BASIS)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    /// The SplitMix64 finaliser.
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(body: &str, fetched_at: i64) -> Entry {
        Entry {
            status: 200,
            etag: Some(format!("W/\"{body}\"")),
            link: Some("<https://api.github.com/x?page=2>; rel=\"next\"".to_string()),
            body: body.to_string(),
            fetched_at,
        }
    }

    fn corrupt_files(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("cache.sqlite3.corrupt-"))
            .collect()
    }

    /// What is put is what is got back, every field included.
    #[test]
    fn put_then_get_returns_the_same_entry() {
        let cache = Cache::in_memory().unwrap();
        let e = Entry {
            status: 404,
            etag: None,
            link: None,
            body: "{\"message\":\"Not Found\"}".to_string(),
            fetched_at: -5,
        };
        cache.put("k1", &e).unwrap();
        cache.put("k2", &entry("b", 1_700_000_000)).unwrap();
        assert_eq!(cache.get("k1").unwrap(), Some(e));
        assert_eq!(cache.get("k2").unwrap(), Some(entry("b", 1_700_000_000)));
        assert_eq!(cache.len().unwrap(), 2);
    }

    /// A key never stored is a miss, not an error or someone else's entry.
    #[test]
    fn get_of_a_missing_key_is_none() {
        let cache = Cache::in_memory().unwrap();
        cache.put("present", &entry("a", 1)).unwrap();
        assert_eq!(cache.get("absent").unwrap(), None);
        assert!(Cache::in_memory().unwrap().is_empty().unwrap());
    }

    /// A second put under the same key replaces the first instead of
    /// failing or keeping both.
    #[test]
    fn put_replaces_an_existing_entry() {
        let cache = Cache::in_memory().unwrap();
        cache.put("k", &entry("old", 1)).unwrap();
        let new = Entry {
            etag: None,
            link: None,
            ..entry("new", 2)
        };
        cache.put("k", &new).unwrap();
        assert_eq!(cache.get("k").unwrap(), Some(new));
        assert_eq!(cache.len().unwrap(), 1);
    }

    /// After a 304 only the revalidation time changes; the body and headers
    /// stay, and touching an absent key creates nothing.
    #[test]
    fn touch_updates_only_fetched_at() {
        let cache = Cache::in_memory().unwrap();
        cache.put("k", &entry("body", 100)).unwrap();
        cache.touch("k", 200).unwrap();
        assert_eq!(cache.get("k").unwrap(), Some(entry("body", 200)));
        cache.touch("absent", 300).unwrap();
        assert_eq!(cache.get("absent").unwrap(), None);
        assert_eq!(cache.len().unwrap(), 1);
    }

    /// Entries written by one run are found by the next one opening the
    /// same directory, which is the point of the cache.
    #[test]
    fn entries_persist_across_open() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("nested").join("readiness");
        {
            let cache = Cache::open(&sub).unwrap();
            cache.put("k", &entry("kept", 7)).unwrap();
        }
        assert!(sub.join("cache.sqlite3").is_file());
        let cache = Cache::open(&sub).unwrap();
        assert_eq!(cache.get("k").unwrap(), Some(entry("kept", 7)));
    }

    /// The directory the cache creates is private, since responses may come
    /// from private repositories.
    #[cfg(unix)]
    #[test]
    fn created_directory_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("readiness");
        Cache::open(&sub).unwrap();
        let mode = std::fs::metadata(&sub).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    /// An error inside `transaction` undoes every put made in it and leaves
    /// what was there before.
    #[test]
    fn err_inside_transaction_rolls_back() {
        let cache = Cache::in_memory().unwrap();
        cache.put("before", &entry("v1", 1)).unwrap();
        let result: Result<(), _> = cache.transaction(|c| {
            c.put("before", &entry("v2", 2))?;
            c.put("new", &entry("n", 2))?;
            Err(c.abort("page 3 failed"))
        });
        let err = result.unwrap_err();
        assert!(matches!(err, CacheError::Aborted { .. }), "{err}");
        assert_eq!(cache.get("before").unwrap(), Some(entry("v1", 1)));
        assert_eq!(cache.get("new").unwrap(), None);
        assert!(cache.conn.is_autocommit(), "transaction left open");
    }

    /// `Ok` from inside `transaction` commits every put and passes the
    /// value through.
    #[test]
    fn ok_inside_transaction_commits() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let n = cache
            .transaction(|c| {
                c.put("a", &entry("a", 1))?;
                c.put("b", &entry("b", 1))?;
                Ok(2)
            })
            .unwrap();
        assert_eq!(n, 2);
        assert!(cache.conn.is_autocommit(), "transaction left open");
        // Seen from another connection, so it was committed to the file.
        let other = Cache::open(dir.path()).unwrap();
        assert_eq!(other.get("b").unwrap(), Some(entry("b", 1)));
        assert_eq!(other.len().unwrap(), 2);
    }

    /// A nested `transaction` is a savepoint: its failure undoes only its
    /// own puts, and the outer one still commits.
    #[test]
    fn nested_transaction_rolls_back_only_itself() {
        let cache = Cache::in_memory().unwrap();
        cache
            .transaction(|c| {
                c.put("outer", &entry("o", 1))?;
                let inner: Result<(), _> = c.transaction(|c| {
                    c.put("inner", &entry("i", 1))?;
                    Err(c.abort("no"))
                });
                assert!(inner.is_err());
                Ok(())
            })
            .unwrap();
        assert_eq!(cache.get("outer").unwrap(), Some(entry("o", 1)));
        assert_eq!(cache.get("inner").unwrap(), None);
    }

    /// A panic inside `transaction` rolls back too, instead of leaving a
    /// transaction (and the write lock) open on the connection.
    #[test]
    fn panic_inside_transaction_rolls_back() {
        let cache = Cache::in_memory().unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<(), CacheError> = cache.transaction(|c| {
                c.put("k", &entry("v", 1))?;
                panic!("boom");
            });
        }));
        assert!(caught.is_err());
        assert!(cache.conn.is_autocommit(), "transaction left open");
        assert_eq!(cache.get("k").unwrap(), None);
    }

    /// A file of garbage is moved aside to `cache.sqlite3.corrupt-*` and a
    /// working, empty cache takes its place.
    #[test]
    fn corrupt_file_is_moved_aside_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3).to_le_bytes()[0]).collect();
        std::fs::write(dir.path().join("cache.sqlite3"), &garbage).unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let aside = corrupt_files(dir.path());
        assert_eq!(aside.len(), 1, "{aside:?}");
        assert_eq!(std::fs::read(dir.path().join(&aside[0])).unwrap(), garbage);
        assert!(cache.is_empty().unwrap());
        cache.put("k", &entry("fresh", 1)).unwrap();
        drop(cache);
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(cache.get("k").unwrap(), Some(entry("fresh", 1)));
        assert_eq!(corrupt_files(dir.path()).len(), 1);
    }

    /// A file from another schema version is emptied and reused rather than
    /// read with the wrong layout or refused.
    #[test]
    fn other_schema_version_is_dropped_and_recreated() {
        let dir = tempfile::tempdir().unwrap();
        {
            let cache = Cache::open(dir.path()).unwrap();
            cache.put("k", &entry("old", 1)).unwrap();
        }
        {
            let raw = Connection::open(dir.path().join("cache.sqlite3")).unwrap();
            raw.pragma_update(None, "user_version", 99).unwrap();
        }
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(cache.get("k").unwrap(), None);
        assert_eq!(cache.len().unwrap(), 0);
        assert_eq!(cache.user_version().unwrap(), SCHEMA_VERSION);
        cache.put("k", &entry("new", 2)).unwrap();
        assert_eq!(cache.get("k").unwrap(), Some(entry("new", 2)));
        assert!(corrupt_files(dir.path()).is_empty());
    }

    /// The connection is set up for sharing between processes: WAL, NORMAL
    /// synchronous, a busy timeout.
    #[test]
    fn file_cache_uses_wal_normal_sync_and_busy_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let pragma = |name: &str| -> String {
            cache
                .conn
                .pragma_query_value(None, name, |r| r.get::<_, rusqlite::types::Value>(0))
                .map(|v| match v {
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Text(s) => s,
                    other => format!("{other:?}"),
                })
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), "wal");
        assert_eq!(pragma("synchronous"), "1");
        assert_eq!(pragma("busy_timeout"), "5000");
    }

    /// A second process writing while the first holds the write lock waits
    /// for it instead of failing with "database is locked".
    #[test]
    fn concurrent_writer_waits_for_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let first = Cache::open(&path).unwrap();
        let (locked_tx, locked_rx) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            first
                .transaction(|c| {
                    c.put("first", &entry("1", 1))?;
                    locked_tx.send(()).unwrap();
                    std::thread::sleep(Duration::from_millis(300));
                    Ok(())
                })
                .unwrap();
        });
        locked_rx.recv().unwrap();
        let second = Cache::open(&path).unwrap();
        // WAL: reading is not blocked by the writer, and sees the last commit.
        assert_eq!(second.get("first").unwrap(), None);
        second.put("second", &entry("2", 2)).unwrap();
        holder.join().unwrap();
        assert_eq!(second.len().unwrap(), 2);
    }

    /// Errors name the database file and what failed.
    #[test]
    fn error_names_the_file_and_the_action() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cache.sqlite3");
        std::fs::write(&file, b"").unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        cache.conn.execute_batch("DROP TABLE responses").unwrap();
        let err = cache.get("k").unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("cache {}: cannot read entry: ", file.display())),
            "{err}"
        );
    }

    /// A folder where the database file should be is named as such at
    /// once, instead of a bare "unable to open database file".
    #[test]
    fn a_folder_in_place_of_the_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cache.sqlite3");
        std::fs::create_dir(&file).unwrap();
        let err = Cache::open(dir.path()).unwrap_err();
        assert!(matches!(err, CacheError::NotAFile { .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with(&format!("cache {}: is a folder", file.display())),
            "{err}"
        );
        assert!(Cache::open_or_warn(dir.path(), true).is_none());
    }

    /// Fills a cache with `n` entries of about 2 KB and closes it.
    fn filled(dir: &Path, n: usize) {
        let cache = Cache::open(dir).unwrap();
        cache
            .transaction(|c| {
                for i in 0..n {
                    c.put(
                        &format!("k{i}"),
                        &entry(&format!("[{i}, \"{}\"]", "x".repeat(2000)), 1),
                    )?;
                }
                Ok(())
            })
            .unwrap();
        cache
            .conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }

    /// Bytes flipped in the middle of the file (a page header), which
    /// SQLite does not notice when opening, fail the integrity check on
    /// open: the file is moved aside and an empty cache takes its place.
    #[test]
    fn bytes_flipped_in_the_middle_are_detected_and_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        filled(dir.path(), 200);
        let file = dir.path().join("cache.sqlite3");
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = (bytes.len() / 4096 / 2) * 4096;
        for b in &mut bytes[middle..middle + 64] {
            *b ^= 0xA5;
        }
        std::fs::write(&file, &bytes).unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(corrupt_files(dir.path()).len(), 1);
        assert!(cache.is_empty().unwrap());
        // An undamaged cache of the same size passes the check and keeps its entries.
        let good = tempfile::tempdir().unwrap();
        filled(good.path(), 200);
        assert_eq!(Cache::open(good.path()).unwrap().len().unwrap(), 200);
        assert!(corrupt_files(good.path()).is_empty());
    }

    /// The check stops at its time budget (passing), so opening a huge
    /// cache stays cheap; within the budget it runs to the end.
    #[test]
    fn the_integrity_check_is_cut_short_at_its_budget() {
        let dir = tempfile::tempdir().unwrap();
        filled(dir.path(), 5000);
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(
            cache.check_integrity(Duration::ZERO).unwrap(),
            Checked::CutShort
        );
        assert_eq!(cache.check_integrity(CHECK_BUDGET).unwrap(), Checked::Whole);
        // Nothing is left interrupted: the cache still works.
        assert_eq!(cache.len().unwrap(), 5000);
    }

    /// A successful entry whose body is not JSON is dropped and reported as
    /// a miss; JSON bodies and bodiless 404s are kept.
    #[test]
    fn a_body_that_is_not_json_is_dropped() {
        let cache = Cache::in_memory().unwrap();
        cache.put("bad", &entry("[{\"tag_na\u{fffd}", 1)).unwrap();
        cache.put("good", &entry("[1]", 1)).unwrap();
        let missing = Entry {
            status: 404,
            ..entry("", 1)
        };
        cache.put("missing", &missing).unwrap();
        assert_eq!(cache.get_usable("bad").unwrap(), None);
        assert_eq!(
            cache.get("bad").unwrap(),
            None,
            "the damaged row is dropped"
        );
        assert_eq!(cache.get_usable("good").unwrap(), Some(entry("[1]", 1)));
        assert_eq!(cache.get_usable("missing").unwrap(), Some(missing));
        assert_eq!(cache.get_usable("absent").unwrap(), None);
    }

    /// Once another process has held the write lock past the busy timeout,
    /// later calls fail at once instead of each waiting again.
    #[test]
    fn a_lock_held_past_the_timeout_gives_up_for_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open_with(dir.path(), true).unwrap();
        let holder = Connection::open(dir.path().join("cache.sqlite3")).unwrap();
        holder
            .execute_batch("BEGIN IMMEDIATE; DELETE FROM responses;")
            .unwrap();
        let err = cache.put("k", &entry("[1]", 1)).unwrap_err();
        assert!(matches!(err, CacheError::Busy { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("another process has held its lock"),
            "{err}"
        );
        let start = std::time::Instant::now();
        for i in 0..5 {
            let err = cache.put(&format!("k{i}"), &entry("[1]", 1)).unwrap_err();
            assert!(matches!(err, CacheError::Unavailable { .. }), "{err}");
        }
        assert!(cache.get("k").is_err());
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
    }

    /// The scope is stable (the same across runs and Rust versions: pinned
    /// value), 16 hex digits, different per token, and hides the token.
    #[test]
    fn token_scope_is_a_stable_hex_fingerprint_without_the_token() {
        let token = "ghp_abcdefghijklmnop";
        let scope = token_scope(token);
        assert_eq!(scope, token_scope(token));
        assert_eq!(scope.len(), 16);
        assert!(
            scope
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert!(!scope.contains(token));
        assert_ne!(scope, token_scope("ghp_abcdefghijklmnoq"));
        assert_ne!(scope, token_scope(""));
        assert_eq!(scope, "ff6defdcd57306dc");
    }

    /// Even tokens short enough to appear inside 16 hex digits by chance
    /// never appear in their own fingerprint.
    #[test]
    fn token_scope_never_contains_a_short_hex_token() {
        let hex = "0123456789abcdef";
        let mut tokens: Vec<String> = hex.chars().map(String::from).collect();
        for a in hex.chars() {
            for b in hex.chars() {
                tokens.push(format!("{a}{b}"));
            }
        }
        for token in &tokens {
            let scope = token_scope(token);
            assert!(!scope.contains(token.as_str()), "{token} in {scope}");
            assert_eq!(scope.len(), 16);
        }
    }

    /// Keys differ by scope, by method and by URL, so data fetched with one
    /// token is never served to another, nor a HEAD answer to a GET.
    #[test]
    fn key_separates_scopes_and_methods() {
        let url = "https://api.github.com/repos/o/r/releases?per_page=100";
        let anon = key("GET", url, "anonymous");
        assert_eq!(anon, key("GET", url, "anonymous"));
        assert_ne!(anon, key("GET", url, &token_scope("ghp_abcdefghijklmnop")));
        assert_ne!(anon, key("HEAD", url, "anonymous"));
        assert_ne!(anon, key("GET", &format!("{url}&page=2"), "anonymous"));
        assert!(!key("GET", url, &token_scope("ghp_secret")).contains("ghp_secret"));
        assert_eq!(
            key("GET", "https://h/a b", "s"),
            key("GET", "https://h/a%20b", "s")
        );
    }

    /// The default directory follows XDG, then HOME, and LOCALAPPDATA on
    /// Windows; unset, empty and relative values are skipped.
    #[test]
    fn default_dir_follows_the_platform_conventions() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let unix = |pairs| dir_from_env(false, env(pairs));
        assert_eq!(
            unix(&[("XDG_CACHE_HOME", "/x/cache"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/x/cache/readiness"))
        );
        assert_eq!(
            unix(&[("XDG_CACHE_HOME", "rel"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/home/u/.cache/readiness"))
        );
        assert_eq!(
            unix(&[("XDG_CACHE_HOME", ""), ("HOME", "/home/u")]),
            Some(PathBuf::from("/home/u/.cache/readiness"))
        );
        assert_eq!(unix(&[("LOCALAPPDATA", "/l")]), None);
        assert_eq!(unix(&[("HOME", "")]), None);
        let windows = |pairs| dir_from_env(true, env(pairs));
        assert_eq!(
            windows(&[("LOCALAPPDATA", "/l"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/l").join("readiness"))
        );
        assert_eq!(windows(&[("HOME", "/home/u")]), None);
    }

    /// The cache can be moved into the HTTP client's worker thread or task.
    #[test]
    fn cache_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Cache>();
    }
}
