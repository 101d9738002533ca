//! CI signals from GitHub Actions runs: `ci.pass_rate`, `ci.flaky_rate`,
//! `ci.duration_p50_minutes`.

use super::{Measurement, SIGNALS};
use crate::evidence::WorkflowRun;
use crate::window::Window;

const IDS: [&str; 3] = ["ci.pass_rate", "ci.flaky_rate", "ci.duration_p50_minutes"];

/// Measures the `ci.*` signals (`None`: no GitHub Actions runs were collected).
#[must_use]
pub fn measure(runs: Option<&[WorkflowRun]>, window: &Window) -> Vec<Measurement> {
    let _ = runs;
    IDS.iter()
        .filter_map(|id| SIGNALS.iter().find(|d| d.id == *id))
        .map(|d| {
            Measurement::insufficient(d, *window, "GitHub Actions runs", "not measured yet".into())
        })
        .collect()
}
