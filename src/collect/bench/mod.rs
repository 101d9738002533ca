//! Benchmark results read from files: ASV results folders and published
//! graphs (`--asv`), github-action-benchmark data files (`--bench-data`),
//! criterion output folders (`--criterion`) and pytest-benchmark JSON files
//! (`--pytest-benchmark`). Each reader turns its tool's files into
//! [`BenchSeries`]; a file that cannot be read is skipped with a warning
//! that names it, and the rest still count.

pub mod action;
pub mod asv;
pub mod criterion;
pub mod pytest;

use std::path::PathBuf;

use crate::error::Error;
use crate::evidence::{BenchSeries, Provenance};

/// The benchmark files asked for on the command line.
#[derive(Debug, Clone, Default)]
pub struct BenchInputs {
    /// `--asv DIR`: an ASV results folder (`results/`, holding `benchmarks.json`
    /// and one folder per machine) or a published `asv publish` folder (`graphs/`).
    pub asv: Vec<PathBuf>,
    /// `--bench-data FILE`: github-action-benchmark `data.js` (or its JSON).
    pub bench_data: Vec<PathBuf>,
    /// `--criterion DIR`: folders holding criterion output (`**/new/estimates.json`).
    pub criterion: Vec<PathBuf>,
    /// `--pytest-benchmark GLOB`: pytest-benchmark JSON files.
    pub pytest_benchmark: Vec<String>,
}

impl BenchInputs {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.asv.is_empty()
            && self.bench_data.is_empty()
            && self.criterion.is_empty()
            && self.pytest_benchmark.is_empty()
    }
}

/// What reading the benchmark inputs gave.
#[derive(Debug, Default)]
pub struct BenchRead {
    /// Every series, points in time order.
    pub series: Vec<BenchSeries>,
    /// One entry per input (`source` is the tool: `asv`, `github-action-benchmark`,
    /// `criterion`, `pytest-benchmark`), with what was skipped in `notes`.
    pub provenance: Vec<Provenance>,
    /// Problems worth a line on standard error, each naming the file or series.
    pub warnings: Vec<String>,
}

/// Reads every input.
///
/// # Errors
/// Only an input the user named that cannot be used at all: a folder or
/// file that does not exist, a glob that is not valid. Bad files inside
/// are warnings.
pub fn read(inputs: &BenchInputs) -> Result<BenchRead, Error> {
    let _ = inputs;
    Err(Error::Usage("benchmark inputs are not read yet".into()))
}
