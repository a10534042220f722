//! `verify`: re-checks everything the store maintains against what it was derived from —
//! SQLite's own integrity, foreign keys, the hash chains, that every transaction balances,
//! and that the maintained totals equal totals recomputed from the postings.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::Serialize;

use super::hash::{self, PostingContent, TxnContent, GENESIS};
use super::{read, Ledger};
use crate::error::{Error, Result};

/// What `verify` found. `ok` is true only when `problems` is empty.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct VerifyOutcome {
    pub ok: bool,
    pub transactions: i64,
    /// The hash of the last transaction: what an auditor writes down for `--head`.
    pub head: Option<String>,
    pub problems: Vec<String>,
}

/// Problems listed in full before the rest are only counted.
const PROBLEMS_LISTED: usize = 50;

struct Problems {
    listed: Vec<String>,
    more: usize,
}

impl Problems {
    fn push(&mut self, problem: String) {
        if self.listed.len() < PROBLEMS_LISTED {
            self.listed.push(problem);
        } else {
            self.more += 1;
        }
    }
}

/// Verifies the ledger; `expected_head` is a hash an auditor wrote down earlier, which must
/// still be in the chain with everything up to it intact.
pub fn verify(ledger: &Ledger, expected_head: Option<&str>) -> Result<VerifyOutcome> {
    let conn = ledger.conn();
    if let Some(head) = expected_head {
        if head.len() != 64
            || !head
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(Error::invalid(
                "--head",
                head,
                "a head is the 64 lower-case hex digits `fondo verify` prints",
            ));
        }
    }
    let mut problems = Problems {
        listed: Vec::new(),
        more: 0,
    };
    check_sqlite(conn, &mut problems)?;
    let chain = check_transactions(conn, expected_head, &mut problems)?;
    check_maintained_totals(conn, &mut problems)?;
    check_confirmations(conn, &mut problems)?;
    if let Some(head) = expected_head {
        match chain.head_found_at {
            None => problems.push(format!(
                "head {head} is not in this ledger's chain: transactions up to it were changed, removed or reordered"
            )),
            Some(id) if chain.first_bad.is_some_and(|bad| bad <= id) => problems.push(format!(
                "head {head} is transaction #{id}, but the chain is broken before it"
            )),
            Some(_) => {}
        }
    }
    if problems.more > 0 {
        problems
            .listed
            .push(format!("... and {} more problems", problems.more));
    }
    Ok(VerifyOutcome {
        ok: problems.listed.is_empty(),
        transactions: chain.count,
        head: chain.head,
        problems: problems.listed,
    })
}

fn check_sqlite(conn: &Connection, problems: &mut Problems) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for row in rows {
        let line = row?;
        if line != "ok" {
            problems.push(format!("sqlite integrity check: {line}"));
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    for row in rows {
        let (table, rowid, parent): (String, Option<i64>, String) = row?;
        problems.push(format!(
            "row {} of {table} points to a missing row of {parent}",
            rowid.map_or("?".to_string(), |r| r.to_string())
        ));
    }
    Ok(())
}

struct ChainSummary {
    count: i64,
    head: Option<String>,
    head_found_at: Option<i64>,
    first_bad: Option<i64>,
}

/// Walks transactions and their postings in id order, in two streams merged by id.
fn check_transactions(
    conn: &Connection,
    expected_head: Option<&str>,
    problems: &mut Problems,
) -> Result<ChainSummary> {
    let mut txns = conn.prepare(
        "SELECT id, date, description, counterparty, reference, memo, voids, entered_at, entered_by, source,
                prev_hash, hash
         FROM transactions ORDER BY id",
    )?;
    let mut postings = conn.prepare(
        "SELECT p.txn_id, p.line, coalesce(a.name, '?'), coalesce(f.code, '?'), p.currency, p.amount_minor
         FROM postings p LEFT JOIN accounts a ON a.id = p.account_id LEFT JOIN funds f ON f.id = p.fund_id
         ORDER BY p.txn_id, p.line",
    )?;
    let mut posting_rows = postings.query([])?;
    let mut pending = posting_rows.next()?.map(posting_of).transpose()?;
    let mut summary = ChainSummary {
        count: 0,
        head: None,
        head_found_at: None,
        first_bad: None,
    };
    let mut prev_hash = GENESIS.to_string();
    let mut prev_id = 0_i64;
    let mut rows = txns.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let fields: [Option<String>; 9] = [
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
        ];
        let [date, description, counterparty, reference, memo, entered_at, entered_by, source, stored_prev] =
            fields;
        let voids: Option<i64> = r.get(6)?;
        let stored_hash: String = r.get(11)?;
        // Postings of transactions that no longer exist are orphans.
        while let Some(p) = pending.as_ref().filter(|p| p.txn_id < id) {
            problems.push(format!(
                "posting {} of #{} belongs to no transaction",
                p.line, p.txn_id
            ));
            pending = posting_rows.next()?.map(posting_of).transpose()?;
        }
        let mut own = Vec::new();
        while let Some(p) = pending.take_if(|p| p.txn_id == id) {
            own.push(p);
            pending = posting_rows.next()?.map(posting_of).transpose()?;
        }
        let mut bad = Vec::new();
        if id != prev_id + 1 {
            bad.push(format!(
                "follows #{prev_id}: transactions are missing or out of order"
            ));
        }
        if stored_prev.as_deref() != Some(prev_hash.as_str()) {
            bad.push("does not link to the transaction before it".to_string());
        }
        let content = TxnContent {
            id,
            date: date.as_deref().unwrap_or_default(),
            description: description.as_deref().unwrap_or_default(),
            counterparty: counterparty.as_deref(),
            reference: reference.as_deref(),
            memo: memo.as_deref(),
            voids,
            entered_at: entered_at.as_deref().unwrap_or_default(),
            entered_by: entered_by.as_deref().unwrap_or_default(),
            source: source.as_deref().unwrap_or_default(),
        };
        let computed = hash::transaction_hash(
            stored_prev.as_deref().unwrap_or_default(),
            &content,
            own.iter().map(|p| PostingContent {
                line: p.line,
                account: &p.account,
                fund: &p.fund,
                currency: &p.currency,
                amount_minor: p.amount_minor,
            }),
        );
        if computed != stored_hash {
            bad.push("stored content no longer matches its hash (changed after it was recorded)".to_string());
        }
        if let Some(problem) = balance_problem(&own) {
            bad.push(problem);
        }
        if !bad.is_empty() {
            summary.first_bad.get_or_insert(id);
            problems.push(format!("transaction #{id}: {}", bad.join("; ")));
        }
        if expected_head == Some(stored_hash.as_str()) {
            summary.head_found_at = Some(id);
        }
        summary.count += 1;
        prev_id = id;
        prev_hash = stored_hash;
    }
    while let Some(p) = pending {
        problems.push(format!(
            "posting {} of #{} belongs to no transaction",
            p.line, p.txn_id
        ));
        pending = posting_rows.next()?.map(posting_of).transpose()?;
    }
    summary.head = (summary.count > 0).then_some(prev_hash);
    Ok(summary)
}

struct PostingRow {
    txn_id: i64,
    line: i64,
    account: String,
    fund: String,
    currency: String,
    amount_minor: i64,
}

fn posting_of(r: &rusqlite::Row<'_>) -> Result<PostingRow> {
    Ok(PostingRow {
        txn_id: r.get(0)?,
        line: r.get(1)?,
        account: r.get(2)?,
        fund: r.get(3)?,
        currency: r.get(4)?,
        amount_minor: r.get(5)?,
    })
}

fn balance_problem(postings: &[PostingRow]) -> Option<String> {
    if postings.len() < 2 {
        return Some(format!(
            "has {} posting(s); a transaction needs at least two",
            postings.len()
        ));
    }
    let mut sums: BTreeMap<(&str, &str), i128> = BTreeMap::new();
    for p in postings {
        if read::amount(p.amount_minor, &p.currency).is_err() {
            return Some(format!("posting {} holds an invalid amount or currency", p.line));
        }
        *sums.entry((&p.currency, &p.fund)).or_default() += i128::from(p.amount_minor);
    }
    sums.into_iter()
        .find(|(_, sum)| *sum != 0)
        .map(|((currency, fund), sum)| {
            format!("does not balance: {currency} in fund `{fund}` sums to {sum} minor units")
        })
}

fn check_maintained_totals(conn: &Connection, problems: &mut Problems) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT coalesce(a.name, '?'), coalesce(f.code, '?'), t.currency, t.debits, t.credits, t.kept
         FROM (
             SELECT account_id, fund_id, currency, SUM(debits) AS debits, SUM(credits) AS credits, SUM(kept) AS kept
             FROM (
                 SELECT account_id, fund_id, currency, debit_minor AS debits, credit_minor AS credits, 1 AS kept
                 FROM balances
                 UNION ALL
                 SELECT account_id, fund_id, currency, -SUM(max(amount_minor, 0)), -SUM(max(-amount_minor, 0)), 0
                 FROM postings GROUP BY account_id, fund_id, currency
             )
             GROUP BY account_id, fund_id, currency
         ) t LEFT JOIN accounts a ON a.id = t.account_id LEFT JOIN funds f ON f.id = t.fund_id
         WHERE t.debits <> 0 OR t.credits <> 0 OR t.kept = 0",
    )?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    for row in rows {
        let (account, fund, currency, debits, credits): (String, String, String, i64, i64) = row?;
        problems.push(format!(
            "maintained total of {account} / {fund} / {currency} differs from its postings \
             (debits off by {debits}, credits off by {credits} minor units)"
        ));
    }
    Ok(())
}

fn check_confirmations(conn: &Connection, problems: &mut Problems) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.txn_id, coalesce(t.hash, ''), c.date, c.reference, c.note, c.entered_at, c.entered_by,
                c.prev_hash, c.hash
         FROM confirmations c LEFT JOIN transactions t ON t.id = c.txn_id ORDER BY c.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev_hash = GENESIS.to_string();
    let mut prev_id = 0_i64;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let txn_hash: String = r.get(2)?;
        let date: String = r.get(3)?;
        let reference: Option<String> = r.get(4)?;
        let note: Option<String> = r.get(5)?;
        let entered_at: String = r.get(6)?;
        let entered_by: String = r.get(7)?;
        let stored_prev: String = r.get(8)?;
        let stored_hash: String = r.get(9)?;
        let computed = hash::confirmation_hash(
            &stored_prev,
            &hash::ConfirmationContent {
                id,
                txn_id: r.get(1)?,
                txn_hash: &txn_hash,
                date: &date,
                reference: reference.as_deref(),
                note: note.as_deref(),
                entered_at: &entered_at,
                entered_by: &entered_by,
            },
        );
        if id != prev_id + 1 || stored_prev != prev_hash || computed != stored_hash {
            problems.push(format!(
                "confirmation {id}: stored content no longer matches its hash, or confirmations are missing"
            ));
        }
        prev_id = id;
        prev_hash = stored_hash;
    }
    Ok(())
}
