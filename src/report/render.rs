//! Handlebars rendering. The built-in templates are embedded from
//! `templates/`; `--template FILE` replaces the one a command uses. Every
//! `{{value}}` goes through the markdown escape, so untrusted text is safe
//! in user templates too; strict mode makes a misspelt field an error that
//! names the template, line and column instead of an empty cell. Before a
//! template renders, [`guard::check`] refuses what could recurse without
//! end (handlebars has no limit, and a stack overflow aborts), and the
//! output is bounded to [`MAX_OUTPUT`] bytes.

use std::io::Write;
use std::path::Path;

use handlebars::Handlebars;
use handlebars::template::Template;
use serde::Serialize;

use super::Report;
use super::aggregate::{Aggregate, AggregateView};
use super::compare::{CompareView, Comparison};
use super::escape;
use super::guard;
use super::history::HistoryView;
use super::view::ReportView;
use crate::error::Error;
use crate::history::History;

/// The most bytes a rendered document may hold (64 MiB): a template that
/// loops inside loops could otherwise fill the memory.
pub(super) const MAX_OUTPUT: usize = 64 << 20;

/// A buffer that refuses to grow past [`MAX_OUTPUT`].
struct Bounded(Vec<u8>);

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len().saturating_add(buf.len()) > MAX_OUTPUT {
            return Err(std::io::Error::other(format!(
                "the output is over {} MiB, the most a report may be",
                MAX_OUTPUT >> 20
            )));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const REPORT_TEMPLATE: &str = include_str!("../../templates/report.md.hbs");
const COMPARE_TEMPLATE: &str = include_str!("../../templates/compare.md.hbs");
const HISTORY_TEMPLATE: &str = include_str!("../../templates/history.md.hbs");
const AGGREGATE_TEMPLATE: &str = include_str!("../../templates/aggregate.md.hbs");

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
    // The name a partial would call the template by: its file name.
    let own = Path::new(&name)
        .file_name()
        .map_or_else(|| name.clone(), |f| f.to_string_lossy().into_owned());
    let fail = |message: String| Error::Template {
        name: name.clone(),
        message,
    };
    let template =
        Template::compile_with_name(&text, own.clone()).map_err(|e| fail(e.to_string()))?;
    guard::check(&template, &own).map_err(fail)?;
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(escape::markdown);
    hb.register_template(&own, template);
    let mut out = Bounded(Vec::new());
    hb.render_to_write(&own, data, &mut out)
        .map_err(|e| fail(e.to_string()))?;
    String::from_utf8(out.0).map_err(|e| fail(e.to_string()))
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

/// Renders a history as markdown: the table of points and, unless
/// `charts` is false (`--no-charts`), their charts.
///
/// # Errors
/// A custom template that cannot be read, parsed or rendered.
pub fn render_history(
    history: &History,
    template: Option<&Path>,
    charts: bool,
) -> Result<String, Error> {
    render(
        ("templates/history.md.hbs", HISTORY_TEMPLATE),
        template,
        &HistoryView::new(history, charts),
    )
}

/// Renders the aggregate of batch outputs as markdown.
///
/// # Errors
/// A custom template that cannot be read, parsed or rendered.
pub fn render_aggregate(aggregate: &Aggregate, template: Option<&Path>) -> Result<String, Error> {
    render(
        ("templates/aggregate.md.hbs", AGGREGATE_TEMPLATE),
        template,
        &AggregateView::new(aggregate),
    )
}
