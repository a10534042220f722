//! What an import records besides its transactions: its batch, the keys that make
//! re-importing a file a no-op, and the file's own transaction numbers.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};

use super::{Insert, Writer};
use crate::domain::{NewTransaction, Sum};
use crate::error::{Error, Result};
use crate::store::chain::{self, Entry, ImportKeys};
use crate::store::hash::{self, FIELD_SALT_LEN};
use crate::store::read;

pub(super) const INSERT_IMPORT_KEY: &str =
    "INSERT INTO import_keys (date, content_sha256, occurrence, txn_id, key_salt)
 VALUES (?1, ?2, ?3, ?4, ?5)";

/// What a transaction moved, without its text: its date, and per account and currency the
/// sum of its postings (funds together, so a payout's split compares with its lump).
pub(super) type Signature = (NaiveDate, Vec<(String, String, i64)>);

/// SQLite's page cache from an import on, in KiB: an import appends to its tables and
/// indexes, and the check at commit reads them once in order, so half the usual cache loses
/// no time on the 1M benchmark and keeps the import's peak memory under 64 MiB (77 MiB with
/// the usual 32 MiB). The connection keeps it: a command ends with its import.
const IMPORT_CACHE_KIB: i64 = 16 * 1024;

/// What an import has recorded so far, for its batch entry.
pub(super) struct ImportProgress {
    pub(super) batch: i64,
    pub(super) first_txn: Option<i64>,
    pub(super) last_txn: Option<i64>,
    pub(super) keys: ImportKeys,
    /// How many times each content has appeared in the file so far.
    seen: Occurrences,
    /// Whether the ledger held import keys of each date met, before this import wrote any.
    dates_keyed: HashMap<String, bool>,
}

/// Occurrences of each content (which includes its date) in the file being imported: counted
/// in memory, and written to `temp.import_seen` when there are more than memory should hold,
/// so that a file of any length is counted exactly in bounded memory. An upsert per row into
/// the temporary table was a sixth of an import's time.
struct Occurrences {
    /// How many contents are counted in memory at most.
    in_memory_max: usize,
    counts: HashMap<[u8; 32], (NaiveDate, i64)>,
    /// The dates some of whose counts are in the table: a content of any other date is not.
    spilled: HashSet<NaiveDate>,
}

/// The most contents counted in memory (about 1 MiB) before they go to the table.
const OCCURRENCES_IN_MEMORY_MAX: usize = 20_000;

impl Default for Occurrences {
    fn default() -> Self {
        Occurrences {
            in_memory_max: OCCURRENCES_IN_MEMORY_MAX,
            counts: HashMap::new(),
            spilled: HashSet::new(),
        }
    }
}

impl Occurrences {
    /// Counts one more appearance of `content` dated `date`; returns its occurrence.
    fn count(
        &mut self,
        tx: &rusqlite::Transaction<'_>,
        date: NaiveDate,
        date_text: &str,
        content: [u8; 32],
    ) -> Result<i64> {
        if let Some((_, count)) = self.counts.get_mut(&content) {
            *count += 1;
            return Ok(*count);
        }
        let before: i64 = if self.spilled.contains(&date) {
            tx.prepare_cached("SELECT count FROM temp.import_seen WHERE date = ?1 AND content_sha256 = ?2")?
                .query_row(params![date_text, &content[..]], |r| r.get(0))
                .optional()?
                .unwrap_or(0)
        } else {
            0
        };
        if self.counts.len() >= self.in_memory_max {
            self.spill(tx)?;
        }
        self.counts.insert(content, (date, before + 1));
        Ok(before + 1)
    }

    /// Writes the counts held in memory to the table, in key order, and forgets them.
    fn spill(&mut self, tx: &rusqlite::Transaction<'_>) -> Result<()> {
        let mut held: Vec<_> = self
            .counts
            .drain()
            .map(|(content, (date, count))| (date, content, count))
            .collect();
        held.sort_unstable();
        let mut upsert = tx.prepare_cached(
            "INSERT INTO temp.import_seen (date, content_sha256, count) VALUES (?1, ?2, ?3)
             ON CONFLICT (date, content_sha256) DO UPDATE SET count = excluded.count",
        )?;
        for (date, content, count) in held {
            upsert.execute(params![hash::date_text(date), &content[..], count])?;
            self.spilled.insert(date);
        }
        Ok(())
    }
}

/// Who an imported transaction without a reference is: its date and content, and which
/// occurrence of that content in its file it was. The date is the key's text as stored and
/// hashed (and as an audit pack lists it), so that a rebuild checks exactly those bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportIdentity {
    pub date: String,
    pub content: [u8; 32],
    pub occurrence: i64,
}

/// What `fondo import` records about one import.
#[derive(Clone, Debug)]
pub struct Batch<'a> {
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    pub format: &'a str,
    pub row_count: i64,
    pub added_count: i64,
    pub skipped_count: i64,
}

impl Writer<'_> {
    /// The import batch the transactions recorded next belong to, as a rebuild replays them
    /// (their batch's entry, replayed after them, records the batch itself).
    pub(in crate::store) fn set_batch(&mut self, batch: Option<i64>) {
        if self.import.as_ref().map(|i| i.batch) != batch {
            self.import = batch.map(|batch| ImportProgress {
                batch,
                first_txn: None,
                last_txn: None,
                keys: ImportKeys::default(),
                seen: Occurrences::default(),
                dates_keyed: HashMap::new(),
            });
        }
    }

    /// Starts an import: transactions recorded from now on belong to the batch that
    /// [`Writer::finish_import`] writes. Returns the batch's id.
    pub fn begin_import(&mut self) -> Result<i64> {
        let id = self.next_id("import_batches")?;
        // Occurrences of each content in this file past what memory holds (`Occurrences`).
        // Which source transaction numbers (journal) became which transactions here.
        self.tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS import_seen (
                 date TEXT NOT NULL, content_sha256 BLOB NOT NULL, count INTEGER NOT NULL,
                 PRIMARY KEY (date, content_sha256)) WITHOUT ROWID;
             CREATE TEMP TABLE IF NOT EXISTS import_sources (
                 source_id INTEGER PRIMARY KEY, txn_id INTEGER);
             DELETE FROM temp.import_seen;
             DELETE FROM temp.import_sources;",
        )?;
        self.tx.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        self.import = Some(ImportProgress {
            batch: id,
            first_txn: None,
            last_txn: None,
            keys: ImportKeys::default(),
            seen: Occurrences::default(),
            dates_keyed: HashMap::new(),
        });
        Ok(id)
    }

    /// Writes the batch record of the import begun with [`Writer::begin_import`].
    pub fn finish_import(&mut self, batch: &Batch<'_>) -> Result<()> {
        let import = self
            .import
            .take()
            .ok_or_else(|| Error::Internal("an import finished that had not begun".into()))?;
        self.append(&Entry::ImportBatch {
            id: import.batch,
            file_name: batch.file_name.to_string(),
            file_sha256: batch.file_sha256.to_string(),
            format: batch.format.to_string(),
            row_count: batch.row_count,
            added_count: batch.added_count,
            skipped_count: batch.skipped_count,
            first_txn: import.first_txn,
            last_txn: import.last_txn,
            key_count: import.keys.count,
            keys_sha256: import.keys.finish(),
            salted_keys: true,
        })
    }

    /// The identity of a transaction without a reference within the file being imported:
    /// its content hash (`hash::content_key`) and how many times that content has appeared
    /// in the file so far.
    pub fn import_identity(&mut self, day: NaiveDate, content: [u8; 32]) -> Result<ImportIdentity> {
        let date = hash::date_text(day);
        let import = self
            .import
            .as_mut()
            .ok_or_else(|| Error::Internal("an import key was read outside an import".into()))?;
        let occurrence = import.seen.count(&self.tx, day, &date, content)?;
        Ok(ImportIdentity {
            date,
            content,
            occurrence,
        })
    }

    /// The transaction an earlier import recorded for this identity, if any.
    pub fn imported(&mut self, identity: &ImportIdentity) -> Result<Option<i64>> {
        // A key this import wrote is never found again (each occurrence in a file is counted
        // once), so a date without keys before the import needs no look-up of its rows.
        if let Some(import) = &mut self.import {
            let keyed = match import.dates_keyed.get(&identity.date) {
                Some(keyed) => *keyed,
                None => {
                    let keyed = self
                        .tx
                        .prepare_cached("SELECT 1 FROM import_keys WHERE date = ?1 LIMIT 1")?
                        .exists([&identity.date])?;
                    import.dates_keyed.insert(identity.date.clone(), keyed);
                    keyed
                }
            };
            if !keyed {
                return Ok(None);
            }
        }
        Ok(self
            .tx
            .prepare_cached(
                "SELECT txn_id FROM import_keys WHERE date = ?1 AND content_sha256 = ?2 AND occurrence = ?3",
            )?
            .query_row(
                params![identity.date, &identity.content[..], identity.occurrence],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Remembers that `txn_id` was imported under this identity, with a random salt for the
    /// commitment its batch's digest covers (so an erasure can replace the key).
    pub fn remember_import(&mut self, identity: &ImportIdentity, txn_id: i64) -> Result<()> {
        let salt = self.salts.take::<FIELD_SALT_LEN>()?;
        self.inserts.get(Insert::ImportKey)?.execute(params![
            identity.date,
            &identity.content[..],
            identity.occurrence,
            txn_id,
            &salt[..]
        ])?;
        let import = self
            .import
            .as_mut()
            .ok_or_else(|| Error::Internal("an import key was written outside an import".into()))?;
        import.keys.add_commitment(&chain::key_commitment(
            &salt,
            txn_id,
            &identity.date,
            &identity.content,
            identity.occurrence,
        ));
        Ok(())
    }

    /// An imported transaction that an erasure changed and that `txn` is like — the same
    /// date, and the same amounts moved in the same accounts — if any. Its import key and
    /// reference are gone with the name, so that nothing stored confirms a guess at it; an
    /// import refuses a row like it rather than record the forgotten gift (and name) again.
    pub fn like_forgotten(&mut self, txn: &NewTransaction) -> Result<Option<i64>> {
        if self.forgotten.is_none() {
            let mut found: HashMap<Signature, i64> = HashMap::new();
            let mut stmt = self.tx.prepare(
                "SELECT t.id, t.date, a.name, p.currency, sum(p.amount_minor)
                 FROM transactions t JOIN postings p ON p.txn_id = t.id JOIN accounts a ON a.id = p.account_id
                 WHERE t.batch_id IS NOT NULL AND t.id IN (SELECT txn_id FROM erased_transactions)
                 GROUP BY t.id, a.name, p.currency ORDER BY t.id, a.name, p.currency",
            )?;
            let mut rows = stmt.query([])?;
            let mut current: Option<(i64, Signature)> = None;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                if current.as_ref().is_none_or(|(at, _)| *at != id) {
                    if let Some((at, signature)) = current.take() {
                        found.entry(signature).or_insert(at);
                    }
                    current = Some((id, (read::date_at(r, 1)?, Vec::new())));
                }
                let minor: i64 = r.get(4)?;
                if let Some((_, (_, moved))) = current.as_mut().filter(|_| minor != 0) {
                    moved.push((r.get(2)?, r.get(3)?, minor));
                }
            }
            if let Some((at, signature)) = current {
                found.entry(signature).or_insert(at);
            }
            self.forgotten = Some(found);
        }
        if self.forgotten.as_ref().is_some_and(HashMap::is_empty) {
            return Ok(None);
        }
        let mut moved: BTreeMap<(String, String), Sum> = BTreeMap::new();
        for p in &txn.postings {
            let currency = p.amount.currency();
            moved
                .entry((p.account.clone(), currency.code().to_string()))
                .or_insert(Sum::zero(currency))
                .add(p.amount)?;
        }
        let signature = (
            txn.date,
            moved
                .into_iter()
                .filter(|(_, sum)| !sum.is_zero())
                .map(|((account, currency), sum)| (account, currency, sum.minor()))
                .collect(),
        );
        Ok(self.forgotten.as_ref().and_then(|f| f.get(&signature).copied()))
    }

    /// A batch entry as a rebuild replays it: covering the keys this ledger wrote for the
    /// batch, each with a salt of its own.
    pub(in crate::store) fn replayed_batch(&mut self, entry: &Entry) -> Entry {
        let mut entry = entry.clone();
        if let Entry::ImportBatch {
            id,
            key_count,
            keys_sha256,
            salted_keys,
            ..
        } = &mut entry
        {
            let keys = match self.import.take() {
                Some(import) if import.batch == *id => import.keys,
                other => {
                    self.import = other;
                    ImportKeys::default()
                }
            };
            *key_count = keys.count;
            *keys_sha256 = keys.finish();
            *salted_keys = true;
        }
        entry
    }

    /// Notes that the file's transaction `source_id` has been read; false if it was before.
    pub fn see_source(&mut self, source_id: i64) -> Result<bool> {
        let inserted = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO temp.import_sources (source_id) VALUES (?1)")?
            .execute([source_id])?;
        Ok(inserted == 1)
    }

    /// Notes that the file's transaction `source_id` is transaction `txn_id` here.
    pub fn map_source(&mut self, source_id: i64, txn_id: i64) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE temp.import_sources SET txn_id = ?2 WHERE source_id = ?1")?
            .execute(params![source_id, txn_id])?;
        Ok(())
    }

    /// The transaction here that the file's transaction `source_id` became, if it was read
    /// and recorded (or found already recorded).
    pub fn mapped_source(&self, source_id: i64) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached("SELECT txn_id FROM temp.import_sources WHERE source_id = ?1")?
            .query_row([source_id], |r| r.get(0))
            .optional()?
            .flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Occurrences counted past what memory holds, some of their dates met again after they
    /// went to the table, are counted as if all were held in memory.
    #[test]
    fn occurrences_are_exact_past_what_memory_holds() {
        let mut conn = rusqlite::Connection::open_in_memory().expect("an in-memory database");
        let tx = conn.transaction().expect("a transaction");
        tx.execute_batch(
            "CREATE TEMP TABLE import_seen (
                 date TEXT NOT NULL, content_sha256 BLOB NOT NULL, count INTEGER NOT NULL,
                 PRIMARY KEY (date, content_sha256)) WITHOUT ROWID;",
        )
        .expect("the table");
        let mut seen = Occurrences {
            in_memory_max: 3,
            ..Occurrences::default()
        };
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).expect("a date");
        // Two contents on each of three days, in and out of date order, each several times.
        let rows: Vec<(u32, u8)> = [
            (1, 1),
            (1, 2),
            (2, 3),
            (1, 1),
            (3, 4),
            (2, 3),
            (1, 2),
            (1, 1),
            (3, 5),
            (2, 6),
            (3, 4),
            (1, 1),
        ]
        .to_vec();
        let mut expected: HashMap<u8, i64> = HashMap::new();
        for (d, content) in rows {
            let count = expected.entry(content).or_default();
            *count += 1;
            let date = day(d);
            let found = seen
                .count(&tx, date, &hash::date_text(date), [content; 32])
                .expect("a count");
            assert_eq!(found, *count, "content {content} on day {d}");
        }
        assert!(!seen.spilled.is_empty(), "the test must reach the table");
    }
}
