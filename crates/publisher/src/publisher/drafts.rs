//! Drafts: notices saved before they are published, by support or by the clock at their
//! `publish_at`. Publishing one creates its notice and deletes the draft in one commit.

use chrono::{DateTime, Utc};
use svetofor_api::{Draft, DraftBody};
use svetofor_feed::Notice;

use super::{Edit, PublishError, Publisher, audit_line, created};
use crate::notices::{self, Rejected};
use svetofor_store::{AuditAction, blocking};

/// A new draft id: `d-` and 128 random bits.
fn new_draft_id() -> Result<String, getrandom::Error> {
    let mut bits = [0u8; 16];
    getrandom::fill(&mut bits)?;
    Ok(format!(
        "d-{}",
        bits.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// Checks a draft as the notice it will be when published (at `publish_at`, or now).
fn check(body: &DraftBody, now: DateTime<Utc>) -> Result<(), Rejected> {
    if body.publish_at.is_some_and(|t| t <= now) {
        return Err(Rejected {
            field: "publish_at".to_owned(),
            message: "is in the past; publish the draft now instead".to_owned(),
            why: notices::Why::InThePast,
            value: None,
        });
    }
    let at = body.publish_at.unwrap_or(now);
    notices::create("draft".to_owned(), body.notice.clone(), at).map(|_| ())
}

impl Publisher {
    /// Saves a new draft (`id` None) or replaces one.
    pub async fn save_draft(
        &self,
        id: Option<&str>,
        body: DraftBody,
        actor: String,
    ) -> Result<Draft, PublishError> {
        let now = Utc::now();
        check(&body, now)?;
        let ids = body
            .notice
            .components
            .iter()
            .map(|c| notices::component_id(c))
            .collect::<Result<Vec<_>, _>>()?;
        Self::known(
            &self.state.lock().await.components,
            &ids,
            body.notice.new_components,
        )?;
        let old = match id {
            Some(id) => Some(self.draft(id).await?),
            None => None,
        };
        let draft = Draft {
            id: match &old {
                Some(d) => d.id.clone(),
                None => new_draft_id()?,
            },
            notice: body.notice,
            publish_at: body.publish_at,
            created_by: old.as_ref().map_or(actor.clone(), |d| d.created_by.clone()),
            created_at: old.as_ref().map_or(now, |d| d.created_at),
            updated_at: now,
            last_error: None,
        };
        let detail = serde_json::to_value(&draft).unwrap_or_default();
        let audit = audit_line(now, actor, AuditAction::DraftSave, &draft.id, detail);
        let store = self.store.clone();
        let saved = draft.clone();
        blocking(move || store.save_draft(&saved, &audit)).await?;
        self.wake.notify_one();
        Ok(draft)
    }

    /// One draft.
    pub async fn draft(&self, id: &str) -> Result<Draft, PublishError> {
        let store = self.store.clone();
        let owned = id.to_owned();
        blocking(move || store.draft(&owned))
            .await?
            .ok_or_else(|| PublishError::NoDraft(id.to_owned()))
    }

    /// Every draft, scheduled first.
    pub async fn drafts(&self) -> Result<Vec<Draft>, PublishError> {
        let store = self.store.clone();
        Ok(blocking(move || store.drafts()).await?)
    }

    /// Deletes a draft.
    pub async fn delete_draft(&self, id: &str, actor: String) -> Result<(), PublishError> {
        let now = Utc::now();
        let audit = audit_line(
            now,
            actor,
            AuditAction::DraftDelete,
            id,
            serde_json::Value::Null,
        );
        let store = self.store.clone();
        let owned = id.to_owned();
        if blocking(move || store.delete_draft(&owned, &audit)).await? {
            Ok(())
        } else {
            Err(PublishError::NoDraft(id.to_owned()))
        }
    }

    /// Publishes a draft now: its notice is created and the draft deleted in one commit.
    pub async fn publish_draft(&self, id: &str, actor: String) -> Result<Notice, PublishError> {
        self.publish_draft_noted(id, actor, None).await
    }

    /// [`Publisher::publish_draft`], with the checks support overrode kept in the audit line.
    pub async fn publish_draft_noted(
        &self,
        id: &str,
        actor: String,
        overridden: Option<serde_json::Value>,
    ) -> Result<Notice, PublishError> {
        let mut state = self.state.lock().await;
        let mut tries = 0;
        loop {
            let _turn = self.my_turn(&mut state).await?;
            let now = Utc::now();
            // Read again on each try: another publisher may have published it meanwhile.
            let draft = self.draft(id).await?;
            let mut detail = serde_json::to_value(&draft.notice).unwrap_or_default();
            if let Some(obj) = detail.as_object_mut() {
                obj.insert("draft".to_owned(), draft.id.clone().into());
                obj.insert("drafted_by".to_owned(), draft.created_by.clone().into());
                if let Some(o) = &overridden {
                    obj.insert("overridden".to_owned(), o.clone());
                }
            }
            let add_new = draft.notice.new_components;
            let notice = notices::create(super::new_notice_id(now)?, draft.notice, now)?;
            Self::known(&state.components, &notice.components, add_new)?;
            let audit = audit_line(
                now,
                actor.clone(),
                AuditAction::NoticeCreate,
                &notice.id,
                detail,
            );
            let edit = Edit::Notice(created(notice.clone(), Some(draft.id)));
            match self.commit(&mut state, edit, Some(audit), now).await {
                Ok(()) => {
                    self.published(state).await;
                    return Ok(notice);
                }
                Err(e) => self.again(&mut state, e, &mut tries).await?,
            }
        }
    }

    /// Publishes every scheduled draft that is due. One that cannot be published (its
    /// window ended meanwhile) loses its schedule and keeps the reason, for support to see,
    /// rather than being tried again and again. Returns when the next one is due.
    pub(super) async fn publish_due_drafts(&self) -> Option<DateTime<Utc>> {
        let store = self.store.clone();
        let next = blocking(move || store.next_scheduled()).await;
        let next = match next {
            Ok(next) => next?,
            Err(e) => {
                tracing::error!("scheduled drafts cannot be read: {e}");
                return None;
            }
        };
        if next > Utc::now() {
            return Some(next);
        }
        let due: Vec<Draft> = match self.drafts().await {
            Ok(all) => all
                .into_iter()
                .filter(|d| d.publish_at.is_some_and(|t| t <= Utc::now()))
                .collect(),
            Err(e) => {
                tracing::error!("scheduled drafts cannot be read: {e}");
                return None;
            }
        };
        for d in due {
            let actor = format!("system (scheduled by {})", d.created_by);
            match self.publish_draft(&d.id, actor).await {
                Ok(n) => tracing::info!(draft = %d.id, notice = %n.id, "scheduled draft published"),
                Err(e) => {
                    tracing::error!(draft = %d.id, "scheduled draft not published: {e}");
                    let mut held = d.clone();
                    held.publish_at = None;
                    held.last_error = Some(e.to_string());
                    let audit = audit_line(
                        Utc::now(),
                        "system".to_owned(),
                        AuditAction::DraftHold,
                        &d.id,
                        serde_json::json!({ "error": e.to_string() }),
                    );
                    let store = self.store.clone();
                    if let Err(e) = blocking(move || store.save_draft(&held, &audit)).await {
                        tracing::error!(draft = %d.id, "cannot hold the draft: {e}");
                    }
                }
            }
        }
        let store = self.store.clone();
        blocking(move || store.next_scheduled())
            .await
            .ok()
            .flatten()
    }
}
