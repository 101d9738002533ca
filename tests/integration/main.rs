//! The integration test binary: every module drives the real `readiness`
//! binary against fixtures the tests build themselves.

mod cli;
mod common;
mod github;
mod github_actions;
mod github_enterprise;
mod junit;
mod pipelines;
mod realdata;
mod rubric_errors;
mod schema;
