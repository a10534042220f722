//! `fondo backup`: a consistent copy of the ledger, even while other processes write to it.
//!
//! The copy is made with `VACUUM INTO`, which reads the whole ledger inside one read
//! transaction: in WAL mode writers carry on meanwhile and the copy is the state at its start,
//! so it finishes in bounded time however often others write. (The online backup API copied
//! in steps and started over whenever another process wrote between two steps, so a backup
//! under a steady trickle of donations never finished.) It also leaves behind the free pages,
//! where the text of an erased donor might linger.
//!
//! The copy goes into an empty temporary file beside the destination, made mode 0600 by
//! [`crate::files::TempFile`] (`VACUUM INTO` accepts an empty file), is checked with `verify`,
//! and only then renamed into place, never over an existing file: a killed or failed backup
//! never leaves a half-written file under the destination's name.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::verify::{verify, VerifyOutcome};
use super::Ledger;
use crate::domain::Field;
use crate::error::{Error, Result};
use crate::files::{Destination, Existing, TempFile, PRIVATE};

/// Copies the ledger to `dest`, which must not exist, and verifies the copy.
pub fn backup(ledger: &Ledger, dest: &Path, actor: &str) -> Result<VerifyOutcome> {
    let destination = Destination {
        path: dest,
        ledger: ledger.path(),
        existing: Existing::Keep,
    };
    let temp = TempFile::beside(&destination)?;
    let target = temp.path().to_str().ok_or_else(|| {
        Error::invalid(
            Field::DEST,
            dest.display().to_string(),
            "a backup's directory must have a UTF-8 name",
        )
    })?;
    ledger.conn().execute("VACUUM INTO ?1", [target])?;
    {
        // The copy is a rollback-journal database already; say so, so it is one
        // self-contained file whatever SQLite's defaults become.
        let copy = Connection::open_with_flags(temp.path(), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        copy.pragma_update(None, "journal_mode", "DELETE")?;
    }
    // Read-only: opening it as a ledger would turn it back to WAL mode.
    let copy = Ledger::open_read_only(temp.path(), actor)?;
    copy.read_mapped()?;
    let outcome = verify(&copy, None)?;
    if !outcome.ok {
        return Err(Error::CheckFailed(format!(
            "the backup did not verify ({}); nothing was written to {}",
            outcome.problems.first().cloned().unwrap_or_default(),
            dest.display()
        )));
    }
    temp.persist(&destination, PRIVATE)?;
    Ok(outcome)
}
