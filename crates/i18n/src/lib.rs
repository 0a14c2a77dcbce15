//! Svetofor's languages, for every part that speaks: the desktop app, the console, the public
//! pages and the channels.
//!
//! - [`Lang`]: Russian or English, with one fallback rule (see [`Lang::read`]).
//! - [`Catalog`]: one language's messages from a Fluent file built into the binary; which
//!   file is a [`Book`]'s to say (the desktop's, the console's, the channels').
//! - [`parity`]: what keeps a book's Russian and English in step, for tests.

#![warn(missing_docs)]

mod lang;
pub use lang::Lang;

#[cfg(feature = "catalog")]
mod catalog;
#[cfg(feature = "catalog")]
pub use catalog::{Arg, Book, Catalog};

pub mod parity;
