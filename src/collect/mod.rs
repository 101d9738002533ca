//! The collect stage: the only place that reads the outside world. It turns
//! a [`Target`] into [`Evidence`]; everything after it is pure.

pub mod git;

use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::evidence::{Evidence, ReleaseRule, SCHEMA};
use crate::target::Target;
use crate::window::Window;

/// What a collection is asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub window: Window,
    pub release_rule: ReleaseRule,
    /// The moment recorded as `collected_at`.
    pub now: DateTime<Utc>,
}

/// The tool and version recorded in evidence and reports.
#[must_use]
pub fn tool_version() -> String {
    format!("readiness {}", env!("CARGO_PKG_VERSION"))
}

/// Collects evidence about `target`.
///
/// # Errors
/// A target that cannot be read; a saved evidence file is not collected again.
pub fn collect(target: &Target, request: &Request) -> Result<Evidence, Error> {
    match target {
        Target::Git(path) => {
            let repo = git::read(path)?;
            Ok(Evidence {
                schema: SCHEMA,
                tool: tool_version(),
                target: repo.target,
                collected_at: request.now,
                window: request.window,
                release_rule: request.release_rule.clone(),
                sources: vec![repo.provenance],
                tags: Some(repo.tags),
                releases: None,
                items: None,
            })
        }
        Target::Evidence(path) => Err(Error::Usage(format!(
            "{} is an evidence file already; `readiness report {}` scores it",
            path.display(),
            path.display()
        ))),
        Target::GitHub { owner, repo } => Err(Error::Target {
            target: format!("{owner}/{repo}"),
            message: "collecting from GitHub is not available in this version yet; point readiness at a local clone (git clone https://github.com/OWNER/REPO) instead".into(),
        }),
    }
}
