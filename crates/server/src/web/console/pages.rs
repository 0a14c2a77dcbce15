//! The console's pages as HTML strings. Every piece of text that is not this file's own goes
//! through [`esc`]: notice titles, names and messages are untrusted.

use chrono::{DateTime, Utc};
use svetofor_api::Draft;
use svetofor_feed::{Notice, Severity};

use crate::web::words::Words;
use svetofor_publisher::auth::Role;

/// Escapes untrusted text for the page.
pub fn esc(s: &str) -> String {
    svetofor_feed::escape_html(s)
}

/// Who a page is drawn for: the header's menu, sign-out and live refresh.
pub struct Nav<'a> {
    pub user: &'a str,
    pub role: Role,
    pub csrf: &'a str,
    /// The page reloads itself when the feed changes (the Now page).
    pub live: bool,
}

/// A whole page around `body`, for nobody signed in (the sign-in form, refusals).
pub fn page(w: &Words, title: &str, body: &str) -> String {
    layout(w, title, body, None)
}

/// A whole page around `body`, with the menu of `nav`'s role.
pub fn signed_page(w: &Words, nav: &Nav<'_>, title: &str, body: &str) -> String {
    layout(w, title, body, Some(nav))
}

fn menu(w: &Words, nav: &Nav<'_>) -> String {
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
    let mut links: Vec<String> = links
        .iter()
        .map(|(href, key)| format!("<a href=\"{href}\">{}</a>", esc(&w.t(key))))
        .collect();
    // What clients see: the public status page, in the console's language.
    links.push(format!(
        "<a href=\"/?lang={}\">{}</a>",
        w.lang().tag(),
        esc(&w.t("console-nav-status-page"))
    ));
    let links = links.join(" ");
    let role = w.t(&format!("console-role-{}", nav.role.as_str()));
    format!(
        "<nav>{links}</nav><span class=\"who\">{who}</span>\
         <form method=\"post\" action=\"/console/logout\" class=\"logout\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\">{logout}</button></form>",
        who = esc(&w.tr_str(
            "console-signed-in-as",
            &[("name", nav.user), ("role", &role)]
        )),
        csrf = esc(nav.csrf),
        logout = esc(&w.t("console-logout")),
    )
}

fn layout(w: &Words, title: &str, body: &str, nav: Option<&Nav<'_>>) -> String {
    let lang = w.lang();
    format!(
        "<!doctype html>\n<html lang=\"{tag}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"/console/style.css\">\n\
         <script src=\"/console/console.js\" defer></script>\n</head>\n\
         <body data-live=\"{live}\">\n<header><span class=\"brand\">{brand}</span>{menu}\
         <a class=\"lang\" href=\"/console/language?to={other}\" hreflang=\"{other}\">{switch}</a></header>\n\
         <main>\n{body}\n</main>\n</body>\n</html>\n",
        tag = lang.tag(),
        title = esc(title),
        live = u8::from(nav.is_some_and(|n| n.live)),
        brand = esc(&w.t("console-title")),
        menu = nav.map(|n| menu(w, n)).unwrap_or_default(),
        other = lang.other().tag(),
        switch = esc(&w.t("console-language")),
    )
}

/// A moment for the page: UTC in the text, the exact time in `datetime` for the script to
/// show in the browser's zone.
pub fn time_tag(t: DateTime<Utc>) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        t.format("%Y-%m-%d %H:%M UTC")
    )
}

/// The sign-in form; `message` says why the last try failed.
pub fn login(w: &Words, csrf: &str, message: Option<&str>) -> String {
    let message = message
        .map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>\n", esc(m)))
        .unwrap_or_default();
    let body = format!(
        "<h1>{heading}</h1>\n{message}<form method=\"post\" action=\"/console/login\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n\
         <label>{user}<input name=\"username\" autocomplete=\"username\" required autofocus></label>\n\
         <label>{pass}<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\n\
         <button type=\"submit\">{submit}</button>\n</form>",
        heading = esc(&w.t("console-login-heading")),
        csrf = esc(csrf),
        user = esc(&w.t("console-login-username")),
        pass = esc(&w.t("console-login-password")),
        submit = esc(&w.t("console-login-submit")),
    );
    page(w, &w.t("console-login-heading"), &body)
}

/// What the Now page shows.
pub struct Now<'a> {
    pub nav: Nav<'a>,
    /// The status employees see.
    pub status: Severity,
    /// Notices in effect, worst first.
    pub notices: Vec<&'a Notice>,
    /// Maintenance announced and not begun.
    pub upcoming: Vec<&'a Notice>,
    /// Drafts, scheduled first.
    pub drafts: &'a [Draft],
    /// Deliveries to channels in the last hour.
    pub deliveries: &'a [svetofor_api::DeliveryInfo],
    /// Alerts from monitoring waiting for a person.
    pub alerts: &'a [svetofor_store::AlertLink],
    pub now: DateTime<Utc>,
}

fn notice_link(w: &Words, n: &Notice, can_open: bool) -> String {
    let title = esc(n.title.get(w.lang().tag(), ""));
    if can_open {
        format!("<a href=\"/console/notices/{}\">{title}</a>", esc(&n.id))
    } else {
        title
    }
}

fn notice_items(w: &Words, notices: &[&Notice], n: &Now<'_>) -> String {
    let can_open = n.nav.role >= Role::Support;
    let items: Vec<String> = notices
        .iter()
        .map(|x| {
            let next = x.next_update_at.map(|t| {
                let (key, class) = if x.is_overdue(n.now) {
                    ("console-now-overdue", " class=\"overdue\"")
                } else {
                    ("console-now-next-update", "")
                };
                format!(" · <span{class}>{}</span>", with_time(w, key, t))
            });
            let since = x.window.as_ref().map_or(x.created_at, |win| win.starts_at);
            format!(
                "<li class=\"{sev}\"><strong>{title}</strong> <span class=\"meta\">{since}{next}</span></li>",
                sev = x.severity.as_str(),
                title = notice_link(w, x, can_open),
                since = with_time(w, "console-now-since", since),
                next = next.unwrap_or_default(),
            )
        })
        .collect();
    format!("<ul class=\"notices\">\n{}\n</ul>", items.join("\n"))
}

/// A message with a `{ $time }`, escaped, the time as a [`time_tag`].
pub fn with_time(w: &Words, key: &str, t: DateTime<Utc>) -> String {
    w.tr_str(key, &[("time", "\u{1}")])
        .split('\u{1}')
        .map(esc)
        .collect::<Vec<_>>()
        .join(&time_tag(t))
}

fn draft_items(w: &Words, drafts: &[Draft], can_open: bool) -> String {
    let items: Vec<String> = drafts
        .iter()
        .map(|d| {
            let title = d
                .notice
                .title
                .as_ref()
                .map_or("", |t| t.get(w.lang().tag(), ""));
            let title = if can_open {
                format!(
                    "<a href=\"/console/drafts/{}\">{}</a>",
                    esc(&d.id),
                    esc(title)
                )
            } else {
                esc(title)
            };
            let when = match d.publish_at {
                Some(t) => with_time(w, "console-draft-scheduled", t),
                None => esc(&w.t("console-draft-not-scheduled")),
            };
            let error = d
                .last_error
                .as_deref()
                .map(|e| {
                    format!(
                        " <span class=\"overdue\">{}</span>",
                        esc(&w.tr_str("console-draft-failed", &[("reason", e)]))
                    )
                })
                .unwrap_or_default();
            let sev = d.notice.severity.map_or("grey", |s| s.as_str());
            format!(
                "<li class=\"{sev}\"><strong>{title}</strong> <span class=\"meta\">{when} · {by}</span>{error}</li>",
                by = esc(&w.tr_str("console-draft-by", &[("name", &who(&d.created_by))])),
            )
        })
        .collect();
    format!("<ul class=\"notices drafts\">\n{}\n</ul>", items.join("\n"))
}

/// Alerts from monitoring: a draft waiting for a person (marked when no rule routed it), or
/// a published notice whose alert has ended.
fn alert_items(w: &Words, n: &Now<'_>) -> String {
    let open: Vec<&str> = n.notices.iter().map(|x| x.id.as_str()).collect();
    let items: Vec<String> = n
        .alerts
        .iter()
        .filter(|a| a.draft_id.is_some() || a.notice_id.as_deref().is_some_and(|id| open.contains(&id)))
        .map(|a| {
            let (href, key) = match (&a.draft_id, &a.notice_id) {
                (Some(d), _) => (format!("/console/drafts/{}", esc(d)), "console-alert-draft"),
                (None, Some(id)) => (format!("/console/notices/{}", esc(id)), "console-alert-ended"),
                (None, None) => (String::new(), "console-alert-draft"),
            };
            let unrouted = if a.routed || a.draft_id.is_none() {
                String::new()
            } else {
                format!(" <span class=\"overdue\">{}</span>", esc(&w.t("console-alert-unrouted")))
            };
            format!(
                "<li class=\"alert\"><a href=\"{href}\">{summary}</a> <span class=\"meta\">{what} · {source}</span>{unrouted}</li>",
                summary = esc(&a.summary),
                what = esc(&w.t(key)),
                source = esc(&a.source),
            )
        })
        .collect();
    if items.is_empty() || n.nav.role < Role::Support {
        return String::new();
    }
    format!(
        "<h2>{}</h2>\n<ul class=\"notices alerts\">{}</ul>\n",
        esc(&w.t("console-now-alerts")),
        items.join("")
    )
}

/// A person as the audit log names them (`user:anna`), as support reads it (`anna`).
pub fn who(actor: &str) -> String {
    actor.strip_prefix("user:").unwrap_or(actor).to_owned()
}

/// The home page: the status as employees see it, the notices in effect (overdue first),
/// upcoming maintenance and drafts.
pub fn now(w: &Words, n: &Now<'_>) -> String {
    let status_key = match n.status {
        Severity::Red => "console-status-red",
        Severity::Yellow => "console-status-yellow",
        Severity::Green => "console-status-green",
    };
    let mut notices: Vec<&Notice> = n.notices.clone();
    notices.sort_by_key(|x| (!x.is_overdue(n.now), std::cmp::Reverse(x.severity)));
    let overdue = notices.iter().filter(|x| x.is_overdue(n.now)).count();
    let reminder = if overdue > 0 {
        format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n",
            esc(&w.tr_str(
                "console-now-overdue-reminder",
                &[("count", &overdue.to_string())]
            ))
        )
    } else {
        String::new()
    };
    let list = if notices.is_empty() {
        format!("<p class=\"empty\">{}</p>", esc(&w.t("console-now-empty")))
    } else {
        notice_items(w, &notices, n)
    };
    let upcoming = if n.upcoming.is_empty() {
        String::new()
    } else {
        format!(
            "<h2>{}</h2>\n{}",
            esc(&w.t("console-now-upcoming")),
            notice_items(w, &n.upcoming, n)
        )
    };
    let drafts = if n.drafts.is_empty() {
        String::new()
    } else {
        format!(
            "<h2>{}</h2>\n{}",
            esc(&w.t("console-now-drafts")),
            draft_items(w, n.drafts, n.nav.role >= Role::Support)
        )
    };
    let body = format!(
        "<h1>{heading}</h1>\n<p class=\"status {sev}\">{status}</p>\n{reminder}{alerts}{compose}{list}\n{upcoming}\n{drafts}\n{deliveries}",
        deliveries = super::deliveries::summary(w, n.deliveries),
        alerts = alert_items(w, n),
        heading = esc(&w.t("console-now-heading")),
        compose = if n.nav.role >= Role::Support {
            format!(
                "<p><a class=\"button\" href=\"/console/compose\">{}</a></p>\n",
                esc(&w.t("console-now-new"))
            )
        } else {
            String::new()
        },
        sev = n.status.as_str(),
        status = esc(&w.tr_str("console-now-status", &[("status", &w.t(status_key))])),
    );
    signed_page(w, &n.nav, &w.t("console-now-heading"), &body)
}

/// A refusal page.
pub fn refused(w: &Words) -> String {
    let body = format!(
        "<p class=\"error\" role=\"alert\">{}</p>",
        esc(&w.t("console-refused"))
    );
    page(w, &w.t("console-title"), &body)
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
table.audit td:nth-child(-n+3), table.audit th { white-space: nowrap; }
table.audit td:nth-child(4), table.audit td.detail { overflow-wrap: anywhere; }
table.audit td.detail { font-family: ui-monospace, monospace; font-size: 12px; color: #444; }
.secret { background: #e6f4ea; border: 1px solid #1e7e34; border-radius: 8px; padding: 8px 12px; overflow-wrap: anywhere; }
fieldset.later { margin-top: 14px; }
form.filters { display: grid; grid-template-columns: repeat(4, 1fr) auto; gap: 8px; align-items: end; }
form.filters label { margin: 0; }
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
