// The banner: text goes in with textContent only; notice text is untrusted.
"use strict";
const { invoke } = window.__TAURI__.core;
const { listen } = window.__TAURI__.event;

const ICONS = { red: "img/red.png", yellow: "img/yellow.png", green: "img/green.png" };

function setText(id, text) {
  const el = document.getElementById(id);
  el.textContent = text || "";
  el.hidden = !text;
}

function render(model) {
  const strip = document.getElementById("strip");
  if (!model) { strip.hidden = true; return; }
  strip.className = "strip " + (ICONS[model.severity] ? model.severity : "yellow");
  document.getElementById("icon").src = ICONS[model.severity] || ICONS.yellow;
  document.getElementById("word").textContent = model.word;
  document.getElementById("title").textContent = model.title;
  document.getElementById("line").textContent = model.line;
  setText("since", model.since);
  setText("next", model.next_update);
  document.getElementById("next").classList.toggle("overdue", !!model.overdue);
  setText("more", model.more);
  setText("stale", model.stale);
  const dismiss = document.getElementById("dismiss");
  dismiss.dataset.i18n = model.recovery ? "page-close" : "page-dismiss";
  dismiss.textContent = svetoforText(dismiss.dataset.i18n);
  strip.hidden = false;
}

document.getElementById("details").addEventListener("click", () => invoke("open_details"));
document.getElementById("dismiss").addEventListener("click", () => invoke("dismiss_banner"));
listen("banner", (event) => render(event.payload));
function load() {
  invoke("view_state").then((state) => {
    svetoforApplyStrings(state);
    render(state && state.banner);
  });
}
listen("language", load);
load();
