//! The badge's colour follows the rubric's grade bands, not fixed scores.

use serde_json::Value;

use crate::common::{Workspace, monthly_project};

/// Release cadence alone, which scores 92 here, and three bands.
const THREE_BANDS: &str = r#"
[grades]
[[grades.band]]
min = 95
label = "gold"

[[grades.band]]
min = 50
label = "silver"

[[grades.band]]
min = 0
label = "bronze"

[[category]]
id = "releases"
weight = 1

[[category.criterion]]
signal = "release.count_365d"
good = 14
bad = 1
min_samples = 0
why = "More than monthly."
"#;

/// A custom rubric's second band gets the second colour, though its score is over 80.
#[test]
fn badge_colour_is_the_grades_rank_among_the_bands() {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    ws.write("three.toml", THREE_BANDS);
    let badge = |rubric: &str| -> Value {
        let out = ws
            .run(&["report", "monthly", "--rubric", rubric, "--format", "badge"])
            .ok();
        serde_json::from_str(&out).unwrap()
    };
    let v = badge("three.toml");
    assert_eq!(v["message"], "92/100 silver");
    assert_eq!(v["color"], "yellow", "{v}");
    // The bottom band is red whatever its score.
    ws.write(
        "low.toml",
        &THREE_BANDS
            .replace("min = 95", "min = 99")
            .replace("min = 50", "min = 95"),
    );
    let v = badge("low.toml");
    assert_eq!(v["message"], "92/100 bronze");
    assert_eq!(v["color"], "red", "{v}");
}
