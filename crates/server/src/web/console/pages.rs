//! The console's frame: the layout every page is drawn in (`templates/console/layout.html`),
//! the sign-in page and the refusals. Each page is a view struct and its template; every
//! untrusted text is escaped by the engine.

use askama::Template;

use crate::web::words::Words;
use svetofor_publisher::auth::Role;

/// Who a page is drawn for: the header's menu, sign-out and live refresh.
pub struct Nav<'a> {
    pub user: &'a str,
    pub role: Role,
    pub csrf: &'a str,
    /// The page reloads itself when the feed changes (the Now page).
    pub live: bool,
}

/// The header's menu, as drawn.
pub struct Menu {
    /// Where each link goes, and its words.
    pub links: Vec<(String, String)>,
    /// "Signed in as anna (admin)".
    pub who: String,
    pub csrf: String,
}

/// What the layout needs.
pub struct Layout<'a> {
    pub w: &'a Words,
    pub tag: &'static str,
    pub other: &'static str,
    pub title: String,
    /// 1 when the page reloads itself when the feed changes.
    pub live: u8,
    pub nav: Option<Menu>,
}

impl<'a> Layout<'a> {
    /// The frame of a page titled `title`, with the menu of `nav`'s role when signed in.
    pub fn new(w: &'a Words, title: &str, nav: Option<&Nav<'_>>) -> Layout<'a> {
        Layout {
            w,
            tag: w.lang().tag(),
            other: w.lang().other().tag(),
            title: title.to_owned(),
            live: u8::from(nav.is_some_and(|n| n.live)),
            nav: nav.map(|n| menu(w, n)),
        }
    }
}

fn menu(w: &Words, nav: &Nav<'_>) -> Menu {
    let mut links = vec![("/console/", "console-nav-now")];
    if nav.role >= Role::Support {
        links.push(("/console/compose", "console-now-new"));
    }
    links.extend([
        ("/console/templates", "console-nav-templates"),
        ("/console/components", "console-nav-components"),
        ("/console/audit", "console-nav-audit"),
    ]);
    if nav.role >= Role::Admin {
        links.extend([
            ("/console/users", "console-nav-users"),
            ("/console/tokens", "console-nav-tokens"),
            ("/console/channels", "console-nav-channels"),
        ]);
    }
    let mut links: Vec<(String, String)> = links
        .into_iter()
        .map(|(href, key)| (href.to_owned(), w.t(key)))
        .collect();
    // What clients see: the public status page, in the console's language.
    links.push((
        format!("/?lang={}", w.lang().tag()),
        w.t("console-nav-status-page"),
    ));
    let role = w.t(&format!("console-role-{}", nav.role.as_str()));
    Menu {
        links,
        who: w.tr_str(
            "console-signed-in-as",
            &[("name", nav.user), ("role", &role)],
        ),
        csrf: nav.csrf.to_owned(),
    }
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "console/login.html")]
struct Login<'a> {
    l: Layout<'a>,
    csrf: &'a str,
    message: Option<&'a str>,
}

/// A page that says one thing.
#[derive(Template)]
#[template(path = "console/message.html")]
struct Message<'a> {
    l: Layout<'a>,
    message: String,
    /// A heading above the message, where the page has more than the message.
    heading: Option<String>,
    /// Texts a refused form gives back to copy, each with its field's label.
    kept: Vec<(String, String)>,
    /// The page to open again, when known.
    back: Option<&'a str>,
}

/// Draws `t`; a template that fails is a bug (every value is plain data): the log says
/// why and the person gets an empty page rather than a broken one.
pub fn draw(t: &impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!("a console page could not be drawn: {e}");
        String::new()
    })
}

/// A page that says `message` (a refusal, "admins only").
pub fn message(w: &Words, title: &str, message: String) -> String {
    draw(&Message {
        l: Layout::new(w, title, None),
        message,
        heading: None,
        kept: vec![],
        back: None,
    })
}

/// A form refused because the person signed in again since its page was drawn: what
/// happened, their texts to copy, and the page to open again.
pub fn session_changed(w: &Words, kept: Vec<(String, String)>, back: Option<&str>) -> String {
    draw(&Message {
        l: Layout::new(w, &w.t("console-title"), None),
        message: w.t("console-session-changed"),
        heading: Some(w.t("console-session-changed-heading")),
        kept,
        back: Some(back.unwrap_or("/console/")),
    })
}

/// The sign-in form; `message` says why the last try failed.
pub fn login(w: &Words, csrf: &str, message: Option<&str>) -> String {
    draw(&Login {
        l: Layout::new(w, &w.t("console-login-heading"), None),
        csrf,
        message,
    })
}

/// A person as the audit log names them (`user:anna`), as support reads it (`anna`).
pub fn who(actor: &str) -> String {
    actor.strip_prefix("user:").unwrap_or(actor).to_owned()
}

/// A refusal page.
pub fn refused(w: &Words) -> String {
    message(w, &w.t("console-title"), w.t("console-refused"))
}

/// The stylesheet (served from the console, so the CSP can stay `'self'`).
pub const STYLE: &str = "\
* { box-sizing: border-box; }
:root { font-family: system-ui, \"Segoe UI\", Cantarell, \"DejaVu Sans\", sans-serif; font-size: 15px; color: #1b1b1b; }
body { margin: 0; background: #f6f7f9; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; padding: 10px 20px; background: #1f2933; color: #fff; }
header a { color: #fff; }
header .brand { font-weight: 700; }
header nav { display: flex; flex-wrap: wrap; gap: 4px 14px; flex: 1; }
header .who { font-size: 13px; opacity: 0.9; }
header .logout { float: none; margin: 0; }
main { max-width: 900px; margin: 24px auto; padding: 0 20px; }
form.inline { display: inline-flex; gap: 6px; align-items: center; margin: 2px 8px 2px 0; }
form.inline input { display: inline-block; width: 160px; margin: 0; }
table.grid { width: 100%; border-collapse: collapse; table-layout: fixed; background: #fff; }
table.grid th, table.grid td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e3e5e8; vertical-align: top; overflow-wrap: anywhere; }
table.grid td input { max-width: none; margin: 0; }
table.list { table-layout: auto; }
table.list td, table.list th { overflow-wrap: normal; }
@media (max-width: 600px) { table.list { display: block; overflow-x: auto; } form.filters { grid-template-columns: 1fr 1fr; } }
table.audit td:nth-child(-n+2), table.audit th { white-space: nowrap; }
table.audit td.detail summary { font-weight: normal; white-space: nowrap; }
table.audit td:nth-child(4), table.audit td.detail { overflow-wrap: anywhere; }
table.audit td.detail pre { font-family: ui-monospace, monospace; font-size: 12px; color: #444; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 40ch; margin: 4px 0 0; }
.secret { background: #e6f4ea; border: 1px solid #1e7e34; border-radius: 8px; padding: 8px 12px; overflow-wrap: anywhere; }
fieldset.later { margin-top: 14px; }
form.filters { display: grid; grid-template-columns: repeat(4, 1fr) auto; gap: 8px; align-items: end; }
form.filters label { margin: 0; }
p.done { background: #e6f4ea; border-left: 4px solid #1e7e34; padding: 8px 12px; border-radius: 4px; }
form.filters .check { grid-column: 1 / -1; margin: 0; }
form.template { background: #fff; border: 1px solid #d9dce1; border-radius: 8px; padding: 8px 12px; margin-bottom: 12px; }
form.delete { margin-top: 10px; }
details { margin: 16px 0; }
summary { cursor: pointer; font-weight: 600; }
li.correction { color: #444; font-style: italic; }
.alerts li { border-left-color: #6b4fbb; }
form label { display: block; margin: 10px 0; }
form input { display: block; margin-top: 4px; padding: 6px 8px; width: 100%; max-width: 320px; font: inherit; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #1a73e8; background: #1a73e8; color: #fff; cursor: pointer; }
.logout { float: right; }
.logout button { background: #fff; color: #1b1b1b; border-color: #9aa0a6; }
.error { background: #fce8e6; border: 1px solid #b3261e; border-radius: 8px; padding: 8px 12px; }
.status { padding: 10px 14px; border-radius: 8px; font-weight: 700; }
.status.red { background: #b3261e; color: #fff; }
.status.yellow { background: #f2b705; color: #1f1a00; }
.status.green { background: #1e7e34; color: #fff; }
.notices { list-style: none; padding: 0; }
.notices li { background: #fff; margin: 8px 0; padding: 10px 14px; border-left: 6px solid #5f6368; border-radius: 8px; overflow-wrap: anywhere; }
.notices li.red { border-left-color: #b3261e; }
.notices li.yellow { border-left-color: #f2b705; }
.notices li.green { border-left-color: #1e7e34; }
.meta { color: #444; font-size: 13px; }
.overdue { color: #b3261e; font-weight: 700; }
.empty { color: #555; font-style: italic; }
a.button { display: inline-block; padding: 6px 14px; border-radius: 6px; background: #1a73e8; color: #fff; text-decoration: none; }
.compose fieldset, .confirm { border: 1px solid #d9dce1; border-radius: 8px; margin: 10px 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.pair label { margin: 10px 0; }
textarea, select { display: block; margin-top: 4px; width: 100%; font: inherit; padding: 6px 8px; }
form input[type=radio], form input[type=checkbox] { display: inline; width: auto; }
label.sev { display: inline-block; margin-right: 14px; }
fieldset.what label.sev { display: block; margin: 6px 0; padding-left: 8px; border-left: 6px solid transparent; }
fieldset.what label.red { border-left-color: #b3261e; }
fieldset.what label.yellow { border-left-color: #f2b705; }
fieldset.what label.green { border-left-color: #1e7e34; }
.others { background: #eef4ff; border-left: 4px solid #3b6fd8; padding: 4px 8px; }
.check { color: #8a1c15; background: #fff4e5; border-left: 4px solid #f0b35b; padding: 4px 8px; margin: 4px 0; }
button.secondary { background: #fff; color: #1b1b1b; border-color: #9aa0a6; }
.timeline { padding-left: 18px; }
h1.red { border-left: 6px solid #b3261e; padding-left: 8px; }
h1.yellow { border-left: 6px solid #f2b705; padding-left: 8px; }
h1.green { border-left: 6px solid #1e7e34; padding-left: 8px; }
.preview { margin-top: 24px; padding: 12px 16px; background: #fff; border: 1px dashed #9aa0a6; border-radius: 10px; }
.preview .strip { padding: 10px 14px; border-radius: 6px; overflow-wrap: anywhere; }
.preview .strip.red { background: #b3261e; color: #fff; }
.preview .strip.yellow { background: #f2b705; color: #1f1a00; }
.preview .strip.green { background: #1e7e34; color: #fff; }
.preview .strip .meta { color: inherit; opacity: 0.9; }
.toast { border: 1px solid #d9dce1; border-radius: 8px; padding: 8px 12px; max-width: 420px; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
";
