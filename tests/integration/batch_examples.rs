//! The batch examples under `examples/batch/` run commands this `readiness`
//! accepts: each `readiness` command line of the GitHub Actions workflow and
//! of the Kubernetes Indexed Job is taken out of the YAML (textually: the
//! project has no YAML parser, and the lines are simple), its placeholders
//! filled for every shard, and parsed with the real command line (`Cli`).
//! The shards named must be exactly 0..N of the N the manifest runs.

use clap::Parser;
use readiness::batch::shard::Shard;
use readiness::cli::{Cli, Command};

fn example(name: &str) -> String {
    let path = format!("{}/examples/batch/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The value of the first `key: value` line (after indentation).
fn value_of<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
        .unwrap_or_else(|| panic!("no {key}: line"))
        .trim()
}

/// The `readiness ...` command lines of `run:` blocks (after trimming; a
/// line ending in `\` goes on on the next).
fn readiness_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(l) = lines.next() {
        if !l.starts_with("readiness ") {
            continue;
        }
        let mut cmd = l.to_string();
        while cmd.ends_with('\\') {
            cmd.pop();
            cmd.push(' ');
            cmd.push_str(lines.next().unwrap_or_default());
        }
        out.push(cmd);
    }
    out
}

/// Parses a command line with the real `Cli`; the shard it names, if any.
fn parse(line: &str) -> Option<Shard> {
    let words: Vec<&str> = line.split_whitespace().collect();
    assert!(
        !line.contains(['"', '\'', '$', '{']),
        "a placeholder or quote left in {line:?}"
    );
    let cli = Cli::try_parse_from(&words).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    match cli.command {
        Command::Batch { shard, .. } => {
            assert!(cli.global.output.is_some(), "{line:?}: batch needs -o");
            shard
        }
        Command::Compare { targets, .. } => {
            assert!(targets.iter().all(|t| t.ends_with(".ndjson")), "{line:?}");
            None
        }
        other => panic!("{line:?}: {other:?} is not a batch command"),
    }
}

#[test]
fn the_github_actions_matrix_runs_every_shard_once_and_merges_them() {
    let text = example("github-actions.yml");
    let shards: u64 = value_of(&text, "SHARDS").parse().unwrap();
    let matrix: Vec<u64> = value_of(&text, "shard")
        .trim_matches(['[', ']'])
        .split(',')
        .map(|v| v.trim().parse().unwrap())
        .collect();
    assert_eq!(matrix, (0..shards).collect::<Vec<_>>());
    let lines = readiness_lines(&text);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let mut seen = Vec::new();
    for m in &matrix {
        let line = lines[0]
            .replace("${{ matrix.shard }}", &m.to_string())
            .replace("${{ env.SHARDS }}", &shards.to_string());
        seen.push(parse(&line).expect("the job names its shard"));
    }
    assert_eq!(
        seen,
        (0..shards)
            .map(|index| Shard {
                index,
                count: shards
            })
            .collect::<Vec<_>>()
    );
    assert_eq!(parse(&lines[1]), None);
    // Each job its own token; the merge is a concatenation.
    assert!(text.contains("secrets[format('READINESS_TOKEN_{0}', matrix.shard)]"));
    assert!(text.contains("cat results-*.ndjson > results.ndjson"));
}

#[test]
fn the_kubernetes_indexed_job_runs_every_index_as_its_shard() {
    let text = example("k8s-indexed-job.yaml");
    assert_eq!(value_of(&text, "completionMode"), "Indexed");
    let completions: u64 = value_of(&text, "completions").parse().unwrap();
    assert_eq!(value_of(&text, "parallelism"), completions.to_string());
    // `args` is a flow sequence, which is JSON: the shell line picks the
    // token file, then `exec`s readiness.
    let args: Vec<String> = serde_json::from_str(value_of(&text, "args")).unwrap();
    assert_eq!(value_of(&text, "command"), r#"["sh", "-c"]"#);
    let script = &args[0];
    let (prelude, cmd) = script
        .split_once("exec ")
        .expect("the script execs readiness");
    assert!(prelude.contains("/tokens/token-$JOB_COMPLETION_INDEX"));
    for i in 0..completions {
        let line = cmd.replace("$JOB_COMPLETION_INDEX", &i.to_string());
        assert_eq!(
            parse(&line),
            Some(Shard {
                index: i,
                count: completions
            }),
            "{line}"
        );
        assert!(line.contains(&format!("-o /results/results-{i}.ndjson")));
    }
}
