//! Handlebars rendering. The built-in templates are embedded from
//! `templates/`; `--template FILE` replaces the one a command uses. Every
//! `{{value}}` goes through the markdown escape, so untrusted text is safe
//! in user templates too; strict mode makes a misspelt field an error that
//! names the template, line and column instead of an empty cell.

use std::path::Path;

use handlebars::Handlebars;
use serde::Serialize;

use super::Report;
use super::compare::{CompareView, Comparison};
use super::escape;
use super::view::ReportView;
use crate::error::Error;

const REPORT_TEMPLATE: &str = include_str!("../../templates/report.md.hbs");
const COMPARE_TEMPLATE: &str = include_str!("../../templates/compare.md.hbs");

fn render<T: Serialize>(
    builtin: (&str, &str),
    custom: Option<&Path>,
    data: &T,
) -> Result<String, Error> {
    let (name, text) = match custom {
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?,
        ),
        None => (builtin.0.to_string(), builtin.1.to_string()),
    };
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(escape::markdown);
    let fail = |message: String| Error::Template {
        name: name.clone(),
        message,
    };
    hb.register_template_string("t", &text)
        .map_err(|e| fail(e.to_string()))?;
    hb.render("t", data).map_err(|e| fail(e.to_string()))
}

/// Renders one report as markdown.
///
/// # Errors
/// A custom template that cannot be read, parsed or rendered.
pub fn render_report(report: &Report, template: Option<&Path>) -> Result<String, Error> {
    render(
        ("templates/report.md.hbs", REPORT_TEMPLATE),
        template,
        &ReportView::new(report),
    )
}

/// Renders a comparison as markdown.
///
/// # Errors
/// A custom template that cannot be read, parsed or rendered.
pub fn render_compare(comparison: &Comparison, template: Option<&Path>) -> Result<String, Error> {
    render(
        ("templates/compare.md.hbs", COMPARE_TEMPLATE),
        template,
        &CompareView::new(comparison),
    )
}
