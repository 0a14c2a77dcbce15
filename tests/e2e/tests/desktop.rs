//! The desktop app end to end: a real publisher, the real app under Xvfb, its tray and
//! notifications read over a private D-Bus session.

use std::time::Duration;

use svetofor_e2e::bus::{DesktopBus, Item, tray_icon};
use svetofor_e2e::desktop::Desktop;
use svetofor_e2e::server::Server;
use svetofor_e2e::{App, shots_dir, wait_for};

const LIMIT: Duration = Duration::from_secs(30);

async fn wait_icon(bus: &DesktopBus, item: &Item, want: &str) {
    let mut last = None;
    wait_for(&format!("tray icon {want}"), LIMIT, async || {
        let now = tray_icon(bus, item).await;
        if now.as_deref() == Some(want) {
            return Some(());
        }
        if now != last {
            eprintln!("tray icon now {now:?}");
            last = now;
        }
        None
    })
    .await
}

/// Waits until the tray menu satisfies `ok` (the icon and the menu are separate D-Bus
/// updates, so one may land a moment before the other) and returns it.
async fn wait_menu(
    bus: &DesktopBus,
    item: &Item,
    what: &str,
    ok: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let start = std::time::Instant::now();
    loop {
        let menu = menu_labels(bus, item).await;
        if ok(&menu) {
            return menu;
        }
        assert!(
            start.elapsed() < LIMIT,
            "timed out waiting for {what}; menu: {menu:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn menu_labels(bus: &DesktopBus, item: &Item) -> Vec<String> {
    bus.menu(item)
        .await
        .map(|m| m.into_iter().map(|l| l.label).collect())
        .unwrap_or_default()
}

fn banner(desktop: &Desktop) -> Option<(String, i32, i32, u32, u32)> {
    desktop
        .windows()
        .into_iter()
        .find(|w| w.0.starts_with("Svetofor — ") && !w.0.ends_with("details") && w.4 > 0)
}

const TITLE: &str = "Payments <b>down</b> & <img src=x onerror=alert(1)>";
const BODY: &str = "Card payments fail <script>alert(2)</script>\nSecond line";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tray_banner_and_notifications_follow_the_feed() {
    let desktop = Desktop::start();
    let bus = DesktopBus::start(&desktop.bus).await.expect("desktop bus");
    let mut server = Server::start();
    let feed = server.feed();
    let pubkey = server.pubkey.display().to_string();
    let mut app = App::start(
        &desktop,
        &["--feed", &feed, "--pubkey", &pubkey, "--interval", "2"],
        &[],
    );

    // Tray registers over D-Bus and turns green once the feed is read; nothing pops up.
    let item = wait_for("tray item", LIMIT, async || bus.item()).await;
    wait_icon(&bus, &item, "tray-green").await;
    let menu = wait_menu(&bus, &item, "the green menu", |m| {
        m.first().is_some_and(|l| l == "All systems working")
    })
    .await;
    assert_eq!(
        menu.first().map(String::as_str),
        Some("All systems working"),
        "{menu:?}"
    );
    for want in [
        "Show banner",
        "Details…",
        "Settings…",
        "Pause notifications for 1 hour",
        "Quit Svetofor",
    ] {
        assert!(
            menu.iter().any(|l| l == want),
            "menu lacks {want}: {menu:?}"
        );
    }
    assert!(banner(&desktop).is_none(), "no banner while all is well");
    assert!(
        !desktop.home.path().join("config/autostart").exists(),
        "a --feed run leaves start-at-login alone"
    );
    assert!(
        bus.notifications().is_empty(),
        "no notification while all is well"
    );

    // Red: icon red, banner at the top with the title, one critical notification, escaped.
    let id = server.post("red", TITLE, BODY, &["--next-update", "30m"]);
    wait_icon(&bus, &item, "tray-red").await;
    let (title, x, y, w, h) = wait_for("banner window", LIMIT, async || banner(&desktop)).await;
    assert_eq!(title, format!("Svetofor — Outage: {TITLE}"));
    assert_eq!(
        (x, y, w),
        (0, 0, desktop.size.0),
        "banner spans the top of the screen"
    );
    assert!((40..=100).contains(&h), "banner is thin: {h} px");
    let first = wait_for("a notification", LIMIT, async || {
        bus.notifications().first().cloned()
    })
    .await;
    assert_eq!(first.replaces_id, 0);
    assert_eq!(first.urgency, Some(2), "red is critical");
    assert_eq!(
        first.summary,
        format!("Outage: {TITLE}"),
        "summary is plain text, sent as is"
    );
    assert_eq!(
        first.body, "Card payments fail &lt;script&gt;alert(2)&lt;/script&gt;",
        "body escaped for a server that reads markup"
    );
    assert!(
        first.actions.iter().any(|a| a == "default"),
        "clicking opens details"
    );
    let menu = wait_menu(&bus, &item, "the outage menu", |m| {
        m.first().is_some_and(|l| l.starts_with("Outage: "))
    })
    .await;
    assert!(
        menu[0].starts_with("Outage: Payments <b>down</b> & <img"),
        "{menu:?}"
    );
    assert!(
        menu.iter().any(|l| l.starts_with("Outage: Payments")),
        "notice listed: {menu:?}"
    );
    assert!(menu.iter().any(|l| l == "Hide banner"), "{menu:?}");
    tokio::time::sleep(Duration::from_millis(800)).await; // let the page paint
    let shots = shots_dir();
    desktop.screenshot(&shots.join("banner-red.png"), Some((0, 0, w, h)));
    assert_eq!(bus.notifications().len(), 1, "exactly one notification");

    // An update of the outage replaces the same notification.
    server.ctl(&["update", &id, "--text", "Cause found, fix in progress"]);
    let second = wait_for("the replacing notification", LIMIT, async || {
        bus.notifications().get(1).cloned()
    })
    .await;
    assert_eq!(second.replaces_id, first.id, "replaced, not stacked");
    assert_eq!(second.urgency, Some(2));

    // The user clicks the notification: details open.
    bus.click_notification(first.id).await.expect("click");
    wait_for("details window", LIMIT, async || {
        desktop
            .windows()
            .into_iter()
            .find(|w| w.0 == "Svetofor — details")
    })
    .await;

    // Resolve: green icon, recovery notification replacing the outage one, green banner.
    server.ctl(&["resolve", &id, "--text", "Payments work again"]);
    wait_icon(&bus, &item, "tray-green").await;
    let recovery = wait_for("recovery notification", LIMIT, async || {
        bus.notifications()
            .into_iter()
            .find(|n| n.summary.starts_with("Resolved: "))
    })
    .await;
    assert_eq!(recovery.replaces_id, first.id);
    assert_eq!(recovery.urgency, Some(0), "green is low urgency");
    let (title, ..) = wait_for("recovery banner", LIMIT, async || {
        banner(&desktop).filter(|b| b.0.starts_with("Svetofor — Resolved"))
    })
    .await;
    assert!(title.contains("Payments"), "{title}");
    tokio::time::sleep(Duration::from_millis(800)).await;
    desktop.screenshot(&shots.join("banner-green.png"), Some((0, 0, w, h)));

    // Yellow maintenance in progress: yellow icon and banner.
    let maint = server.post(
        "yellow",
        "Database upgrade",
        "Reports may be slow",
        &[
            "--kind",
            "maintenance",
            "--starts-at",
            "0m",
            "--ends-at",
            "1h",
        ],
    );
    wait_icon(&bus, &item, "tray-yellow").await;
    wait_for("yellow banner", LIMIT, async || {
        banner(&desktop).filter(|b| b.0.starts_with("Svetofor — Maintenance"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    desktop.screenshot(&shots.join("banner-yellow.png"), Some((0, 0, w, h)));

    // "Hide banner" from the tray closes it; the maintenance stays dismissed.
    let menu = bus.menu(&item).await.expect("menu");
    let hide = menu
        .iter()
        .find(|l| l.label == "Hide banner")
        .expect("Hide banner item");
    bus.click_menu(&item, hide.id)
        .await
        .expect("click Hide banner");
    wait_for("banner closed", LIMIT, async || {
        banner(&desktop).is_none().then_some(())
    })
    .await;
    let notified = bus.notifications().len();

    // The server goes away: the last status stays, marked offline.
    server.stop();
    wait_icon(&bus, &item, "tray-yellow-offline").await;
    let menu = wait_menu(&bus, &item, "the offline menu", |m| {
        m.iter().any(|l| l.starts_with("Status as of "))
    })
    .await;
    assert!(
        menu[0].starts_with("Maintenance: Database upgrade"),
        "{menu:?}"
    );
    assert!(
        menu.iter()
            .any(|l| l.starts_with("Status as of ") && l.ends_with("feed unreachable")),
        "{menu:?}"
    );
    assert!(
        banner(&desktop).is_none(),
        "going offline does not pop the banner"
    );
    assert_eq!(
        bus.notifications().len(),
        notified,
        "going offline is not a notification"
    );
    assert!(app.running(), "app still running");
    let _ = maint;
}
