//! End-to-end behaviour of the commands on local git fixtures.

use crate::common::{RepoBuilder, Workspace, monthly_project, slow_project};

fn two_projects() -> Workspace {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    ws.repo("slow", &slow_project());
    ws
}

/// The markdown report of a clone reads as designed (snapshot).
#[test]
fn report_markdown_snapshot() {
    let ws = two_projects();
    insta::assert_snapshot!("report_monthly", ws.run(&["report", "monthly"]).ok());
}

/// A project with thin evidence says so instead of scoring zero (snapshot).
#[test]
fn report_with_thin_evidence_snapshot() {
    let ws = two_projects();
    insta::assert_snapshot!("report_slow", ws.run(&["report", "slow"]).ok());
}

/// The comparison is one table with the best value per row in bold (snapshot).
#[test]
fn compare_snapshot() {
    let ws = two_projects();
    insta::assert_snapshot!(
        "compare_monthly_slow",
        ws.run(&["compare", "monthly", "slow"]).ok()
    );
}

/// The JSON report has the documented top-level fields and measurement objects.
#[test]
fn json_report_has_the_documented_shape() {
    let ws = two_projects();
    let out = ws.run(&["report", "monthly", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "report_schema",
        "target",
        "window",
        "score",
        "grade",
        "coverage",
        "categories",
        "measurements",
        "sources",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["target"]["name"], "monthly");
    // Git alone shows neither responsiveness, tests nor benchmarks: a quarter
    // of the rubric's weight has evidence, under the 50 % a grade needs.
    assert_eq!(v["grade"], "insufficient evidence");
    assert!((v["coverage"].as_f64().unwrap() - 1.0 / 4.0).abs() < 1e-3);
    let m = v["measurements"].as_array().unwrap();
    let response = m
        .iter()
        .find(|x| x["signal"] == "issues.first_response_p50_hours")
        .unwrap();
    assert_eq!(response["value"], serde_json::Value::Null);
    assert_eq!(
        response["insufficient"],
        "no issues or pull requests were collected for this target (a GitHub source is needed)"
    );
    let count = m
        .iter()
        .find(|x| x["signal"] == "release.count_365d")
        .unwrap();
    // 12 monthly releases and one backport; the duplicate, the rc, `v1` and the docs tag do not count.
    assert_eq!(count["value"], 13.0);
    assert_eq!(count["n"], 13);
    assert_eq!(count["unit"], "releases");
    assert!(
        m.iter()
            .all(|x| x.get("value").is_some() && x.get("unit").is_some() && x.get("n").is_some())
    );
}

/// `collect` then `report FILE` gives byte-for-byte the report of the clone itself, in both formats.
#[test]
fn collect_then_report_round_trips() {
    let ws = two_projects();
    ws.run(&["collect", "monthly", "-o", "monthly.evidence.json"])
        .ok();
    for format in ["markdown", "json"] {
        let direct = ws.run(&["report", "monthly", "--format", format]).ok();
        let saved = ws
            .run(&["report", "monthly.evidence.json", "--format", format])
            .ok();
        assert_eq!(direct, saved, "format {format}");
        assert_eq!(
            saved,
            ws.run(&["report", "monthly.evidence.json", "--format", format])
                .ok()
        );
    }
    // The saved window is kept even when "now" moves on.
    let later = std::process::Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(["report", "monthly.evidence.json"])
        .current_dir(ws.dir.path())
        .env("SOURCE_DATE_EPOCH", "1900000000")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&later.stdout),
        ws.run(&["report", "monthly.evidence.json"]).ok()
    );
}

/// Issues in saved evidence are measured with the rubric's `[actors]`, and their titles are escaped.
#[test]
fn responsiveness_follows_the_rubric_actors() {
    let ws = two_projects();
    let mut ev: serde_json::Value =
        serde_json::from_str(&ws.run(&["collect", "monthly"]).ok()).unwrap();
    let comment = |at: &str, login: &str, association: &str| {
        serde_json::json!({
            "at": at,
            "actor": {"login": login, "type": "User"},
            "author_association": association,
            "kind": "comment"
        })
    };
    // Twelve issues: a bot account at 1 h, a contributor at 2 h, a maintainer at 30 h.
    let items: Vec<serde_json::Value> = (1..=12)
        .map(|d| {
            let title = if d == 1 {
                "<script>@octocat|x".to_string()
            } else {
                format!("issue {d}")
            };
            serde_json::json!({
                "number": d,
                "kind": "issue",
                "title": title,
                "url": format!("https://github.com/acme/monthly/issues/{d}"),
                "author": {"login": "alice", "type": "User"},
                "author_association": "NONE",
                "created_at": format!("2026-03-{d:02}T00:00:00Z"),
                "closed_at": null,
                "merged_at": null,
                "labels": [],
                "responses": [
                    comment(&format!("2026-03-{d:02}T01:00:00Z"), "acme-bot", "MEMBER"),
                    comment(&format!("2026-03-{d:02}T02:00:00Z"), "carol", "CONTRIBUTOR"),
                    comment(&format!("2026-03-{:02}T06:00:00Z", d + 1), "mia", "MEMBER"),
                ],
                "responses_complete": true
            })
        })
        .collect();
    ev["items"] = serde_json::Value::Array(items);
    ws.write("ev.json", &ev.to_string());
    let p50 = |rubric: &str| -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(
            &ws.run(&["report", "ev.json", "--rubric", rubric, "--format", "json"])
                .ok(),
        )
        .unwrap();
        v["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["signal"] == "issues.first_response_p50_hours")
            .unwrap()
            .clone()
    };
    let by_maintainers = p50("default");
    assert_eq!(by_maintainers["value"], 30.0);
    assert_eq!(by_maintainers["n"], 12);
    assert_eq!(by_maintainers["examples"][0]["value"], "30.0 h");
    ws.write(
        "anyone.toml",
        &ws.run(&["rubric", "show"])
            .ok()
            .replace("responders = \"maintainers\"", "responders = \"anyone\""),
    );
    assert_eq!(p50("anyone.toml")["value"], 2.0);
    // The default rubric's `*-bot` pattern is what keeps `acme-bot` out.
    ws.write(
        "nobots.toml",
        &ws.read("anyone.toml").replace("\"*-bot\",", ""),
    );
    assert_eq!(p50("nobots.toml")["value"], 1.0);
    let md = ws.run(&["report", "ev.json"]).ok();
    assert!(
        md.contains("| Median hours to first response (issues) | 30.0 h | 12 |"),
        "{md}"
    );
    assert!(!md.contains("<script>") && !md.contains("@octocat"), "{md}");
}

/// Saved evidence reported over a window it does not cover: a window that
/// starts earlier leaves the families it holds for its own window only (the
/// issues opened in it) not measured, said in the report and on standard
/// error; one that ends after the collection is refused, since nothing
/// after it is known.
#[test]
fn saved_evidence_is_not_measured_beyond_its_window() {
    let ws = two_projects();
    let mut ev: serde_json::Value =
        serde_json::from_str(&ws.run(&["collect", "monthly"]).ok()).unwrap();
    let since = ev["window"]["since"].as_str().unwrap()[..10].to_string();
    let until = ev["window"]["until"].as_str().unwrap()[..10].to_string();
    let item = serde_json::json!({
        "number": 1, "kind": "issue", "title": "t",
        "url": "https://github.com/acme/monthly/issues/1",
        "author": {"login": "alice", "type": "User"}, "author_association": "NONE",
        "created_at": format!("{until}T00:00:00Z"), "closed_at": null, "merged_at": null,
        "labels": [], "responses": [], "responses_complete": true
    });
    ev["items"] = serde_json::Value::Array(vec![item]);
    ws.write("ev.json", &ev.to_string());
    let signal = |json: &str, id: &str| -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        v["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["signal"] == id)
            .unwrap()
            .clone()
    };
    let own = ws.run(&["report", "ev.json", "--format", "json"]).ok();
    let reason = signal(&own, "issues.responded_within_7d")["insufficient"].clone();
    assert!(
        !reason.as_str().unwrap_or("").starts_with("not measured"),
        "{reason}"
    );
    // A year earlier than the collection's own start.
    let earlier = format!("{}{}", since[..4].parse::<i32>().unwrap() - 1, &since[4..]);
    let run = ws.run(&["report", "ev.json", "--since", &earlier, "--format", "json"]);
    let stderr = run.stderr.clone();
    let json = run.ok();
    let issues = signal(&json, "issues.first_response_p50_hours");
    assert_eq!(issues["value"], serde_json::Value::Null);
    assert_eq!(
        issues["insufficient"],
        format!(
            "not measured: the evidence holds them from {since} only, and the window starts on {earlier}: collect again with that --since"
        )
    );
    assert!(
        stderr.contains("warning: issues.*, prs.*: not measured: the evidence holds them from"),
        "{stderr}"
    );
    // Tags are whole history: the release signals are still measured.
    assert_ne!(
        signal(&json, "release.count_365d")["value"],
        serde_json::Value::Null
    );
    // The day the evidence ends is "as of" it; a later day is refused.
    ws.run(&["report", "ev.json", "--until", &until]).ok();
    let later = format!("{}{}", until[..4].parse::<i32>().unwrap() + 1, &until[4..]);
    let e = ws.run(&["report", "ev.json", "--until", &later]).fails(2);
    assert!(
        e.contains("is after it: what happened since is not in it"),
        "{e}"
    );
    // In a comparison the project is kept, with the reason, and the others measured.
    let mut other = ev.clone();
    other["target"]["name"] = "other".into();
    other["window"]["until"] = format!("{later}T23:59:59Z").into();
    other["collected_at"] = other["window"]["until"].clone();
    ws.write("other.json", &other.to_string());
    let run = ws.run(&["compare", "ev.json", "other.json", "--until", &later]);
    let stdout = run.stdout.clone();
    let stderr = run.fails(2);
    assert!(
        stderr.contains("ev.json: could not be read: ev.json: the evidence was collected up to"),
        "{stderr}"
    );
    assert!(stdout.contains("other"), "{stdout}");
}

/// `--until` makes a report "as of" a date: later tags change nothing.
#[test]
fn until_ignores_what_came_later() {
    let ws = Workspace::new();
    ws.repo("a", &monthly_project());
    ws.repo(
        "b",
        &monthly_project()
            .tag("v2.0.0", "2026-08-10T00:00:00Z")
            .tag("v2.1.0", "2026-08-15T00:00:00Z"),
    );
    let scored = |repo: &str, until: Option<&str>| -> serde_json::Value {
        let mut args = vec!["report", repo, "--format", "json"];
        if let Some(u) = until {
            args.extend(["--until", u]);
        }
        let mut v: serde_json::Value = serde_json::from_str(&ws.run(&args).ok()).unwrap();
        // Only what was collected differs: b's clone has two more tags.
        v.as_object_mut()
            .unwrap()
            .retain(|k, _| !["target", "sources"].contains(&k.as_str()));
        v
    };
    assert_eq!(
        scored("a", Some("2026-08-05")),
        scored("b", Some("2026-08-05"))
    );
    assert_ne!(scored("b", Some("2026-08-05")), scored("b", None));
}

/// Annotated tags are dated by the tagger, lightweight ones by the commit; bare repos read the same.
#[test]
fn tag_dates_and_bare_repositories() {
    let ws = Workspace::new();
    let b = RepoBuilder::new()
        .tag_later(
            "v1.0.0",
            "2026-01-01T00:00:00Z",
            "2026-02-01T08:30:00-05:00",
        )
        .lightweight("v1.1.0", "2026-03-01T00:00:00+01:00");
    ws.repo("clone", &b).bare_repo("bare.git", &b);
    let clone = ws.run(&["collect", "clone"]).ok();
    let bare = ws.run(&["collect", "bare.git"]).ok();
    let ev: serde_json::Value = serde_json::from_str(&clone).unwrap();
    let tags = ev["tags"].as_array().unwrap();
    assert_eq!(tags[0]["name"], "v1.0.0");
    assert_eq!(tags[0]["kind"], "annotated");
    assert_eq!(tags[0]["date"], "2026-02-01T08:30:00-05:00");
    assert_eq!(tags[1]["kind"], "lightweight");
    assert_eq!(tags[1]["date"], "2026-03-01T00:00:00+01:00");
    let bare: serde_json::Value = serde_json::from_str(&bare).unwrap();
    assert_eq!(bare["tags"], ev["tags"]);
    assert_eq!(bare["target"]["name"], "bare");
}

/// A GitHub origin names the target; credentials in the remote URL never reach the evidence.
#[test]
fn origin_remote_names_the_target_without_credentials() {
    let ws = Workspace::new();
    ws.repo(
        "clone",
        &slow_project()
            .remote("https://x-access-token:ghp_SECRETSECRET@github.com/acme/widget.git"),
    );
    let out = ws.run(&["collect", "clone", "--no-github"]).ok();
    assert!(!out.contains("ghp_SECRETSECRET"), "{out}");
    let ev: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(ev["target"]["name"], "acme/widget");
    assert_eq!(ev["target"]["remote"], "https://github.com/acme/widget.git");
}

/// Untrusted tag names cannot inject HTML, break tables or mention people.
#[test]
fn hostile_tag_names_are_escaped() {
    let ws = Workspace::new();
    // (git refuses `*`, `[`, `~` and spaces in tag names, so those are covered by unit tests.)
    let hostile = [
        "<script>alert(1)<",
        "a|b|c",
        "@octocat",
        "`rm`",
        "_x_",
        "&lt;b&gt;",
    ];
    let mut b = RepoBuilder::new();
    for (i, name) in hostile.iter().enumerate() {
        b = b.lightweight(name, &format!("2026-0{}-01T00:00:00Z", i + 1));
    }
    ws.repo("evil", &b);
    let out = ws.run(&["report", "evil", "--tag-pattern", "."]).ok();
    assert!(!out.contains("<script>"), "{out}");
    assert!(!out.contains("@octocat"), "{out}");
    assert!(out.contains("a\\|b\\|c"), "{out}");
    assert!(out.contains("\\`rm\\`"), "{out}");
    // Every table row still has as many cells as its header.
    let mut columns = None;
    for line in out.lines() {
        if line.starts_with('|') {
            let cells = line.replace("\\|", "").matches('|').count();
            match columns {
                None => columns = Some(cells),
                Some(c) => assert_eq!(c, cells, "broken row: {line}"),
            }
        } else {
            columns = None;
        }
    }
}

/// `--tag-prefix` and `--tag-pattern` change which tags are releases.
#[test]
fn tag_rules_are_configurable() {
    let ws = Workspace::new();
    ws.repo(
        "r",
        &RepoBuilder::new()
            .tag("pkg-1.0.0", "2026-01-01T00:00:00Z")
            .tag("pkg-1.1.0", "2026-02-01T00:00:00Z")
            .tag("2.0.0", "2026-03-01T00:00:00Z"),
    );
    let count = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["report", "r", "--format", "json"];
        all.extend_from_slice(args);
        let v: serde_json::Value = serde_json::from_str(&ws.run(&all).ok()).unwrap();
        v["measurements"][0]["value"].clone()
    };
    assert_eq!(count(&[]), 1.0);
    assert_eq!(count(&["--tag-prefix", "pkg-"]), 2.0);
    assert_eq!(count(&["--tag-pattern", r"^(pkg-)?\d"]), 3.0);
    let err = ws
        .run(&["report", "r", "--tag-pattern", "(unclosed"])
        .fails(2);
    assert!(err.contains("tag pattern \"(unclosed\""), "{err}");
}

/// `--fail-under` exits 1 after writing the report, 0 when the score is high enough.
#[test]
fn fail_under_sets_the_exit_code() {
    let ws = two_projects();
    ws.repo(
        "untagged",
        &RepoBuilder::new().lightweight("nightly", "2026-01-01T00:00:00Z"),
    );
    let err = ws
        .run(&["report", "slow", "--fail-under", "60", "-o", "slow.md"])
        .fails(1);
    assert!(
        err.contains("the score 50.0 is below --fail-under 60"),
        "{err}"
    );
    assert!(ws.read("slow.md").starts_with("# Readiness: slow"));
    let err = ws
        .run(&["report", "untagged", "--fail-under", "0"])
        .fails(1);
    assert!(
        err.contains("there is no score (insufficient evidence)"),
        "{err}"
    );
    // A score equal to the threshold passes.
    ws.run(&["report", "monthly", "--fail-under", "100"]).ok();
    ws.run(&["report", "slow", "--fail-under", "50"]).ok();
    assert!(
        ws.run(&["report", "monthly", "--fail-under", "101"])
            .fails(2)
            .contains("from 0 to 100")
    );
}

/// `-o` writes the file whole and names the path when it cannot.
#[test]
fn output_files_are_written_atomically() {
    let ws = two_projects();
    ws.run(&["report", "monthly", "-o", "r.md"]).ok();
    assert_eq!(ws.read("r.md"), ws.run(&["report", "monthly"]).ok());
    let err = ws
        .run(&["report", "monthly", "-o", "no/such/dir/r.md"])
        .fails(2);
    assert!(err.contains("cannot write no/such/dir/r.md"), "{err}");
    // A folder in the way: the temporary file is written beside it in
    // out/, then the rename over the folder fails; nothing may be left.
    std::fs::create_dir_all(ws.path("out/taken/inside")).unwrap();
    let err = ws.run(&["report", "monthly", "-o", "out/taken"]).fails(2);
    assert!(err.contains("cannot write out/taken"), "{err}");
    let left: Vec<String> = std::fs::read_dir(ws.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["taken"], "a temporary file was left behind");
}

/// A user template replaces the built-in one, with escaping still applied; its mistakes are located.
#[test]
fn templates_can_be_overridden() {
    let ws = two_projects();
    ws.write("t.hbs", "{{target.name}} scored {{score}} ({{grade}}){{#each categories}}; {{name}} {{score}}{{/each}}\n");
    assert_eq!(
        ws.run(&["report", "monthly", "--template", "t.hbs"]).ok(),
        "monthly scored 100.0 (insufficient evidence); Release cadence 100.0; Responsiveness n/a; Tests n/a; Benchmarks n/a\n"
    );
    ws.write(
        "bad.hbs",
        "line one\n{{#each categories}}{{nmae}}{{/each}}\n",
    );
    let err = ws
        .run(&["report", "monthly", "--template", "bad.hbs"])
        .fails(2);
    assert!(
        err.contains("template bad.hbs") && err.contains("nmae"),
        "{err}"
    );
    assert!(
        ws.run(&["report", "monthly", "--template", "missing.hbs"])
            .fails(2)
            .contains("cannot read missing.hbs")
    );
    assert!(
        ws.run(&[
            "report",
            "monthly",
            "--template",
            "t.hbs",
            "--format",
            "json"
        ])
        .fails(2)
        .contains("markdown output only")
    );
}

/// Every kind of wrong input gets a clear message and exit code 2, never a panic.
#[test]
fn wrong_input_is_a_clear_error() {
    let ws = two_projects();
    std::fs::create_dir(ws.path("plain")).unwrap();
    ws.write("corrupt.json", "{\"schema\": 1, \"tool\": ");
    ws.write("future.json", "{\"schema\": 99}");
    ws.write("other.json", "{\"hello\": \"world\"}");
    let cases: &[(&[&str], &str)] = &[
        (
            &["report", "no-such-dir"],
            "no-such-dir: no such file or folder",
        ),
        (
            &["report", "plain"],
            "git repository plain: not a git repository",
        ),
        (
            &["report", "corrupt.json"],
            "evidence file corrupt.json: not valid JSON",
        ),
        (
            &["report", "future.json"],
            "written with evidence schema 99",
        ),
        (
            &["report", "other.json"],
            "not a file written by `readiness collect`",
        ),
        (
            &["report", "monthly", "--since", "yesterday"],
            "--since \"yesterday\" is not a date",
        ),
        (
            &[
                "report",
                "monthly",
                "--since",
                "2026-09-01",
                "--until",
                "2026-01-01",
            ],
            "the window is empty",
        ),
        (
            &["report", "monthly", "--until=-262143-01-02"],
            "is out of range",
        ),
        (
            &["report", "monthly", "--rubric", "missing.toml"],
            "cannot read missing.toml",
        ),
        (
            &["report", "monthly", "--rubric", "strict"],
            "neither a file nor a built-in rubric",
        ),
        (
            &["report", "dask/dask", "--offline"],
            "not in the cache, and --offline forbids fetching it",
        ),
        (
            &["collect", "monthly", "--format", "markdown"],
            "collect writes JSON evidence",
        ),
        (&["rubric", "show", "nope"], "no built-in rubric \"nope\""),
    ];
    for (args, expected) in cases {
        let err = ws.run(args).fails(2);
        assert!(
            err.starts_with("error: ") && err.contains(expected),
            "{args:?}: expected {expected:?} in:\n{err}"
        );
    }
    // clap's own usage errors also exit 2.
    ws.run(&["compare", "monthly"]).fails(2);
    ws.run(&["report", "--format", "pdf"]).fails(2);
}

/// `readiness signals` lists every signal of the registry, and the README's table is the same text.
#[test]
fn signals_are_listed_and_the_readme_table_is_current() {
    let ws = Workspace::new();
    let table = ws.run(&["signals"]).ok();
    let json: serde_json::Value =
        serde_json::from_str(&ws.run(&["signals", "--format", "json"]).ok()).unwrap();
    let ids: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    // The registry is the list: every family's signals, in report order.
    let registry: Vec<&str> = readiness::signals::SignalId::all()
        .iter()
        .map(|id| id.as_str())
        .collect();
    assert_eq!(ids, registry);
    for id in &ids {
        assert!(
            table.contains(&format!("`{id}`")),
            "{id} missing from the table"
        );
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "README.md's signal table is out of date; paste the output of `readiness signals` into it"
    );
}

/// The built-in rubrics are listed, shown as their files, and pass their own check.
#[test]
fn builtin_rubrics_are_listed_and_valid() {
    let ws = Workspace::new();
    let list = ws.run(&["rubric", "list"]).ok();
    let names: Vec<&str> = list
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(names, ["default", "pydata"], "{list}");
    assert!(list.contains("pydata\tProduction readiness of a scientific Python library"));
    assert_eq!(
        ws.run(&["rubric", "show"]).ok(),
        ws.run(&["rubric", "show", "default"]).ok()
    );
    for name in names {
        let shown = ws.run(&["rubric", "show", name]).ok();
        let file = std::fs::read_to_string(format!(
            "{}/rubrics/{name}.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert_eq!(shown, file, "rubric show {name}");
        ws.write("mine.toml", &shown);
        let out = ws.run(&["rubric", "check", "mine.toml"]).ok();
        assert!(
            out.starts_with(&format!(
                "mine.toml: valid rubric \"{name}\": 4 categories, 18 criteria"
            )),
            "{out}"
        );
    }
}

/// An ASV results folder of 24 steady series with 6 results each in July 2026.
fn steady_asv(ws: &Workspace) {
    std::fs::create_dir_all(ws.path("results/box")).unwrap();
    let params: Vec<String> = (1..=24).map(|n| format!("\"{n}\"")).collect();
    ws.write(
        "results/benchmarks.json",
        &format!(
            r#"{{"m.time_f": {{"type": "time", "unit": "seconds", "params": [[{}]], "param_names": ["n"]}}, "version": 2}}"#,
            params.join(", ")
        ),
    );
    ws.write("results/box/machine.json", r#"{"machine": "box"}"#);
    for i in 0..6 {
        let values: Vec<String> = (1..=24)
            .map(|n| format!("{}", f64::from(n) * (1.0 + 0.001 * f64::from(i % 2))))
            .collect();
        ws.write(
            &format!("results/box/c{i}-py.json"),
            &format!(
                r#"{{"commit_hash": "c{i}", "env_name": "py", "date": {}, "params": {{"machine": "box"}},
                "result_columns": ["result", "params"], "results": {{"m.time_f": [[{}], [[{}]]]}}, "version": 2}}"#,
                1_782_864_000_000i64 + i64::from(i) * 86_400_000,
                values.join(", "),
                params.join(", ")
            ),
        );
    }
}

/// `--rubric pydata` requires benchmarks: a clone alone gets no grade and
/// the report says why; with ASV results it is graded. The default rubric
/// requires nothing.
#[test]
fn the_pydata_rubric_requires_benchmarks() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["report", "monthly", "--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&ws.run(&all).ok()).unwrap()
    };

    let v = json(&["--rubric", "pydata"]);
    assert_eq!(v["rubric"]["name"], "pydata");
    assert_eq!(v["rubric"]["origin"], "built-in");
    assert_eq!(v["missing_required"], serde_json::json!(["benchmarks"]));
    assert_eq!(v["grade"], "insufficient evidence");
    // Releases weigh 1 of the rubric's 5 (benchmarks weigh 2).
    assert!(
        (v["coverage"].as_f64().unwrap() - 0.2).abs() < 1e-3,
        "{}",
        v["coverage"]
    );
    let md = ws.run(&["report", "monthly", "--rubric", "pydata"]).ok();
    assert!(
        md.contains("\n\nNo grade: coverage 20 % is under the rubric's minimum 50 %; the rubric requires evidence for Benchmarks, and no criterion there could be scored: no benchmark results were collected (--asv, --bench-data, --criterion, --pytest-benchmark or --coiled-db; a GitHub repository's gh-pages dev/bench/data.js). The source that would add the most: benchmark results"),
        "{md}"
    );
    assert!(md.contains("| Rubric | pydata (built-in) |"), "{md}");

    let v = json(&[]);
    assert_eq!(v["rubric"]["name"], "default");
    assert_eq!(v["missing_required"], serde_json::json!([]));
    assert!(
        !ws.run(&["report", "monthly"])
            .ok()
            .contains("the rubric requires evidence for")
    );

    // With benchmark results, releases and benchmarks are 3 of 5: graded.
    steady_asv(&ws);
    let v = json(&["--rubric", "pydata", "--asv", "results"]);
    assert_eq!(v["missing_required"], serde_json::json!([]));
    assert!(
        (v["coverage"].as_f64().unwrap() - 0.6).abs() < 1e-3,
        "{}",
        v["coverage"]
    );
    assert_ne!(v["grade"], "insufficient evidence", "{v}");
    let bench = &v["categories"][3];
    assert_eq!(
        (bench["id"].as_str(), bench["coverage"].as_f64()),
        (Some("benchmarks"), Some(1.0))
    );
    assert_eq!(bench["score"], 100.0, "{bench}");
    let md = ws
        .run(&[
            "report", "monthly", "--rubric", "pydata", "--asv", "results",
        ])
        .ok();
    assert!(!md.contains("No grade:"), "{md}");
}

/// A comparison names the required evidence a project lacks instead of its coverage.
#[test]
fn compare_names_the_missing_required_evidence() {
    let ws = two_projects();
    let v: serde_json::Value = serde_json::from_str(
        &ws.run(&[
            "compare", "monthly", "slow", "--rubric", "pydata", "--format", "json",
        ])
        .ok(),
    )
    .unwrap();
    let overall = v["verdicts"][0]["text"].as_str().unwrap();
    assert!(
        overall.contains("; too little evidence for a grade: monthly (no evidence for Benchmarks, which the rubric requires) and slow (no evidence for Benchmarks, which the rubric requires); release-cadence scores only (no other signal could be scored): monthly and slow"),
        "{overall}"
    );
    let v: serde_json::Value = serde_json::from_str(
        &ws.run(&["compare", "monthly", "slow", "--format", "json"])
            .ok(),
    )
    .unwrap();
    let overall = v["verdicts"][0]["text"].as_str().unwrap();
    assert!(
        overall.contains("monthly (25 % of the rubric)"),
        "{overall}"
    );
}

/// A rubric file changes the score: here one that only asks for a yearly release.
#[test]
fn custom_rubrics_change_the_score() {
    let ws = two_projects();
    ws.write(
        "yearly.toml",
        "[[category]]\nid = \"r\"\nweight = 1\n[[category.criterion]]\nsignal = \"release.count_365d\"\ngood = 1\nbad = 0\nmin_samples = 0\nwhy = \"one a year will do\"\n",
    );
    let v: serde_json::Value = serde_json::from_str(
        &ws.run(&[
            "report",
            "slow",
            "--rubric",
            "yearly.toml",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    assert_eq!(v["score"], 100.0);
    assert_eq!(v["rubric"]["name"], "yearly");
}

/// A shallow clone is reported as incomplete, with what to do about it.
#[test]
fn shallow_clones_are_flagged() {
    let ws = Workspace::new();
    ws.repo("full", &monthly_project());
    let url = format!("file://{}", ws.path("full").display());
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, "shallow"])
        .current_dir(ws.dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev: serde_json::Value =
        serde_json::from_str(&ws.run(&["collect", "shallow"]).ok()).unwrap();
    assert_eq!(ev["sources"][0]["complete"], false);
    assert!(
        ev["sources"][0]["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("shallow clone: only tags inside the fetched history"),
        "{ev}"
    );
    let full: serde_json::Value = serde_json::from_str(&ws.run(&["collect", "full"]).ok()).unwrap();
    assert_eq!(full["sources"][0]["complete"], true);
    assert!(
        ws.run(&["report", "shallow"])
            .ok()
            .contains("**incomplete**")
    );
}

/// Unreadable tags are skipped and named (at most 20 by name), and the readable ones still count.
#[test]
fn broken_tags_are_noted_and_the_rest_kept() {
    let ws = Workspace::new();
    ws.repo("r", &monthly_project());
    for i in 0..25 {
        ws.write(
            &format!("r/.git/refs/tags/broken{i:02}"),
            "0123456789abcdef0123456789abcdef01234567\n",
        );
    }
    let ev: serde_json::Value = serde_json::from_str(&ws.run(&["collect", "r"]).ok()).unwrap();
    let src = &ev["sources"][0];
    assert_eq!(src["complete"], false);
    let notes = src["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 21);
    assert!(
        notes[0]
            .as_str()
            .unwrap()
            .starts_with("tag broken00 was skipped: "),
        "{}",
        notes[0]
    );
    assert_eq!(notes[20], "... and 5 more tags were skipped");
    assert_eq!(ev["tags"].as_array().unwrap().len(), 17);
}

/// A comparison opens with its verdict, and says when the windows differ.
#[test]
fn compare_gives_a_verdict_and_flags_different_windows() {
    let ws = two_projects();
    ws.run(&["collect", "monthly", "-o", "m.json"]).ok();
    ws.run(&["collect", "slow", "--until", "2026-05-01", "-o", "s.json"])
        .ok();
    let md = ws.run(&["compare", "m.json", "s.json"]).ok();
    assert!(
        md.contains("**The projects were measured over different windows**"),
        "{md}"
    );
    // Each window by its project's name.
    assert!(
        md.contains("- monthly: 2025-08-20 to 2026-08-20 (365 days)\n- slow: 2025-05-01 to 2026-05-01 (365 days)"),
        "{md}"
    );
    let v: serde_json::Value = serde_json::from_str(
        &ws.run(&["compare", "m.json", "s.json", "--format", "json"])
            .ok(),
    )
    .unwrap();
    let overall = &v["verdicts"][0];
    assert_eq!(overall["category"], "overall");
    assert_eq!(overall["leader"], 0);
    assert_eq!(overall["fair"], false);
    assert!(
        md.contains(&format!("- {}.", overall["text"].as_str().unwrap())),
        "the markdown shows the JSON's verdict"
    );
    // Same window: no warning.
    let md = ws.run(&["compare", "monthly", "slow"]).ok();
    assert!(!md.contains("different windows"));
}

/// Where nothing listens: every GitHub request fails to connect.
const CLOSED: &str = "http://127.0.0.1:9";

/// Issue 11: a clone with an explicit `--github` that cannot be reached is
/// still written, with the GitHub signals "not measured" and the reason (in
/// the first lines, in each signal, and on standard error), then exits 2.
#[test]
fn an_unreachable_explicit_github_is_not_measured_and_exits_2() {
    let ws = two_projects();
    let args = [
        "report",
        "slow",
        "--github",
        "dask/dask",
        "--api-url",
        CLOSED,
        "--no-cache",
    ];
    let run = ws.run(&args);
    let md = run.stdout.clone();
    let err = run.fails(2);
    assert!(md.starts_with("# Readiness: dask/dask"), "{md}");
    let head: String = md.lines().take(14).collect::<Vec<_>>().join("\n");
    assert!(
        head.contains("Not measured, because a source that was asked for could not be read")
            // Untrusted text: the autolink is broken by a zero-width space.
            && head.contains("cannot connect to http:\u{200b}//127.0.0.1:9"),
        "{head}"
    );
    assert!(!md.contains("was opened in the window"), "{md}");
    assert!(
        md.contains("Why this score: not measured, not scored: the GitHub issues and pull requests listing was not read in full: cannot connect"),
        "{md}"
    );
    assert!(
        err.contains("readiness: warning: issues.*, prs.*: not measured:")
            && err.contains("exit 2"),
        "{err}"
    );
    let mut json = args.to_vec();
    json.extend(["--format", "json", "-o", "r.json"]);
    ws.run(&json).fails(2);
    let v: serde_json::Value = serde_json::from_str(&ws.read("r.json")).unwrap();
    for id in [
        "issues.first_response_p50_hours",
        "prs.merge_p50_days",
        "ci.pass_rate",
    ] {
        let why = crate::common::measurement(&v, id)["insufficient"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(why.starts_with("not measured: "), "{id}: {why}");
    }
    assert_eq!(
        crate::common::measurement(&v, "release.count_365d")["source"],
        "git tags",
        "what the clone gave is kept"
    );
}

/// Issue 11: `report OWNER/REPO` that reads nothing at all writes no report and exits 2 with the reason.
#[test]
fn a_github_target_that_yields_nothing_exits_2() {
    let ws = Workspace::new();
    let run = ws.run(&["report", "dask/dask", "--api-url", CLOSED, "--no-cache"]);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let err = run.fails(2);
    assert!(
        err.contains("error: dask/dask: nothing could be read, so no report was written")
            && err.contains("cannot connect to http://127.0.0.1:9"),
        "{err}"
    );
}

/// Issue 11: a GitHub repository only inferred from `origin` that cannot be
/// reached stays a note: the clone's report, its GitHub signals not
/// measured, exit 0.
#[test]
fn an_unreachable_inferred_github_is_a_note_with_exit_0() {
    let ws = Workspace::new();
    ws.repo(
        "clone",
        &slow_project().remote(&format!("{CLOSED}/acme/widget.git")),
    );
    let run = ws.run(&[
        "report",
        "clone",
        "--api-url",
        CLOSED,
        "--no-cache",
        "--format",
        "json",
    ]);
    let err = run.stderr.clone();
    let v: serde_json::Value = serde_json::from_str(&run.ok()).unwrap();
    let why = crate::common::measurement(&v, "issues.first_response_p50_hours")["insufficient"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(why.starts_with("not measured: "), "{why}");
    assert!(err.contains("readiness: warning: issues.*"), "{err}");
}

/// Issue 11: saved evidence remembers whether its GitHub repository was
/// asked for: re-scoring a clone collected with an explicit `--github` that
/// failed exits 2 again, while one whose repository was only inferred from
/// `origin` stays a note (exit 0).
#[test]
fn saved_evidence_keeps_whether_github_was_asked_for() {
    let ws = two_projects();
    ws.repo(
        "inferred",
        &slow_project().remote(&format!("{CLOSED}/acme/widget.git")),
    );
    let base = ["--api-url", CLOSED, "--no-cache"];
    let mut explicit = vec![
        "collect",
        "slow",
        "--github",
        "dask/dask",
        "-o",
        "explicit.json",
    ];
    explicit.extend(base);
    ws.run(&explicit).fails(2);
    let mut inferred = vec!["collect", "inferred", "-o", "inferred.json"];
    inferred.extend(base);
    ws.run(&inferred).ok();
    let saved: serde_json::Value = serde_json::from_str(&ws.read("explicit.json")).unwrap();
    assert_eq!(saved["github_asked"], true, "{saved}");
    let err = ws.run(&["report", "explicit.json", "--no-cache"]).fails(2);
    assert!(err.contains("readiness: exit 2"), "{err}");
    ws.run(&["report", "inferred.json", "--no-cache"]).ok();
}

/// Issue 11: `compare` keeps a project whose GitHub part failed, names the
/// reason, and exits 2 after writing.
#[test]
fn compare_keeps_a_failed_project_and_exits_2() {
    let ws = two_projects();
    let run = ws.run(&[
        "compare",
        "monthly",
        "dask/dask",
        "--api-url",
        CLOSED,
        "--no-cache",
    ]);
    let md = run.stdout.clone();
    let err = run.fails(2);
    assert!(
        md.starts_with("# Readiness comparison: monthly vs dask/dask"),
        "{md}"
    );
    for family in ["release.\\*", "issues.\\*, prs.\\*", "ci.\\*"] {
        assert!(
            md.contains(&format!("\n- dask/dask: {family}: the GitHub ")),
            "{family}: {md}"
        );
    }
    assert!(err.contains("readiness: warning: dask/dask: "), "{err}");
    // The verdict names each project without evidence with its reason, unranked.
    assert!(
        md.contains("- Responsiveness: no evidence for any project: monthly (no GitHub source) and dask/dask (GitHub could not be read)."),
        "{md}"
    );
}

/// Issue 11: `OWNER/REPO` means GitHub even where a folder of that name
/// exists, and standard error says how to read the folder; `./OWNER/REPO`
/// and `OWNER/REPO/` read the folder.
#[test]
fn owner_repo_means_github_even_beside_a_folder_of_that_name() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path("dask")).unwrap();
    ws.repo("dask/dask", &slow_project());
    let err = ws.run(&["report", "dask/dask", "--offline"]).fails(2);
    assert!(
        err.contains("\"dask/dask\" is read as the GitHub repository dask/dask; a local folder of that name exists: write ./dask/dask to read it instead"),
        "{err}"
    );
    for path in ["./dask/dask", "dask/dask/"] {
        let md = ws.run(&["report", path]).ok();
        assert!(md.starts_with("# Readiness: dask"), "{path}: {md}");
    }
}

/// Issue 11: a withheld grade says why in the report's first lines, with
/// the source that would add the most; a clone-only score is labelled a
/// release-cadence score wherever it is shown.
#[test]
fn a_withheld_grade_says_why_and_a_clone_score_is_labelled() {
    let ws = two_projects();
    let md = ws.run(&["report", "monthly"]).ok();
    let head: String = md.lines().take(8).collect::<Vec<_>>().join("\n");
    assert!(
        head.contains("(release cadence only) · insufficient evidence")
            && head.contains("No grade: coverage 25 % is under the rubric's minimum 50 %.")
            && head.contains("The source that would add the most: `--github OWNER/REPO`, up to 39.3 % of the rubric's weight."),
        "{head}"
    );
    assert!(md.contains("| **Overall** | **"), "{md}");
    assert!(md.contains(" (release cadence only)** |"), "{md}");
    let cmp = ws.run(&["compare", "monthly", "slow"]).ok();
    assert!(cmp.contains("(release cadence only)"), "{cmp}");
}

/// Issue 11: an artifact input that reads nothing (every JUnit file
/// skipped, an empty criterion folder) exits 2 after writing, naming it.
#[test]
fn artifacts_that_read_nothing_exit_2() {
    let ws = two_projects();
    ws.write("bad.xml", "this is not XML");
    std::fs::create_dir(ws.path("empty-criterion")).unwrap();
    for (flag, value, named) in [
        (
            "--junit",
            "bad.xml",
            "--junit bad.xml: nothing could be read",
        ),
        ("--criterion", "empty-criterion", "--criterion "),
    ] {
        let run = ws.run(&["report", "monthly", flag, value]);
        assert!(
            run.stdout.starts_with("# Readiness: monthly"),
            "{flag}: {}",
            run.stdout
        );
        let err = run.fails(2);
        assert!(
            err.contains(named) && err.contains("nothing could be read"),
            "{flag}: {err}"
        );
    }
    // Alone, such inputs leave nothing to report on: no report, exit 2, the reason.
    for args in [
        ["report", "--criterion", "empty-criterion"],
        ["report", "--pytest-benchmark", "nothing-*.json"],
    ] {
        let run = ws.run(&args);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        let err = run.fails(2);
        assert!(
            err.contains("nothing could be read") && err.contains(args[2]),
            "{args:?}: {err}"
        );
    }
}

/// Issue 11: a listing that stops early (the second page of issues fails)
/// leaves the issue signals, and their chart, not measured with the
/// listing's own reason, instead of measuring the first page as if it were
/// all; pull requests, read in full, are still measured; exit 2 after writing.
#[test]
fn a_listing_that_stops_early_is_not_measured() {
    use wiremock::matchers::{body_string_contains, method, path};
    use wiremock::{Mock, ResponseTemplate};
    let (rt, server) = crate::github::start_server();
    rt.block_on(async {
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .and(body_string_contains("issues(first"))
            .and(body_string_contains("\"cursor\":\"c1\""))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"data": null, "errors": [{"message": "something went wrong"}]}),
            ))
            .with_priority(1)
            .mount(&server)
            .await;
    });
    let ws = Workspace::new();
    let api = server.uri();
    let run = ws.run(&[
        "report",
        "acme/widget",
        "--api-url",
        &api,
        "--token",
        crate::github::SECRET,
        "--no-cache",
        "--until",
        "2026-08-20",
        "--format",
        "json",
    ]);
    let out = run.stdout.clone();
    let err = run.fails(2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let why = |id: &str| {
        crate::common::measurement(&v, id)["insufficient"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        why("issues.first_response_p50_hours"),
        "not measured: the GitHub issues listing was not read in full: GraphQL error: something went wrong"
    );
    assert!(!why("prs.first_review_p50_hours").starts_with("not measured"));
    let charts: Vec<&str> = v["trends"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert!(
        !charts.contains(&"issue_first_response_by_month"),
        "{charts:?}"
    );
    assert!(charts.contains(&"releases_per_quarter"), "{charts:?}");
    assert!(
        err.contains("readiness: warning: issues.*: not measured"),
        "{err}"
    );
}

/// `compare` keeps a project that cannot be read at all (a corrupt evidence
/// file), names the reason, and exits 2 after writing.
#[test]
fn compare_keeps_an_unreadable_project_and_exits_2() {
    let ws = two_projects();
    ws.write("corrupt.json", "{\"schema\": 1, \"tool\": ");
    let run = ws.run(&["compare", "monthly", "corrupt.json"]);
    let md = run.stdout.clone();
    let err = run.fails(2);
    assert!(
        md.starts_with("# Readiness comparison: monthly vs corrupt.json"),
        "{md}"
    );
    assert!(md.contains("\n- corrupt.json: release.\\*, issues.\\*, prs.\\*, ci.\\*: evidence file corrupt.json: not valid JSON"), "{md}");
    assert!(
        err.contains("readiness: warning: corrupt.json: could not be read: evidence file corrupt.json: not valid JSON"),
        "{err}"
    );
}

/// Issue 11: a clone with an explicit `--github` naming a repository that
/// does not exist keeps the clone's report (written, nothing lost), says
/// why the GitHub signals are not measured, and exits 2; before, the error
/// lost the whole report.
#[test]
fn an_explicit_github_that_does_not_exist_keeps_the_clone_and_exits_2() {
    use wiremock::matchers::path;
    use wiremock::{Mock, ResponseTemplate};
    let (rt, server) = crate::github::start_server();
    rt.block_on(async {
        Mock::given(path("/repos/acme/missing/releases"))
            .respond_with(
                ResponseTemplate::new(404)
                    .set_body_json(serde_json::json!({"message": "Not Found"})),
            )
            .mount(&server)
            .await;
    });
    let ws = two_projects();
    let api = server.uri();
    let run = ws.run(&[
        "report",
        "slow",
        "--github",
        "acme/missing",
        "--api-url",
        &api,
        "--no-cache",
        "--format",
        "json",
    ]);
    let out = run.stdout.clone();
    let err = run.fails(2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["target"]["kind"], "git");
    assert!(v["score"].as_f64().is_some(), "the clone's score is kept");
    let why = crate::common::measurement(&v, "ci.pass_rate")["insufficient"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        why.starts_with(
            "not measured: the GitHub repository acme/missing (--github) could not be read: "
        ) && why.contains("not found (404)"),
        "{why}"
    );
    assert!(err.contains("exit 2"), "{err}");
}
