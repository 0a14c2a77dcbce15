//! The Svetofor publisher's domain, with no HTTP framework: what a request may do to a notice
//! (`notices`, pure rules), the single writer that stores, signs and publishes (`publisher`),
//! the outbox that tells the channels (`outbox`, `channels`), alerts turned into drafts
//! (`intake`), the S3 mirror (`object_mirror`), bearer tokens (`auth`), console accounts
//! (`accounts`) and revoked tokens' streams (`revocation`). Storage is `svetofor_store`'s;
//! the HTTP side is `svetofor_server`'s.

pub mod accounts;
pub mod auth;
pub mod channels;
pub mod intake;
pub mod notices;
pub mod object_mirror;
pub mod outbox;
pub mod presence;
pub mod publisher;
pub mod revocation;
pub mod when;

pub use publisher::{FeedSettings, PublishError, Published, Publisher};
