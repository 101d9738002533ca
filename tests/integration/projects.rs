//! The projects file: each project's options reach that project and no
//! other; errors name the file, line and key; paths are relative to the file.

use serde_json::Value;

use crate::common::{RepoBuilder, Workspace, measurement, monthly_project};

/// Two release lines, as polars has (`py-` and `rs-`): library releases
/// under `lib-`, and more application releases under `app-`, the line read
/// without a prefix.
fn prefixed_project() -> RepoBuilder {
    let mut b = RepoBuilder::new();
    for m in 1..=8 {
        b = b.tag(&format!("app-0.{m}.0"), &format!("2026-0{m}-12T00:00:00Z"));
        if m <= 6 {
            b = b.tag(&format!("lib-1.{m}.0"), &format!("2026-0{m}-10T00:00:00Z"));
        }
    }
    b
}

fn project<'a>(cmp: &'a Value, name: &str) -> &'a Value {
    cmp["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["target"]["name"] == name)
        .unwrap_or_else(|| panic!("no project {name}"))
}

fn count(report: &Value) -> Value {
    measurement(report, "release.count_365d")["value"].clone()
}

const JUNIT: &str = r#"<testsuite name="s" timestamp="2026-08-01T00:00:00Z"><testcase classname="c" name="a"/><testcase classname="c" name="b"/></testsuite>"#;

fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.repo("clones/monthly", &monthly_project());
    ws.repo("clones/polarsish", &prefixed_project());
    std::fs::create_dir_all(ws.path("cfg/reports")).unwrap();
    ws.write("cfg/reports/run1.xml", JUNIT);
    ws.write(
        "cfg/p.toml",
        r#"# Paths are relative to this file's folder.
[[project]]
name = "steady"
clone = "../clones/monthly"

[[project]]
name = "polars-like"
clone = "../clones/polarsish"
tag_prefix = "lib-"
junit = ["reports/*.xml"]
"#,
    );
    ws
}

/// The prefix counts the `lib-` tags, and changes no one else's numbers;
/// the JUnit files are polars' alone; the names are the file's.
#[test]
fn each_project_gets_its_own_options() {
    let ws = workspace();
    let cmp: Value = serde_json::from_str(
        &ws.run(&["compare", "--projects", "cfg/p.toml", "--format", "json"])
            .ok(),
    )
    .unwrap();
    let steady = project(&cmp, "steady");
    let polars = project(&cmp, "polars-like");
    assert_eq!(count(polars), 6.0, "the six lib- tags");
    // The steady project counts as it does alone, without any prefix.
    let alone: Value = serde_json::from_str(
        &ws.run(&["report", "./clones/monthly", "--format", "json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(count(steady), count(&alone));
    // The global flag would have counted nothing for the steady project.
    let global: Value = serde_json::from_str(
        &ws.run(&[
            "report",
            "./clones/monthly",
            "--tag-prefix",
            "lib-",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    assert_ne!(count(&global), count(steady));
    // Without the prefix the other line is read.
    let unprefixed: Value = serde_json::from_str(
        &ws.run(&["report", "./clones/polarsish", "--format", "json"])
            .ok(),
    )
    .unwrap();
    assert_ne!(count(&unprefixed), count(polars));
    // The JUnit files (relative to cfg/) reached polars and only polars.
    assert_eq!(measurement(polars, "tests.pass_rate")["n"], 2);
    assert!(measurement(steady, "tests.pass_rate")["value"].is_null());
    // `report --projects FILE NAME` is that same project.
    let one: Value = serde_json::from_str(
        &ws.run(&[
            "report",
            "--projects",
            "cfg/p.toml",
            "polars-like",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    assert_eq!(one["target"]["name"], "polars-like");
    assert_eq!(count(&one), count(polars));
    // The markdown names the projects as the file does.
    let md = ws.run(&["compare", "--projects", "cfg/p.toml"]).ok();
    assert!(
        md.starts_with("# Readiness comparison: steady vs polars-like"),
        "{md}"
    );
}

/// Names on the command line choose projects of the file; an unknown one
/// gets a suggestion; options that belong to one project are refused.
#[test]
fn names_choose_projects_and_one_target_options_are_refused() {
    let ws = workspace();
    ws.write(
        "cfg/three.toml",
        &(ws.read("cfg/p.toml")
            + "\n[[project]]\nname = \"third\"\nclone = \"../clones/monthly\"\n"),
    );
    let cmp: Value = serde_json::from_str(
        &ws.run(&[
            "compare",
            "--projects",
            "cfg/three.toml",
            "third",
            "steady",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    let names: Vec<&str> = cmp["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["target"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["third", "steady"]);
    let e = ws
        .run(&["report", "--projects", "cfg/p.toml", "polars_like"])
        .fails(2);
    assert!(
        e.contains("no project named \"polars_like\"; did you mean \"polars-like\"?"),
        "{e}"
    );
    let e = ws
        .run(&["compare", "--projects", "cfg/p.toml", "steady"])
        .fails(2);
    assert!(e.contains("two or more projects, and has 1"), "{e}");
    let e = ws
        .run(&["compare", "--projects", "cfg/p.toml", "--junit", "x.xml"])
        .fails(2);
    assert!(
        e.contains("write junit in the project's [[project]] table"),
        "{e}"
    );
    let e = ws
        .run(&["compare", "--projects", "cfg/p.toml", "--github", "a/b"])
        .fails(2);
    assert!(e.contains("instead of --github"), "{e}");
}

/// Every problem of the file at once, each with its file, line and key, and
/// a suggestion for a misspelt key; nothing is collected.
#[test]
fn errors_name_the_file_line_and_key() {
    let ws = Workspace::new();
    ws.write(
        "bad.toml",
        "[[project]]\nname = \"a\"\ngithub = \"a/b\"\ntag_prefx = \"py-\"\n\n[[project]]\nname = \"b\"\nclone = \"missing\"\n",
    );
    let e = ws.run(&["compare", "--projects", "bad.toml"]).fails(2);
    assert!(e.contains("projects file bad.toml is not valid"), "{e}");
    assert!(e.contains("bad.toml:4:1: key `tag_prefx`"), "{e}");
    assert!(e.contains("did you mean `tag_prefix`?"), "{e}");
    ws.write(
        "bad.toml",
        "[[project]]\nname = \"a\"\ngithub = \"a/b\"\n\n[[project]]\nname = \"b\"\nclone = \"missing\"\n",
    );
    let e = ws.run(&["report", "--projects", "bad.toml", "a"]).fails(2);
    assert!(
        e.contains("bad.toml:7:9: key `clone`: no such folder: missing"),
        "{e}"
    );
    let e = ws.run(&["compare", "--projects", "none.toml"]).fails(2);
    assert!(e.contains("cannot read none.toml"), "{e}");
}

/// A name from the file is untrusted text: escaped in the title, the
/// verdicts, the table and the charts' key and tables.
#[test]
fn names_are_escaped() {
    let ws = Workspace::new();
    ws.repo("clones/monthly", &monthly_project());
    ws.write(
        "p.toml",
        "[[project]]\nname = \"<img src=x> @octocat | www.evil.example\"\nclone = \"clones/monthly\"\n\n[[project]]\nname = \"plain\"\nclone = \"clones/monthly\"\n",
    );
    let md = ws.run(&["compare", "--projects", "p.toml"]).ok();
    assert!(md.contains("Lines, in order: "), "{md}");
    for raw in ["<img", "@octocat", "www.evil.example"] {
        assert!(!md.contains(raw), "{raw:?} unescaped in:\n{md}");
    }
}
