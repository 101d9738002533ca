//! Fuzz target for the JUnit XML reader: valid reports of every producer
//! shape, their byte mutations and arbitrary bytes, read in-process.

use std::io::BufReader;

use chrono::{DateTime, Utc};
use readiness::collect::junit::{Collected, JunitReader};
use readiness::signals::test_results;
use readiness::window::Window;

use crate::fuzzkit;

/// Cases per run in a debug build (`READINESS_FUZZ_CASES=N` for a longer run).
const DEFAULT: usize = 10_000;

fn seeds() -> Vec<Vec<u8>> {
    [
        r#"<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" timestamp="2026-07-01T10:00:00.123456" hostname="h"><properties><property name="GITHUB_SHA" value="abc"/><property name="env" value="py3.12"/></properties><testcase classname="t.a" name="ok"/><testcase classname="t.a" name="bad[1]"><failure message="m">x &amp; y</failure></testcase><testcase classname="t.a" name="bad[1]"/><testcase classname="t.a" name="err"><error/></testcase><testcase classname="t.a" name="sk"><skipped type="pytest.skip"/></testcase></testsuite></testsuites>"#,
        r#"<testsuites name="nextest-run" timestamp="2026-07-02T08:00:00.000+02:00"><testsuite name="c::lib"><testcase name="f" classname="c::lib"><flakyFailure message="x"><stackTrace>boom</stackTrace><system-out>out</system-out></flakyFailure></testcase><testcase name="b" classname="c::lib"><failure/><rerunFailure/></testcase></testsuite></testsuites>"#,
        r#"<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="com.acme.T" tests="2"><properties><property name="timestamp" value="Sat, 03 Dec 2022 23:10:07 GMT"/></properties><testcase name="m" classname="com.acme.T"><system-out><![CDATA[</system-out> <testcase/> ]]></system-out></testcase><testcase name="m" classname="com.acme.T"><flakyError/></testcase></testsuite>"#,
        r#"<testsuites name="jest tests"><testsuite name="a.test.js" timestamp="2021-03-07T10:36:56 UTC"><testsuite name="deep"><testcase classname="x y" name="y" file="a.test.js"/></testsuite><testcase classname="" name="z" status="disabled"/></testsuite></testsuites>"#,
        r#"<testsuites tests="3" name="AllTests"><testsuite name="S" tests="3"><testcase name="a" status="run" result="completed" classname="S"/><testcase name="DISABLED_b" status="notrun" result="suppressed" classname="S"/><testcase name="c" status="run" result="skipped" classname="S"><skipped message="s"/></testcase></testsuite></testsuites>"#,
        r#"<testsuites tests="6"><testsuite name="empty" tests="6" failures="1"/></testsuites>"#,
        r"<testsuite><testcase/><testcase><skipped/></testcase><testcase><failure/></testcase><testcase><error/></testcase><!-- c --></testsuite>",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

const TOKENS: &[&[u8]] = &[
    b"</testsuites>",
    b"<testsuite name=\"pytest\">",
    b"<testcase classname=\"c\" name=\"n\">",
    b"</testcase>",
    b"<testcase/>",
    b"<system-out>",
    b"</system-out>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<failure/>",
    b"<flakyFailure>",
    b" status=\"disabled\"",
    b" timestamp=\"Sat, 03 Dec 2022 23:10:07 GMT\"",
    b"&#0;",
    b"&amp;",
    b"<a:testcase xmlns:a=\"u\">",
    b"\xff\xfe",
];

fn read(bytes: &[u8], capacity: usize) -> Collected {
    let mut r = JunitReader::new();
    r.read(BufReader::with_capacity(capacity, bytes), "fuzz.xml", None);
    r.finish()
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Arbitrary and mutated JUnit XML never panics; each file is a run or a skip naming it; outcome
/// letters stay in the alphabet; the result does not depend on how the input is cut into reads
/// (the content skipper crosses buffer boundaries); measurements hold no NaN or infinity.
#[test]
fn junit_reader_fuzz() {
    let window = Window {
        since: t("2000-01-01T00:00:00Z"),
        until: t("2100-01-01T00:00:00Z"),
    };
    let tried = fuzzkit::run(
        "junit",
        &seeds(),
        TOKENS,
        fuzzkit::cases(DEFAULT),
        |bytes| {
            let whole = read(bytes, 1 << 16);
            let ev = &whole.evidence;
            assert_eq!(ev.runs.len() + whole.skipped.len(), 1);
            if let Some((file, why)) = whole.skipped.first() {
                assert_eq!(file, "fuzz.xml");
                assert!(!why.is_empty());
                assert!(ev.tests.is_empty(), "a skipped file left tests behind");
            }
            for run in &ev.runs {
                assert!(run.outcomes.len() <= ev.tests.len());
                assert!(run.outcomes.bytes().all(|c| b"pfesx.".contains(&c)));
            }
            let mut ids = ev.tests.clone();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), ev.tests.len(), "a test id is stored twice");
            let cut = read(bytes, 1 + bytes.len() % 7);
            assert_eq!(cut.evidence, whole.evidence, "reads cut otherwise disagree");
            assert_eq!(cut.skipped.len(), whole.skipped.len());
            for m in test_results::measure(Some(ev), &window) {
                assert!(
                    m.value.is_none_or(f64::is_finite),
                    "{}: {:?}",
                    m.signal,
                    m.value
                );
            }
        },
    );
    assert!(tried >= seeds().len());
}
