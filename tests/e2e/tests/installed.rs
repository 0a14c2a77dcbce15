//! The app as a user starts it: registers its tray and reads the feed. With
//! `SVETOFOR_APP=/usr/bin/svetofor` (after `dpkg -i` of the package, as scripts/test does) it
//! checks the installed package; without it, the built binary.

use std::path::PathBuf;
use std::time::Duration;

use svetofor_e2e::bus::{DesktopBus, tray_icon};
use svetofor_e2e::desktop::Desktop;
use svetofor_e2e::server::Server;
use svetofor_e2e::{App, binary, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_registers_its_tray_and_turns_green() {
    let installed = std::env::var_os("SVETOFOR_APP").map(PathBuf::from);
    let program = installed.clone().unwrap_or_else(|| binary("svetofor"));
    assert!(program.is_file(), "{} is missing", program.display());
    let desktop = Desktop::start();
    let bus = DesktopBus::start(&desktop.bus).await.expect("bus");
    let server = Server::start();
    // Configured as an admin would, not with --feed (a --feed run is a one-off that leaves
    // start-at-login alone).
    let key = std::fs::read_to_string(&server.pubkey).expect("public key");
    let key = key.lines().last().expect("key line").trim().to_owned();
    let config_dir = desktop.home.path().join("config/svetofor");
    std::fs::create_dir_all(&config_dir).expect("config dir");
    std::fs::write(
        config_dir.join("config.toml"),
        format!(
            "feeds = [\"{}\"]\npublic_keys = [\"{key}\"]\n",
            server.feed()
        ),
    )
    .expect("config");
    let _app = App::start_at(&program, &desktop, &[], &[]);
    let item = wait_for("tray item", Duration::from_secs(30), async || bus.item()).await;
    wait_for("green tray icon", Duration::from_secs(30), async || {
        (tray_icon(&bus, &item).await.as_deref() == Some("tray-green")).then_some(())
    })
    .await;

    // Windows come from the window program shipped beside the app: a second start asks the
    // running app for the details window.
    let second = std::process::Command::new(&program)
        .args(["--open", "details"])
        .envs(desktop.env())
        .output()
        .expect("second start");
    assert!(second.status.success(), "the second start hands over");
    wait_for("the details window", Duration::from_secs(30), async || {
        desktop
            .windows()
            .into_iter()
            .find(|w| w.0 == "Svetofor — details" && w.4 > 0)
    })
    .await;

    // Start at login is on by default: with no system-wide entry on this test desktop, the
    // app wrote the user's entry, pointing at itself.
    let entry = desktop
        .home
        .path()
        .join("config/autostart/svetofor.desktop");
    let text = std::fs::read_to_string(&entry).expect("autostart entry");
    assert!(
        text.contains(&format!("Exec=\"{}\"", program.display())),
        "{text}"
    );
    assert!(text.contains("Hidden=false"), "{text}");

    if installed.is_some() {
        let desktop_file = std::fs::read_to_string("/usr/share/applications/svetofor.desktop")
            .expect("the package installs a .desktop entry");
        for line in ["Exec=svetofor", "Icon=svetofor", "Type=Application"] {
            assert!(desktop_file.lines().any(|l| l == line), "{line} missing");
        }
        for size in ["32x32", "128x128", "256x256", "512x512"] {
            let icon = format!("/usr/share/icons/hicolor/{size}/apps/svetofor.png");
            assert!(std::path::Path::new(&icon).is_file(), "{icon} missing");
        }
        assert!(std::path::Path::new("/etc/xdg/autostart/svetofor.desktop").is_file());
        let ctl = std::process::Command::new("/usr/bin/svetoforctl")
            .arg("--version")
            .output()
            .expect("installed svetoforctl");
        assert!(ctl.status.success());
    }
}
