//! The console's pages as HTML strings. Every piece of text that is not this file's own goes
//! through [`esc`]: notice titles, names and messages are untrusted.

use chrono::{DateTime, Utc};
use svetofor_feed::{Notice, Severity};

use super::words::Words;

/// Escapes untrusted text for the page.
pub fn esc(s: &str) -> String {
    svetofor_feed::escape_html(s)
}

/// A whole page around `body`.
pub fn page(w: &Words, title: &str, body: &str) -> String {
    let lang = w.lang();
    format!(
        "<!doctype html>\n<html lang=\"{tag}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"/console/style.css\">\n</head>\n\
         <body>\n<header><span class=\"brand\">{brand}</span>\
         <a class=\"lang\" href=\"/console/language?to={other}\" hreflang=\"{other}\">{switch}</a></header>\n\
         <main>\n{body}\n</main>\n</body>\n</html>\n",
        tag = lang.tag(),
        title = esc(title),
        brand = esc(&w.t("console-title")),
        other = lang.other().tag(),
        switch = esc(&w.t("console-language")),
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
    pub user: &'a str,
    pub role: &'a str,
    pub csrf: &'a str,
    /// The status employees see.
    pub status: Severity,
    /// Notices in effect, worst first.
    pub notices: Vec<&'a Notice>,
    pub now: DateTime<Utc>,
    /// Support and admins get the compose link and a page per notice.
    pub can_publish: bool,
}

fn time(t: DateTime<Utc>) -> String {
    // The browser's zone is the console issue's next step; UTC is said as such meanwhile.
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The home page: the status as employees see it, and the notices in effect, overdue first.
pub fn now(w: &Words, n: &Now<'_>) -> String {
    let status_key = match n.status {
        Severity::Red => "console-status-red",
        Severity::Yellow => "console-status-yellow",
        Severity::Green => "console-status-green",
    };
    let mut notices: Vec<&Notice> = n.notices.clone();
    notices.sort_by_key(|x| (!x.is_overdue(n.now), std::cmp::Reverse(x.severity)));
    let list = if notices.is_empty() {
        format!("<p class=\"empty\">{}</p>", esc(&w.t("console-now-empty")))
    } else {
        let items: Vec<String> = notices
            .iter()
            .map(|x| {
                let next = x.next_update_at.map(|t| {
                    let (key, class) = if x.is_overdue(n.now) {
                        ("console-now-overdue", " class=\"overdue\"")
                    } else {
                        ("console-now-next-update", "")
                    };
                    format!(
                        " · <span{class}>{}</span>",
                        esc(&w.tr(key, &[("time", &time(t))]))
                    )
                });
                let title = esc(x.title.get(w.lang().tag(), ""));
                let title = if n.can_publish {
                    format!("<a href=\"/console/notices/{}\">{title}</a>", esc(&x.id))
                } else {
                    title
                };
                format!(
                    "<li class=\"{sev}\"><strong>{title}</strong> <span class=\"meta\">{since}{next}</span></li>",
                    sev = x.severity.as_str(),
                    since = esc(&w.tr("console-now-since", &[("time", &time(x.created_at))])),
                    next = next.unwrap_or_default(),
                )
            })
            .collect();
        format!("<ul class=\"notices\">\n{}\n</ul>", items.join("\n"))
    };
    let body = format!(
        "<p class=\"who\">{who}</p>\n\
         <form method=\"post\" action=\"/console/logout\" class=\"logout\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\">{logout}</button></form>\n\
         <h1>{heading}</h1>\n<p class=\"status {sev}\">{status}</p>\n{compose}{list}",
        who = esc(&w.tr(
            "console-signed-in-as",
            &[("name", n.user), ("role", n.role)]
        )),
        csrf = esc(n.csrf),
        logout = esc(&w.t("console-logout")),
        heading = esc(&w.t("console-now-heading")),
        sev = n.status.as_str(),
        status = esc(&w.tr("console-now-status", &[("status", &w.t(status_key))])),
        compose = if n.can_publish {
            format!(
                "<p><a class=\"button\" href=\"/console/compose\">{}</a></p>\n",
                esc(&w.t("console-now-new"))
            )
        } else {
            String::new()
        },
    );
    page(w, &w.t("console-now-heading"), &body)
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
header { display: flex; justify-content: space-between; padding: 10px 20px; background: #1f2933; color: #fff; }
header a { color: #fff; }
main { max-width: 760px; margin: 24px auto; padding: 0 20px; }
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
