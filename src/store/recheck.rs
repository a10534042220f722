//! What a write checks again, as stored, before it commits (TigerBeetle's paired
//! assertions): every transaction it recorded balances per currency and fund, and the
//! maintained totals moved by exactly its postings. Either failing is a bug, or someone
//! else's trigger; the write then stops with [`Error::Internal`] and nothing of it is kept.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Params, Statement, Transaction};

use super::write::TotalKey;
use crate::domain::Currency;
use crate::error::{Error, Result};

/// Debits and credits. Summed in `i128`: no number of postings of at most 10^15 each that a
/// ledger can hold comes near its limit, so the recomputed side is exact.
type Moved = (i128, i128);

/// The maintained totals as they stood before this write first added to them.
#[derive(Default)]
pub(super) struct TotalsBefore {
    balances: HashMap<TotalKey, (i64, i64)>,
    days: HashMap<TotalKey, HashMap<NaiveDate, (i64, i64)>>,
}

impl TotalsBefore {
    /// Notes the stored totals of `key`, overall and on `date`, unless this write already
    /// noted them: called before the write adds a posting to them.
    pub(super) fn note(&mut self, tx: &Transaction<'_>, key: TotalKey, date: NaiveDate) -> Result<()> {
        let (account, fund, currency) = key;
        if let Entry::Vacant(slot) = self.balances.entry(key) {
            let stored = stored(
                &mut *tx.prepare_cached(BALANCE)?,
                params![account, fund, currency],
            )?;
            slot.insert(stored.unwrap_or_default());
        }
        let days = self.days.entry(key).or_default();
        if let Entry::Vacant(slot) = days.entry(date) {
            let stored = stored(
                &mut *tx.prepare_cached(DAY)?,
                params![account, fund, currency, date],
            )?;
            slot.insert(stored.unwrap_or_default());
        }
        Ok(())
    }
}

const BALANCE: &str =
    "SELECT debit_minor, credit_minor FROM balances WHERE account_id = ?1 AND fund_id = ?2 AND currency = ?3";
const DAY: &str = "SELECT debit_minor, credit_minor FROM daily_totals
                   WHERE account_id = ?1 AND fund_id = ?2 AND currency = ?3 AND date = ?4";

/// The debits and credits `total` (a [`BALANCE`] or [`DAY`] query) reads, if it has a row.
fn stored(total: &mut Statement<'_>, key: impl Params) -> Result<Option<(i64, i64)>> {
    Ok(total.query_row(key, |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

/// What the postings of this write moved per balance, recomputed from them as stored.
#[derive(Default)]
struct Recomputed {
    balances: HashMap<TotalKey, Moved>,
}

impl Recomputed {
    fn add(&mut self, key: TotalKey, minor: i64) {
        let sum = self.balances.entry(key).or_default();
        if minor >= 0 {
            sum.0 += i128::from(minor);
        } else {
            sum.1 -= i128::from(minor);
        }
    }
}

/// Per noted day, what its totals moved as stored (now less before) and the write's
/// postings have not yet accounted for. Held in place of the totals before, so that a
/// write across many days (an import) holds one map of days, not two.
type DaysLeft = HashMap<TotalKey, HashMap<NaiveDate, (i64, i64)>>;

/// Checks the transactions from `first` on, and the totals `before` noted, as stored now
/// (the write's pending totals already written out).
pub(super) fn check_written(tx: &Transaction<'_>, first: i64, before: &mut TotalsBefore) -> Result<()> {
    let mut days = days_moved_as_stored(tx, std::mem::take(&mut before.days))?;
    let moved = check_balanced(tx, first, &mut days)?;
    check_totals_moved(tx, before, &moved)?;
    check_days_accounted(tx, first, &days)
}

/// Turns the daily totals noted before the write into what each has moved since, as stored.
fn days_moved_as_stored(tx: &Transaction<'_>, mut days: DaysLeft) -> Result<DaysLeft> {
    let mut day = tx.prepare_cached(DAY)?;
    for ((account, fund, currency), dates) in &mut days {
        for (date, total) in dates.iter_mut() {
            let now = stored(&mut day, params![account, fund, currency, date])?.unwrap_or_default();
            // Debits and credits only grow, from zero: neither difference can overflow.
            *total = (now.0 - total.0, now.1 - total.1);
        }
    }
    Ok(days)
}

/// Every noted day's totals moved by exactly what the write's postings took from them.
fn check_days_accounted(tx: &Transaction<'_>, first: i64, days: &DaysLeft) -> Result<()> {
    for (key, dates) in days {
        if let Some((date, _)) = dates.iter().find(|(_, left)| **left != (0, 0)) {
            return Err(day_mismatch(tx, first, *key, *date, dates.get(date).copied()));
        }
    }
    Ok(())
}

/// The error for a day whose totals did not move by its postings (or moved unnoted), with
/// the totals before, now and what the postings moved, recomputed for that day alone.
fn day_mismatch(
    tx: &Transaction<'_>,
    first: i64,
    key: TotalKey,
    date: NaiveDate,
    left: Option<(i64, i64)>,
) -> Error {
    let (account, fund, currency) = key;
    let found = || -> Result<Error> {
        let now = stored(
            &mut *tx.prepare_cached(DAY)?,
            params![account, fund, currency, date],
        )?;
        let moved: (i64, i64) = tx.query_row(
            "SELECT coalesce(sum(max(p.amount_minor, 0)), 0), coalesce(sum(max(-p.amount_minor, 0)), 0)
             FROM postings p JOIN transactions t ON t.id = p.txn_id
             WHERE p.txn_id >= ?1 AND p.account_id = ?2 AND p.fund_id = ?3 AND p.currency = ?4 AND t.date = ?5",
            params![first, account, fund, currency, date],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        // What stood before: now less what the postings and the stray change moved.
        let was = left.map(|(debit, credit)| {
            let now = now.unwrap_or_default();
            (
                now.0.saturating_sub(moved.0).saturating_sub(debit),
                now.1.saturating_sub(moved.1).saturating_sub(credit),
            )
        });
        let what = || format!("account {account} / fund {fund} / {currency} on {date}");
        let moved = (i128::from(moved.0), i128::from(moved.1));
        Ok(compare(now, was.as_ref(), Some(&moved), what)
            .err()
            .unwrap_or_else(|| {
                Error::Internal(format!(
                    "the maintained totals of {} did not move by this write's postings",
                    what()
                ))
            }))
    };
    found().unwrap_or_else(|e| e)
}

/// Streams the postings from transaction `first` on, in transaction order: each
/// transaction must balance per currency and fund. Returns what they moved.
fn check_balanced(tx: &Transaction<'_>, first: i64, days: &mut DaysLeft) -> Result<Recomputed> {
    let mut stmt = tx.prepare(
        "SELECT p.txn_id, p.currency, p.fund_id, p.amount_minor, p.account_id, t.date
         FROM postings p JOIN transactions t ON t.id = p.txn_id
         WHERE p.txn_id >= ?1 ORDER BY p.txn_id",
    )?;
    let mut rows = stmt.query([first])?;
    let mut moved = Recomputed::default();
    let mut current = None;
    // One transaction's sums at a time: constant memory however large the import.
    let mut sums: Vec<((String, i64), i128)> = Vec::new();
    let unbalanced = |txn: i64, sums: &[((String, i64), i128)]| -> Result<()> {
        match sums.iter().find(|(_, sum)| *sum != 0) {
            Some(((currency, _), minor)) => Err(Error::Internal(format!(
                "transaction #{txn} was stored unbalanced in {currency} by {minor} minor units"
            ))),
            None => Ok(()),
        }
    };
    while let Some(r) = rows.next()? {
        let txn: i64 = r.get(0)?;
        if current != Some(txn) {
            if let Some(done) = current {
                unbalanced(done, &sums)?;
            }
            current = Some(txn);
            sums.clear();
        }
        let (currency, fund, minor): (String, i64, i64) = (r.get(1)?, r.get(2)?, r.get(3)?);
        let code = Currency::parse(&currency)
            .map_err(|why| Error::Internal(format!("transaction #{txn} was stored in `{currency}`: {why}")))?
            .code();
        let (key, date) = ((r.get(4)?, fund, code), r.get(5)?);
        moved.add(key, minor);
        let Some(left) = days.get_mut(&key).and_then(|dates| dates.get_mut(&date)) else {
            return Err(day_mismatch(tx, first, key, date, None));
        };
        // Within what the day moved as stored, so no overflow: anything else is a mismatch.
        let taken = if minor >= 0 { &mut left.0 } else { &mut left.1 };
        *taken = taken.saturating_sub(minor.saturating_abs());
        let key = (currency, fund);
        match sums.iter_mut().find(|(k, _)| *k == key) {
            Some((_, sum)) => *sum += i128::from(minor),
            None => sums.push((key, i128::from(minor))),
        }
    }
    if let Some(done) = current {
        unbalanced(done, &sums)?;
    }
    Ok(moved)
}

/// Every total the write noted, or its postings moved, now stands at what it stood at
/// before plus exactly what the postings moved.
fn check_totals_moved(tx: &Transaction<'_>, before: &TotalsBefore, moved: &Recomputed) -> Result<()> {
    let mut balance = tx.prepare_cached(BALANCE)?;
    let keys: HashSet<&TotalKey> = before.balances.keys().chain(moved.balances.keys()).collect();
    for key @ (account, fund, currency) in keys {
        let now = stored(&mut balance, params![account, fund, currency])?;
        let what = || format!("account {account} / fund {fund} / {currency}");
        compare(now, before.balances.get(key), moved.balances.get(key), what)?;
    }
    Ok(())
}

/// `now` must be `was` plus `moved`; a total the write moved but never noted is itself a bug.
fn compare(
    now: Option<(i64, i64)>,
    was: Option<&(i64, i64)>,
    moved: Option<&Moved>,
    what: impl FnOnce() -> String,
) -> Result<()> {
    let now = now.unwrap_or_default();
    let was = was.copied();
    let moved = moved.copied().unwrap_or_default();
    let expected = was.map(|(d, c)| (i128::from(d) + moved.0, i128::from(c) + moved.1));
    if expected == Some((i128::from(now.0), i128::from(now.1))) {
        return Ok(());
    }
    Err(Error::Internal(format!(
        "the maintained totals of {} moved to {now:?} from {was:?}, but this write's postings moved them by {moved:?}",
        what()
    )))
}
