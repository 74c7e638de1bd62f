//! [`CliError`]: why a client subcommand failed. Its text is what `lightcone` prints after
//! `error: `: one clear line, maybe followed by a `hint:` line; the exit status is 1.

use std::path::PathBuf;

/// A client subcommand's failure.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// No default directory for the configuration.
    #[error(transparent)]
    Path(#[from] crate::paths::PathError),
    /// A local file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    File {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The saved configuration does not parse.
    #[error("{} is not valid: {reason}", path.display())]
    BadConfig { path: PathBuf, reason: String },
    /// The server could not be reached at all.
    #[error(
        "cannot reach the server at {url}: {reason}\n  hint: is `lightcone start` running there?"
    )]
    Unreachable { url: String, reason: String },
    /// The server answered with an error status.
    #[error("the server answered {status}: {body}")]
    Answered { status: u16, body: String },
    /// The server's answer was not what the protocol says.
    #[error("unexpected reply: {0}")]
    UnexpectedReply(String),
    /// The module could not be built.
    #[error(transparent)]
    Build(#[from] lightcone_modbuild::BuildError),
    /// The command line asks for something that cannot be done (the text says what, and
    /// usually hints at what would work).
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    /// A [`CliError::File`] for `path`.
    pub fn file(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| CliError::File {
            action,
            path,
            source,
        }
    }
}
