//! Each transaction in the order written: its link in the chain, its hash, its balance, and
//! what it adds to the recomputed totals and the donors.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::Connection;

use super::postings::{PostingRow, PostingStream};
use super::totals::{bytes, text, Recomputed};
use super::txn_row::TxnRow;
use super::walk::{Link, Walk};
use super::Problems;
use crate::domain::names::DONATIONS;
use crate::domain::{Amount, Currency};
use crate::error::{Error, Result};
use crate::store::hash::{self, PostingContent, PrivateText, TxnContent};
use crate::store::read::Names;
use crate::store::revise;

/// Every transaction with what its latest erasure left, in the order they were written.
const TRANSACTIONS_SQL: &str = "SELECT t.id, t.date, t.description, t.counterparty, t.reference, t.memo, t.voids, t.entered_at,
                t.entered_by, t.source, t.prev_hash, t.hash, coalesce(t.text_salts, t.field_salts, t.pii_salt),
                e.description_digest, e.counterparty_digest, e.memo_digest,
                e.reference_digest, e.entered_by_digest, e.source_digest,
                e.description, e.counterparty, e.memo, e.reference, e.entered_by, e.source,
                e.txn_id IS NOT NULL, t.batch_id,
                (t.text_salts IS NOT NULL) + 2 * (t.field_salts IS NOT NULL) + 4 * (t.pii_salt IS NOT NULL)
         FROM transactions t
         -- The few erased transactions, each with what its latest erasure left.
         LEFT JOIN (SELECT txn_id, description_digest, counterparty_digest, memo_digest,
                           reference_digest, entered_by_digest, source_digest,
                           description, counterparty, memo, reference, entered_by, source,
                           max(erasure_id)
                    FROM erased_text GROUP BY txn_id) e ON e.txn_id = t.id
         ORDER BY t.rowid";

/// Walks transactions and their postings in the order they were written (rowid order, so no
/// index is needed), in two streams merged by transaction id. A posting out of that order in
/// a damaged file shows up as an orphan and as a hash mismatch of its transaction. Collects
/// the donors' names (the counterparties of gifts) into `donors` on the way.
pub(super) fn check_transactions(
    conn: &Connection,
    names: &Names,
    chain: &mut Walk<'_>,
    recomputed: &mut Recomputed,
    donors: &mut HashSet<String>,
    problems: &mut Problems,
) -> Result<()> {
    let donations = names.account_id(DONATIONS);
    let mut txns = conn.prepare(TRANSACTIONS_SQL)?;
    let mut postings = conn.prepare(
        "SELECT txn_id, line, account_id, fund_id, currency, amount_minor FROM postings ORDER BY rowid",
    )?;
    let posting_rows = postings.query([])?;
    // The few transactions whose text was revised since schema 10, with their revisions.
    let revised = revise::all(conn)?;
    // Up to which transaction an empty field of the three-salt form may keep the random salt
    // that fondo gave it before commit 3d7f2d4, as its migration recorded (migrate.rs).
    let (salted_empty_through, record_problems) = super::migrate::salted_empty_fields_through(conn)?;
    for problem in record_problems {
        problems.push(problem);
    }
    let mut postings = PostingStream::start(posting_rows)?;
    let mut checks = TxnChecks {
        names,
        donations,
        revised,
        salted_empty_through,
        currencies: HashMap::new(),
        recomputed,
        donors,
    };
    let mut rows = txns.query([])?;
    while let Some(r) = rows.next()? {
        checks.check(TxnRow::read(r)?, chain, &mut postings)?;
    }
    chain.entries_after_last();
    postings.orphans_before(None, &mut chain.problems)?;
    problems.extend(std::mem::take(&mut chain.problems));
    Ok(())
}

/// What checking each transaction needs, and what it collects.
struct TxnChecks<'a> {
    names: &'a Names,
    donations: Option<i64>,
    /// The few transactions whose text was revised since schema 10, with their revisions.
    revised: HashMap<i64, Vec<revise::Revised>>,
    salted_empty_through: i64,
    currencies: HashMap<[u8; 3], Option<Currency>>,
    recomputed: &'a mut Recomputed,
    donors: &'a mut HashSet<String>,
}

impl TxnChecks<'_> {
    /// Checks one transaction and links it into the chain.
    fn check(
        &mut self,
        row: TxnRow<'_>,
        chain: &mut Walk<'_>,
        postings: &mut PostingStream<'_>,
    ) -> Result<()> {
        let id = row.id;
        chain.entries_before(id);
        chain.in_batch(id, row.batch_id);
        let prev_id = chain.prev_txn;
        let linked = row.stored_prev == Some(chain.prev_hash.as_str());
        let own = postings.take(id, &mut chain.problems)?;
        self.collect(&row, own)?;
        let mut bad = Vec::new();
        if id != prev_id + 1 {
            bad.push(format!(
                "follows #{prev_id}: transactions are missing or out of order"
            ));
        }
        if !linked {
            bad.push("does not link to what was recorded before it".to_string());
        }
        bad.extend(self.content_problems(&row, own));
        if let Some(problem) = balance_problem(own, self.names, &mut self.currencies) {
            bad.push(problem);
        }
        chain.summary.transactions += 1;
        chain.prev_txn = id;
        chain.link(Link::Transaction(id), None, row.stored_hash, bad);
        Ok(())
    }

    /// Adds a gift's donor to the donors, and the postings to the recomputed totals.
    fn collect(&mut self, row: &TxnRow<'_>, own: &[PostingRow]) -> Result<()> {
        if let Some(donor) = row.counterparty.filter(|d| !self.donors.contains(*d)) {
            if own.iter().any(|p| Some(p.account_id) == self.donations) {
                self.donors.insert(donor.to_string());
            }
        }
        let day = bytes(row.date.unwrap_or_default());
        for p in own {
            self.recomputed.add(p, day).ok_or_else(|| Error::Overflow {
                what: "the totals recomputed by verify".into(),
            })?;
        }
        Ok(())
    }

    /// What is wrong with a transaction's content: its hash, the text its erasure left, its
    /// revisions and its salts.
    fn content_problems(&self, row: &TxnRow<'_>, own: &[PostingRow]) -> Vec<String> {
        let revisions = self.revised.get(&row.id).map(Vec::as_slice).unwrap_or_default();
        let mut revised_digests: [Option<String>; 6] = Default::default();
        for r in revisions {
            revised_digests[r.field] = Some(r.hash_digest.clone());
        }
        let private = row.private_text(revisions, &revised_digests);
        let mut bad = Vec::new();
        if crate::encode::hex_digest(&self.digest_of(row, private, own)) != row.stored_hash.as_bytes() {
            bad.push("stored content no longer matches its hash (changed after it was recorded)".to_string());
        }
        bad.extend(row.erased_problem());
        bad.extend(row.revision_problems(revisions));
        if row.misplaced_salts() {
            bad.push("its salts are not in the column fondo writes them to".to_string());
        }
        if row.empty_salted(private, self.salted_empty_through) {
            bad.push("the salt of an empty text field was changed".to_string());
        }
        bad
    }

    /// The hash of a transaction as recomputed from its content and postings.
    fn digest_of(&self, row: &TxnRow<'_>, private: PrivateText<'_>, own: &[PostingRow]) -> [u8; 32] {
        let content = TxnContent {
            id: row.id,
            date: row.date.unwrap_or_default(),
            description: row.description.unwrap_or_default(),
            counterparty: row.counterparty,
            reference: row.reference,
            memo: row.memo,
            private,
            voids: row.voids,
            entered_at: row.entered_at.unwrap_or_default(),
            entered_by: row.entered_by.unwrap_or_default(),
            source: row.source.unwrap_or_default(),
        };
        hash::transaction_digest(
            row.stored_prev.unwrap_or_default(),
            &content,
            own.iter().map(|p| PostingContent {
                line: p.line,
                account: self.names.account(p.account_id),
                fund: self.names.fund(p.fund_id),
                currency: std::str::from_utf8(&p.currency).unwrap_or("?"),
                amount_minor: p.amount_minor,
            }),
        )
    }
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
        // An exact accumulator on purpose: a damaged file may hold postings whose i64 sum
        // overflows, and verify must still say which transaction fails to balance.
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
