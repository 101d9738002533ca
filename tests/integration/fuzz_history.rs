//! Fuzzing the history-file reader (`readiness history --from FILE`):
//! seeds are record lines the tool writes (`report --record`), mutated byte
//! by byte and structurally, plus arbitrary bytes. Properties: no panic;
//! every line skipped is named as `FILE:LINE: reason`; whatever is read
//! renders as markdown, JSON and CSV without a NaN or an infinity; an error
//! names the file.

use clap::Parser;
use readiness::history::record;
use regex::Regex;

use crate::common::{Workspace, monthly_project};
use crate::fuzzkit;

/// Cases per run by default: a few seconds in a debug build.
const DEFAULT_CASES: usize = 600;

/// Keys and values of the record format, spliced in by byte mutations.
const TOKENS: &[&[u8]] = &[
    b"\n",
    b"\r\n",
    b"\"record_schema\":1",
    b"\"record_schema\":2",
    b"\"score\":1e308",
    b"\"score\":-1",
    b"\"score\":null",
    b"\"coverage\":2",
    b"\"hash\":\"fnv1a64:0\"",
    b"\"until\":\"1970-01-01T00:00:00Z\"",
    b"\"until\":\"9999-12-31T23:59:59Z\"",
    b"\"unit\":\"parsecs\"",
    b"\"name\":\"other\"",
];

/// Runs `readiness history --from FILE --format FORMAT` in-process.
fn history(file: &std::path::Path, format: &str, out: &std::path::Path) -> Result<String, String> {
    let args = [
        "readiness",
        "history",
        "--from",
        file.to_str().unwrap(),
        "--format",
        format,
        "--quiet",
        "-o",
        out.to_str().unwrap(),
    ];
    let cli = readiness::cli::Cli::try_parse_from(args).unwrap();
    match readiness::app::run(cli) {
        Ok(_) => Ok(std::fs::read_to_string(out).unwrap()),
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn history_reader_survives_mutations() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    for until in ["2026-03-31", "2026-08-20"] {
        ws.run(&[
            "report",
            "monthly",
            "--no-github",
            "--until",
            until,
            "--record",
            "h.jsonl",
            "-o",
            "r.md",
        ])
        .ok();
    }
    let two = ws.read("h.jsonl");
    let one = two.lines().next().unwrap().to_string();
    let seeds = vec![
        two.clone().into_bytes(),
        one.into_bytes(),
        format!("{two}\n[]\n{{}}\n").into_bytes(),
    ];
    let file = ws.path("fuzz.jsonl");
    let out = ws.path("out.txt");
    let named = Regex::new(&format!(
        "^{}:[1-9][0-9]*: .+",
        regex::escape(&file.display().to_string())
    ))
    .unwrap();
    let not_finite = Regex::new(r"\b(NaN|-?inf|infinity)\b").unwrap();
    let (mut read, mut skipped) = (0, 0);
    let tried = fuzzkit::run(
        "history",
        &seeds,
        TOKENS,
        fuzzkit::cases(DEFAULT_CASES),
        |bytes| {
            std::fs::write(&file, bytes).unwrap();
            let lines = match record::read(&file) {
                Ok(lines) => lines,
                Err(e) => panic!("a regular file is always read: {e}"),
            };
            for s in &lines.skipped {
                assert!(named.is_match(s), "a skipped line is not named: {s}");
            }
            skipped += lines.skipped.len();
            if lines.records.is_empty() {
                return;
            }
            read += lines.records.len();
            let input = String::from_utf8_lossy(bytes);
            for format in ["markdown", "json", "csv"] {
                match history(&file, format, &out) {
                    Ok(text) => {
                        if let Some(m) = not_finite
                            .find_iter(&text)
                            .find(|m| !input.contains(m.as_str()))
                        {
                            panic!("{:?} reached the {format} history", m.as_str());
                        }
                    }
                    Err(e) => assert!(
                        e.contains(&file.display().to_string()),
                        "the error does not name the file: {e}"
                    ),
                }
            }
        },
    );
    assert!(tried >= seeds.len());
    assert!(read >= 4, "only {read} records read");
    assert!(
        skipped > tried / 4,
        "only {skipped} lines skipped in {tried} inputs"
    );
}
