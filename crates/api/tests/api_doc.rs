//! docs/api.md's error table and [`ErrorCode`] say the same: every code with its status.

use std::collections::BTreeSet;

use svetofor_api::ErrorCode;

#[test]
fn the_error_table_in_the_api_guide_lists_every_code_with_its_status() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let table = doc
        .split("## Errors")
        .nth(1)
        .expect("docs/api.md has an Errors section");
    let mut documented = BTreeSet::new();
    for line in table.lines().skip_while(|l| !l.starts_with("| status")) {
        let Some(row) = line.strip_prefix('|') else {
            break;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Ok(status) = cells[0].parse::<u16>() else {
            continue;
        };
        for code in cells[1].split(',') {
            documented.insert((code.trim().trim_matches('`').to_owned(), status));
        }
    }
    let actual: BTreeSet<(String, u16)> = ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), c.status()))
        .collect();
    assert_eq!(documented, actual, "docs/api.md and ErrorCode differ");
}

#[test]
fn codes_round_trip_and_unknown_ones_read_as_none() {
    for code in ErrorCode::ALL {
        let body = format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#);
        let parsed: svetofor_api::ErrorBody = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed.error.code, Some(code));
    }
    let parsed: svetofor_api::ErrorBody =
        serde_json::from_str(r#"{"error":{"code":"from_the_future","message":"m"}}"#).unwrap();
    assert_eq!(parsed.error.code, None);
}
