//! The checked-in JSON Schema must match the types. Run with `SVETOFOR_BLESS=1` to rewrite it.

use std::path::PathBuf;

#[test]
fn checked_in_schema_matches_the_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/feed-v1.schema.json");
    let generated = svetofor_feed::schema::feed_v1_schema();
    if std::env::var_os("SVETOFOR_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/feed-v1.schema.json is out of date with the feed types; \
         run `SVETOFOR_BLESS=1 cargo test -p svetofor-feed --test schema` and commit it"
    );
}

#[test]
fn schema_describes_the_feed() {
    let schema: serde_json::Value =
        serde_json::from_str(&svetofor_feed::schema::feed_v1_schema()).unwrap();
    let required = schema["required"].as_array().unwrap();
    for field in [
        "format",
        "id",
        "seq",
        "generated_at",
        "expires_at",
        "default_language",
    ] {
        assert!(required.iter().any(|r| r == field), "{field} not required");
    }
    assert_eq!(schema["properties"]["format"]["const"], "svetofor/1");
}
