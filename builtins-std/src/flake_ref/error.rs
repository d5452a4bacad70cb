//! The two kinds of failure of flake reference handling, and the warnings it
//! collects on the way.
//!
//! Current Nix tells a malformed URL (`BadURL`) apart from other errors: while
//! parsing a flake reference, a malformed URL makes it try the next form (a URL,
//! then a path), while any other error is final.

/// A failure while parsing or printing a flake reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlakeError {
    /// A malformed URL or URL part (Nix's `BadURL`).
    BadUrl(String),
    /// Any other error.
    Other(String),
}

impl FlakeError {
    /// A `BadUrl` error with this message.
    pub fn bad_url(msg: impl Into<String>) -> FlakeError {
        FlakeError::BadUrl(msg.into())
    }

    /// An `Other` error with this message.
    pub fn other(msg: impl Into<String>) -> FlakeError {
        FlakeError::Other(msg.into())
    }

    /// Whether this is a malformed-URL error.
    pub fn is_bad_url(&self) -> bool {
        matches!(self, FlakeError::BadUrl(_))
    }

    /// The message, as after `error: `.
    pub fn message(&self) -> &str {
        match self {
            FlakeError::BadUrl(m) | FlakeError::Other(m) => m,
        }
    }
}

impl From<nixie_eval::Error> for FlakeError {
    fn from(e: nixie_eval::Error) -> FlakeError {
        FlakeError::Other(e.message())
    }
}

/// A result of flake reference handling.
pub type FlakeResult<T> = Result<T, FlakeError>;

/// Warnings (without the `warning: ` prefix) gathered while parsing, printed by
/// the builtin once it is done.
pub type Warnings = Vec<String>;
