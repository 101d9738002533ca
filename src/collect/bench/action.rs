//! placeholder: replaced by the implementation

use crate::evidence::BenchSeries;

/// Reads the text of a github-action-benchmark `data.js` (placeholder).
///
/// # Errors
/// Always, until the reader is written.
pub fn parse_data_js(
    text: &str,
    location: &str,
) -> Result<(Vec<BenchSeries>, Vec<String>), String> {
    let _ = (text, location);
    Err("not read yet".into())
}
