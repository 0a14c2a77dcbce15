//! The publisher's clock: scheduled drafts published, maintenance started and ended, the
//! document re-signed before it expires, and the mirror folder written.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use svetofor_api::EventKind;

use super::*;
use crate::notices::{self};
use svetofor_store::{AuditAction, AuditEntry};

impl Publisher {
    /// One pass of the clock: moves maintenance windows along and re-signs the feed when
    /// half its lifetime has passed. Returns when the next pass is due.
    pub async fn tick(&self) -> Result<DateTime<Utc>, PublishError> {
        let mut state = self.state.lock().await;
        let _turn = self.my_turn(&mut state).await?;
        // Another replica may have signed while we waited for the turn: serve its document,
        // so that its age (not our stale one's) decides whether a re-sign is due.
        if state.seq > self.current().seq {
            self.reload(&mut state).await?;
        }
        let now = Utc::now();
        let due: Vec<String> = state
            .notices
            .values()
            .filter(|n| notices::next_transition(n).is_some_and(|t| t <= now))
            .map(|n| n.id.clone())
            .collect();
        let mut changed = false;
        let mut stuck = false;
        for id in due {
            let Some(mut n) = state.notices.get(&id).cloned() else {
                continue;
            };
            if notices::advance_by_clock(&mut n, now) {
                let action = if n.state == svetofor_feed::State::Completed {
                    AuditAction::NoticeCompleted
                } else {
                    AuditAction::NoticeInProgress
                };
                let detail = serde_json::json!({ "by": "maintenance window" });
                let audit = AuditEntry::new("system", action, Some(&id), detail).at(now);
                // One step that fails must not stop the rest, least of all re-signing: an
                // expired feed turns every desktop stale.
                match self
                    .commit(
                        &mut state,
                        Edit::Notice(NoticeEdit {
                            event: if n.state.is_final() {
                                EventKind::Resolved
                            } else {
                                EventKind::Updated
                            },
                            notice: n,
                            new: false,
                            draft: None,
                        }),
                        Some(audit),
                        now,
                    )
                    .await
                {
                    Ok(()) => changed = true,
                    // Another publisher moved it (or wrote) first: take what it stored.
                    Err(e) if e.is_conflict() => {
                        self.reload(&mut state).await?;
                        changed = true;
                    }
                    Err(e) => {
                        tracing::error!("maintenance {id} cannot move along by the clock: {e}");
                        stuck = true;
                    }
                }
            }
        }
        let half_ttl = TimeDelta::from_std(self.settings.ttl / 2).unwrap_or(TimeDelta::minutes(30));
        let resign_at = self.current().generated_at + half_ttl;
        if !changed && now >= resign_at {
            match self.commit(&mut state, Edit::Nothing, None, now).await {
                // Another publisher wrote (or re-signed) first: its newer document will do.
                Err(e) if e.is_conflict() => self.reload(&mut state).await?,
                r => r?,
            }
            changed = true;
        }
        let resign_at = self.current().generated_at + half_ttl;
        let next = state
            .notices
            .values()
            .filter_map(notices::next_transition)
            .chain(std::iter::once(resign_at))
            .min()
            .unwrap_or(resign_at);
        // A step that keeps failing is tried again in a while, not in a busy loop.
        let next = if stuck {
            next.max(now + TimeDelta::seconds(10)).min(resign_at)
        } else {
            next
        };
        drop(state);
        if changed {
            self.write_mirror().await;
        }
        Ok(next)
    }

    /// Runs [`Publisher::tick`] forever, sleeping until the next pass or a change. Errors are
    /// logged and retried a little later.
    pub async fn run_clock(self: Arc<Self>) {
        loop {
            let scheduled = self.publish_due_drafts().await;
            let wait = match self.tick().await {
                Ok(next) => {
                    let next = scheduled.map_or(next, |s| s.min(next));
                    (next - Utc::now()).to_std().unwrap_or(Duration::ZERO)
                }
                Err(e) => {
                    tracing::error!("clock pass failed: {e}");
                    Duration::from_secs(10)
                }
            };
            // Wall-clock time can jump (suspend, NTP): never sleep more than a minute.
            let wait = wait
                .min(Duration::from_secs(60))
                .max(Duration::from_millis(50));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// Writes the current document to the mirror folder, if one is set.
    pub(super) async fn write_mirror(&self) {
        let Some(dir) = self.mirror_dir.clone() else {
            return;
        };
        let p = self.current();
        let result = tokio::task::spawn_blocking(move || write_pair(&dir, &p)).await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("mirror: {e}"),
            Err(e) => tracing::error!("mirror task failed: {e}"),
        }
    }
}
