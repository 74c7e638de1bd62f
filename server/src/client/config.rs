//! The CLI's configuration: known servers and identities, kept as JSON in
//! `<config dir>/config.json` (see `paths::config_dir`).

use super::error::CliError;
use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Name and address of the server used when none is configured.
pub const DEFAULT_SERVER_NAME: &str = "local";
pub const DEFAULT_SERVER_URL: &str = "http://127.0.0.1:3000";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ServerEntry {
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IdentityEntry {
    pub identity: String,
    pub token: String,
    /// The server that issued it.
    pub server: String,
}

/// The whole configuration file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    pub default_server: String,
    pub servers: BTreeMap<String, ServerEntry>,
    #[serde(default)]
    pub identities: Vec<IdentityEntry>,
    #[serde(default)]
    pub default_identity: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        let mut servers = BTreeMap::new();
        servers.insert(
            DEFAULT_SERVER_NAME.to_owned(),
            ServerEntry {
                url: DEFAULT_SERVER_URL.to_owned(),
            },
        );
        Self {
            default_server: DEFAULT_SERVER_NAME.to_owned(),
            servers,
            identities: Vec::new(),
            default_identity: None,
        }
    }
}

/// Writes `bytes` to `path` readable by its owner only (0600 on Unix): the file holds tokens.
/// A file written before with wider permissions is narrowed too.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(bytes)
    }
    #[cfg(not(unix))]
    {
        options.open(path)?.write_all(bytes)
    }
}

fn path() -> Result<PathBuf, CliError> {
    Ok(crate::paths::config_dir()?.join("config.json"))
}

impl Config {
    /// The saved configuration, or the default one.
    pub fn load() -> Result<Self, CliError> {
        let path = path()?;
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| CliError::BadConfig {
                path: path.clone(),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(CliError::file("reading", &path)(e)),
        }
    }

    /// Saves the configuration.
    pub fn save(&self) -> Result<(), CliError> {
        let path = path()?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(CliError::file("creating", dir))?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| CliError::BadConfig {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write_private(&path, &json).map_err(CliError::file("writing", &path))
    }

    /// The URL of server `name` (or of the default server), or `name` itself if it is a URL.
    pub fn server_url(&self, name: Option<&str>) -> Result<String, CliError> {
        let name = name.unwrap_or(&self.default_server);
        if name.starts_with("http://") || name.starts_with("https://") {
            return Ok(name.trim_end_matches('/').to_owned());
        }
        self.servers
            .get(name)
            .map(|s| s.url.trim_end_matches('/').to_owned())
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "no server called `{name}`\n  hint: `lightcone server add {name} <url>`"
                ))
            })
    }

    /// The default identity's token, if there is one.
    pub fn default_token(&self) -> Option<&IdentityEntry> {
        let id = self.default_identity.as_deref()?;
        self.identities.iter().find(|i| i.identity == id)
    }
}
