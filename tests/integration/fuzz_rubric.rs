//! Fuzz target for the rubric loader (`Rubric::load`, what `--rubric` and
//! `readiness rubric check` call): the built-in rubrics as seeds, structured
//! mutations of their TOML (a value replaced by an odd one, a line dropped or
//! repeated, a table repeated), then the kit's byte mutations and arbitrary
//! bytes. Every input must give a rubric or an error that names the file,
//! never a panic; every rubric must score any measurements to a finite score
//! or to none, never NaN or infinity. `READINESS_FUZZ_CASES=N` runs longer.

use chrono::{TimeZone, Utc};
use readiness::rubric::{Rubric, score};
use readiness::signals::{Measurement, SignalId};
use readiness::window::Window;

use crate::common::Workspace;
use crate::fuzzkit::{self, Rng};

const DEFAULT_CASES: usize = 800;
/// Structured mutants added to the seeds.
const MUTANTS: usize = 200;

/// Values that stress validation and scoring.
const ODD_VALUES: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "0",
    "-1",
    "5e-324",
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "true",
    "18446744073709551616",
    "\"release.count_365d\"",
    "\"maintainers\"",
    "\"\u{202e}\u{0}\"",
    "0.5",
];

/// Numbers at the edges of what `f64` sums and products hold.
const NUMBERS: &[&str] = &[
    "1e308", "1.7e308", "1e300", "1e-308", "0", "nan", "inf", "-0.0", "1e20", "3",
];

/// One structured mutation of a rubric's TOML text.
fn mutate_toml(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..=rng.below(3) {
        if lines.is_empty() {
            break;
        }
        let i = rng.below(lines.len());
        match rng.below(7) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let dup = lines[i].clone();
                lines.insert(i, dup);
            }
            2 => {
                // Repeat the table that line `i` is in, header and all.
                let start = (0..=i).rev().find(|&j| lines[j].starts_with('['));
                if let Some(start) = start {
                    let end = (start + 1..lines.len())
                        .find(|&j| lines[j].starts_with('['))
                        .unwrap_or(lines.len());
                    let block: Vec<String> = lines[start..end].to_vec();
                    lines.extend(block);
                }
            }
            3 | 4 => {
                // A number the scoring works with: a weight, a threshold, a share.
                let numeric: Vec<usize> = (0..lines.len())
                    .filter(|&j| {
                        [
                            "weight",
                            "good",
                            "bad",
                            "min",
                            "min_coverage",
                            "min_samples",
                        ]
                        .iter()
                        .any(|k| lines[j].starts_with(&format!("{k} =")))
                    })
                    .collect();
                if !numeric.is_empty() {
                    let j = *rng.pick(&numeric);
                    let key = lines[j].split('=').next().unwrap_or("weight").to_string();
                    lines[j] = format!("{key}= {}", rng.pick(NUMBERS));
                }
            }
            _ => {
                if let Some((key, _)) = lines[i].split_once('=') {
                    lines[i] = format!("{key}= {}", rng.pick(ODD_VALUES));
                }
            }
        }
    }
    lines.join("\n")
}

/// A measurement of every signal with a value from `values`, and plenty of samples.
fn measurements(values: &[f64], rng: &mut Rng) -> Vec<Measurement> {
    let window = Window {
        since: Utc.timestamp_opt(0, 0).unwrap(),
        until: Utc.timestamp_opt(86_400, 0).unwrap(),
    };
    SignalId::all()
        .iter()
        .map(|id| {
            let mut m = Measurement::insufficient(*id, window, "fuzz", "fuzz".into());
            if !rng.chance(4) {
                m.value = Some(*rng.pick(values));
                m.n = 1_000;
                m.insufficient = None;
            }
            m
        })
        .collect()
}

/// No input panics the rubric loader; errors name the file; scores are
/// finite or absent (issue 12: NaN through the gate).
#[test]
fn fuzz_rubric_loader() {
    let seeds_text = [
        include_str!("../../rubrics/default.toml"),
        include_str!("../../rubrics/pydata.toml"),
    ];
    let mut rng = Rng::new(0x00C0_FFEE);
    let mut seeds: Vec<Vec<u8>> = seeds_text.iter().map(|s| s.as_bytes().to_vec()).collect();
    for _ in 0..MUTANTS {
        let seed = rng.pick(&seeds_text);
        seeds.push(mutate_toml(seed, &mut rng).into_bytes());
    }
    let ws = Workspace::new();
    let file = ws.path("fuzz-rubric.toml");
    let spec = file.to_string_lossy().into_owned();
    let values = [0.0, 0.5, 1.0, 12.0, 100.0, 1e308, -1e308, f64::MIN_POSITIVE];
    let (mut valid, mut invalid) = (0, 0);
    let tried = fuzzkit::run(
        "rubric",
        &seeds,
        &[
            b"nan",
            b"inf",
            b"1e308",
            b"[[category]]",
            b"weight = ",
            b"\"\"\"",
            b"'''",
        ],
        fuzzkit::cases(DEFAULT_CASES),
        |bytes| {
            std::fs::write(&file, bytes).unwrap();
            match Rubric::load(Some(&spec)) {
                Ok(rubric) => {
                    valid += 1;
                    let card = score::score(&rubric, &measurements(&values, &mut rng));
                    assert!(
                        card.score.is_none_or(f64::is_finite),
                        "score {:?}",
                        card.score
                    );
                    assert!(card.coverage.is_finite(), "coverage {}", card.coverage);
                    for c in &card.categories {
                        assert!(
                            c.score.is_none_or(f64::is_finite),
                            "{}: {:?}",
                            c.id,
                            c.score
                        );
                    }
                    if card.score.is_none() {
                        assert_eq!(card.grade, rubric.grades.insufficient);
                    }
                }
                Err(e) => {
                    invalid += 1;
                    let shown = e.to_string();
                    assert!(
                        shown.contains(&spec),
                        "the error does not name the file: {shown}"
                    );
                }
            }
        },
    );
    assert!(tried >= DEFAULT_CASES.min(fuzzkit::cases(DEFAULT_CASES)));
    assert!(
        valid > 2 && invalid > 100,
        "valid {valid}, invalid {invalid}"
    );
}
