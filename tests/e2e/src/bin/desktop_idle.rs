//! Benchmark: the desktop app's memory (PSS of the whole process tree: the resident app, the
//! window process and its WebKit processes) with the tray only, with the banner open, and after
//! the banner was closed and opened 20 times; the time from a notice's POST to its banner
//! window mapped on the screen, over 20 notices; then the CPU time over an idle period. Prints
//! figures; asserts nothing.
//!
//! cargo build --profile desktop -p svetofor
//! cargo build --profile desktop -p svetofor-ctl -p svetofor-e2e
//! target/desktop/desktop_idle [IDLE_SECS, default 600]
//!
//! The app is built on its own, as `scripts/package-deb` builds it: built together with the
//! others its dependencies would take their features too (aws-lc, h2), and it would not be the
//! program that ships.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use svetofor_e2e::bus::DesktopBus;
use svetofor_e2e::desktop::Desktop;
use svetofor_e2e::server::Server;
use svetofor_e2e::{App, wait_for};

const LIMIT: Duration = Duration::from_secs(60);

/// The process and every descendant, by walking /proc.
fn tree(root: u32) -> Vec<u32> {
    let mut parent: HashMap<u32, u32> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
        let after = stat.rsplit_once(')').map(|p| p.1).unwrap_or("");
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parent.insert(pid, ppid);
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parent.iter().filter(|(_, pp)| **pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

fn name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU seconds (user + system) of a process.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|p| p.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = [11, 12, 13, 14]
        .iter()
        .filter_map(|&i| f.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    ticks as f64 / 100.0 // USER_HZ
}

fn report(label: &str, root: u32) -> u64 {
    let pids = tree(root);
    let parts: Vec<String> = pids
        .iter()
        .map(|p| format!("{} {:.1}", name(*p), pss_kib(*p) as f64 / 1024.0))
        .collect();
    let total: u64 = pids.iter().map(|p| pss_kib(*p)).sum();
    println!(
        "{label:<34} PSS {:>6.1} MB   ({})",
        total as f64 / 1024.0,
        parts.join(", ")
    );
    total
}

async fn banner_open(desktop: &Desktop) -> bool {
    desktop
        .windows()
        .iter()
        .any(|w| w.0.starts_with("Svetofor — ") && !w.0.ends_with("details"))
}

/// An outage banner is mapped (viewable) on the screen.
fn banner_mapped(desktop: &Desktop) -> bool {
    let out = std::process::Command::new("xwininfo")
        .args(["-root", "-children", "-display", &desktop.display])
        .output()
        .expect("xwininfo");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter(|l| l.contains("\"Svetofor — Outage: "))
        .filter_map(|l| l.split_whitespace().next())
        .any(|id| {
            let info = std::process::Command::new("xwininfo")
                .args(["-id", id, "-display", &desktop.display])
                .output()
                .expect("xwininfo -id");
            String::from_utf8_lossy(&info.stdout).contains("Map State: IsViewable")
        })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let idle: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(600);
    let desktop = Desktop::start();
    let bus = DesktopBus::start(&desktop.bus).await.expect("bus");
    let server = Server::start();
    let (feed, key) = (server.feed(), server.pubkey.display().to_string());
    let app = App::start(&desktop, &["--feed", &feed, "--pubkey", &key], &[]);
    let root = app.pid();
    let item = wait_for("tray", LIMIT, async || bus.item()).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    println!(
        "svetofor desktop app, Xvfb 1280x800, {}",
        svetofor_e2e::binary("svetofor").display()
    );
    let tray_only = report("tray only (after start)", root);
    println!("processes: {}", tree(root).len());

    let id = server.ctl(&["post", "--severity", "red", "--title", "Payments API down"]);
    wait_for("banner", LIMIT, async || {
        banner_open(&desktop).await.then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let open = report("banner open", root);

    let mut after_close = vec![];
    for i in 0..20 {
        bus.click_label(&item, "Hide banner").await;
        wait_for("banner closed", LIMIT, async || {
            (!banner_open(&desktop).await).then_some(())
        })
        .await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        after_close.push(tree(root).iter().map(|p| pss_kib(*p)).sum::<u64>());
        if i < 19 {
            bus.click_label(&item, "Show banner").await;
            wait_for("banner open", LIMIT, async || {
                banner_open(&desktop).await.then_some(())
            })
            .await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let closed = report("banner closed, after 20 cycles", root);
    println!("processes after the cycles: {}", tree(root).len());
    let mb = |k: u64| k as f64 / 1024.0;
    println!(
        "after each close (MB): first {:.1}, 10th {:.1}, 20th {:.1}; growth 1st→20th {:+.1} MB",
        mb(after_close[0]),
        mb(after_close[9]),
        mb(after_close[19]),
        mb(after_close[19]) - mb(after_close[0])
    );
    server.ctl(&["resolve", &id, "--text", "fixed"]);
    tokio::time::sleep(Duration::from_secs(40)).await; // recovery banner closes itself
    wait_for("the window process gone", LIMIT, async || {
        (tree(root).len() == 1).then_some(())
    })
    .await;

    // Banner latency: each notice is posted with no window open, so every banner starts the
    // window process afresh; the time runs from just before `svetoforctl post` starts. The
    // earlier notices stay in effect, dismissed: the banner that appears is the new one's.
    let mut latencies = vec![];
    let mut posted = vec![];
    for i in 0..20 {
        let title = format!("Latency check {i}");
        let start = Instant::now();
        posted.push(server.ctl(&["post", "--severity", "red", "--title", &title]));
        loop {
            if banner_mapped(&desktop) {
                break;
            }
            assert!(start.elapsed() < LIMIT, "no banner for {title}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        latencies.push(start.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(500)).await;
        bus.click_label(&item, "Hide banner").await;
        wait_for("the window process gone", LIMIT, async || {
            (tree(root).len() == 1).then_some(())
        })
        .await;
    }
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "banner from POST to mapped, 20 notices (ms): median {:.0}, p99 {:.0}, min {:.0}, max {:.0}",
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.99),
        sorted[0],
        sorted[sorted.len() - 1]
    );
    for id in &posted {
        server.ctl(&["withdraw", id]);
        // The publisher allows a change per second and address after a burst.
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    tokio::time::sleep(Duration::from_secs(40)).await;
    wait_for("the window process gone", LIMIT, async || {
        (tree(root).len() == 1).then_some(())
    })
    .await;

    let pids = tree(root);
    let before: f64 = pids.iter().map(|p| cpu_secs(*p)).sum();
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(idle)).await;
    let pids_after = tree(root);
    let after: f64 = pids_after.iter().map(|p| cpu_secs(*p)).sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "idle {:.0} s (tray only, live event stream): CPU {:.2} s = {:.3} % of one core",
        secs,
        after - before,
        100.0 * (after - before) / secs
    );
    let end = report("tray only (after idle)", root);
    println!(
        "summary: tray-only {:.1} MB (goal ≤ 25), banner open {:.1} MB, after 20 cycles {:.1} MB, after idle {:.1} MB",
        mb(tray_only),
        mb(open),
        mb(closed),
        mb(end)
    );
}
