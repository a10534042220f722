//! Recorded transactions one at a time: by id or reference, with their postings, and the
//! import batches they came in.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};

use super::{amount, date_at, stored_date};
use crate::domain::{Amount, NewPosting};
use crate::error::{Error, Result};

/// One `fondo import` as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportBatchInfo {
    pub id: i64,
    pub file_name: String,
    pub file_sha256: String,
    pub format: String,
    pub rows: i64,
    pub added: i64,
    pub skipped: i64,
    pub entered_at: String,
    pub entered_by: String,
}

/// One posting of a recorded transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPosting {
    pub line: i64,
    pub account: String,
    pub fund: String,
    pub amount: Amount,
}

impl StoredPosting {
    pub fn to_new(&self) -> NewPosting {
        NewPosting {
            account: self.account.clone(),
            fund: self.fund.clone(),
            amount: self.amount,
        }
    }
}

/// A commune's confirmation that a grant reached it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmationInfo {
    pub id: i64,
    pub date: NaiveDate,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub entered_at: String,
    pub entered_by: String,
}

/// A recorded transaction with its postings and audit fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTransaction {
    pub id: i64,
    pub date: NaiveDate,
    pub description: String,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    pub memo: Option<String>,
    pub voids: Option<i64>,
    pub voided_by: Option<i64>,
    pub entered_at: String,
    pub entered_by: String,
    pub source: String,
    pub prev_hash: String,
    pub hash: String,
    pub postings: Vec<StoredPosting>,
    pub confirmation: Option<ConfirmationInfo>,
    /// The import batch it came from: its id and file name.
    pub batch: Option<(i64, String)>,
    /// A gift's refunds, or the gift a refund returns.
    pub refund_links: super::RefundLinks,
}

/// The transaction a reference names. An erased reference (`forgotten donor N`, which
/// several may share) names none; the second condition is the reference index's own, so
/// that the index answers.
pub(crate) fn transaction_by_reference(conn: &Connection, reference: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM transactions WHERE reference = ?1 AND reference NOT GLOB 'forgotten donor *'",
            [reference],
            |r| r.get(0),
        )
        .optional()?)
}

/// The chain's head: the last transaction's id and the hash of the chain's last link (a
/// transaction or an entry after it); `None` while the chain is empty.
pub(crate) fn chain_head(conn: &Connection) -> Result<Option<(i64, String)>> {
    let head = crate::store::chain::head(conn)?;
    Ok((head.last_txn > 0 || head.last_entry > 0).then_some((head.last_txn, head.hash)))
}

/// The date of the latest transaction, if any.
pub fn last_date(conn: &Connection) -> Result<Option<NaiveDate>> {
    Ok(date_span(conn)?.map(|(_, last)| last))
}

/// The dates of the earliest and the latest transaction, if any.
pub fn date_span(conn: &Connection) -> Result<Option<(NaiveDate, NaiveDate)>> {
    let (first, last): (Option<String>, Option<String>) = conn.query_row(
        // Apart, each is one step into the index by date; together SQLite reads it all.
        "SELECT (SELECT min(date) FROM transactions), (SELECT max(date) FROM transactions)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    match (first, last) {
        (Some(first), Some(last)) => Ok(Some((stored_date(&first)?, stored_date(&last)?))),
        _ => Ok(None),
    }
}

/// The id of the most recent transaction, 0 for an empty ledger.
pub fn last_transaction_id(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(id), 0) FROM transactions", [], |r| r.get(0))?)
}

pub fn transaction(conn: &Connection, id: i64) -> Result<StoredTransaction> {
    let row = conn
        .query_row(
            "SELECT t.date, t.description, t.counterparty, t.reference, t.memo, t.voids,
                    (SELECT v.id FROM transactions v WHERE v.voids = t.id),
                    t.entered_at, t.entered_by, t.source, t.prev_hash, t.hash, b.id, b.file_name
             FROM transactions t LEFT JOIN import_batches b ON b.id = t.batch_id WHERE t.id = ?1",
            [id],
            |r| {
                Ok(StoredTransaction {
                    id,
                    date: date_at(r, 0)?,
                    description: r.get(1)?,
                    counterparty: r.get(2)?,
                    reference: r.get(3)?,
                    memo: r.get(4)?,
                    voids: r.get(5)?,
                    voided_by: r.get(6)?,
                    entered_at: r.get(7)?,
                    entered_by: r.get(8)?,
                    source: r.get(9)?,
                    prev_hash: r.get(10)?,
                    hash: r.get(11)?,
                    postings: Vec::new(),
                    confirmation: None,
                    batch: match (r.get(12)?, r.get(13)?) {
                        (Some(id), Some(file_name)) => Some((id, file_name)),
                        _ => None,
                    },
                    refund_links: super::RefundLinks::default(),
                })
            },
        )
        .optional()?;
    let Some(mut txn) = row else {
        return Err(Error::UnknownTransaction {
            id,
            last: last_transaction_id(conn)?,
        });
    };
    let mut stmt = conn.prepare_cached(
        "SELECT p.line, a.name, f.code, p.currency, p.amount_minor
         FROM postings p JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
         WHERE p.txn_id = ?1 ORDER BY p.line",
    )?;
    let rows = stmt.query_map([id], |r| r.try_into())?;
    for row in rows {
        let (line, account, fund, code, minor): (i64, String, String, String, i64) = row?;
        txn.postings.push(StoredPosting {
            line,
            account,
            fund,
            amount: amount(minor, &code)?,
        });
    }
    txn.confirmation = conn
        .query_row(
            "SELECT id, date, reference, note, entered_at, entered_by FROM confirmations WHERE txn_id = ?1",
            [id],
            |r| {
                Ok(ConfirmationInfo {
                    id: r.get(0)?,
                    date: date_at(r, 1)?,
                    reference: r.get(2)?,
                    note: r.get(3)?,
                    entered_at: r.get(4)?,
                    entered_by: r.get(5)?,
                })
            },
        )
        .optional()?;
    txn.refund_links = super::refund_links(conn, id)?;
    Ok(txn)
}

pub fn import_batches(conn: &Connection) -> Result<Vec<ImportBatchInfo>> {
    let mut stmt = conn.prepare(
        "SELECT id, file_name, file_sha256, format, row_count, added_count, skipped_count, entered_at, entered_by
         FROM import_batches ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ImportBatchInfo {
            id: r.get(0)?,
            file_name: r.get(1)?,
            file_sha256: r.get(2)?,
            format: r.get(3)?,
            rows: r.get(4)?,
            added: r.get(5)?,
            skipped: r.get(6)?,
            entered_at: r.get(7)?,
            entered_by: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every grant to a commune (a debit to a commune's grants account) that is not voided and
/// not a void, with its date, in id order.
pub fn commune_grants(conn: &Connection) -> Result<Vec<(i64, NaiveDate)>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT t.id, t.date FROM transactions t
         JOIN postings p ON p.txn_id = t.id JOIN communes c ON c.account_id = p.account_id
         WHERE p.amount_minor > 0 AND t.voids IS NULL
           AND NOT EXISTS (SELECT 1 FROM transactions v WHERE v.voids = t.id)
         ORDER BY t.id",
    )?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    let mut grants = Vec::new();
    for row in rows {
        let (id, day): (i64, String) = row?;
        grants.push((id, stored_date(&day)?));
    }
    Ok(grants)
}
