//! Why the app follows no feed, or follows it with less than was configured, in the words the
//! user reads. The technical detail is for the administrator: it goes to the report and the
//! log, and is shown after the plain sentence only where an administrator would look.

use crate::i18n::{Arg, Catalog};

/// A problem with how this computer is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupProblem {
    /// No feed is configured anywhere.
    NoFeed,
    /// The administrator's policy file cannot be used: nothing is checked until it is fixed,
    /// and the last known status is shown from the cache.
    Policy {
        /// File, line and what is wrong.
        detail: String,
    },
    /// The user's own settings file cannot be used: the defaults and the policy apply.
    UserFile {
        /// File, line and what is wrong.
        detail: String,
    },
    /// The engine could not start with these settings (an unreadable CA file, say).
    Engine {
        /// What failed.
        detail: String,
    },
}

impl SetupProblem {
    /// The sentence for the user.
    pub fn text(&self, cat: &Catalog) -> String {
        match self {
            SetupProblem::NoFeed => cat.t("problem-no-feed"),
            SetupProblem::Policy { .. } => cat.t("problem-policy"),
            SetupProblem::UserFile { .. } => cat.t("problem-user-settings"),
            SetupProblem::Engine { detail } => {
                cat.tr("problem-engine", &[("detail", Arg::from(detail.as_str()))])
            }
        }
    }

    /// The detail for the administrator, if any.
    pub fn detail(&self) -> Option<&str> {
        match self {
            SetupProblem::NoFeed => None,
            SetupProblem::Policy { detail }
            | SetupProblem::UserFile { detail }
            | SetupProblem::Engine { detail } => Some(detail),
        }
    }

    /// Whether the user's settings can be saved at all (not while the policy is broken: the
    /// fix is the administrator's, and a save could not say what is locked).
    pub fn blocks_saving(&self) -> bool {
        matches!(self, SetupProblem::Policy { .. })
    }
}
