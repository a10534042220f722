//! Refunds: each returns part of a gift, no earlier than it, and a gift's live refunds
//! together return no more than it gave, nor does a voided gift keep one. The chain proves the
//! links; this re-checks the rules `refund` and `void` enforce on write.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::Problems;
use crate::domain::names::DONATIONS;
use crate::error::Result;

/// SQL: the transaction `x`'s net debit to `income:donations`, in minor units.
fn donations_debit(x: &str) -> String {
    format!(
        "(SELECT coalesce(SUM(p.amount_minor), 0) FROM postings p JOIN accounts a ON a.id = p.account_id
          WHERE p.txn_id = {x} AND a.name = '{DONATIONS}')"
    )
}

/// One refund as stored: (refund, gift, refund dated before gift, returned, the gift's
/// credit, refund live, gift voided).
type RefundRow = (i64, i64, bool, i64, i64, bool, bool);

pub(super) fn check_refunds(conn: &Connection, problems: &mut Problems) -> Result<()> {
    let sql = format!(
        "SELECT r.txn_id, r.gift_id, t.date < g.date, {}, -{},
                NOT EXISTS (SELECT 1 FROM transactions v WHERE v.voids = r.txn_id),
                EXISTS (SELECT 1 FROM transactions v WHERE v.voids = r.gift_id)
         FROM refunds r JOIN transactions t ON t.id = r.txn_id JOIN transactions g ON g.id = r.gift_id
         ORDER BY r.gift_id, r.txn_id",
        donations_debit("r.txn_id"),
        donations_debit("r.gift_id")
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows: Vec<RefundRow> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut returned: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (refund, gift, early, minor, given, live, gift_voided) in rows {
        if early {
            problems.push(format!(
                "refund #{refund} is dated before gift #{gift}, which it returns"
            ));
        }
        if minor <= 0 || given <= 0 {
            problems.push(format!(
                "refund #{refund} of #{gift}: a refund debits {DONATIONS} what a gift credited to it"
            ));
        }
        if live && gift_voided {
            problems.push(format!(
                "gift #{gift} was voided while its refund #{refund} stands"
            ));
        }
        let total = returned.entry(gift).or_insert((0, given));
        if live {
            total.0 = total.0.saturating_add(minor);
        }
    }
    for (gift, (total, given)) in returned {
        if total > given {
            problems.push(format!(
                "gift #{gift}: its live refunds return {total} minor units, more than the {given} it gave"
            ));
        }
    }
    Ok(())
}
