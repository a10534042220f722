//! What bank reconciliation reads and saves: an account's postings not yet covered by a
//! saved reconciliation, its balance on a date, and the reconciliation records themselves.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use super::chain::Entry;
pub use super::read::account_id;
use super::read::{amount, currency, stored_date};
use super::Writer;
use crate::domain::{Amount, Currency};
use crate::error::Result;

/// A transaction's postings to the account being reconciled, netted: what one bank line
/// shows of it (a payout split across funds is one line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The postings it nets, not yet covered by a saved reconciliation.
    pub posting_ids: Vec<i64>,
    pub txn: i64,
    pub date: NaiveDate,
    pub description: String,
    pub reference: Option<String>,
    /// The transaction this one voids, if it is a void.
    pub voids: Option<i64>,
    pub amount: Amount,
}

/// The account's transactions in `currency` that no saved reconciliation covers, each with
/// its postings to the account netted, by date.
pub fn unreconciled(conn: &Connection, account: &str, currency: Currency) -> Result<Vec<LedgerEntry>> {
    let id = account_id(conn, account)?;
    let mut stmt = conn.prepare(
        "SELECT p.id, t.id, t.date, t.description, t.reference, t.voids, p.amount_minor
         FROM postings p JOIN transactions t ON t.id = p.txn_id
         WHERE p.account_id = ?1 AND p.currency = ?2
           AND NOT EXISTS (SELECT 1 FROM reconciled_postings r JOIN reconciliations c ON c.id = r.reconciliation_id
                           WHERE r.posting_id = p.id AND c.undone = 0)
         ORDER BY t.date, t.id, p.line",
    )?;
    let rows = stmt.query_map(params![id, currency.code()], |r| r.try_into())?;
    let mut entries: Vec<LedgerEntry> = Vec::new();
    for row in rows {
        let (posting_id, txn, day, description, reference, voids, minor): (
            i64,
            i64,
            String,
            String,
            Option<String>,
            Option<i64>,
            i64,
        ) = row?;
        match entries.last_mut().filter(|e| e.txn == txn) {
            Some(entry) => {
                entry.posting_ids.push(posting_id);
                entry.amount = entry.amount.checked_add(Amount::from_minor(minor, currency)?)?;
            }
            None => entries.push(LedgerEntry {
                posting_ids: vec![posting_id],
                txn,
                date: stored_date(&day)?,
                description,
                reference,
                voids,
                amount: amount(minor, currency.code())?,
            }),
        }
    }
    Ok(entries)
}

/// The account's balance in `currency` at the end of `date`.
pub fn balance_on(conn: &Connection, account: &str, currency: Currency, date: NaiveDate) -> Result<i64> {
    let id = account_id(conn, account)?;
    Ok(conn.query_row(
        "SELECT coalesce(SUM(p.amount_minor), 0) FROM postings p JOIN transactions t ON t.id = p.txn_id
         WHERE p.account_id = ?1 AND p.currency = ?2 AND t.date <= ?3",
        params![id, currency.code(), date],
        |r| r.get(0),
    )?)
}

/// A saved reconciliation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciliation {
    pub id: i64,
    pub account: String,
    pub currency: Currency,
    pub statement_date: NaiveDate,
    pub statement_balance_minor: Option<i64>,
    pub ledger_balance_minor: i64,
    pub file_name: String,
    pub file_sha256: String,
    /// Postings it matched or cleared.
    pub matched_count: i64,
    pub entered_at: String,
    pub entered_by: String,
    /// Saved with `--force` though it did not tie out.
    pub forced: bool,
    /// Undone since (`reconcile undo`): its postings are offered again.
    pub undone: bool,
}

/// The saved reconciliations of an account, oldest first.
pub fn reconciliations(conn: &Connection, account: &str) -> Result<Vec<Reconciliation>> {
    let id = account_id(conn, account)?;
    let mut stmt = conn.prepare(
        "SELECT id, currency, statement_date, statement_balance_minor, ledger_balance_minor, file_name,
                file_sha256, matched_count, entered_at, entered_by, forced, undone
         FROM reconciliations WHERE account_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(Reconciliation {
            id: r.get(0)?,
            account: account.to_string(),
            currency: currency(&r.get::<_, String>(1)?)?,
            statement_date: super::read::date_at(r, 2)?,
            statement_balance_minor: r.get(3)?,
            ledger_balance_minor: r.get(4)?,
            file_name: r.get(5)?,
            file_sha256: r.get(6)?,
            matched_count: r.get(7)?,
            entered_at: r.get(8)?,
            entered_by: r.get(9)?,
            forced: r.get(10)?,
            undone: r.get(11)?,
        });
    }
    Ok(out)
}

/// The saved reconciliation of `account` made from a statement with this SHA-256, if any:
/// its id, statement date, and the statement lines it matched.
pub fn saved_from(
    conn: &Connection,
    account: &str,
    file_sha256: &str,
) -> Result<Option<(i64, String, Vec<i64>)>> {
    let id = account_id(conn, account)?;
    let found: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, statement_date FROM reconciliations
             WHERE account_id = ?1 AND file_sha256 = ?2 AND undone = 0 ORDER BY id LIMIT 1",
            params![id, file_sha256],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((reconciliation, date)) = found else {
        return Ok(None);
    };
    let mut stmt = conn.prepare(
        "SELECT DISTINCT statement_line FROM reconciled_postings
         WHERE reconciliation_id = ?1 AND statement_line > 0 ORDER BY statement_line",
    )?;
    let lines = stmt
        .query_map([reconciliation], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some((reconciliation, date, lines)))
}

/// The date of the saved reconciliation that covers a posting of transaction `txn`, if any.
pub fn covering(conn: &Connection, txn: i64) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT r.id, r.statement_date FROM reconciled_postings rp
             JOIN reconciliations r ON r.id = rp.reconciliation_id
             JOIN postings p ON p.id = rp.posting_id WHERE p.txn_id = ?1 AND r.undone = 0 ORDER BY r.id LIMIT 1",
            [txn],
            |r| r.try_into(),
        )
        .optional()?)
}

/// What `reconcile --mark` saves.
#[derive(Clone, Debug)]
pub struct NewReconciliation<'a> {
    pub account: &'a str,
    pub currency: Currency,
    pub statement_date: NaiveDate,
    pub statement_balance_minor: Option<i64>,
    pub ledger_balance_minor: i64,
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    /// (posting id, statement line) of every match.
    pub matched: &'a [(i64, u64)],
    /// Saved though it did not tie out.
    pub forced: bool,
}

impl Writer<'_> {
    /// Saves a reconciliation and the postings it matched; returns its id.
    pub fn save_reconciliation(&mut self, r: &NewReconciliation<'_>) -> Result<i64> {
        let account_id = account_id(self.conn(), r.account)?;
        let id: i64 = self.conn().query_row(
            "SELECT coalesce(max(id), 0) + 1 FROM reconciliations",
            [],
            |row| row.get(0),
        )?;
        let mut matched = Vec::with_capacity(r.matched.len());
        for (posting_id, statement_line) in r.matched {
            let (txn, line) = super::chain::posting_line(self.conn(), *posting_id)?;
            matched.push((txn, line, *statement_line as i64));
        }
        self.append(&Entry::Reconciled {
            id,
            account_id,
            currency: r.currency.code().to_string(),
            statement_date: super::hash::date_text(r.statement_date),
            statement_balance_minor: r.statement_balance_minor,
            ledger_balance_minor: r.ledger_balance_minor,
            file_name: r.file_name.to_string(),
            file_sha256: r.file_sha256.to_string(),
            matched,
            forced: r.forced,
        })?;
        Ok(id)
    }
}

impl Writer<'_> {
    /// Undoes saved reconciliation `id`: it stays on record (so does this undo), its
    /// postings are offered again and its account's books reopen through its date. Returns
    /// the account it was of.
    pub fn undo_reconciliation(&mut self, id: i64) -> Result<String> {
        let found: Option<(String, bool)> = self
            .conn()
            .query_row(
                "SELECT a.name, r.undone FROM reconciliations r JOIN accounts a ON a.id = r.account_id
                 WHERE r.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match found {
            Some((account, false)) => {
                self.append(&Entry::ReconciliationUndone { id })?;
                Ok(account)
            }
            Some(_) => Err(crate::error::Error::Refused(format!(
                "reconciliation {id} was already undone"
            ))),
            None => Err(crate::error::Error::Refused(format!(
                "no saved reconciliation {id}; `fondo reconcile --list ACCOUNT` lists an account's saved reconciliations with their ids"
            ))),
        }
    }
}
