//! The public pages under load, as in an outage when everyone opens the status page at once:
//! requests per second and latency of the status page, the Statuspage summary, the Atom
//! history and the in-product banner's `/embed.json`, with no CDN in front. Side by side, the
//! reference: `/feed.json` from the same server (signed once per change, served from memory).
//!
//! `cargo build --release -p svetofor-ctl -p svetofor-bench &&
//!  target/release/public_pages [CONNECTIONS] [SECONDS] [NOTICES]` (defaults 64, 5, 40)

use anyhow::Result;
use svetofor_bench::{arg, create_token, load, ms, post_notice, start_server};

#[tokio::main]
async fn main() -> Result<()> {
    let conns: usize = arg(1, 64)?;
    let secs: u64 = arg(2, 5)?;
    let notices: usize = arg(3, 40)?;
    let dir = tempfile_dir()?;
    let server = start_server(&dir, &["--writes-per-minute", "100000"])?;
    let token = create_token(&dir, "support")?;
    // A page with history: most notices resolved, two in effect.
    for i in 0..notices {
        let (sev, kind) = [("red", "outage"), ("yellow", "degraded"), ("green", "info")][i % 3];
        let n = post_notice(
            &server.addr,
            &token,
            &format!(
                r#"{{"severity":"{sev}","kind":"{kind}","title":"Notice {i}: платежи и отчёты","body":"Что случилось, что делаем, когда следующее сообщение.","components":["c{}"],"new_components":true}}"#,
                i % 5
            ),
        )?;
        let id = n["id"].as_str().unwrap_or_default();
        if i + 2 < notices {
            svetofor_bench::api(
                &server.addr,
                &token,
                "POST",
                &format!("/api/v1/notices/{id}/resolve"),
                r#"{"text":"Исправлено"}"#,
            )?;
        }
    }
    println!(
        "{conns} keep-alive connections, {secs} s counted after 1 s warm-up, {notices} notices (2 in effect)"
    );
    println!("| request | r/s | p50 | p99 | r/s vs /feed.json |");
    println!("| --- | --- | --- | --- | --- |");
    let reference = load(&server.addr, "/feed.json", None, 200, conns, secs).await?;
    println!(
        "| `/feed.json` (reference) | {:.0} | {} | {} | 1.00× |",
        reference.rps,
        ms(reference.p50),
        ms(reference.p99)
    );
    for path in [
        "/?lang=ru",
        "/api/v2/summary.json",
        "/history.atom?lang=ru",
        "/embed.json?lang=ru&tz=180",
    ] {
        let r = load(&server.addr, path, None, 200, conns, secs).await?;
        println!(
            "| `{path}` | {:.0} | {} | {} | {:.2}× |",
            r.rps,
            ms(r.p50),
            ms(r.p99),
            r.rps / reference.rps
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("svetofor-public-pages-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
