//! Two people, one notice: a change names the version it was made from, and one made from an
//! older version is refused with what changed meanwhile, so that a save never silently undoes
//! a colleague's.

use chrono::{DateTime, Utc};
use svetofor_feed::Notice;
use svetofor_store::{AuditAction, AuditQuery, blocking};

use super::{PublishError, Publisher};
use crate::notices::{Rejected, Why};

/// One change made to a notice after the version a refused change was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meanwhile {
    pub at: DateTime<Utc>,
    /// Who made it, as the audit log names them (`user:anna`, `token:bot`, `system`).
    pub actor: String,
    pub action: AuditAction,
}

/// Most changes a refusal lists (the newest).
const MOST: usize = 20;

impl Publisher {
    /// Refuses a change made from `version` when `notice` is no longer at it.
    pub(super) async fn check_version(
        &self,
        notice: &Notice,
        version: Option<&str>,
    ) -> Result<(), PublishError> {
        let Some(version) = version else {
            return Ok(());
        };
        if version == svetofor_api::version(notice) {
            return Ok(());
        }
        let Some((_, since)) = svetofor_api::version_parts(version) else {
            return Err(PublishError::Rejected(Rejected {
                field: "version".to_owned(),
                message: format!("\"{version}\" is not a notice version (take the ETag)"),
                why: Why::Other,
                value: None,
            }));
        };
        let store = self.store.clone();
        let query = AuditQuery {
            limit: 200,
            target: Some(notice.id.clone()),
            // The store keeps microseconds: the line that made `version` is at `since`.
            since: Some(since),
            ..AuditQuery::default()
        };
        let lines = blocking(move || store.audit_matching(&query)).await?;
        let mut meanwhile: Vec<Meanwhile> = lines
            .into_iter()
            .filter(|l| l.entry.at.timestamp_micros() > since.timestamp_micros())
            .filter_map(|l| {
                Some(Meanwhile {
                    at: l.entry.at,
                    actor: l.entry.actor,
                    action: AuditAction::from_name(&l.entry.action)?,
                })
            })
            .collect();
        meanwhile.sort_by_key(|m| m.at);
        let skip = meanwhile.len().saturating_sub(MOST);
        Err(PublishError::Stale {
            id: notice.id.clone(),
            version: svetofor_api::version(notice),
            meanwhile: meanwhile.split_off(skip),
        })
    }
}

/// The English words for what changed meanwhile (the API's message).
pub(super) fn described(meanwhile: &[Meanwhile]) -> String {
    if meanwhile.is_empty() {
        return "it changed".to_owned();
    }
    meanwhile
        .iter()
        .map(|m| {
            format!(
                "{} at {} UTC by {}",
                m.action,
                m.at.format("%Y-%m-%d %H:%M:%S"),
                m.actor
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
