//! Refunds: which gift each refund returns (the `refunds` table, projected from the chain's
//! `refunded` entries), and how much of a gift its live refunds returned.

use rusqlite::{Connection, OptionalExtension};

use crate::domain::names::DONATIONS;
use crate::error::Result;

/// SQL: the refund `r` is live (it was not voided).
const LIVE_REFUND: &str = "NOT EXISTS (SELECT 1 FROM transactions v WHERE v.voids = r.txn_id)";

/// A gift's live refunds, oldest first, and the refund a transaction is, if it is one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefundLinks {
    /// The refunds of this gift that were not voided (a voided one still says, in its own
    /// `refund_of`, which gift it was to return).
    pub refunds: Vec<i64>,
    /// The gift this transaction returns.
    pub refund_of: Option<i64>,
}

pub fn refund_links(conn: &Connection, txn_id: i64) -> Result<RefundLinks> {
    let refunds = live_refunds(conn, txn_id)?;
    let refund_of = conn
        .prepare_cached("SELECT gift_id FROM refunds WHERE txn_id = ?1")?
        .query_row([txn_id], |r| r.get(0))
        .optional()?;
    Ok(RefundLinks { refunds, refund_of })
}

/// The live refunds of gift `gift_id`, oldest first.
pub fn live_refunds(conn: &Connection, gift_id: i64) -> Result<Vec<i64>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT r.txn_id FROM refunds r WHERE r.gift_id = ?1 AND {LIVE_REFUND} ORDER BY r.txn_id"
        ))?
        .query_map([gift_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// What the live refunds of gift `gift_id` returned to the donor, in minor units of the
/// gift's currency: their debits to `income:donations` (a fee is on top of them).
pub fn refunded_minor(conn: &Connection, gift_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT coalesce(SUM(p.amount_minor), 0)
             FROM refunds r JOIN postings p ON p.txn_id = r.txn_id JOIN accounts a ON a.id = p.account_id
             WHERE r.gift_id = ?1 AND a.name = '{DONATIONS}' AND {LIVE_REFUND}"
        ))?
        .query_row([gift_id], |r| r.get(0))?)
}
