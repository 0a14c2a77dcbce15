//! What support may ask of a notice, checked and applied to the model. Pure: no I/O.

use chrono::{DateTime, Utc};
use svetofor_api::Template;
pub use svetofor_api::{
    Closing, ComponentSettings, Correction, NewNotice, NoticeChange, NoticeUpdate,
};
use svetofor_feed::is_web_url;
use svetofor_feed::{Component, Kind, Notice, Severity, State, Text, Update, Window};

mod checks;

pub use checks::{
    MAX_BODY_CHARS, MAX_COMPONENTS, MAX_LANGUAGES, MAX_TITLE_CHARS, MAX_UPDATES, Rejected, Why,
    component_id,
};
use checks::{check_text, check_title, check_window, is_bidi_control, reject};

/// The initial state of a maintenance: in progress if its window has begun.
fn maintenance_state(window: &Option<Window>, now: DateTime<Utc>) -> State {
    match window {
        Some(w) if w.starts_at <= now => State::InProgress,
        _ => State::Scheduled,
    }
}

/// Builds the notice that `req` asks for, with id `id`, at `now`.
pub fn create(id: String, req: NewNotice, now: DateTime<Utc>) -> Result<Notice, Rejected> {
    let severity = req
        .severity
        .ok_or_else(|| reject("severity", Why::Required, "required (green, yellow or red)"))?;
    let kind = req.kind.ok_or_else(|| {
        reject(
            "kind",
            Why::Required,
            "required (outage, degraded, maintenance or info)",
        )
    })?;
    match (kind, severity) {
        (Kind::Outage | Kind::Degraded, Severity::Green) => {
            return Err(reject(
                "severity",
                Why::GreenProblem,
                format!(
                    "a green {kind} is a contradiction: an {kind} is yellow or red; \
                     for good news or a recovery note use kind info"
                ),
            ));
        }
        (Kind::Info, Severity::Red) => {
            return Err(reject(
                "kind",
                Why::RedNews,
                "news cannot be red: a red notice means the product is down, so use kind \
                 outage; for news use green or yellow",
            ));
        }
        _ => {}
    }
    let title = req
        .title
        .ok_or_else(|| reject("title", Why::Required, "required"))?;
    check_title(&title)?;
    let body = req.body.unwrap_or_default();
    check_text("body", &body, MAX_BODY_CHARS, false)?;
    let components = checked_components(&req.components)?;
    let window = check_window(kind, req.starts_at, req.ends_at)?;
    if window
        .as_ref()
        .and_then(|w| w.ends_at)
        .is_some_and(|e| e <= now)
    {
        return Err(reject("ends_at", Why::InThePast, "is in the past"));
    }
    let state = match req.state {
        None if kind == Kind::Maintenance => maintenance_state(&window, now),
        None if kind == Kind::Info => State::Published,
        None => State::Investigating,
        Some(s) if s.is_final() => {
            return Err(reject(
                "state",
                Why::Other,
                "a new notice cannot start resolved, completed or withdrawn",
            ));
        }
        Some(s) if !s.fits(kind) => {
            return Err(reject(
                "state",
                Why::NotAStateForKind,
                format!("\"{s}\" is not a state for kind \"{kind}\""),
            ));
        }
        Some(s) => s,
    };
    if let Some(url) = &req.url
        && (!is_web_url(url) || url.len() > 2000)
    {
        return Err(reject(
            "url",
            Why::BadLink,
            "must be an http or https link of at most 2000 characters",
        ));
    }
    if req.next_update_at.is_some_and(|t| t <= now) {
        return Err(reject("next_update_at", Why::InThePast, "is in the past"));
    }
    Ok(Notice {
        id,
        severity,
        kind,
        state,
        title,
        body: body.clone(),
        components,
        created_at: now,
        updated_at: now,
        window,
        next_update_at: req.next_update_at,
        url: req.url,
        updates: vec![Update {
            at: now,
            state,
            severity: Some(severity),
            text: body,
        }],
    })
}

/// Component ids checked, sorted, each once.
fn checked_components(ids: &[String]) -> Result<Vec<String>, Rejected> {
    if ids.len() > MAX_COMPONENTS {
        return Err(reject(
            "components",
            Why::TooManyComponents,
            format!("at most {MAX_COMPONENTS}"),
        ));
    }
    let mut components = ids
        .iter()
        .map(|c| component_id(c))
        .collect::<Result<Vec<_>, _>>()?;
    components.sort();
    components.dedup();
    Ok(components)
}

fn guard_open(notice: &Notice) -> Result<(), Rejected> {
    if notice.state.is_final() {
        return Err(reject(
            "state",
            Why::AlreadyClosed,
            format!(
                "notice {} is already {}; post a new notice instead",
                notice.id, notice.state
            ),
        ));
    }
    Ok(())
}

fn push_update(
    notice: &mut Notice,
    now: DateTime<Utc>,
    text: Text,
    severity: Option<Severity>,
) -> Result<(), Rejected> {
    if notice.updates.len() >= MAX_UPDATES {
        return Err(reject(
            "text",
            Why::TooManyUpdates,
            format!("notice {} already has {MAX_UPDATES} updates", notice.id),
        ));
    }
    notice.updates.push(Update {
        at: now,
        state: notice.state,
        severity,
        text,
    });
    notice.updated_at = now.max(notice.updated_at);
    Ok(())
}

/// Applies an update to an open notice.
pub fn update(notice: &mut Notice, req: NoticeUpdate, now: DateTime<Utc>) -> Result<(), Rejected> {
    guard_open(notice)?;
    let nothing = req.text.is_none()
        && req.state.is_none()
        && req.severity.is_none()
        && req.next_update_at.is_none()
        && !req.no_next_update
        && req.title.is_none()
        && req.body.is_none()
        && req.starts_at.is_none()
        && req.ends_at.is_none()
        && req.components.is_none();
    if nothing {
        return Err(reject(
            "text",
            Why::NothingToSay,
            "an update must say or change something",
        ));
    }
    let text = req.text.unwrap_or_default();
    check_text("text", &text, MAX_BODY_CHARS, false)?;
    if let Some(title) = &req.title {
        check_title(title)?;
    }
    match (notice.kind, req.severity) {
        (Kind::Outage | Kind::Degraded, Some(Severity::Green)) => {
            return Err(reject(
                "severity",
                Why::GreenProblem,
                format!(
                    "an {} is yellow or red; to say it is over, resolve it",
                    notice.kind
                ),
            ));
        }
        (Kind::Info, Some(Severity::Red)) => {
            return Err(reject(
                "severity",
                Why::RedNews,
                "news cannot be red: post an outage notice for a problem",
            ));
        }
        _ => {}
    }
    if let Some(body) = &req.body {
        check_text("body", body, MAX_BODY_CHARS, false)?;
    }
    if let Some(s) = req.state {
        if !s.fits(notice.kind) {
            return Err(reject(
                "state",
                Why::NotAStateForKind,
                format!("\"{s}\" is not a state for kind \"{}\"", notice.kind),
            ));
        }
        if s.is_final() {
            return Err(reject(
                "state",
                Why::CloseWithResolve,
                "use resolve or withdraw to close a notice",
            ));
        }
    }
    if req.next_update_at.is_some_and(|t| t <= now) {
        return Err(reject("next_update_at", Why::InThePast, "is in the past"));
    }
    if req.no_next_update && req.next_update_at.is_some() {
        return Err(reject(
            "next_update_at",
            Why::Other,
            "give a new promise or take it back, not both",
        ));
    }
    if req.starts_at.is_some() || req.ends_at.is_some() {
        let old = notice.window.clone();
        let window = check_window(
            notice.kind,
            req.starts_at.or(old.as_ref().map(|w| w.starts_at)),
            req.ends_at.or(old.and_then(|w| w.ends_at)),
        )?;
        notice.window = window;
    }
    let components = req
        .components
        .as_deref()
        .map(checked_components)
        .transpose()?;
    if let Some(s) = req.state {
        notice.state = s;
    }
    if let Some(c) = components {
        notice.components = c;
    }
    let severity_changed = req.severity.filter(|s| *s != notice.severity);
    if let Some(s) = req.severity {
        notice.severity = s;
    }
    if let Some(t) = req.title {
        notice.title = t;
    }
    // The body is the latest word: an update's text replaces it unless a body is given.
    match (req.body, text.is_empty()) {
        (Some(b), _) => notice.body = b,
        (None, false) => notice.body = text.clone(),
        (None, true) => {}
    }
    if req.next_update_at.is_some() {
        notice.next_update_at = req.next_update_at;
    } else if req.no_next_update {
        notice.next_update_at = None;
    }
    push_update(notice, now, text, severity_changed)
}

/// Closes a notice: `resolved`, or `completed` for maintenance.
pub fn resolve(notice: &mut Notice, req: Closing, now: DateTime<Utc>) -> Result<(), Rejected> {
    guard_open(notice)?;
    let text = req.text.unwrap_or_default();
    check_text("text", &text, MAX_BODY_CHARS, false)?;
    notice.state = if notice.kind == Kind::Maintenance {
        State::Completed
    } else {
        State::Resolved
    };
    notice.next_update_at = None;
    if !text.is_empty() {
        notice.body = text.clone();
    }
    push_update(notice, now, text, None)
}

/// Retracts a notice published by mistake.
pub fn withdraw(notice: &mut Notice, req: Closing, now: DateTime<Utc>) -> Result<(), Rejected> {
    guard_open(notice)?;
    let text = req.text.unwrap_or_default();
    check_text("text", &text, MAX_BODY_CHARS, false)?;
    notice.state = State::Withdrawn;
    notice.next_update_at = None;
    // Employees read the body: the reason for the retraction goes there, as on a resolve.
    if !text.is_empty() {
        notice.body = text.clone();
    }
    push_update(notice, now, text, None)
}

/// Fixes a notice's wording in place: no new step in the timeline, so desktops update the
/// words silently. A resolved or completed notice may be corrected too (its summary stays in
/// the feed's history for days); a withdrawn one is gone from desktops.
pub fn correct(notice: &mut Notice, req: Correction, now: DateTime<Utc>) -> Result<(), Rejected> {
    if req.title.is_none() && req.body.is_none() {
        return Err(reject(
            "title",
            Why::CorrectionEmpty,
            "a correction must give a title or a body",
        ));
    }
    if notice.state == State::Withdrawn {
        return Err(reject(
            "state",
            Why::AlreadyWithdrawn,
            format!(
                "notice {} is withdrawn: desktops no longer show it",
                notice.id
            ),
        ));
    }
    if let Some(title) = &req.title {
        check_title(title)?;
    }
    if let Some(body) = req.body {
        check_text("body", &body, MAX_BODY_CHARS, false)?;
        // The latest step usually said what the body says: it is the same wording.
        if let Some(last) = notice.updates.last_mut()
            && last.text == notice.body
        {
            last.text = body.clone();
        }
        notice.body = body;
    }
    if let Some(title) = req.title {
        notice.title = title;
    }
    notice.updated_at = now.max(notice.updated_at);
    Ok(())
}

/// Moves a maintenance along its window by the clock: scheduled → in_progress at its start,
/// in_progress → completed at its end. Returns true when it changed.
pub fn advance_by_clock(notice: &mut Notice, now: DateTime<Utc>) -> bool {
    let Some(w) = notice.window.clone() else {
        return false;
    };
    if notice.kind != Kind::Maintenance {
        return false;
    }
    let next = match notice.state {
        State::Scheduled | State::InProgress if w.ends_at.is_some_and(|e| e <= now) => {
            State::Completed
        }
        State::Scheduled if w.starts_at <= now => State::InProgress,
        _ => return false,
    };
    let at = match next {
        State::Completed => w.ends_at.unwrap_or(now),
        _ => w.starts_at,
    };
    notice.state = next;
    notice.next_update_at = None;
    notice.updates.push(Update {
        at,
        state: next,
        severity: None,
        text: Text::default(),
    });
    notice.updated_at = at.max(notice.updated_at);
    true
}

/// The next time [`advance_by_clock`] would change `notice`, if any.
pub fn next_transition(notice: &Notice) -> Option<DateTime<Utc>> {
    let w = notice.window.as_ref()?;
    match notice.state {
        State::Scheduled => Some(w.starts_at),
        State::InProgress => w.ends_at,
        _ => None,
    }
}

/// A component as an admin names it, checked.
pub fn named_component(id: &str, req: ComponentSettings) -> Result<Component, Rejected> {
    let id = component_id(id)?;
    check_text("name", &req.name, MAX_TITLE_CHARS, true)?;
    let group = req
        .group
        .map(|g| g.trim().to_owned())
        .filter(|g| !g.is_empty());
    if let Some(g) = &group
        && (g.chars().count() > 100 || g.chars().any(|c| c.is_control() || is_bidi_control(c)))
    {
        return Err(reject(
            "group",
            Why::TemplateGroup,
            "at most 100 characters, no control characters",
        ));
    }
    Ok(Component {
        id,
        name: req.name,
        group,
        status: None,
    })
}

/// Whether a component was created only by a notice naming it (its name is its id): such a
/// component leaves the feed when no notice in it names it any more.
pub fn is_implicit(c: &Component) -> bool {
    c.group.is_none() && c.name == Text::Plain(c.id.clone())
}

/// Applies `change` to `notice` at `now`.
pub fn apply(
    notice: &mut Notice,
    change: NoticeChange,
    now: DateTime<Utc>,
) -> Result<(), Rejected> {
    match change {
        NoticeChange::Update(req) => update(notice, req, now),
        NoticeChange::Resolve(req) => resolve(notice, req, now),
        NoticeChange::Withdraw(req) => withdraw(notice, req, now),
        NoticeChange::Correct(req) => correct(notice, req, now),
    }
}

/// Checks a template as the notice it starts: a name of lower-case letters, digits and `-`
/// (at most 64), and texts, severity and kind a new notice could have.
pub fn check_template(t: &Template, now: DateTime<Utc>) -> Result<(), Rejected> {
    let name_ok = !t.name.is_empty()
        && t.name.len() <= 64
        && t.name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !name_ok {
        return Err(reject(
            "name",
            Why::TemplateName,
            "use lower-case Latin letters, digits and -, at most 64 (e.g. \"payments-down\")",
        ));
    }
    if t.next_update_minutes
        .is_some_and(|m| m == 0 || m > 7 * 24 * 60)
    {
        return Err(reject(
            "next_update_minutes",
            Why::TemplateMinutes,
            "between 1 minute and 7 days",
        ));
    }
    let req = NewNotice {
        severity: Some(t.severity),
        kind: Some(t.kind),
        title: Some(t.title.clone()),
        body: Some(t.body.clone()),
        components: t.components.clone(),
        ..NewNotice::default()
    };
    // A maintenance template has no window yet: support gives it when composing.
    if t.kind == Kind::Maintenance {
        check_title(&t.title)?;
        return check_text("body", &t.body, MAX_BODY_CHARS, false);
    }
    create("template".to_owned(), req, now).map(|_| ())
}

#[cfg(test)]
mod tests;
