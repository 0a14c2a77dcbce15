//! `svetoforctl config show`: effective settings, their origin, locks, and masked secrets.

use std::process::Command;

fn show(dir: &std::path::Path, json: bool) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_svetoforctl"));
    c.args([
        "config",
        "show",
        "--config",
        dir.join("user.toml").to_str().unwrap(),
    ])
    .env("SVETOFOR_POLICY", dir.join("policy.toml"));
    if json {
        c.arg("--json");
    }
    c.output().unwrap()
}

#[test]
fn policy_locks_and_secrets_are_masked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let token = "svt_abcdefgh_0123456789secret";
    std::fs::write(
        dir.join("user.toml"),
        format!("feeds = [\"https://user.example/feed.json\"]\npoll_interval = 30\ntoken = \"{token}\"\nproxy = \"http://bob:hunter2@proxy:3128\"\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("policy.toml"),
        "feeds = [\"https://corp.example/feed.json\"]\n",
    )
    .unwrap();
    let out = show(dir, true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains("0123456789secret") && !text.contains("hunter2"),
        "secrets leak: {text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["feeds"]["value"][0], "https://corp.example/feed.json");
    assert_eq!(
        (
            v["feeds"]["source"].as_str(),
            v["feeds"]["locked"].as_bool()
        ),
        (Some("policy"), Some(true))
    );
    assert_eq!(
        (
            v["poll_interval"]["value"].as_u64(),
            v["poll_interval"]["source"].as_str()
        ),
        (Some(30), Some("user"))
    );
    assert_eq!(
        (
            v["language"]["source"].as_str(),
            v["language"]["locked"].as_bool()
        ),
        (Some("default"), Some(false))
    );
    for key in svetofor_client_keys() {
        assert!(v.get(key).is_some(), "{key} missing");
    }
    let human = String::from_utf8(show(dir, false).stdout).unwrap();
    assert!(human.contains("policy, locked"), "{human}");

    std::fs::write(
        dir.join("user.toml"),
        "feeds = [\"https://a.example/feed.json\"]\n\nnotify_min_severity = \"loud\"\n",
    )
    .unwrap();
    let out = show(dir, true);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("user.toml:3: notify_min_severity"), "{err}");
}

fn svetofor_client_keys() -> [&'static str; 10] {
    [
        "feeds",
        "public_keys",
        "poll_interval",
        "components",
        "notify_min_severity",
        "notify_red_always",
        "language",
        "proxy",
        "extra_ca_file",
        "token",
    ]
}

#[test]
fn config_check_names_the_line_of_a_policy_mistake_before_rollout() {
    let tmp = tempfile::tempdir().unwrap();
    let check = |text: &str| {
        let f = tmp.path().join("policy.toml");
        std::fs::write(&f, text).unwrap();
        Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
            .args(["config", "check"])
            .arg(&f)
            .output()
            .unwrap()
    };
    let bad =
        check("feeds = [\"https://corp.example/feed.json\"]\nnotify_min_severity = \"yelow\"\n");
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("policy.toml:2") && err.contains("notify_min_severity"),
        "{err}"
    );
    let good = check(
        "feeds = [\"https://corp.example/feed.json\"]\npublic_keys = [\"RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\"]\n",
    );
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let out = String::from_utf8_lossy(&good.stdout);
    assert!(out.contains("usable; sets feeds, public_keys"), "{out}");
    let unsigned = check("feeds = [\"https://corp.example/feed.json\"]\n");
    assert!(unsigned.status.success());
    assert!(String::from_utf8_lossy(&unsigned.stderr).contains("not verified"));
    let missing = Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
        .args(["config", "check", "/nonexistent/policy.toml"])
        .output()
        .unwrap();
    assert!(
        !missing.status.success(),
        "a missing file is not a usable policy"
    );
}
