//! A client's product, on its own origin: a real HTTP server on loopback serving one page
//! that carries the in-product banner's script tag under the strict CSP the banner must live
//! with (`script-src 'self' STATUS; connect-src STATUS; style-src 'self'`), a stylesheet that
//! tries to restyle everything, and a script that records every CSP violation.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// The product's web server; it serves until the test process ends.
pub struct Product {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    status: Arc<Mutex<String>>,
}

const CSS: &str = "body * { font-family: serif !important; color: rgb(255, 0, 255) !important; }\n\
    a, button, span, div, svg { all: unset; }\n\
    #product-title { color: rgb(10, 20, 30) !important; font-size: 31px; }\n";

const JS: &str = "window.__violations = [];\n\
    document.addEventListener('securitypolicyviolation', function (e) {\n\
      window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);\n\
    });\n";

impl Product {
    /// Starts the server on a free loopback port.
    pub fn start() -> Product {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the product's server");
        let origin = format!("http://{}", listener.local_addr().expect("address"));
        let status = Arc::new(Mutex::new(String::new()));
        let shared = status.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let status = shared.lock().map(|s| s.clone()).unwrap_or_default();
                std::thread::spawn(move || serve(stream, &status));
            }
        });
        Product { origin, status }
    }

    /// Where the publisher is (the script tag's origin and the CSP's).
    pub fn set_status(&self, url: &str) {
        if let Ok(mut s) = self.status.lock() {
            *s = url.to_owned();
        }
    }
}

fn page(status: &str, lang: &str, attrs: &str) -> String {
    let title = if lang == "en" {
        "Our product"
    } else {
        "Наш продукт"
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/product.css\">\
         <script src=\"/product.js\"></script>\
         <script src=\"{status}/embed.js\" async {attrs}></script></head>\
         <body><h1 id=\"product-title\">{title}</h1><p>Lorem ipsum: the product's own page.</p>\
         </body></html>\n"
    )
}

fn serve(stream: TcpStream, status: &str) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Headers, up to the blank line.
    loop {
        let mut h = String::new();
        match reader.read_line(&mut h) {
            Ok(0) | Err(_) => break,
            Ok(_) if h == "\r\n" || h == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let (kind, body) = match path {
        "/product.css" => ("text/css", CSS.to_owned()),
        "/product.js" => ("text/javascript", JS.to_owned()),
        "/en" => (
            "text/html; charset=utf-8",
            page(status, "en", "data-poll=\"5\""),
        ),
        "/bottom" => (
            "text/html; charset=utf-8",
            page(
                status,
                "ru",
                "data-poll=\"5\" data-position=\"bottom\" data-min-severity=\"red\"",
            ),
        ),
        _ => (
            "text/html; charset=utf-8",
            page(status, "ru", "data-poll=\"5\""),
        ),
    };
    let csp = format!("script-src 'self' {status}; connect-src {status}; style-src 'self'");
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Content-Security-Policy: {csp}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}
