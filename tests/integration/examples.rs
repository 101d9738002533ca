//! The example evidence in `examples/evidence/` (real projects, collected by
//! `examples/regenerate.sh`): each file loads with the current evidence
//! schema and renders exactly the report committed beside it, so a change in
//! scoring shows up as a reviewed diff of the examples; and the README opens
//! with what its main command prints.

use std::path::Path;

use crate::common::run_in;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PROJECTS: [&str; 6] = ["dask", "distributed", "pandas", "numpy", "xarray", "polars"];

/// Runs `readiness ARGS` from the repository root, as the README's commands are run.
fn run_at_root(args: &[&str]) -> String {
    let cache = tempfile::tempdir().unwrap();
    run_in(Path::new(ROOT), cache.path(), args, &[]).ok()
}

#[test]
fn example_evidence_is_every_project_and_has_the_current_schema() {
    let dir = Path::new(ROOT).join("examples/evidence");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    found.sort();
    let mut expected: Vec<String> = PROJECTS.iter().map(|p| (*p).to_string()).collect();
    expected.sort();
    assert_eq!(found, expected, "examples/evidence/ holds the six projects");
    for p in PROJECTS {
        let text = std::fs::read_to_string(dir.join(format!("{p}.json"))).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            json["schema"].as_u64(),
            Some(u64::from(readiness::evidence::SCHEMA)),
            "examples/evidence/{p}.json has another evidence schema: run examples/regenerate.sh"
        );
        assert_eq!(json["target"]["name"], *p, "{p}.json names its project");
        // Locations are the same on every machine: no absolute path of the
        // machine that collected them.
        for key in ["\"location\": \"/", "/work/", "/home/", "/tmp/"] {
            assert!(!text.contains(key), "{p}.json holds a machine path ({key})");
        }
    }
}

#[test]
fn example_evidence_renders_the_committed_reports() {
    for p in PROJECTS {
        let report = run_at_root(&["report", &format!("examples/evidence/{p}.json")]);
        let committed =
            std::fs::read_to_string(Path::new(ROOT).join(format!("examples/evidence/{p}.md")))
                .unwrap();
        assert!(
            report == committed,
            "examples/evidence/{p}.md is not what `readiness report examples/evidence/{p}.json` \
             prints: run `examples/regenerate.sh --reports` and review the diff"
        );
    }
}

/// The README's first block is the first lines of its main command's output.
#[test]
fn the_readme_opens_with_what_its_main_command_prints() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let start = readme
        .find("```text\n$ cargo run --release -- ")
        .expect("the README shows its main command's output");
    let block = &readme[start + "```text\n".len()..];
    let block = &block[..block.find("```").unwrap()];
    let (command, excerpt) = block.split_once('\n').unwrap();
    let args: Vec<&str> = command
        .strip_prefix("$ cargo run --release -- ")
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(args.first(), Some(&"compare"), "the main command compares");
    assert!(
        readme.contains(&format!("\n{}\n", &command[2..])),
        "the README's main command is the one its excerpt shows"
    );
    let output = run_at_root(&args);
    assert!(
        output.starts_with(excerpt),
        "the README's excerpt is not the start of `readiness {}`:\n{output}",
        args.join(" ")
    );
    assert!(
        excerpt.lines().count() >= 5,
        "the excerpt shows the verdict"
    );
}
