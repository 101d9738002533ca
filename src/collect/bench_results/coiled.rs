//! Coiled's benchmark database (`--coiled-db FILE`): the SQLite file
//! (`benchmark.db`) behind benchmarks.coiled.io, where coiled/benchmarks
//! records every run of Dask's benchmark suite.
//!
//! The file is opened read-only and never written. Its schema changes
//! through alembic migrations, so the columns present are read, not a fixed
//! list. Two tables:
//!
//! - `test_run`: one series per (runtime, test `name`, metric), as Coiled's
//!   dashboard and `detect_regressions.py` key them: the runtime is
//!   `coiled-<coiled_runtime_version>-py<major.minor of python_version>`
//!   (the series' `env`), the metric one of `duration` (seconds),
//!   `average_memory` and `peak_memory` (bytes), all lower-is-better (the
//!   series' `params`, `metric=...`). Tool `coiled`.
//! - `tpch_run`, when present: the same, keyed by `py<major.minor>` and the
//!   query's settings (`scale`, `query`, `local`, ... as `params`). Tool
//!   `coiled-tpch`.
//!
//! Only rows with `platform = 'linux'` and `call_outcome = 'passed'` are
//! results, as in Coiled's own reading; the others are counted by outcome
//! and reported. A point's time is the run's `start`; its labels are the
//! versions tested (`dask_version`, `distributed_version`, and for TPC-H the
//! other engines'). Coiled's regression rule reads rows in the table's
//! order, with missing values as gaps; the notes count the rows where that
//! order or a gap could make it read a series differently from ours.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{Builder, Input, Key, Skips, Val, finish_input, join_params, parse_time};
use crate::evidence::{BenchPoint, Direction};

/// The tool of `test_run` series.
pub const TOOL: &str = "coiled";
/// The tool of `tpch_run` series.
pub const TPCH_TOOL: &str = "coiled-tpch";

/// The largest database read: Coiled keeps 90 days of runs, tens of
/// megabytes; two gigabytes is far beyond that.
const MAX_DB_BYTES: u64 = 2 << 30;
/// The most rows read from one table; the rest are left out and counted.
pub const MAX_ROWS: u64 = 5_000_000;
/// The metrics, their units, and Coiled's unit of change in them (one
/// second, one GiB) for its regression rule.
pub const METRICS: [(&str, &str); 3] = [
    ("duration", "seconds"),
    ("average_memory", "bytes"),
    ("peak_memory", "bytes"),
];
/// The first 16 bytes of every SQLite database.
const HEADER: &[u8; 16] = b"SQLite format 3\0";

/// One of the two tables and how its series are keyed.
struct Table {
    name: &'static str,
    tool: &'static str,
    /// Columns a series cannot be keyed without.
    needed: &'static [&'static str],
    /// Columns read as the points' labels, when present.
    labels: &'static [&'static str],
    /// Columns read as the series' params, when present.
    params: &'static [&'static str],
}

const TEST_RUN: Table = Table {
    name: "test_run",
    tool: TOOL,
    needed: &[
        "name",
        "call_outcome",
        "platform",
        "coiled_runtime_version",
        "python_version",
        "start",
    ],
    labels: &["dask_version", "distributed_version"],
    params: &[],
};

const TPCH_RUN: Table = Table {
    name: "tpch_run",
    tool: TPCH_TOOL,
    needed: &[
        "name",
        "call_outcome",
        "platform",
        "python_version",
        "start",
    ],
    labels: &[
        "dask_version",
        "distributed_version",
        "duckdb_version",
        "polars_version",
        "pyspark_version",
    ],
    params: &[
        "scale",
        "query",
        "local",
        "compression",
        "partition_size",
        "n_workers",
        "worker_vm_type",
        "cluster_disk_size",
    ],
};

/// What reading one table counted besides its results.
#[derive(Debug, Default)]
struct Counts {
    rows: u64,
    /// Rows not on linux, by platform.
    platforms: BTreeMap<String, u64>,
    /// Linux rows whose call did not pass, by outcome.
    outcomes: BTreeMap<String, u64>,
    /// Passed linux rows without a runtime (or a test name) to key them by.
    unkeyed: u64,
    /// Metric cells of passed linux rows that are NULL: Coiled's rule keeps
    /// them as gaps in its windows.
    gaps: u64,
    /// Passed linux rows that start before an earlier row of their series:
    /// ours orders them by time, Coiled's rule by row.
    out_of_order: u64,
    /// Rows left unread past [`MAX_ROWS`].
    capped: bool,
}

/// Reads one `--coiled-db` file.
pub(crate) fn read_file(path: &Path) -> Input {
    read_as(path, &path.display().to_string())
}

/// Reads the database at `path`, recorded (in the provenance, the series
/// and every note) as `location`: a database downloaded from an Actions
/// artifact is read from its temporary file and named by where it came from.
pub(crate) fn read_as(path: &Path, location: &str) -> Input {
    let location = location.to_string();
    let mut builder = Builder::new(TOOL);
    let mut tpch = Builder::new(TPCH_TOOL);
    let mut skips = Skips::default();
    let mut notes = Vec::new();
    let mut incomplete = false;
    match open(path) {
        Err(why) => skips.add(location.clone(), why),
        Ok(conn) => match read_tables(&conn, &location, &mut builder, &mut tpch) {
            Err(why) => skips.add(location.clone(), why),
            Ok(read) => {
                notes = read.notes;
                incomplete = read.incomplete;
            }
        },
    }
    let (tpch_series, tpch_warnings, tpch_left) = tpch.finish();
    let mut input = finish_input(TOOL, &location, builder, &skips, Vec::new(), notes);
    if let Some(n) = tpch_left.note() {
        input.provenance.notes.push(format!("tpch_run: {n}"));
    }
    input.provenance.complete &= !incomplete && !tpch_left.lost();
    input.provenance.items += tpch_series.len() as u64;
    input.series.extend(tpch_series);
    input.warnings.extend(tpch_warnings);
    input
}

/// Opens the file read-only after checking that it is a regular file, not
/// too large, and an SQLite database.
fn open(path: &Path) -> Result<Connection, String> {
    use std::io::Read;
    let (file, meta) = super::open_regular(path)?;
    if meta.len() > MAX_DB_BYTES {
        return Err(format!(
            "cannot read it: larger than {} GiB, the most a Coiled database may hold",
            MAX_DB_BYTES >> 30
        ));
    }
    let mut head = Vec::with_capacity(HEADER.len());
    file.take(HEADER.len() as u64)
        .read_to_end(&mut head)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if head.as_slice() != HEADER.as_slice() {
        return Err("not an SQLite database (it does not start with \"SQLite format 3\")".into());
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, flags)
        .map_err(|e| format!("cannot open it as an SQLite database: {e}"))
}

/// What the tables gave besides their series.
struct TablesRead {
    notes: Vec<String>,
    incomplete: bool,
}

/// Reads `test_run` (which must be there) and `tpch_run` (when it is).
fn read_tables(
    conn: &Connection,
    location: &str,
    builder: &mut Builder,
    tpch: &mut Builder,
) -> Result<TablesRead, String> {
    let tables = table_names(conn)?;
    if !tables.iter().any(|t| t == TEST_RUN.name) {
        return Err(
            "no test_run table: not a Coiled benchmark database (coiled/benchmarks' benchmark.db)"
                .into(),
        );
    }
    let counts = read_table(conn, &TEST_RUN, location, builder, MAX_ROWS)?;
    let mut notes = notes_of(&TEST_RUN, &counts);
    let mut incomplete = counts.capped;
    if tables.iter().any(|t| t == TPCH_RUN.name) {
        match read_table(conn, &TPCH_RUN, location, tpch, MAX_ROWS) {
            Ok(c) => {
                incomplete |= c.capped;
                notes.extend(notes_of(&TPCH_RUN, &c));
            }
            Err(why) => {
                incomplete = true;
                notes.push(format!("tpch_run not read: {why}"));
            }
        }
    }
    Ok(TablesRead { notes, incomplete })
}

fn table_names(conn: &Connection) -> Result<Vec<String>, String> {
    let sql_err = |e: rusqlite::Error| format!("cannot read its tables: {e}");
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .map_err(sql_err)?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(sql_err)?;
    rows.take(10_000)
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql_err)
}

fn column_names(conn: &Connection, table: &str) -> Result<Vec<String>, String> {
    let sql_err = |e: rusqlite::Error| format!("cannot read the columns of {table}: {e}");
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_table_info(?1)")
        .map_err(sql_err)?;
    let rows = stmt
        .query_map([table], |r| r.get::<_, String>(0))
        .map_err(sql_err)?;
    rows.take(10_000)
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql_err)
}

/// The columns read from a table, by their position in the query.
struct Columns {
    /// `needed` then metrics then labels then params, those present.
    names: Vec<&'static str>,
}

impl Columns {
    fn of(table: &Table, present: &[String]) -> Result<Columns, String> {
        let has = |c: &str| present.iter().any(|p| p == c);
        let missing: Vec<&str> = table.needed.iter().copied().filter(|c| !has(c)).collect();
        if !missing.is_empty() {
            return Err(format!(
                "{} has no column {}: its series are keyed on {}",
                table.name,
                missing.join(", "),
                table.needed.join(", ")
            ));
        }
        if !METRICS.iter().any(|(m, _)| has(m)) {
            return Err(format!(
                "{} has none of the metric columns duration, average_memory, peak_memory",
                table.name
            ));
        }
        let names = table
            .needed
            .iter()
            .copied()
            .chain(METRICS.iter().map(|(m, _)| *m))
            .chain(table.labels.iter().copied())
            .chain(table.params.iter().copied())
            .filter(|c| has(c))
            .collect();
        Ok(Columns { names })
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|c| *c == name)
    }

    /// The query: the columns are constants of this file, quoted.
    fn select(&self, table: &str) -> String {
        let cols: Vec<String> = self.names.iter().map(|c| format!("\"{c}\"")).collect();
        format!("SELECT {} FROM \"{table}\"", cols.join(", "))
    }
}

/// Text of a cell: text as it is, numbers written out, NULL and blobs as `None`.
fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
        ValueRef::Null | ValueRef::Blob(_) => None,
    }
}

/// A metric cell: `None` for NULL (a gap), else the value as a result.
fn metric(v: ValueRef<'_>) -> Option<Val> {
    match v {
        ValueRef::Null => None,
        #[expect(
            clippy::cast_precision_loss,
            reason = "a metric stored as an integer is read as the float SQLAlchemy reads it as"
        )]
        ValueRef::Integer(i) => Some(Val::Finite(i as f64)),
        ValueRef::Real(x) if x.is_finite() => Some(Val::Finite(x)),
        ValueRef::Real(_) => Some(Val::Infinite),
        ValueRef::Text(_) | ValueRef::Blob(_) => Some(Val::Invalid),
    }
}

/// `3.10` from `3.10.4`: the first two dot-separated parts, as Coiled's
/// runtime name takes them.
#[must_use]
pub fn major_minor(version: &str) -> String {
    version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
}

/// One row, read: its series' env and name, or why it is not a result.
enum Row {
    Result {
        env: String,
        name: String,
        start: Option<DateTime<Utc>>,
    },
    OtherPlatform(String),
    NotPassed(String),
    Unkeyed,
}

fn classify_row(table: &Table, cols: &Columns, row: &rusqlite::Row<'_>) -> Row {
    let cell = |name: &str| {
        cols.index(name)
            .and_then(|i| row.get_ref(i).ok())
            .and_then(text)
    };
    let platform = cell("platform");
    if platform.as_deref() != Some("linux") {
        return Row::OtherPlatform(platform.unwrap_or_else(|| "none".into()));
    }
    let outcome = cell("call_outcome");
    if outcome.as_deref() != Some("passed") {
        return Row::NotPassed(outcome.unwrap_or_else(|| "none".into()));
    }
    let Some(python) = cell("python_version") else {
        return Row::Unkeyed;
    };
    let env = if table.tool == TOOL {
        let Some(runtime) = cell("coiled_runtime_version") else {
            return Row::Unkeyed;
        };
        format!("coiled-{runtime}-py{}", major_minor(&python))
    } else {
        format!("py{}", major_minor(&python))
    };
    let Some(name) = cell("name") else {
        return Row::Unkeyed;
    };
    let start = cell("start").as_deref().and_then(parse_time);
    Row::Result { env, name, start }
}

/// `name=value` pairs of the columns present and not NULL.
fn pairs(cols: &Columns, row: &rusqlite::Row<'_>, names: &[&str]) -> String {
    let found: Vec<(&str, String)> = names
        .iter()
        .filter_map(|n| {
            let v = cols.index(n).and_then(|i| row.get_ref(i).ok())?;
            text(v).map(|t| (*n, t))
        })
        .collect();
    join_params(found.iter().map(|(k, v)| (*k, v.as_str())))
}

/// Reads at most `max_rows` of a table's rows into `builder`, in the table's own order.
fn read_table(
    conn: &Connection,
    table: &Table,
    location: &str,
    builder: &mut Builder,
    max_rows: u64,
) -> Result<Counts, String> {
    let cols = Columns::of(table, &column_names(conn, table.name)?)?;
    let sql_err = |e: rusqlite::Error| format!("cannot read {}: {e}", table.name);
    let mut stmt = conn.prepare(&cols.select(table.name)).map_err(sql_err)?;
    let mut rows = stmt.query([]).map_err(sql_err)?;
    let mut counts = Counts::default();
    let mut latest: HashMap<(String, String), DateTime<Utc>> = HashMap::new();
    let metrics: Vec<(usize, &str, &str)> = METRICS
        .iter()
        .filter_map(|(m, unit)| cols.index(m).map(|i| (i, *m, *unit)))
        .collect();
    while let Some(row) = rows
        .next()
        .map_err(|e| format!("{} unreadable after {} rows: {e}", table.name, counts.rows))?
    {
        if counts.rows >= max_rows {
            counts.capped = true;
            break;
        }
        counts.rows += 1;
        let (env, name, start) = match classify_row(table, &cols, row) {
            Row::Result { env, name, start } => (env, name, start),
            Row::OtherPlatform(p) => {
                *counts.platforms.entry(p).or_default() += 1;
                continue;
            }
            Row::NotPassed(o) => {
                *counts.outcomes.entry(o).or_default() += 1;
                continue;
            }
            Row::Unkeyed => {
                counts.unkeyed += 1;
                continue;
            }
        };
        let params = pairs(&cols, row, table.params);
        let labels = Some(pairs(&cols, row, table.labels)).filter(|l| !l.is_empty());
        if let Some(t) = start {
            let last = latest.entry((env.clone(), name.clone())).or_insert(t);
            if t < *last {
                counts.out_of_order += 1;
            } else {
                *last = t;
            }
        }
        for &(i, metric_name, unit) in &metrics {
            let Some(value) = row.get_ref(i).ok().and_then(metric) else {
                counts.gaps += 1;
                continue;
            };
            let key = Key {
                benchmark: name.clone(),
                params: metric_params(metric_name, &params),
                machine: String::new(),
                env: env.clone(),
            };
            match (value, start) {
                (Val::Finite(v), Some(time)) => {
                    let point = BenchPoint {
                        time,
                        commit: None,
                        value: v,
                        labels: labels.clone(),
                    };
                    builder.add(&key, location, unit, Direction::LowerIsBetter, point);
                }
                (Val::Finite(_), None) => builder.left_out.no_time += 1,
                (other, _) => builder.left_out.count(other),
            }
        }
    }
    Ok(counts)
}

/// `metric=duration`, then the table's own params.
fn metric_params(metric: &str, params: &str) -> String {
    if params.is_empty() {
        format!("metric={metric}")
    } else {
        format!("metric={metric}, {params}")
    }
}

/// `3 (failed 2, skipped 1)`.
fn by_kind(map: &BTreeMap<String, u64>) -> String {
    let total: u64 = map.values().sum();
    let parts: Vec<String> = map.iter().map(|(k, n)| format!("{k} {n}")).collect();
    format!("{total} ({})", parts.join(", "))
}

/// The provenance notes of one table.
fn notes_of(table: &Table, c: &Counts) -> Vec<String> {
    let t = table.name;
    let mut notes = vec![format!("{t}: {} rows read", c.rows)];
    if !c.outcomes.is_empty() {
        notes.push(format!(
            "{t}: calls that did not pass are not results: {} linux rows by call_outcome",
            by_kind(&c.outcomes)
        ));
    }
    if !c.platforms.is_empty() {
        notes.push(format!(
            "{t}: rows not on linux left out, as Coiled's own reading does: {} by platform",
            by_kind(&c.platforms)
        ));
    }
    if c.unkeyed > 0 {
        notes.push(format!(
            "{t}: {} passed linux rows without a runtime (python_version{}) or a name left out",
            c.unkeyed,
            if table.tool == TOOL {
                ", coiled_runtime_version"
            } else {
                ""
            }
        ));
    }
    if c.gaps > 0 {
        notes.push(format!(
            "{t}: {} metric values of passed linux rows are NULL: no result, but Coiled's regression rule keeps them as gaps in its windows",
            c.gaps
        ));
    }
    if c.out_of_order > 0 {
        notes.push(format!(
            "{t}: {} passed linux rows start before an earlier row of their series: series are in time order, Coiled's rule reads row order",
            c.out_of_order
        ));
    }
    if c.capped {
        notes.push(format!(
            "{t}: only the first {} rows were read, the most read from one table",
            c.rows
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `test_run` with the key columns, one metric and the versions, in memory.
    fn db(rows: &[(&str, &str, &str, Option<f64>)]) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE test_run (id INTEGER PRIMARY KEY, name VARCHAR, call_outcome VARCHAR,
                platform VARCHAR, coiled_runtime_version VARCHAR, python_version VARCHAR,
                start DATETIME, duration FLOAT, dask_version VARCHAR)",
        )
        .unwrap();
        for (name, outcome, start, duration) in rows {
            conn.execute(
                "INSERT INTO test_run (name, call_outcome, platform, coiled_runtime_version,
                    python_version, start, duration, dask_version)
                 VALUES (?1, ?2, 'linux', 'upstream', '3.12.1', ?3, ?4, '2026.1.0')",
                rusqlite::params![name, outcome, start, duration],
            )
            .unwrap();
        }
        conn
    }

    fn read_all(
        conn: &Connection,
        max_rows: u64,
    ) -> (Vec<crate::evidence::BenchSeries>, Vec<String>) {
        let mut b = Builder::new(TOOL);
        let counts = read_table(conn, &TEST_RUN, "x.db", &mut b, max_rows).unwrap();
        (b.finish().0, notes_of(&TEST_RUN, &counts))
    }

    /// NULL values and rows out of start order are noted: Coiled's rule
    /// would read them differently; the rest is read in time order.
    #[test]
    fn gaps_and_rows_out_of_order_are_noted() {
        let conn = db(&[
            ("t", "passed", "2026-01-01 00:00:00", Some(1.0)),
            ("t", "passed", "2026-01-03 00:00:00", Some(3.0)),
            ("t", "passed", "2026-01-02 00:00:00", Some(2.0)),
            ("t", "passed", "2026-01-04 00:00:00", None),
            ("t", "error", "2026-01-05 00:00:00", Some(9.0)),
        ]);
        let (series, notes) = read_all(&conn, MAX_ROWS);
        assert_eq!(series.len(), 1);
        let s = &series[0];
        assert_eq!(s.env, "coiled-upstream-py3.12");
        assert_eq!(s.params, "metric=duration");
        let values: Vec<f64> = s.points.iter().map(|p| p.value).collect();
        assert_eq!(values, vec![1.0, 2.0, 3.0]);
        assert_eq!(s.points[0].labels.as_deref(), Some("dask_version=2026.1.0"));
        let notes = notes.join("\n");
        assert!(notes.contains("test_run: 5 rows read"), "{notes}");
        assert!(
            notes.contains("1 (error 1) linux rows by call_outcome"),
            "{notes}"
        );
        assert!(
            notes.contains("1 metric values of passed linux rows are NULL"),
            "{notes}"
        );
        assert!(
            notes.contains("1 passed linux rows start before an earlier row"),
            "{notes}"
        );
    }

    /// Past the row cap, the rest is left unread and the note says so.
    #[test]
    fn rows_past_the_cap_are_left_unread() {
        let conn = db(&[
            ("t", "passed", "2026-01-01 00:00:00", Some(1.0)),
            ("t", "passed", "2026-01-02 00:00:00", Some(2.0)),
            ("t", "passed", "2026-01-03 00:00:00", Some(3.0)),
        ]);
        let (series, notes) = read_all(&conn, 2);
        assert_eq!(series[0].points.len(), 2);
        assert!(
            notes
                .iter()
                .any(|n| n
                    == "test_run: only the first 2 rows were read, the most read from one table"),
            "{notes:?}"
        );
    }

    /// The connection is read-only; special and oversized files are refused
    /// before SQLite sees them (the oversized one is sparse: no disk used).
    #[test]
    fn the_file_is_opened_read_only_and_checked_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("benchmark.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE test_run (id INTEGER PRIMARY KEY)")
            .unwrap();
        let conn = open(&path).unwrap();
        assert!(conn.is_readonly(rusqlite::MAIN_DB).unwrap());
        assert!(conn.execute_batch("DELETE FROM test_run").is_err());
        let fifo = dir.path().join("pipe.db");
        crate::fsutil::mkfifo(&fifo);
        assert_eq!(
            open(&fifo).err().unwrap(),
            "cannot read it: a FIFO, not a regular file"
        );
        let big = dir.path().join("big.db");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_DB_BYTES + 1)
            .unwrap();
        assert!(open(&big).err().unwrap().contains("larger than 2 GiB"));
    }

    /// A downloaded database is named by where it came from, not its temporary path.
    #[test]
    fn a_database_is_named_by_its_location() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tmp123.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE test_run (id INTEGER PRIMARY KEY, name VARCHAR, call_outcome VARCHAR,
                platform VARCHAR, coiled_runtime_version VARCHAR, python_version VARCHAR,
                start DATETIME, duration FLOAT);
             INSERT INTO test_run VALUES (1, 't', 'passed', 'linux', 'u', '3.12', '2026-01-01 00:00:00', 1.0);
             INSERT INTO test_run VALUES (2, 't', 'passed', 'linux', 'u', '3.12', '2026-01-02 00:00:00', 2.0);",
        )
        .unwrap();
        drop(conn);
        let from = "artifact benchmark of coiled/benchmarks, run 42";
        let input = read_as(&path, from);
        assert_eq!(input.provenance.location, from);
        assert_eq!(input.series.len(), 1);
        assert_eq!(input.series[0].location, from);
        std::fs::write(&path, "not sqlite").unwrap();
        let input = read_as(&path, from);
        assert_eq!(input.provenance.items, 0);
        assert!(
            input.warnings[0].starts_with(&format!("skipped {from}: not an SQLite database")),
            "{:?}",
            input.warnings
        );
    }

    /// TPC-H series are keyed by Python version and the query's settings.
    #[test]
    fn tpch_series_carry_their_settings() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE tpch_run (id INTEGER PRIMARY KEY, name VARCHAR, call_outcome VARCHAR,
                platform VARCHAR, python_version VARCHAR, start DATETIME, duration FLOAT,
                scale INTEGER, \"query\" INTEGER, polars_version VARCHAR);
             INSERT INTO tpch_run VALUES (1, 'q1', 'passed', 'linux', '3.11.2', '2026-01-01 00:00:00', 2.0, 10, 1, '1.0');
             INSERT INTO tpch_run VALUES (2, 'q1', 'passed', 'linux', '3.11.2', '2026-01-02 00:00:00', 3.0, 10, 1, '1.1');",
        )
        .unwrap();
        let mut b = Builder::new(TPCH_TOOL);
        read_table(&conn, &TPCH_RUN, "x.db", &mut b, MAX_ROWS).unwrap();
        let series = b.finish().0;
        assert_eq!(series.len(), 1);
        assert_eq!(series[0].tool, "coiled-tpch");
        assert_eq!(series[0].env, "py3.11");
        assert_eq!(series[0].params, "metric=duration, scale=10, query=1");
        assert_eq!(
            series[0].points[1].labels.as_deref(),
            Some("polars_version=1.1")
        );
    }

    #[test]
    fn runtimes_take_the_major_and_minor_python_version() {
        assert_eq!(major_minor("3.10.4"), "3.10");
        assert_eq!(major_minor("3.11.0.final.0"), "3.11");
        assert_eq!(major_minor("3"), "3");
    }

    #[test]
    fn metric_cells_read_as_results_or_gaps() {
        assert_eq!(metric(ValueRef::Null), None);
        assert_eq!(metric(ValueRef::Integer(3)), Some(Val::Finite(3.0)));
        assert_eq!(metric(ValueRef::Real(f64::INFINITY)), Some(Val::Infinite));
        assert_eq!(metric(ValueRef::Text(b"1.5")), Some(Val::Invalid));
    }

    #[test]
    fn params_start_with_the_metric() {
        assert_eq!(metric_params("duration", ""), "metric=duration");
        assert_eq!(
            metric_params("peak_memory", "scale=10"),
            "metric=peak_memory, scale=10"
        );
    }
}
