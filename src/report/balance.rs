//! The trial balance: debits, credits and balance per account and currency (optionally per
//! fund, rolled up to a depth), with a total per currency whose debits must equal its credits.

use std::collections::BTreeMap;

use super::{add_into, difference};
use crate::domain::Currency;
use crate::error::{Error, Result};
use crate::store::read::{self, Filter};
use crate::store::Ledger;

#[derive(Clone, Debug, Default)]
pub struct BalanceOptions {
    pub filter: Filter,
    pub by_fund: bool,
    /// Roll accounts up to this many segments (`1` gives assets, expenses, ...).
    pub depth: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceRow {
    pub account: String,
    /// Set when the report is by fund.
    pub fund: Option<String>,
    pub currency: Currency,
    pub debit_minor: i64,
    pub credit_minor: i64,
    /// `debit - credit`.
    pub balance_minor: i64,
}

/// The totals of one currency. The report ties out when debits equal credits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrencyTotal {
    pub currency: Currency,
    pub debit_minor: i64,
    pub credit_minor: i64,
    pub balance_minor: i64,
    pub tied_out: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceReport {
    pub rows: Vec<BalanceRow>,
    pub totals: Vec<CurrencyTotal>,
}

impl BalanceReport {
    pub fn tied_out(&self) -> bool {
        self.totals.iter().all(|t| t.tied_out)
    }
}

pub fn balance(ledger: &Ledger, options: &BalanceOptions) -> Result<BalanceReport> {
    if options.depth == Some(0) {
        return Err(Error::invalid(
            "--depth",
            "0",
            "must be 1 or more (1 shows assets, expenses, ...)",
        ));
    }
    let lines = read::balance_lines(ledger.conn(), &options.filter)?;
    type Key = (String, Option<String>, Currency);
    let mut debits: BTreeMap<Key, i64> = BTreeMap::new();
    let mut credits: BTreeMap<Key, i64> = BTreeMap::new();
    let mut total_debits: BTreeMap<Currency, i64> = BTreeMap::new();
    let mut total_credits: BTreeMap<Currency, i64> = BTreeMap::new();
    for line in lines {
        let account = match options.depth {
            Some(depth) => line.account.split(':').take(depth).collect::<Vec<_>>().join(":"),
            None => line.account,
        };
        let fund = options.by_fund.then_some(line.fund);
        let key = (account, fund, line.currency);
        let what = || format!("the {} debits or credits", line.currency);
        add_into(&mut debits, key.clone(), line.debit_minor, what)?;
        add_into(&mut credits, key, line.credit_minor, what)?;
        add_into(&mut total_debits, line.currency, line.debit_minor, what)?;
        add_into(&mut total_credits, line.currency, line.credit_minor, what)?;
    }
    let mut rows = Vec::with_capacity(debits.len());
    for ((account, fund, currency), debit_minor) in debits {
        let credit_minor = credits[&(account.clone(), fund.clone(), currency)];
        rows.push(BalanceRow {
            balance_minor: difference(debit_minor, credit_minor, currency)?,
            account,
            fund,
            currency,
            debit_minor,
            credit_minor,
        });
    }
    let mut totals = Vec::with_capacity(total_debits.len());
    for (currency, debit_minor) in total_debits {
        let credit_minor = total_credits[&currency];
        totals.push(CurrencyTotal {
            currency,
            debit_minor,
            credit_minor,
            balance_minor: difference(debit_minor, credit_minor, currency)?,
            tied_out: debit_minor == credit_minor,
        });
    }
    Ok(BalanceReport { rows, totals })
}
