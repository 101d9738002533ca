//! Change-point detection: fits a piecewise-constant function to a series.
//! (Placeholder: one segment; the real method replaces it.)

/// One constant piece of a fitted series.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// First index (inclusive).
    pub start: usize,
    /// Last index (exclusive).
    pub end: usize,
    /// The fitted level (the median of the piece).
    pub level: f64,
    /// Mean absolute deviation from `level` within the piece.
    pub spread: f64,
}

/// The pieces of `y` (finite values), in order, covering `0..y.len()`.
#[must_use]
pub fn segments(y: &[f64]) -> Vec<Segment> {
    if y.is_empty() {
        return Vec::new();
    }
    let level = crate::stats::median(y).unwrap_or(0.0);
    let spread = y.iter().map(|v| (v - level).abs()).sum::<f64>() / y.len() as f64;
    vec![Segment {
        start: 0,
        end: y.len(),
        level,
        spread,
    }]
}
