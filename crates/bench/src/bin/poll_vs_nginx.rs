//! Polling: conditional GETs (304) and full GETs of `/feed.json`, requests per second, side
//! by side with nginx serving the same bytes with an ETag, in the same run.
//!
//! Run: `cargo build --release -p svetofor-ctl -p svetofor-bench &&
//!       target/release/poll_vs_nginx [CONNECTIONS] [SECONDS]` (defaults 64 and 5).
//! Needs `nginx` on PATH (Debian: apt-get install nginx-light).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use svetofor_bench::{HttpConn, create_token, load, ms, post_notice, start_server};

fn start_nginx(dir: &std::path::Path, body: &[u8]) -> Result<(std::process::Child, String)> {
    let port = svetofor_testkit::free_port();
    let root = dir.join("www");
    std::fs::create_dir_all(&root)?;
    std::fs::write(root.join("feed.json"), body)?;
    let conf = format!(
        "daemon off;\nworker_processes auto;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log;\n\
         events {{ worker_connections 4096; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {dir}/tmp;\n  proxy_temp_path {dir}/tmp;\n\
           fastcgi_temp_path {dir}/tmp;\n  uwsgi_temp_path {dir}/tmp;\n  scgi_temp_path {dir}/tmp;\n\
           keepalive_requests 1000000;\n  etag on;\n  types {{ application/json json; }}\n\
           server {{ listen 127.0.0.1:{port}; root {root};\n\
             location / {{ add_header Cache-Control \"public, max-age=10\"; }} }}\n}}\n",
        dir = dir.display(),
        root = root.display(),
    );
    std::fs::create_dir_all(dir.join("tmp"))?;
    let conf_path = dir.join("nginx.conf");
    std::fs::write(&conf_path, conf)?;
    let child = Command::new("nginx")
        .args([
            "-c",
            conf_path.to_str().context("path")?,
            "-p",
            dir.to_str().context("path")?,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting nginx (apt-get install nginx-light)")?;
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(&addr).is_err() {
        if Instant::now() > deadline {
            bail!("nginx did not start; see {}/error.log", dir.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((child, addr))
}

#[tokio::main]
async fn main() -> Result<()> {
    let conns: usize = svetofor_bench::arg(1, 64)?;
    let secs: u64 = svetofor_bench::arg(2, 5)?;
    let dir = std::env::temp_dir().join(format!("svetofor-bench-poll-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let server = start_server(&dir, &["--writes-per-minute", "100000"])?;
    let token = create_token(&dir, "support")?;
    // A realistic feed: one red outage and one upcoming maintenance.
    for body in [
        r#"{"severity":"red","kind":"outage","title":"Payments down","body":"Card payments fail; we are on it.","components":["payments"],"new_components":true}"#,
        r#"{"severity":"yellow","kind":"maintenance","title":"Database upgrade","starts_at":"2099-01-01T22:00:00Z","ends_at":"2099-01-02T00:00:00Z"}"#,
    ] {
        post_notice(&server.addr, &token, body)?;
    }
    let mut probe = HttpConn::connect(&server.addr).await?;
    let first = probe.get("/feed.json", None).await?;
    let ours_etag = first.etag.clone().context("no ETag from svetofor")?;
    let body = {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&server.addr)?;
        write!(
            s,
            "GET /feed.json HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n"
        )?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let at = svetofor_bench::find(&raw, b"\r\n\r\n").context("no body")? + 4;
        raw[at..].to_vec()
    };
    let (mut nginx, nginx_addr) = start_nginx(&dir, &body)?;
    let mut nprobe = HttpConn::connect(&nginx_addr).await?;
    let nginx_etag = nprobe
        .get("/feed.json", None)
        .await?
        .etag
        .context("no ETag from nginx")?;

    println!(
        "Polling /feed.json ({} bytes), {conns} keep-alive connections, {secs} s per run, same machine",
        body.len()
    );
    println!(
        "{:<22} {:>12} {:>10} {:>10} {:>12} {:>10} {:>10} {:>8}",
        "", "svetofor r/s", "p50", "p99", "nginx r/s", "p50", "p99", "ratio"
    );
    for (name, conditional, expect) in [
        ("conditional GET (304)", true, 304u16),
        ("full GET (200)", false, 200),
    ] {
        let ours = load(
            &server.addr,
            "/feed.json",
            conditional.then(|| ours_etag.clone()),
            expect,
            conns,
            secs,
        )
        .await?;
        let theirs = load(
            &nginx_addr,
            "/feed.json",
            conditional.then(|| nginx_etag.clone()),
            expect,
            conns,
            secs,
        )
        .await?;
        println!(
            "{name:<22} {:>12.0} {:>10} {:>10} {:>12.0} {:>10} {:>10} {:>7.2}x",
            ours.rps,
            ms(ours.p50),
            ms(ours.p99),
            theirs.rps,
            ms(theirs.p50),
            ms(theirs.p99),
            ours.rps / theirs.rps
        );
    }
    let _ = nginx.kill();
    let _ = nginx.wait();
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
