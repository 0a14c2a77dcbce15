//! The Svetofor publisher's HTTP API as data: request bodies, roles and the error table,
//! shared by the server that answers and the tools that call it. With the `client` feature,
//! also the HTTP client `svetoforctl` uses.

// The public contract of the feed format and the API: every public item is documented.
#![warn(missing_docs)]

mod channel;
mod draft;
mod error;
mod notice;
mod role;

#[cfg(feature = "client")]
pub mod client;

pub use channel::{
    ChannelConfig, ChannelInfo, ChannelList, CreatedChannel, DeliveryInfo, DeliveryList,
    DeliveryState, EventKind, NewChannel, NoticeEvent,
};
pub use draft::{
    Draft, DraftBody, DraftList, IntakeRule, IntakeRules, Placeholders, Template, TemplateList,
};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use notice::{
    Closing, ComponentSettings, Correction, NewNotice, NoticeChange, NoticePage, NoticeUpdate,
    version, version_parts,
};
pub use role::{Role, UnknownRole};
