//! How a subcommand fails: the one place that decides exit codes, and the one way the
//! subcommands start an async runtime.

use std::future::Future;

use svetofor_api::client::ClientError;
use svetofor_client::config::{CommandLineError, KeyArgError};
use svetofor_client::feed_check::CheckError;

/// Exit codes shared by the subcommands.
pub mod exit {
    /// The feed, key or signature was looked at and is not acceptable.
    pub const REJECTED: u8 = 1;
    /// The command line is wrong (clap uses 2 as well).
    pub const USAGE: u8 = 2;
    /// The source, file or key could not be read at all (missing file, network down).
    pub const UNREADABLE: u8 = 3;
}

/// A failure with the exit code it maps to. The message is one line, for stderr.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn rejected(message: impl Into<String>) -> Self {
        Failure {
            code: exit::REJECTED,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: exit::USAGE,
            message: message.into(),
        }
    }

    pub fn unreadable(message: impl Into<String>) -> Self {
        Failure {
            code: exit::UNREADABLE,
            message: message.into(),
        }
    }
}

/// A server that cannot be reached is 3; one that refused is 1; a bad address is usage.
impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Unreachable { .. } => Failure::unreadable(e.to_string()),
            ClientError::BadServer(_) => Failure::usage(format!("--server: {e}")),
            _ => Failure::rejected(e.to_string()),
        }
    }
}

/// A source that cannot be read is 3; anything refused after reading it is 1.
impl From<CheckError> for Failure {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::Unreadable(_) => Failure::unreadable(e.to_string()),
            _ => Failure::rejected(e.to_string()),
        }
    }
}

/// An unreadable key file is 3, a file that is no key 1, a bad argument usage.
impl From<KeyArgError> for Failure {
    fn from(e: KeyArgError) -> Self {
        let code = match e {
            KeyArgError::Unreadable(_) => exit::UNREADABLE,
            KeyArgError::NotAKeyFile(_) => exit::REJECTED,
            KeyArgError::Invalid(_) => exit::USAGE,
        };
        Failure {
            code,
            message: format!("--pubkey {e}"),
        }
    }
}

impl From<CommandLineError> for Failure {
    fn from(e: CommandLineError) -> Self {
        match e {
            CommandLineError::Key(k) => k.into(),
            other => Failure::usage(other.to_string()),
        }
    }
}

/// Runs `fut` to completion on a single-threaded runtime (every command but `serve`).
pub fn block_on<F: Future>(fut: F) -> Result<F::Output, Failure> {
    run(tokio::runtime::Builder::new_current_thread(), fut)
}

/// Runs `fut` on a runtime with a thread per core, or `threads` threads: the publishing
/// server.
pub fn block_on_cores<F: Future>(threads: Option<usize>, fut: F) -> Result<F::Output, Failure> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = threads {
        builder.worker_threads(n);
    }
    run(builder, fut)
}

fn run<F: Future>(mut builder: tokio::runtime::Builder, fut: F) -> Result<F::Output, Failure> {
    let rt = builder
        .enable_all()
        .build()
        .map_err(|e| Failure::unreadable(format!("cannot start the async runtime: {e}")))?;
    Ok(rt.block_on(fut))
}
