//! What support prepares before it reaches the feed: drafts (scheduled or not) and the
//! templates notices start from.

use chrono::{DateTime, Utc};
use svetofor_api::{Draft, Template};

use super::{AuditEntry, StoreError};

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
}
