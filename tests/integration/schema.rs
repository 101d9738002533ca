//! `readiness schema`: the JSON Schema of the report and of the comparison,
//! checked against real output with a JSON Schema validator (boon), and
//! against the copies checked in under `schemas/`.

use serde_json::{Value, json};

use crate::common::{Workspace, monthly_project, slow_project};

/// The schema `readiness schema ARGS` prints, compiled (boon checks it
/// against the draft 2020-12 meta-schema on the way) with format
/// assertions on, so that `date-time` strings are checked too.
pub(crate) struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    pub(crate) fn new(ws: &Workspace, args: &[&str]) -> Validator {
        let text = ws.run(args).ok();
        let schema: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("`readiness {}` is not JSON: {e}", args.join(" ")));
        let id = schema["$id"]
            .as_str()
            .expect("the schema has an $id")
            .to_string();
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler
            .add_resource(&id, schema)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let mut schemas = boon::Schemas::new();
        let index = compiler
            .compile(&id, &mut schemas)
            .unwrap_or_else(|e| panic!("{id} does not compile: {e:#}"));
        Validator { schemas, index }
    }

    /// Ok, or the validator's explanation of every failure.
    fn check(&self, instance: &Value) -> Result<(), String> {
        self.schemas
            .validate(instance, self.index)
            .map_err(|e| format!("{e:#}"))
    }

    /// Asserts that `instance` (the output of `what`) is valid.
    pub(crate) fn assert_valid(&self, instance: &Value, what: &str) {
        if let Err(e) = self.check(instance) {
            panic!("{what} does not match its schema:\n{e}");
        }
    }
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn two_projects() -> Workspace {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    ws.repo("slow", &slow_project());
    ws
}

/// The report of a clone matches the report schema: scored and insufficient
/// criteria, values and `null`s, examples, a git source.
#[test]
fn a_report_of_a_clone_matches_the_schema() {
    let ws = two_projects();
    let v = Validator::new(&ws, &["schema"]);
    let report = parse(&ws.run(&["report", "monthly", "--format", "json"]).ok());
    v.assert_valid(&report, "readiness report monthly --format json");
    // Both kinds of criteria and both kinds of values were there to check.
    let criteria: Vec<&Value> = report["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["criteria"].as_array().unwrap())
        .collect();
    assert!(criteria.iter().any(|k| k["status"] == "scored"));
    assert!(criteria.iter().any(|k| k["value"].is_null()));
    // A report of thin evidence (some criteria with a value but too few samples) too.
    let slow = parse(&ws.run(&["report", "slow", "--format", "json"]).ok());
    v.assert_valid(&slow, "readiness report slow --format json");
}

/// The report of JUnit files alone (target kind `artifacts`, no remote, a
/// `junit` source that skipped a broken file and says so) matches the schema.
#[test]
fn a_report_of_junit_files_alone_matches_the_schema() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path("reports")).unwrap();
    for run in 0..3 {
        let mut xml = format!(
            "<?xml version=\"1.0\"?>\n<testsuite name=\"pytest\" timestamp=\"2026-08-0{}T10:00:00\">\n<properties><property name=\"commit\" value=\"abc\"/></properties>\n",
            run + 1
        );
        for i in 0..30 {
            let failure = if i == 7 && run == 1 {
                "<failure message=\"boom\"/>"
            } else {
                ""
            };
            xml.push_str(&format!(
                "<testcase classname=\"pkg.mod\" name=\"test_{i}\">{failure}</testcase>\n"
            ));
        }
        xml.push_str("</testsuite>\n");
        ws.write(&format!("reports/run{run}.xml"), &xml);
    }
    ws.write("reports/broken.xml", "<testsuite><testcase name=\"x\">");
    let v = Validator::new(&ws, &["schema", "report"]);
    let report = parse(
        &ws.run(&["report", "--junit", "reports/*.xml", "--format", "json"])
            .ok(),
    );
    v.assert_valid(
        &report,
        "readiness report --junit 'reports/*.xml' --format json",
    );
    assert_eq!(report["target"]["kind"], "artifacts");
    let junit = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "junit")
        .expect("a junit source");
    assert_eq!(junit["complete"], false, "{junit}");
    assert!(
        crate::common::measurement(&report, "tests.pass_rate")["value"].is_number(),
        "{report}"
    );
}

/// The comparison matches the comparison schema, the full report of every
/// project in it included; it does not match the report schema.
#[test]
fn a_comparison_matches_the_schema() {
    let ws = two_projects();
    let v = Validator::new(&ws, &["schema", "compare"]);
    let comparison = parse(
        &ws.run(&["compare", "monthly", "slow", "--format", "json"])
            .ok(),
    );
    v.assert_valid(&comparison, "readiness compare monthly slow --format json");
    assert_eq!(comparison["projects"].as_array().map(Vec::len), Some(2));
    assert!(
        Validator::new(&ws, &["schema"]).check(&comparison).is_err(),
        "a comparison passed as a report"
    );
}

/// Breaks one field of a report.
type Breakage = fn(&mut Value);

/// The check can fail: a real report with one field broken at a time
/// (a wrong type, a negative count, a missing field, an unknown enum value,
/// a date that is not a date) is refused, and the error names the field.
#[test]
fn a_report_with_a_wrong_field_fails_validation() {
    let ws = two_projects();
    let v = Validator::new(&ws, &["schema"]);
    let report = parse(&ws.run(&["report", "monthly", "--format", "json"]).ok());
    v.assert_valid(&report, "the unbroken report");
    let breakages: [(&str, Breakage); 7] = [
        ("/score", |r| r["score"] = json!("high")),
        ("/coverage", |r| r["coverage"] = Value::Null),
        ("/measurements/0/n", |r| {
            r["measurements"][0]["n"] = json!(-1);
        }),
        ("/categories/0/criteria/0/status", |r| {
            r["categories"][0]["criteria"][0]["status"] = json!("maybe");
        }),
        ("/report_schema", |r| r["report_schema"] = json!(2)),
        ("/window/until", |r| {
            r["window"]["until"] = json!("yesterday");
        }),
        ("grade", |r| {
            r.as_object_mut().unwrap().remove("grade");
        }),
    ];
    for (path, break_it) in breakages {
        let mut broken = report.clone();
        break_it(&mut broken);
        match v.check(&broken) {
            Ok(()) => panic!("a report with {path} broken passed validation"),
            Err(e) => assert!(e.contains(path), "the error does not name {path}:\n{e}"),
        }
    }
}

/// `schemas/*.schema.json` are what the binary prints, so that readers
/// without the binary see the current schema.
#[test]
fn the_checked_in_schemas_are_current() {
    let ws = Workspace::new();
    for (document, file) in [
        ("report", "schemas/report.schema.json"),
        ("compare", "schemas/compare.schema.json"),
        ("history", "schemas/history.schema.json"),
        ("aggregate", "schemas/aggregate.schema.json"),
    ] {
        let printed = ws.run(&["schema", document]).ok();
        let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
        let saved = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            printed == saved,
            "{file} is out of date with the report types; regenerate it with `cargo run -- schema {document} -o {file}` and review the diff"
        );
    }
}

/// The schema is JSON whatever the command line asks; an unknown document is a usage error.
#[test]
fn schema_refuses_other_formats_and_documents() {
    let ws = Workspace::new();
    assert_eq!(
        ws.run(&["schema", "--format", "json"]).ok(),
        ws.run(&["schema"]).ok()
    );
    let e = ws.run(&["schema", "--format", "markdown"]).fails(2);
    assert!(e.contains("takes no --format other than json"), "{e}");
    let e = ws.run(&["schema", "evidence"]).fails(2);
    assert!(
        e.contains("possible values: report, compare, history"),
        "{e}"
    );
}
