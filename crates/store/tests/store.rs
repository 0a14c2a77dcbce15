//! One store suite, run on both backends: a SQLite file and a real PostgreSQL server. Each
//! scenario opens a fresh database, and the last one reopens it to see that everything
//! stayed.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use svetofor_api::{DeliveryState, Draft, IntakeRule, NoticeEvent, Template};
use svetofor_feed::{Component, Notice};
use svetofor_store::{
    AccountChange, AlertLink, AuditEntry, AuditQuery, Backend, Change, ChannelRecord, Database,
    DeliveryQuery, NewDelivery, NoticeFilter, NoticeQuery, Role, SessionRecord, StoreError,
    TokenRecord, TryResult, UserRecord,
};

use svetofor_testkit::pg::Postgres;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn notice(id: &str, state: &str, created: &str) -> Notice {
    serde_json::from_value(json!({
        "id": id, "severity": "red", "kind": "outage", "state": state,
        "title": {"ru": format!("Сбой {id}"), "en": format!("Outage {id}")},
        "body": "Текст с \u{0000} нулём и <b>разметкой</b>",
        "components": ["payments"],
        "created_at": created, "updated_at": created,
    }))
    .unwrap()
}

fn component(id: &str, name: &str) -> Component {
    serde_json::from_value(json!({"id": id, "name": name})).unwrap()
}

fn audit(actor: &str, action: &str, target: &str, at: &str) -> AuditEntry {
    AuditEntry {
        at: t(at),
        actor: actor.to_owned(),
        action: action.to_owned(),
        target: Some(target.to_owned()),
        detail: json!({"why": "тест"}),
    }
}

fn change<'a>(n: &'a Notice, seq: u64, a: &'a AuditEntry) -> Change<'a> {
    Change {
        notice: Some(n),
        notice_is_new: true,
        components: &[],
        set_component: None,
        remove_component: None,
        remove_draft: None,
        deliveries: &[],
        seq,
        base_seq: None,
        document: None,
        audit: Some(a),
    }
}

fn event(n: &Notice, seq: u64) -> NoticeEvent {
    serde_json::from_value(json!({
        "type": "notice.created", "timestamp": n.updated_at, "feed_id": "svetofor",
        "seq": seq, "notice": n,
    }))
    .unwrap()
}

fn notices_and_audit(s: &dyn Backend) {
    assert_eq!(s.seq().unwrap(), 0);
    let a = audit(
        "user:anna",
        "notice.create",
        "n1",
        "2026-12-01T10:00:00.123456Z",
    );
    let n1 = notice("n1", "investigating", "2026-12-01T10:00:00.123456Z");
    let comps = [component("payments", "Платежи")];
    s.commit(&Change {
        components: &comps,
        ..change(&n1, 1, &a)
    })
    .unwrap();
    assert_eq!(s.seq().unwrap(), 1);
    let back = s.notice("n1").unwrap().expect("stored");
    assert_eq!(
        back, n1,
        "a notice reads back exactly, NUL and markup included"
    );
    assert_eq!(s.components().unwrap(), comps);

    // A new notice whose id is taken fails and changes nothing.
    let clash = notice("n1", "identified", "2026-12-01T10:05:00Z");
    let a2 = audit("user:anna", "notice.create", "n1", "2026-12-01T10:05:00Z");
    assert!(s.commit(&change(&clash, 2, &a2)).is_err());
    assert_eq!(s.seq().unwrap(), 1);
    assert_eq!(s.notice("n1").unwrap().unwrap().updated_at, n1.updated_at);

    // Replaced when not new; an admin's name replaces the component's.
    let mut resolved = n1.clone();
    resolved.state = svetofor_feed::State::Resolved;
    resolved.updated_at = t("2026-12-01T11:00:00Z");
    let renamed = component("payments", "Оплата");
    let a3 = audit("user:anna", "notice.resolve", "n1", "2026-12-01T11:00:00Z");
    s.commit(&Change {
        notice_is_new: false,
        set_component: Some(&renamed),
        ..change(&resolved, 2, &a3)
    })
    .unwrap();
    assert_eq!(s.components().unwrap(), vec![renamed]);
    for (i, at) in ["2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z"]
        .iter()
        .enumerate()
    {
        let id = format!("n{}", i + 2);
        let a = audit("token:ops (x)", "notice.create", &id, at);
        s.commit(&change(&notice(&id, "investigating", at), 3 + i as u64, &a))
            .unwrap();
    }
    assert_eq!(s.seq().unwrap(), 4);

    // The feed: open ones, and closed ones changed since.
    let ids = |v: Vec<Notice>| v.into_iter().map(|n| n.id).collect::<Vec<_>>();
    assert_eq!(
        ids(s.feed_notices(t("2026-12-01T10:30:00Z")).unwrap()),
        ["n1", "n2", "n3"]
    );
    assert_eq!(
        ids(s.feed_notices(t("2026-12-01T11:30:00Z")).unwrap()),
        ["n2", "n3"]
    );
    // Pages, newest first, with a cursor.
    let page = |filter, before, limit| {
        ids(s
            .list_notices(&NoticeQuery {
                filter,
                before,
                limit,
            })
            .unwrap())
    };
    assert_eq!(page(NoticeFilter::All, None, 2), ["n3", "n2"]);
    assert_eq!(
        page(
            NoticeFilter::All,
            Some((t("2026-12-01T12:00:00Z"), "n2".to_owned())),
            5
        ),
        ["n1"]
    );
    assert_eq!(page(NoticeFilter::Current, None, 5), ["n3", "n2"]);
    assert_eq!(page(NoticeFilter::Past, None, 5), ["n1"]);
    // Removing a component.
    let a4 = audit(
        "user:anna",
        "component.retire",
        "payments",
        "2026-12-01T14:00:00Z",
    );
    s.commit(&Change {
        notice: None,
        remove_component: Some("payments"),
        ..change(&n1, 5, &a4)
    })
    .unwrap();
    assert!(s.components().unwrap().is_empty());

    // The audit log, newest first, with each filter.
    let lines = |q: AuditQuery| {
        s.audit_matching(&q)
            .unwrap()
            .into_iter()
            .map(|r| r.entry.target.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let all = s.audit(10, None).unwrap();
    assert_eq!(all.len(), 5, "the failed commit left no line");
    assert_eq!(all[0].entry.action, "component.retire");
    assert_eq!(
        all[4].entry.at,
        t("2026-12-01T10:00:00.123456Z"),
        "microseconds kept"
    );
    assert_eq!(all[4].entry.detail, json!({"why": "тест"}));
    assert_eq!(
        lines(AuditQuery {
            limit: 10,
            actor: Some("token:ops (x)".into()),
            ..Default::default()
        }),
        ["n3", "n2"]
    );
    assert_eq!(
        lines(AuditQuery {
            limit: 10,
            target: Some("n1".into()),
            since: Some(t("2026-12-01T10:30:00Z")),
            ..Default::default()
        }),
        ["n1"]
    );
    assert_eq!(
        lines(AuditQuery {
            limit: 10,
            until: Some(t("2026-12-01T11:00:00Z")),
            ..Default::default()
        }),
        ["n1"]
    );
    assert_eq!(
        lines(AuditQuery {
            limit: 2,
            before: Some(all[1].id),
            ..Default::default()
        }),
        ["n2", "n1"]
    );
}

/// A change built on a seq that is no longer the stored one is refused whole.
fn compare_and_set(s: &dyn Backend) {
    let a = audit("user:anna", "notice.create", "n1", "2026-12-01T10:00:00Z");
    let n1 = notice("n1", "investigating", "2026-12-01T10:00:00Z");
    s.commit(&Change {
        base_seq: Some(0),
        ..change(&n1, 7, &a)
    })
    .unwrap();
    let n2 = notice("n2", "investigating", "2026-12-01T10:01:00Z");
    let err = s
        .commit(&Change {
            base_seq: Some(6),
            ..change(&n2, 8, &a)
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { stored: 7 }), "{err}");
    assert!(s.notice("n2").unwrap().is_none(), "nothing of it stored");
    assert_eq!(s.audit(10, None).unwrap().len(), 1);
    s.commit(&Change {
        base_seq: Some(7),
        document: Some(("{\"seq\":8}", "sig")),
        ..change(&n2, 8, &a)
    })
    .unwrap();
    assert_eq!(s.seq().unwrap(), 8);
    if s.shared() {
        let d = s.latest_document().unwrap().expect("kept with the change");
        assert_eq!(
            (d.seq, d.document.as_str(), d.signature.as_str()),
            (8, "{\"seq\":8}", "sig")
        );
    }
}

fn tokens_and_accounts(s: &dyn Backend) {
    let token = TokenRecord {
        id: "tok1".into(),
        name: "ops".into(),
        role: Role::Support,
        hash: [7; 32],
        created_at: t("2026-12-01T10:00:00Z"),
        revoked_at: None,
    };
    s.insert_token(
        &token,
        &audit("cli", "token.create", "tok1", "2026-12-01T10:00:00Z"),
    )
    .unwrap();
    let back = s.token("tok1").unwrap().unwrap();
    assert_eq!(
        (back.hash, back.role, back.revoked_at),
        ([7; 32], Role::Support, None)
    );
    assert_eq!(s.tokens().unwrap().len(), 1);
    let revoke = audit("cli", "token.revoke", "tok1", "2026-12-01T11:00:00Z");
    assert!(s.revoke_token("tok1", &revoke).unwrap());
    assert!(!s.revoke_token("tok1", &revoke).unwrap(), "once");
    assert!(!s.revoke_token("nope", &revoke).unwrap());
    assert_eq!(
        s.token("tok1").unwrap().unwrap().revoked_at,
        Some(revoke.at)
    );
    assert_eq!(s.audit(10, None).unwrap().len(), 2, "no line for a refusal");

    let user = UserRecord {
        name: "anna".into(),
        role: Role::Admin,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$x$y".into(),
        created_at: t("2026-12-01T10:00:00Z"),
        disabled_at: None,
    };
    let add = audit("cli", "user.create", "anna", "2026-12-01T10:00:00Z");
    assert!(s.insert_user(&user, &add).unwrap());
    assert!(!s.insert_user(&user, &add).unwrap(), "the name is taken");
    assert_eq!(
        s.user("anna").unwrap().unwrap().password_hash,
        user.password_hash
    );
    assert_eq!(s.users().unwrap().len(), 1);
    let session = SessionRecord {
        id_hash: [1; 32],
        user: "anna".into(),
        csrf: "c".into(),
        created_at: t("2026-12-01T10:00:00Z"),
        last_seen: t("2026-12-01T10:00:00Z"),
    };
    s.insert_session(&session).unwrap();
    s.touch_session(&[1; 32], t("2026-12-01T10:30:00Z"))
        .unwrap();
    assert_eq!(
        s.session(&[1; 32]).unwrap().unwrap().last_seen,
        t("2026-12-01T10:30:00Z")
    );
    let pw = audit("cli", "user.password", "anna", "2026-12-01T11:00:00Z");
    assert!(
        s.change_user("anna", AccountChange::Password("new"), &pw)
            .unwrap()
    );
    assert!(
        s.session(&[1; 32]).unwrap().is_none(),
        "a new password ends sessions"
    );
    assert_eq!(s.user("anna").unwrap().unwrap().password_hash, "new");
    s.insert_session(&SessionRecord {
        id_hash: [2; 32],
        ..session.clone()
    })
    .unwrap();
    let off = audit("cli", "user.disable", "anna", "2026-12-01T12:00:00Z");
    assert!(s.change_user("anna", AccountChange::Disable, &off).unwrap());
    assert!(s.session(&[2; 32]).unwrap().is_none());
    assert_eq!(s.user("anna").unwrap().unwrap().disabled_at, Some(off.at));
    assert!(!s.change_user("bob", AccountChange::Disable, &off).unwrap());
    s.insert_session(&SessionRecord {
        id_hash: [3; 32],
        ..session
    })
    .unwrap();
    s.delete_session(&[3; 32]).unwrap();
    assert!(s.session(&[3; 32]).unwrap().is_none());
}

fn drafts_templates_and_alerts(s: &dyn Backend) {
    let draft = |id: &str, at: Option<&str>, created: &str| -> Draft {
        serde_json::from_value(json!({
            "id": id, "notice": {"severity": "red", "kind": "outage", "title": "Т"},
            "publish_at": at, "created_by": "user:anna", "created_at": created,
            "updated_at": created,
        }))
        .unwrap()
    };
    let a = audit("user:anna", "draft.save", "d", "2026-12-01T10:00:00Z");
    s.save_draft(&draft("d-plain", None, "2026-12-01T10:00:00Z"), &a)
        .unwrap();
    s.save_draft(
        &draft(
            "d-late",
            Some("2026-12-02T10:00:00Z"),
            "2026-12-01T09:00:00Z",
        ),
        &a,
    )
    .unwrap();
    s.save_draft(
        &draft(
            "d-soon",
            Some("2026-12-01T18:00:00Z"),
            "2026-12-01T09:00:00Z",
        ),
        &a,
    )
    .unwrap();
    let ids: Vec<String> = s.drafts().unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(
        ids,
        ["d-soon", "d-late", "d-plain"],
        "scheduled first, by time"
    );
    assert_eq!(s.next_scheduled().unwrap(), Some(t("2026-12-01T18:00:00Z")));
    // Saved again: replaced.
    s.save_draft(&draft("d-soon", None, "2026-12-01T09:00:00Z"), &a)
        .unwrap();
    assert_eq!(s.next_scheduled().unwrap(), Some(t("2026-12-02T10:00:00Z")));
    assert!(s.delete_draft("d-late", &a).unwrap());
    assert!(!s.delete_draft("d-late", &a).unwrap());
    assert_eq!(s.next_scheduled().unwrap(), None);
    assert!(s.draft("d-plain").unwrap().is_some());

    let template: Template = serde_json::from_value(json!({
        "name": "payments-down", "severity": "red", "kind": "outage",
        "title": {"ru": "{component}: не проходит", "en": "{component}: down"},
    }))
    .unwrap();
    s.save_template(&template, &a).unwrap();
    assert_eq!(s.templates().unwrap().len(), 1);
    assert_eq!(
        s.template("payments-down").unwrap().unwrap().name,
        "payments-down"
    );
    assert!(s.delete_template("payments-down", &a).unwrap());
    assert!(s.template("payments-down").unwrap().is_none());

    assert!(s.intake_rules().unwrap().is_empty());
    let rules: Vec<IntakeRule> =
        serde_json::from_value(json!([{"source": "zabbix", "component": "payments"}])).unwrap();
    s.set_intake_rules(&rules, &a).unwrap();
    assert_eq!(
        serde_json::to_value(s.intake_rules().unwrap()).unwrap(),
        serde_json::to_value(&rules).unwrap()
    );

    // An alert's draft, published: the alert answers for the notice.
    let link = AlertLink {
        source: "alertmanager".into(),
        key: "group\u{0}1".into(),
        draft_id: Some("d-plain".into()),
        notice_id: None,
        firing: true,
        routed: false,
        summary: "Платежи: ошибка \u{0} в сводке".into(),
        updated_at: t("2026-12-01T10:00:00Z"),
    };
    s.save_alert_link(&link).unwrap();
    let stored = s
        .alert_link("alertmanager", "group\u{0}1")
        .unwrap()
        .unwrap();
    assert!(stored.summary.starts_with("Платежи: ошибка"));
    assert_eq!(s.alert_links(10).unwrap().len(), 1);
    let n = notice("n-alert", "investigating", "2026-12-01T10:10:00Z");
    let pa = audit(
        "user:anna",
        "draft.publish",
        "d-plain",
        "2026-12-01T10:10:00Z",
    );
    s.commit(&Change {
        remove_draft: Some("d-plain"),
        ..change(&n, 1, &pa)
    })
    .unwrap();
    assert!(s.draft("d-plain").unwrap().is_none());
    let after = s
        .alert_link("alertmanager", "group\u{0}1")
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.draft_id, after.notice_id.as_deref()),
        (None, Some("n-alert"))
    );
    // Firing with a notice (no draft) is not for support's list; resolved with one is.
    assert!(s.alert_links(10).unwrap().is_empty());
    s.save_alert_link(&AlertLink {
        firing: false,
        draft_id: None,
        notice_id: Some("n-alert".into()),
        ..link
    })
    .unwrap();
    assert_eq!(s.alert_links(10).unwrap().len(), 1);
}

fn channels_and_outbox(s: &dyn Backend) {
    let channel: ChannelRecord = serde_json::from_value(json!({
        "name": "ops-hook", "config": {"type": "webhook", "url": "https://hooks.example/x",
        "secret": "whsec_c2VjcmV0"}, "min_severity": "yellow", "language": "ru",
        "utc_offset_minutes": 180, "created_at": "2026-12-01T09:00:00Z",
    }))
    .unwrap();
    let a = audit(
        "user:anna",
        "channel.add",
        "ops-hook",
        "2026-12-01T09:00:00Z",
    );
    assert!(s.insert_channel(&channel, &a).unwrap());
    assert!(
        !s.insert_channel(&channel, &a).unwrap(),
        "the name is taken"
    );
    assert_eq!(s.channels().unwrap()[0].name, "ops-hook");

    let n = notice("n1", "investigating", "2026-12-01T10:00:00Z");
    let ev = |n: &Notice, seq| NewDelivery {
        channel: "ops-hook".into(),
        event: event(n, seq),
    };
    let first = [ev(&n, 1)];
    let ca = audit("user:anna", "notice.create", "n1", "2026-12-01T10:00:00Z");
    s.commit(&Change {
        deliveries: &first,
        ..change(&n, 1, &ca)
    })
    .unwrap();
    let mut n_later = n.clone();
    n_later.updated_at = t("2026-12-01T10:01:00Z");
    s.enqueue(&[ev(&n_later, 2)]).unwrap();
    assert_eq!(s.channels_told("n1").unwrap(), ["ops-hook"]);
    assert_eq!(s.next_delivery().unwrap(), Some(t("2026-12-01T10:00:00Z")));

    // Only the oldest pending one of a (channel, notice) is due: messages go in order.
    let now = t("2026-12-01T12:00:00Z");
    let due = s.due_deliveries(now, 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].event.seq, 1);
    let first_id = due[0].info.id;
    s.record_try(
        first_id,
        now,
        &TryResult {
            state: DeliveryState::Pending,
            next_at: Some(now + TimeDelta::seconds(5)),
            error: Some("HTTP 500 \u{0}".into()),
            thread: None,
        },
    )
    .unwrap();
    assert!(
        s.due_deliveries(now, 10).unwrap().is_empty(),
        "waits its retry"
    );
    let later = now + TimeDelta::seconds(6);
    s.record_try(
        first_id,
        later,
        &TryResult {
            state: DeliveryState::Sent,
            next_at: None,
            error: None,
            thread: Some("msg-42".into()),
        },
    )
    .unwrap();
    assert_eq!(
        s.thread("ops-hook", "n1").unwrap().as_deref(),
        Some("msg-42")
    );
    let info = &s
        .deliveries(&DeliveryQuery {
            id: Some(first_id),
            limit: 10,
            ..Default::default()
        })
        .unwrap()[0];
    assert_eq!(
        (info.state, info.tries, info.sent_at),
        (DeliveryState::Sent, 2, Some(later))
    );
    let due = s.due_deliveries(later, 10).unwrap();
    assert_eq!(due.len(), 1, "the next one in turn");
    let second = due[0].info.id;
    s.record_try(
        second,
        later,
        &TryResult {
            state: DeliveryState::Failed,
            next_at: None,
            error: Some("gave up".into()),
            thread: None,
        },
    )
    .unwrap();
    let all = s
        .deliveries(&DeliveryQuery {
            notice: Some("n1".into()),
            channel: Some("ops-hook".into()),
            since: Some(t("2026-12-01T09:00:00Z")),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        all.iter().map(|d| d.id).collect::<Vec<_>>(),
        [second, first_id]
    );
    let ra = audit("user:anna", "delivery.retry", "n1", "2026-12-01T12:10:00Z");
    assert!(s.retry_delivery(second, later, &ra).unwrap());
    assert!(
        !s.retry_delivery(second, later, &ra).unwrap(),
        "only a failed one"
    );
    assert_eq!(s.next_delivery().unwrap(), Some(later));

    s.disable_channel("ops-hook", later).unwrap();
    assert_eq!(s.channels().unwrap()[0].disabled_at, Some(later));
    // Removed: its pending deliveries fail, its threads go.
    let da = audit(
        "user:anna",
        "channel.remove",
        "ops-hook",
        "2026-12-01T12:20:00Z",
    );
    assert!(s.delete_channel("ops-hook", &da).unwrap());
    assert!(!s.delete_channel("ops-hook", &da).unwrap());
    assert_eq!(s.next_delivery().unwrap(), None);
    assert_eq!(s.thread("ops-hook", "n1").unwrap(), None);
    let d = &s
        .deliveries(&DeliveryQuery {
            id: Some(second),
            limit: 1,
            ..Default::default()
        })
        .unwrap()[0];
    assert_eq!(
        (d.state, d.last_error.as_deref()),
        (DeliveryState::Failed, Some("channel removed"))
    );
}

type Scenario = fn(&dyn Backend);

const SCENARIOS: [(&str, Scenario); 5] = [
    ("notices and audit", notices_and_audit),
    ("compare and set", compare_and_set),
    ("tokens and accounts", tokens_and_accounts),
    ("drafts, templates and alerts", drafts_templates_and_alerts),
    ("channels and outbox", channels_and_outbox),
];

/// Runs every scenario on a fresh database from `fresh`, then checks one of them survives
/// being closed and opened again.
fn suite(fresh: &mut dyn FnMut(&str) -> Database) {
    for (name, scenario) in SCENARIOS {
        eprintln!("scenario: {name}");
        let db = fresh(&name.replace([' ', ','], "_"));
        let store = db.open().unwrap();
        scenario(store.as_ref());
        drop(store);
        if name == "notices and audit" {
            let again: Arc<dyn Backend> = db.open().unwrap();
            assert_eq!(again.seq().unwrap(), 5);
            assert_eq!(again.notice("n3").unwrap().unwrap().id, "n3");
            assert_eq!(again.audit(10, None).unwrap().len(), 5);
        }
    }
}

#[test]
fn the_store_suite_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    suite(&mut |name| Database::Sqlite(dir.path().join(format!("{name}.db"))));
}

#[test]
fn the_store_suite_on_postgres() {
    let Some(pg) = Postgres::start() else { return };
    suite(&mut |name| Database::parse(&pg.database(name)).unwrap());
    // Opening brings an empty database to the current schema once; a second replica
    // starting on it finds it done.
    assert_eq!(
        pg.sql(
            "notices_and_audit",
            "SELECT max(version) FROM svetofor_schema"
        ),
        "4"
    );
}

#[test]
fn postgres_down_fails_fast_with_unavailable_and_comes_back() {
    let Some(pg) = Postgres::start() else { return };
    let db = Database::parse(&pg.database("down")).unwrap();
    let store = db.open().unwrap();
    let a = audit("cli", "notice.create", "n1", "2026-12-01T10:00:00Z");
    store
        .commit(&change(
            &notice("n1", "investigating", "2026-12-01T10:00:00Z"),
            1,
            &a,
        ))
        .unwrap();
    pg.down();
    let started = std::time::Instant::now();
    let n2 = notice("n2", "investigating", "2026-12-01T10:05:00Z");
    let err = store.commit(&change(&n2, 2, &a)).unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, StoreError::Unavailable(_)),
        "a refused write says the database is unavailable: {err}"
    );
    assert!(
        took < std::time::Duration::from_secs(8),
        "in time: {took:?}"
    );
    pg.up();
    // The pool throws the dead connections away and makes new ones.
    let mut last = None;
    for _ in 0..50 {
        match store.commit(&change(&n2, 2, &a)) {
            Ok(()) => {
                last = None;
                break;
            }
            Err(e) => last = Some(e.to_string()),
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(last, None, "writes work again once PostgreSQL is back");
    assert_eq!(store.seq().unwrap(), 2);
    assert_eq!(store.notice("n1").unwrap().unwrap().id, "n1");
}

#[test]
fn a_database_of_a_newer_schema_is_refused() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("newer");
    drop(Database::parse(&url).unwrap().open().unwrap());
    pg.sql("newer", "INSERT INTO svetofor_schema (version) VALUES (99)");
    let err = match Database::parse(&url).unwrap().open() {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a newer schema opened"),
    };
    assert!(err.contains("version 99") && err.contains("newer"), "{err}");
}
