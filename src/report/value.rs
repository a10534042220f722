//! Values in one currency (`--value CUR`): a report's per-currency totals, each valued in
//! CUR at the rate for its currency on the report's date (see [`read::rate_for`]), summed
//! unrounded. Only the figures shown are rounded, once, half-even (see
//! [`valuation::shown`]). It reads the totals a report already made; it never walks postings.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::valuation::{self, RateUsed};
use crate::domain::{Currency, Sum, Totals};
use crate::error::{Error, Result};
use crate::report::activities::ActivitiesReport;
use crate::report::balance::BalanceReport;
use crate::report::campaign::CampaignRow;
use crate::report::funds::{Flows, FundsReport};
use crate::report::position::PositionReport;
use crate::report::transparency::Transparency;
use crate::store::read;
use crate::store::Ledger;

/// One currency's part of a valued line: its sum and that sum valued, unrounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValuedPart {
    pub sum: Sum,
    pub value: Decimal,
}

/// A line of the report (`assets`, `raised`, ...) valued: its parts per currency and their
/// values' sum, unrounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValuedLine {
    pub label: String,
    pub parts: Vec<ValuedPart>,
    pub total: Decimal,
}

/// What a report asks to be valued: lines of per-currency sums, and optionally two lines
/// whose values must come out the same (debits and credits, what came in and what went).
#[derive(Clone, Debug, Default)]
pub struct Lines {
    pub lines: Vec<(String, Vec<Sum>)>,
    pub equal: Option<(usize, usize)>,
}

impl Lines {
    fn push(&mut self, label: impl Into<String>, sums: impl IntoIterator<Item = Sum>) -> usize {
        self.lines.push((label.into(), sums.into_iter().collect()));
        self.lines.len() - 1
    }
}

/// A report's lines valued in `currency` on `date`, with the rate used for each other currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValuedReport {
    pub currency: Currency,
    pub date: NaiveDate,
    pub rates: Vec<RateUsed>,
    pub lines: Vec<ValuedLine>,
    /// The two lines that must be equal, as shown.
    pub equal: Option<(usize, usize)>,
}

impl ValuedReport {
    /// Each line's total is the sum of its parts' values, and the lines that must be equal
    /// are, as shown (to the currency's minor units).
    pub fn tied_out(&self) -> bool {
        let shown = |v: Decimal| valuation::shown(v, self.currency);
        let parts_add_up = self.lines.iter().all(|l| {
            l.parts
                .iter()
                .try_fold(Decimal::ZERO, |s, p| s.checked_add(p.value))
                == Some(l.total)
        });
        let equal = self.equal.is_none_or(|(a, b)| {
            let total = |i: usize| self.lines.get(i).map(|l| shown(l.total));
            total(a).is_some() && total(a) == total(b)
        });
        parts_add_up && equal
    }

    /// The most by which a line's total as shown differs from its parts as shown, summed:
    /// each is rounded once from its exact value, so they need not re-add. `None` when every
    /// total re-adds.
    pub fn shown_difference_max(&self) -> Option<Decimal> {
        let shown = |v: Decimal| valuation::shown(v, self.currency);
        self.lines
            .iter()
            .filter_map(|l| {
                let parts = l
                    .parts
                    .iter()
                    .try_fold(Decimal::ZERO, |s, p| s.checked_add(shown(p.value)))?;
                shown(l.total).checked_sub(parts).map(|d| d.abs())
            })
            .filter(|d| !d.is_zero())
            .max()
    }
}

/// Values `lines` in `currency` at the rates on `date`. A currency with only zero sums needs
/// no rate; any other without one is refused ([`Error::NoRate`]).
pub fn value(ledger: &Ledger, currency: Currency, date: NaiveDate, lines: Lines) -> Result<ValuedReport> {
    let mut rates: BTreeMap<Currency, RateUsed> = BTreeMap::new();
    let mut valued = Vec::with_capacity(lines.lines.len());
    for (label, sums) in lines.lines {
        let mut per_currency = Totals::new();
        for sum in sums {
            per_currency.add(sum)?;
        }
        let mut parts = Vec::new();
        let mut total = Decimal::ZERO;
        for sum in per_currency.iter() {
            let value = if sum.currency() == currency {
                sum.to_decimal()
            } else if sum.is_zero() {
                Decimal::ZERO
            } else {
                let rate = match rates.get(&sum.currency()) {
                    Some(rate) => rate,
                    None => {
                        let found = read::rate_for(ledger.conn(), sum.currency(), currency, date)?;
                        rates.entry(sum.currency()).or_insert(found)
                    }
                };
                rate.value(sum)?
            };
            total = total.checked_add(value).ok_or_else(|| Error::Overflow {
                what: format!("the value of {label} in {currency}"),
            })?;
            parts.push(ValuedPart { sum, value });
        }
        valued.push(ValuedLine { label, parts, total });
    }
    Ok(ValuedReport {
        currency,
        date,
        rates: rates.into_values().collect(),
        lines: valued,
        equal: lines.equal,
    })
}

/// The trial balance's debits and credits, which must be worth the same.
pub fn balance_lines(report: &BalanceReport) -> Lines {
    let mut lines = Lines::default();
    let debits = lines.push("debits", report.totals.iter().map(|t| t.debit));
    let credits = lines.push("credits", report.totals.iter().map(|t| t.credit));
    lines.equal = Some((debits, credits));
    lines
}

/// The funds report's totals, column by column.
pub fn funds_lines(report: &FundsReport) -> Lines {
    let mut lines = Lines::default();
    let totals: Vec<&Flows> = report.totals.iter().map(|(_, f)| f).collect();
    let column = |f: fn(&Flows) -> Sum| totals.iter().map(move |t| f(t)).collect::<Vec<Sum>>();
    lines.push("opening", column(|f| f.opening));
    lines.push("raised", column(|f| f.raised));
    lines.push("fees", column(|f| f.fees));
    lines.push("granted", column(|f| f.granted));
    lines.push("spent", column(|f| f.spent));
    lines.push("moved", column(|f| f.moved));
    lines.push("closing", column(|f| f.closing));
    lines
}

/// Each line of the statement of activities, without and with donor restrictions together.
pub fn activities_lines(report: &ActivitiesReport) -> Lines {
    let mut lines = Lines::default();
    let count = report.currencies.first().map_or(0, |(_, a)| a.lines.len());
    for i in 0..count {
        let label = report
            .currencies
            .first()
            .and_then(|(_, a)| a.lines.get(i))
            .map_or("", |(l, _)| *l);
        let sums = report
            .currencies
            .iter()
            .filter_map(|(_, a)| a.line_totals.get(i).copied());
        lines.push(label, sums);
    }
    lines
}

/// The statement of financial position's totals; the assets must be worth the liabilities
/// and net assets together.
pub fn position_lines(report: &PositionReport) -> Lines {
    let mut lines = Lines::default();
    let all =
        |f: fn(&crate::report::position::Position) -> Sum| report.currencies.iter().map(move |(_, p)| f(p));
    let assets = lines.push("assets", all(|p| p.assets_total));
    lines.push("liabilities", all(|p| p.liabilities_total));
    lines.push(
        "net assets without donor restrictions",
        all(|p| p.unrestricted_total),
    );
    lines.push("net assets with donor restrictions", all(|p| p.restricted_total));
    lines.push("net assets", all(|p| p.net_assets_total));
    let claims = lines.push(
        "liabilities and net assets",
        all(|p| p.liabilities_total).chain(all(|p| p.net_assets_total)),
    );
    lines.equal = Some((assets, claims));
    lines
}

/// The campaign's funds together: raised, granted and their targets.
pub fn campaign_lines(rows: &[CampaignRow]) -> Lines {
    let mut lines = Lines::default();
    lines.push("raised", rows.iter().map(|r| r.raised));
    lines.push("granted", rows.iter().map(|r| r.granted));
    lines.push("target", rows.iter().map(|r| Sum::from(r.target)));
    lines
}

/// The public page's flow: each part of what came in and what went or is held, and the two
/// sides' totals, which must be worth the same.
pub fn transparency_lines(page: &Transparency) -> Result<Lines> {
    let mut came_in: Vec<(&'static str, Vec<Sum>)> = Vec::new();
    let mut went: Vec<(&'static str, Vec<Sum>)> = Vec::new();
    for (_, totals) in &page.totals {
        let flow = totals.flow()?;
        for (side, parts) in [(&mut came_in, &flow.came_in), (&mut went, &flow.went)] {
            for (label, sum) in parts {
                match side.iter_mut().find(|(l, _)| l == label) {
                    Some((_, sums)) => sums.push(*sum),
                    None => side.push((label, vec![*sum])),
                }
            }
        }
    }
    let mut lines = Lines::default();
    let mut totals = [0, 0];
    for (i, (side, parts)) in [("came in", came_in), ("went, or is held now", went)]
        .into_iter()
        .enumerate()
    {
        let all: Vec<Sum> = parts.iter().flat_map(|(_, sums)| sums.iter().copied()).collect();
        for (label, sums) in parts {
            lines.push(format!("{side} — {label}"), sums);
        }
        totals[i] = lines.push(format!("{side} — total"), all);
    }
    lines.equal = Some((totals[0], totals[1]));
    Ok(lines)
}
