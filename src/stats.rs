//! Small, exact statistics used by the signal families.
//!
//! Every function takes a slice, never panics, and answers `None` where the
//! statistic is undefined (an empty slice, a zero median), so that callers
//! turn "undefined" into "insufficient evidence" instead of a NaN.

/// Sorts a copy of `values`, dropping anything that is not finite.
#[must_use]
pub(crate) fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The `q` quantile (0..=1) of already sorted values, by linear interpolation
/// between closest ranks (the default of numpy and R's type 7).
#[must_use]
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
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
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    quantile_sorted(&sorted_finite(values), 0.5)
}

/// The `q` quantile of `values` (any order).
#[must_use]
pub(crate) fn quantile(values: &[f64], q: f64) -> Option<f64> {
    quantile_sorted(&sorted_finite(values), q)
}

/// Interquartile range divided by the median: a scale-free spread.
/// `None` for an empty slice or a zero median.
#[must_use]
pub(crate) fn iqr_over_median(values: &[f64]) -> Option<f64> {
    let s = sorted_finite(values);
    let med = quantile_sorted(&s, 0.5)?;
    if med == 0.0 {
        return None;
    }
    let iqr = quantile_sorted(&s, 0.75)? - quantile_sorted(&s, 0.25)?;
    Some(iqr / med)
}

/// The Wilson score interval of a proportion: `successes` out of `n`, at the
/// normal quantile `z` (1.96 for 95 %). Unlike `p ± z·sqrt(p(1-p)/n)` it
/// stays inside 0..1 and is not empty at 0 or `n` successes.
/// `None` when `n` is 0, `successes > n`, or `z` is not a finite positive number.
#[must_use]
pub(crate) fn wilson(successes: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || successes > n || !z.is_finite() || z <= 0.0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let (s, n) = (successes as f64, n as f64);
    let p = s / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((center - half).max(0.0), (center + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wilson intervals match hand-computed values: 8/10 at z = 1.96 is
    /// center 0.99208 / 1.38416 = 0.716738, half-width 1.96 * sqrt(0.016 +
    /// 0.009604) / 1.38416 = 0.226581, so 0.490157..0.943319; 0/10 and
    /// 10/10 reach the bounds exactly.
    #[test]
    fn wilson_matches_hand_computed_values() {
        let close = |a: (f64, f64), b: (f64, f64)| {
            assert!(
                (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6,
                "{a:?} vs {b:?}"
            );
        };
        close(wilson(8, 10, 1.96).unwrap(), (0.490_157, 0.943_319));
        close(wilson(0, 10, 1.96).unwrap(), (0.0, 0.277_540));
        close(wilson(10, 10, 1.96).unwrap(), (0.722_460, 1.0));
        close(wilson(95, 100, 1.96).unwrap(), (0.888_248, 0.978_457));
        assert_eq!(wilson(0, 0, 1.96), None);
        assert_eq!(wilson(3, 2, 1.96), None);
        assert_eq!(wilson(1, 2, f64::NAN), None);
    }

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
