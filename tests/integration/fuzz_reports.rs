//! Fuzz targets for the test reports read from GitHub: the check-run
//! digest parser (summaries around publish-unit-test-result-action's
//! `[test-results]:data:application/gzip;base64,…` line) and the artifact
//! zip reader with the JUnit reader behind it, on seeds, their byte
//! mutations and arbitrary bytes, in-process.

use readiness::collect::github::download::{Limits, read_zip};
use readiness::collect::github::test_reports::{digest, digest_json, digest_line};
use readiness::collect::junit::{JunitReader, Outside};
use readiness::evidence::TestEvidence;
use readiness::signals::test_results;

use crate::fuzzkit;
use crate::github::window;
use crate::github_reports::zip_of;

/// Cases per run in a debug build (`READINESS_FUZZ_CASES=N` for a longer run).
const DEFAULT: usize = 5_000;

/// Digests never panic; a digest read holds the counts it was written with
/// or none; measured from, they give finite values only.
#[test]
fn check_run_digest_fuzz() {
    let seeds: Vec<Vec<u8>> = [
        format!("## Test Results\n\n{}\n", digest_line(&digest_json(90, 5, 3, 2))),
        digest_line(&digest_json(0, 0, 0, 0)),
        format!("x\r\n{}\r\nmore", digest_line(&serde_json::json!({"runs": 3, "runs_succ": 3, "runs_skip": 0, "runs_fail": 0, "runs_error": 0}))),
        "[test-results]:data:application/gzip;base64,H4sIAAAAAAAC/w==".into(),
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let tokens: &[&[u8]] = &[
        b"[test-results]:data:application/gzip;base64,",
        b"\n",
        b"=",
        b"H4sI",
        b" ",
    ];
    let tried = fuzzkit::run("digest", &seeds, tokens, fuzzkit::cases(DEFAULT), |bytes| {
        let text = String::from_utf8_lossy(bytes);
        match digest(&text) {
            Ok(Some(d)) => {
                let ev = TestEvidence {
                    digests: vec![d],
                    ..TestEvidence::default()
                };
                for m in test_results::measure(Some(&ev), &window()) {
                    assert!(
                        m.value.is_none_or(f64::is_finite),
                        "{}: {:?}",
                        m.signal,
                        m.value
                    );
                }
            }
            Ok(None) => assert!(!text.contains("[test-results]:data:application/gzip;base64,")),
            Err(why) => assert!(why.starts_with("the digest "), "{why}"),
        }
    });
    assert!(tried >= 4);
}

/// Zips never panic and are refused or read whole; every JUnit file in them
/// is a run or a skip; merged into other evidence, outcomes stay aligned
/// with the test names.
#[test]
fn artifact_zip_fuzz() {
    let xml = br#"<testsuites name="pytest tests"><testsuite name="pytest" timestamp="2026-07-01T10:00:00"><testcase classname="t.a" name="ok"/><testcase classname="t.a" name="bad"><failure/></testcase></testsuite></testsuites>"#;
    let seeds = vec![
        zip_of(&[("pytest.xml", xml)]),
        zip_of(&[
            ("a/b.xml", xml),
            ("c.txt", b"log"),
            ("d.XML", b"<testsuite/>"),
        ]),
        zip_of(&[]),
    ];
    let tokens: &[&[u8]] = &[
        b"PK\x03\x04",
        b"PK\x01\x02",
        b"PK\x05\x06",
        b"\xff\xff\xff\xff",
        b"\x00\x00",
    ];
    let limits = Limits {
        unpacked: 1 << 20,
        entries: 50,
        ..Limits::default()
    };
    let outside = Outside {
        env: Some("ubuntu-latest-py312".into()),
        commit: Some("aaa1111".into()),
        ..Outside::default()
    };
    let tried = fuzzkit::run(
        "artifact-zip",
        &seeds,
        tokens,
        fuzzkit::cases(DEFAULT),
        |bytes| {
            let mut reader = JunitReader::new();
            let mut files = 0;
            let read = read_zip(bytes, &limits, |name, input| {
                files += 1;
                reader.read_with(input, name, &outside);
            });
            let got = reader.finish();
            match read {
                Ok(unzipped) => {
                    assert_eq!(unzipped.xml, files);
                    assert_eq!(got.evidence.runs.len() + got.skipped.len(), files);
                }
                Err(why) => assert!(!why.is_empty()),
            }
            let mut merged = TestEvidence {
                tests: vec!["t.a::bad".into(), "other".into()],
                ..TestEvidence::default()
            };
            let fragment = got.evidence.clone();
            merged.absorb(fragment);
            assert_eq!(merged.runs.len(), got.evidence.runs.len());
            for (run, before) in merged.runs.iter().zip(&got.evidence.runs) {
                assert!(run.outcomes.len() <= merged.tests.len());
                assert_eq!(run.env.as_deref(), Some("ubuntu-latest-py312"));
                // Each test keeps its letter under its name.
                for (i, c) in before
                    .outcomes
                    .chars()
                    .enumerate()
                    .filter(|(_, c)| *c != '.')
                {
                    let name = &got.evidence.tests[i];
                    let j = merged.tests.iter().position(|t| t == name).unwrap();
                    assert_eq!(run.outcomes.chars().nth(j), Some(c));
                }
            }
        },
    );
    assert!(tried >= 3);
}
