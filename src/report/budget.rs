//! Budgets against actuals (issue 16, item 6): per fund and budgeted period, what was
//! budgeted, raised and granted, the variance (raised − budget) and each as a percentage of
//! the budget. *Raised* and *granted* are the funds report's, read through it. A fund with a
//! year's budget and budgets for some of its months has a row for each: they overlap, so the
//! total line does not add the rows up but shows what the budgeted funds raised and granted
//! over the report's dates, read twice (fund by fund, and from one funds report of every
//! fund) to tie out.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::funds::{self, percent_of, Flows};
use crate::domain::plans::Period;
use crate::domain::{Amount, Currency, Sum};
use crate::error::Result;
use crate::store::read::{self, Filter};
use crate::store::Ledger;

/// One fund's budget for one period, against what the fund did in that period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetRow {
    pub fund: String,
    pub period: Period,
    pub budget: Amount,
    pub raised: Sum,
    pub granted: Sum,
    /// raised − budget: below zero, the fund raised less than it planned.
    pub variance: Sum,
    /// raised / budget × 100, to one decimal.
    pub raised_percent: Decimal,
    /// granted / budget × 100, to one decimal.
    pub granted_percent: Decimal,
}

/// Per currency over the report's dates: the budgeted funds' raised and granted, read fund
/// by fund, and the same read from the funds report of every fund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetTotal {
    pub currency: Currency,
    pub raised: Sum,
    pub granted: Sum,
    pub funds_raised: Sum,
    pub funds_granted: Sum,
}

impl BudgetTotal {
    pub fn tied_out(&self) -> bool {
        self.raised == self.funds_raised && self.granted == self.funds_granted
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetReport {
    pub rows: Vec<BudgetRow>,
    pub totals: Vec<BudgetTotal>,
    /// The report's dates: those asked for, else from the first budgeted day to the last.
    pub dates: Option<(NaiveDate, NaiveDate)>,
}

impl BudgetReport {
    pub fn tied_out(&self) -> bool {
        self.totals.iter().all(BudgetTotal::tied_out)
    }
}

/// The budgets whose period overlaps `from..=to` (every budget without dates), each against
/// its whole period.
pub fn budget(ledger: &Ledger, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<BudgetReport> {
    let overlaps =
        |p: Period| from.is_none_or(|f| p.last_day() >= f) && to.is_none_or(|t| p.first_day() <= t);
    let budgets: Vec<_> = read::budgets(ledger.conn())?
        .into_iter()
        .filter(|b| overlaps(b.period))
        .collect();
    let mut rows = Vec::with_capacity(budgets.len());
    for b in &budgets {
        let filter = Filter {
            from: Some(b.period.first_day()),
            to: Some(b.period.last_day()),
            fund: Some(b.fund.clone()),
        };
        let flows = fund_flows(ledger, &filter, b.amount.currency())?;
        let (budget, raised, granted) = (b.amount.minor(), flows.raised.minor(), flows.granted.minor());
        rows.push(BudgetRow {
            fund: b.fund.clone(),
            period: b.period,
            budget: b.amount,
            raised: flows.raised,
            granted: flows.granted,
            variance: flows.raised.minus(b.amount)?,
            raised_percent: percent_of(raised, budget),
            granted_percent: percent_of(granted, budget),
        });
    }
    let dates = from
        .or_else(|| budgets.iter().map(|b| b.period.first_day()).min())
        .zip(to.or_else(|| budgets.iter().map(|b| b.period.last_day()).max()));
    let totals = match dates {
        Some((from, to)) => totals(
            ledger,
            &budgets
                .iter()
                .map(|b| (b.fund.clone(), b.amount.currency()))
                .collect(),
            from,
            to,
        )?,
        None => Vec::new(),
    };
    Ok(BudgetReport { rows, totals, dates })
}

/// One fund's flows in `currency` (nothing yet if it had none) under `filter`.
fn fund_flows(ledger: &Ledger, filter: &Filter, currency: Currency) -> Result<Flows> {
    Ok(funds::funds(ledger, filter)?
        .rows
        .into_iter()
        .find(|r| Some(&r.fund) == filter.fund.as_ref() && r.currency == currency)
        .map_or_else(|| Flows::zero(currency), |r| r.flows))
}

/// The budgeted funds' raised and granted from `from` to `to`, per currency, both ways: only
/// in the currencies they were budgeted in.
fn totals(
    ledger: &Ledger,
    budgeted: &BTreeSet<(String, Currency)>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<BudgetTotal>> {
    let mut by_currency: BTreeMap<Currency, BudgetTotal> = BTreeMap::new();
    let all = Filter {
        from: Some(from),
        to: Some(to),
        fund: None,
    };
    let is_budgeted = |r: &funds::FundRow| budgeted.contains(&(r.fund.clone(), r.currency));
    let mut rows = Vec::new();
    let funds: BTreeSet<&String> = budgeted.iter().map(|(fund, _)| fund).collect();
    for fund in funds {
        let one = Filter {
            fund: Some(fund.clone()),
            ..all.clone()
        };
        rows.extend(
            funds::funds(ledger, &one)?
                .rows
                .into_iter()
                .filter(is_budgeted)
                .map(|r| (true, r)),
        );
    }
    rows.extend(
        funds::funds(ledger, &all)?
            .rows
            .into_iter()
            .filter(is_budgeted)
            .map(|r| (false, r)),
    );
    for (fund_by_fund, r) in rows {
        let zero = Sum::zero(r.currency);
        let t = by_currency.entry(r.currency).or_insert(BudgetTotal {
            currency: r.currency,
            raised: zero,
            granted: zero,
            funds_raised: zero,
            funds_granted: zero,
        });
        let (raised, granted) = if fund_by_fund {
            (&mut t.raised, &mut t.granted)
        } else {
            (&mut t.funds_raised, &mut t.funds_granted)
        };
        raised.add(r.flows.raised)?;
        granted.add(r.flows.granted)?;
    }
    Ok(by_currency.into_values().collect())
}
