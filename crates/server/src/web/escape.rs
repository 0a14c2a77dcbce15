//! The escaper every template uses: untrusted text becomes text, with the same entities the
//! product writes everywhere else (`svetofor_feed::escape_html`: Telegram, e-mail, the feed's
//! HTML rules), so a page and a message escape alike.

use std::fmt::{self, Write};

/// `&`, `<`, `>`, `"` and `'` as entities; everything else as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        let mut rest = string;
        while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
            dest.write_str(&rest[..i])?;
            dest.write_str(match rest.as_bytes()[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[i + 1..];
        }
        dest.write_str(rest)
    }
}

/// Text for XML (Atom, RSS): escaped, and without the control characters XML 1.0 cannot
/// carry.
#[derive(Debug, Clone, Copy, Default)]
pub struct Xml;

impl askama::filters::Escaper for Xml {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        for c in string.chars() {
            match c {
                '&' => dest.write_str("&amp;")?,
                '<' => dest.write_str("&lt;")?,
                '>' => dest.write_str("&gt;")?,
                '"' => dest.write_str("&quot;")?,
                '\'' => dest.write_str("&apos;")?,
                '\t' | '\n' | '\r' => dest.write_char(c)?,
                c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
                c => dest.write_char(c)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::filters::Escaper;

    #[test]
    fn it_escapes_as_the_feed_does() {
        for s in [
            "<b>\"a\" & 'b'</b>",
            "Платежи <script>alert(1)</script>",
            "",
            "plain",
            "\u{202e}rtl",
        ] {
            let mut out = String::new();
            Html.write_escaped_str(&mut out, s).unwrap();
            assert_eq!(out, svetofor_feed::escape_html(s), "{s}");
        }
    }

    #[test]
    fn xml_text_is_escaped_and_keeps_only_what_xml_can_carry() {
        let mut out = String::new();
        Xml.write_escaped_str(&mut out, "<b>a & 'b'</b>\u{1}\u{1b}\tc\n")
            .unwrap();
        assert_eq!(out, "&lt;b&gt;a &amp; &apos;b&apos;&lt;/b&gt;\tc\n");
    }
}
