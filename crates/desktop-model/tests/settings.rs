//! The settings window's backend: locked fields, validation by the configuration reader,
//! and a save that keeps what it does not edit and writes nothing when anything is wrong.

use svetofor_client::config::{self, Key};
use svetofor_desktop_model::i18n::{Catalog, Lang};
use svetofor_desktop_model::settings::{FIELDS, Problem, form_of, save};
use svetofor_desktop_model::settings_text::error_text;
use svetofor_feed::Severity;

use svetofor_testkit::fixtures as common;

use common::config_files;

const KEY: &str = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";

#[test]
fn policy_fields_are_locked_and_never_written_to_the_users_file() {
    let (dir, _, policy) = config_files(
        None,
        Some("feeds = [\"https://status.example.com/feed.json\"]\n"),
    );
    let user = dir.path().join("user/config.toml");
    let cfg = config::load(Some(&user), Some(&policy)).unwrap();
    let (mut form, locked) = form_of(&cfg);
    assert_eq!(locked, [Key::Feeds]);
    assert_eq!(form.feeds, ["https://status.example.com/feed.json"]);
    assert!(form.autostart);

    form.feeds = vec!["https://elsewhere.example.net/feed.json".into()];
    form.language = "ru".into();
    form.poll_interval = 120;
    form.public_keys = vec![KEY.into()];
    let saved = save(&user, Some(&policy), &form, &[]).expect("valid settings save");
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
    let errors = save(&user, None, &form, &[]).expect_err("refused");
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
    let (_dir, user, _) = config_files(
        Some(
            "# Set up by the help desk.\ntoken = \"svt_keep_me\"\n\n# Ask IT before changing.\nnotify_red_always = false\npoll_interval = 30 # seconds\nlanguage = \"en\"\n",
        ),
        None,
    );
    let cfg = config::load(Some(&user), None).unwrap();
    let (mut form, _) = form_of(&cfg);
    form.feeds = vec![" https://status.example.com/feed.json ".into(), "".into()];
    form.notify_min_severity = Severity::Red;
    form.autostart = false;
    form.components_only = true;
    form.components = vec!["payments".into()];
    let saved = save(&user, None, &form, &[]).expect("saves");
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
    let text = std::fs::read_to_string(&user).unwrap();
    for kept in [
        "# Set up by the help desk.\ntoken = \"svt_keep_me\"\n",
        "# Ask IT before changing.\nnotify_red_always = false\n",
        "poll_interval = 30 # seconds\n",
        "language = \"en\"\n",
    ] {
        assert!(text.contains(kept), "lost {kept:?}:\n{text}");
    }
}

#[test]
fn a_broken_users_file_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("config.toml");
    std::fs::write(&user, "feeds = [\"https://a.example/feed.json\"\n").unwrap();
    let form = form_of(&config::Config::default()).0;
    let errors = save(&user, None, &form, &[]).expect_err("refused");
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

#[test]
fn each_bad_row_is_named_and_worded_in_the_users_language() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("config.toml");
    let mut form = form_of(&config::Config::default()).0;
    form.feeds = vec![
        "https://ok.example/feed.json".into(),
        "".into(),
        "status.example.com/feed.json".into(),
    ];
    form.public_keys = vec![KEY.into(), "RWQnope".into()];
    let errors = save(&user, None, &form, &[]).expect_err("refused");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        (errors[0].field.as_str(), errors[0].index, errors[0].problem),
        ("feeds", Some(2), Problem::NotWebUrl),
        "the row counts blank rows, as the window shows them"
    );
    assert_eq!(
        errors[0].value.as_deref(),
        Some("status.example.com/feed.json")
    );
    assert_eq!(
        (errors[1].field.as_str(), errors[1].index, errors[1].problem),
        ("public_keys", Some(1), Problem::NotAKey)
    );
    let en = error_text(&Catalog::new(Lang::En), &errors[0]);
    assert_eq!(
        en,
        "“status.example.com/feed.json” is not a web address: it must start with https:// or http://."
    );
    let ru = error_text(&Catalog::new(Lang::Ru), &errors[0]);
    assert!(ru.contains("не веб-адрес"), "{ru}");
    assert!(!user.exists(), "nothing written");
}

#[test]
fn an_interval_that_is_not_a_number_is_refused_next_to_its_field() {
    use svetofor_desktop_model::settings::{Problem, SettingsForm};
    let mut json = serde_json::to_value(form_of(&config::Config::default()).0).unwrap();
    json["poll_interval"] = serde_json::json!("soon");
    let form: SettingsForm = serde_json::from_value(json.clone()).expect("the form still reads");
    assert_eq!(form.poll_interval, 0);
    json["poll_interval"] = serde_json::json!(" 90 ");
    let typed: SettingsForm = serde_json::from_value(json).unwrap();
    assert_eq!(typed.poll_interval, 90, "an input's text is a number too");
    let dir = tempfile::tempdir().unwrap();
    let errors = save(&dir.path().join("c.toml"), None, &form, &[]).expect_err("0 s");
    assert_eq!(errors[0].field, "poll_interval");
    assert_eq!(errors[0].problem, Problem::IntervalRange);
}

#[test]
fn what_the_command_line_set_is_locked_and_not_saved() {
    use svetofor_desktop_model::settings::{Lock, locks};
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "language = \"ru\"\n").unwrap();
    let user = dir.path().join("config.toml");
    let cfg = config::load(Some(&user), Some(&policy)).unwrap();
    let feeds = vec!["http://127.0.0.1:1/feed.json".to_owned()];
    let cl = config::CommandLine {
        feeds: &feeds,
        pubkeys: &[],
        interval: Some(5),
    };
    let l = locks(&cfg, &cl);
    assert_eq!(l.get(&Key::Language), Some(&Lock::Policy));
    assert_eq!(l.get(&Key::Feeds), Some(&Lock::CommandLine));
    assert_eq!(l.get(&Key::PollInterval), Some(&Lock::CommandLine));
    assert_eq!(l.get(&Key::PublicKeys), None);
    let mut shown = cfg.clone();
    shown.apply_command_line(cl).unwrap();
    let (mut form, _) = form_of(&shown);
    form.autostart = false;
    let from_cl: Vec<Key> = locks(&config::Config::default(), &cl).into_keys().collect();
    let saved = save(&user, Some(&policy), &form, &from_cl).expect("saves");
    assert!(!saved.autostart);
    let text = std::fs::read_to_string(&user).unwrap();
    for key in ["feeds", "poll_interval", "language"] {
        assert!(!text.contains(key), "{key} written:\n{text}");
    }
}

#[test]
fn changes_say_what_a_running_app_must_redo() {
    use svetofor_desktop_model::settings::changes;
    let dir = tempfile::tempdir().unwrap();
    let a = config::Config::default();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        config::load(Some(&p), None).unwrap()
    };
    let only_autostart = write("1.toml", "autostart = false\n");
    let c = changes(&a, &only_autostart);
    assert!(c.autostart && !c.engine && !c.language, "{c:?}");
    let lang = write(
        "2.toml",
        if svetofor_desktop_model::i18n::Lang::from_os() == svetofor_desktop_model::i18n::Lang::Ru {
            "language = \"en\"\n"
        } else {
            "language = \"ru\"\n"
        },
    );
    let c = changes(&a, &lang);
    assert!(
        c.language && c.engine,
        "notice texts follow the language: {c:?}"
    );
    let keys = write("3.toml", &format!("public_keys = [\"{KEY}\"]\n"));
    let c = changes(&a, &keys);
    assert!(c.engine && !c.language && !c.autostart, "{c:?}");
    assert_eq!(changes(&keys, &keys), Default::default());
}

#[test]
fn component_choices_keep_configured_ids_the_feed_does_not_list() {
    use svetofor_client::view::ComponentChoice;
    use svetofor_desktop_model::settings::component_choices;
    let feed = vec![ComponentChoice {
        id: "payments".into(),
        name: "Payments".into(),
        group: Some("Money".into()),
    }];
    let all = component_choices(&feed, &["PAYMENTS".into(), "legacy-api".into()]);
    let ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["payments", "legacy-api"]);
    assert_eq!(all[1].name, "legacy-api");
}

#[test]
fn only_these_components_with_none_ticked_is_refused_not_saved_as_all() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("config.toml");
    std::fs::write(&user, "components = [\"payments\"]\n").unwrap();
    let cfg = config::load(Some(&user), None).unwrap();
    let (mut form, _) = form_of(&cfg);
    assert!(form.components_only);
    form.components = vec![" ".into()];
    let errors = save(&user, None, &form, &[]).expect_err("refused");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "components");
    assert_eq!(errors[0].problem, Problem::NoComponents);
    assert_eq!(
        error_text(&Catalog::new(Lang::Ru), &errors[0]),
        "Отметьте хотя бы одну часть продукта или выберите «Все»."
    );
    assert_eq!(
        std::fs::read_to_string(&user).unwrap(),
        "components = [\"payments\"]\n"
    );
    // "All" keeps the ticks out of the file: everything is followed.
    form.components_only = false;
    form.components = vec!["payments".into()];
    let saved = save(&user, None, &form, &[]).expect("saves");
    assert!(saved.components.is_empty());
    assert!(!form_of(&saved).0.components_only);
}
