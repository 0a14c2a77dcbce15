//! HTTP plumbing under every route: the HTTP/1.1 accept loop, the write deadline, per-address
//! limits, security headers, and the extractors handlers start with.

pub mod extract;
pub mod http1;
pub mod limits;
pub mod page_headers;
pub mod write_timeout;
