//! The audit log's lines: who did what, to what, when. Every writer names its action with
//! [`AuditAction`], so the names the log, the API's `/audit` and the console's filter show are
//! in one list.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What was done. Stored by its [`name`](AuditAction::name) (`notice.create`): the names are
/// the audit log's language and never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    NoticeCreate,
    NoticeUpdate,
    NoticeResolve,
    NoticeWithdraw,
    NoticeCorrect,
    /// The clock started a maintenance window's work.
    NoticeInProgress,
    /// The clock ended a maintenance window.
    NoticeCompleted,
    ComponentSet,
    ComponentRemove,
    DraftSave,
    DraftDelete,
    /// A scheduled draft that could not be published is held for a person.
    DraftHold,
    TemplateSave,
    TemplateDelete,
    TokenCreate,
    TokenRevoke,
    UserCreate,
    UserDisable,
    UserPassword,
    ChannelCreate,
    ChannelRemove,
    DeliveryRetry,
    IntakeRules,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 23] = [
        AuditAction::NoticeCreate,
        AuditAction::NoticeUpdate,
        AuditAction::NoticeResolve,
        AuditAction::NoticeWithdraw,
        AuditAction::NoticeCorrect,
        AuditAction::NoticeInProgress,
        AuditAction::NoticeCompleted,
        AuditAction::ComponentSet,
        AuditAction::ComponentRemove,
        AuditAction::DraftSave,
        AuditAction::DraftDelete,
        AuditAction::DraftHold,
        AuditAction::TemplateSave,
        AuditAction::TemplateDelete,
        AuditAction::TokenCreate,
        AuditAction::TokenRevoke,
        AuditAction::UserCreate,
        AuditAction::UserDisable,
        AuditAction::UserPassword,
        AuditAction::ChannelCreate,
        AuditAction::ChannelRemove,
        AuditAction::DeliveryRetry,
        AuditAction::IntakeRules,
    ];

    /// How the log names it.
    pub fn name(self) -> &'static str {
        match self {
            AuditAction::NoticeCreate => "notice.create",
            AuditAction::NoticeUpdate => "notice.update",
            AuditAction::NoticeResolve => "notice.resolve",
            AuditAction::NoticeWithdraw => "notice.withdraw",
            AuditAction::NoticeCorrect => "notice.correct",
            AuditAction::NoticeInProgress => "notice.in_progress",
            AuditAction::NoticeCompleted => "notice.completed",
            AuditAction::ComponentSet => "component.set",
            AuditAction::ComponentRemove => "component.remove",
            AuditAction::DraftSave => "draft.save",
            AuditAction::DraftDelete => "draft.delete",
            AuditAction::DraftHold => "draft.hold",
            AuditAction::TemplateSave => "template.save",
            AuditAction::TemplateDelete => "template.delete",
            AuditAction::TokenCreate => "token.create",
            AuditAction::TokenRevoke => "token.revoke",
            AuditAction::UserCreate => "user.create",
            AuditAction::UserDisable => "user.disable",
            AuditAction::UserPassword => "user.password",
            AuditAction::ChannelCreate => "channel.create",
            AuditAction::ChannelRemove => "channel.remove",
            AuditAction::DeliveryRetry => "delivery.retry",
            AuditAction::IntakeRules => "intake.rules",
        }
    }

    /// The action of `name`, if it is one.
    pub fn from_name(name: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.name() == name)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// Who: `token:<name> (<id>)`, `user:<name>`, `cli`, or `system`.
    pub actor: String,
    /// What: an [`AuditAction`]'s name (lines stored by older versions keep theirs).
    pub action: String,
    /// On what (a notice, draft, template, token, account or channel).
    pub target: Option<String>,
    /// Details (the request as received).
    pub detail: serde_json::Value,
}

impl AuditEntry {
    /// A line saying `actor` did `action` to `target` now.
    pub fn new(
        actor: impl Into<String>,
        action: AuditAction,
        target: Option<&str>,
        detail: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
            actor: actor.into(),
            action: action.name().to_owned(),
            target: target.map(str::to_owned),
            detail,
        }
    }

    /// The same line, at `at` (the time of the change it records).
    pub fn at(mut self, at: DateTime<Utc>) -> AuditEntry {
        self.at = at;
        self
    }
}

/// A stored audit line with its number.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    /// Sequence number of the line.
    pub id: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_name_and_reads_back() {
        let mut names: Vec<_> = AuditAction::ALL.iter().map(|a| a.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_name(a.name()), Some(a));
        }
        assert_eq!(AuditAction::from_name("notice.nothing"), None);
    }
}
