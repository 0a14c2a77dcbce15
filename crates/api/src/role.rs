//! What a token (or, later, a person) may do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a token may do. Each role from reader up includes the ones below it; `intake` is
/// apart: it may only hand alerts to the intake endpoints (which support and admins may use
/// too), and nothing else, not even read a private feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Monitoring: alerts in, as drafts.
    Intake,
    /// Read a private feed.
    Reader,
    /// Post and change notices.
    Support,
    /// Everything, tokens included.
    Admin,
}

/// A role name that is not one of [`Role`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role \"{0}\" (use admin, support, reader or intake)")]
pub struct UnknownRole(pub String);

impl Role {
    /// The name the API and the command line use.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Intake => "intake",
            Role::Reader => "reader",
            Role::Support => "support",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        match s {
            "intake" => Ok(Role::Intake),
            "reader" => Ok(Role::Reader),
            "support" => Ok(Role::Support),
            "admin" => Ok(Role::Admin),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}
