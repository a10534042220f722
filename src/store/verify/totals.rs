//! The totals recomputed from the postings, and the maintained totals compared with them.

use rusqlite::Connection;

use super::postings::PostingRow;
use super::Problems;
use crate::error::Result;
use crate::store::keyed::KeyedMap;
use crate::store::read::Names;

/// Debits and credits recomputed from the postings, keyed by account id, fund id, currency
/// and (for the daily totals) date.
type Sums<K> = KeyedMap<K, (i64, i64)>;

/// A currency code or a date as fixed bytes, so keying millions of sums allocates nothing.
/// Text of another length (possible only in a damaged file) is cut or padded, and then
/// differs from what the store holds, which is reported.
pub(super) fn bytes<const N: usize>(text: &str) -> [u8; N] {
    let mut out = [b'?'; N];
    for (o, b) in out.iter_mut().zip(text.bytes()) {
        *o = b;
    }
    out
}

pub(super) fn text<const N: usize>(bytes: &[u8; N]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What the walk recomputes, to compare with what the store maintains.
#[derive(Default)]
pub(super) struct Recomputed {
    totals: Sums<(i64, i64, [u8; 3])>,
    daily: Sums<(i64, i64, [u8; 3], [u8; 10])>,
}

impl Recomputed {
    pub(super) fn add(&mut self, p: &PostingRow, date: [u8; 10]) -> Option<()> {
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

/// Compares what the store maintains (`balances`, `daily_totals`) with what the walk
/// recomputed from the postings.
pub(super) fn check_maintained_totals(
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
