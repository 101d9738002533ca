//! `readiness compare OUT.ndjson...`: the outputs of `readiness batch`
//! (shards concatenated or given one after another) summed up, a line at a
//! time; see `report::aggregate`.

use std::path::Path;

use super::{Outcome, Settings};
use crate::batch::lines::read_into;
use crate::cli::{Format, Global};
use crate::error::Error;
use crate::report::{self, aggregate::Accumulator};

/// `readiness compare OUT.ndjson...`.
pub(crate) fn aggregate_command(g: Global, files: &[String], top: usize) -> Result<Outcome, Error> {
    if g.rubric.is_some() || g.since.is_some() || g.until.is_some() {
        return Err(Error::Usage(
            "the reports of a batch output are scored already: --rubric, --since and --until apply to `readiness batch`"
                .into(),
        ));
    }
    if top > 100 {
        return Err(Error::Usage(format!(
            "--top {top}: at most 100 projects are listed per category"
        )));
    }
    let settings = Settings::new(g)?;
    let mut acc = Accumulator::new(top);
    for f in files {
        read_into(Path::new(f), &mut acc, settings.github.quiet)?;
    }
    let aggregate = acc.finish();
    let markdown = || report::render_aggregate(&aggregate, settings.template.as_deref());
    let text = match settings.format {
        Format::Markdown => markdown()?,
        Format::Json => report::to_json("the aggregate", &aggregate)?,
        Format::Badge => {
            return Err(Error::Usage(
                "--format badge shows one project's score: use it with `readiness report`".into(),
            ));
        }
        Format::Csv => return Err(super::csv_is_for_history()),
    };
    settings.publish(&text, markdown)?;
    Ok(Outcome::Done)
}
