//! The settings window's backend: locked fields, validation by the configuration reader,
//! and a save that keeps what it does not edit and writes nothing when anything is wrong.

use svetofor_client::config;
use svetofor_client::settings::{FIELDS, form_of, save};
use svetofor_feed::Severity;

const KEY: &str = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";

#[test]
fn policy_fields_are_locked_and_never_written_to_the_users_file() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "feeds = [\"https://status.example.com/feed.json\"]\n",
    )
    .unwrap();
    let user = dir.path().join("user/config.toml");
    let cfg = config::load(Some(&user), Some(&policy)).unwrap();
    let (mut form, locked) = form_of(&cfg);
    assert_eq!(locked, ["feeds"]);
    assert_eq!(form.feeds, ["https://status.example.com/feed.json"]);
    assert!(form.autostart);

    form.feeds = vec!["https://elsewhere.example.net/feed.json".into()];
    form.language = "ru".into();
    form.poll_interval = 120;
    form.public_keys = vec![KEY.into()];
    let saved = save(&user, Some(&policy), &form).expect("valid settings save");
    assert_eq!(
        saved.feeds,
        ["https://status.example.com/feed.json"],
        "the policy wins"
    );
    assert_eq!(saved.language, "ru");
    assert_eq!(saved.poll_interval.as_secs(), 120);
    let text = std::fs::read_to_string(&user).unwrap();
    assert!(
        !text.contains("feeds"),
        "locked key written to the user's file:\n{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&user).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn bad_values_are_refused_field_by_field_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("config.toml");
    let before = "token = \"svt_keep_me\"\nproxy = \"http://proxy:3128\"\nlanguage = \"en\"\n";
    std::fs::write(&user, before).unwrap();
    let cfg = config::load(Some(&user), None).unwrap();
    let (mut form, locked) = form_of(&cfg);
    assert!(locked.is_empty());
    form.feeds = vec!["ftp://status.example.com/feed.json".into()];
    form.public_keys = vec!["not a key".into()];
    form.poll_interval = 0;
    form.language = "klingon!".into();
    let errors = save(&user, None, &form).expect_err("refused");
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["feeds", "public_keys", "poll_interval", "language"],
        "{errors:?}"
    );
    assert!(errors[0].message.contains("http"), "{errors:?}");
    assert_eq!(
        std::fs::read_to_string(&user).unwrap(),
        before,
        "nothing saved"
    );
}

#[test]
fn a_save_keeps_the_keys_the_window_does_not_edit() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("config.toml");
    std::fs::write(
        &user,
        "token = \"svt_keep_me\"\nnotify_red_always = false\n",
    )
    .unwrap();
    let cfg = config::load(Some(&user), None).unwrap();
    let (mut form, _) = form_of(&cfg);
    form.feeds = vec![" https://status.example.com/feed.json ".into(), "".into()];
    form.notify_min_severity = Severity::Red;
    form.autostart = false;
    form.components = vec!["payments".into()];
    let saved = save(&user, None, &form).expect("saves");
    assert_eq!(saved.token.as_deref(), Some("svt_keep_me"));
    assert!(!saved.notify_red_always);
    assert_eq!(
        saved.feeds,
        ["https://status.example.com/feed.json"],
        "trimmed, blanks dropped"
    );
    assert_eq!(saved.notify_min_severity, Severity::Red);
    assert!(!saved.autostart);
    let (again, _) = form_of(&saved);
    assert_eq!(again.components, ["payments"]);
    assert_eq!(FIELDS.len(), 7);
}

#[test]
fn a_broken_users_file_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("config.toml");
    std::fs::write(&user, "feeds = [\"https://a.example/feed.json\"\n").unwrap();
    let form = form_of(&config::Config::default()).0;
    let errors = save(&user, None, &form).expect_err("refused");
    assert_eq!(errors[0].field, "");
    assert!(
        errors[0].message.contains("fix or remove it first"),
        "{errors:?}"
    );
    assert!(
        std::fs::read_to_string(&user)
            .unwrap()
            .starts_with("feeds = [\"https://a.example")
    );
}
