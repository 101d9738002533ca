//! `--junit GLOB`: JUnit XML test reports as a target of their own, or added
//! to a repository's evidence.

use serde_json::Value;

use crate::common::{Workspace, measurement, monthly_project};

/// A JUnit file of one run on `commit`, at `time`, with `(classname, name, outcome)` cases.
fn junit(commit: &str, time: &str, cases: &[(&str, &str, char)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites><testsuite name=\"pytest\" timestamp=\"{time}\">\n<properties><property name=\"GITHUB_SHA\" value=\"{commit}\"/></properties>\n"
    );
    for (class, name, o) in cases {
        let child = match o {
            'f' => "<failure message=\"boom\"/>",
            'e' => "<error message=\"boom\"/>",
            's' => "<skipped/>",
            _ => "",
        };
        s.push_str(&format!(
            "<testcase classname=\"{class}\" name=\"{name}\">{child}</testcase>\n"
        ));
    }
    s.push_str("</testsuite></testsuites>\n");
    s
}

/// Three runs on one commit: 40 steady tests, one that fails once.
fn reports(ws: &Workspace) {
    std::fs::create_dir_all(ws.path("reports")).unwrap();
    for run in 0..3 {
        let mut cases: Vec<(String, char)> = (0..40).map(|i| (format!("test_{i}"), 'p')).collect();
        cases.push(("test_flaky".into(), if run == 1 { 'f' } else { 'p' }));
        cases.push(("test_skip".into(), 's'));
        let cases: Vec<(&str, &str, char)> = cases
            .iter()
            .map(|(n, o)| ("pkg.test_mod", n.as_str(), *o))
            .collect();
        ws.write(
            &format!("reports/run{run}.xml"),
            &junit("abc123", &format!("2026-08-0{}T10:00:00", run + 1), &cases),
        );
    }
}

fn junit_source(v: &Value) -> &Value {
    v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "junit")
        .expect("a junit source")
}

/// JUnit files alone are a target: no repository, kind "artifacts", both tests.* signals measured.
#[test]
fn junit_files_alone_are_a_target() {
    let ws = Workspace::new();
    reports(&ws);
    let out = ws
        .run(&["report", "--junit", "reports/*.xml", "--format", "json"])
        .ok();
    let v: Value = serde_json::from_str(&out).unwrap();
    // The report says where run times and commits came from.
    let notes = v["sources"][0]["notes"].to_string();
    assert!(
        notes.contains("run times: ") && notes.contains("commits known for "),
        "{notes}"
    );
    // The report writes "Computed from {basis}.": a basis must not bring its own full stop.
    for m in v["measurements"].as_array().unwrap() {
        let basis = m["basis"].as_str().unwrap();
        assert!(!basis.ends_with('.'), "{}: {basis}", m["signal"]);
    }
    assert_eq!(v["target"]["kind"], "artifacts");
    assert_eq!(v["target"]["name"], "reports");
    assert_eq!(v["target"]["location"], "reports/*.xml");
    let pass = measurement(&v, "tests.pass_rate");
    assert_eq!(pass["n"], 123);
    assert!((pass["value"].as_f64().unwrap() - 122.0 / 123.0).abs() < 1e-3);
    let flaky = measurement(&v, "tests.flaky_tests");
    assert_eq!(flaky["value"], 1.0);
    assert_eq!(flaky["n"], 41);
    assert_eq!(flaky["examples"][0]["label"], "pkg.test_mod::test_flaky");
    let src = junit_source(&v);
    assert_eq!(src["items"], 3);
    assert_eq!(src["item"], "files");
    assert_eq!(src["complete"], true);
    // Without a repository, the release signals have nothing to say.
    assert!(measurement(&v, "release.count_365d")["value"].is_null());
}

/// With a git repository, the test evidence joins the same report and collect + report FILE reproduces it.
#[test]
fn junit_files_join_a_repository() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    reports(&ws);
    let args = ["monthly", "--junit", "reports/*.xml", "--no-github"];
    let v: Value = serde_json::from_str(
        &ws.run(&[&["report"][..], &args, &["--format", "json"]].concat())
            .ok(),
    )
    .unwrap();
    assert_eq!(v["target"]["kind"], "git");
    assert_eq!(measurement(&v, "release.count_365d")["value"], 13.0);
    assert_eq!(measurement(&v, "tests.flaky_tests")["value"], 1.0);
    assert!(
        v["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "tests")
    );
    let direct = ws.run(&[&["report"][..], &args].concat()).ok();
    ws.run(&[&["collect"][..], &args, &["-o", "ev.json"]].concat())
        .ok();
    assert_eq!(ws.run(&["report", "ev.json"]).ok(), direct);
    // Saved evidence is not re-read with other files.
    let e = ws
        .run(&["report", "ev.json", "--junit", "reports/*.xml"])
        .fails(2);
    assert!(e.contains("saved evidence"), "{e}");
}

/// A corrupt file among good ones is named in a warning and in the provenance; the others still count.
#[test]
fn corrupt_files_are_skipped_and_named() {
    let ws = Workspace::new();
    reports(&ws);
    let good = ws.read("reports/run0.xml");
    ws.write("reports/run3.xml", &good[..good.len() / 2]);
    ws.write("reports/run4.xml", "<html><body>502</body></html>");
    let r = ws.run(&["report", "--junit", "reports/*.xml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("reports/run3.xml") && r.stderr.contains("truncated"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("reports/run4.xml") && r.stderr.contains("<html>"),
        "{}",
        r.stderr
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let src = junit_source(&v);
    assert_eq!(src["items"], 3);
    assert_eq!(src["complete"], false);
    let notes = src["notes"].to_string();
    assert!(
        notes.contains("run3.xml") && notes.contains("run4.xml"),
        "{notes}"
    );
    assert_eq!(measurement(&v, "tests.pass_rate")["n"], 123);
    // -q silences the warnings, not the provenance.
    let q = ws.run(&[
        "report",
        "-q",
        "--junit",
        "reports/*.xml",
        "--format",
        "json",
    ]);
    assert!(!q.stderr.contains("run3.xml"), "{}", q.stderr);
}

/// Globs that match nothing: an error naming them when they are the only target, a warning otherwise.
#[test]
fn empty_globs() {
    let ws = Workspace::new();
    let e = ws
        .run(&["report", "--junit", "nothing/*.xml", "--junit", "none.xml"])
        .fails(2);
    assert!(e.contains("nothing/*.xml") && e.contains("none.xml"), "{e}");
    reports(&ws);
    let r = ws.run(&[
        "report",
        "--junit",
        "reports/*.xml",
        "--junit",
        "nothing/*.xml",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("\"nothing/*.xml\" matched no files"),
        "{}",
        r.stderr
    );
    let e = ws
        .run(&["compare", "a/b", "c/d", "--junit", "reports/*.xml"])
        .fails(2);
    assert!(e.contains("compare does not take --junit"), "{e}");
}

/// Hostile test names reach markdown escaped: no raw HTML, no mentions, no broken table rows.
#[test]
fn hostile_test_names_are_escaped() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path("r")).unwrap();
    let evil = "a|b &lt;script&gt;alert(1)&lt;/script&gt; `tick` @user&#10;## heading";
    for (i, o) in ['p', 'f', 'p'].iter().enumerate() {
        let cases: Vec<(&str, &str, char)> = vec![("x", evil, *o), ("x", "fine", 'p')];
        ws.write(
            &format!("r/{i}.xml"),
            &junit("c1", &format!("2026-08-0{}T00:00:00Z", i + 1), &cases),
        );
    }
    let md = ws.run(&["report", "--junit", "r/*.xml"]).ok();
    assert!(md.contains("Flaky tests"), "{md}");
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains("@user"), "a raw mention would notify: {md}");
    assert!(
        !md.contains("\n## heading"),
        "a newline in a name broke out: {md}"
    );
    // Every row of a table has as many cell separators as the table's header.
    let mut header: Option<usize> = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        let cells = line.matches('|').count() - line.matches("\\|").count();
        match header {
            None => header = Some(cells),
            Some(h) => assert_eq!(cells, h, "row broke the table: {line}"),
        }
    }
    assert!(md.contains("a\\|b"), "{md}");
}

/// Runs for one environment folder: `artifacts/{env}/run{n}.xml`, one commit, `test_os` failing on windows.
fn matrix_reports(ws: &Workspace) {
    for (env, outcome) in [("linux", 'p'), ("windows", 'f')] {
        std::fs::create_dir_all(ws.path(&format!("artifacts/{env}"))).unwrap();
        for run in 0..2 {
            let cases = [("pkg", "test_os", outcome), ("pkg", "test_ok", 'p')];
            ws.write(
                &format!("artifacts/{env}/run{run}.xml"),
                &junit("abc123", &format!("2026-08-0{}T10:00:00", run + 1), &cases),
            );
        }
    }
}

/// `--junit-env` takes each run's environment from its path: a test failing on every Windows run
/// and passing on every Linux run of one commit is an environment-specific failure, not flaky
/// (without the option it is counted flaky); a bad REGEX is a usage error.
#[test]
fn environments_from_paths_are_compared_apart() {
    let ws = Workspace::new();
    matrix_reports(&ws);
    let args = [
        "report",
        "--junit",
        "artifacts/**/*.xml",
        "--format",
        "json",
    ];
    let mixed: Value = serde_json::from_str(&ws.run(&args).ok()).unwrap();
    assert_eq!(measurement(&mixed, "tests.flaky_tests")["value"], 1.0);
    let env = [&args[..], &["--junit-env", "artifacts/([^/]+)/"]].concat();
    let v: Value = serde_json::from_str(&ws.run(&env).ok()).unwrap();
    let flaky = measurement(&v, "tests.flaky_tests");
    assert_eq!(flaky["value"], 0.0, "{flaky}");
    assert!(
        flaky["basis"]
            .as_str()
            .unwrap()
            .contains("within 2 environments"),
        "{flaky}"
    );
    let pass = measurement(&v, "tests.pass_rate");
    assert_eq!(
        pass["examples"][0]["note"],
        "environment-specific: fails in every run on windows, passes on linux"
    );
    assert!(
        junit_source(&v)["notes"]
            .to_string()
            .contains("environments known for 4"),
        "{}",
        junit_source(&v)["notes"]
    );
    let e = ws
        .run(&[&args[..], &["--junit-env", "("]].concat())
        .fails(2);
    assert!(e.contains("--junit-env \"(\""), "{e}");
}

/// Devices and FIFOs are refused at once with a warning naming them (no 4 GB allocation from
/// /dev/zero, no hang on a FIFO); the source is incomplete and the regular files still count.
#[test]
fn special_files_are_refused() {
    let ws = Workspace::new();
    reports(&ws);
    crate::common::mkfifo(&ws.path("reports/pipe.xml"));
    let r = ws.run(&[
        "report",
        "--junit",
        "reports/*.xml",
        "--junit",
        "/dev/zero",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("reports/pipe.xml: cannot read it: not a regular file (a FIFO)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("/dev/zero: cannot read it: not a regular file (a character device)"),
        "{}",
        r.stderr
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(junit_source(&v)["items"], 3);
    assert_eq!(junit_source(&v)["complete"], false);
}

/// `--junit 'DIR/**/*.xml'` through links that loop back up reads each file once and ends,
/// and the source stays complete; a link to a file already read is left out and counted.
#[test]
fn symlink_loops_are_walked_once() {
    let ws = Workspace::new();
    reports(&ws);
    std::fs::create_dir_all(ws.path("reports/ci")).unwrap();
    std::os::unix::fs::symlink("..", ws.path("reports/ci/a")).unwrap();
    std::os::unix::fs::symlink("..", ws.path("reports/ci/b")).unwrap();
    std::os::unix::fs::symlink("../run0.xml", ws.path("reports/ci/same.xml")).unwrap();
    let out = ws
        .run(&["report", "--junit", "reports/**/*.xml", "--format", "json"])
        .ok();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(junit_source(&v)["items"], 3);
    assert_eq!(junit_source(&v)["complete"], true);
    let notes = junit_source(&v)["notes"].to_string();
    assert!(
        notes.contains("1 matches left out as a file already read"),
        "{notes}"
    );
    assert_eq!(measurement(&v, "tests.pass_rate")["n"], 123);
}

/// Test cases after `</testsuites>` make the file malformed: skipped whole (the pass rate is
/// not diluted by them) and the source is incomplete.
#[test]
fn cases_after_the_root_skip_the_file() {
    let ws = Workspace::new();
    reports(&ws);
    let good = ws.read("reports/run0.xml");
    ws.write(
        "reports/run3.xml",
        &format!("{good}<testcase classname=\"x\" name=\"late\"><failure/></testcase>\n"),
    );
    let r = ws.run(&["report", "--junit", "reports/*.xml", "--format", "json"]);
    assert!(
        r.stderr
            .contains("run3.xml: malformed: <testcase> after the end of the root element"),
        "{}",
        r.stderr
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(measurement(&v, "tests.pass_rate")["n"], 123);
    assert_eq!(junit_source(&v)["complete"], false);
}

/// Peak resident memory of the binary on a 200 MB `<system-out>` stays far below the file's
/// size: the content is skipped, not held (it cost about the file's size before).
#[test]
fn a_huge_system_out_costs_little_memory() {
    use std::io::{Read, Write};
    let ws = Workspace::new();
    let path = ws.path("big.xml");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(
        b"<testsuites><testsuite name=\"s\"><testcase classname=\"c\" name=\"a\"><system-out>",
    )
    .unwrap();
    let line = [b"x".repeat(1023), b"\n".to_vec()].concat();
    for _ in 0..200 * 1024 {
        f.write_all(&line).unwrap();
    }
    f.write_all(
        b"</system-out></testcase><testcase classname=\"c\" name=\"b\"><failure/></testcase>\n",
    )
    .unwrap();
    // Enough tests that the evidence (over 1 MiB) cannot fit in a pipe's buffer.
    for i in 0..50_000 {
        write!(f, "<testcase classname=\"c\" name=\"t{i}\"/>").unwrap();
    }
    f.write_all(b"</testsuite></testsuites>\n").unwrap();
    f.flush().unwrap();
    drop(f);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(["collect", "--junit", "big.xml", "-q"])
        .current_dir(ws.dir.path())
        .env("SOURCE_DATE_EPOCH", crate::common::NOW)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    out.read_exact(&mut first).unwrap();
    // The evidence is being written, so the file has been read; and the process cannot end
    // before the rest is read from the pipe: its own peak (VmHWM) is there to be read.
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let mut rest = Vec::new();
    out.read_to_end(&mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(
        rest.len() > 1 << 20,
        "the output fits in a pipe: {} bytes",
        rest.len()
    );
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM in {status}"));
    assert!(peak_kib < 64 * 1024, "peak resident memory {peak_kib} KiB");
    let ev: Value = serde_json::from_slice(&[&first[..], &rest].concat()).unwrap();
    assert!(
        ev["tests"]["runs"][0]["outcomes"]
            .as_str()
            .unwrap()
            .starts_with("pfp")
    );
}

/// A suite declaring totals without any `<testcase>` is not scored, but warned about with what
/// it declared, and the source is incomplete.
#[test]
fn declared_totals_without_cases_are_warned() {
    let ws = Workspace::new();
    reports(&ws);
    ws.write(
        "reports/totals.xml",
        r#"<testsuites><testsuite name="only totals" tests="6" failures="1" errors="0" skipped="2"/></testsuites>"#,
    );
    let r = ws.run(&["report", "--junit", "reports/*.xml", "--format", "json"]);
    let said = r#"reports/totals.xml: the suite "only totals" declares 6 tests (1 failures, 0 errors, 2 skipped) but holds no <testcase>: not counted"#;
    assert!(r.stderr.contains(said), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(junit_source(&v)["complete"], false);
    assert!(
        junit_source(&v)["notes"]
            .to_string()
            .contains("declares 6 tests")
    );
    assert_eq!(measurement(&v, "tests.pass_rate")["n"], 123);
}
