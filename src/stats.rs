//! Small, exact statistics used by the signal families.
//!
//! Every function takes a slice, never panics, and answers `None` where the
//! statistic is undefined (an empty slice, a zero median), so that callers
//! turn "undefined" into "insufficient evidence" instead of a NaN.

/// Sorts a copy of `values`, dropping anything that is not finite.
#[must_use]
pub fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The `q` quantile (0..=1) of already sorted values, by linear interpolation
/// between closest ranks (the default of numpy and R's type 7).
#[must_use]
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let pos = q * (sorted.len() - 1) as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    #[allow(clippy::cast_precision_loss)]
    let frac = pos - lo as f64;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * frac)
}

/// The median of `values` (any order).
#[must_use]
pub fn median(values: &[f64]) -> Option<f64> {
    quantile_sorted(&sorted_finite(values), 0.5)
}

/// The `q` quantile of `values` (any order).
#[must_use]
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    quantile_sorted(&sorted_finite(values), q)
}

/// Interquartile range divided by the median: a scale-free spread.
/// `None` for an empty slice or a zero median.
#[must_use]
pub fn iqr_over_median(values: &[f64]) -> Option<f64> {
    let s = sorted_finite(values);
    let med = quantile_sorted(&s, 0.5)?;
    if med == 0.0 {
        return None;
    }
    let iqr = quantile_sorted(&s, 0.75)? - quantile_sorted(&s, 0.25)?;
    Some(iqr / med)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_lengths() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [25, 75, 90]) == [2, 4, 7.6]
        let v = [10.0, 1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.25), Some(2.0));
        assert_eq!(quantile(&v, 0.75), Some(4.0));
        assert!((quantile(&v, 0.9).unwrap() - 7.6).abs() < 1e-12);
        assert_eq!(quantile(&v, 1.5), None);
    }

    #[test]
    fn non_finite_values_are_ignored() {
        assert_eq!(median(&[f64::NAN, 1.0, f64::INFINITY, 3.0]), Some(2.0));
    }

    #[test]
    fn iqr_over_median_is_scale_free_and_undefined_at_zero() {
        let v = [10.0, 20.0, 30.0, 40.0, 50.0];
        let scaled: Vec<f64> = v.iter().map(|x| x * 7.0).collect();
        let a = iqr_over_median(&v).unwrap();
        assert!((a - 20.0 / 30.0).abs() < 1e-12);
        assert!((a - iqr_over_median(&scaled).unwrap()).abs() < 1e-12);
        assert_eq!(iqr_over_median(&[0.0, 0.0, 1.0]), None);
    }
}
