//! Saved evidence files: every invariant that measuring relies on is
//! checked when the file is loaded, and a file that breaks one is refused
//! with an error naming the file and the field.

use serde_json::{Value, json};

use crate::common::{Workspace, monthly_project};

/// Evidence as `readiness collect` writes it for the monthly fixture, with
/// every other section (releases, items, runs, tests, benchmarks) added in
/// the shapes the tool writes: a seed that exercises every loader path.
pub(crate) fn rich_evidence(ws: &Workspace) -> Value {
    ws.repo("monthly", &monthly_project());
    let mut ev: Value =
        serde_json::from_str(&ws.run(&["collect", "monthly", "--no-github"]).ok()).unwrap();
    let actor = |login: &str| json!({"login": login, "type": "User"});
    ev["releases"] = json!([{"tag": "v1.12.0", "published_at": "2026-08-01T12:00:00+02:00", "draft": false, "prerelease": false, "url": "https://github.com/acme/widget/releases/tag/v1.12.0"}]);
    ev["items"] = json!([
        {"number": 1, "kind": "issue", "title": "Crash <b>|", "url": "https://github.com/acme/widget/issues/1", "author": actor("alice"), "author_association": "NONE",
         "created_at": "2026-06-01T00:00:00Z", "closed_at": "2026-06-03T00:00:00Z", "merged_at": null, "labels": ["bug"],
         "responses": [{"at": "2026-06-01T05:00:00Z", "actor": actor("maint"), "author_association": "MEMBER", "kind": "comment"}], "responses_complete": true},
        {"number": 2, "kind": "pull_request", "title": "Fix", "url": "https://github.com/acme/widget/pull/2", "author": null, "author_association": "CONTRIBUTOR",
         "created_at": "2026-07-01T00:00:00Z", "closed_at": "2026-07-02T00:00:00Z", "merged_at": "2026-07-02T00:00:00Z", "labels": [],
         "responses": [{"at": "2026-07-01T09:00:00Z", "actor": actor("maint"), "author_association": "OWNER", "kind": "review"}], "responses_complete": false}
    ]);
    let run = |id: u64, sha: &str, conclusion: &str, attempt: u32| {
        json!({"id": id, "workflow": "CI", "workflow_id": 7, "head_sha": sha, "head_branch": "main", "event": "push", "status": "completed",
               "conclusion": conclusion, "run_attempt": attempt, "created_at": "2026-07-10T00:00:00Z", "run_started_at": "2026-07-10T00:01:00Z",
               "updated_at": "2026-07-10T00:10:00Z", "url": format!("https://github.com/acme/widget/actions/runs/{id}")})
    };
    ev["runs"] = json!([
        run(1, "a1", "success", 1),
        run(2, "a2", "failure", 1),
        run(3, "a2", "success", 2)
    ]);
    ev["tests"] = json!({"tests": ["t::a", "t::b", "t::c"], "runs": [
        {"file": "r1.xml", "commit": "a1", "time": "2026-07-10T00:00:00Z", "time_source": "attribute", "outcomes": "pfs"},
        {"file": "r2.xml", "commit": "a1", "time": null, "time_source": "unknown", "outcomes": "px"}
    ]});
    let points: Vec<Value> = (0..12)
        .map(|i| json!({"time": format!("2026-{:02}-01T00:00:00Z", 1 + i % 12), "commit": format!("c{i}"), "value": if i < 8 { 1.0 + f64::from(i % 3) * 0.01 } else { 1.3 }}))
        .collect();
    ev["bench"] = json!({"series": [{"tool": "asv", "benchmark": "suite.time_x", "params": "n=10", "machine": "m", "env": "py3.12",
        "unit": "seconds", "direction": "lower_is_better", "location": "results", "points": points}]});
    ev
}

/// Writes `ev` as `name` in the workspace.
fn save(ws: &Workspace, name: &str, ev: &Value) {
    ws.write(name, &serde_json::to_string_pretty(ev).unwrap());
}

/// Each broken invariant is refused (exit 2) with an error that names the
/// file and the field; several are listed together, at most ten of them.
#[test]
fn evidence_breaking_an_invariant_is_refused_naming_the_file_and_field() {
    type Edit = fn(&mut Value);
    let ws = Workspace::new();
    let good = rich_evidence(&ws);
    save(&ws, "good.json", &good);
    ws.run(&["report", "good.json"]).ok();
    let cases: &[(&str, Edit, &str)] = &[
        (
            "window.json",
            |ev| ev["window"]["since"] = ev["window"]["until"].clone(),
            "window: since 2026-08-20T00:00:00+00:00 is not before until",
        ),
        (
            "long.json",
            |ev| ev["tests"]["runs"][1]["outcomes"] = json!("ppppp"),
            "tests.runs[1].outcomes: 5 outcomes for 3 tests in tests.tests",
        ),
        (
            "letter.json",
            |ev| ev["tests"]["runs"][0]["outcomes"] = json!("pz"),
            "tests.runs[0].outcomes: 'z' is not an outcome",
        ),
        (
            "pattern.json",
            |ev| ev["release_rule"]["tag_pattern"] = json!("(v"),
            "release_rule.tag_pattern: tag pattern \"(v\"",
        ),
        (
            "order.json",
            |ev| ev["bench"]["series"][0]["points"][3]["time"] = json!("2025-01-01T00:00:00Z"),
            "bench.series[0].points[3].time: 2025-01-01T00:00:00+00:00 is before the point before it",
        ),
        (
            "type.json",
            |ev| ev["items"][1]["created_at"] = json!("yesterday"),
            "items[1].created_at: ",
        ),
        (
            "missing.json",
            |ev| {
                ev["runs"][2].as_object_mut().unwrap().remove("head_sha");
            },
            "runs[2]: missing field `head_sha`",
        ),
        (
            "many.json",
            |ev| {
                ev["window"]["since"] = json!("2027-01-01T00:00:00Z");
                ev["tests"]["runs"] = json!(vec![
                    json!({"file": "f", "commit": null, "time": null, "time_source": "unknown", "outcomes": "pppp"});
                    11
                ]);
            },
            "12 problems:\n  window: since 2027-01-01T00:00:00+00:00",
        ),
    ];
    for (name, edit, expected) in cases {
        let mut ev = good.clone();
        edit(&mut ev);
        save(&ws, name, &ev);
        let err = ws.run(&["report", name]).fails(2);
        let want = format!("evidence file {name}: {expected}");
        assert!(err.contains(&want), "{name}: expected {want:?} in\n{err}");
    }
    let err = ws.run(&["report", "many.json"]).fails(2);
    assert!(
        err.contains("tests.runs[8].outcomes") && !err.contains("tests.runs[9].outcomes"),
        "{err}"
    );
    assert!(err.contains("\n  and 2 more"), "{err}");
}

/// Schema 2 only added what a schema 1 file cannot hold, so a file written
/// with schema 1 reads, and gives the same report; schema 0 is refused.
#[test]
fn evidence_of_schema_1_still_reads_and_older_is_refused() {
    let ws = Workspace::new();
    let mut ev = rich_evidence(&ws);
    save(&ws, "now.json", &ev);
    ev["schema"] = json!(1);
    save(&ws, "one.json", &ev);
    ev["schema"] = json!(0);
    save(&ws, "zero.json", &ev);
    let report = |f: &str| ws.run(&["report", f, "--format", "json"]);
    let (now, one) = (report("now.json"), report("one.json"));
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(now.stdout, one.stdout);
    let zero = report("zero.json");
    assert_eq!(zero.code, 2);
    assert!(
        zero.stderr
            .contains("written with evidence schema 0, this readiness reads schemas 1 to 2"),
        "{}",
        zero.stderr
    );
}
