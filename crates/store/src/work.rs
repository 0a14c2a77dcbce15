//! What support prepares before it reaches the feed: drafts (scheduled or not) and the
//! templates notices start from.

use chrono::{DateTime, Utc};
use svetofor_api::{Draft, IntakeRule, Template};

use super::{AuditEntry, StoreError};

/// An alert from monitoring and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertLink {
    /// `alertmanager`, `zabbix`, ….
    pub source: String,
    /// The alert's key within its source.
    pub key: String,
    /// The draft it made, while unpublished.
    pub draft_id: Option<String>,
    /// The notice its draft became, once published.
    pub notice_id: Option<String>,
    /// Still firing.
    pub firing: bool,
    /// A rule matched it (else it is listed as unrouted).
    pub routed: bool,
    pub summary: String,
    pub updated_at: DateTime<Utc>,
}

/// Drafts and templates.
pub trait WorkStore: Send + Sync + 'static {
    /// Every draft, scheduled ones first by time, then the newest.
    fn drafts(&self) -> Result<Vec<Draft>, StoreError>;
    /// One draft.
    fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError>;
    /// Stores a draft (new or replaced) with its audit line.
    fn save_draft(&self, draft: &Draft, audit: &AuditEntry) -> Result<(), StoreError>;
    /// Deletes a draft with its audit line; false when there is none.
    fn delete_draft(&self, id: &str, audit: &AuditEntry) -> Result<bool, StoreError>;
    /// The earliest time a scheduled draft is due, if any is.
    fn next_scheduled(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Every template, by name.
    fn templates(&self) -> Result<Vec<Template>, StoreError>;
    /// One template.
    fn template(&self, name: &str) -> Result<Option<Template>, StoreError>;
    /// Stores a template (new or replaced) with its audit line.
    fn save_template(&self, template: &Template, audit: &AuditEntry) -> Result<(), StoreError>;
    /// Deletes a template with its audit line; false when there is none.
    fn delete_template(&self, name: &str, audit: &AuditEntry) -> Result<bool, StoreError>;
    /// The intake's routing rules, in order.
    fn intake_rules(&self) -> Result<Vec<IntakeRule>, StoreError>;
    /// Replaces the routing rules, with the audit line.
    fn set_intake_rules(&self, rules: &[IntakeRule], audit: &AuditEntry) -> Result<(), StoreError>;
    /// What an alert made, by source and key.
    fn alert_link(&self, source: &str, key: &str) -> Result<Option<AlertLink>, StoreError>;
    /// Stores what an alert made.
    fn save_alert_link(&self, link: &AlertLink) -> Result<(), StoreError>;
    /// Alerts support should look at: firing with an unpublished draft, or resolved while
    /// their notice may be open. Newest first.
    fn alert_links(&self, limit: usize) -> Result<Vec<AlertLink>, StoreError>;
}
