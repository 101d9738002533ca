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
    pub benchmarks: BenchParams,
}

/// The rubric's `[benchmarks]`: what counts as a regression and as stable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BenchParams {
    /// A step for the worse larger than this share of the level before it
    /// is a regression (default 0.05, 5 %).
    pub regression_threshold: f64,
    /// A series whose robust CV is under this share is stable (default 0.05).
    pub stable_cv: f64,
}

impl Default for BenchParams {
    fn default() -> BenchParams {
        BenchParams {
            regression_threshold: 0.05,
            stable_cv: 0.05,
        }
    }
}

/// Whose comments and reviews count as a response to an issue or pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Responders {
    /// Only accounts associated with the repository: OWNER, MEMBER or COLLABORATOR.
    Maintainers,
    /// Anyone but the item's author.
    Anyone,
}

impl Responders {
    /// The name used in rubric TOML.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Responders::Maintainers => "maintainers",
            Responders::Anyone => "anyone",
        }
    }
}

/// The rubric's `[actors]`: who counts as a responder, and which logins are bots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actors {
    pub responders: Responders,
    /// Glob patterns (`*`, `?`) on logins, matched case-insensitively; these
    /// add to the built-in rules (type `Bot`, a login ending in `[bot]`).
    pub bots: Vec<String>,
}

impl Default for Actors {
    fn default() -> Actors {
        Actors {
            responders: Responders::Maintainers,
            bots: Vec::new(),
        }
    }
}

/// GitHub author associations that make an account a maintainer.
pub const MAINTAINER_ASSOCIATIONS: &[&str] = &["OWNER", "MEMBER", "COLLABORATOR"];

impl Actors {
    /// A bot: GitHub type `Bot`, a login ending in `[bot]`, or a login matching a rubric pattern.
    #[must_use]
    pub fn is_bot(&self, actor: &crate::evidence::Actor) -> bool {
        let login = actor.login.to_lowercase();
        actor.kind.eq_ignore_ascii_case("bot")
            || login.ends_with("[bot]")
            || self.bots.iter().any(|p| glob_match(p, &login))
    }

    /// Whether `response` counts as a response to `item`: not by the item's author, not a bot,
    /// and (for [`Responders::Maintainers`]) by OWNER, MEMBER or COLLABORATOR (association).
    ///
    /// A response without an actor (a deleted, "ghost" account) is neither a
    /// bot nor the author; for maintainers it counts by its association alone.
    #[must_use]
    pub fn counts(
        &self,
        item: &crate::evidence::Item,
        response: &crate::evidence::Response,
    ) -> bool {
        if let Some(actor) = &response.actor {
            if self.is_bot(actor) {
                return false;
            }
            let by_author = item
                .author
                .as_ref()
                .is_some_and(|a| a.login.eq_ignore_ascii_case(&actor.login));
            if by_author {
                return false;
            }
        }
        match self.responders {
            Responders::Anyone => true,
            Responders::Maintainers => MAINTAINER_ASSOCIATIONS
                .iter()
                .any(|m| m.eq_ignore_ascii_case(response.author_association.trim())),
        }
    }
}

/// Whether `text` matches the glob `pattern`, case-insensitively: `*` matches
/// any run of characters (none included), `?` exactly one, anything else itself.
#[must_use]
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    // Iterative matching with backtracking to the last `*`: O(len(p) * len(t)).
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry.
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

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

    /// The glob matcher: `*` any run (even empty), `?` exactly one character, case-insensitive, anchored at both ends.
    #[test]
    fn glob_matches_star_and_question_mark_case_insensitively() {
        assert!(glob_match("*-bot", "dask-bot"));
        assert!(glob_match("*-bot", "Dask-BOT"));
        assert!(glob_match("*-bot", "-bot"));
        assert!(!glob_match("*-bot", "dask-bot2"));
        assert!(!glob_match("*-bot", "robot"));
        assert!(glob_match("codecov*", "codecov"));
        assert!(glob_match("codecov*", "CodeCov-IO"));
        assert!(glob_match("c?decov", "codecov"));
        assert!(!glob_match("c?decov", "cdecov"));
        assert!(!glob_match("c?decov", "cooodecov"));
        assert!(glob_match("*a*b*", "xxaYYbzz"));
        assert!(glob_match("a*b*c", "abbbc"));
        assert!(!glob_match("a*b*c", "abbbd"));
        assert!(glob_match("??", "日本"));
        assert!(glob_match("**", ""));
        assert!(!glob_match("?", ""));
        assert!(!glob_match("", "a"));
        // `[` is not special: it matches itself.
        assert!(glob_match("*[bot]", "x[bot]"));
        assert!(!glob_match("*[bot]", "xb"));
    }

    proptest::proptest! {
        /// The matcher never panics, a wildcard-free pattern matches exactly itself in any case, and `*` around it matches any surroundings.
        #[test]
        fn glob_is_total_and_consistent(text in "\\PC{0,12}", pre in "\\PC{0,4}", post in "\\PC{0,4}", pattern in "[a-z*?\\[\\]-]{0,8}") {
            let _ = glob_match(&pattern, &text);
            let literal: String = text.chars().filter(|c| *c != '*' && *c != '?').collect();
            proptest::prop_assert!(glob_match(&literal, &literal));
            proptest::prop_assert!(glob_match(&literal.to_ascii_uppercase(), &literal));
            let wrapped = format!("*{literal}*");
            let longer = format!("{pre}{literal}{post}");
            proptest::prop_assert!(glob_match(&wrapped, &longer));
        }
    }

    /// Bots are told by type, by the `[bot]` suffix and by the rubric's patterns; people are not bots.
    #[test]
    fn is_bot_applies_the_built_in_rules_and_the_patterns() {
        let actor = |login: &str, kind: &str| crate::evidence::Actor {
            login: login.into(),
            kind: kind.into(),
        };
        let none = Actors::default();
        assert!(none.is_bot(&actor("helper", "Bot")));
        assert!(none.is_bot(&actor("renovate[bot]", "User")));
        assert!(!none.is_bot(&actor("dask-bot", "User")));
        let globs = Actors {
            responders: Responders::Maintainers,
            bots: vec!["*-bot".into(), "codecov*".into()],
        };
        assert!(globs.is_bot(&actor("Dask-Bot", "User")));
        assert!(globs.is_bot(&actor("codecov-io", "User")));
        assert!(!globs.is_bot(&actor("talbot", "User")));
    }

    #[test]
    fn unknown_rubric_names_list_the_built_in_ones() {
        let e = Rubric::load(Some("strict")).unwrap_err().to_string();
        assert!(e.contains("built-in: default, pydata"), "{e}");
    }
}
