//! What an audit pack carries besides the journal and the reports — the chain's entries,
//! confirmations, reconciled postings, erasures, refunds and import keys — and the rebuild of a new
//! ledger from a pack, which replays the entries and the transactions in chain order.

use std::path::Path;

use chrono::NaiveDate;
use rusqlite::Connection;

use super::chain::{Entry, Interleave, Placed, Stamp};
use super::locks::DateRules;
use super::write::ImportIdentity;
use super::Ledger;
use crate::domain::names::GRANTS_PREFIX;
use crate::domain::Field;
use crate::domain::{Currency, NewTransaction};
use crate::error::{Error, Result};

/// A commune's confirmation of a grant, with the hash of the entry that recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmationRecord {
    pub id: i64,
    pub txn: i64,
    /// The slug of the commune whose grants account the grant was paid to.
    pub commune: String,
    pub date: NaiveDate,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub entered_at: String,
    pub entered_by: String,
    pub hash: String,
}

pub fn confirmations(conn: &Connection) -> Result<Vec<ConfirmationRecord>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.txn_id,
                (SELECT substr(a.name, length(?1) + 1) FROM postings p JOIN accounts a ON a.id = p.account_id
                 WHERE p.txn_id = c.txn_id AND a.name LIKE ?1 || '%' AND p.amount_minor > 0
                 ORDER BY p.line LIMIT 1),
                c.date, c.reference, c.note, c.entered_at, c.entered_by, e.hash
         FROM confirmations c JOIN entries e ON e.id = c.entry_id ORDER BY c.id",
    )?;
    let rows = stmt.query_map([GRANTS_PREFIX], |r| {
        Ok(ConfirmationRecord {
            id: r.get(0)?,
            txn: r.get(1)?,
            commune: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            date: super::read::date_at(r, 3)?,
            reference: r.get(4)?,
            note: r.get(5)?,
            entered_at: r.get(6)?,
            entered_by: r.get(7)?,
            hash: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A refund and the gift it returns, with the hash of the entry that linked them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRecord {
    pub txn: i64,
    pub gift: i64,
    pub chargeback: bool,
    pub entered_at: String,
    pub entered_by: String,
    pub hash: String,
}

pub fn refunds(conn: &Connection) -> Result<Vec<RefundRecord>> {
    let mut stmt = conn.prepare(
        "SELECT r.txn_id, r.gift_id, r.chargeback, r.entered_at, r.entered_by, e.hash
         FROM refunds r JOIN entries e ON e.id = r.entry_id ORDER BY r.txn_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RefundRecord {
            txn: r.get(0)?,
            gift: r.get(1)?,
            chargeback: r.get(2)?,
            entered_at: r.get(3)?,
            entered_by: r.get(4)?,
            hash: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A posting a saved reconciliation matched: (reconciliation, transaction, line, statement line).
pub fn reconciled_postings(conn: &Connection) -> Result<Vec<(i64, i64, i64, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT r.reconciliation_id, p.txn_id, p.line, r.statement_line
         FROM reconciled_postings r JOIN postings p ON p.id = r.posting_id
         ORDER BY r.reconciliation_id, p.txn_id, p.line",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One `donor forget`, as the pack lists it: never the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasureRecord {
    pub id: i64,
    pub placeholder: String,
    pub transactions: i64,
    pub entered_at: String,
    pub entered_by: String,
    pub hash: String,
}

pub fn erasures(conn: &Connection) -> Result<Vec<ErasureRecord>> {
    let mut stmt = conn.prepare(
        "SELECT x.id, x.placeholder, (SELECT count(*) FROM erased_transactions t WHERE t.erasure_id = x.id),
                x.entered_at, x.entered_by, e.hash
         FROM erasures x JOIN entries e ON e.id = x.entry_id ORDER BY x.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ErasureRecord {
            id: r.get(0)?,
            placeholder: r.get(1)?,
            transactions: r.get(2)?,
            entered_at: r.get(3)?,
            entered_by: r.get(4)?,
            hash: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Streams every import key, in transaction order: (transaction, identity).
pub fn for_each_import_key(
    conn: &Connection,
    mut each: impl FnMut(i64, ImportIdentity) -> Result<()>,
) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT txn_id, date, content_sha256, occurrence FROM import_keys ORDER BY txn_id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let content: Vec<u8> = r.get(2)?;
        let content: [u8; 32] = content
            .try_into()
            .map_err(|_| Error::Corrupt("an import key that is not 32 bytes".into()))?;
        each(
            r.get(0)?,
            ImportIdentity {
                date: r.get(1)?,
                content,
                occurrence: r.get(3)?,
            },
        )?;
    }
    Ok(())
}

/// An entry as a pack lists it.
pub struct PackEntry {
    pub id: i64,
    pub after_txn: i64,
    pub entry: Entry,
    pub entered_at: String,
    pub entered_by: String,
}

impl Placed for PackEntry {
    fn after_txn(&self) -> i64 {
        self.after_txn
    }
}

/// A transaction as a pack's journal gives it, with its number there.
pub struct PackTransaction {
    pub id: i64,
    pub txn: NewTransaction,
}

/// What a rebuild replays: the pack's entries, transactions and import keys.
pub struct PackContents {
    pub entries: Vec<PackEntry>,
    pub transactions: Vec<PackTransaction>,
    pub import_keys: Vec<(i64, ImportIdentity)>,
    /// The attached files the pack holds, by SHA-256.
    pub evidence: std::collections::HashMap<String, Vec<u8>>,
}

impl Ledger {
    /// Creates a ledger at `path` (which must not exist) holding what `pack` holds: every
    /// entry and transaction, in chain order, with the same numbers, so every report reads
    /// the same. The new ledger has a chain of its own (new salts, a new head). An erasure
    /// is replayed as a record only: the journal already holds the erased text.
    pub fn rebuild(path: &Path, pack: PackContents, actor: &str) -> Result<Ledger> {
        let currency = pack
            .entries
            .iter()
            .find_map(|e| match &e.entry {
                Entry::Setting { key, value } if key == "currency" => Some(value.as_str()),
                _ => None,
            })
            .ok_or_else(|| Error::Refused("the pack's entries set no currency".into()))
            .and_then(|code| Currency::parse_field(Field::CURRENCY_COLUMN, code))?;
        let batches: Vec<(i64, i64, i64)> = pack
            .entries
            .iter()
            .filter_map(|e| match &e.entry {
                Entry::ImportBatch {
                    id,
                    first_txn: Some(first),
                    last_txn: Some(last),
                    ..
                } => Some((*first, *last, *id)),
                _ => None,
            })
            .collect();
        // The original took these dates: forced into closed periods (with the reasons its
        // entries record) or ahead of their day.
        let forced: std::collections::HashMap<i64, &str> = pack
            .entries
            .iter()
            .filter_map(|e| match &e.entry {
                Entry::LockOverridden { txn_id, reason, .. } => Some((*txn_id, reason.as_str())),
                _ => None,
            })
            .collect();
        Ledger::create_with(path, currency, actor, |w| {
            w.allow_placeholders();
            let mut entries = Interleave::new(&pack.entries);
            let mut keys = pack.import_keys.iter().peekable();
            let files = Evidence::of(&pack);
            for t in &pack.transactions {
                while let Some(e) = entries.next_before(t.id) {
                    replay_entry(w, e, &files)?;
                }
                w.set_batch(
                    batches
                        .iter()
                        .find(|(first, last, _)| (*first..=*last).contains(&t.id))
                        .map(|b| b.2),
                );
                w.set_date_rules(DateRules {
                    future: true,
                    force_reason: forced.get(&t.id).map(|r| r.to_string()),
                })?;
                // The books' donors are replayed as the original accepted them.
                w.set_name_rules(super::write::NameRules::accept_all());
                let id = w.record(&t.txn, &format!("rebuild:{}", t.id))?;
                if id != t.id {
                    return Err(Error::Refused(format!(
                        "the pack's journal goes from #{} to #{}: transactions are missing, so the books cannot be rebuilt",
                        id - 1,
                        t.id
                    )));
                }
                while let Some((_, identity)) = keys.next_if(|(txn, _)| *txn == t.id) {
                    w.remember_import(identity, id)?;
                }
            }
            // The last batch's entry, if it comes last, covers the keys written for it.
            while let Some(e) = entries.next_after_last() {
                replay_entry(w, e, &files)?;
            }
            w.set_batch(None);
            if let Some((txn, _)) = keys.next() {
                return Err(Error::Refused(format!(
                    "the pack's import keys name transaction #{txn}, which its journal does not hold in order"
                )));
            }
            Ok(())
        })
    }
}

/// The attached files a pack holds, and those its erasures deleted: by digest (erasures
/// recorded before schema 12) and by attachment (since).
struct Evidence<'p> {
    held: &'p std::collections::HashMap<String, Vec<u8>>,
    erased: Vec<&'p String>,
    erased_attachments: Vec<i64>,
}

impl<'p> Evidence<'p> {
    fn of(pack: &'p PackContents) -> Evidence<'p> {
        let mut files = Evidence {
            held: &pack.evidence,
            erased: Vec::new(),
            erased_attachments: Vec::new(),
        };
        for e in &pack.entries {
            if let Entry::Erasure {
                blobs, attachments, ..
            } = &e.entry
            {
                files.erased.extend(blobs);
                files.erased_attachments.extend(attachments);
            }
        }
        files
    }

    /// Stores the file an attachment entry records, before the entry is replayed; one a
    /// later erasure deleted is missing from the pack as from the ledger.
    fn restore(&self, w: &mut super::Writer<'_>, entry: &Entry) -> Result<()> {
        let Entry::Attached { id, sha256, .. } = entry else {
            return Ok(());
        };
        if self.erased_attachments.contains(id) {
            return Ok(());
        }
        match self.held.get(sha256) {
            Some(bytes) => w.restore_blob(sha256, bytes),
            None if self.erased.contains(&sha256) => Ok(()),
            None => Err(Error::Refused(format!(
                "the pack has no evidence/{sha256}, which its entries attach and no erasure deleted"
            ))),
        }
    }
}

/// Records a pack's entry in the ledger being rebuilt, as this ledger records it.
fn replay_entry(w: &mut super::Writer<'_>, e: &PackEntry, files: &Evidence<'_>) -> Result<()> {
    files.restore(w, &e.entry)?;
    let entry = match &e.entry {
        // The new ledger has a schema entry of its own, records each forced date itself as it
        // records the transaction, and records each text as it reads now (a rename's
        // revisions are of this ledger's salts).
        Entry::Schema { .. } | Entry::LockOverridden { .. } | Entry::DonorRenamed { .. } => return Ok(()),
        Entry::Erasure {
            id,
            placeholder,
            blobs,
            attachments,
            ..
        } => Entry::Erasure {
            id: *id,
            placeholder: placeholder.clone(),
            erased: Vec::new(),
            keys: Vec::new(),
            entry_texts: Vec::new(),
            revised: Vec::new(),
            // The files it deleted are missing from the pack too.
            blobs: blobs.clone(),
            attachments: attachments.clone(),
        },
        // Its keys have salts of this ledger's own.
        batch @ Entry::ImportBatch { .. } => w.replayed_batch(batch),
        other => other.clone(),
    };
    let stamp = Stamp {
        entered_at: &e.entered_at,
        entered_by: &e.entered_by,
    };
    w.append_as(&entry, &stamp)?;
    Ok(())
}
