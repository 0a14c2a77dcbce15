// The details window: every string is set with textContent; links go through the app,
// which opens only http(s) links that came with a notice.
"use strict";
const { invoke } = window.__TAURI__.core;
const { listen } = window.__TAURI__.event;

const ICONS = { red: "img/red.png", yellow: "img/yellow.png", green: "img/green.png", unknown: "img/grey.png" };
const EMPTY = { notices: "page-empty-now", upcoming: "page-empty-upcoming", recent: "page-empty-recent" };
let focus = null;

function card(n) {
  const c = el("article", "card " + n.severity);
  c.id = "notice-" + n.id;
  c.dataset.notice = n.id;
  const h = el("h3");
  const icon = el("img");
  icon.src = ICONS[n.severity] || ICONS.unknown;
  icon.alt = "";
  h.append(icon, el("span", "word", n.word + ":"), el("span", "title", n.title));
  c.append(h);
  const meta = el("p", "meta");
  for (const part of [n.since, n.window, n.components]) if (part) meta.append(el("span", null, part));
  if (n.next_update) meta.append(el("span", n.overdue ? "overdue" : null, n.next_update));
  c.append(meta);
  if (n.body) c.append(el("p", "body", n.body));
  if (n.url) {
    const b = el("button", "link", svetoforText("page-more-info"));
    b.type = "button";
    const failed = el("p", "error");
    failed.hidden = true;
    failed.setAttribute("role", "status");
    b.addEventListener("click", () => {
      failed.hidden = true;
      invoke("open_link", { url: n.url }).catch((e) => { failed.textContent = String(e); failed.hidden = false; });
    });
    c.append(b, failed);
  }
  if (n.timeline && n.timeline.length) {
    const ol = el("ol");
    for (const t of n.timeline) {
      const li = el("li");
      li.append(el("span", "when", t.when), el("strong", null, t.state + (t.text ? ": " : "")), document.createTextNode(t.text || ""));
      ol.append(li);
    }
    c.append(ol);
  }
  return c;
}

function fill(id, list, nothing) {
  const box = document.getElementById(id);
  box.replaceChildren(...(list.length ? list.map(card) : [el("p", "empty", nothing || svetoforText(EMPTY[id]))]));
}

function render(d) {
  if (!d) return;
  const sev = d.status || "unknown";
  document.getElementById("status").className = "status " + sev;
  document.getElementById("status-icon").src = ICONS[sev] || ICONS.unknown;
  const line = document.getElementById("status-line");
  // From here on the line shows the feed's status, no longer the "loading" message.
  delete line.dataset.i18n;
  line.textContent = d.status_line;
  const stale = document.getElementById("stale");
  stale.textContent = d.stale || "";
  stale.hidden = !d.stale;
  document.getElementById("setup").hidden = !d.problem;
  document.getElementById("setup-text").textContent = d.problem || "";
  document.getElementById("setup-detail").textContent = d.problem_detail || "";
  fill("notices", d.notices, d.nothing_now);
  fill("upcoming", d.upcoming);
  fill("recent", d.recent);
  document.getElementById("source").textContent = d.source;
  showFocus();
}

function showFocus() {
  if (!focus) return;
  for (const c of document.querySelectorAll(".card.focus")) c.classList.remove("focus");
  const target = document.getElementById("notice-" + focus);
  if (target) { target.classList.add("focus"); target.scrollIntoView({ block: "center" }); }
}

listen("details", (event) => render(event.payload));
listen("focus", (event) => { focus = event.payload; showFocus(); });
function load() {
  invoke("view_state").then((s) => {
    svetoforApplyStrings(s);
    if (s) { focus = s.focus; render(s.details); }
  });
}
listen("language", load);
load();
