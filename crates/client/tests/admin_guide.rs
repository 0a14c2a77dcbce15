//! The admin guide documents exactly the configuration keys the code reads.

use std::collections::BTreeSet;

#[test]
fn admin_guide_lists_every_policy_key_and_no_other() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/admin-guide.md");
    let text = std::fs::read_to_string(&path).expect("docs/admin-guide.md");
    let section = text
        .split("\n## Policy keys")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a '## Policy keys' section");
    let documented: BTreeSet<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once("` |").map(|(k, _)| k))
        .collect();
    let read: BTreeSet<&str> = svetofor_client::config::Key::ALL
        .map(svetofor_client::config::Key::as_str)
        .into_iter()
        .collect();
    let undocumented: Vec<_> = read.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&read).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "keys the code reads but the guide lacks: {undocumented:?}; keys the guide names that the code does not read: {unknown:?}"
    );
}
