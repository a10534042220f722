//! `verify`: re-checks everything the store maintains against what it was derived from —
//! SQLite's own integrity, foreign keys, the hash chains, that every transaction balances,
//! and that the maintained totals equal totals recomputed from the postings.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::Serialize;

use super::hash::{self, PostingContent, PrivateText, TxnContent, GENESIS};
use super::read::Names;
use super::Ledger;
use crate::domain::{Amount, Currency};
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

#[derive(Default)]
struct Problems {
    listed: Vec<String>,
    more: usize,
}

impl Problems {
    /// Adds another set of problems after these.
    fn extend(&mut self, other: Problems) {
        for problem in other.listed {
            self.push(problem);
        }
        self.more += other.more;
    }

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
    let mut problems = Problems::default();
    // SQLite's own checks read every page but need nothing from the walk below: on a file,
    // they run on a second connection in another thread while the walk runs.
    let path = ledger.path();
    let sqlite_checks = (path != std::path::Path::new(":memory:")).then(|| {
        let path = path.to_path_buf();
        std::thread::spawn(move || -> Result<Problems> {
            let own = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let mut found = Problems::default();
            check_sqlite(&own, &mut found)?;
            Ok(found)
        })
    });
    if sqlite_checks.is_none() {
        check_sqlite(conn, &mut problems)?;
    }
    let names = Names::read(conn)?;
    let mut recomputed = Recomputed::default();
    let mut walked = Problems::default();
    let chain = check_transactions(conn, &names, expected_head, &mut recomputed, &mut walked)?;
    check_maintained_totals(conn, &names, recomputed, &mut walked)?;
    if let Some(handle) = sqlite_checks {
        let found = handle
            .join()
            .map_err(|_| Error::Refused("the integrity check stopped unexpectedly".into()))??;
        problems.extend(found);
    }
    problems.extend(walked);
    check_confirmations(conn, &mut problems)?;
    for problem in super::erase::check_erasures(conn)? {
        problems.push(problem);
    }
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

/// Debits and credits recomputed from the postings, keyed by account id, fund id, currency
/// and (for the daily totals) date.
type Sums<K> = HashMap<K, (i64, i64)>;

/// A currency code or a date as fixed bytes, so keying millions of sums allocates nothing.
/// Text of another length (possible only in a damaged file) is cut or padded, and then
/// differs from what the store holds, which is reported.
fn bytes<const N: usize>(text: &str) -> [u8; N] {
    let mut out = [b'?'; N];
    for (o, b) in out.iter_mut().zip(text.bytes()) {
        *o = b;
    }
    out
}

fn text<const N: usize>(bytes: &[u8; N]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What the walk recomputes, to compare with what the store maintains.
#[derive(Default)]
struct Recomputed {
    totals: Sums<(i64, i64, [u8; 3])>,
    daily: Sums<(i64, i64, [u8; 3], [u8; 10])>,
}

impl Recomputed {
    fn add(&mut self, p: &PostingRow, date: [u8; 10]) -> Option<()> {
        let (debit, credit) = (p.amount_minor.max(0), p.amount_minor.checked_neg()?.max(0));
        let total = self
            .totals
            .entry((p.account_id, p.fund_id, p.currency))
            .or_default();
        total.0 = total.0.checked_add(debit)?;
        total.1 = total.1.checked_add(credit)?;
        let day = self
            .daily
            .entry((p.account_id, p.fund_id, p.currency, date))
            .or_default();
        day.0 = day.0.checked_add(debit)?;
        day.1 = day.1.checked_add(credit)?;
        Some(())
    }
}

/// Walks transactions and their postings in the order they were written (rowid order, so no
/// index is needed), in two streams merged by transaction id. A posting out of that order in
/// a damaged file shows up as an orphan and as a hash mismatch of its transaction.
fn check_transactions(
    conn: &Connection,
    names: &Names,
    expected_head: Option<&str>,
    recomputed: &mut Recomputed,
    problems: &mut Problems,
) -> Result<ChainSummary> {
    let mut txns = conn.prepare(
        "SELECT t.id, t.date, t.description, t.counterparty, t.reference, t.memo, t.voids, t.entered_at,
                t.entered_by, t.source, t.prev_hash, t.hash, t.pii_salt,
                e.description_digest, e.counterparty_digest, e.memo_digest,
                e.description, e.counterparty, e.memo, e.txn_id IS NOT NULL
         FROM transactions t
         -- The few erased transactions, each with what its latest erasure left.
         LEFT JOIN (SELECT txn_id, description_digest, counterparty_digest, memo_digest,
                           description, counterparty, memo, max(erasure_id)
                    FROM erased_text GROUP BY txn_id) e ON e.txn_id = t.id
         ORDER BY t.rowid",
    )?;
    let mut postings = conn.prepare(
        "SELECT txn_id, line, account_id, fund_id, currency, amount_minor FROM postings ORDER BY rowid",
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
    let mut own = Vec::new();
    let mut currencies = HashMap::new();
    let mut rows = txns.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        // Borrowed from the row: no allocation per field of a million transactions.
        let field = |i: usize| -> Result<Option<&str>> {
            Ok(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => None,
                value => Some(
                    value
                        .as_str()
                        .map_err(|_| Error::Corrupt(format!("non-text in transaction #{id}")))?,
                ),
            })
        };
        let (date, description, counterparty, reference, memo) =
            (field(1)?, field(2)?, field(3)?, field(4)?, field(5)?);
        let (entered_at, entered_by, source, stored_prev) = (field(7)?, field(8)?, field(9)?, field(10)?);
        let voids: Option<i64> = r.get(6)?;
        let stored_hash: String = r.get(11)?;
        let salt = r
            .get_ref(12)?
            .as_blob_or_null()
            .map_err(|_| Error::Corrupt(format!("a salt that is not bytes in transaction #{id}")))?;
        let was_erased: bool = r.get(19)?;
        let private = match (salt, was_erased) {
            (Some(salt), _) => PrivateText::Salted(salt),
            (None, false) => PrivateText::Plain,
            (None, true) => PrivateText::Erased([field(13)?, field(14)?, field(15)?]),
        };
        let erased_text_changed =
            was_erased && [description, counterparty, memo] != [field(16)?, field(17)?, field(18)?];
        // Postings of transactions that no longer exist are orphans.
        while let Some(p) = pending.as_ref().filter(|p| p.txn_id < id) {
            problems.push(format!(
                "posting {} of #{} belongs to no transaction",
                p.line, p.txn_id
            ));
            pending = posting_rows.next()?.map(posting_of).transpose()?;
        }
        own.clear();
        while let Some(p) = pending.take_if(|p| p.txn_id == id) {
            own.push(p);
            pending = posting_rows.next()?.map(posting_of).transpose()?;
        }
        let date = date.unwrap_or_default();
        let day = bytes(date);
        for p in &own {
            recomputed.add(p, day).ok_or_else(|| Error::Overflow {
                what: "the totals recomputed by verify".into(),
            })?;
        }
        let mut bad = Vec::new();
        if id != prev_id + 1 {
            bad.push(format!(
                "follows #{prev_id}: transactions are missing or out of order"
            ));
        }
        if stored_prev != Some(prev_hash.as_str()) {
            bad.push("does not link to the transaction before it".to_string());
        }
        let content = TxnContent {
            id,
            date,
            description: description.unwrap_or_default(),
            counterparty,
            reference,
            memo,
            private,
            voids,
            entered_at: entered_at.unwrap_or_default(),
            entered_by: entered_by.unwrap_or_default(),
            source: source.unwrap_or_default(),
        };
        let computed = hash::transaction_hash(
            stored_prev.unwrap_or_default(),
            &content,
            own.iter().map(|p| PostingContent {
                line: p.line,
                account: names.account(p.account_id),
                fund: names.fund(p.fund_id),
                currency: std::str::from_utf8(&p.currency).unwrap_or("?"),
                amount_minor: p.amount_minor,
            }),
        );
        if computed != stored_hash {
            bad.push("stored content no longer matches its hash (changed after it was recorded)".to_string());
        }
        if erased_text_changed {
            bad.push(
                "its text differs from what its erasure left (changed after `donor forget`)".to_string(),
            );
        }
        if let Some(problem) = balance_problem(&own, names, &mut currencies) {
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
    account_id: i64,
    fund_id: i64,
    currency: [u8; 3],
    amount_minor: i64,
}

fn posting_of(r: &rusqlite::Row<'_>) -> Result<PostingRow> {
    Ok(PostingRow {
        txn_id: r.get(0)?,
        line: r.get(1)?,
        account_id: r.get(2)?,
        fund_id: r.get(3)?,
        currency: bytes(r.get_ref(4)?.as_str().unwrap_or("?")),
        amount_minor: r.get(5)?,
    })
}

fn balance_problem(
    postings: &[PostingRow],
    names: &Names,
    currencies: &mut HashMap<[u8; 3], Option<Currency>>,
) -> Option<String> {
    if postings.len() < 2 {
        return Some(format!(
            "has {} posting(s); a transaction needs at least two",
            postings.len()
        ));
    }
    let mut sums: BTreeMap<([u8; 3], i64), i128> = BTreeMap::new();
    for p in postings {
        // Each code is parsed once, not once a posting.
        let currency = *currencies.entry(p.currency).or_insert_with(|| {
            std::str::from_utf8(&p.currency)
                .ok()
                .and_then(|c| Currency::parse(c).ok())
        });
        if currency.is_none_or(|c| Amount::from_minor(p.amount_minor, c).is_err()) {
            return Some(format!("posting {} holds an invalid amount or currency", p.line));
        }
        *sums.entry((p.currency, p.fund_id)).or_default() += i128::from(p.amount_minor);
    }
    sums.into_iter()
        .find(|(_, sum)| *sum != 0)
        .map(|((currency, fund), sum)| {
            format!(
                "does not balance: {} in fund `{}` sums to {sum} minor units",
                text(&currency),
                names.fund(fund)
            )
        })
}

/// Compares what the store maintains (`balances`, `daily_totals`) with what the walk
/// recomputed from the postings.
fn check_maintained_totals(
    conn: &Connection,
    names: &Names,
    recomputed: Recomputed,
    problems: &mut Problems,
) -> Result<()> {
    let Recomputed {
        mut totals,
        mut daily,
    } = recomputed;
    let mut report =
        |account: i64, fund: i64, currency: &str, when: &str, stored: (i64, i64), actual: (i64, i64)| {
            if stored != actual {
                problems.push(format!(
                    "maintained total of {} / {} / {currency}{when} differs from its postings \
                 (debits off by {}, credits off by {} minor units)",
                    names.account(account),
                    names.fund(fund),
                    stored.0 - actual.0,
                    stored.1 - actual.1
                ));
            }
        };
    let mut stmt =
        conn.prepare("SELECT account_id, fund_id, currency, debit_minor, credit_minor FROM balances")?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    for row in rows {
        let (account, fund, currency, debit, credit): (i64, i64, String, i64, i64) = row?;
        let actual = totals
            .remove(&(account, fund, bytes(&currency)))
            .unwrap_or_default();
        report(account, fund, &currency, "", (debit, credit), actual);
    }
    let mut stmt = conn
        .prepare("SELECT account_id, fund_id, currency, date, debit_minor, credit_minor FROM daily_totals")?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    for row in rows {
        let (account, fund, currency, date, debit, credit): (i64, i64, String, String, i64, i64) = row?;
        let actual = daily
            .remove(&(account, fund, bytes(&currency), bytes(&date)))
            .unwrap_or_default();
        report(
            account,
            fund,
            &currency,
            &format!(" on {date}"),
            (debit, credit),
            actual,
        );
    }
    for ((account, fund, currency), actual) in totals {
        report(account, fund, &text(&currency), "", (0, 0), actual);
    }
    for ((account, fund, currency, date), actual) in daily {
        report(
            account,
            fund,
            &text(&currency),
            &format!(" on {}", text(&date)),
            (0, 0),
            actual,
        );
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
