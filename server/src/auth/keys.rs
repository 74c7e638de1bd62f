//! The server's signing key: ES256 (ECDSA on P-256), generated on first start and kept in the
//! data directory as PEM (`id_ecdsa`: PKCS#8 private key, readable by the owner only;
//! `id_ecdsa.pub`: SPKI public key, served at `/v1/identity/public-key`).

use std::fs;
use std::path::Path;

use jsonwebtoken::{DecodingKey, EncodingKey};
use p256::ecdsa::SigningKey;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};

/// File names of the key pair in the data directory.
pub const PRIVATE_KEY_FILE: &str = "id_ecdsa";
pub const PUBLIC_KEY_FILE: &str = "id_ecdsa.pub";

/// The key pair, ready to sign and verify tokens.
pub struct ServerKeys {
    pub(crate) encoding: EncodingKey,
    pub(crate) decoding: DecodingKey,
    public_pem: String,
}

impl std::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerKeys").finish_non_exhaustive()
    }
}

impl ServerKeys {
    /// A fresh key pair (for `--in-memory` servers and tests).
    pub fn generate() -> anyhow::Result<Self> {
        Self::from_signing_key(SigningKey::random(&mut rand_core::OsRng))
    }

    /// The key pair in `dir`, created there if there is none.
    pub fn load_or_create(dir: &Path) -> anyhow::Result<Self> {
        let private = dir.join(PRIVATE_KEY_FILE);
        if private.exists() {
            let pem = fs::read_to_string(&private)
                .map_err(|e| anyhow::anyhow!("reading {}: {e}", private.display()))?;
            let key = SigningKey::from_pkcs8_pem(&pem).map_err(|e| {
                anyhow::anyhow!("{} is not a PKCS#8 P-256 key: {e}", private.display())
            })?;
            return Self::from_signing_key(key);
        }
        fs::create_dir_all(dir)?;
        let key = SigningKey::random(&mut rand_core::OsRng);
        let keys = Self::from_signing_key(key.clone())?;
        let pem = key.to_pkcs8_pem(LineEnding::LF)?;
        write_private(&private, pem.as_bytes())?;
        fs::write(dir.join(PUBLIC_KEY_FILE), &keys.public_pem)?;
        Ok(keys)
    }

    fn from_signing_key(key: SigningKey) -> anyhow::Result<Self> {
        let private_pem = key.to_pkcs8_pem(LineEnding::LF)?;
        let public_pem = key.verifying_key().to_public_key_pem(LineEnding::LF)?;
        Ok(Self {
            encoding: EncodingKey::from_ec_pem(private_pem.as_bytes())?,
            decoding: DecodingKey::from_ec_pem(public_pem.as_bytes())?,
            public_pem,
        })
    }

    /// The public key as PEM.
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }
}

/// Writes a private key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(())
    }
    #[cfg(not(unix))]
    {
        fs::write(path, bytes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_created_once_and_loaded_after() {
        let dir = tempfile::tempdir().unwrap();
        let first = ServerKeys::load_or_create(dir.path()).unwrap();
        let again = ServerKeys::load_or_create(dir.path()).unwrap();
        assert_eq!(first.public_pem(), again.public_pem());
        assert!(first.public_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(PRIVATE_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::write(dir.path().join(PRIVATE_KEY_FILE), "garbage").unwrap();
        let err = ServerKeys::load_or_create(dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a PKCS#8 P-256 key"), "{err}");
    }
}
