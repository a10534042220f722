//! The walk along the one hash chain of transactions and entries: each link against the one
//! before it, each entry replayed, and where the head an auditor gave stands.

use std::collections::HashMap;

use rusqlite::Connection;

use super::sealed::sealed_text_problems;
use super::{Problems, SinceHead};
use crate::error::{Error, Result};
use crate::store::chain::{self, Entry, Replay, StoredEntry};
use crate::store::erase::placeholder as erase_placeholder;
use crate::store::hash::GENESIS;

/// What is wrong with the head an auditor gave, as the walk found it.
pub(super) fn head_problem(head: &str, summary: &ChainSummary) -> Option<String> {
    match &summary.head_found_at {
        None => Some(format!(
            "head {head} is not in this ledger's chain: what was recorded up to it was changed, removed or reordered"
        )),
        Some((at, link)) if summary.first_bad.is_some_and(|bad| bad <= *at) => Some(format!(
            "head {head} is {link}, but the chain is broken before it"
        )),
        Some(_) => None,
    }
}

/// A link of the chain, named as problems name it.
#[derive(Clone, Copy)]
pub(super) enum Link {
    Transaction(i64),
    Entry(i64),
}

impl std::fmt::Display for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Link::Transaction(id) => write!(f, "transaction #{id}"),
            Link::Entry(id) => write!(f, "entry {id}"),
        }
    }
}

pub(super) struct ChainSummary {
    pub(super) transactions: i64,
    pub(super) entries: i64,
    pub(super) head: Option<String>,
    /// Where the expected head is: the link's position in the chain and what it is.
    head_found_at: Option<(u64, Link)>,
    /// The position of the first link that is not as recorded.
    first_bad: Option<u64>,
    pub(super) since_head: Option<SinceHead>,
}

/// An import batch as its entry recorded it.
#[derive(Clone)]
pub(super) struct BatchRecord {
    pub(super) id: i64,
    pub(super) txns: Option<(i64, i64)>,
    pub(super) key_count: i64,
    pub(super) keys_sha256: String,
    /// Its digest covers each key's salted commitment (imports since schema 9).
    pub(super) salted_keys: bool,
}

/// The walk along the one chain: transactions come from the caller's stream, entries from
/// here, each entry after the transaction it names.
pub(super) struct Walk<'c> {
    conn: &'c Connection,
    entries: chain::Interleave<std::vec::IntoIter<StoredEntry>>,
    expected_head: Option<&'c str>,
    pub(super) prev_hash: String,
    pub(super) prev_txn: i64,
    prev_entry: i64,
    position: u64,
    pub(super) replay: Replay,
    /// Runs of consecutive transactions that name the same import batch: (first, last, batch).
    pub(super) batch_runs: Vec<(i64, i64, i64)>,
    pub(super) problems: Problems,
    pub(super) summary: ChainSummary,
    /// Entries up to this one were adopted from a schema-5 ledger by its migration.
    pub(super) adopted_through: i64,
    /// Transactions up to this one were recorded with one salt shared by their text fields.
    pub(super) shared_salts_through: i64,
    /// The row each entry walked so far wrote its private texts to, for an erasure of them.
    text_rows: HashMap<i64, Option<(&'static chain::Table, i64)>>,
    /// Which erasure replaced each private text of a sealed entry: (entry, field) → erasure,
    /// as `erased_entry_texts` holds it (which the replay checks in turn).
    erased_texts: HashMap<(i64, String), i64>,
}

/// The import batches the entries record, in the chain's order: read ahead of the walk
/// (which checks that each entry is as recorded) so that their keys are digested beside it.
pub(super) fn batch_records(entries: &[StoredEntry]) -> Vec<BatchRecord> {
    entries
        .iter()
        .filter_map(|e| match e.open() {
            Ok((
                Entry::ImportBatch {
                    id,
                    first_txn,
                    last_txn,
                    key_count,
                    keys_sha256,
                    salted_keys,
                    ..
                },
                _,
            )) => Some(BatchRecord {
                id,
                txns: first_txn.zip(last_txn),
                key_count,
                keys_sha256,
                salted_keys,
            }),
            _ => None,
        })
        .collect()
}

/// What the replay of an entry looks up: postings in the ledger, earlier entries in the walk.
struct WalkLookup<'w> {
    conn: &'w Connection,
    text_rows: &'w HashMap<i64, Option<(&'static chain::Table, i64)>>,
}

impl chain::Lookup for WalkLookup<'_> {
    fn posting_id(&mut self, txn: i64, line: i64) -> Result<i64> {
        chain::posting_id(self.conn, txn, line)
    }

    fn text_row(&mut self, entry_id: i64) -> Result<Option<(&'static chain::Table, i64)>> {
        self.text_rows.get(&entry_id).copied().ok_or_else(|| {
            Error::Corrupt(format!(
                "it erases text of entry {entry_id}, which is not recorded before it"
            ))
        })
    }
}

impl<'c> Walk<'c> {
    pub(super) fn new(
        conn: &'c Connection,
        entries: Vec<StoredEntry>,
        expected_head: Option<&'c str>,
    ) -> Result<Walk<'c>> {
        let mut erased_texts = HashMap::new();
        let mut stmt = conn.prepare("SELECT erased_entry, field, erasure_id FROM erased_entry_texts")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            erased_texts.insert((r.get(0)?, r.get(1)?), r.get(2)?);
        }
        // Read ahead: erasures the schema entry adopted are checked by its rules. Whether it
        // is as recorded is checked when the walk reaches it.
        let (adopted_through, shared_salts_through) = match entries.first() {
            Some(first) => match first.entry() {
                Ok(Entry::Schema { adopted, .. }) => (1 + adopted, first.after_txn),
                _ => (0, 0),
            },
            None => (0, 0),
        };
        Ok(Walk {
            text_rows: HashMap::new(),
            erased_texts,
            shared_salts_through,
            adopted_through,
            conn,
            entries: chain::Interleave::new(entries),
            expected_head,
            prev_hash: GENESIS.to_string(),
            prev_txn: 0,
            prev_entry: 0,
            position: 0,
            replay: Replay::default(),
            batch_runs: Vec::new(),
            problems: Problems::default(),
            summary: ChainSummary {
                transactions: 0,
                entries: 0,
                head: None,
                head_found_at: None,
                first_bad: None,
                since_head: None,
            },
        })
    }

    /// Advances past one link whose stored hash is `hash`; `bad` lists what is wrong with it.
    /// `kind` is an entry's kind, `None` for a transaction.
    pub(super) fn link(&mut self, what: Link, kind: Option<&'static str>, hash: &str, bad: Vec<String>) {
        self.position += 1;
        if let Some(since) = &mut self.summary.since_head {
            match kind {
                Some(kind) => *since.entries.entry(kind).or_default() += 1,
                None => since.transactions += 1,
            }
        }
        if !bad.is_empty() {
            self.summary.first_bad.get_or_insert(self.position);
            self.problems.push(format!("{what}: {}", bad.join("; ")));
        }
        if self.expected_head == Some(hash) {
            self.summary.head_found_at = Some((self.position, what));
            self.summary.since_head = Some(SinceHead::default());
        }
        // Copied into the buffer the walk keeps: no allocation per link.
        self.prev_hash.clear();
        self.prev_hash.push_str(hash);
    }

    /// Walks the entries recorded before transaction `next_txn`.
    pub(super) fn entries_before(&mut self, next_txn: i64) {
        while let Some(e) = self.entries.next_before(next_txn) {
            self.entry(e);
        }
    }

    /// Walks the entries recorded after the last transaction, and notes the chain's head.
    pub(super) fn entries_after_last(&mut self) {
        while let Some(e) = self.entries.next_after_last() {
            self.entry(e);
        }
        self.summary.head = (self.position > 0).then(|| self.prev_hash.clone());
    }

    /// Checks one entry against the link before it and replays it.
    fn entry(&mut self, e: StoredEntry) {
        let mut bad = Vec::new();
        if e.id != self.prev_entry + 1 {
            bad.push(format!(
                "follows entry {}: entries are missing or out of order",
                self.prev_entry
            ));
        }
        if e.after_txn != self.prev_txn {
            bad.push(format!(
                "says it follows #{} but stands after #{}",
                e.after_txn, self.prev_txn
            ));
        }
        if e.prev_hash != self.prev_hash {
            bad.push("does not link to what was recorded before it".to_string());
        }
        if chain::entry_hash(&e.prev_hash, e.id, e.after_txn, &e.body, &e.stamp()) != e.hash {
            bad.push("stored content no longer matches its hash (changed after it was recorded)".to_string());
        }
        let mut kind = None;
        match e.open() {
            Ok((entry, digests)) => {
                kind = Some(entry.kind());
                match &digests {
                    Some(digests) => {
                        bad.extend(sealed_text_problems(&e, &entry, digests, &self.erased_texts))
                    }
                    // Its text is in its body: texts beside it would pass for it.
                    None if !e.texts.is_empty() => {
                        bad.push("texts were added beside it (outside fondo)".to_string())
                    }
                    None => {}
                }
                if (e.id == 1) != matches!(entry, Entry::Schema { .. }) {
                    bad.push(
                        "the schema entry must be the chain's first entry, and only the first".to_string(),
                    );
                }
                self.replay_entry(&e, &entry, &mut bad);
            }
            Err(why) => bad.push(why),
        }
        self.summary.entries += 1;
        self.prev_entry = e.id;
        self.link(
            Link::Entry(e.id),
            Some(kind.unwrap_or("unreadable")),
            &e.hash,
            bad,
        );
    }

    fn replay_entry(&mut self, stored: &StoredEntry, entry: &Entry, bad: &mut Vec<String>) {
        let mut lookup = WalkLookup {
            conn: self.conn,
            text_rows: &self.text_rows,
        };
        let stamp = chain::Stamp {
            entered_at: &stored.entered_at,
            entered_by: stored.author(),
        };
        let rows = entry.rows(stored.id, &stamp, &mut lookup);
        self.text_rows.insert(stored.id, entry.text_row());
        match rows {
            Ok(rows) => {
                if let Err(why) = self.replay.apply(rows) {
                    bad.push(why);
                }
            }
            Err(e) => bad.push(format!("cannot be replayed: {e}")),
        }
        if let Entry::Erasure { id, placeholder, .. } = entry {
            if *placeholder != erase_placeholder(*id) {
                bad.push(format!(
                    "erasure {id} names its placeholder `{placeholder}`; fondo writes `{}`",
                    erase_placeholder(*id)
                ));
            }
        }
    }

    /// Notes that transaction `id` names import batch `batch`.
    pub(super) fn in_batch(&mut self, id: i64, batch: Option<i64>) {
        let Some(batch) = batch else { return };
        match self.batch_runs.last_mut() {
            Some((_, last, b)) if *b == batch && *last + 1 == id => *last = id,
            _ => self.batch_runs.push((id, id, batch)),
        }
    }
}
