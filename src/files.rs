//! Small helpers for the files fondo writes beside the ones it is given.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// The directory `path` is in: where a temporary file is made before it is renamed to
/// `path`, so that the rename stays on one file system.
pub fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes a file meant to be shared (mode 0644) through a temporary file beside it,
/// renamed into place, so a reader never sees half of it.
pub fn write_public_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let dir = directory_of(path);
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(Error::io("create a file in", dir))?;
    {
        let mut buffered = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut buffered)?;
        buffered.flush().map_err(Error::io("write", path))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(Error::io("write", path))?;
    }
    temp.as_file().sync_all().map_err(Error::io("write", path))?;
    temp.persist(path)
        .map_err(|e| Error::io("write", path)(e.error))?;
    Ok(())
}
