//! Benchmark signals (placeholder until the family is written).

use super::{Measurement, def};
use crate::evidence::BenchEvidence;
use crate::rubric::BenchParams;
use crate::window::Window;

const IDS: [&str; 3] = [
    "bench.noise_cv_p50",
    "bench.stable_share",
    "bench.regressions",
];

/// Measures the benchmark signals.
#[must_use]
pub fn measure(
    bench: Option<&BenchEvidence>,
    window: &Window,
    params: &BenchParams,
) -> Vec<Measurement> {
    let _ = (bench, params);
    IDS.iter()
        .map(|id| {
            Measurement::insufficient(
                def(id),
                *window,
                "benchmark results",
                "not measured yet".into(),
            )
        })
        .collect()
}
