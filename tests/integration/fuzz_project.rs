//! Fuzz targets for the readers of what a project under judgement writes:
//! its `.readiness.toml` (`collect::project_file::parse`) and the Git LFS
//! pointers of its repository (`parse_lfs_pointer`). Seeds are valid files,
//! then the kit's byte mutations and arbitrary bytes. Every input must give
//! settings or located problems (each with a line inside the text and the
//! file's name), never a panic. `READINESS_FUZZ_CASES=N` runs longer.

use readiness::collect::bench_results::asv_github::parse_lfs_pointer;
use readiness::collect::project_file::{FILE_NAME, parse};

use crate::fuzzkit;

const DEFAULT_CASES: usize = 600;

const PROJECT_SEEDS: &[&str] = &[
    "tag_prefix = \"release-\"\n",
    "name = \"pandas\"\ngithub = \"pandas-dev/pandas\"\ntag_pattern = '^v(?<version>\\d+\\.\\d+\\.\\d+)$'\nasv = [\"https://pandas-dev.github.io/asv-runner/\", \"github:pandas-dev/asv-runner@2024-01:data/results\"]\n",
    "junit = [\"reports/**/*.xml\"]\nbench_data = [\"dev/bench/data.js\"]\ncriterion = [\"target/criterion\"]\npytest_benchmark = [\".benchmarks/*.json\"]\ntest_artifacts = [\"*-test-ci\", \"Test results *\"]\ncheck_name = \"Unit Test Results\"\n",
    "",
];

/// Tokens of the project file's format, spliced in by the kit.
const PROJECT_TOKENS: &[&[u8]] = &[
    b"asv = ",
    b"tag_pattern = ",
    b"[[project]]",
    b"\"\"\"",
    b"../",
    b"github:",
    b"https://",
];

/// Parses one input: settings, or problems located inside the text.
fn parses_or_locates(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Err(e) = parse(&text, FILE_NAME) else {
        return true;
    };
    assert!(!e.problems.is_empty());
    let lines = text.lines().count().max(1);
    assert!(
        e.problems.iter().all(|p| (1..=lines + 1).contains(&p.line)),
        "{e}"
    );
    assert!(e.to_string().contains(FILE_NAME));
    false
}

#[test]
fn fuzz_project_file() {
    let seeds: Vec<Vec<u8>> = PROJECT_SEEDS
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    let mut outcomes = [0usize; 2];
    let cases = fuzzkit::cases(DEFAULT_CASES);
    let tried = fuzzkit::run("project_file", &seeds, PROJECT_TOKENS, cases, |bytes| {
        outcomes[usize::from(parses_or_locates(bytes))] += 1;
    });
    let [invalid, valid] = outcomes;
    assert!(tried >= PROJECT_SEEDS.len());
    assert!(
        valid >= PROJECT_SEEDS.len() && invalid > 0,
        "{valid} valid, {invalid} invalid"
    );
}

#[test]
fn fuzz_lfs_pointer() {
    let oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
    let seeds: Vec<Vec<u8>> = [
        format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 12345\n"),
        format!("version https://git-lfs.github.com/spec/v1\r\noid sha256:{oid}\r\nsize 0\r\n"),
        "{\"version\": 2, \"results\": {}}".to_string(),
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let (mut pointers, mut refused) = (0, 0);
    fuzzkit::run(
        "lfs_pointer",
        &seeds,
        &[
            b"oid sha256:",
            b"size ",
            b"version https://git-lfs.github.com/spec/v1\n",
            b"18446744073709551616",
        ],
        fuzzkit::cases(DEFAULT_CASES),
        |bytes| match parse_lfs_pointer(&String::from_utf8_lossy(bytes)) {
            Some(Ok(p)) => {
                pointers += 1;
                assert_eq!(p.oid.len(), 64);
                assert!(p.oid.chars().all(|c| c.is_ascii_hexdigit()));
            }
            Some(Err(e)) => {
                refused += 1;
                assert!(e.starts_with("an LFS pointer"), "{e}");
            }
            None => {}
        },
    );
    assert!(
        pointers >= 2 && refused > 0,
        "{pointers} pointers, {refused} refused"
    );
}
