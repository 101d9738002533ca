//! The integration test binary: every module drives the real `readiness`
//! binary against fixtures the tests build themselves.

mod bench_readers;
mod bench_signals;
mod charts;
mod cli;
mod common;
mod escaping;
mod fuzzkit;
mod github;
mod github_actions;
mod github_enterprise;
mod junit;
mod pipelines;
mod realdata;
mod realdata_bench;
mod releases;
mod rubric_errors;
mod schema;
