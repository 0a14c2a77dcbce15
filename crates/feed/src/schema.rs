//! The JSON Schema of the Svetofor v1 feed, generated from the types.

use crate::v1::Feed;

/// The JSON Schema of [`Feed`], pretty-printed with a trailing newline. The copy checked in
/// at `docs/feed-v1.schema.json` must equal this (a test enforces it).
pub fn feed_v1_schema() -> String {
    let schema = schemars::schema_for!(Feed);
    let mut out = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    out.push('\n');
    out
}
