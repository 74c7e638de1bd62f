//! Where Lightcone keeps things by default.

use std::path::PathBuf;

/// No home or data directory could be determined for this user.
#[derive(Debug, thiserror::Error)]
#[error("cannot determine the user's data directory (is $HOME set?); pass --data-dir")]
pub struct PathError;

/// `<user data dir>/lightcone`, e.g. `~/.local/share/lightcone` on Linux.
pub fn default_data_dir() -> Result<PathBuf, PathError> {
    dirs::data_dir()
        .map(|d| d.join("lightcone"))
        .ok_or(PathError)
}
