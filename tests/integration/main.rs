//! The integration test binary: every module drives the real `readiness`
//! binary against fixtures the tests build themselves.

mod badge;
mod batch;
mod bench_readers;
mod bench_signals;
mod cache;
mod charts;
mod cli;
mod common;
mod compare_charts;
mod compare_concurrent;
mod escaping;
mod evidence_files;
mod examples;
mod fuzz_batch;
mod fuzz_bench;
mod fuzz_evidence;
mod fuzz_github;
mod fuzz_junit;
mod fuzz_rubric;
mod fuzzkit;
mod github;
mod github_actions;
mod github_enterprise;
mod github_faults;
mod junit;
mod pipelines;
mod projects;
mod realdata;
mod realdata_bench;
mod releases;
mod rubric_errors;
mod schema;
mod templates;
