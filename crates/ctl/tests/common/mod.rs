//! A real `svetoforctl serve` in its own process, for the command-line tests.
#![allow(dead_code)]

use std::path::Path;

pub use svetofor_testkit::free_port;
pub use svetofor_testkit::served::Served;

/// `svetoforctl serve` on `127.0.0.1:port` with its data in `dir`, once it accepts.
pub fn serve(dir: &Path, port: u16) -> Served {
    serve_with(dir, port, &[], &[])
}

/// [`serve`] with more arguments and environment variables.
pub fn serve_with(dir: &Path, port: u16, args: &[&str], envs: &[(&str, String)]) -> Served {
    let bin = Path::new(env!("CARGO_BIN_EXE_svetoforctl"));
    svetofor_testkit::served::serve(bin, dir, port, args, envs)
}
