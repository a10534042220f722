//! The maintained totals a write adds to: held per (account, fund, currency) and per day,
//! and written out at commit rather than per posting.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::params;

use crate::domain::{Amount, Currency, Sum};
use crate::error::Result;
use crate::store::recheck;

/// How many (account, fund, currency, day) sums a write holds before writing them out.
pub(super) const PENDING_DAYS_LIMIT: usize = 8192;

/// An (account, fund, currency) whose totals are maintained.
pub(in crate::store) type TotalKey = (i64, i64, &'static str);

/// Debits and credits of one (account, fund, currency), apart, as the totals tables keep them.
#[derive(Clone, Copy)]
pub(super) struct DebitsCredits {
    debit: Sum,
    credit: Sum,
}

impl DebitsCredits {
    fn zero(currency: Currency) -> DebitsCredits {
        DebitsCredits {
            debit: Sum::zero(currency),
            credit: Sum::zero(currency),
        }
    }

    /// Adds a posting: a debit if it is positive, a credit if it is negative.
    fn add(&mut self, amount: Amount) -> Result<()> {
        if amount.is_negative() {
            self.credit.add(amount.negated())
        } else {
            self.debit.add(amount)
        }
    }

    /// Debits less credits.
    pub(super) fn net(self) -> Result<Sum> {
        self.debit.minus(self.credit)
    }
}

/// Debits and credits this write adds per (account, fund, currency), and per day as well.
#[derive(Default)]
pub(super) struct PendingTotals {
    pub(super) balances: HashMap<TotalKey, DebitsCredits>,
    /// Per day, in date order, so the overdraft check can walk the days after a date.
    pub(super) days: HashMap<TotalKey, BTreeMap<NaiveDate, DebitsCredits>>,
    pub(super) day_count: usize,
    /// The totals as they stood before this write, for the check at commit.
    pub(super) before: recheck::TotalsBefore,
}

impl PendingTotals {
    pub(super) fn add(
        &mut self,
        tx: &rusqlite::Transaction<'_>,
        account_id: i64,
        fund_id: i64,
        date: NaiveDate,
        amount: Amount,
    ) -> Result<()> {
        let currency = amount.currency();
        let key = (account_id, fund_id, currency.code());
        self.before.note(tx, key, date)?;
        let days = self.days.entry(key).or_default();
        if !days.contains_key(&date) {
            self.day_count += 1;
        }
        for pending in [
            self.balances.entry(key).or_insert(DebitsCredits::zero(currency)),
            days.entry(date).or_insert(DebitsCredits::zero(currency)),
        ] {
            pending.add(amount)?;
        }
        Ok(())
    }

    /// The net this write adds to one balance so far.
    pub(super) fn net(&self, account_id: i64, fund_id: i64, currency: Currency) -> Result<Sum> {
        match self.balances.get(&(account_id, fund_id, currency.code())) {
            Some(pending) => pending.net(),
            None => Ok(Sum::zero(currency)),
        }
    }

    /// Writes the sums and starts again from zero: at commit, and whenever a long import
    /// has touched so many days that holding them would cost more memory than it saves.
    pub(super) fn flush(&mut self, tx: &rusqlite::Transaction<'_>) -> Result<()> {
        let mut balance = tx.prepare_cached(
            "INSERT INTO balances (account_id, fund_id, currency, debit_minor, credit_minor)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (account_id, fund_id, currency) DO UPDATE
                 SET debit_minor = debit_minor + excluded.debit_minor,
                     credit_minor = credit_minor + excluded.credit_minor",
        )?;
        for ((account_id, fund_id, currency), pending) in &self.balances {
            let (debit, credit) = (pending.debit.minor(), pending.credit.minor());
            balance.execute(params![account_id, fund_id, currency, debit, credit])?;
        }
        let mut day = tx.prepare_cached(
            "INSERT INTO daily_totals (account_id, fund_id, currency, date, debit_minor, credit_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (account_id, fund_id, currency, date) DO UPDATE
                 SET debit_minor = debit_minor + excluded.debit_minor,
                     credit_minor = credit_minor + excluded.credit_minor",
        )?;
        for ((account_id, fund_id, currency), days) in &self.days {
            for (date, pending) in days {
                let (debit, credit) = (pending.debit.minor(), pending.credit.minor());
                day.execute(params![account_id, fund_id, currency, date, debit, credit])?;
            }
        }
        self.balances.clear();
        self.days.clear();
        self.day_count = 0;
        Ok(())
    }
}
