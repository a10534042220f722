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

    /// The files fondo wrote that are still there and hold `name` — as typed or decomposed
    /// (NFD), in lower or upper case, in UTF-8 or UTF-16 — oldest first; and those that
    /// could not be read, which may.
    pub fn outputs_holding(&self, name: &str) -> Result<Vec<(Output, Holding)>> {
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
        let mut out: Vec<(Output, Holding)> = Vec::new();
        for output in rows {
            let output = output?;
            if out.iter().any(|(o, _)| o.path == output.path) {
                continue;
            }
            if let Some(holding) = holds(&output.path, &finder, 0) {
                out.push((output, holding));
            }
        }
        Ok(out)
    }
}

/// The largest file searched for a name: a backup of a very large ledger, not more.
const SEARCHED_BYTES_MAX: u64 = 16 << 30;

/// What a file fondo wrote before has of a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holding {
    Holds,
    /// It could not be read (why): it may.
    Unreadable(String),
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
    let mut texts: Vec<String> = Vec::new();
    for form in [name.nfc().collect::<String>(), name.nfd().collect::<String>()] {
        texts.push(form.to_lowercase());
        texts.push(form.to_uppercase());
        texts.push(form);
    }
    let mut out: Vec<Vec<u8>> = Vec::new();
    for text in texts.iter().filter(|t| !t.is_empty()) {
        out.push(text.clone().into_bytes());
        out.push(text.encode_utf16().flat_map(u16::to_le_bytes).collect());
    }
    out.sort();
    out.dedup();
    out
}

/// Whether the file at `path`, or a file in the directory there (and one level below; an
/// audit pack is flat), holds one of the spellings `finder` looks for; `None` when it does
/// not or is gone. Only regular files are read, as a stream (a backup may be large), and no
/// link is followed: a pipe, a device or a link loop put in an export's place must not stop
/// an erasure.
fn holds(path: &Path, finder: &AhoCorasick, depth: usize) -> Option<Holding> {
    // fondo writes files and directories, never links: a link there was put by someone else,
    // and may lead anywhere (a device that blocks, the whole file system). The path was
    // noted whole, so a directory on it replaced by a link shows as a different path.
    if depth == 0 && std::fs::canonicalize(path).ok()? != path {
        return None;
    }
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.is_dir() {
        if depth > 1 {
            return None;
        }
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(e) => return Some(Holding::Unreadable(e.to_string())),
        };
        let mut unreadable = None;
        for entry in entries.flatten() {
            match holds(&entry.path(), finder, depth + 1) {
                Some(Holding::Holds) => return Some(Holding::Holds),
                Some(unread) => unreadable = unreadable.or(Some(unread)),
                None => {}
            }
        }
        return unreadable;
    }
    if !meta.is_file() {
        return None;
    }
    if meta.len() > SEARCHED_BYTES_MAX {
        return Some(Holding::Unreadable(format!(
            "{} bytes, more than any file fondo writes is searched through",
            meta.len()
        )));
    }
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return Some(Holding::Unreadable(e.to_string())),
    };
    match finder.stream_find_iter(std::io::BufReader::new(file)).next() {
        Some(Ok(_)) => Some(Holding::Holds),
        Some(Err(e)) => Some(Holding::Unreadable(e.to_string())),
        None => None,
    }
}
