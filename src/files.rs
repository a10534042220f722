//! Small helpers for the files fondo writes beside the ones it is given.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Readable by the owner only: anything that may name donors.
pub const PRIVATE: u32 = 0o600;
/// Readable by anyone: pages meant to be shared.
pub const PUBLIC: u32 = 0o644;

/// A file name as a message shows it: not valid Unicode replaced, control and format
/// characters escaped, so that a file named with escape sequences cannot retitle or clear
/// the terminal when fondo names it.
pub fn shown(path: &Path) -> String {
    crate::domain::names::escape_controls(&path.to_string_lossy())
}

/// The directory `path` is in: where a temporary file is made before it is renamed to
/// `path`, so that the rename stays on one file system.
pub fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `path` with `mode` through a temporary file beside it (created 0600), synced and
/// renamed into place only when complete, so no reader ever sees half of it.
pub fn write_atomically<T>(
    path: &Path,
    mode: u32,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    let dir = directory_of(path);
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(Error::io("create a file in", dir))?;
    let value = {
        let mut buffered = std::io::BufWriter::new(temp.as_file_mut());
        let value = write(&mut buffered)?;
        buffered.flush().map_err(Error::io("write", path))?;
        value
    };
    set_mode(temp.path(), mode)?;
    temp.as_file().sync_all().map_err(Error::io("write", path))?;
    temp.persist(path)
        .map_err(|e| Error::io("write", path)(e.error))?;
    Ok(value)
}

#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(Error::io("set the permissions of", path))
}

#[cfg(not(unix))]
pub fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}
