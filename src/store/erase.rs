//! `donor forget`: erases a donor's name from the ledger while every amount stays, and the
//! chain stays whole. A transaction's hash covers salted digests of its free text
//! ([`hash::PrivateText`](super::hash::PrivateText)); erasing keeps those digests, replaces the text and deletes the
//! salt, so the name can no longer be read or confirmed by guessing. The erasure is itself
//! a record in a chain of its own, naming no one.

use rusqlite::{params, Connection, OptionalExtension};

use super::hash::{self, GENESIS, PRIVATE_FIELDS};
use super::read;
use super::write::Writer;
use super::Ledger;
use crate::error::{Error, Result};

/// What one erasure did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erasure {
    pub id: i64,
    /// What now stands where the name was: `forgotten donor N`.
    pub placeholder: String,
    /// The transactions whose text was changed.
    pub transactions: Vec<i64>,
}

/// One transaction an erasure changed, as the erasure's hash covers it.
pub struct ErasedText<'a> {
    pub txn_id: i64,
    /// Digests of the original description, counterparty and memo.
    pub digests: [Option<&'a str>; 3],
    /// The description, counterparty and memo the erasure left.
    pub texts: [Option<&'a str>; 3],
}

struct Affected {
    id: i64,
    texts: [Option<String>; 3],
    salt: Option<Vec<u8>>,
    already_erased: bool,
}

/// A transaction's change: its digests and the text left in place of the old.
type Change = (i64, [Option<String>; 3], [Option<String>; 3]);

fn erased_text<'a>((txn_id, digests, texts): &'a Change) -> ErasedText<'a> {
    ErasedText {
        txn_id: *txn_id,
        digests: [
            digests[0].as_deref(),
            digests[1].as_deref(),
            digests[2].as_deref(),
        ],
        texts: [texts[0].as_deref(), texts[1].as_deref(), texts[2].as_deref()],
    }
}

impl Ledger {
    /// Forgets a donor (see [`Writer::forget_donor`]) so that the name is gone from the
    /// file itself, not only from its rows: SQLite leaves stale copies of rows in the free
    /// space of pages it has split or rewritten, so the file is rebuilt (VACUUM) and the
    /// write-ahead log that held the old pages is checkpointed and emptied.
    ///
    /// Naming a placeholder (`forgotten donor N`) only rebuilds the file again, for when
    /// the rebuild after an erasure could not run.
    pub fn forget_donor(&mut self, name: &str) -> Result<Erasure> {
        let erasure = match earlier_erasure(self.conn(), name)? {
            Some(erasure) => erasure,
            None => {
                self.conn().pragma_update(None, "secure_delete", true)?;
                self.write(false, |w| w.forget_donor(name))?
            }
        };
        // The checkpoint waits (up to the busy timeout) for readers of older snapshots,
        // which still see the old pages; it reports rather than fails when they stay.
        let rebuilt = self.conn().execute_batch("VACUUM").and_then(|()| {
            self.conn()
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0))
        });
        let rebuilt = match rebuilt {
            Ok(0) => Ok(()),
            Ok(_) => Err("another process is still reading the old copy".to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = rebuilt {
            return Err(Error::Refused(format!(
                "erasure {} is recorded, but the file could not be rebuilt to wipe old copies of the text ({e}); when no other fondo command is using the ledger, run `fondo donor forget \"{}\"` to rebuild it",
                erasure.id, erasure.placeholder
            )));
        }
        Ok(erasure)
    }
}

/// The erasure whose placeholder `name` is, with the transactions it changed.
fn earlier_erasure(conn: &Connection, name: &str) -> Result<Option<Erasure>> {
    let id: Option<i64> = conn
        .query_row("SELECT id FROM erasures WHERE placeholder = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(id) = id else { return Ok(None) };
    let mut stmt = conn.prepare("SELECT txn_id FROM erased_text WHERE erasure_id = ?1 ORDER BY txn_id")?;
    let transactions = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(Erasure {
        id,
        placeholder: name.to_string(),
        transactions,
    }))
}

impl Writer<'_> {
    /// Replaces `name` with a placeholder in every transaction's description, counterparty
    /// and memo, drops the memos of the donor's own transactions, and records the erasure.
    pub fn forget_donor(&mut self, name: &str) -> Result<Erasure> {
        let donors = read::pseudonyms(self.conn())?;
        if donors.get(name).is_none() {
            return Err(Error::invalid(
                "NAME",
                name,
                "no donor has exactly this name; `fondo report donors` lists them as recorded",
            ));
        }
        let affected = affected(self.conn(), name)?;
        let (last_id, prev_hash) = erasure_head(self.conn())?.unwrap_or((0, GENESIS.to_string()));
        let id = last_id + 1;
        let placeholder = format!("forgotten donor {id}");
        let (entered_at, entered_by) = self.stamp();
        let mut changes: Vec<Change> = Vec::with_capacity(affected.len());
        for txn in &affected {
            let [description, counterparty, memo] = &txn.texts;
            let own = counterparty.as_deref() == Some(name);
            let scrub = |text: &Option<String>| {
                text.as_deref()
                    .map(|t| donors.replace_donor(t, name, &placeholder))
            };
            let left = [
                scrub(description),
                if own {
                    Some(placeholder.clone())
                } else {
                    counterparty.clone()
                },
                if own { None } else { scrub(memo) },
            ];
            if left == txn.texts {
                // It named a longer donor's name that contains this one.
                continue;
            }
            let digests: [Option<String>; 3] = match &txn.salt {
                Some(salt) => std::array::from_fn(|i| {
                    hash::private_digest(salt, PRIVATE_FIELDS[i], txn.texts[i].as_deref())
                }),
                // Erased before: the digests the chain needs are already kept.
                None if txn.already_erased => kept_digests(self.conn(), txn.id)?,
                None => return Err(Error::Refused(format!(
                    "transaction #{} was recorded before fondo could erase text (ledger schema 3 or older): its hash covers the text itself, so erasing it would break the chain",
                    txn.id
                ))),
            };
            changes.push((txn.id, digests, left));
        }
        let hash = hash::erasure_hash(
            &prev_hash,
            id,
            &placeholder,
            &entered_at,
            &entered_by,
            changes.iter().map(erased_text),
        );
        let conn = self.conn();
        conn.execute(
            "INSERT INTO erasures (id, placeholder, entered_at, entered_by, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, placeholder, entered_at, entered_by, prev_hash, hash],
        )?;
        for (txn_id, [dd, cd, md], [description, counterparty, memo]) in &changes {
            conn.execute(
                "INSERT INTO erased_text (txn_id, erasure_id, description_digest, counterparty_digest, memo_digest,
                                          description, counterparty, memo)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![txn_id, id, dd, cd, md, description, counterparty, memo],
            )?;
            conn.execute(
                "UPDATE transactions SET description = ?2, counterparty = ?3, memo = ?4, pii_salt = NULL
                 WHERE id = ?1",
                params![txn_id, description, counterparty, memo],
            )?;
        }
        Ok(Erasure {
            id,
            placeholder,
            transactions: changes.iter().map(|c| c.0).collect(),
        })
    }
}

/// Every transaction that names `name` in its free text, or whose counterparty it is.
fn affected(conn: &Connection, name: &str) -> Result<Vec<Affected>> {
    let mut stmt = conn.prepare(
        "SELECT t.id, t.description, t.counterparty, t.memo, t.pii_salt,
                EXISTS (SELECT 1 FROM erased_text e WHERE e.txn_id = t.id)
         FROM transactions t
         WHERE t.counterparty = ?1 OR instr(t.description, ?1) > 0 OR instr(t.memo, ?1) > 0
         ORDER BY t.id",
    )?;
    let rows = stmt.query_map([name], |r| {
        Ok(Affected {
            id: r.get(0)?,
            texts: [r.get(1)?, r.get(2)?, r.get(3)?],
            salt: r.get(4)?,
            already_erased: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn kept_digests(conn: &Connection, txn_id: i64) -> Result<[Option<String>; 3]> {
    Ok(conn.query_row(
        "SELECT description_digest, counterparty_digest, memo_digest FROM erased_text
         WHERE txn_id = ?1 ORDER BY erasure_id LIMIT 1",
        [txn_id],
        |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]),
    )?)
}

/// The last erasure's id and hash.
pub(crate) fn erasure_head(conn: &Connection) -> Result<Option<(i64, String)>> {
    let mut stmt = conn.prepare_cached("SELECT id, hash FROM erasures ORDER BY id DESC LIMIT 1")?;
    let mut rows = stmt.query([])?;
    Ok(match rows.next()? {
        Some(r) => Some((r.get(0)?, r.get(1)?)),
        None => None,
    })
}

/// Checks the erasure chain, and that every erased transaction's kept digests are the ones
/// its erasure's hash covers; returns the problems found.
pub(crate) fn check_erasures(conn: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut erasures = conn.prepare(
        "SELECT id, placeholder, entered_at, entered_by, prev_hash, hash FROM erasures ORDER BY id",
    )?;
    let mut texts = conn.prepare_cached(
        "SELECT txn_id, description_digest, counterparty_digest, memo_digest, description, counterparty, memo
         FROM erased_text WHERE erasure_id = ?1 ORDER BY txn_id",
    )?;
    let mut rows = erasures.query([])?;
    let (mut prev_id, mut prev_hash) = (0_i64, GENESIS.to_string());
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let (placeholder, entered_at, entered_by, stored_prev, stored_hash): (
            String,
            String,
            String,
            String,
            String,
        ) = (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        let changes: Vec<Change> = texts
            .query_map([id], |t| {
                Ok((
                    t.get(0)?,
                    [t.get(1)?, t.get(2)?, t.get(3)?],
                    [t.get(4)?, t.get(5)?, t.get(6)?],
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let computed = hash::erasure_hash(
            &stored_prev,
            id,
            &placeholder,
            &entered_at,
            &entered_by,
            changes.iter().map(erased_text),
        );
        if id != prev_id + 1 || stored_prev != prev_hash || computed != stored_hash {
            problems.push(format!(
                "erasure {id}: stored content no longer matches its hash, or erasures are missing"
            ));
        }
        prev_id = id;
        prev_hash = stored_hash;
    }
    Ok(problems)
}
