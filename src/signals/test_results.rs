//! Test signals from JUnit XML runs: `tests.pass_rate`, `tests.flaky_tests`.

use super::{Measurement, SIGNALS};
use crate::evidence::TestEvidence;
use crate::window::Window;

const IDS: [&str; 2] = ["tests.pass_rate", "tests.flaky_tests"];

/// Measures the `tests.*` signals (`None`: no JUnit XML files were given).
#[must_use]
pub fn measure(tests: Option<&TestEvidence>, window: &Window) -> Vec<Measurement> {
    let _ = tests;
    IDS.iter()
        .filter_map(|id| SIGNALS.iter().find(|d| d.id == *id))
        .map(|d| {
            Measurement::insufficient(d, *window, "JUnit XML files", "not measured yet".into())
        })
        .collect()
}
