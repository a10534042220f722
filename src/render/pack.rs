//! The audit pack's lists of what the chain records besides transactions: its entries,
//! confirmations, reconciled postings, erasures and refunds.

use super::{col, Cell, Tabular};
use crate::store::chain::StoredEntry;
use crate::store::pack::{ConfirmationRecord, ErasureRecord, RefundRecord};

/// Every entry of the chain with its body (JSON) and its link: what a rebuild replays.
pub fn entries_table(entries: &[StoredEntry]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("entry", "Entry"),
        col("after_txn", "After"),
        col("body", "Body"),
        col("entered_at", "Entered at"),
        col("entered_by", "By"),
        col("prev_hash", "Previous hash"),
        col("hash", "Hash"),
    ]);
    for e in entries {
        t.rows.push(vec![
            Cell::Int(e.id),
            Cell::Int(e.after_txn),
            e.body.as_str().into(),
            e.entered_at.as_str().into(),
            e.entered_by.as_str().into(),
            e.prev_hash.as_str().into(),
            e.hash.as_str().into(),
        ]);
    }
    t
}

pub fn confirmations_table(confirmations: &[ConfirmationRecord]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("confirmation", "Confirmation"),
        col("txn", "Grant"),
        col("commune", "Commune"),
        col("date", "Date"),
        col("reference", "Receipt"),
        col("note", "Note"),
        col("entered_at", "Entered at"),
        col("entered_by", "By"),
        col("hash", "Entry hash"),
    ]);
    for c in confirmations {
        t.rows.push(vec![
            Cell::Int(c.id),
            Cell::Int(c.txn),
            c.commune.as_str().into(),
            c.date.to_string().into(),
            c.reference.clone().into(),
            c.note.clone().into(),
            c.entered_at.as_str().into(),
            c.entered_by.as_str().into(),
            c.hash.as_str().into(),
        ]);
    }
    t
}

pub fn reconciled_postings_table(matched: &[(i64, i64, i64, i64)]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("reconciliation", "Reconciliation"),
        col("txn", "Txn"),
        col("line", "Line"),
        col("statement_line", "Statement line"),
    ]);
    for (reconciliation, txn, line, statement_line) in matched {
        t.rows.push(
            [reconciliation, txn, line, statement_line]
                .map(|n| Cell::Int(*n))
                .to_vec(),
        );
    }
    t
}

pub fn erasures_table(erasures: &[ErasureRecord]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("erasure", "Erasure"),
        col("placeholder", "Placeholder"),
        col("transactions", "Transactions"),
        col("entered_at", "Entered at"),
        col("entered_by", "By"),
        col("hash", "Entry hash"),
    ]);
    for e in erasures {
        t.rows.push(vec![
            Cell::Int(e.id),
            e.placeholder.as_str().into(),
            Cell::Int(e.transactions),
            e.entered_at.as_str().into(),
            e.entered_by.as_str().into(),
            e.hash.as_str().into(),
        ]);
    }
    t
}

/// Each refund and the gift it returns: what the donors' count of gifts leaves out.
pub fn refunds_table(refunds: &[RefundRecord]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("txn", "Refund"),
        col("gift", "Gift"),
        col("chargeback", "Chargeback"),
        col("entered_at", "Entered at"),
        col("entered_by", "By"),
        col("hash", "Entry hash"),
    ]);
    for r in refunds {
        t.rows.push(vec![
            Cell::Int(r.txn),
            Cell::Int(r.gift),
            Cell::Bool(r.chargeback),
            r.entered_at.as_str().into(),
            r.entered_by.as_str().into(),
            r.hash.as_str().into(),
        ]);
    }
    t
}
