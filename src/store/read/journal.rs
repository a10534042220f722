//! Every posting in order, streamed, as `export journal` and `verify` walk them.

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use super::{amount, date_at, fund_id, Filter};
use crate::domain::Amount;
use crate::error::Result;

/// One posting as `export journal` writes it, with its transaction's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalRow {
    pub txn: i64,
    pub date: NaiveDate,
    pub description: String,
    pub account: String,
    pub fund: String,
    pub amount: Amount,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    pub memo: Option<String>,
    pub voids: Option<i64>,
    pub entered_at: String,
    pub entered_by: String,
    pub hash: String,
}

/// The names of accounts and funds by id: small tables, read once, so that walking every
/// posting needs no join.
pub(crate) struct Names {
    accounts: std::collections::HashMap<i64, String>,
    funds: std::collections::HashMap<i64, String>,
}

impl Names {
    pub(crate) fn read(conn: &Connection) -> Result<Names> {
        let pairs = |sql: &str| -> Result<std::collections::HashMap<i64, String>> {
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| r.try_into())?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        Ok(Names {
            accounts: pairs("SELECT id, name FROM accounts")?,
            funds: pairs("SELECT id, code FROM funds")?,
        })
    }

    pub(crate) fn account(&self, id: i64) -> &str {
        self.accounts.get(&id).map_or("?", String::as_str)
    }

    pub(crate) fn fund(&self, id: i64) -> &str {
        self.funds.get(&id).map_or("?", String::as_str)
    }

    /// The id of the account named `name`, if there is one.
    pub(crate) fn account_id(&self, name: &str) -> Option<i64> {
        self.accounts.iter().find(|(_, n)| *n == name).map(|(id, _)| *id)
    }
}

/// Streams every posting in transaction order (then line) to `each`, one transaction in
/// memory at a time. `filter` narrows by transaction date and fund. Transactions and
/// postings are read in the order they were written (rowid) and merged by transaction id,
/// which needs no sort and no join.
pub fn for_each_journal_row(
    conn: &Connection,
    filter: &Filter,
    mut each: impl FnMut(JournalRow) -> Result<()>,
) -> Result<()> {
    let fund = filter.fund.as_deref().map(|f| fund_id(conn, f)).transpose()?;
    let names = Names::read(conn)?;
    let mut txns = conn.prepare(
        "SELECT id, date, description, counterparty, reference, memo, voids, entered_at, entered_by, hash
         FROM transactions WHERE (?1 IS NULL OR date >= ?1) AND (?2 IS NULL OR date <= ?2) ORDER BY rowid",
    )?;
    let mut postings = conn.prepare(
        "SELECT txn_id, line, account_id, fund_id, currency, amount_minor FROM postings ORDER BY rowid",
    )?;
    let mut posting_rows = postings.query([])?;
    let next_posting = |rows: &mut rusqlite::Rows<'_>| -> Result<Option<(i64, i64, i64, Amount)>> {
        match rows.next()? {
            Some(r) => {
                let code: String = r.get(4)?;
                Ok(Some((r.get(0)?, r.get(2)?, r.get(3)?, amount(r.get(5)?, &code)?)))
            }
            None => Ok(None),
        }
    };
    let mut pending = next_posting(&mut posting_rows)?;
    let mut own: Vec<(i64, i64, Amount)> = Vec::new();
    let mut rows = txns.query(params![filter.from, filter.to])?;
    while let Some(r) = rows.next()? {
        let txn: i64 = r.get(0)?;
        own.clear();
        while let Some((txn_id, account, fund_id, amount)) = pending {
            if txn_id > txn {
                break;
            }
            if txn_id == txn {
                own.push((account, fund_id, amount));
            }
            pending = next_posting(&mut posting_rows)?;
        }
        if fund.is_some_and(|f| !own.iter().any(|(_, fund_id, _)| *fund_id == f)) {
            continue;
        }
        for (account, fund_id, amount) in &own {
            each(JournalRow {
                txn,
                date: date_at(r, 1)?,
                description: r.get(2)?,
                account: names.account(*account).to_string(),
                fund: names.fund(*fund_id).to_string(),
                amount: *amount,
                counterparty: r.get(3)?,
                reference: r.get(4)?,
                memo: r.get(5)?,
                voids: r.get(6)?,
                entered_at: r.get(7)?,
                entered_by: r.get(8)?,
                hash: r.get(9)?,
            })?;
        }
    }
    Ok(())
}
