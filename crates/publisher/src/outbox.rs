//! The outbox: works the delivery rows that changes stored, sending each to its channel,
//! trying again on the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
//! after the first try, each ±10 %), and recording every try. A delivery that was being sent
//! when the process died is still pending, so it is sent after the restart: at least once.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use svetofor_api::DeliveryState;
use svetofor_channels::{Addressed, Outcome, Senders};
use tokio::task::JoinSet;

use crate::publisher::Publisher;
use svetofor_store::{DeliveryRow, Store, StoreError, TryResult, blocking};

/// The waits after each failed try; after the last, the delivery has failed.
pub const SCHEDULE: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// How many deliveries are in flight at once.
const PARALLEL: usize = 16;

/// When to try again after `tries` tries, with `jitter` in [-1, 1] scaling ±10 %; `None`
/// when the schedule is spent.
pub fn next_try(tries: u32, now: DateTime<Utc>, jitter: f64) -> Option<DateTime<Utc>> {
    let wait = SCHEDULE.get(tries.checked_sub(1)? as usize)?;
    let scaled = wait.as_secs_f64() * (1.0 + 0.1 * jitter.clamp(-1.0, 1.0));
    Some(now + TimeDelta::milliseconds((scaled * 1000.0) as i64))
}

fn jitter() -> f64 {
    let mut b = [0u8; 2];
    if getrandom::fill(&mut b).is_err() {
        return 0.0;
    }
    f64::from(u16::from_le_bytes(b)) / f64::from(u16::MAX) * 2.0 - 1.0
}

/// What to store of `outcome` after try number `tries`.
pub fn result_of(outcome: Outcome, tries: u32, now: DateTime<Utc>) -> (TryResult, bool) {
    match outcome {
        Outcome::Sent { thread } => (
            TryResult {
                state: DeliveryState::Sent,
                next_at: None,
                error: None,
                thread,
            },
            false,
        ),
        Outcome::Retry { after, error } => {
            let next = match after {
                // The channel said when: waited out exactly, while the schedule lasts.
                Some(after) if (tries as usize) <= SCHEDULE.len() => {
                    Some(now + TimeDelta::from_std(after).unwrap_or(TimeDelta::seconds(60)))
                }
                _ => next_try(tries, now, jitter()),
            };
            (
                TryResult {
                    state: if next.is_some() {
                        DeliveryState::Pending
                    } else {
                        DeliveryState::Failed
                    },
                    next_at: next,
                    error: Some(error),
                    thread: None,
                },
                false,
            )
        }
        Outcome::Refused { error, disable } => (
            TryResult {
                state: DeliveryState::Failed,
                next_at: None,
                error: Some(error),
                thread: None,
            },
            disable,
        ),
    }
}

async fn send_one(
    store: Arc<dyn Store>,
    senders: Arc<Senders>,
    row: DeliveryRow,
) -> Result<(), StoreError> {
    let id = row.info.id;
    let (channel, thread) = {
        let store = store.clone();
        let (name, notice) = (row.info.channel.clone(), row.info.notice_id.clone());
        blocking(move || {
            let channel = store.channels()?.into_iter().find(|c| c.name == name);
            Ok::<_, StoreError>((channel, store.thread(&name, &notice)?))
        })
        .await?
    };
    let now = Utc::now();
    let outcome = match &channel {
        None => Outcome::Refused {
            error: "channel removed".to_owned(),
            disable: false,
        },
        Some(c) if c.disabled_at.is_some() => Outcome::Refused {
            error: "the channel is switched off".to_owned(),
            disable: false,
        },
        Some(c) => {
            let to = Addressed {
                delivery_id: id,
                language: &c.language,
                utc_offset_minutes: c.utc_offset_minutes,
                thread: thread.as_deref(),
            };
            senders.deliver(&c.config, &row.event, to).await
        }
    };
    let done = Utc::now();
    match &outcome {
        Outcome::Sent { .. } => {
            tracing::info!(delivery = id, channel = %row.info.channel, notice = %row.info.notice_id, ms = (done - now).num_milliseconds(), "delivered")
        }
        Outcome::Retry { error, .. } | Outcome::Refused { error, .. } => {
            tracing::warn!(delivery = id, channel = %row.info.channel, "delivery try failed: {error}")
        }
    }
    let (result, disable) = result_of(outcome, row.info.tries + 1, done);
    let name = row.info.channel.clone();
    blocking(move || {
        store.record_try(id, done, &result)?;
        if disable {
            store.disable_channel(&name, done)?;
        }
        Ok(())
    })
    .await
}

/// Runs the outbox until the process ends.
pub async fn run(publisher: Arc<Publisher>, senders: Arc<Senders>) {
    let store = publisher.store().clone();
    let mut in_flight: HashSet<i64> = HashSet::new();
    let mut tasks: JoinSet<(i64, Result<(), StoreError>)> = JoinSet::new();
    loop {
        let room = PARALLEL.saturating_sub(in_flight.len());
        if room > 0 {
            let s = store.clone();
            let due = blocking(move || s.due_deliveries(Utc::now(), PARALLEL * 2)).await;
            match due {
                Ok(rows) => {
                    let fresh: Vec<DeliveryRow> = rows
                        .into_iter()
                        .filter(|r| !in_flight.contains(&r.info.id))
                        .take(room)
                        .collect();
                    for row in fresh {
                        let id = row.info.id;
                        in_flight.insert(id);
                        let (s, senders) = (store.clone(), senders.clone());
                        tasks.spawn(async move { (id, send_one(s, senders, row).await) });
                    }
                }
                Err(e) => tracing::error!("the outbox cannot be read: {e}"),
            }
        }
        let s = store.clone();
        let next = blocking(move || s.next_delivery()).await.ok().flatten();
        let wait = next
            .map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(Duration::from_secs(60))
            .clamp(Duration::from_millis(20), Duration::from_secs(60));
        // While something is in flight, what is due is picked up when it ends.
        let wait = if in_flight.is_empty() {
            wait
        } else {
            wait.max(Duration::from_millis(200))
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = publisher.outbox.notified() => {}
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                match joined {
                    Ok((id, result)) => {
                        in_flight.remove(&id);
                        if let Err(e) = result {
                            tracing::error!(delivery = id, "a delivery's try was not recorded: {e}");
                        }
                    }
                    Err(e) => tracing::error!("a delivery task died: {e}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_standard_webhooks_with_ten_percent_jitter() {
        let now = Utc::now();
        assert_eq!(next_try(1, now, 0.0), Some(now + TimeDelta::seconds(5)));
        assert_eq!(next_try(2, now, 1.0), Some(now + TimeDelta::seconds(330)));
        assert_eq!(next_try(7, now, -1.0), Some(now + TimeDelta::hours(9)));
        assert_eq!(next_try(8, now, 0.0), None, "eight tries, then failed");
        let (r, _) = result_of(
            Outcome::Retry {
                after: Some(Duration::from_secs(3)),
                error: "429".into(),
            },
            1,
            now,
        );
        assert_eq!(
            r.next_at,
            Some(now + TimeDelta::seconds(3)),
            "retry_after exactly"
        );
        let (r, disable) = result_of(
            Outcome::Refused {
                error: "410".into(),
                disable: true,
            },
            1,
            now,
        );
        assert_eq!((r.state, disable), (DeliveryState::Failed, true));
    }
}
