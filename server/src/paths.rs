//! Where Lightcone keeps things by default.

use std::path::PathBuf;

/// A default directory could not be determined for this user.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("cannot determine the user's data directory (is $HOME set?); pass --data-dir")]
    DataDir,
    #[error("cannot determine the user's config directory; set {CONFIG_DIR_ENV}")]
    ConfigDir,
}

/// `<user data dir>/lightcone`, e.g. `~/.local/share/lightcone` on Linux.
pub fn default_data_dir() -> Result<PathBuf, PathError> {
    dirs::data_dir()
        .map(|d| d.join("lightcone"))
        .ok_or(PathError::DataDir)
}

/// Overrides the CLI's configuration directory (tests, several setups side by side).
pub const CONFIG_DIR_ENV: &str = "LIGHTCONE_CONFIG_DIR";

/// Where the CLI keeps its configuration: `$LIGHTCONE_CONFIG_DIR`, else
/// `<user config dir>/lightcone`, e.g. `~/.config/lightcone` on Linux.
pub fn config_dir() -> Result<PathBuf, PathError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("lightcone"))
        .ok_or(PathError::ConfigDir)
}
