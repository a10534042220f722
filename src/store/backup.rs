//! `fondo backup`: a copy of the ledger taken with SQLite's online backup API, so it is
//! consistent even while another process writes. It is written to a temporary file beside
//! the destination (mode 0600), checked with `verify`, and only then renamed into place: a
//! killed or failed backup never leaves a half-written file under the destination's name.

use std::path::Path;
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use super::verify::{verify, VerifyOutcome};
use super::Ledger;
use crate::error::{Error, Result};

/// Pages copied per step; between steps other processes may write.
const PAGES_PER_STEP: std::os::raw::c_int = 1024;

/// Copies the ledger to `dest`, which must not exist, and verifies the copy.
pub fn backup(ledger: &Ledger, dest: &Path, actor: &str) -> Result<VerifyOutcome> {
    if dest.exists() {
        return Err(Error::Refused(format!(
            "{} already exists; a backup never overwrites a file (choose a new name)",
            dest.display()
        )));
    }
    let dir = crate::files::directory_of(dest);
    // tempfile creates the file mode 0600.
    let temp = tempfile::Builder::new()
        .prefix(".fondo-backup-")
        .tempfile_in(dir)
        .map_err(Error::io("create a file in", dir))?;
    {
        let mut copy = Connection::open_with_flags(temp.path(), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let step = Backup::new(ledger.conn(), &mut copy)?;
        step.run_to_completion(PAGES_PER_STEP, Duration::from_millis(10), None)?;
        drop(step);
        // The copy keeps the ledger's WAL mode; make it one self-contained file.
        copy.pragma_update(None, "journal_mode", "DELETE")?;
    }
    let outcome = verify(&Ledger::open(temp.path(), actor)?, None)?;
    if !outcome.ok {
        return Err(Error::CheckFailed(format!(
            "the backup did not verify ({}); nothing was written to {}",
            outcome.problems.first().cloned().unwrap_or_default(),
            dest.display()
        )));
    }
    temp.as_file().sync_all().map_err(Error::io("write", dest))?;
    temp.persist_noclobber(dest)
        .map_err(|e| Error::io("write", dest)(e.error))?;
    Ok(outcome)
}
