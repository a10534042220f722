//! The trial balance: debits, credits and balance per account and currency (optionally per
//! fund, rolled up to a depth), with a total per currency whose debits must equal its credits.

use std::collections::BTreeMap;

use crate::domain::Field;
use crate::domain::{Currency, Sum};
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
    /// The balance before the period, when the report has a start (`--from`).
    pub opening: Option<Sum>,
    pub debit: Sum,
    pub credit: Sum,
    /// The closing balance: `opening + debit - credit`.
    pub balance: Sum,
}

/// The totals of one currency. The report ties out when debits equal credits (and, over
/// a period, when the openings sum to zero as well).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrencyTotal {
    pub currency: Currency,
    pub opening: Option<Sum>,
    pub debit: Sum,
    pub credit: Sum,
    pub balance: Sum,
    pub tied_out: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceReport {
    pub rows: Vec<BalanceRow>,
    pub totals: Vec<CurrencyTotal>,
    /// The report is over a period with a start: its rows have an opening balance.
    pub has_opening: bool,
}

impl BalanceReport {
    pub fn tied_out(&self) -> bool {
        self.totals.iter().all(|t| t.tied_out)
    }
}

/// An account (rolled up to the depth), fund (when by fund) and currency.
type Key = (String, Option<String>, Currency);

/// Debits and credits per key, and per currency.
#[derive(Default)]
struct Sums {
    debits: BTreeMap<Key, Sum>,
    credits: BTreeMap<Key, Sum>,
}

impl Sums {
    fn of(lines: Vec<read::BalanceLine>, options: &BalanceOptions) -> Result<Sums> {
        let mut sums = Sums::default();
        for line in lines {
            let account = match options.depth {
                Some(depth) => line.account.split(':').take(depth).collect::<Vec<_>>().join(":"),
                None => line.account,
            };
            let fund = options.by_fund.then_some(line.fund);
            let key = (account, fund, line.currency);
            let zero = Sum::zero(line.currency);
            let debit = Sum::from_minor(line.debit_minor, line.currency);
            let credit = Sum::from_minor(line.credit_minor, line.currency);
            sums.debits.entry(key.clone()).or_insert(zero).add(debit)?;
            sums.credits.entry(key).or_insert(zero).add(credit)?;
        }
        Ok(sums)
    }

    fn debit(&self, key: &Key) -> Sum {
        self.debits.get(key).copied().unwrap_or(Sum::zero(key.2))
    }

    fn credit(&self, key: &Key) -> Sum {
        self.credits.get(key).copied().unwrap_or(Sum::zero(key.2))
    }

    fn net(&self, key: &Key) -> Result<Sum> {
        self.debit(key).minus(self.credit(key))
    }
}

pub fn balance(ledger: &Ledger, options: &BalanceOptions) -> Result<BalanceReport> {
    if options.depth == Some(0) {
        return Err(Error::invalid(
            Field::DEPTH,
            "0",
            "must be 1 or more (1 shows assets, expenses, ...)",
        ));
    }
    let conn = ledger.conn();
    let period = Sums::of(read::balance_lines(conn, &options.filter)?, options)?;
    // Over a period with a start, what each account held before it.
    let before = options
        .filter
        .from
        .map(|from| {
            let before = Filter {
                from: None,
                to: from.pred_opt(),
                fund: options.filter.fund.clone(),
            };
            Sums::of(read::balance_lines(conn, &before)?, options)
        })
        .transpose()?;
    let mut keys: Vec<&Key> = period.debits.keys().collect();
    if let Some(before) = &before {
        keys.extend(before.debits.keys());
        keys.sort();
        keys.dedup();
    }
    let mut rows = Vec::with_capacity(keys.len());
    let mut totals: BTreeMap<Currency, CurrencyTotal> = BTreeMap::new();
    for key in keys {
        let (account, fund, currency) = key.clone();
        let opening = before.as_ref().map(|b| b.net(key)).transpose()?;
        let balance = period.net(key)?.plus(opening.unwrap_or(Sum::zero(currency)))?;
        let (debit, credit) = (period.debit(key), period.credit(key));
        let zero = Sum::zero(currency);
        let total = totals.entry(currency).or_insert(CurrencyTotal {
            currency,
            opening: opening.map(|_| zero),
            debit: zero,
            credit: zero,
            balance: zero,
            tied_out: false,
        });
        total.debit.add(debit)?;
        total.credit.add(credit)?;
        total.balance.add(balance)?;
        if let (Some(sum), Some(part)) = (&mut total.opening, opening) {
            sum.add(part)?;
        }
        rows.push(BalanceRow {
            account,
            fund,
            currency,
            opening,
            debit,
            credit,
            balance,
        });
    }
    let totals = totals
        .into_values()
        .map(|mut t| {
            t.tied_out = t.debit.minor() == t.credit.minor() && t.opening.is_none_or(Sum::is_zero);
            t
        })
        .collect();
    Ok(BalanceReport {
        rows,
        totals,
        has_opening: before.is_some(),
    })
}
