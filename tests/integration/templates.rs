//! User templates (`--template FILE`) that could recurse without end or
//! blow up: the binary refuses them with an error that names the template
//! and what is wrong, and never aborts.

use crate::common::{Workspace, monthly_project};

/// Runs `readiness report monthly --template t.hbs` with `template` and returns standard error.
fn refused(template: &str) -> String {
    let ws = Workspace::new();
    ws.repo("monthly", &monthly_project());
    ws.write("t.hbs", template);
    ws.run(&["report", "monthly", "--template", "t.hbs"])
        .fails(2)
}

/// The recursive template of issue 12 is refused before rendering, naming the template and the partial.
#[test]
fn a_recursive_partial_is_refused_not_a_stack_overflow() {
    let err = refused(r#"{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}"#);
    assert!(err.contains("template t.hbs"), "{err}");
    assert!(err.contains("partial \"p\" calls itself"), "{err}");
    // Through another partial, and through the template itself.
    let err = refused(
        r#"{{#*inline "a"}}{{> b}}{{/inline}}{{#*inline "b"}}{{#each categories}}{{> a}}{{/each}}{{/inline}}{{> a}}"#,
    );
    assert!(err.contains("\"a\" → \"b\" → \"a\""), "{err}");
    let err = refused(r#"{{#*inline "p"}}{{> t.hbs}}{{/inline}}{{> p}}"#);
    assert!(err.contains("\"t.hbs\""), "{err}");
}

/// Partial names computed when rendering cannot be checked, so they are refused.
#[test]
fn dynamic_partial_names_are_refused() {
    let err = refused(
        "{{#*inline \"p\"}}{{> (lookup this \"name\")}}{{/inline}}\n{{> (lookup this \"tool\")}}",
    );
    assert!(err.contains("computed when rendering"), "{err}");
    assert!(err.contains("line 2, column 1"), "{err}");
}

/// Blocks nested past the limit are refused (thousands of them overflowed the stack when rendering).
#[test]
fn deep_nesting_is_refused() {
    let n = 4000;
    let deep = "{{#if tool}}".repeat(n) + "x" + &"{{/if}}".repeat(n);
    let err = refused(&deep);
    assert!(err.contains("nest more than 64 deep"), "{err}");
}

/// A template whose loops multiply its output stops at the size limit with an error.
#[test]
fn runaway_output_is_bounded() {
    let block = "x".repeat(20_000);
    let err = refused(&format!(
        "{{{{#each measurements}}}}{{{{#each ../measurements}}}}{{{{#each ../../measurements}}}}{block}{{{{/each}}}}{{{{/each}}}}{{{{/each}}}}"
    ));
    assert!(err.contains("over 64 MiB"), "{err}");
}

/// Loops nested past the limit are refused: a loop whose body writes nothing is not stopped by the output bound.
#[test]
fn deeply_nested_loops_are_refused() {
    let n = 5;
    let template = "{{#each categories}}".repeat(n) + &"{{/each}}".repeat(n);
    let err = refused(&template);
    assert!(err.contains("loops nest more than 4 deep"), "{err}");
}
