//! Small helpers for the files fondo writes beside the ones it is given.

use std::path::Path;

/// The directory `path` is in: where a temporary file is made before it is renamed to
/// `path`, so that the rename stays on one file system.
pub fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}
