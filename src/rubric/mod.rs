//! The rubric: which signals count, what earns full marks and what earns
//! none, how much each weighs, and the grade bands. `cfg` reads and validates
//! the TOML into a [`Rubric`]; `score` applies it to measurements.

mod cfg;
pub mod score;

use std::path::Path;

pub use crate::diag::{RubricError, RubricErrors};
use crate::error::Error;
use crate::signals::SignalDef;

/// The rubrics built into the binary: `(name, TOML)`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../rubrics/default.toml")),
    ("pydata", include_str!("../../rubrics/pydata.toml")),
];

/// A validated rubric.
#[derive(Debug, Clone)]
pub struct Rubric {
    pub name: String,
    pub description: String,
    /// `built-in` or the path it was read from.
    pub origin: String,
    pub grades: Grades,
    pub categories: Vec<Category>,
    /// Who counts as a responder, and who is a bot.
    pub actors: Actors,
    /// How benchmark series are judged.
    pub benchmarks: BenchmarkParams,
}

// The actor rules and benchmark parameters belong to the families that use
// them; the rubric holds their configuration (`[actors]`, `[benchmarks]`).
pub use crate::signals::benchmarks::BenchmarkParams;
pub use crate::signals::responsiveness::{Actors, Responders};

#[derive(Debug, Clone)]
pub struct Grades {
    /// Below this share of the rubric's weight backed by evidence, the grade is `insufficient`.
    pub min_coverage: f64,
    pub insufficient: String,
    /// Highest first.
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone)]
pub struct Band {
    pub min: f64,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub weight: f64,
    /// `required = true`: without a scored criterion here there is no grade,
    /// whatever the coverage.
    pub required: bool,
    pub criteria: Vec<Criterion>,
}

#[derive(Debug, Clone)]
pub struct Criterion {
    pub signal: &'static SignalDef,
    /// The value that earns 100.
    pub good: f64,
    /// The value that earns 0. Linear in between, clamped outside.
    pub bad: f64,
    pub weight: f64,
    /// Below this many samples the criterion is "insufficient evidence".
    pub min_samples: u64,
    /// The reasoning behind the thresholds, shown in the report.
    pub why: String,
}

impl Criterion {
    /// Whether larger values are better.
    #[must_use]
    pub fn higher_is_better(&self) -> bool {
        self.good > self.bad
    }
}

impl Rubric {
    /// Parses and validates rubric TOML. `file` names the source in errors.
    ///
    /// # Errors
    /// Every problem found, each with its line, column and key.
    pub fn parse(text: &str, file: &str, origin: &str) -> Result<Rubric, RubricErrors> {
        cfg::parse(text, file, origin)
    }

    /// The built-in rubric named `name`.
    #[must_use]
    pub fn builtin(name: &str) -> Option<Rubric> {
        let (n, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        // The built-in rubrics are validated by the test suite.
        Rubric::parse(text, &format!("rubrics/{n}.toml"), "built-in").ok()
    }

    /// `--rubric`: a file path, or the name of a built-in rubric; `None` is `default`.
    ///
    /// # Errors
    /// A file that cannot be read or is not a valid rubric; an unknown name.
    pub fn load(spec: Option<&str>) -> Result<Rubric, Error> {
        let spec = spec.unwrap_or("default");
        let path = Path::new(spec);
        if !path.exists() && !spec.contains(['/', '\\', '.']) {
            return Rubric::builtin(spec).ok_or_else(|| {
                let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                Error::Usage(format!(
                    "--rubric {spec:?} is neither a file nor a built-in rubric (built-in: {})",
                    names.join(", ")
                ))
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
        Ok(Rubric::parse(&text, spec, spec)?)
    }

    /// A fingerprint of everything that decides a score and a grade:
    /// the grade bands and `min_coverage`, the categories' ids, weights and
    /// `required`, each criterion's signal, thresholds, weight and
    /// `min_samples`, `[actors]` and `[benchmarks]`. Names, descriptions and
    /// `why` lines are left out: editing them does not change a score.
    /// `fnv1a64:` and 16 hexadecimal digits; records made with rubrics of
    /// different fingerprints are never compared.
    #[must_use]
    pub fn hash(&self) -> String {
        let g = &self.grades;
        let mut text = format!(
            "readiness rubric v1\ngrades {:?} {:?}\n",
            g.min_coverage, g.insufficient
        );
        for b in &g.bands {
            text += &format!("band {:?} {:?}\n", b.min, b.label);
        }
        for c in &self.categories {
            text += &format!("category {:?} {:?} {}\n", c.id, c.weight, c.required);
            for k in &c.criteria {
                text += &format!(
                    "criterion {} {:?} {:?} {:?} {}\n",
                    k.signal.id, k.good, k.bad, k.weight, k.min_samples
                );
            }
        }
        let responders = match self.actors.responders {
            Responders::Maintainers => "maintainers",
            Responders::Anyone => "anyone",
        };
        text += &format!(
            "actors {responders} {:?}\nbenchmarks {:?} {:?}\n",
            self.actors.bots, self.benchmarks.regression_threshold, self.benchmarks.stable_cv
        );
        let h = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("fnv1a64:{h:016x}")
    }

    /// Every criterion with the category it belongs to.
    pub fn criteria(&self) -> impl Iterator<Item = (&Category, &Criterion)> {
        self.categories
            .iter()
            .flat_map(|c| c.criteria.iter().map(move |k| (c, k)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in rubric validates, carries the name it is listed under, and loads by that name.
    #[test]
    fn every_builtin_rubric_is_valid() {
        assert!(BUILTIN.len() >= 2, "default and pydata are built in");
        for (name, text) in BUILTIN {
            let r = match Rubric::parse(text, &format!("rubrics/{name}.toml"), "built-in") {
                Ok(r) => r,
                Err(e) => panic!("built-in rubric {name}: {e}"),
            };
            assert_eq!(&r.name, name, "rubrics/{name}.toml names itself");
            assert!(!r.description.is_empty(), "{name} has no description");
            let loaded = Rubric::load(Some(name)).unwrap();
            assert_eq!(
                (loaded.name.as_str(), loaded.origin.as_str()),
                (*name, "built-in")
            );
        }
        assert_eq!(Rubric::load(None).unwrap().name, "default");
    }

    /// The pydata rubric scores the same signals as the default one, weighs
    /// benchmarks double and requires them; the default requires nothing.
    #[test]
    fn pydata_has_the_default_signals_and_requires_benchmarks() {
        let default = Rubric::builtin("default").unwrap();
        let pydata = Rubric::builtin("pydata").unwrap();
        let ids = |r: &Rubric| {
            r.criteria()
                .map(|(c, k)| (c.id.clone(), k.signal.id))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&pydata), ids(&default));
        assert!(default.categories.iter().all(|c| !c.required));
        let required: Vec<(&str, f64)> = pydata
            .categories
            .iter()
            .filter(|c| c.required)
            .map(|c| (c.id.as_str(), c.weight))
            .collect();
        assert_eq!(required, [("benchmarks", 2.0)]);
    }

    /// The fingerprint follows what scores, not the wording around it.
    #[test]
    fn the_hash_changes_with_what_scores_only() {
        let default = Rubric::builtin("default").unwrap();
        let h = default.hash();
        assert!(h.starts_with("fnv1a64:") && h.len() == 24, "{h}");
        assert_eq!(h, Rubric::builtin("default").unwrap().hash());
        assert_ne!(h, Rubric::builtin("pydata").unwrap().hash());
        let mut renamed = default.clone();
        renamed.name = "mine".into();
        renamed.categories[0].name = "Other".into();
        renamed.categories[0].criteria[0].why = "another reason".into();
        assert_eq!(renamed.hash(), h);
        let mut stricter = default.clone();
        stricter.categories[0].criteria[0].good += 1.0;
        assert_ne!(stricter.hash(), h);
        let mut reweighed = default.clone();
        reweighed.categories[0].weight *= 2.0;
        assert_ne!(reweighed.hash(), h);
        let mut graded = default;
        graded.grades.min_coverage = 0.9;
        assert_ne!(graded.hash(), h);
    }

    #[test]
    fn unknown_rubric_names_list_the_built_in_ones() {
        let e = Rubric::load(Some("strict")).unwrap_err().to_string();
        assert!(e.contains("built-in: default, pydata"), "{e}");
    }
}
