//! The command line, as clap parses it. These are raw values; `app` turns
//! them into validated settings before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Tells whether an open source project is production ready, from evidence
/// instead of anecdotes.
#[derive(Debug, Parser)]
#[command(name = "readiness", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts, before or after its name.
#[derive(Debug, Args, Default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each bool is an independent command-line switch, as clap parses it; `app` validates them into settings"
)]
pub struct Global {
    /// Start of the window: YYYY-MM-DD, an RFC 3339 time, or a number of days before --until (90d) [default: 365 days before --until]
    #[arg(long, global = true, value_name = "DATE")]
    pub since: Option<String>,

    /// End of the window, "as of" this date: YYYY-MM-DD (the whole day) or an RFC 3339 time [default: now]
    #[arg(long, global = true, value_name = "DATE")]
    pub until: Option<String>,

    /// The rubric: a TOML file, or the name of a built-in rubric [default: default]
    #[arg(long, global = true, value_name = "FILE|NAME")]
    pub rubric: Option<String>,

    /// A handlebars template that replaces the built-in one for this command
    #[arg(long, global = true, value_name = "FILE")]
    pub template: Option<PathBuf>,

    /// Output format
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,

    /// Write to FILE (atomically) instead of standard output
    #[arg(short = 'o', long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Strip this prefix from tag names before reading them as versions, instead of an optional "v"
    #[arg(long, global = true, value_name = "PREFIX")]
    pub tag_prefix: Option<String>,

    /// Count as releases exactly the tags matching REGEX; a capture group named "version" (or the first group) gives the version
    #[arg(long, global = true, value_name = "REGEX")]
    pub tag_pattern: Option<String>,

    /// GitHub API URL, for GitHub Enterprise (https://HOST/api/v3) [env: GITHUB_API_URL] [default: https://api.github.com]
    #[arg(long, global = true, value_name = "URL")]
    pub api_url: Option<String>,

    /// GitHub token [env: GH_TOKEN, then GITHUB_TOKEN; for an --api-url not github.com's: GH_ENTERPRISE_TOKEN, then GITHUB_ENTERPRISE_TOKEN]; never printed or stored
    #[arg(long, global = true, value_name = "TOKEN")]
    pub token: Option<String>,

    /// The GitHub repository of a local clone (OWNER/REPO) [default: from the clone's origin remote]
    #[arg(long, global = true, value_name = "OWNER/REPO")]
    pub github: Option<String>,

    /// Do not combine a local clone with its GitHub repository
    #[arg(long, global = true, conflicts_with = "github")]
    pub no_github: bool,

    /// Where GitHub responses are cached [default: the user's cache folder, readiness/]
    #[arg(long, global = true, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Neither read nor write the cache
    #[arg(long, global = true, conflicts_with_all = ["cache_dir", "offline"])]
    pub no_cache: bool,

    /// Answer from the cache alone, without network; what is missing is marked incomplete
    #[arg(long, global = true)]
    pub offline: bool,

    /// The files named as evidence (`--junit`, `--asv`...), declared with their readers in `collect`.
    #[command(flatten)]
    pub inputs: crate::collect::Inputs,

    #[command(flatten)]
    pub test_reports: TestReportArgs,

    /// Leave the trend charts (and their data in JSON) out of reports
    #[arg(long, global = true)]
    pub no_charts: bool,

    /// Also append the markdown report to the file named by GITHUB_STEP_SUMMARY (GitHub Actions), whatever --format is
    #[arg(long, global = true)]
    pub step_summary: bool,

    /// No progress or notices on standard error
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// Where a GitHub target's test reports are looked for (check runs and Actions artifacts).
#[derive(Debug, Args, Default)]
pub struct TestReportArgs {
    /// Check runs whose summary holds a publish-unit-test-result-action digest (repeatable) [default: "Test Results", "Unit Test Results"]
    #[arg(long = "check-name", global = true, value_name = "NAME")]
    pub check_names: Vec<String>,

    /// Read the check runs of at most N commits, the newest default-branch runs' (0: none) [default: 60]
    #[arg(long, global = true, value_name = "N")]
    pub check_run_commits: Option<usize>,

    /// Read the JUnit XML in the Actions artifacts of at most N runs, the newest completed default-branch runs (0: none; needs a token) [default: 30]
    #[arg(long, global = true, value_name = "N")]
    pub test_runs: Option<usize>,

    /// Artifacts read for JUnit XML, by name (a glob, any case; repeatable) [default: *]
    #[arg(long = "test-artifact", global = true, value_name = "GLOB")]
    pub test_artifacts: Vec<String>,

    /// Artifacts left out, by name (a glob, any case; repeatable) [default: *cluster_dumps*, Event File, *coverage*, *benchmark*, *asv*]
    #[arg(long = "skip-artifact", global = true, value_name = "GLOB")]
    pub skip_artifacts: Vec<String>,

    /// Artifacts read for benchmark results, by name: the newest of each name, an asv results folder or a Coiled database (a glob, any case; repeatable; needs a token) [default: asv-benchmark-results*, asv-results*, benchmark]
    #[arg(long = "bench-artifact", global = true, value_name = "GLOB")]
    pub bench_artifacts: Vec<String>,

    /// Artifacts larger than this are not downloaded [default: 200]
    #[arg(long, global = true, value_name = "MB")]
    pub artifact_max_mb: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people
    Markdown,
    /// For machines (documented in the README)
    Json,
    /// A shields.io endpoint badge (report only)
    Badge,
    /// Comma-separated values, one row per point (history only)
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect, measure, score and render a report on one target
    Report {
        /// A local git clone, an evidence file from `readiness collect`, OWNER/REPO or a GitHub URL [default: ., or none with --junit]; with --projects, a project's name
        target: Option<String>,
        /// A projects file (TOML, `[[project]]` with name and sources): report on the project TARGET names
        #[arg(long, value_name = "FILE", requires = "target")]
        projects: Option<PathBuf>,
        /// Exit with code 1 (after writing the report) when the overall score is below SCORE or there is none
        #[arg(long, value_name = "SCORE")]
        fail_under: Option<f64>,
        /// Append this run's scorecard to a history file, one JSON line (read it with `readiness history --from FILE`)
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// With --record: exit with code 1 when the score fell by more than POINTS since the previous recorded run of the target
        #[arg(long, value_name = "POINTS", requires = "record")]
        fail_on_drop: Option<f64>,
    },
    /// The scorecard over time: at the end of each month or quarter from one collection, or the runs recorded in a history file
    History {
        /// A local git clone, an evidence file, OWNER/REPO or a GitHub URL; with --from, the target whose records to show [default: ., or none with --junit]
        target: Option<String>,
        /// Take a point at the end of each month or quarter
        #[arg(long, value_enum, default_value_t = crate::history::Every::Month, conflicts_with = "from")]
        every: crate::history::Every,
        /// How many points: the last N periods (default 12), or with --from the last N records (default all)
        #[arg(long, value_name = "N")]
        last: Option<usize>,
        /// Show the runs recorded in this history file (`report --record FILE`) instead of collecting
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// Exit with code 1 when the latest score fell by more than POINTS since the point before
        #[arg(long, value_name = "POINTS")]
        fail_on_drop: Option<f64>,
        /// A projects file (TOML, `[[project]]`): TARGET is the name of the project, collected with its own options
        #[arg(long, value_name = "FILE", conflicts_with = "from")]
        projects: Option<PathBuf>,
    },
    /// Collect evidence and save it as JSON, to be scored later with `readiness report FILE`
    Collect {
        /// A local git clone, OWNER/REPO or a GitHub URL [default: none with --junit]
        target: Option<String>,
    },
    /// Score several targets with the same rubric and window, side by side; or sum up the output of `readiness batch` (.ndjson files)
    Compare {
        /// Local git clones, evidence files, OWNER/REPO or GitHub URLs (two or more); batch outputs (.ndjson), whose aggregates are shown; with --projects, the names of the projects to compare [default: all of them]
        #[arg(required_unless_present = "projects")]
        targets: Vec<String>,
        /// A projects file (TOML, `[[project]]` with name and sources): each project collected with its own options
        #[arg(long, value_name = "FILE")]
        projects: Option<PathBuf>,
        /// With batch outputs: how many top and bottom projects each category lists
        #[arg(long, value_name = "N", default_value_t = 5)]
        top: usize,
    },
    /// Score many GitHub repositories within one token's rate limit: one JSON line per project, appended to -o as each finishes; a rerun resumes
    Batch {
        /// A list of projects: one OWNER/REPO (or GitHub URL) a line, # starting a comment; or a projects file (.toml, `[[project]]` with github)
        input: PathBuf,
        /// Only this share of the input, I/N with 0 <= I < N: the projects whose lower-cased name's FNV-1a 64 hash is I modulo N
        #[arg(long, value_name = "I/N")]
        shard: Option<crate::batch::shard::Shard>,
        /// When the token's budget is spent, wait for its reset instead of stopping (a rerun goes on where it stopped)
        #[arg(long)]
        wait_for_reset: bool,
        /// Projects collected at once
        #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: u16,
        /// REST requests a minute at most (GraphQL: 2000/900 of it) [default: 900, GitHub's secondary limit]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        per_minute: Option<u32>,
    },
    /// List every signal: id, unit, definition
    Signals,
    /// Work with rubrics
    Rubric {
        #[command(subcommand)]
        command: RubricCommand,
    },
    /// Print a shell completion script: `readiness completions bash > /etc/bash_completion.d/readiness`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `readiness man > readiness.1`
    Man,
    /// Print the JSON Schema (draft 2020-12) of the JSON report, the comparison or the history
    Schema {
        /// The JSON document to describe
        #[arg(value_enum, value_name = "DOCUMENT", default_value_t = SchemaOf::Report)]
        of: SchemaOf,
    },
}

/// The JSON documents `readiness schema` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaOf {
    /// The report: `readiness report --format json`
    Report,
    /// The comparison: `readiness compare --format json`
    Compare,
    /// The history: `readiness history --format json`
    History,
    /// The aggregate of batch outputs: `readiness compare OUT.ndjson --format json`
    Aggregate,
}

#[derive(Debug, Subcommand)]
pub enum RubricCommand {
    /// Validate a rubric file and explain every problem
    Check {
        /// The rubric TOML file (or a built-in rubric's name)
        file: String,
    },
    /// List the built-in rubrics
    List,
    /// Print a built-in rubric's TOML, to start a rubric of your own from
    Show {
        /// The built-in rubric's name
        #[arg(default_value = "default")]
        name: String,
    },
}
