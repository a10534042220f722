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

/// What the postings of this write moved, recomputed from them as stored.
#[derive(Default)]
struct Recomputed {
    balances: HashMap<TotalKey, Moved>,
    days: HashMap<TotalKey, HashMap<NaiveDate, Moved>>,
}

impl Recomputed {
    fn add(&mut self, key: TotalKey, date: NaiveDate, minor: i64) {
        let moved = if minor >= 0 {
            (i128::from(minor), 0)
        } else {
            (0, -i128::from(minor))
        };
        for sum in [
            self.balances.entry(key).or_default(),
            self.days.entry(key).or_default().entry(date).or_default(),
        ] {
            sum.0 += moved.0;
            sum.1 += moved.1;
        }
    }
}

/// Checks the transactions from `first` on, and the totals `before` noted, as stored now
/// (the write's pending totals already written out).
pub(super) fn check_written(tx: &Transaction<'_>, first: i64, before: &TotalsBefore) -> Result<()> {
    let moved = check_balanced(tx, first)?;
    check_totals_moved(tx, before, &moved)
}

/// Streams the postings from transaction `first` on, in transaction order: each
/// transaction must balance per currency and fund. Returns what they moved.
fn check_balanced(tx: &Transaction<'_>, first: i64) -> Result<Recomputed> {
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
        moved.add((r.get(4)?, fund, code), r.get(5)?, minor);
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
    let (mut balance, mut day) = (tx.prepare_cached(BALANCE)?, tx.prepare_cached(DAY)?);
    let (none_before, none_moved) = (HashMap::new(), HashMap::new());
    let keys: HashSet<&TotalKey> = before.balances.keys().chain(moved.balances.keys()).collect();
    for key @ (account, fund, currency) in keys {
        let now = stored(&mut balance, params![account, fund, currency])?;
        let what = || format!("account {account} / fund {fund} / {currency}");
        compare(now, before.balances.get(key), moved.balances.get(key), what)?;
        let (days_before, days_moved) = (
            before.days.get(key).unwrap_or(&none_before),
            moved.days.get(key).unwrap_or(&none_moved),
        );
        let dates: HashSet<&NaiveDate> = days_before.keys().chain(days_moved.keys()).collect();
        for date in dates {
            let now = day
                .query_row(params![account, fund, currency, date], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let what = || format!("account {account} / fund {fund} / {currency} on {date}");
            compare(now, days_before.get(date), days_moved.get(date), what)?;
        }
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
