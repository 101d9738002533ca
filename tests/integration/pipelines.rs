//! What CI pipelines use: the badge, the step summary, shell completions and
//! the man page.

use serde_json::Value;

use crate::common::{Workspace, monthly_project};

/// A rubric of release cadence alone, so a clone gets a grade.
const RELEASES_ONLY: &str = r#"
[[category]]
id = "releases"
weight = 1

[[category.criterion]]
signal = "release.count_365d"
good = 12
bad = 1
min_samples = 0
why = "A monthly cadence."
"#;

#[test]
fn badge_is_a_shields_endpoint() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    ws.write("releases.toml", RELEASES_ONLY);
    let v: Value = serde_json::from_str(
        &ws.run(&[
            "report",
            "monthly",
            "--rubric",
            "releases.toml",
            "--format",
            "badge",
        ])
        .ok(),
    )
    .unwrap();
    assert_eq!(v["schemaVersion"], 1);
    assert_eq!(v["label"], "readiness");
    assert_eq!(v["message"], "100/100 production ready");
    assert_eq!(v["color"], "brightgreen");
    // Too little evidence for a grade: grey, and it says so.
    let v: Value =
        serde_json::from_str(&ws.run(&["report", "monthly", "--format", "badge"]).ok()).unwrap();
    assert_eq!(v["message"], "insufficient evidence");
    assert_eq!(v["color"], "lightgrey");
    // One project's badge: not for a comparison or evidence.
    let err = ws
        .run(&["compare", "monthly", "monthly", "--format", "badge"])
        .fails(2);
    assert!(err.contains("--format badge"), "{err}");
    let err = ws
        .run(&["collect", "monthly", "--format", "badge"])
        .fails(2);
    assert!(err.contains("collect writes JSON evidence"), "{err}");
}

#[test]
fn step_summary_appends_the_markdown_report() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    let summary = ws.write("summary.md", "# Earlier step\n");
    let summary = summary.to_str().unwrap();
    let json = ws
        .run_env(
            &["report", "monthly", "--format", "json", "--step-summary"],
            &[("GITHUB_STEP_SUMMARY", summary)],
        )
        .ok();
    assert!(json.starts_with('{'), "stdout keeps the asked format");
    let md = ws.run(&["report", "monthly"]).ok();
    assert_eq!(ws.read("summary.md"), format!("# Earlier step\n{md}\n"));
    // A comparison too.
    ws.run_env(
        &[
            "compare",
            "monthly",
            "monthly",
            "--step-summary",
            "-o",
            "c.md",
        ],
        &[("GITHUB_STEP_SUMMARY", summary)],
    )
    .ok();
    assert!(
        ws.read("summary.md")
            .ends_with(&format!("{}\n", ws.read("c.md")))
    );
    // Off GitHub Actions: a notice, the report still written.
    let run = ws.run(&["report", "monthly", "--step-summary"]);
    assert!(
        run.stderr.contains("GITHUB_STEP_SUMMARY is not set"),
        "{}",
        run.stderr
    );
    assert_eq!(run.ok(), md);
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let ws = Workspace::new();
    for (shell, marker) in [
        ("bash", "_readiness()"),
        ("zsh", "#compdef readiness"),
        ("fish", "complete -c readiness"),
    ] {
        let script = ws.run(&["completions", shell]).ok();
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["report", "compare", "fail-under", "asv", "step-summary"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let err = ws.run(&["completions", "tcsh"]).fails(2);
    assert!(err.contains("tcsh"), "{err}");
    let man = ws.run(&["man"]).ok();
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &man[..80.min(man.len())]
    );
    assert!(man.contains(".TH readiness 1"), "roff title");
    assert!(man.contains("compare"), "subcommands are listed");
}

/// The `readiness` commands of the README's workflow that starts with `# FILE`.
fn workflow_commands(readme: &str, file: &str) -> Vec<String> {
    use clap::Parser;
    let start = readme
        .find(&format!("# {file}"))
        .unwrap_or_else(|| panic!("the README shows {file}"));
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    assert!(
        block.contains("schedule:") && block.contains("cron:"),
        "{file} runs weekly"
    );
    let commands: Vec<String> = block
        .lines()
        .map(|l| l.trim().trim_start_matches("run: ").trim())
        .filter(|l| l.starts_with("readiness "))
        .map(|l| l.replace("${{ github.repository }}", "acme/widget"))
        .collect();
    for c in &commands {
        let args: Vec<&str> = c.split_whitespace().collect();
        if let Err(e) = readiness::cli::Cli::try_parse_from(&args) {
            panic!("README workflow command does not parse: {c}\n{e}");
        }
    }
    commands
}

/// The README's GitHub Actions workflows: every `readiness` command in them parses.
#[test]
fn readme_workflow_commands_parse() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let commands = workflow_commands(&readme, ".github/workflows/readiness.yml");
    assert!(commands.len() >= 5, "{commands:?}");
    assert!(commands.iter().any(|c| c.contains("--step-summary")));
    assert!(commands.iter().any(|c| c.contains("--format badge")));
    assert!(commands.iter().any(|c| c.contains("--fail-under")));
    let history = workflow_commands(&readme, ".github/workflows/readiness-history.yml");
    assert!(
        history
            .iter()
            .any(|c| c.contains("--record .readiness/history.jsonl --fail-on-drop")),
        "{history:?}"
    );
    assert!(
        history
            .iter()
            .any(|c| c.contains("history --from .readiness/history.jsonl")
                && c.contains("--step-summary")),
        "{history:?}"
    );
}
