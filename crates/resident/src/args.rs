//! Command line of the desktop app.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use serde::{Deserialize, Serialize};

/// A window to open at start (or in the running instance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Open {
    /// The details window.
    Details,
    /// The banner, when something is in effect.
    Banner,
    /// The settings window.
    Settings,
}

/// Svetofor: the status of the products you depend on, in your tray.
#[derive(Debug, Clone, Parser)]
#[command(name = "svetofor", version)]
pub struct Args {
    /// Feed URL for this run, instead of the configured feeds; repeat for mirrors, in order.
    #[arg(long = "feed", value_name = "URL")]
    pub feeds: Vec<String>,
    /// Trusted public key for this run (base64 or a .pub file), instead of the configured keys.
    #[arg(long = "pubkey", value_name = "KEY_OR_FILE")]
    pub pubkeys: Vec<String>,
    /// Poll interval in seconds for this run.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub interval: Option<u64>,
    /// Open a window: at start, or in the instance already running.
    #[arg(long, value_name = "WINDOW")]
    pub open: Option<Open>,
    /// Cache folder (default: the OS cache folder).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// User configuration file (default: ~/.config/svetofor/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Added by WebKitWebDriver when it starts the app for automation; ignored.
    #[arg(long, hide = true)]
    pub automation: bool,
}
