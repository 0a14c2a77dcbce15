//! The two processes: the resident app (`svetofor`) links no web engine and runs alone while
//! only the tray shows; the first window starts `svetofor-window`, a second window reuses it,
//! a crash of it takes neither the tray nor the alert memory down and its windows come back,
//! and closing its last window ends it.

use std::process::Command;
use std::time::Duration;

use svetofor_e2e::bus::{DesktopBus, tray_icon};
use svetofor_e2e::desktop::Desktop;
use svetofor_e2e::server::Server;
use svetofor_e2e::{App, binary, wait_for};

const LIMIT: Duration = Duration::from_secs(30);

/// Shared libraries a binary asks for, from `readelf -d`.
fn needed(binary: &std::path::Path) -> Vec<String> {
    let out = Command::new("readelf")
        .arg("-d")
        .arg(binary)
        .output()
        .expect("readelf (binutils)");
    assert!(out.status.success(), "readelf failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| {
            l.split('[')
                .nth(1)
                .map(|r| r.trim_end_matches(']').to_owned())
        })
        .collect()
}

#[test]
fn the_resident_app_links_no_web_engine() {
    let resident = needed(&binary("svetofor"));
    let window = needed(&binary("svetofor-window"));
    // The check reads what it claims to: the window program does link WebKit.
    assert!(
        window.iter().any(|l| l.starts_with("libwebkit2gtk")),
        "{window:?}"
    );
    assert!(
        !resident
            .iter()
            .any(|l| l.contains("webkit") || l.contains("javascriptcore") || l.contains("soup")),
        "the resident app links a web engine: {resident:?}"
    );
    assert!(
        resident.iter().any(|l| l.starts_with("libgtk-3")),
        "{resident:?}"
    );
}

/// Direct children of `pid` named `svetofor-window`.
fn window_processes(pid: u32) -> Vec<u32> {
    let mut found = vec![];
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        let Some((head, tail)) = stat.rsplit_once(')') else {
            continue;
        };
        let name = head.split_once('(').map(|h| h.1).unwrap_or("");
        let ppid = tail.split_whitespace().nth(1).and_then(|p| p.parse().ok());
        let zombie = tail.split_whitespace().next() == Some("Z");
        if name == "svetofor-window" && ppid == Some(pid) && !zombie {
            found.push(child);
        }
    }
    found
}

fn titles(desktop: &Desktop) -> Vec<String> {
    desktop
        .windows()
        .into_iter()
        .filter(|w| w.4 > 0)
        .map(|w| w.0)
        .collect()
}

async fn wait_titles(desktop: &Desktop, what: &str, want: impl Fn(&[String]) -> bool) {
    wait_for(what, LIMIT, async || {
        let t = titles(desktop);
        want(&t).then_some(())
    })
    .await;
}

fn is_banner(t: &str) -> bool {
    t.starts_with("Svetofor — Outage")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_live_in_a_child_that_comes_and_goes() {
    let desktop = Desktop::start();
    let bus = DesktopBus::start(&desktop.bus).await.expect("bus");
    let server = Server::start();
    let (feed, key) = (server.feed(), server.pubkey.display().to_string());
    let mut app = App::start(
        &desktop,
        &["--feed", &feed, "--pubkey", &key, "--interval", "2"],
        &[],
    );
    let item = wait_for("tray item", LIMIT, async || bus.item()).await;
    wait_for("green", LIMIT, async || {
        (tray_icon(&bus, &item).await.as_deref() == Some("tray-green")).then_some(())
    })
    .await;
    assert!(
        window_processes(app.pid()).is_empty(),
        "no window process while only the tray shows"
    );

    // A notice: the banner starts the window process.
    server.post("red", "Payments down", "Card payments fail", &[]);
    wait_titles(&desktop, "the banner", |t| t.iter().any(|t| is_banner(t))).await;
    let first = window_processes(app.pid());
    assert_eq!(first.len(), 1, "one window process: {first:?}");
    let notified = bus.notifications().len();
    assert_eq!(notified, 1);

    // A second window: the same process.
    bus.click_label(&item, "Details…").await;
    wait_titles(&desktop, "details", |t| {
        t.iter().any(|t| t == "Svetofor — details")
    })
    .await;
    assert_eq!(
        window_processes(app.pid()),
        first,
        "the second window reuses it"
    );

    // The window process crashes: the tray stays, both windows come back in a new one, and
    // nothing is notified again.
    let status = Command::new("kill")
        .args(["-9", &first[0].to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let second = wait_for("a new window process", LIMIT, async || {
        let now = window_processes(app.pid());
        (now.len() == 1 && now != first).then_some(now)
    })
    .await;
    wait_titles(&desktop, "both windows again", |t| {
        t.iter().any(|t| is_banner(t)) && t.iter().any(|t| t == "Svetofor — details")
    })
    .await;
    assert!(app.running(), "the tray survived");
    assert!(bus.item().is_some(), "the tray item is still registered");
    bus.click_label(&item, "Hide banner").await;
    wait_titles(&desktop, "the banner closed", |t| {
        !t.iter().any(|t| is_banner(t))
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        window_processes(app.pid()),
        second,
        "the details window keeps its process"
    );
    assert_eq!(
        bus.notifications().len(),
        notified,
        "nothing notified twice"
    );
    let menu = bus.menu(&item).await.expect("menu");
    assert!(
        menu.iter().any(|l| l.label == "Show banner"),
        "the tray knows the banner is closed: {menu:?}"
    );

    // The user closes the last window: the process ends, nothing is left behind.
    desktop.close_window("Svetofor — details");
    wait_for("the window process gone", LIMIT, async || {
        window_processes(app.pid()).is_empty().then_some(())
    })
    .await;
    assert!(app.running());

    // The banner opens again on demand, in a fresh process.
    bus.click_label(&item, "Show banner").await;
    wait_titles(&desktop, "the banner again", |t| {
        t.iter().any(|t| is_banner(t))
    })
    .await;
    let third = window_processes(app.pid());
    assert_eq!(third.len(), 1);
    assert_ne!(third, second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_opens_the_window_in_the_running_app() {
    let desktop = Desktop::start();
    let bus = DesktopBus::start(&desktop.bus).await.expect("bus");
    let server = Server::start();
    let (feed, key) = (server.feed(), server.pubkey.display().to_string());
    let app = App::start(&desktop, &["--feed", &feed, "--pubkey", &key], &[]);
    wait_for("tray item", LIMIT, async || bus.item()).await;
    let second = Command::new(binary("svetofor"))
        .args(["--open", "settings"])
        .envs(desktop.env())
        .output()
        .expect("second start");
    assert!(
        second.status.success(),
        "the second start hands over and exits"
    );
    wait_titles(&desktop, "settings", |t| {
        t.iter().any(|t| t == "Svetofor — settings")
    })
    .await;
    assert_eq!(window_processes(app.pid()).len(), 1);
    assert_eq!(
        bus.notifications().len(),
        0,
        "a second start is not a second app"
    );
}
