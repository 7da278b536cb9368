//! The development signing key: read from `data/jwt_secret`, or created there (mode 0600) on
//! first run when `KINDRED_JWT_SECRET` is unset outside production.

use super::{DEV_SECRET_FILE, MIN_JWT_SECRET_BYTES};

/// Reads the development signing key, creating it (256 random bits, mode 0600) on first run.
pub(super) fn dev_secret() -> std::io::Result<Vec<u8>> {
    use rand::RngCore;
    let path = std::path::Path::new(DEV_SECRET_FILE);
    if let Ok(existing) = std::fs::read_to_string(path) {
        let s = existing.trim();
        if s.len() >= MIN_JWT_SECRET_BYTES {
            return Ok(s.as_bytes().to_vec());
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(path, &secret)?;
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
