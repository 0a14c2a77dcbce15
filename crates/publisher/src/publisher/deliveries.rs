//! Which channels a change goes to: every channel that is on, whose rule admits the notice's
//! severity, or that was told about the notice before (so its end reaches where its start
//! did). A channel hearing of a notice for the first time gets it as new.

use chrono::{DateTime, Utc};
use svetofor_api::{EventKind, NoticeEvent};
use svetofor_feed::Notice;

use super::{PublishError, Publisher};
use svetofor_store::{ChannelRecord, NewDelivery, blocking};

/// The deliveries of `kind` for `notice` to `channels`, `told` being those told before.
pub fn plan(
    channels: &[ChannelRecord],
    told: &[String],
    notice: &Notice,
    kind: EventKind,
    feed_id: &str,
    seq: u64,
    now: DateTime<Utc>,
) -> Vec<NewDelivery> {
    channels
        .iter()
        .filter(|c| c.disabled_at.is_none())
        .filter_map(|c| {
            let known = told.contains(&c.name);
            if !known && notice.severity < c.min_severity {
                return None;
            }
            let kind = match kind {
                EventKind::Updated | EventKind::Corrected if !known => EventKind::Created,
                k => k,
            };
            Some(NewDelivery {
                channel: c.name.clone(),
                event: NoticeEvent {
                    kind,
                    timestamp: now,
                    feed_id: feed_id.to_owned(),
                    seq,
                    notice: notice.clone(),
                },
            })
        })
        .collect()
}

impl Publisher {
    /// Tells the channels that asked for drafts (support's own chat) about a new draft from
    /// monitoring. Not a change to the feed, so not in its transaction: a draft told late or
    /// twice is harmless, and the draft itself is already stored.
    pub async fn announce_draft(&self, draft: &svetofor_api::Draft) -> Result<(), PublishError> {
        let now = Utc::now();
        let Ok(notice) = crate::notices::create(draft.id.clone(), draft.notice.clone(), now) else {
            return Ok(());
        };
        let store = self.store.clone();
        let channels = blocking(move || store.channels()).await?;
        let seq = self.current().seq;
        let deliveries: Vec<NewDelivery> = channels
            .iter()
            .filter(|c| c.drafts && c.disabled_at.is_none() && notice.severity >= c.min_severity)
            .map(|c| NewDelivery {
                channel: c.name.clone(),
                event: NoticeEvent {
                    kind: EventKind::DraftCreated,
                    timestamp: now,
                    feed_id: self.settings.id.clone(),
                    seq,
                    notice: notice.clone(),
                },
            })
            .collect();
        if deliveries.is_empty() {
            return Ok(());
        }
        let store = self.store.clone();
        blocking(move || store.enqueue(&deliveries)).await?;
        self.outbox.notify_one();
        Ok(())
    }

    /// The deliveries a change to `notice` makes.
    pub(super) async fn deliveries_for(
        &self,
        notice: &Notice,
        kind: EventKind,
        seq: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<NewDelivery>, PublishError> {
        let store = self.store.clone();
        let id = notice.id.clone();
        let (channels, told) = blocking(move || {
            Ok::<_, svetofor_store::StoreError>((store.channels()?, store.channels_told(&id)?))
        })
        .await?;
        if channels.is_empty() {
            return Ok(vec![]);
        }
        Ok(plan(
            &channels,
            &told,
            notice,
            kind,
            &self.settings.id,
            seq,
            now,
        ))
    }
}
