//! The files fondo wrote at paths it was given — exports, audit packs, public pages, backups
//! — remembered so that `donor forget` can name those that still hold the name it erases:
//! the ledger forgets, but a copy made before does not.

use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use rusqlite::params;
use unicode_normalization::UnicodeNormalization;

use super::Ledger;
use crate::domain::erasure::FileNameMatch;
use crate::error::Result;

/// One file or directory fondo wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub kind: String,
    pub path: PathBuf,
    pub written_at: String,
}

impl Ledger {
    /// Remembers that `kind` (`export journal`, …) was written at `path`. The file is
    /// written by then, so a failure to remember it is a warning, not an error.
    pub fn note_output(&self, kind: &str, path: &Path) {
        if let Err(e) = self.try_note_output(kind, path) {
            eprintln!(
                "warning: {} was written, but the ledger could not note it for `donor forget` ({e})",
                crate::files::shown(path)
            );
        }
    }

    fn try_note_output(&self, kind: &str, path: &Path) -> Result<()> {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.conn().execute(
            "INSERT INTO outputs (kind, path, written_at) VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            params![kind, path.to_string_lossy()],
        )?;
        Ok(())
    }

    /// The files fondo wrote that are still there and hold `name` — as typed, decomposed
    /// (NFD), in lower or upper case, or in UTF-16 — oldest first.
    pub fn outputs_holding(&self, name: &str) -> Result<Vec<Output>> {
        let finder = AhoCorasick::new(spellings(name)).map_err(|e| {
            crate::error::Error::Internal(format!("the name could not be searched for ({e})"))
        })?;
        let mut stmt = self
            .conn()
            .prepare("SELECT kind, path, written_at FROM outputs ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(Output {
                kind: r.get(0)?,
                path: PathBuf::from(r.get::<_, String>(1)?),
                written_at: r.get(2)?,
            })
        })?;
        let mut out: Vec<Output> = Vec::new();
        for output in rows {
            let output = output?;
            if !out.iter().any(|o| o.path == output.path) && holds_any(&output.path, &finder) {
                out.push(output);
            }
        }
        Ok(out)
    }
}

/// Forgets the outputs whose path names the donor (`ana-perez-letter.csv`): after an erasure
/// the ledger must not keep the name even there.
pub(super) fn forget_paths_naming(conn: &rusqlite::Connection, files: &FileNameMatch) -> Result<()> {
    let mut stmt = conn.prepare("SELECT id, path FROM outputs")?;
    let named: Vec<i64> = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .filter_map(|row| match row {
            Ok((id, path)) => files.names_donor(&path).then_some(Ok(id)),
            Err(e) => Some(Err(e)),
        })
        .collect::<rusqlite::Result<_>>()?;
    for id in named {
        conn.execute("DELETE FROM outputs WHERE id = ?1", [id])?;
    }
    Ok(())
}

/// The byte sequences of `name` a file could hold it as.
fn spellings(name: &str) -> Vec<Vec<u8>> {
    let nfc: String = name.nfc().collect();
    let mut out: Vec<Vec<u8>> = Vec::new();
    for text in [
        nfc.clone(),
        name.nfd().collect(),
        nfc.to_lowercase(),
        nfc.to_uppercase(),
    ] {
        out.push(text.into_bytes());
    }
    out.push(nfc.encode_utf16().flat_map(u16::to_le_bytes).collect());
    out.retain(|s| !s.is_empty());
    out.dedup();
    out
}

/// Whether the file at `path`, or any file in the directory there, holds one of the
/// spellings `finder` looks for. Read as a stream: a backup may be large.
fn holds_any(path: &Path, finder: &AhoCorasick) -> bool {
    if path.is_dir() {
        return std::fs::read_dir(path)
            .map(|entries| entries.flatten().any(|e| holds_any(&e.path(), finder)))
            .unwrap_or(false);
    }
    std::fs::File::open(path).is_ok_and(|file| {
        finder
            .stream_find_iter(std::io::BufReader::new(file))
            .next()
            .is_some_and(|found| found.is_ok())
    })
}
