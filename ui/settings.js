// The settings window. The app checks and saves (the same checks as the configuration
// reader); this page only shows the values, the locks and the messages, all as text.
"use strict";
const { invoke } = window.__TAURI__.core;
const { listen } = window.__TAURI__.event;

const LISTS = ["feeds", "public_keys"];
let current = null; // the last SettingsState from the app

function locked(field) {
  return current && current.locks && current.locks[field];
}

// One row of a list: the value, a Check button for feeds, Remove, and room for messages.
function row(list, value, index) {
  const r = el("div", "row");
  r.dataset.index = String(index);
  const line = el("div", "line");
  const input = el("input");
  input.type = list === "feeds" ? "url" : "text";
  input.value = value;
  input.spellcheck = false;
  input.autocomplete = "off";
  input.id = list + "-" + index;
  input.setAttribute("aria-label", svetoforText(list === "feeds" ? "page-settings-feeds" : "page-settings-keys"));
  input.disabled = Boolean(locked(list));
  line.append(input);
  if (list === "feeds") {
    const check = el("button", "check", svetoforText("page-settings-check"));
    check.type = "button";
    check.addEventListener("click", () => checkFeed(r, input.value));
    line.append(check);
  }
  if (!locked(list)) {
    const remove = el("button", "remove", svetoforText("page-settings-remove"));
    remove.type = "button";
    remove.addEventListener("click", () => {
      r.remove();
      if (!document.querySelector("#" + list + " .row")) addRow(list, "");
      renumber(list);
    });
    line.append(remove);
  }
  const error = el("p", "error");
  error.hidden = true;
  const result = el("p", "verdict");
  result.hidden = true;
  const detail = el("p", "detail");
  detail.hidden = true;
  r.append(line, error, result, detail);
  return r;
}

function renumber(list) {
  document.querySelectorAll("#" + list + " .row").forEach((r, i) => {
    r.dataset.index = String(i);
    r.querySelector("input").id = list + "-" + i;
  });
}

function addRow(list, value) {
  const box = document.getElementById(list);
  box.append(row(list, value, box.children.length));
}

async function checkFeed(r, url) {
  const result = r.querySelector(".verdict");
  const detail = r.querySelector(".detail");
  result.hidden = false;
  result.className = "verdict running";
  result.textContent = svetoforText("page-settings-checking");
  detail.hidden = true;
  const report = await invoke("check_feed", { url, publicKeys: values("public_keys") });
  result.className = "verdict " + (report.ok ? "ok " + (report.status || "") : "failed");
  result.textContent = report.text;
  detail.textContent = report.detail || "";
  detail.hidden = !report.detail;
}

function values(list) {
  return Array.from(document.querySelectorAll("#" + list + " .row input"), (i) => i.value);
}

function showLocks() {
  for (const field of document.querySelectorAll("fieldset.field")) {
    const name = field.id.replace("field-", "");
    const why = locked(name);
    field.classList.toggle("locked", Boolean(why));
    const note = field.querySelector(".lock");
    note.textContent = why ? svetoforText("page-settings-locked-" + why.replace("_", "-")) : "";
    note.hidden = !why;
    for (const c of field.querySelectorAll("input, select")) c.disabled = Boolean(why);
    const add = field.querySelector("button.add");
    if (add) add.hidden = Boolean(why);
  }
}

function renderComponents(s) {
  const box = document.getElementById("components");
  const chosen = new Set(s.form.components.map((c) => c.toLowerCase()));
  box.replaceChildren(...s.components.map((c) => {
    const label = el("label", "choice");
    const input = el("input");
    input.type = "checkbox";
    input.value = c.id;
    input.checked = chosen.has(c.id.toLowerCase());
    label.append(input, el("span", null, c.group ? c.group + " — " + c.name : c.name));
    return label;
  }));
  const some = s.form.components_only;
  document.getElementById("components-all").checked = !some;
  document.getElementById("components-some").checked = some;
  document.getElementById("components-none").hidden = s.components.length > 0;
  box.classList.toggle("off", !some);
}

function render(s) {
  current = s;
  const problem = document.getElementById("problem");
  problem.textContent = s.problem || "";
  problem.hidden = !s.problem;
  for (const list of LISTS) {
    document.getElementById(list).replaceChildren();
    const items = s.form[list].length ? s.form[list] : [""];
    items.forEach((v) => addRow(list, v));
  }
  document.getElementById("poll_interval").value = String(s.form.poll_interval);
  renderComponents(s);
  for (const r of document.querySelectorAll("input[name=notify]")) r.checked = r.value === s.form.notify_min_severity;
  const lang = document.getElementById("language");
  if (!Array.from(lang.options).some((o) => o.value === s.form.language)) {
    lang.append(el("option", null, s.form.language)); // a tag set by hand, shown as it is
    lang.lastChild.value = s.form.language;
  }
  lang.value = s.form.language;
  document.getElementById("autostart").checked = s.form.autostart;
  showLocks();
  clearErrors();
  // The administrator's policy is broken: nothing here can fix it, so nothing is offered.
  for (const f of document.querySelectorAll("#form fieldset")) if (s.frozen) f.disabled = true;
  document.getElementById("save").hidden = !!s.frozen;
}

function clearErrors() {
  for (const e of document.querySelectorAll(".error")) { e.textContent = ""; e.hidden = true; }
  for (const f of document.querySelectorAll(".invalid")) f.classList.remove("invalid");
}

function showError(e) {
  let box = null;
  if (LISTS.includes(e.field) && e.index !== undefined) {
    const r = document.querySelector("#" + e.field + " .row[data-index=\"" + e.index + "\"]");
    if (r) { box = r.querySelector(".error"); r.classList.add("invalid"); }
  }
  if (!box && e.field) box = document.getElementById("error-" + e.field);
  if (!box) box = document.getElementById("problem");
  box.textContent = box.textContent ? box.textContent + " " + e.text : e.text;
  box.hidden = false;
  const field = document.getElementById("field-" + e.field);
  if (field) field.classList.add("invalid");
}

function form() {
  const some = document.getElementById("components-some").checked;
  const notify = document.querySelector("input[name=notify]:checked");
  return {
    feeds: values("feeds"),
    public_keys: values("public_keys"),
    poll_interval: document.getElementById("poll_interval").value,
    components_only: some,
    components: Array.from(document.querySelectorAll("#components input:checked"), (i) => i.value),
    notify_min_severity: notify ? notify.value : current.form.notify_min_severity,
    language: document.getElementById("language").value,
    autostart: document.getElementById("autostart").checked,
  };
}

async function save(event) {
  event.preventDefault();
  const button = document.getElementById("save");
  const result = document.getElementById("result");
  button.disabled = true;
  clearErrors();
  result.textContent = "";
  try {
    const reply = await invoke("save_settings", { form: form() });
    if (reply.saved) {
      await reloadStrings();
      render(reply.state);
      result.className = "result ok";
      result.textContent = svetoforText("page-settings-saved");
    } else {
      reply.errors.forEach(showError);
      result.className = "result failed";
      const marked = reply.errors.some((e) => e.field);
      result.textContent = svetoforText(marked ? "page-settings-not-saved" : "page-settings-not-saved-other");
      const first = document.querySelector(".invalid input, .invalid select, fieldset.invalid input");
      if (first) first.focus();
    }
  } finally {
    button.disabled = false;
  }
}

async function reloadStrings() {
  svetoforApplyStrings(await invoke("view_state"));
}

document.getElementById("form").addEventListener("submit", save);
document.getElementById("add-feeds").addEventListener("click", () => addRow("feeds", ""));
document.getElementById("add-public_keys").addEventListener("click", () => addRow("public_keys", ""));
document.getElementById("close").addEventListener("click", () => window.__TAURI__.window.getCurrentWindow().close());
for (const r of document.querySelectorAll("input[name=components-mode]")) {
  r.addEventListener("change", () => document.getElementById("components").classList.toggle("off", !document.getElementById("components-some").checked));
}
// Another window changed the language, or the settings were saved elsewhere.
listen("language", async () => {
  const typed = form();
  await reloadStrings();
  render({ ...current, form: typed });
});

reloadStrings().then(() => invoke("settings_state")).then(render);
