//! `readiness rubric check` and `--rubric` on broken rubric files: each
//! problem is named with file, line, column and key, and exits 2.

use crate::common::{Workspace, slow_project};

const GOOD: &str = r#"[[category]]
id = "releases"
weight = 1

[[category.criterion]]
signal = "release.count_365d"
good = 12
bad = 1
why = "monthly"
"#;

fn check(text: &str) -> String {
    let ws = Workspace::new();
    ws.write("r.toml", text);
    ws.run(&["rubric", "check", "r.toml"]).fails(2)
}

/// The full message for a misspelt signal: location, source line, caret, suggestion (snapshot).
#[test]
fn unknown_signal_message_snapshot() {
    insta::assert_snapshot!(
        "rubric_unknown_signal",
        check(&GOOD.replace("release.count_365d", "release.cout_365d"))
    );
}

/// Malformed TOML is located.
#[test]
fn malformed_toml() {
    let err = check("[[category]\nid = \"x\"\n");
    assert!(
        err.starts_with("error: rubric r.toml is not valid (1 problem):\nr.toml:1:"),
        "{err}"
    );
}

/// An unknown key is named, with the nearest valid key.
#[test]
fn unknown_key() {
    let err = check(&GOOD.replace("why =", "wieght = 2\nwhy ="));
    assert!(
        err.contains("r.toml:9:1: key `wieght`: unknown field `wieght`"),
        "{err}"
    );
    assert!(err.contains("did you mean `weight`?"), "{err}");
}

/// A negative weight is refused where it is written.
#[test]
fn negative_weight() {
    let err = check(&GOOD.replace("weight = 1", "weight = -1"));
    assert!(
        err.contains("r.toml:3:10: key `weight`: a category weight must not be negative (got -1)"),
        "{err}"
    );
}

/// good == bad leaves no scale.
#[test]
fn good_equals_bad() {
    let err = check(&GOOD.replace("bad = 1", "bad = 12"));
    assert!(
        err.contains("r.toml:8:7: key `bad`: good and bad are both 12"),
        "{err}"
    );
}

/// NaN and infinities are not thresholds.
#[test]
fn nan_and_infinity() {
    let err = check(
        &GOOD
            .replace("good = 12", "good = nan")
            .replace("bad = 1", "bad = inf"),
    );
    assert!(err.contains("(2 problems)"), "{err}");
    assert!(
        err.contains("r.toml:7:8: key `good`: good must be a finite number, not NaN"),
        "{err}"
    );
    assert!(
        err.contains("r.toml:8:7: key `bad`: bad must be a finite number, not inf"),
        "{err}"
    );
}

/// A value of the wrong type names its key.
#[test]
fn wrong_type() {
    let err = check(&GOOD.replace("good = 12", "good = \"twelve\""));
    assert!(
        err.contains("r.toml:7:8: key `good`: invalid type: string \"twelve\", expected f64"),
        "{err}"
    );
}

/// A broken rubric stops `report` before anything is collected.
#[test]
fn report_refuses_a_broken_rubric() {
    let ws = Workspace::new();
    ws.repo("slow", &slow_project());
    ws.write(
        "r.toml",
        &GOOD.replace("release.count_365d", "issues.first_response"),
    );
    let err = ws.run(&["report", "slow", "--rubric", "r.toml"]).fails(2);
    assert!(
        err.contains("r.toml:6:10: key `signal`: unknown signal `issues.first_response`"),
        "{err}"
    );
}

/// Issue 12: two categories of weight 1e308 add up to infinity: `rubric
/// check` refuses the file, and `report --rubric` fails before scoring
/// instead of writing `NaN / 100` and passing `--fail-under`.
#[test]
fn weights_that_add_up_to_infinity_are_refused() {
    let second = GOOD
        .replace("id = \"releases\"", "id = \"again\"")
        .replace("release.count_365d", "release.staleness_ratio");
    let text = format!("{GOOD}\n{second}").replace("weight = 1\n", "weight = 1e308\n");
    let err = check(&text);
    assert!(
        err.contains("the category weights add up to inf, not a finite number"),
        "{err}"
    );
    let ws = Workspace::new();
    ws.repo("slow", &slow_project());
    ws.write("r.toml", &text);
    let err = ws
        .run(&["report", "slow", "--rubric", "r.toml", "--fail-under", "10"])
        .fails(2);
    assert!(err.contains("rubric r.toml is not valid"), "{err}");
}
