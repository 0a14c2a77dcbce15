//! The preview panel beside the compose form: the banner, the tray line and the
//! notification, and what Telegram and e-mail would say, in both languages.

use super::pages::esc;
use super::preview::Preview;
use crate::web::words::{Lang, Words};

/// The preview panel: the banner, the tray line and the notification, in both languages.
/// A preview in one language: the desktop's, and what Telegram and e-mail would say.
pub(super) type Previewed = (Lang, Preview, svetofor_channels::words::Message);

pub(super) fn preview_panel(w: &Words, previews: &[Previewed]) -> String {
    if previews.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section class=\"preview\"><h2>{}</h2>",
        esc(&w.t("console-preview-heading"))
    );
    for (lang, p, said) in previews {
        out.push_str(&format!(
            "<h3>{}</h3>",
            esc(&w.t(match lang {
                Lang::Ru => "console-preview-in-russian",
                Lang::En => "console-preview-in-english",
            }))
        ));
        match &p.banner {
            Some(b) => out.push_str(&format!(
                "<div class=\"strip {sev}\"><strong>{word}</strong> <b>{title}</b> {line} <span class=\"meta\">{when}</span></div>",
                sev = p.severity.as_str(),
                word = esc(&b.word),
                title = esc(&b.title),
                line = esc(&b.line),
                when = esc(&b.when),
            )),
            None => out.push_str(&format!(
                "<p class=\"empty\">{}</p>",
                esc(&w.t("console-preview-no-banner"))
            )),
        }
        out.push_str(&format!(
            "<p class=\"tray\">{}: {}</p>",
            esc(&w.t("console-preview-tray")),
            esc(&p.tray)
        ));
        if let Some((summary, body)) = &p.notification {
            out.push_str(&format!(
                "<div class=\"toast\"><strong>{}</strong><br>{}</div>",
                esc(summary),
                esc(body)
            ));
        }
        let lines: String = said
            .lines
            .iter()
            .map(|l| format!("<br>{}", esc(l)))
            .collect();
        out.push_str(&format!(
            "<p class=\"meta\">{label}</p><div class=\"toast channel\"><strong>{headline}</strong>{lines}</div>\
             <p class=\"meta\">{subject_label}: [{word}] {title}</p>",
            label = esc(&w.t("console-preview-channels")),
            headline = esc(&said.headline),
            subject_label = esc(&w.t("console-preview-subject")),
            word = esc(&said.word),
            title = esc(said.headline.split_once(": ").map_or("", |(_, t)| t)),
        ));
    }
    out.push_str("</section>");
    out
}
