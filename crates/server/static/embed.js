// Svetofor in-product banner. One tag in the product's pages:
//   <script src="https://STATUS/embed.js" async></script>
// Options, all optional, as data- attributes of that tag:
//   data-lang="ru|en"  data-components="api,payments"  data-position="top|bottom"
//   data-min-severity="yellow|red|green"  data-poll="60" (seconds)  data-key="RWQ…" (pin the key)
// What is shown, and when, is decided by the publisher with the desktop app's own rules
// (/embed.json); this script draws it in a shadow root, remembers dismissals per notice
// version, follows /events (polling when the stream is unavailable), and checks the feed's
// signature where the browser has Ed25519. No cookies, no requests anywhere but STATUS, no
// inline styles (the product's CSP may forbid them): styles go through a constructed sheet.
(function () {
  "use strict";
  var KEY = "__SVETOFOR_PUBLIC_KEY__";
  var tag =
    document.currentScript ||
    document.querySelector('script[src$="/embed.js"],script[src*="/embed.js?"]');
  if (!tag || window.__svetoforBanner) {
    return;
  }
  window.__svetoforBanner = true;
  var base = tag.src.replace(/\/embed\.js(\?.*)?$/, "");
  var opt = function (name, fallback) {
    var v = tag.getAttribute("data-" + name);
    return v === null || v === "" ? fallback : v;
  };
  var pageLang = (document.documentElement.lang || navigator.language || "ru").toLowerCase();
  var lang = opt("lang", pageLang.indexOf("en") === 0 ? "en" : "ru");
  var key = opt("key", KEY);
  var poll = Math.max(5, parseInt(opt("poll", "60"), 10) || 60) * 1000;
  var query =
    "?lang=" + encodeURIComponent(lang) +
    "&components=" + encodeURIComponent(opt("components", "")) +
    "&min=" + encodeURIComponent(opt("min-severity", "yellow")) +
    "&tz=" + -new Date().getTimezoneOffset();
  var STORE = "svetofor-dismissed:" + base;

  var CSS =
    ":host{all:initial;display:block;position:sticky;top:0;z-index:2147483000}" +
    ":host([data-position=bottom]){position:fixed;left:0;right:0;bottom:0}" +
    ".bar{display:flex;align-items:center;gap:12px;padding:8px 16px;" +
    "font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;" +
    "box-shadow:0 1px 4px rgba(0,0,0,.25)}" +
    ".red{background:#b3261e;color:#fff}.yellow{background:#ffd24d;color:#1c1c1c}" +
    ".green{background:#1b6e35;color:#fff}" +
    "svg{width:22px;height:22px;flex:none}" +
    ".text{flex:1;min-width:0}.word{font-weight:700;margin-right:8px;padding:0 6px;" +
    "border:1px solid currentColor;border-radius:3px;text-transform:uppercase;font-size:12px}" +
    ".title{font-weight:600}.line,.since{margin-left:8px;opacity:.95}" +
    ".line{display:inline}.check{margin-left:8px;font-size:12px;opacity:.9}" +
    "a{color:inherit;font-weight:600;white-space:nowrap}" +
    "button{font:inherit;color:inherit;background:transparent;border:1px solid currentColor;" +
    "border-radius:4px;padding:2px 10px;cursor:pointer}" +
    "a:focus-visible,button:focus-visible{outline:3px solid currentColor;outline-offset:2px}" +
    ".f-red{fill:#d7263d;stroke:#fff;stroke-width:3}.f-yellow{fill:#f2b705;stroke:#1c1c1c;stroke-width:3}" +
    ".f-green{fill:#1e9e4a;stroke:#fff;stroke-width:3}.k{fill:#1c1c1c}.w{fill:#fff}" +
    ".m{fill:none;stroke:#fff;stroke-width:7;stroke-linecap:round}" +
    // A phone: the words take the line beside the light, two lines at most (the rest is on
    // the details page), and the link and the close button go below them.
    "@media (max-width:520px){.bar{flex-wrap:wrap;gap:4px 10px;padding:6px 12px}" +
    ".text{flex:1 1 calc(100% - 34px);display:-webkit-box;-webkit-box-orient:vertical;" +
    "-webkit-line-clamp:2;line-clamp:2;overflow:hidden}.details{margin-left:32px}}";

  var host = null;
  var root = null;
  var shown = null;
  // Notices this page has shown: only those get a "Resolved" banner when they end.
  var seen = {};

  var el = function (name, cls, text) {
    var e = document.createElement(name);
    if (cls) {
      e.className = cls;
    }
    if (text) {
      e.textContent = text;
    }
    return e;
  };
  var svgEl = function (name, attrs) {
    var e = document.createElementNS("http://www.w3.org/2000/svg", name);
    for (var k in attrs) {
      e.setAttribute(k, attrs[k]);
    }
    return e;
  };
  // The tray's shapes: circle with a tick, triangle with "!", octagon with a bar.
  var shape = function (severity) {
    var s = svgEl("svg", { viewBox: "0 0 64 64", "aria-hidden": "true" });
    if (severity === "red") {
      s.appendChild(svgEl("polygon", { points: "21,2 43,2 62,21 62,43 43,62 21,62 2,43 2,21", class: "f-red" }));
      s.appendChild(svgEl("rect", { x: 13, y: 27, width: 38, height: 10, rx: 3, class: "w" }));
    } else if (severity === "yellow") {
      s.appendChild(svgEl("polygon", { points: "32,3 62,58 2,58", class: "f-yellow" }));
      s.appendChild(svgEl("rect", { x: 28, y: 20, width: 8, height: 23, rx: 3, class: "k" }));
      s.appendChild(svgEl("circle", { cx: 32, cy: 51, r: 5, class: "k" }));
    } else {
      s.appendChild(svgEl("circle", { cx: 32, cy: 32, r: 29, class: "f-green" }));
      s.appendChild(svgEl("path", { d: "M17 33 L28 44 L47 21", class: "m" }));
    }
    return s;
  };

  var dismissed = function () {
    try {
      var v = JSON.parse(localStorage.getItem(STORE) || "[]");
      return Array.isArray(v) ? v : [];
    } catch (e) {
      return [];
    }
  };
  var hiddenBy = function (keys) {
    var d = dismissed();
    return keys.length > 0 && keys.every(function (k) { return d.indexOf(k) >= 0; });
  };
  var dismiss = function (keys) {
    var d = dismissed().concat(keys);
    try {
      localStorage.setItem(STORE, JSON.stringify(d.slice(-100)));
    } catch (e) {
      // Private mode without storage: it stays closed for this page only.
    }
  };

  var remove = function () {
    if (host && host.parentNode) {
      host.parentNode.removeChild(host);
    }
    host = null;
    root = null;
    shown = null;
  };

  // What to show: a just-resolved notice this page was showing, for its last seconds, else
  // the banner of what is in effect.
  var pick = function (answer) {
    var r = answer.recovery;
    var left = r ? Date.parse(r.until) - Date.now() : 0;
    if (r && seen[r.notice_id] && left > 0) {
      setTimeout(function () {
        refresh(0);
      }, left + 250);
      return r;
    }
    return answer.banner;
  };

  var draw = function (b, answer, check) {
    if (!b || hiddenBy(b.dismiss)) {
      remove();
      return;
    }
    if (!host) {
      host = document.createElement("svetofor-banner");
      host.setAttribute("data-position", opt("position", "top") === "bottom" ? "bottom" : "top");
      root = host.attachShadow({ mode: "open" });
      if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
      }
      var parent = document.body || document.documentElement;
      if (host.getAttribute("data-position") === "bottom") {
        parent.appendChild(host);
      } else {
        parent.insertBefore(host, parent.firstChild);
      }
    }
    var bar = el("div", "bar " + b.severity);
    // Red interrupts screen readers; the rest waits its turn.
    bar.setAttribute("role", b.severity === "red" ? "alert" : "status");
    bar.appendChild(shape(b.severity));
    var text = el("div", "text");
    text.appendChild(el("span", "word", b.word));
    text.appendChild(el("span", "title", b.title));
    if (b.line) {
      text.appendChild(el("span", "line", b.line));
    }
    var when = [b.since, b.next_update, b.more].filter(Boolean).join(" · ");
    if (when) {
      text.appendChild(el("span", "since", when));
    }
    if (check) {
      text.appendChild(el("span", "check", check));
    }
    bar.appendChild(text);
    var link = el("a", "details", answer.words.details);
    link.href = base + "/notices/" + encodeURIComponent(b.notice_id) + "?lang=" + encodeURIComponent(lang);
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    bar.appendChild(link);
    var close = el("button", "dismiss", "×");
    close.type = "button";
    close.setAttribute("aria-label", answer.words.dismiss);
    close.title = answer.words.dismiss;
    close.addEventListener("click", function () {
      dismiss(b.dismiss);
      remove();
    });
    bar.appendChild(close);
    root.replaceChildren(bar);
    host.setAttribute("data-severity", b.severity);
    host.setAttribute("data-notice", b.notice_id);
    host.setAttribute("data-recovery", b.until ? "yes" : "no");
    seen[b.notice_id] = true;
    shown = b;
  };

  // BLAKE2b-512 (RFC 7693): minisign signs the hash of the document.
  var M64 = (1n << 64n) - 1n;
  var IV = [0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
    0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n];
  var SIGMA = ["0123456789abcdef", "ea489fd61c02b753", "b8c052fdae367194",
    "7931dcbe265a40f8", "905724afe1bc683d", "2c6a0b834d75fe19", "c51fed4a0763928b",
    "db7ec13950f4862a", "6fe9b308c2d714a5", "a2847615fb9e3cd0"].map(function (s) {
    return s.split("").map(function (c) { return parseInt(c, 16); });
  });
  var rotr = function (x, n) {
    return ((x >> n) | (x << (64n - n))) & M64;
  };
  var compress = function (h, block, t, last) {
    var v = h.concat(IV);
    var m = [];
    var dv = new DataView(block.buffer);
    for (var i = 0; i < 16; i++) {
      m.push(dv.getBigUint64(i * 8, true));
    }
    v[12] ^= t & M64;
    v[13] ^= t >> 64n;
    if (last) {
      v[14] ^= M64;
    }
    var g = function (a, b, c, d, x, y) {
      v[a] = (v[a] + v[b] + x) & M64;
      v[d] = rotr(v[d] ^ v[a], 32n);
      v[c] = (v[c] + v[d]) & M64;
      v[b] = rotr(v[b] ^ v[c], 24n);
      v[a] = (v[a] + v[b] + y) & M64;
      v[d] = rotr(v[d] ^ v[a], 16n);
      v[c] = (v[c] + v[d]) & M64;
      v[b] = rotr(v[b] ^ v[c], 63n);
    };
    for (var r = 0; r < 12; r++) {
      var s = SIGMA[r % 10];
      g(0, 4, 8, 12, m[s[0]], m[s[1]]);
      g(1, 5, 9, 13, m[s[2]], m[s[3]]);
      g(2, 6, 10, 14, m[s[4]], m[s[5]]);
      g(3, 7, 11, 15, m[s[6]], m[s[7]]);
      g(0, 5, 10, 15, m[s[8]], m[s[9]]);
      g(1, 6, 11, 12, m[s[10]], m[s[11]]);
      g(2, 7, 8, 13, m[s[12]], m[s[13]]);
      g(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (var j = 0; j < 8; j++) {
      h[j] ^= v[j] ^ v[j + 8];
    }
  };
  var blake2b = function (bytes) {
    var h = IV.slice();
    h[0] ^= 0x01010040n;
    var t = 0n;
    var off = 0;
    var block = new Uint8Array(128);
    do {
      var n = Math.min(128, bytes.length - off);
      block.fill(0);
      block.set(bytes.subarray(off, off + n));
      off += n;
      t += BigInt(n);
      compress(h, block, t, off >= bytes.length);
    } while (off < bytes.length);
    var out = new Uint8Array(64);
    var dv = new DataView(out.buffer);
    for (var i = 0; i < 8; i++) {
      dv.setBigUint64(i * 8, h[i], true);
    }
    return out;
  };
  var unbase64 = function (s) {
    var bin = atob(s.trim());
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  };
  var same = function (a, b) {
    return a.length === b.length && a.every(function (x, i) { return x === b[i]; });
  };

  // Resolves to the parsed feed when the pair verifies with the key; rejects otherwise.
  var verify = function (docText, sigText) {
    var pk = unbase64(key);
    var lines = sigText.split("\n");
    var sig = unbase64(lines[1] || "");
    var comment = (lines[2] || "").replace(/^trusted comment: /, "");
    var global = unbase64(lines[3] || "");
    if (pk.length !== 42 || sig.length !== 74 || global.length !== 64 || lines[2].indexOf("trusted comment: ") !== 0) {
      return Promise.reject(new Error("malformed key or signature"));
    }
    if (!same(pk.subarray(2, 10), sig.subarray(2, 10))) {
      return Promise.reject(new Error("signed with another key"));
    }
    var doc = new TextEncoder().encode(docText);
    var alg = String.fromCharCode(sig[0], sig[1]);
    var message = alg === "ED" ? blake2b(doc) : doc;
    var signed = new Uint8Array(64 + new TextEncoder().encode(comment).length);
    signed.set(sig.subarray(10));
    signed.set(new TextEncoder().encode(comment), 64);
    return crypto.subtle
      .importKey("raw", pk.subarray(10), { name: "Ed25519" }, false, ["verify"])
      .then(function (k) {
        return Promise.all([
          crypto.subtle.verify({ name: "Ed25519" }, k, sig.subarray(10), message),
          crypto.subtle.verify({ name: "Ed25519" }, k, global, signed),
        ]);
      })
      .then(function (ok) {
        if (!ok[0] || !ok[1]) {
          throw new Error("bad signature");
        }
        var feed = JSON.parse(docText);
        if (Date.parse(feed.expires_at) <= Date.now()) {
          throw new Error("expired feed");
        }
        return feed;
      });
  };
  var canVerify = !!(window.crypto && crypto.subtle && window.TextEncoder);
  var untrusted = function (e) {
    var err = e instanceof Error ? e : new Error(String(e));
    err.untrusted = true;
    return err;
  };

  var get = function (path, type) {
    return fetch(base + path, { credentials: "omit", cache: "no-cache", mode: "cors" }).then(
      function (r) {
        if (!r.ok) {
          throw new Error(path + ": HTTP " + r.status);
        }
        return type === "json" ? r.json() : r.text();
      },
    );
  };

  var busy = false;
  var again = false;
  var refresh = function (tries) {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    var done = function () {
      busy = false;
      if (again) {
        again = false;
        refresh(0);
      }
    };
    get("/embed.json" + query, "json")
      .then(function (answer) {
        var b = pick(answer);
        if (!b || !canVerify) {
          draw(b, answer, b ? answer.words.unverified : "");
          host && host.setAttribute("data-verified", "no");
          return;
        }
        return Promise.all([get("/feed.json", "text"), get("/feed.json.minisig", "text")]).then(
          function (pair) {
            return verify(pair[0], pair[1]).then(
              function (feed) {
                if (feed.seq !== answer.seq) {
                  // The two were read at different moments: read both again, shortly.
                  if ((tries || 0) < 3) {
                    setTimeout(function () { refresh((tries || 0) + 1); }, 1000);
                  }
                  return;
                }
                var n = (feed.notices || []).filter(function (x) { return x.id === b.notice_id; })[0];
                var ended = ["resolved", "completed"].indexOf(n ? n.state : "") >= 0;
                if (!n || (b.until ? !ended : n.severity !== b.severity)) {
                  throw untrusted(new Error("the banner does not match the signed feed"));
                }
                draw(b, answer, answer.words.verified);
                host && host.setAttribute("data-verified", "yes");
              },
              function (e) {
                if (e && e.name === "NotSupportedError") {
                  // No Ed25519 in this browser's WebCrypto: TLS is the only guard.
                  canVerify = false;
                  draw(b, answer, answer.words.unverified);
                  host && host.setAttribute("data-verified", "no");
                  return;
                }
                throw untrusted(e);
              },
            );
          },
        );
      })
      .catch(function (e) {
        // A feed that does not verify shows nothing: never a banner from unchecked data.
        // Anything else (unreachable, refused) keeps what is shown until the next try.
        if (e && e.untrusted) {
          remove();
        }
        if (window.console) {
          console.warn("svetofor: " + (e && e.message ? e.message : e));
        }
      })
      .then(done, done);
  };

  var stream = null;
  var listen = function () {
    if (!window.EventSource) {
      return;
    }
    stream = new EventSource(base + "/events");
    stream.addEventListener("snapshot", function () {
      refresh(0);
    });
  };
  // Polling fills in whenever the stream is not open (blocked, refused, or reconnecting).
  setInterval(function () {
    if (!stream || stream.readyState !== 1) {
      refresh(0);
    }
  }, poll);
  // Times such as "since 14:25" and ages move on; refresh them now and then while shown.
  setInterval(function () {
    if (shown) {
      refresh(0);
    }
  }, 300000);
  var start = function () {
    refresh(0);
    listen();
  };
  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
