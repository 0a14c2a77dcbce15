//! The pages: the support console and what anyone may read. Pages are drawn from templates
//! (`crates/server/templates/`), static files are in `crates/server/static/`.

pub mod console;
pub mod escape;
pub mod public;
pub mod timed;
pub mod words;
