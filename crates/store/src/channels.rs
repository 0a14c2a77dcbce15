//! Channels and their outbox: a delivery row per channel is stored in the same transaction
//! as the change it tells of, so an acknowledged change never loses one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use svetofor_api::{ChannelConfig, DeliveryInfo, DeliveryState, EventKind, NoticeEvent};
use svetofor_feed::Severity;

use super::{AuditEntry, StoreError};

/// A channel as stored, secrets included (the database file is the owner's only).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelRecord {
    pub name: String,
    pub config: ChannelConfig,
    pub min_severity: Severity,
    pub language: String,
    pub utc_offset_minutes: i32,
    /// Also told about new drafts from monitoring.
    #[serde(default)]
    pub drafts: bool,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A delivery to store with a change.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub channel: String,
    pub event: NoticeEvent,
}

/// A delivery as the outbox works it.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub info: DeliveryInfo,
    pub event: NoticeEvent,
}

/// How a try went, to store.
#[derive(Debug, Clone)]
pub struct TryResult {
    pub state: DeliveryState,
    pub next_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// The first message's reference for later ones (a Telegram message id).
    pub thread: Option<String>,
}

/// Which deliveries a listing wants.
#[derive(Debug, Clone, Default)]
pub struct DeliveryQuery {
    pub id: Option<i64>,
    pub notice: Option<String>,
    pub channel: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub limit: usize,
}

/// Channels and deliveries.
pub trait ChannelStore: Send + Sync + 'static {
    /// Every channel, by name.
    fn channels(&self) -> Result<Vec<ChannelRecord>, StoreError>;
    /// Adds a channel; false when the name is taken.
    fn insert_channel(&self, c: &ChannelRecord, audit: &AuditEntry) -> Result<bool, StoreError>;
    /// Removes a channel; its pending deliveries fail with "channel removed". False when
    /// there is none.
    fn delete_channel(&self, name: &str, audit: &AuditEntry) -> Result<bool, StoreError>;
    /// Switches a channel off (a webhook answered 410).
    fn disable_channel(&self, name: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Stores deliveries that no notice change carries (a draft from monitoring).
    fn enqueue(&self, deliveries: &[NewDelivery]) -> Result<(), StoreError>;
    /// Channels already told something about `notice`.
    fn channels_told(&self, notice: &str) -> Result<Vec<String>, StoreError>;
    /// Pending deliveries due at `now`, the oldest of each (channel, notice) only, so a
    /// notice's messages reach a channel in order.
    fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DeliveryRow>, StoreError>;
    /// When the next pending delivery is due.
    fn next_delivery(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Stores how a try went (one more try), and the thread reference when first given.
    fn record_try(&self, id: i64, at: DateTime<Utc>, result: &TryResult) -> Result<(), StoreError>;
    /// The thread reference of `notice` on `channel`.
    fn thread(&self, channel: &str, notice: &str) -> Result<Option<String>, StoreError>;
    /// Deliveries, newest first.
    fn deliveries(&self, q: &DeliveryQuery) -> Result<Vec<DeliveryInfo>, StoreError>;
    /// Makes a failed delivery pending again, due now; false when it is not failed.
    fn retry_delivery(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError>;
}

/// A delivery's state as both backends store it.
pub(super) fn state_name(s: DeliveryState) -> &'static str {
    match s {
        DeliveryState::Pending => "pending",
        DeliveryState::Sent => "sent",
        DeliveryState::Failed => "failed",
    }
}

/// A stored state read back.
pub(super) fn state_of(name: &str) -> Result<DeliveryState, StoreError> {
    match name {
        "pending" => Ok(DeliveryState::Pending),
        "sent" => Ok(DeliveryState::Sent),
        "failed" => Ok(DeliveryState::Failed),
        other => Err(corrupt("delivery state", other)),
    }
}

/// A stored event kind (`notice.created`, …) read back.
pub(super) fn event_of(name: &str) -> Result<EventKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|e| corrupt("delivery event", e))
}

pub(super) fn corrupt(what: &str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what: what.to_owned(),
        reason: reason.to_string(),
    }
}
