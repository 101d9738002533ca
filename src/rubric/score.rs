//! The score stage: measurements and a rubric in, a [`Scorecard`] out. Pure.
//!
//! A criterion scores `100 * (value - bad) / (good - bad)`, clamped to
//! 0..=100, so the direction follows from which of good and bad is larger.
//! A criterion without a value, or with fewer samples than `min_samples`,
//! is "insufficient evidence": it is shown but left out of the score, and
//! the coverage (the share of the rubric's weight that had evidence) drops.
//! A category scores the weighted mean of its scored criteria; the overall
//! score is the mean of category scores weighted by category weight times
//! category coverage, which is the same as weighting every scored criterion
//! by its share of the whole rubric. A category marked `required` in which
//! no criterion could be scored withholds the grade, whatever the coverage.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Criterion, Rubric};
use crate::signals::{Measurement, Unit};

/// A rubric applied to measurements: the overall score, grade and coverage,
/// and the score of every category and criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Scorecard {
    /// 0..=100, one decimal; `null` (`None`) when nothing could be scored.
    pub score: Option<f64>,
    /// The label of the grade band the score falls in, or the rubric's
    /// `insufficient` label when the coverage is under its `min_coverage`
    /// or a required category has no evidence (`missing_required`).
    pub grade: String,
    /// Share (0..=1) of the rubric's weight backed by evidence.
    pub coverage: f64,
    /// The ids of the categories the rubric marks `required` in which no
    /// criterion could be scored, in rubric order. While it is not empty
    /// the grade is withheld (the rubric's `insufficient` label), whatever
    /// the coverage; the score is still given.
    pub missing_required: Vec<String>,
    /// Why the grade is withheld (`grade` is the rubric's `insufficient`
    /// label), in one phrase: `coverage 25 % is under the rubric's minimum 50 %`;
    /// `null` (`None`) when there is a grade.
    #[serde(default)]
    pub withheld: Option<String>,
    /// True when every scored criterion is a `release.*` signal: the score
    /// is then a release-cadence score, and is labelled so wherever shown.
    #[serde(default)]
    pub release_only: bool,
    /// One entry per rubric category, in rubric order.
    pub categories: Vec<CategoryScore>,
}

/// The score of one rubric category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CategoryScore {
    /// The category's `id` in the rubric.
    pub id: String,
    /// The category's display name.
    pub name: String,
    /// The category's weight in the rubric.
    pub weight: f64,
    /// The weighted mean (0..=100, one decimal) of its scored criteria;
    /// `null` (`None`) when none could be scored.
    pub score: Option<f64>,
    /// Share (0..=1) of the category's criterion weight backed by evidence.
    pub coverage: f64,
    /// One entry per criterion, in rubric order.
    pub criteria: Vec<CriterionScore>,
}

/// The score of one rubric criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CriterionScore {
    /// The signal id (`readiness signals` lists them).
    pub signal: String,
    /// The measured value; `null` (`None`) when there is none. It is present but
    /// not scored when there were fewer samples than `min_samples`.
    pub value: Option<f64>,
    /// The signal's unit.
    pub unit: Unit,
    /// How many samples the value rests on.
    pub n: u64,
    /// The value that scores 100.
    pub good: f64,
    /// The value that scores 0.
    pub bad: f64,
    /// The criterion's weight within its category.
    pub weight: f64,
    /// Fewer samples than this and the criterion is insufficient.
    pub min_samples: u64,
    /// 0..=100, one decimal; `null` (`None`) when the criterion is insufficient.
    pub score: Option<f64>,
    /// `scored` or `insufficient`.
    pub status: Status,
    /// Why the criterion is insufficient; `null` (`None`) when it is scored.
    pub reason: Option<String>,
    /// The rubric's reasoning behind the thresholds.
    pub why: String,
}

/// Whether a criterion counted in the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It had a value and enough samples, and counts in the score.
    Scored,
    /// No value, or too few samples: shown, but left out of the score.
    Insufficient,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The 0..=100 score of `value` on the scale from `bad` to `good`.
#[must_use]
pub fn linear(value: f64, good: f64, bad: f64) -> f64 {
    let t = (value - bad) / (good - bad);
    if t.is_nan() {
        0.0
    } else {
        100.0 * t.clamp(0.0, 1.0)
    }
}

fn score_criterion(k: &Criterion, m: Option<&Measurement>) -> CriterionScore {
    let (value, n, reason) = match m {
        None => (None, 0, Some("not measured".to_string())),
        Some(m) => match m.value {
            None => (
                None,
                m.n,
                Some(m.insufficient.clone().unwrap_or_else(|| "no value".into())),
            ),
            Some(v) if !v.is_finite() => (
                None,
                m.n,
                Some(format!("the measured value {v} is not a number")),
            ),
            Some(_) if m.n < k.min_samples => (
                m.value,
                m.n,
                Some(format!(
                    "n = {}, fewer than the {} samples the rubric asks for",
                    m.n, k.min_samples
                )),
            ),
            Some(v) => (Some(v), m.n, None),
        },
    };
    let score = match (&reason, value) {
        (None, Some(v)) => Some(linear(v, k.good, k.bad)),
        _ => None,
    };
    CriterionScore {
        signal: k.signal.id.to_string(),
        value,
        unit: k.signal.unit,
        n,
        good: k.good,
        bad: k.bad,
        weight: k.weight,
        min_samples: k.min_samples,
        score: score.map(round1),
        status: if score.is_some() {
            Status::Scored
        } else {
            Status::Insufficient
        },
        reason,
        why: k.why.clone(),
    }
}

/// `0.25` as `25 %`, `0.333` as `33.3 %`.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 0.05 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

/// Applies `rubric` to `measurements`. Weights count by their share of
/// their category's (and the rubric's) total, so that no weight, however
/// large, makes a sum overflow; a score that is still not finite is not
/// given, and the grade is withheld.
#[must_use]
pub fn score(rubric: &Rubric, measurements: &[Measurement]) -> Scorecard {
    let mut categories = Vec::new();
    let mut missing_required = Vec::new();
    // Σ over categories of share * coverage * score, and of share * coverage.
    let (mut weighted, mut covered) = (0.0, 0.0);
    let total: f64 = rubric.categories.iter().map(|c| c.weight).sum();
    for cat in &rubric.categories {
        let all_w: f64 = cat.criteria.iter().map(|k| k.weight).sum();
        let share = |w: f64| if all_w > 0.0 { w / all_w } else { 0.0 };
        let mut criteria = Vec::new();
        let (mut sum, mut scored_w) = (0.0, 0.0);
        for k in &cat.criteria {
            let cs = score_criterion(k, measurements.iter().find(|m| m.signal == k.signal.id));
            let raw = cs
                .value
                .filter(|_| cs.status == Status::Scored)
                .map(|v| linear(v, k.good, k.bad));
            if let Some(s) = raw {
                sum += share(k.weight) * s;
                scored_w += share(k.weight);
            }
            criteria.push(cs);
        }
        let coverage = scored_w;
        let cat_score = (scored_w > 0.0).then(|| sum / scored_w);
        if cat.required && cat_score.is_none() {
            missing_required.push(cat.id.clone());
        }
        let cat_share = if total > 0.0 { cat.weight / total } else { 0.0 };
        if let Some(s) = cat_score {
            weighted += cat_share * coverage * s;
            covered += cat_share * coverage;
        }
        categories.push(CategoryScore {
            id: cat.id.clone(),
            name: cat.name.clone(),
            weight: cat.weight,
            score: cat_score.map(round1).filter(|s| s.is_finite()),
            coverage: round3(coverage),
            criteria,
        });
    }
    let coverage = if covered.is_finite() { covered } else { 0.0 };
    let score = (covered > 0.0)
        .then(|| round1(weighted / covered))
        .filter(|s| s.is_finite());
    let withheld = withheld(rubric, score, coverage, &missing_required, &categories);
    let grade = match score {
        Some(s) if withheld.is_none() => rubric
            .grades
            .bands
            .iter()
            .find(|b| s >= b.min)
            .map_or_else(|| rubric.grades.insufficient.clone(), |b| b.label.clone()),
        _ => rubric.grades.insufficient.clone(),
    };
    let release_only = score.is_some()
        && categories
            .iter()
            .flat_map(|c| &c.criteria)
            .filter(|k| k.status == Status::Scored)
            .all(|k| k.signal.starts_with("release."));
    Scorecard {
        score,
        grade,
        coverage: round3(coverage),
        missing_required,
        withheld,
        release_only,
        categories,
    }
}

/// Why a grade is withheld, or `None` when it is not.
fn withheld(
    rubric: &Rubric,
    score: Option<f64>,
    coverage: f64,
    missing_required: &[String],
    categories: &[CategoryScore],
) -> Option<String> {
    if score.is_none() {
        return Some("no criterion could be scored".into());
    }
    let mut reasons = Vec::new();
    if coverage < rubric.grades.min_coverage {
        reasons.push(format!(
            "coverage {} is under the rubric's minimum {}",
            percent(coverage),
            percent(rubric.grades.min_coverage)
        ));
    }
    if !missing_required.is_empty() {
        let names: Vec<&str> = missing_required
            .iter()
            .map(|id| {
                categories
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or(id.as_str(), |c| c.name.as_str())
            })
            .collect();
        // One reason shared by every criterion of those categories (no
        // benchmark results found, and where they were looked for) is said.
        let mut why: Vec<&str> = categories
            .iter()
            .filter(|c| missing_required.contains(&c.id))
            .flat_map(|c| c.criteria.iter().filter_map(|k| k.reason.as_deref()))
            .collect();
        why.dedup();
        let shared = match why.as_slice() {
            [one] => format!(": {one}"),
            _ => String::new(),
        };
        reasons.push(format!(
            "the rubric requires evidence for {}, and no criterion there could be scored{shared}",
            names.join(", ")
        ));
    }
    if !reasons.is_empty() {
        return Some(reasons.join("; "));
    }
    // A band always covers 0 (the rubric checks it); a score below every band is withheld too.
    rubric
        .grades
        .bands
        .iter()
        .all(|b| score.is_some_and(|s| s < b.min))
        .then(|| "the score is below every grade band".into())
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "expected values are exact")]
mod tests {
    use super::*;
    use crate::window::Window;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    const RUBRIC: &str = r#"
[grades]
min_coverage = 0.5
[[grades.band]]
min = 80
label = "ready"
[[grades.band]]
min = 0
label = "not ready"

[[category]]
id = "a"
weight = 3
[[category.criterion]]
signal = "release.count_365d"
good = 12
bad = 2
why = "x"
[[category.criterion]]
signal = "release.median_interval_days"
good = 30
bad = 330
weight = 3
min_samples = 4
why = "x"

[[category]]
id = "b"
weight = 1
[[category.criterion]]
signal = "release.staleness_ratio"
good = 1
bad = 5
why = "x"
"#;

    fn m(signal: &str, value: Option<f64>, n: u64) -> Measurement {
        let id = signal.parse::<crate::signals::SignalId>().unwrap();
        let w = Window {
            since: Utc.timestamp_opt(0, 0).unwrap(),
            until: Utc.timestamp_opt(1, 0).unwrap(),
        };
        let mut x = Measurement::insufficient(id, w, "test", "none".into());
        x.value = value;
        x.n = n;
        x.insufficient = value.is_none().then(|| "none".into());
        x
    }

    fn rubric() -> Rubric {
        Rubric::parse(RUBRIC, "t.toml", "t.toml").unwrap()
    }

    #[test]
    fn linear_follows_direction_and_clamps() {
        assert_eq!(linear(7.0, 12.0, 2.0), 50.0);
        assert_eq!(linear(180.0, 30.0, 330.0), 50.0);
        assert_eq!(linear(100.0, 12.0, 2.0), 100.0);
        assert_eq!(linear(-5.0, 12.0, 2.0), 0.0);
    }

    #[test]
    fn weights_and_coverage_combine_as_documented() {
        let card = score(
            &rubric(),
            &[
                m("release.count_365d", Some(7.0), 7),
                m("release.median_interval_days", Some(30.0), 6),
                m("release.staleness_ratio", Some(3.0), 5),
            ],
        );
        // a: (1*50 + 3*100) / 4 = 87.5; b: 50; overall (3*87.5 + 1*50) / 4 = 78.125
        assert_eq!(card.categories[0].score, Some(87.5));
        assert_eq!(card.categories[1].score, Some(50.0));
        assert_eq!(card.score, Some(78.1));
        assert_eq!(card.coverage, 1.0);
        assert_eq!(card.grade, "not ready");
    }

    #[test]
    fn thin_evidence_is_left_out_not_scored_zero() {
        let card = score(
            &rubric(),
            &[
                m("release.count_365d", Some(12.0), 12),
                m("release.median_interval_days", Some(30.0), 3),
                m("release.staleness_ratio", None, 0),
            ],
        );
        let k = &card.categories[0].criteria[1];
        assert_eq!(k.status, Status::Insufficient);
        assert_eq!(
            k.reason.as_deref(),
            Some("n = 3, fewer than the 4 samples the rubric asks for")
        );
        // Only count_365d (weight 1 of 4 in a category of weight 3 of 4) has evidence.
        assert_eq!(card.coverage, round3(0.25 * 0.75));
        assert_eq!(card.score, Some(100.0));
        assert_eq!(card.grade, "insufficient evidence");
    }

    #[test]
    fn nothing_measured_means_no_score() {
        let card = score(&rubric(), &[]);
        assert_eq!(card.score, None);
        assert_eq!(card.coverage, 0.0);
        assert_eq!(
            card.categories[0].criteria[0].reason.as_deref(),
            Some("not measured")
        );
    }

    /// Weights count by their share: scaling every weight by 1e307 (each
    /// valid, their sums finite) gives the same finite score, never NaN or inf.
    #[test]
    fn huge_weights_give_the_same_finite_score() {
        let huge = RUBRIC
            .replace("id = \"a\"\nweight = 3\n", "id = \"a\"\nweight = 3e307\n")
            .replace("id = \"b\"\nweight = 1\n", "id = \"b\"\nweight = 1e307\n")
            .replace("weight = 3\nmin_samples", "weight = 3e307\nmin_samples")
            .replace("bad = 2\n", "bad = 2\nweight = 1e307\n");
        let r = Rubric::parse(&huge, "t.toml", "t.toml").unwrap();
        assert_eq!(r.categories[0].weight, 3e307);
        assert_eq!(r.categories[0].criteria[1].weight, 3e307);
        let ms = [
            m("release.count_365d", Some(7.0), 7),
            m("release.median_interval_days", Some(30.0), 6),
            m("release.staleness_ratio", Some(3.0), 5),
        ];
        let card = score(&r, &ms);
        assert_eq!(card.score, Some(78.1));
        assert_eq!(card.categories[0].score, Some(87.5));
        assert_eq!(card.grade, "not ready");
        assert_eq!(card.withheld, None);
    }

    /// A withheld grade says why: coverage under the minimum, in percent.
    #[test]
    fn a_withheld_grade_says_why() {
        let card = score(&rubric(), &[m("release.count_365d", Some(12.0), 12)]);
        assert_eq!(card.grade, "insufficient evidence");
        assert_eq!(
            card.withheld.as_deref(),
            Some("coverage 18.8 % is under the rubric's minimum 50 %")
        );
        assert!(card.release_only, "only release signals were scored");
        let none = score(&rubric(), &[]);
        assert_eq!(
            none.withheld.as_deref(),
            Some("no criterion could be scored")
        );
        assert!(!none.release_only, "no score is no release-cadence score");
    }

    /// A score under every band (a rubric built in code, not read: a file
    /// must have a band from 0) has no grade, and says so.
    #[test]
    fn a_score_under_every_band_is_withheld_with_the_reason() {
        let mut r = rubric();
        r.grades.bands.retain(|b| b.min > 0.0);
        let card = score(
            &r,
            &[
                m("release.count_365d", Some(2.0), 2),
                m("release.median_interval_days", Some(330.0), 6),
                m("release.staleness_ratio", Some(5.0), 5),
            ],
        );
        assert_eq!(card.score, Some(0.0));
        assert_eq!(card.grade, "insufficient evidence");
        assert_eq!(
            card.withheld.as_deref(),
            Some("the score is below every grade band")
        );
    }

    /// `RUBRIC` with category `b` (weight 1 of 4) marked required.
    fn requiring_b() -> Rubric {
        let text = RUBRIC.replace(
            "id = \"b\"\nweight = 1\n",
            "id = \"b\"\nweight = 1\nrequired = true\n",
        );
        let r = Rubric::parse(&text, "t.toml", "t.toml").unwrap();
        assert!(r.categories[1].required);
        r
    }

    /// A required category without a scored criterion withholds the grade
    /// even at 75 % coverage, over the 50 % a grade needs; the score stays.
    #[test]
    fn a_required_category_without_evidence_withholds_the_grade() {
        let a_only = [
            m("release.count_365d", Some(12.0), 12),
            m("release.median_interval_days", Some(30.0), 6),
        ];
        let card = score(&requiring_b(), &a_only);
        assert_eq!(card.coverage, 0.75);
        assert_eq!(card.score, Some(100.0));
        assert_eq!(card.missing_required, ["b"]);
        assert_eq!(card.grade, "insufficient evidence");
        // A value with too few samples is no evidence either.
        let mut thin = a_only.to_vec();
        thin.push(m("release.staleness_ratio", Some(1.0), 0));
        let mut strict = requiring_b();
        strict.categories[1].criteria[0].min_samples = 3;
        let card = score(&strict, &thin);
        assert_eq!(card.missing_required, ["b"]);
        assert_eq!(card.grade, "insufficient evidence");
        // The same evidence without the requirement is graded.
        let card = score(&rubric(), &a_only);
        assert!(card.missing_required.is_empty());
        assert_eq!(card.grade, "ready");
    }

    /// With evidence in the required category, the grade follows the score as usual.
    #[test]
    fn a_required_category_with_evidence_gives_the_grade() {
        let card = score(
            &requiring_b(),
            &[
                m("release.count_365d", Some(12.0), 12),
                m("release.median_interval_days", Some(30.0), 6),
                m("release.staleness_ratio", Some(1.0), 5),
            ],
        );
        assert!(card.missing_required.is_empty());
        assert_eq!(card.score, Some(100.0));
        assert_eq!(card.grade, "ready");
        // Required evidence does not lift a coverage under min_coverage.
        let card = score(
            &requiring_b(),
            &[m("release.staleness_ratio", Some(1.0), 5)],
        );
        assert!(card.missing_required.is_empty());
        assert_eq!(card.coverage, 0.25);
        assert_eq!(card.grade, "insufficient evidence");
    }

    /// Full marks on everything but benchmarks: the default rubric (which
    /// requires nothing) grades it, the pydata rubric withholds the grade.
    #[test]
    fn only_the_pydata_rubric_requires_benchmarks() {
        let perfect = |r: &Rubric| -> Vec<Measurement> {
            r.criteria()
                .filter(|(c, _)| c.id != "benchmarks")
                .map(|(_, k)| m(k.signal.id, Some(k.good), 1_000_000))
                .collect()
        };
        let default = Rubric::builtin("default").unwrap();
        let card = score(&default, &perfect(&default));
        assert!(card.missing_required.is_empty());
        assert_eq!((card.score, card.coverage), (Some(100.0), 0.75));
        assert_eq!(card.grade, "production ready");
        let pydata = Rubric::builtin("pydata").unwrap();
        let card = score(&pydata, &perfect(&pydata));
        assert_eq!(card.missing_required, ["benchmarks"]);
        assert_eq!((card.score, card.coverage), (Some(100.0), 0.6));
        assert_eq!(card.grade, "insufficient evidence");
    }

    proptest! {
        #[test]
        fn scores_stay_in_range_and_are_monotone(v in -1e6f64..1e6, d in 0f64..1e3, good in -1e3f64..1e3, gap in 1e-3f64..1e3) {
            for (good, bad) in [(good, good - gap), (good, good + gap)] {
                let s = linear(v, good, bad);
                prop_assert!((0.0..=100.0).contains(&s));
                // Moving the value towards `good` never lowers the score.
                let toward = if good > bad { v + d } else { v - d };
                prop_assert!(linear(toward, good, bad) >= s);
            }
        }

        #[test]
        fn overall_score_is_within_the_criterion_scores(a in 0f64..30.0, b in 0f64..400.0, c in 0f64..8.0) {
            let card = score(&rubric(), &[m("release.count_365d", Some(a), 9), m("release.median_interval_days", Some(b), 9), m("release.staleness_ratio", Some(c), 9)]);
            let scores: Vec<f64> = card.categories.iter().flat_map(|k| k.criteria.iter().filter_map(|x| x.score)).collect();
            let lo = scores.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let s = card.score.unwrap();
            prop_assert!(s >= lo - 0.1 && s <= hi + 0.1, "{s} outside {lo}..{hi}");
        }
    }
}
