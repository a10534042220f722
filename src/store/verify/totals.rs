//! The totals recomputed from the postings, and the maintained totals compared with them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rusqlite::Connection;

use super::postings::PostingRow;
use super::Problems;
use crate::error::Result;
use crate::store::read::Names;

/// Debits and credits recomputed from the postings, keyed by account id, fund id, currency
/// and (for the daily totals) date.
type Sums<K> = HashMap<K, (i64, i64), BuildHasherDefault<SumsHasher>>;

/// The hash of a sum's key: ids, a currency code and a date, two keys a posting of a million
/// transactions. Multiply-and-rotate as rustc's own maps do, where SipHash (which resists
/// keys chosen to collide) cost more than the rest of adding a posting; the keys come from
/// the ledger under check, whose worst case is a slower verify, never a wrong one.
#[derive(Default)]
struct SumsHasher(u64);

impl SumsHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for SumsHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_i64(&mut self, value: i64) {
        self.add(value as u64);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

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
