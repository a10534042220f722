use rusqlite::Connection;

use super::entry::Entry;
use super::rows::Stamp;
use super::seal::{parse_body, Digests, EntryText};
use crate::error::{Error, Result};

/// One stored entry, as the chain walk reads it.
pub struct StoredEntry {
    pub id: i64,
    pub after_txn: i64,
    pub body: String,
    pub entered_at: String,
    /// As stored: empty for a sealed entry, whose author is among its `texts`.
    pub entered_by: String,
    pub prev_hash: String,
    pub hash: String,
    /// A sealed entry's private texts, as `entry_texts` holds them.
    pub texts: Vec<EntryText>,
    /// Whether its body is sealed (holds digests of private texts kept apart).
    pub sealed: bool,
}

impl StoredEntry {
    /// Who entered it and when, as stored: what its hash covers.
    pub fn stamp(&self) -> Stamp<'_> {
        Stamp {
            entered_at: &self.entered_at,
            entered_by: &self.entered_by,
        }
    }

    /// Who entered it: a sealed entry's text as it stands (a placeholder once erased).
    pub fn author(&self) -> &str {
        self.texts
            .iter()
            .filter(|_| self.sealed)
            .find(|t| t.field == "entered_by")
            .and_then(|t| t.text.as_deref())
            .unwrap_or(&self.entered_by)
    }

    /// The entry, a sealed one's private texts filled in as they stand, and a sealed one's
    /// digests of them.
    pub fn open(&self) -> std::result::Result<(Entry, Option<Digests>), String> {
        let (mut entry, digests) = parse_body(&self.body)?;
        if digests.is_some() {
            for t in &self.texts {
                entry.set_private_text(&t.field, t.text.clone());
            }
        }
        Ok((entry, digests))
    }

    pub fn entry(&self) -> std::result::Result<Entry, String> {
        self.open().map(|(entry, _)| entry)
    }
}

/// An entry's place in the chain: after the transaction it names and before the next one.
pub trait Placed {
    /// The last transaction recorded before the entry.
    fn after_txn(&self) -> i64;
}

impl Placed for StoredEntry {
    fn after_txn(&self) -> i64 {
        self.after_txn
    }
}

impl<T: Placed> Placed for &T {
    fn after_txn(&self) -> i64 {
        (*self).after_txn()
    }
}

/// Entries in chain order, handed to a walk along the transactions as it reaches them: the
/// walk takes the entries before each transaction, then the rest after the last one.
pub struct Interleave<I: Iterator> {
    entries: std::iter::Peekable<I>,
}

impl<I> Interleave<I>
where
    I: Iterator,
    I::Item: Placed,
{
    /// `entries` must be in chain order (by id).
    pub fn new(entries: impl IntoIterator<IntoIter = I>) -> Interleave<I> {
        Interleave {
            entries: entries.into_iter().peekable(),
        }
    }

    /// The next entry recorded before transaction `txn`.
    pub fn next_before(&mut self, txn: i64) -> Option<I::Item> {
        self.entries.next_if(|e| e.after_txn() < txn)
    }

    /// The next entry left once every transaction is walked.
    pub fn next_after_last(&mut self) -> Option<I::Item> {
        self.entries.next()
    }
}

/// Every entry, in chain order, with a sealed entry's private texts.
pub fn entries(conn: &Connection) -> Result<Vec<StoredEntry>> {
    let mut stmt = conn.prepare(
        "SELECT id, after_txn, body, entered_at, entered_by, prev_hash, hash FROM entries ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredEntry {
            id: r.get(0)?,
            after_txn: r.get(1)?,
            body: r.get(2)?,
            entered_at: r.get(3)?,
            entered_by: r.get(4)?,
            prev_hash: r.get(5)?,
            hash: r.get(6)?,
            texts: Vec::new(),
            sealed: false,
        })
    })?;
    let mut entries: Vec<StoredEntry> = rows.collect::<rusqlite::Result<_>>()?;
    for e in &mut entries {
        e.sealed = matches!(parse_body(&e.body), Ok((_, Some(_))));
    }
    let mut stmt = conn.prepare("SELECT entry_id, field, text, salt FROM entry_texts ORDER BY entry_id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let entry_id: i64 = r.get(0)?;
        let text = EntryText {
            field: r.get(1)?,
            text: r.get(2)?,
            salt: r.get(3)?,
        };
        // Texts of no entry are left out here; verify's foreign key check names them.
        if let Ok(at) = entries.binary_search_by_key(&entry_id, |e| e.id) {
            entries[at].texts.push(text);
        }
    }
    Ok(entries)
}

/// Every entry as a reader (an audit pack, a rebuild) takes it: a sealed entry's body is the
/// entry with its private texts as they stand, and who entered it is filled in. Its hash is
/// the stored one, which covers the sealed body.
pub fn opened_entries(conn: &Connection) -> Result<Vec<StoredEntry>> {
    let mut out = entries(conn)?;
    for e in &mut out {
        if let Ok((entry, Some(_))) = e.open() {
            e.body = serde_json::to_string(&entry)
                .map_err(|err| Error::Internal(format!("an entry could not be written as JSON: {err}")))?;
            e.entered_by = e.author().to_string();
            e.texts.clear();
        }
    }
    Ok(out)
}
