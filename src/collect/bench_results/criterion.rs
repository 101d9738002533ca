//! criterion output: `**/new/estimates.json` under a folder such as
//! `target/criterion`, or a folder of copies of it saved per CI run
//! (`DIR/<run>/<group>/<bench>/new/estimates.json`).
//!
//! The value is the median estimate (`median.point_estimate`, nanoseconds,
//! lower is better), the name the `full_id` of `new/benchmark.json` beside it.
//! Every `estimates.json` of the same `full_id` is one point of that series,
//! so saved copies make a history. criterion records no time or commit: the
//! time of a point is the file's modification time, and points with equal
//! times keep the natural order of their paths (`run-9` before `run-10`).

use std::path::Path;

use serde_json::Value;

use super::{Builder, Input, Key, Skips, Val, classify, finish_input, parse_json};
use crate::evidence::Direction;

const TOOL: &str = "criterion";

/// Every `new/estimates.json` under `dir`, in natural path order, each once.
fn find(dir: &Path) -> crate::fsutil::Walked {
    super::walk(dir, 64, &|_, _| true, &|p| {
        p.file_name().is_some_and(|n| n == "estimates.json")
            && p.parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == "new")
    })
}

/// The median in nanoseconds and the benchmark's name, or why not.
fn read_one(estimates: &Path) -> Result<(String, Val), String> {
    let text = super::read_text(estimates)?;
    let v = parse_json(&text)?;
    let median = v
        .get("median")
        .and_then(|m| m.get("point_estimate"))
        .ok_or("not criterion estimates: no median.point_estimate")?;
    let value = classify(median);
    let bj = estimates.with_file_name("benchmark.json");
    let meta = super::read_text(&bj)
        .map_err(|e| format!("its benchmark.json: {e}"))
        .and_then(|t| parse_json(&t).map_err(|e| format!("its benchmark.json is {e}")))?;
    let name = meta
        .get("full_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            // Older criterion: group, function and value joined by `/`.
            let parts: Vec<&str> = ["group_id", "function_id", "value_str"]
                .iter()
                .filter_map(|k| meta.get(*k).and_then(Value::as_str))
                .collect();
            (!parts.is_empty()).then(|| parts.join("/"))
        })
        .ok_or("its benchmark.json has no full_id or group_id")?;
    Ok((name, value))
}

/// Reads one `--criterion DIR`.
pub(crate) fn read_dir(dir: &Path) -> Input {
    let location = dir.display().to_string();
    let mut builder = Builder::new(TOOL);
    let mut skips = Skips::default();
    let mut warnings = Vec::new();
    let walked = find(dir);
    let mut walk_notes = Vec::new();
    super::walk_problems(&walked, &mut skips, &mut walk_notes);
    let files = walked.files;
    let mut no_time = 0usize;
    for f in &files {
        let name = f.display().to_string();
        match read_one(f) {
            Ok((bench, value)) => {
                let Some(time) = super::modified(f) else {
                    no_time += 1;
                    builder.left_out.no_time += 1;
                    continue;
                };
                let key = Key {
                    benchmark: bench,
                    params: String::new(),
                    machine: String::new(),
                    env: String::new(),
                };
                builder.push(
                    &key,
                    &location,
                    "ns",
                    Direction::LowerIsBetter,
                    time,
                    None,
                    value,
                );
            }
            Err(why) => skips.add(name, why),
        }
    }
    if files.is_empty() {
        warnings.push(format!(
            "--criterion {location}: no criterion results found (no */new/estimates.json)"
        ));
    }
    let mut notes = vec![format!(
        "{} estimates.json files; point times are the files' modification times (criterion records none), commits unknown",
        files.len()
    )];
    if no_time > 0 {
        notes.push(format!("{no_time} files without a modification time"));
    }
    notes.append(&mut walk_notes);
    let input = finish_input(TOOL, &location, builder, &skips, warnings, notes);
    flag_equal_times(input)
}

/// A series whose points all share one modification time was probably
/// copied without its times: its order is the folders' order. Says so.
fn flag_equal_times(mut input: Input) -> Input {
    let same: Vec<String> = input
        .series
        .iter()
        .filter(|s| s.points.windows(2).all(|w| w[0].time == w[1].time))
        .map(|s| s.benchmark.clone())
        .collect();
    if !same.is_empty() {
        let line = format!(
            "{} criterion series have all their points at one modification time (copied files?): their order is the folders' natural order",
            same.len()
        );
        input.warnings.push(line.clone());
        input.provenance.notes.push(line);
    }
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimates(median: &str) -> String {
        format!(
            r#"{{"mean": {{"confidence_interval": {{"confidence_level": 0.95, "lower_bound": 1.0, "upper_bound": 2.0}}, "point_estimate": 1.5, "standard_error": 0.1}},
               "median": {{"confidence_interval": {{"confidence_level": 0.95, "lower_bound": 1.0, "upper_bound": 2.0}}, "point_estimate": {median}, "standard_error": 0.1}},
               "median_abs_dev": null, "slope": null, "std_dev": null}}"#
        )
    }

    fn bench(dir: &Path, rel: &str, full_id: &str, median: &str, mtime: u64) {
        let new = dir.join(rel).join("new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(
            new.join("benchmark.json"),
            format!(
                r#"{{"group_id": "g", "function_id": null, "value_str": null, "throughput": null, "full_id": "{full_id}", "directory_name": "x", "title": "{full_id}"}}"#
            ),
        )
        .unwrap();
        let e = new.join("estimates.json");
        std::fs::write(&e, estimates(median)).unwrap();
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(mtime);
        std::fs::File::options()
            .write(true)
            .open(&e)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }

    /// Snapshots of target/criterion make one series per full_id, ordered by modification time.
    #[test]
    fn snapshots_make_series() {
        let d = tempfile::tempdir().unwrap();
        bench(d.path(), "run-2/g/fib", "g/fib", "200.0", 2_000);
        bench(d.path(), "run-1/g/fib", "g/fib", "100.0", 1_000);
        bench(d.path(), "run-3/g/fib", "g/fib", "300.0", 3_000);
        bench(d.path(), "run-1/g/sum/10", "g/sum/10", "5.0", 1_000);
        bench(d.path(), "run-2/g/sum/10", "g/sum/10", "NaN", 2_000);
        // criterion's own base/ copy is not a point.
        std::fs::create_dir_all(d.path().join("run-3/g/fib/base")).unwrap();
        std::fs::write(
            d.path().join("run-3/g/fib/base/estimates.json"),
            estimates("1.0"),
        )
        .unwrap();
        let input = read_dir(d.path());
        assert_eq!(input.series.len(), 1, "{:?}", input.series);
        let s = &input.series[0];
        assert_eq!(s.benchmark, "g/fib");
        assert_eq!(s.unit, "ns");
        assert_eq!(s.direction, Direction::LowerIsBetter);
        assert_eq!(
            s.points.iter().map(|p| p.value).collect::<Vec<_>>(),
            vec![100.0, 200.0, 300.0]
        );
        assert_eq!(s.points[0].time.timestamp(), 1_000);
        assert!(s.points[0].commit.is_none());
        let notes = input.provenance.notes.join("\n");
        assert!(notes.contains("modification times"), "{notes}");
        assert!(notes.contains("1 skipped runs (NaN)"), "{notes}");
    }

    /// Equal times fall back to the natural order of the folders, and a warning says so.
    #[test]
    fn equal_times_keep_natural_folder_order() {
        let d = tempfile::tempdir().unwrap();
        bench(d.path(), "run-10/fib", "fib", "10.0", 5_000);
        bench(d.path(), "run-9/fib", "fib", "9.0", 5_000);
        let input = read_dir(d.path());
        assert_eq!(
            input.series[0]
                .points
                .iter()
                .map(|p| p.value)
                .collect::<Vec<_>>(),
            vec![9.0, 10.0]
        );
        assert!(
            input
                .warnings
                .iter()
                .any(|w| w.contains("one modification time"))
        );
    }

    /// A corrupt estimates file or a missing benchmark.json skips that file only.
    #[test]
    fn bad_files_are_skipped() {
        let d = tempfile::tempdir().unwrap();
        bench(d.path(), "a/fib", "fib", "1.0", 1_000);
        bench(d.path(), "b/fib", "fib", "2.0", 2_000);
        bench(d.path(), "c/fib", "fib", "3.0", 3_000);
        std::fs::write(d.path().join("c/fib/new/estimates.json"), "{\"median\": ").unwrap();
        bench(d.path(), "d/fib", "fib", "4.0", 4_000);
        std::fs::remove_file(d.path().join("d/fib/new/benchmark.json")).unwrap();
        let input = read_dir(d.path());
        assert_eq!(input.series[0].points.len(), 2);
        assert!(!input.provenance.complete);
        let w = input.warnings.join("\n");
        assert!(
            w.contains("c/fib/new/estimates.json") && w.contains("not valid JSON"),
            "{w}"
        );
        assert!(
            w.contains("d/fib/new/estimates.json") && w.contains("benchmark.json"),
            "{w}"
        );
    }
}
