//! Start at login on Linux and the BSDs: the XDG autostart entry, as plain data.
//!
//! The package installs a system-wide entry (`$XDG_CONFIG_DIRS/autostart/svetofor.desktop`,
//! usually `/etc/xdg`). A user entry with the same file name overrides it, so turning
//! autostart off writes a user entry with `Hidden=true`, and turning it on removes that
//! override (or, with no system entry, writes a user entry that starts the app). Only entries
//! this app wrote (marked `X-Svetofor-Managed=true`) are ever changed or removed: one the user
//! made is theirs.

/// File name of the entry, the same as the package's system-wide one.
pub const ENTRY: &str = "svetofor.desktop";

/// Marks entries this app wrote.
const MARK: &str = "X-Svetofor-Managed=true";

/// What to do with the user's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XdgAction {
    /// Write this content.
    Write(String),
    /// Remove the user's entry.
    Remove,
    /// Leave things as they are.
    Nothing,
}

/// Quotes a program path for an `Exec=` line (desktop entry spec: reserved characters in
/// double quotes, with `"`, `` ` ``, `$` and `\` escaped).
pub fn exec_quote(path: &str) -> String {
    let mut out = String::from("\"");
    for c in path.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The user entry this app writes: starting `exe`, or hidden (off).
pub fn entry(exe: &str, hidden: bool) -> String {
    format!(
        "[Desktop Entry]\nType=Application\nName=Svetofor\nExec={}\nIcon=svetofor\n\
         Terminal=false\nNoDisplay=true\nHidden={hidden}\nX-GNOME-Autostart-enabled={}\n{MARK}\n",
        exec_quote(exe),
        !hidden
    )
}

/// What to do so that the app does (or does not) start at login.
pub fn plan(enabled: bool, system_entry: bool, user_entry: Option<&str>, exe: &str) -> XdgAction {
    let ours = user_entry.is_none_or(|e| e.lines().any(|l| l.trim() == MARK));
    if !ours {
        return XdgAction::Nothing;
    }
    let want = match (enabled, system_entry) {
        (true, true) => None,
        (true, false) => Some(entry(exe, false)),
        (false, _) => Some(entry(exe, true)),
    };
    match (want, user_entry) {
        (None, None) => XdgAction::Nothing,
        (None, Some(_)) => XdgAction::Remove,
        (Some(w), Some(have)) if have == w => XdgAction::Nothing,
        (Some(w), _) => XdgAction::Write(w),
    }
}
