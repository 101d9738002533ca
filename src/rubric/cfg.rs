//! Reading rubric TOML: the raw serde model (with spans), then validation
//! into a [`Rubric`]. As many problems as possible are reported in one run,
//! so that a user fixes a file in one pass: every syntax error the TOML
//! reader recovers from; else the first key or type problem of the top
//! level, of each `[[category]]` and of each `[[category.criterion]]`; else
//! every semantic problem.

use std::collections::HashSet;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{
    Actors, Band, BenchmarkParams, Category, Criterion, Grades, Responders, Rubric, RubricError,
    RubricErrors,
};
use crate::signals::{self, SignalId};
use crate::suggest;
use crate::tomlspan::{Problems, from_toml_error, read_as, tables_of};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRubric {
    name: Option<String>,
    description: Option<String>,
    grades: Option<RawGrades>,
    actors: Option<RawActors>,
    benchmarks: Option<RawBenchmarks>,
    #[serde(default)]
    category: Vec<RawCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBenchmarks {
    regression_threshold: Option<Spanned<f64>>,
    stable_cv: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActors {
    responders: Option<Spanned<String>>,
    #[serde(default)]
    bots: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrades {
    min_coverage: Option<Spanned<f64>>,
    insufficient: Option<String>,
    #[serde(default)]
    band: Vec<RawBand>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    min: Spanned<f64>,
    label: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: Spanned<String>,
    name: Option<String>,
    weight: Spanned<f64>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    criterion: Vec<RawCriterion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    signal: Spanned<String>,
    good: Spanned<f64>,
    bad: Spanned<f64>,
    weight: Option<Spanned<f64>>,
    min_samples: Option<u64>,
    why: Spanned<String>,
}

/// Default grade bands, used when a rubric has no `[[grades.band]]`.
const DEFAULT_BANDS: &[(f64, &str)] = &[
    (80.0, "production ready"),
    (60.0, "maturing"),
    (40.0, "experimental"),
    (0.0, "at risk"),
];

/// The TOML read into the raw model in parts: the top level, each category,
/// each criterion, so that a problem in one does not hide those in the others.
fn read_raw(text: &str) -> Result<RawRubric, Vec<RubricError>> {
    let (root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        return Err(syntax.iter().map(|e| from_toml_error(text, e)).collect());
    }
    let span = root.span();
    let mut root = root.into_inner();
    let categories = root.remove("category");
    let mut problems = Vec::new();
    let top: Option<RawRubric> = read_as(text, Spanned::new(span, DeValue::Table(root)))
        .map_err(|e| problems.push(e))
        .ok();
    let mut read = Vec::new();
    for cat in tables_of(text, categories, "category", &mut problems) {
        let span = cat.span();
        let DeValue::Table(mut table) = cat.into_inner() else {
            continue; // TOML arrays of tables hold tables only
        };
        let criteria = table.remove("criterion");
        let category: Option<RawCategory> =
            read_as(text, Spanned::new(span, DeValue::Table(table)))
                .map_err(|e| problems.push(e))
                .ok();
        let mut criterion = Vec::new();
        for c in tables_of(text, criteria, "criterion", &mut problems) {
            match read_as(text, c) {
                Ok(k) => criterion.push(k),
                Err(e) => problems.push(e),
            }
        }
        read.extend(category.map(|c| RawCategory { criterion, ..c }));
    }
    match top {
        Some(top) if problems.is_empty() => Ok(RawRubric {
            category: read,
            ..top
        }),
        _ => Err(problems),
    }
}

fn check_number(
    p: &mut Problems<'_>,
    v: &Spanned<f64>,
    key: &str,
    what: &str,
    allow_negative: bool,
) -> bool {
    let x = *v.get_ref();
    if !x.is_finite() {
        p.add(
            v.span(),
            Some(key),
            format!("{what} must be a finite number, not {x}"),
            None,
        );
        return false;
    }
    if !allow_negative && x < 0.0 {
        p.add(
            v.span(),
            Some(key),
            format!("{what} must not be negative (got {x})"),
            Some("use 0 to show a criterion without letting it count".into()),
        );
        return false;
    }
    true
}

/// Whether two numbers of the rubric file are the same: exactly, as a
/// repeated threshold is the same text and so the same f64.
#[expect(
    clippy::float_cmp,
    reason = "thresholds copied from the rubric file are compared as written, not computed"
)]
fn same_number(a: f64, b: f64) -> bool {
    a == b
}

pub(super) fn parse(text: &str, file: &str, origin: &str) -> Result<Rubric, RubricErrors> {
    let fail = |problems| RubricErrors {
        kind: "rubric",
        file: file.to_string(),
        problems,
    };
    let raw = read_raw(text).map_err(fail)?;
    let mut p = Problems {
        text,
        list: Vec::new(),
    };

    let grades = validate_grades(&mut p, raw.grades);
    let actors = validate_actors(&mut p, raw.actors);
    let benchmarks = validate_benchmarks(&mut p, raw.benchmarks);

    let categories = validate_categories(&mut p, raw.category);

    if !p.list.is_empty() {
        return Err(fail(p.list));
    }
    let name = raw.name.unwrap_or_else(|| {
        std::path::Path::new(file)
            .file_stem()
            .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned())
    });
    Ok(Rubric {
        name,
        description: raw.description.unwrap_or_default(),
        origin: origin.to_string(),
        grades,
        categories,
        actors,
        benchmarks,
    })
}

/// Validates the `[[category]]` tables, and that their weights can be added up.
fn validate_categories(p: &mut Problems<'_>, raw: Vec<RawCategory>) -> Vec<Category> {
    if raw.is_empty() {
        p.add(
            0..0,
            None,
            "the rubric has no [[category]]".into(),
            Some("add at least one [[category]] with [[category.criterion]] entries".into()),
        );
    }
    let mut ids = HashSet::new();
    let mut signals_used = HashSet::new();
    let mut categories = Vec::new();
    for cat in raw {
        let id = cat.id.get_ref().clone();
        let id_ok = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !id_ok {
            p.add(
                cat.id.span(),
                Some("id"),
                format!("category id {id:?} must be lower-case letters, digits, `_` or `-`"),
                None,
            );
        } else if !ids.insert(id.clone()) {
            p.add(
                cat.id.span(),
                Some("id"),
                format!("category id `{id}` is used twice"),
                None,
            );
        }
        check_number(p, &cat.weight, "weight", "a category weight", false);
        if cat.criterion.is_empty() {
            p.add(
                cat.id.span(),
                None,
                format!("category `{id}` has no [[category.criterion]]"),
                None,
            );
        }
        let mut criteria = Vec::new();
        for c in cat.criterion {
            if let Some(k) = validate_criterion(p, c, &mut signals_used) {
                criteria.push(k);
            }
        }
        let sum: f64 = criteria.iter().map(|k: &Criterion| k.weight).sum();
        // A weight that is not finite itself is reported on its own line.
        if !sum.is_finite() && criteria.iter().all(|k| k.weight.is_finite()) {
            p.add(
                cat.id.span(),
                None,
                format!(
                    "the criterion weights of category `{id}` add up to {sum}, not a finite number"
                ),
                Some(
                    "weights only count relative to each other: use small numbers such as 1, 2, 3"
                        .into(),
                ),
            );
        } else if !criteria.is_empty() && sum <= 0.0 {
            p.add(
                cat.id.span(),
                None,
                format!("every criterion of category `{id}` has weight 0, so it cannot be scored"),
                None,
            );
        }
        categories.push(Category {
            name: cat.name.unwrap_or_else(|| id.clone()),
            id,
            weight: *cat.weight.get_ref(),
            required: cat.required,
            criteria,
        });
    }
    let total: f64 = categories.iter().map(|c| c.weight).sum();
    if !total.is_finite() && categories.iter().all(|c| c.weight.is_finite()) {
        p.add(
            0..0,
            None,
            format!("the category weights add up to {total}, not a finite number"),
            Some(
                "weights only count relative to each other: use small numbers such as 1, 2, 3"
                    .into(),
            ),
        );
    } else if !categories.is_empty() && categories.iter().all(|c| c.weight == 0.0) {
        p.add(
            0..0,
            None,
            "every category has weight 0, so nothing can be scored".into(),
            None,
        );
    }

    categories
}

/// A share in `[benchmarks]`: above 0, below 10 (1000 %).
fn bench_share(p: &mut Problems<'_>, v: Option<Spanned<f64>>, key: &str, default: f64) -> f64 {
    let Some(v) = v else {
        return default;
    };
    let x = *v.get_ref();
    if !(x.is_finite() && x > 0.0 && x < 10.0) {
        p.add(
            v.span(),
            Some(key),
            format!("`{key}` must be a share above 0, such as 0.05 for 5 %, not {x}"),
            None,
        );
        return default;
    }
    x
}

fn validate_benchmarks(p: &mut Problems<'_>, raw: Option<RawBenchmarks>) -> BenchmarkParams {
    let d = BenchmarkParams::default();
    let Some(raw) = raw else {
        return d;
    };
    BenchmarkParams {
        regression_threshold: bench_share(
            p,
            raw.regression_threshold,
            "regression_threshold",
            d.regression_threshold,
        ),
        stable_cv: bench_share(p, raw.stable_cv, "stable_cv", d.stable_cv),
    }
}

/// The `responders` values a rubric may use.
const RESPONDERS: &[(&str, Responders)] = &[
    ("maintainers", Responders::Maintainers),
    ("anyone", Responders::Anyone),
];

fn validate_actors(p: &mut Problems<'_>, raw: Option<RawActors>) -> Actors {
    let Some(raw) = raw else {
        return Actors::default();
    };
    let responders = match raw.responders {
        None => Responders::Maintainers,
        Some(r) => {
            let value = r.get_ref();
            if let Some((_, v)) = RESPONDERS.iter().find(|(name, _)| name == value) {
                v.clone()
            } else {
                let names = RESPONDERS
                    .iter()
                    .map(|(n, _)| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                let help = match suggest::nearest(value, RESPONDERS.iter().map(|(n, _)| *n)) {
                    Some(s) => format!("did you mean \"{s}\"? valid values: {names}"),
                    None => format!("valid values: {names}"),
                };
                p.add(
                    r.span(),
                    Some("responders"),
                    format!("unknown responders {value:?}"),
                    Some(help),
                );
                Responders::Maintainers
            }
        }
    };
    let mut bots = Vec::new();
    for b in raw.bots {
        let pattern = b.get_ref();
        if pattern.trim().is_empty() {
            p.add(
                b.span(),
                Some("bots"),
                "a bot pattern is empty".into(),
                Some("write a login or a glob such as \"*-bot\" (`*` any run of characters, `?` one)".into()),
            );
        } else if pattern.chars().all(|c| c == '*') {
            p.add(
                b.span(),
                Some("bots"),
                format!(
                    "the bot pattern {pattern:?} matches every login, so no response could count"
                ),
                Some("name the bots: \"*-bot\", \"codecov*\"".into()),
            );
        } else {
            bots.push(pattern.trim().to_string());
        }
    }
    Actors { responders, bots }
}

fn validate_grades(p: &mut Problems<'_>, raw: Option<RawGrades>) -> Grades {
    let raw = raw.unwrap_or(RawGrades {
        min_coverage: None,
        insufficient: None,
        band: Vec::new(),
    });
    let min_coverage = match raw.min_coverage {
        Some(v) => {
            if check_number(p, &v, "min_coverage", "min_coverage", false) && *v.get_ref() > 1.0 {
                p.add(
                    v.span(),
                    Some("min_coverage"),
                    format!("min_coverage is a share from 0 to 1, not {}", v.get_ref()),
                    Some("0.5 means half the rubric's weight must have evidence".into()),
                );
            }
            *v.get_ref()
        }
        None => 0.5,
    };
    let mut bands: Vec<Band> = if raw.band.is_empty() {
        DEFAULT_BANDS
            .iter()
            .map(|(min, label)| Band {
                min: *min,
                label: (*label).to_string(),
            })
            .collect()
    } else {
        let mut out = Vec::new();
        for b in raw.band {
            if check_number(p, &b.min, "min", "a grade band's min", false)
                && *b.min.get_ref() > 100.0
            {
                p.add(
                    b.min.span(),
                    Some("min"),
                    format!(
                        "scores run from 0 to 100; a band cannot start at {}",
                        b.min.get_ref()
                    ),
                    None,
                );
            }
            if b.label.get_ref().trim().is_empty() {
                p.add(
                    b.label.span(),
                    Some("label"),
                    "a grade band needs a label".into(),
                    None,
                );
            }
            if out
                .iter()
                .any(|o: &Band| same_number(o.min, *b.min.get_ref()))
            {
                p.add(
                    b.min.span(),
                    Some("min"),
                    format!("two grade bands start at {}", b.min.get_ref()),
                    None,
                );
            }
            out.push(Band {
                min: *b.min.get_ref(),
                label: b.label.into_inner(),
            });
        }
        if !out.iter().any(|b| b.min == 0.0) {
            p.add(
                0..0,
                None,
                "no grade band starts at 0, so low scores would have no grade".into(),
                Some("add [[grades.band]] with min = 0".into()),
            );
        }
        out
    };
    bands.sort_by(|a, b| b.min.total_cmp(&a.min));
    Grades {
        min_coverage,
        insufficient: raw
            .insufficient
            .unwrap_or_else(|| "insufficient evidence".into()),
        bands,
    }
}

fn validate_criterion(
    p: &mut Problems<'_>,
    c: RawCriterion,
    used: &mut HashSet<String>,
) -> Option<Criterion> {
    let id = c.signal.get_ref();
    // Validated against the registry: the TOML's string becomes a typed id here.
    let signal = id.parse::<SignalId>().ok().map(signals::def);
    if signal.is_none() {
        let help = match suggest::nearest(id, SignalId::all().iter().map(|s| s.as_str())) {
            Some(s) => format!("did you mean `{s}`? `readiness signals` lists every signal"),
            None => "`readiness signals` lists every signal".into(),
        };
        p.add(
            c.signal.span(),
            Some("signal"),
            format!("unknown signal `{id}`"),
            Some(help),
        );
    } else if !used.insert(id.clone()) {
        p.add(
            c.signal.span(),
            Some("signal"),
            format!("signal `{id}` is used by two criteria"),
            Some("each signal may be scored once".into()),
        );
    }
    let good_ok = check_number(p, &c.good, "good", "good", true);
    let bad_ok = check_number(p, &c.bad, "bad", "bad", true);
    if good_ok && bad_ok && same_number(*c.good.get_ref(), *c.bad.get_ref()) {
        p.add(
            c.bad.span(),
            Some("bad"),
            format!(
                "good and bad are both {}, so there is no scale between them",
                c.good.get_ref()
            ),
            Some("good is the value that earns 100, bad the value that earns 0".into()),
        );
    }
    let weight = match &c.weight {
        Some(w) => {
            check_number(p, w, "weight", "a criterion weight", false);
            *w.get_ref()
        }
        None => 1.0,
    };
    if c.why.get_ref().trim().is_empty() {
        p.add(
            c.why.span(),
            Some("why"),
            "`why` is empty: say why these thresholds".into(),
            None,
        );
    }
    Some(Criterion {
        signal: signal?,
        good: *c.good.get_ref(),
        bad: *c.bad.get_ref(),
        weight,
        min_samples: c.min_samples.unwrap_or(1),
        why: c.why.into_inner(),
    })
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "expected values are exact")]
mod tests {
    use super::*;

    const OK: &str = r#"
[[category]]
id = "releases"
weight = 1

[[category.criterion]]
signal = "release.count_365d"
good = 12
bad = 1
why = "monthly releases"
"#;

    fn errors(text: &str) -> RubricErrors {
        match parse(text, "r.toml", "r.toml") {
            Ok(_) => panic!("should not validate:\n{text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_minimal_rubric_gets_defaults() {
        let r = parse(OK, "dir/mine.toml", "dir/mine.toml").unwrap();
        assert_eq!(r.name, "mine");
        assert_eq!(r.grades.min_coverage, 0.5);
        assert_eq!(r.grades.bands.first().map(|b| b.min), Some(80.0));
        assert_eq!(r.categories[0].criteria[0].weight, 1.0);
        assert_eq!(r.categories[0].criteria[0].min_samples, 1);
    }

    #[test]
    fn unknown_signal_is_located_and_gets_a_suggestion() {
        let e = errors(&OK.replace("release.count_365d", "release.cout_365d"));
        let p = &e.problems[0];
        assert_eq!(
            (p.line, p.column, p.key.as_deref()),
            (7, 10, Some("signal"))
        );
        assert_eq!(p.message, "unknown signal `release.cout_365d`");
        assert!(
            p.help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `release.count_365d`?")
        );
        assert!(
            p.snippet
                .contains("7 | signal = \"release.cout_365d\"\n  |          ^^^^^^^^^^^^^^^^^^^"),
            "{}",
            p.snippet
        );
    }

    #[test]
    fn unknown_key_is_located_and_gets_a_suggestion() {
        let e = errors(&OK.replace("why =", "wieght = 2\nwhy ="));
        let p = &e.problems[0];
        assert_eq!(p.key.as_deref(), Some("wieght"));
        assert_eq!(p.line, 10);
        assert!(
            p.help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `weight`?"),
            "{p:?}"
        );
    }

    #[test]
    fn malformed_toml_is_located() {
        let e = errors("[[category]\nid = 1");
        assert_eq!(e.problems[0].line, 1);
        assert!(!e.problems[0].message.is_empty());
    }

    #[test]
    fn wrong_types_name_the_key() {
        let e = errors(&OK.replace("good = 12", "good = \"twelve\""));
        assert_eq!(e.problems[0].key.as_deref(), Some("good"));
        assert_eq!(e.problems[0].line, 8);
    }

    /// Key and type problems in different tables are all reported in one
    /// run (issue 11), each located: one per criterion, one per category,
    /// one at the top level.
    #[test]
    fn key_and_type_problems_of_every_table_are_reported_at_once() {
        let text = format!(
            "nme = \"x\"\n{}\n[[category.criterion]]\nsignal = \"release.staleness_ratio\"\ngood = 1\nbad = \"five\"\nwhy = \"w\"\n[[category]]\nid = \"b\"\nweight = \"heavy\"\n",
            OK.replace("good = 12", "good = \"twelve\"")
        );
        let e = errors(&text);
        let found: Vec<(usize, Option<&str>)> = e
            .problems
            .iter()
            .map(|p| (p.line, p.key.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (1, Some("nme")),
                (9, Some("good")),
                (16, Some("bad")),
                (20, Some("weight")),
            ],
            "{e}"
        );
    }

    /// Syntax errors the TOML reader recovers from are all reported.
    #[test]
    fn recoverable_syntax_errors_are_all_reported() {
        let e = errors("[[category]]\nid = \"a\"\nweight = = 1\nname = \"unterminated\n");
        assert!(e.problems.len() >= 2, "{e}");
        assert_eq!(e.problems[0].line, 3, "{e}");
        assert!(e.problems.iter().any(|p| p.line == 4), "{e}");
    }

    #[test]
    fn semantic_problems_are_all_reported_at_once() {
        let text = OK
            .replace("weight = 1", "weight = -2")
            .replace("bad = 1", "bad = 12")
            .replace("good = 12", "good = 12\nweight = nan");
        let e = errors(&text);
        let messages: Vec<&str> = e.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("must not be negative (got -2)"));
        assert!(messages[1].contains("good and bad are both 12"));
        assert!(messages[2].contains("must be a finite number, not NaN"));
        let shown = e.to_string();
        assert!(
            shown
                .starts_with("rubric r.toml is not valid (3 problems):\nr.toml:4:10: key `weight`"),
            "{shown}"
        );
    }

    /// Weights that are each finite but add up to infinity are refused
    /// (issue 12: two categories of weight 1e308 scored NaN), for categories
    /// and for the criteria of one category, naming the category.
    #[test]
    fn weights_whose_sum_is_not_finite_are_refused() {
        let criterion = |signal: &str, weight: &str| {
            format!(
                "[[category.criterion]]\nsignal = \"{signal}\"\ngood = 12\nbad = 1\nweight = {weight}\nwhy = \"w\"\n"
            )
        };
        let categories = format!(
            "[[category]]\nid = \"a\"\nweight = 1e308\n{}[[category]]\nid = \"b\"\nweight = 1e308\n{}",
            criterion("release.count_365d", "1"),
            criterion("release.staleness_ratio", "1")
        );
        let e = errors(&categories);
        let messages: Vec<&str> = e.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            ["the category weights add up to inf, not a finite number"]
        );
        let criteria = format!(
            "[[category]]\nid = \"a\"\nweight = 1\n{}{}",
            criterion("release.count_365d", "1e308"),
            criterion("release.staleness_ratio", "1e308")
        );
        let e = errors(&criteria);
        assert!(
            e.problems[0]
                .message
                .starts_with("the criterion weights of category `a` add up to inf"),
            "{e}"
        );
        assert!(
            e.to_string().starts_with("rubric r.toml is not valid"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_signals_bands_without_zero_and_empty_rubrics_are_refused() {
        let twice = format!(
            "{OK}\n{}",
            &OK[OK.find("[[category.criterion]]").unwrap()..]
        );
        assert!(
            errors(&twice).problems[0]
                .message
                .contains("used by two criteria")
        );
        let bands = format!("[[grades.band]]\nmin = 50\nlabel = \"ok\"\n{OK}");
        assert!(
            errors(&bands).problems[0]
                .message
                .contains("no grade band starts at 0")
        );
        assert!(
            errors("name = \"x\"").problems[0]
                .message
                .contains("no [[category]]")
        );
        let cov = format!("[grades]\nmin_coverage = 50\n{OK}");
        assert!(
            errors(&cov).problems[0]
                .message
                .contains("share from 0 to 1")
        );
    }

    /// `required` defaults to false and reads `true`.
    #[test]
    fn required_defaults_to_false() {
        let r = parse(OK, "r.toml", "r.toml").unwrap();
        assert!(!r.categories[0].required);
        let text = OK.replace("weight = 1\n", "weight = 1\nrequired = true\n");
        let r = parse(&text, "r.toml", "r.toml").unwrap();
        assert!(r.categories[0].required);
    }

    /// A `required` that is not a boolean is located and named, like any wrong type.
    #[test]
    fn required_must_be_a_boolean() {
        let text = OK.replace("weight = 1\n", "weight = 1\nrequired = \"yes\"\n");
        let e = errors(&text);
        assert_eq!(e.problems.len(), 1, "{e}");
        let p = &e.problems[0];
        assert_eq!(
            (p.line, p.column, p.key.as_deref()),
            (5, 12, Some("required")),
            "{p:?}"
        );
        assert!(p.message.contains("expected a boolean"), "{}", p.message);
        assert!(
            e.to_string().starts_with(
                "rubric r.toml is not valid (1 problem):\nr.toml:5:12: key `required`: "
            ),
            "{e}"
        );
        assert!(
            p.snippet.contains("5 | required = \"yes\""),
            "{}",
            p.snippet
        );
        // A misspelt key gets the suggestion.
        let e = errors(&OK.replace("weight = 1\n", "weight = 1\nrequird = true\n"));
        assert!(
            e.problems[0]
                .help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `required`?"),
            "{e}"
        );
    }

    /// Without `[actors]`, maintainers are the responders and only the built-in bot rules apply.
    #[test]
    fn actors_default_to_maintainers_and_no_patterns() {
        let r = parse(OK, "r.toml", "r.toml").unwrap();
        assert_eq!(r.actors, Actors::default());
        assert_eq!(r.actors.responders, Responders::Maintainers);
        assert!(r.actors.bots.is_empty());
    }

    /// `[actors]` sets the responders and the bot patterns.
    #[test]
    fn actors_are_read() {
        let text =
            format!("[actors]\nresponders = \"anyone\"\nbots = [\"*-bot\", \"codecov*\"]\n{OK}");
        let r = parse(&text, "r.toml", "r.toml").unwrap();
        assert_eq!(
            r.actors,
            Actors {
                responders: Responders::Anyone,
                bots: vec!["*-bot".into(), "codecov*".into()],
            }
        );
        let only_bots = format!("[actors]\nbots = [\"x-bot\"]\n{OK}");
        let r = parse(&only_bots, "r.toml", "r.toml").unwrap();
        assert_eq!(r.actors.responders, Responders::Maintainers);
    }

    /// An unknown `responders` value is located and the valid values are listed, with the nearest first.
    #[test]
    fn unknown_responders_is_located_with_the_valid_values() {
        let text = format!("[actors]\nresponders = \"maintainer\"\n{OK}");
        let e = errors(&text);
        assert_eq!(e.problems.len(), 1, "{e}");
        let p = &e.problems[0];
        assert_eq!(
            (p.line, p.column, p.key.as_deref()),
            (2, 14, Some("responders"))
        );
        assert_eq!(p.message, "unknown responders \"maintainer\"");
        assert_eq!(
            p.help.as_deref(),
            Some("did you mean \"maintainers\"? valid values: \"maintainers\", \"anyone\"")
        );
        let e = errors(&format!("[actors]\nresponders = \"bots\"\n{OK}"));
        assert_eq!(
            e.problems[0].help.as_deref(),
            Some("valid values: \"maintainers\", \"anyone\"")
        );
    }

    /// Empty, blank and match-everything bot patterns are refused where they are written, all at once.
    #[test]
    fn bad_bot_patterns_are_located() {
        let text =
            format!("[actors]\nbots = [\n  \"ok-bot\",\n  \"\",\n  \"   \",\n  \"**\",\n]\n{OK}");
        let e = errors(&text);
        let found: Vec<(usize, usize, Option<&str>, &str)> = e
            .problems
            .iter()
            .map(|p| (p.line, p.column, p.key.as_deref(), p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (4, 3, Some("bots"), "a bot pattern is empty"),
                (5, 3, Some("bots"), "a bot pattern is empty"),
                (
                    6,
                    3,
                    Some("bots"),
                    "the bot pattern \"**\" matches every login, so no response could count"
                ),
            ]
        );
        assert!(
            e.to_string()
                .contains("r.toml:4:3: key `bots`: a bot pattern is empty")
        );
    }

    /// Unknown keys and wrong types inside `[actors]` are located like any other.
    #[test]
    fn actors_keys_and_types_are_checked() {
        let e = errors(&format!("[actors]\nresponder = \"anyone\"\n{OK}"));
        let p = &e.problems[0];
        assert_eq!((p.line, p.key.as_deref()), (2, Some("responder")));
        assert!(
            p.help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `responders`?"),
            "{p:?}"
        );
        let e = errors(&format!("[actors]\nbots = \"*-bot\"\n{OK}"));
        let p = &e.problems[0];
        assert_eq!((p.line, p.key.as_deref()), (2, Some("bots")), "{p:?}");
    }
}
