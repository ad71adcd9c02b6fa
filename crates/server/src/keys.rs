//! The server's Ed25519 signing key: created on first start, kept in a file only its owner can
//! read, and the same on every later start (devices pin its public half when they bind).

use std::io::Write as _;
use std::path::Path;

use ed25519_dalek::SigningKey;
use rand::RngCore as _;

/// Why the key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not {action} the server key {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the server key {0} is damaged (it must hold exactly 32 bytes); restore it from a backup, or delete it to make a new one, which every device must bind again to"
    )]
    Damaged(String),
}

/// Loads the key at `path`, creating it (mode 0600) if there is none.
pub fn load_or_create(path: &Path) -> Result<SigningKey, KeyError> {
    let shown = path.display().to_string();
    let io = |action| {
        let shown = shown.clone();
        move |source| KeyError::Io {
            action,
            path: shown,
            source,
        }
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            let seed = <[u8; 32]>::try_from(bytes.as_slice())
                .map_err(|_| KeyError::Damaged(shown.clone()))?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(path).map_err(io("create"))?;
            file.write_all(&seed).map_err(io("write"))?;
            file.sync_all().map_err(io("write"))?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(error) => Err(io("read")(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_private_and_kept() {
        let dir = std::env::temp_dir().join(format!("sesame-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("server.key");
        let _ = std::fs::remove_file(&path);
        let first = load_or_create(&path).expect("create");
        let again = load_or_create(&path).expect("load");
        assert_eq!(first.to_bytes(), again.to_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, b"short").expect("damage");
        assert!(matches!(load_or_create(&path), Err(KeyError::Damaged(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
