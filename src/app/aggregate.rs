//! `readiness compare OUT.ndjson...`: the outputs of `readiness batch`
//! (shards concatenated or given one after another) summed up, a line at a
//! time; see `report::aggregate`.

use std::path::Path;

use super::{Outcome, Settings};
use crate::batch::lines::{ErrorLine, Lines};
use crate::cli::{Format, Global};
use crate::error::Error;
use crate::report::{self, aggregate::Accumulator, aggregate::ReportLine};

/// Adds every line of the batch output at `path` to `acc`.
fn read_into(path: &Path, acc: &mut Accumulator, quiet: bool) -> Result<(), Error> {
    let file = crate::fsutil::open_regular(path).map_err(|e| Error::read(path, e))?;
    let mut lines = Lines::new(file, path);
    let mut buf = Vec::new();
    while let Some(ended) = lines.next_into(&mut buf)? {
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let as_report = serde_json::from_slice::<ReportLine>(&buf);
        if let Ok(r) = &as_report {
            acc.report(r);
            continue;
        }
        if let Ok(e) = serde_json::from_slice::<ErrorLine>(&buf) {
            acc.error(&e.project, &e.error);
            continue;
        }
        if !ended {
            if !quiet {
                eprintln!(
                    "readiness: {}:{}: the last line is cut short (an interrupted batch?): left out",
                    path.display(),
                    lines.number
                );
            }
            break;
        }
        let why = as_report.err().map_or_else(String::new, |e| e.to_string());
        return Err(lines.error(format!(
            "neither a report nor an error line of readiness batch: {why}"
        )));
    }
    Ok(())
}

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
    };
    settings.publish(&text, markdown)?;
    Ok(Outcome::Done)
}
