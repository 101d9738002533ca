//! Fuzzing the evidence loader (`Evidence::load`, what `readiness report
//! FILE` reads): seeds are evidence the tool writes, mutated byte by byte
//! and structurally, plus arbitrary bytes. Properties: no panic; every
//! error names the file, and the field when the file is JSON of the right
//! schema; evidence that loads is measured, scored and rendered in-process
//! without a NaN or an infinity reaching the report.

use std::path::Path;

use clap::Parser;
use readiness::evidence::Evidence;
use regex::Regex;

use crate::common::Workspace;
use crate::evidence_files::rich_evidence;
use crate::fuzzkit;

/// Cases per run by default: a few seconds in a debug build.
const DEFAULT_CASES: usize = 1000;

/// Keys and values of the evidence format, spliced in by byte mutations.
const TOKENS: &[&[u8]] = &[
    b"\"schema\": 1",
    b"\"window\"",
    b"\"since\"",
    b"\"until\"",
    b"\"outcomes\": \"pfesx.\"",
    b"\"tag_pattern\": \"(\"",
    b"\"tag_pattern\": \"^v(?P<version>.+)$\"",
    b"\"value\": 1e308",
    b"\"value\": -1e308",
    b"\"value\": 5e-324",
    b"\"value\": 0",
    b"\"2026-08-20T00:00:00Z\"",
    b"\"9999-12-31T23:59:59Z\"",
    b"\"-262143-01-01T00:00:00Z\"",
    b"\"lower_is_better\"",
    b"\"higher_is_better\"",
    b"\"pull_request\"",
    b"\"run_attempt\": 0",
];

/// What an error must start with, after `evidence file NAME: `: the JSON
/// parser's complaint, or a field path (or a list of problems with them).
fn error_shape() -> Regex {
    Regex::new(
        r"^(not valid JSON: |schema: |missing field `|duplicate field `|\d+ problems:\n  [\w.\[\]?]+: |[\w.\[\]?]+: )",
    )
    .unwrap()
}

/// Runs `readiness report FILE --format FORMAT -o OUT` in-process and
/// returns OUT (the report), failing on any error: the file loaded, so
/// measuring, scoring and rendering it must work.
fn report(file: &Path, format: &str, out: &Path) -> String {
    let args = [
        "readiness",
        "report",
        file.to_str().unwrap(),
        "--format",
        format,
        "--quiet",
        "-o",
        out.to_str().unwrap(),
    ];
    let cli = readiness::cli::Cli::try_parse_from(args).unwrap();
    if let Err(e) = readiness::app::run(cli) {
        panic!("evidence that loads fails to report as {format}: {e}");
    }
    std::fs::read_to_string(out).unwrap()
}

/// The evidence loader never panics, names the file (and the field) in
/// every error, and whatever it accepts reports without NaN or infinity.
#[test]
fn evidence_loader_survives_mutations() {
    let ws = Workspace::new();
    let rich = rich_evidence(&ws);
    let plain = ws.run(&["collect", "monthly", "--no-github"]).ok();
    let seeds = vec![
        plain.into_bytes(),
        serde_json::to_vec_pretty(&rich).unwrap(),
        serde_json::to_vec(&rich).unwrap(),
    ];
    let file = ws.path("fuzz.evidence.json");
    let (md, json) = (ws.path("out.md"), ws.path("out.json"));
    let shape = error_shape();
    let not_finite = Regex::new(r"\b(NaN|-?inf|infinity)\b").unwrap();
    let (mut loaded, mut refused) = (0, 0);
    let tried = fuzzkit::run(
        "evidence",
        &seeds,
        TOKENS,
        fuzzkit::cases(DEFAULT_CASES),
        |bytes| {
            std::fs::write(&file, bytes).unwrap();
            if let Err(e) = Evidence::load(&file) {
                refused += 1;
                let text = e.to_string();
                let prefix = format!("evidence file {}: ", file.display());
                let Some(rest) = text.strip_prefix(&prefix) else {
                    panic!("the error does not name the file: {text}");
                };
                assert!(shape.is_match(rest), "no field named: {text}");
            } else {
                loaded += 1;
                let text = report(&file, "markdown", &md) + &report(&file, "json", &json);
                // Untrusted text may spell "NaN" itself; a number may not.
                let input = String::from_utf8_lossy(bytes);
                if let Some(m) = not_finite
                    .find_iter(&text)
                    .find(|m| !input.contains(m.as_str()))
                {
                    panic!("{:?} reached the report", m.as_str());
                }
            }
        },
    );
    assert!(tried >= seeds.len());
    assert!(loaded >= seeds.len(), "only {loaded} inputs loaded");
    assert!(refused > tried / 4, "only {refused} of {tried} refused");
}
