//! `donor forget`: erases a donor's name from the ledger while every amount stays, and the
//! chain stays whole. A transaction's hash covers salted digests of its free text
//! ([`hash::PrivateText`](super::hash::PrivateText)), one salt per field. Erasing keeps
//! those digests, replaces each field that named the donor with exactly the placeholder
//! `forgotten donor N` and deletes that field's salt, so the name can no longer be read or
//! confirmed by guessing; a field that did not name the donor keeps its salt, so its text
//! stays provable. The erasure is an entry in the one chain, naming no one: a forged one
//! can only turn text into a placeholder, never into text of the forger's choosing.

use rusqlite::{params, Connection, OptionalExtension};

use super::chain::{Entry, ErasedFields};
use super::hash::{self, field_salt, FIELD_SALT_LEN, PRIVATE_FIELDS};
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
    /// How many descriptions, counterparties and memos were replaced.
    pub fields: [usize; 3],
}

pub use crate::domain::privacy::placeholder;

/// A transaction whose text names the donor, as stored.
struct Affected {
    id: i64,
    texts: [Option<String>; 3],
    /// Its salts: one per field, or one shared (legacy); none once erased.
    salts: Option<Vec<u8>>,
    /// What its latest earlier erasure left, if any.
    earlier: Option<ErasedFields>,
}

/// What `donor forget` would do, shown before it does it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForgetPreview {
    pub erasure: Erasure,
    /// Gifts recorded with the donor as counterparty.
    pub gifts: i64,
    /// Other donors whose names differ from this one only in case, accents or spaces, with
    /// their gifts: they are not touched.
    pub other_spellings: Vec<(String, i64)>,
}

impl Ledger {
    /// What forgetting `name` would erase, computed in a write that is then rolled back.
    pub fn forget_preview(&mut self, name: &str) -> Result<ForgetPreview> {
        let erasure = self.write(true, |w| w.forget_donor(name))?;
        let gifts = |donor: &str| -> Result<i64> {
            Ok(self.conn().query_row(
                "SELECT count(*) FROM transactions WHERE counterparty = ?1",
                [donor],
                |r| r.get(0),
            )?)
        };
        let key = crate::domain::privacy::donor_key(Some(name));
        let mut other_spellings = Vec::new();
        for donor in read::donors(self.conn())? {
            if donor != name && crate::domain::privacy::donor_key(Some(&donor)) == key {
                other_spellings.push((donor.clone(), gifts(&donor)?));
            }
        }
        Ok(ForgetPreview {
            erasure,
            gifts: gifts(name)?,
            other_spellings,
        })
    }

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
    // Only a placeholder fondo wrote names an earlier erasure.
    let Some(id) = id.filter(|id| placeholder(*id) == name) else {
        return Ok(None);
    };
    let mut stmt = conn.prepare("SELECT txn_id FROM erased_text WHERE erasure_id = ?1 ORDER BY txn_id")?;
    let transactions = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(Erasure {
        id,
        placeholder: name.to_string(),
        transactions,
        fields: [0; 3],
    }))
}

impl Writer<'_> {
    /// Replaces each field that names `name` (and the memo and counterparty of the donor's
    /// own gifts) with the placeholder, and records the erasure.
    pub fn forget_donor(&mut self, name: &str) -> Result<Erasure> {
        let donors = read::pseudonyms(self.conn())?;
        if donors.get(name).is_none() {
            return Err(Error::invalid(
                "NAME",
                name,
                "no donor has exactly this name; `fondo report donors` lists them as recorded",
            ));
        }
        let id: i64 = self
            .conn()
            .query_row("SELECT coalesce(max(id), 0) + 1 FROM erasures", [], |r| r.get(0))?;
        let placeholder = placeholder(id);
        let mut erased = Vec::new();
        for txn in affected(self.conn(), name)? {
            let own = txn.texts[1].as_deref() == Some(name);
            let names_donor = |i: usize, text: &str| {
                (own && i > 0) || donors.replace_donor(text, name, &placeholder) != text
            };
            // A field an earlier erasure took stays as it left it.
            let erased_before = |i: usize| txn.earlier.as_ref().is_some_and(|e| e.salts[i].is_none());
            let erase: [bool; 3] = std::array::from_fn(|i| {
                !erased_before(i) && txn.texts[i].as_deref().is_some_and(|t| names_donor(i, t))
            });
            if !erase.contains(&true) {
                // It named a longer donor's name that contains this one.
                continue;
            }
            erased.push(erase_fields(&txn, erase, &placeholder)?);
        }
        self.append(&Entry::Erasure {
            id,
            placeholder: placeholder.clone(),
            erased: erased.clone(),
        })?;
        let mut update = self.conn().prepare(
            "UPDATE transactions SET description = ?2, counterparty = ?3, memo = ?4, pii_salt = NULL,
                                     field_salts = NULL
             WHERE id = ?1",
        )?;
        for e in &erased {
            let [description, counterparty, memo] = &e.texts;
            update.execute(params![e.txn_id, description, counterparty, memo])?;
        }
        let fields = std::array::from_fn(|i| {
            erased
                .iter()
                .filter(|e| e.salts[i].is_none() && e.texts[i].is_some())
                .count()
        });
        // The donors' names follow the counterparties just replaced.
        super::donors::rebuild(self.conn())?;
        Ok(Erasure {
            id,
            placeholder,
            transactions: erased.iter().map(|e| e.txn_id).collect(),
            fields,
        })
    }
}

/// What erasing the fields marked in `erase` leaves of a transaction.
fn erase_fields(txn: &Affected, erase: [bool; 3], placeholder: &str) -> Result<ErasedFields> {
    let texts = std::array::from_fn(|i| {
        if erase[i] {
            Some(placeholder.to_string())
        } else {
            txn.texts[i].clone()
        }
    });
    match (&txn.salts, &txn.earlier) {
        (Some(salts), _) => {
            // A salt shared by the fields (recorded before fondo 0.2) would open the erased
            // fields too, so it goes entirely, and every field is erased: a field kept
            // without its salt could not be told from a forged one.
            let shared = salts.len() != FIELD_SALT_LEN * PRIVATE_FIELDS.len();
            let texts = if shared {
                std::array::from_fn(|i| txn.texts[i].as_ref().map(|_| placeholder.to_string()))
            } else {
                texts
            };
            Ok(ErasedFields {
                txn_id: txn.id,
                digests: std::array::from_fn(|i| {
                    hash::private_digest(field_salt(salts, i), PRIVATE_FIELDS[i], txn.texts[i].as_deref())
                }),
                texts,
                salts: std::array::from_fn(|i| {
                    (!shared && !erase[i]).then(|| hash::hex(field_salt(salts, i)))
                }),
            })
        }
        (None, Some(earlier)) => Ok(ErasedFields {
            txn_id: txn.id,
            digests: earlier.digests.clone(),
            texts,
            salts: std::array::from_fn(|i| earlier.salts[i].clone().filter(|_| !erase[i])),
        }),
        (None, None) => Err(Error::Refused(format!(
            "transaction #{} was recorded before fondo could erase text (ledger schema 3 or older): its hash covers the text itself, so erasing it would break the chain",
            txn.id
        ))),
    }
}

/// Every transaction that names `name` in its free text, or whose counterparty it is.
fn affected(conn: &Connection, name: &str) -> Result<Vec<Affected>> {
    let mut stmt = conn.prepare(
        "SELECT t.id, t.description, t.counterparty, t.memo, coalesce(t.field_salts, t.pii_salt)
         FROM transactions t
         WHERE t.counterparty = ?1 OR instr(t.description, ?1) > 0 OR instr(t.memo, ?1) > 0
         ORDER BY t.id",
    )?;
    let rows = stmt.query_map([name], |r| {
        Ok(Affected {
            id: r.get(0)?,
            texts: [r.get(1)?, r.get(2)?, r.get(3)?],
            salts: r.get(4)?,
            earlier: None,
        })
    })?;
    let mut out: Vec<Affected> = rows.collect::<rusqlite::Result<_>>()?;
    for txn in out.iter_mut().filter(|t| t.salts.is_none()) {
        txn.earlier = latest_erased(conn, txn.id)?;
    }
    Ok(out)
}

/// What the latest erasure of transaction `txn_id` left, if it was erased.
pub(crate) fn latest_erased(conn: &Connection, txn_id: i64) -> Result<Option<ErasedFields>> {
    let hex_of = |r: &rusqlite::Row<'_>, i: usize| -> rusqlite::Result<Option<String>> {
        Ok(r.get::<_, Option<Vec<u8>>>(i)?.map(|b| hash::hex(&b)))
    };
    Ok(conn
        .prepare_cached(
            "SELECT description_digest, counterparty_digest, memo_digest, description, counterparty, memo,
                    description_salt, counterparty_salt, memo_salt
             FROM erased_text WHERE txn_id = ?1 ORDER BY erasure_id DESC LIMIT 1",
        )?
        .query_row([txn_id], |r| {
            Ok(ErasedFields {
                txn_id,
                digests: [r.get(0)?, r.get(1)?, r.get(2)?],
                texts: [r.get(3)?, r.get(4)?, r.get(5)?],
                salts: [hex_of(r, 6)?, hex_of(r, 7)?, hex_of(r, 8)?],
            })
        })
        .optional()?)
}

/// One row of `erased_text`, as the history check reads it.
struct ErasedRow {
    txn_id: i64,
    erasure_id: i64,
    digests: [Option<String>; 3],
    texts: [Option<String>; 3],
    salts: [Option<Vec<u8>>; 3],
    entry_id: i64,
}

/// Checks what each erasure left of each transaction, erasure after erasure: a field kept
/// still matches its digest through its own salt; a field erased now reads exactly as this
/// erasure's placeholder (or stays empty if it was); a field erased before stays as it was
/// left and never gets its salt back. So an erasure, forged or not, can hide a name but never
/// write text of its own. Erasures adopted from a schema-5 ledger (`entry_id` up to
/// `adopted_through`) replaced names inside text, and are proven by their entries alone.
/// Transactions up to `shared_salts_through` had one salt for all their text: an erasure
/// keeps none of it (it would open the erased fields).
pub(crate) fn erasure_history_problems(
    conn: &Connection,
    adopted_through: i64,
    shared_salts_through: i64,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT txn_id, erasure_id, description_digest, counterparty_digest, memo_digest,
                description, counterparty, memo, description_salt, counterparty_salt, memo_salt, entry_id
         FROM erased_text ORDER BY txn_id, erasure_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ErasedRow {
            txn_id: r.get(0)?,
            erasure_id: r.get(1)?,
            digests: [r.get(2)?, r.get(3)?, r.get(4)?],
            texts: [r.get(5)?, r.get(6)?, r.get(7)?],
            salts: [r.get(8)?, r.get(9)?, r.get(10)?],
            entry_id: r.get(11)?,
        })
    })?;
    let mut problems = Vec::new();
    let mut before: Option<ErasedRow> = None;
    for row in rows {
        let row = row?;
        let earlier = before.take().filter(|b| b.txn_id == row.txn_id);
        if row.entry_id > adopted_through {
            for (i, field) in PRIVATE_FIELDS.iter().enumerate() {
                let shared = row.txn_id <= shared_salts_through;
                if let Some(why) = field_problem(&row, earlier.as_ref(), i, shared) {
                    problems.push(format!(
                        "transaction #{}: erasure {} {why} its {field}",
                        row.txn_id, row.erasure_id
                    ));
                }
            }
        }
        before = Some(row);
    }
    Ok(problems)
}

/// What is wrong with field `i` of an erasure's row, given the erasure before it.
fn field_problem(
    row: &ErasedRow,
    earlier: Option<&ErasedRow>,
    i: usize,
    shared: bool,
) -> Option<&'static str> {
    let text = row.texts[i].as_deref();
    let erased_before = earlier.is_some_and(|e| e.salts[i].is_none());
    match &row.salts[i] {
        Some(_) if shared => Some("kept a salt shared with its erased fields in"),
        Some(_) if erased_before => Some("gave a salt back to"),
        Some(salt) => (hash::private_digest(salt, PRIVATE_FIELDS[i], text) != row.digests[i])
            .then_some("kept, but no longer matches the digest of,"),
        None if erased_before => (text != earlier.and_then(|e| e.texts[i].as_deref()))
            .then_some("changed what an earlier erasure left in"),
        None => {
            let expected = row.digests[i].as_ref().map(|_| placeholder(row.erasure_id));
            (text != expected.as_deref()).then_some("wrote text other than its placeholder into")
        }
    }
}
