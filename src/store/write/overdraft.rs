//! No fund may spend money it does not hold: the check on every asset account's balance,
//! on a transaction's date and every later day, before anything is written.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::params;

use super::record::ResolvedPosting;
use super::totals::TotalKey;
use super::Writer;
use crate::domain::names::{AccountType, UNION_ACCOUNT};
use crate::domain::{Currency, NewTransaction, Sum};
use crate::error::{Error, Result, Shortfall};
use crate::store::read;

/// Whether an asset account may go below zero: only a credit line should.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overdraft {
    #[default]
    Refused,
    Allowed,
}

impl Writer<'_> {
    /// Before anything is written: no (asset account, fund, currency) this transaction takes
    /// money from may go below zero, at the end of its date or of any later day, unless the
    /// account was added with `--allow-negative` (a credit line). A back-dated payment is
    /// therefore refused if a later payment already spent the money it would take.
    pub(super) fn check_no_overdraft(
        &self,
        txn: &NewTransaction,
        resolved: &[ResolvedPosting],
    ) -> Result<()> {
        let mut outflows: BTreeMap<TotalKey, (Sum, usize)> = BTreeMap::new();
        for (i, (p, r)) in txn.postings.iter().zip(resolved).enumerate() {
            if r.account_type == AccountType::Assets && !r.allow_negative {
                let currency = p.amount.currency();
                outflows
                    .entry((r.account_id, r.fund_id, currency.code()))
                    .or_insert((Sum::zero(currency), i))
                    .0
                    .add(p.amount)?;
            }
        }
        for ((account_id, fund_id, _), (delta, i)) in outflows {
            if !delta.is_negative() {
                continue;
            }
            let (lowest, on) = self.lowest_balance_from(account_id, fund_id, delta.currency(), txn.date)?;
            let after = lowest.plus(delta)?;
            if after.is_negative() {
                let p = &txn.postings[i];
                let why = if p.account == UNION_ACCOUNT {
                    "the union cannot pass on more than it holds for a fund"
                } else {
                    "a fund cannot spend money it does not hold; an account that may go below zero, such as a credit line, is added with `--allow-negative`"
                };
                return Err(Error::InsufficientFunds(Box::new(Shortfall {
                    fund: p.fund.clone(),
                    account: p.account.clone(),
                    date: on.to_string(),
                    available: lowest.to_string(),
                    after: after.to_string(),
                    why,
                })));
            }
        }
        Ok(())
    }

    /// The lowest end-of-day balance of (account, fund, currency) on `date` or any later day
    /// recorded, and the day it falls on: what a payment dated `date` can take without
    /// leaving any later day below zero. Reads the days from `date` on, not the whole history.
    fn lowest_balance_from(
        &self,
        account_id: i64,
        fund_id: i64,
        currency: Currency,
        date: NaiveDate,
    ) -> Result<(Sum, NaiveDate)> {
        let code = currency.code();
        let total = Sum::from_minor(
            read::balance_minor(&self.tx, account_id, fund_id, code)?,
            currency,
        )
        .plus(self.totals.net(account_id, fund_id, currency)?)?;
        let mut later: BTreeMap<NaiveDate, Sum> = BTreeMap::new();
        let mut stmt = self.tx.prepare_cached(
            "SELECT date, debit_minor - credit_minor FROM daily_totals
             WHERE account_id = ?1 AND fund_id = ?2 AND currency = ?3 AND date >= ?4",
        )?;
        let mut rows = stmt.query(params![account_id, fund_id, code, date])?;
        while let Some(r) = rows.next()? {
            later.insert(read::date_at(r, 0)?, Sum::from_minor(r.get(1)?, currency));
        }
        if let Some(days) = self.totals.days.get(&(account_id, fund_id, code)) {
            for (day, pending) in days.range(date..) {
                later
                    .entry(*day)
                    .or_insert(Sum::zero(currency))
                    .add(pending.net()?)?;
            }
        }
        later.entry(date).or_insert(Sum::zero(currency));
        let after_date = later
            .values()
            .try_fold(Sum::zero(currency), |sum, net| sum.plus(*net))?;
        let mut balance = total.minus(after_date)?;
        let mut lowest: Option<(Sum, NaiveDate)> = None;
        for (day, net) in later {
            balance.add(net)?;
            if lowest.is_none_or(|(low, _)| balance.minor() < low.minor()) {
                lowest = Some((balance, day));
            }
        }
        lowest.ok_or_else(|| Error::Internal("no day to check the balance on".into()))
    }

    /// What each fund holds in `account` at the end of `date`, including what this write has
    /// recorded so far (its pending totals are written out first).
    pub fn holdings(
        &mut self,
        account: &str,
        currency: crate::domain::Currency,
        date: NaiveDate,
    ) -> Result<Vec<crate::domain::payout::Holding>> {
        self.totals.flush(&self.tx)?;
        read::holdings(&self.tx, account, currency, date)
    }
}
