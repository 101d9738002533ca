//! The JSON Schema (draft 2020-12) of the JSON documents `readiness` prints:
//! the report (`report --format json`), the comparison
//! (`compare --format json`), the history (`history --format json`) and
//! the aggregate of batch outputs (`compare OUT.ndjson --format json`).
//! `readiness schema` prints them.
//!
//! The schemas are generated from the Rust types the documents are
//! serialized from (schemars, for what serde writes), so they cannot drift
//! from the output: a field added to [`Report`] appears in the schema with
//! its doc comment as the description.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};

use super::compare::Comparison;
use super::{REPORT_SCHEMA, Report};
use crate::error::Error;
use crate::history::{HISTORY_SCHEMA, History};

/// Which document's schema to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// `readiness report --format json`.
    Report,
    /// `readiness compare --format json`.
    Compare,
    /// `readiness history --format json`.
    History,
    /// `readiness compare OUT.ndjson --format json`: a batch summed up.
    Aggregate,
}

impl Document {
    /// The schema's `$id`: a URN naming the document and `report_schema`
    /// version it describes (there is no web address to resolve it at).
    #[must_use]
    pub fn id(self) -> String {
        let name = match self {
            Document::Report => "report",
            Document::Compare => "compare",
            Document::History => "history",
            Document::Aggregate => "aggregate",
        };
        let version = match self {
            Document::History => HISTORY_SCHEMA,
            _ => REPORT_SCHEMA,
        };
        format!("urn:readiness:schema:{name}:{version}")
    }

    /// The schema's `title`.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Document::Report => "readiness report",
            Document::Compare => "readiness comparison",
            Document::History => "readiness history",
            Document::Aggregate => "readiness aggregate of batch outputs",
        }
    }
}

/// The JSON Schema of `document`, as written by serde: fields serde always
/// writes are `required` (an absent value is `null`), and fields it skips
/// when empty are optional.
///
/// # Errors
/// The generated schema is not a JSON object (never expected): an error,
/// not an empty schema that would accept anything.
pub fn schema(document: Document) -> Result<Schema, Error> {
    match document {
        Document::Report => generate::<Report>(document),
        Document::Compare => generate::<Comparison>(document),
        Document::History => generate::<History>(document),
        Document::Aggregate => generate::<super::aggregate::Aggregate>(document),
    }
}

/// The schema of `document` as pretty JSON with a trailing newline.
///
/// # Errors
/// The schema cannot be generated or written.
pub fn schema_json(document: Document) -> Result<String, Error> {
    super::to_json(
        &format!("the {} schema", document.title()),
        &schema(document)?,
    )
}

fn generate<T: JsonSchema>(document: Document) -> Result<Schema, Error> {
    let generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>();
    let object = schema.ensure_object();
    object.insert("$id".into(), document.id().into());
    object.insert("title".into(), document.title().into());
    let mut value = serde_json::Value::Object(std::mem::take(object));
    unwrap_descriptions(&mut value);
    to_schema(value, document)
}

/// `value` as a schema; an error when it is not a JSON object or boolean.
fn to_schema(value: serde_json::Value, document: Document) -> Result<Schema, Error> {
    Schema::try_from(value).map_err(|e| Error::Json {
        what: format!("the {} schema", document.title()),
        message: e.to_string(),
    })
}

/// Joins the lines of every `description` that a doc comment wrapped, so
/// that only blank lines (paragraphs) remain as line breaks.
fn unwrap_descriptions(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    serde_json::Value::String(text) if key == "description" => {
                        *text = text
                            .split("\n\n")
                            .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
                            .collect::<Vec<_>>()
                            .join("\n\n");
                    }
                    _ => unwrap_descriptions(v),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value that is not a schema is an error naming the document, not an empty schema.
    #[test]
    fn a_non_schema_is_an_error() {
        let e = to_schema(serde_json::json!([1]), Document::Compare)
            .unwrap_err()
            .to_string();
        assert!(e.contains("the readiness comparison schema"), "{e}");
    }

    /// The schemas declare draft 2020-12, name themselves, and require what serde always writes.
    #[test]
    fn schemas_are_draft_2020_12_with_an_id_and_title() {
        let s = schema(Document::Report).unwrap();
        assert_eq!(
            s.get("$schema").and_then(|v| v.as_str()),
            Some("https://json-schema.org/draft/2020-12/schema")
        );
        assert_eq!(
            s.get("$id").and_then(|v| v.as_str()),
            Some("urn:readiness:schema:report:1")
        );
        assert_eq!(
            s.get("title").and_then(|v| v.as_str()),
            Some("readiness report")
        );
        let required: Vec<&str> = s
            .get("required")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        // `score` comes from the flattened scorecard and is written as `null` when absent.
        for key in ["report_schema", "target", "score", "grade", "measurements"] {
            assert!(
                required.contains(&key),
                "{key} is not required: {required:?}"
            );
        }
        let c = schema(Document::Compare).unwrap();
        assert_eq!(
            c.get("$id").and_then(|v| v.as_str()),
            Some("urn:readiness:schema:compare:1")
        );
    }
}
