//! The statement of activities for a period, per currency, in two columns: without donor
//! restrictions (`general` and other unrestricted funds) and with them (restricted funds).
//! Every expense is shown in the first column; what restricted funds spent for their purpose
//! is moved across as *net assets released from restriction*, as nonprofit statements do.
//! The change in net assets ties to the opening and closing net assets, and those to the
//! funds report. `--monthly` and `--quarterly` cut the period into months or quarters, each a
//! statement of its own, which chain (each opens where the one before closed) and add up to
//! the whole period's statement.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};

use super::net;
use crate::domain::names::{AccountType, FEES, FUND_MOVES, GRANTS_PREFIX, UNION_SLUG};
use crate::domain::{Currency, Sum, Totals};
use crate::error::{Error, Result};
use crate::report::funds;
use crate::store::read::{self, BalanceLine, Filter};
use crate::store::Ledger;

/// The lines of the statement, in order; each a pair (without, with donor restrictions).
pub const LINES: [&str; 11] = [
    "Gifts",
    "Other income",
    "Net assets released from restriction",
    "Fees",
    "Grants to communes",
    "The union's own programmes",
    "Other spending",
    "Moved between funds",
    "Currency exchanges and other entries",
    "Change in net assets",
    "Net assets at the start",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activities {
    /// Per line of [`LINES`] and the closing line: (without, with donor restrictions).
    pub lines: Vec<(&'static str, [Sum; 2])>,
    /// Each line's without + with, in the order of `lines`.
    pub line_totals: Vec<Sum>,
    /// The funds report's closing, split the same way, for the tie-out.
    pub funds_closing: [Sum; 2],
}

impl Activities {
    pub fn closing(&self) -> [Sum; 2] {
        let zero = self.funds_closing.map(|s| Sum::zero(s.currency()));
        self.lines.last().map_or(zero, |(_, v)| *v)
    }

    pub fn tied_out(&self) -> bool {
        self.closing() == self.funds_closing
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivitiesReport {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub currencies: Vec<(Currency, Activities)>,
}

pub fn activities(ledger: &Ledger, filter: &Filter) -> Result<ActivitiesReport> {
    let restricted = restricted_funds(ledger)?;
    let sums = line_sums(&read::balance_lines(ledger.conn(), filter)?, &restricted)?;
    let closing = funds_closing(ledger, filter)?;
    let opening = opening(ledger, filter)?;
    let mut currencies: Vec<Currency> = sums
        .keys()
        .map(|(c, _)| *c)
        .chain(closing.keys().copied())
        .chain(opening.keys().copied())
        .collect();
    sort_currencies(ledger, &mut currencies);
    let mut report = Vec::new();
    for currency in currencies {
        let start = opening.get(&currency).copied().unwrap_or(zeros(currency));
        let tie_out = closing.get(&currency).copied().unwrap_or(zeros(currency));
        report.push((currency, statement(currency, &sums, start, tie_out)?));
    }
    Ok(ActivitiesReport {
        from: filter.from,
        to: filter.to,
        currencies: report,
    })
}

/// The ledger's own currency first, then the others by code, each once.
fn sort_currencies(ledger: &Ledger, currencies: &mut Vec<Currency>) {
    currencies.sort_by_key(|c| (*c != ledger.currency(), *c));
    currencies.dedup();
}

/// The net assets at the start of the period: as [`funds_closing`] counts them, the day before.
fn opening(ledger: &Ledger, filter: &Filter) -> Result<BTreeMap<Currency, [Sum; 2]>> {
    match filter.from.and_then(|d| d.pred_opt()) {
        Some(before) => funds_closing(
            ledger,
            &Filter {
                from: None,
                to: Some(before),
                fund: filter.fund.clone(),
            },
        ),
        None => Ok(BTreeMap::new()),
    }
}

/// (currency, index in [`LINES`]) → [without, with donor restrictions].
type LineSums = BTreeMap<(Currency, usize), [Sum; 2]>;

fn zeros(currency: Currency) -> [Sum; 2] {
    [Sum::zero(currency); 2]
}

fn line_of(name: &str) -> usize {
    LINES.iter().position(|l| *l == name).unwrap_or(0)
}

/// The line of the statement an account's movements go to; `None` for one it leaves out.
fn line_name(account: &str) -> Option<&'static str> {
    let under = |prefix: &str| account == prefix || account.starts_with(&format!("{prefix}:"));
    match AccountType::of(account)? {
        AccountType::Income if account == "income:donations" => Some("Gifts"),
        AccountType::Income => Some("Other income"),
        AccountType::Expenses if under(FEES) => Some("Fees"),
        AccountType::Expenses if account == format!("{GRANTS_PREFIX}{UNION_SLUG}") => {
            Some("The union's own programmes")
        }
        AccountType::Expenses if under(GRANTS_PREFIX.trim_end_matches(':')) => Some("Grants to communes"),
        AccountType::Expenses => Some("Other spending"),
        AccountType::Equity if account == FUND_MOVES => Some("Moved between funds"),
        // Exchanges and opening balances.
        AccountType::Equity => Some("Currency exchanges and other entries"),
        // Money borrowed or repaid moves assets and what is owed alike: net assets stay.
        AccountType::Assets | AccountType::Liabilities => None,
    }
}

/// Whether each fund is restricted, by code.
fn restricted_funds(ledger: &Ledger) -> Result<BTreeMap<String, bool>> {
    Ok(read::funds(ledger.conn())?
        .into_iter()
        .map(|f| (f.code, f.restricted))
        .collect())
}

/// The column of a fund's money: 0 without donor restrictions, 1 with them.
fn column(restricted: &BTreeMap<String, bool>, fund: &str) -> usize {
    usize::from(restricted.get(fund).copied().unwrap_or(false))
}

/// Movements summed per currency and line of the statement, with what restricted funds
/// spent released from restriction.
fn line_sums<'a>(
    lines: impl IntoIterator<Item = &'a BalanceLine>,
    restricted: &BTreeMap<String, bool>,
) -> Result<LineSums> {
    let mut sums = LineSums::new();
    let mut released = Totals::new();
    for line in lines {
        let net = net(line)?;
        let Some(name) = line_name(&line.account) else {
            continue;
        };
        let mut col = column(restricted, &line.fund);
        if AccountType::of(&line.account) == Some(AccountType::Expenses) {
            // Every expense in the first column; a restricted fund's is released to it.
            if col == 1 {
                released.add(net)?;
            }
            col = 0;
        }
        let amount = net.negated()?;
        let sum = sums
            .entry((line.currency, line_of(name)))
            .or_insert(zeros(line.currency));
        sum[col].add(amount)?;
    }
    for part in released.iter() {
        let sum = sums
            .entry((part.currency(), line_of("Net assets released from restriction")))
            .or_insert(zeros(part.currency()));
        sum[0].add(part)?;
        sum[1].add(part.negated()?)?;
    }
    Ok(sums)
}

/// The net assets at the end of the period per currency, split into (without, with donor
/// restrictions): the funds report's closing (what each fund holds in assets) less what is
/// owed (liabilities accounts, by fund), as the statement of financial position counts them.
fn funds_closing(ledger: &Ledger, filter: &Filter) -> Result<BTreeMap<Currency, [Sum; 2]>> {
    let mut out: BTreeMap<Currency, [Sum; 2]> = BTreeMap::new();
    for row in funds::funds(ledger, filter)?.rows {
        out.entry(row.currency).or_insert(zeros(row.currency))[usize::from(row.restricted)]
            .add(row.flows.closing)?;
    }
    let through = Filter {
        from: None,
        to: filter.to,
        fund: filter.fund.clone(),
    };
    let restricted = restricted_funds(ledger)?;
    for line in read::balance_lines(ledger.conn(), &through)? {
        if AccountType::of(&line.account) == Some(AccountType::Liabilities) {
            let col = column(&restricted, &line.fund);
            out.entry(line.currency).or_insert(zeros(line.currency))[col].add(net(&line)?)?;
        }
    }
    Ok(out)
}

/// One currency's statement, from the net assets at the `start`, tied out to `funds_closing`.
fn statement(
    currency: Currency,
    sums: &LineSums,
    start: [Sum; 2],
    funds_closing: [Sum; 2],
) -> Result<Activities> {
    let mut lines: Vec<(&'static str, [Sum; 2])> = Vec::new();
    let mut change = zeros(currency);
    for (i, name) in LINES.iter().enumerate().take(9) {
        let v = sums.get(&(currency, i)).copied().unwrap_or(zeros(currency));
        for c in 0..2 {
            change[c].add(v[c])?;
        }
        lines.push((name, v));
    }
    lines.push(("Change in net assets", change));
    lines.push(("Net assets at the start", start));
    let mut end = start;
    for c in 0..2 {
        end[c].add(change[c])?;
    }
    lines.push(("Net assets at the end", end));
    let line_totals = lines
        .iter()
        .map(|(_, [without, with])| without.plus(*with))
        .collect::<Result<_>>()?;
    Ok(Activities {
        lines,
        line_totals,
        funds_closing,
    })
}

/// How `--monthly` and `--quarterly` cut the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Month,
    Quarter,
}

impl Step {
    fn months(self) -> u32 {
        match self {
            Step::Month => 1,
            Step::Quarter => 3,
        }
    }

    /// The month or quarter `date` falls in: its first and last day.
    fn around(self, date: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let month0 = date.month0() / self.months() * self.months();
        let first = NaiveDate::from_ymd_opt(date.year(), month0 + 1, 1)?;
        let last = first.checked_add_months(Months::new(self.months()))?.pred_opt()?;
        Some((first, last))
    }

    /// `2026-03` for a month, `2026-Q1` for a quarter.
    fn label(self, date: NaiveDate) -> String {
        match self {
            Step::Month => date.format("%Y-%m").to_string(),
            Step::Quarter => format!("{}-Q{}", date.year(), date.month0() / 3 + 1),
        }
    }
}

/// One month's or quarter's statement; the first and the last are cut to the period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodActivities {
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub report: ActivitiesReport,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivitiesByPeriod {
    pub periods: Vec<PeriodActivities>,
    /// The statement of the whole period, which the periods must add up to.
    pub whole: ActivitiesReport,
}

impl ActivitiesByPeriod {
    /// Per currency of the whole period: whether each period opens where the one before
    /// closed, the first where the whole period opens, the last where it closes, and the
    /// periods' lines add up to the whole period's.
    pub fn adds_up(&self, currency: Currency) -> bool {
        self.check(currency).unwrap_or(false)
    }

    fn check(&self, currency: Currency) -> Result<bool> {
        let whole = line_values(&self.whole, currency);
        let (start, end) = (LINES.len() - 1, LINES.len());
        let mut closed = whole[start];
        let mut sums = vec![zeros(currency); start];
        for period in &self.periods {
            let lines = line_values(&period.report, currency);
            if lines[start] != closed {
                return Ok(false);
            }
            closed = lines[end];
            for (sum, line) in sums.iter_mut().zip(&lines) {
                for c in 0..2 {
                    sum[c].add(line[c])?;
                }
            }
        }
        Ok(closed == whole[end] && sums[..] == whole[..start])
    }

    pub fn tied_out(&self) -> bool {
        let each = |r: &ActivitiesReport| r.currencies.iter().all(|(_, a)| a.tied_out());
        each(&self.whole)
            && self.periods.iter().all(|p| each(&p.report))
            && self.whole.currencies.iter().all(|(c, _)| self.adds_up(*c))
    }
}

/// A currency's lines of a statement, all zero where the statement has none in it.
fn line_values(report: &ActivitiesReport, currency: Currency) -> Vec<[Sum; 2]> {
    match report.currencies.iter().find(|(c, _)| *c == currency) {
        Some((_, a)) => a.lines.iter().map(|(_, v)| *v).collect(),
        None => vec![zeros(currency); LINES.len() + 1],
    }
}

/// The statement of the period and of each month or quarter in it. Without `--from`/`--to`
/// the period runs from the first transaction to the last. The periods come from one pass
/// over the daily totals, grouped by month: each period's lines are its months' sums, it
/// opens where the one before closed, and it ties out against its asset and liabilities
/// accounts (by double entry an independent sum) carried on from the opening; the whole period's statement ties
/// out against the funds report.
pub fn activities_by_period(ledger: &Ledger, filter: &Filter, step: Step) -> Result<ActivitiesByPeriod> {
    let mut whole = activities(ledger, filter)?;
    let span = read::date_span(ledger.conn())?;
    let from = filter.from.or(span.map(|(first, _)| first));
    let to = filter.to.or(span.map(|(_, last)| last));
    let bounds = period_bounds(from, to, step);
    let (Some((first, _)), Some((_, last))) = (bounds.first(), bounds.last()) else {
        return Ok(ActivitiesByPeriod {
            periods: Vec::new(),
            whole,
        });
    };
    // The whole period carries its dates as each period does, also without --from/--to.
    (whole.from, whole.to) = (Some(*first), Some(*last));
    let range = Filter {
        from: Some(*first),
        to: Some(*last),
        fund: filter.fund.clone(),
    };
    // Each period by the first day of its whole month or quarter.
    let index: BTreeMap<NaiveDate, usize> = bounds
        .iter()
        .enumerate()
        .filter_map(|(i, (start, _))| Some((step.around(*start)?.0, i)))
        .collect();
    let mut by_period: Vec<Vec<BalanceLine>> = vec![Vec::new(); bounds.len()];
    for (month, line) in read::monthly_balance_lines(ledger.conn(), &range)? {
        let i = step
            .around(month)
            .and_then(|(start, _)| index.get(&start))
            .ok_or_else(|| {
                let month = month.format("%Y-%m");
                Error::Corrupt(format!("daily totals of month `{month}` outside {first}..{last}"))
            })?;
        by_period[*i].push(line);
    }
    let opening = opening(ledger, &range)?;
    let mut chain = Chain {
        restricted: restricted_funds(ledger)?,
        closed: opening.clone(),
        assets: opening,
        every: whole.currencies.iter().map(|(c, _)| *c).collect(),
    };
    let mut periods = Vec::with_capacity(bounds.len());
    for ((start, end), lines) in bounds.into_iter().zip(by_period) {
        periods.push(PeriodActivities {
            label: step.label(start),
            from: start,
            to: end,
            report: chain.next(ledger, &lines, (start, end))?,
        });
    }
    Ok(ActivitiesByPeriod { periods, whole })
}

/// The periods from `from` to `to` by `step`: the first and the last cut to the dates.
fn period_bounds(from: Option<NaiveDate>, to: Option<NaiveDate>, step: Step) -> Vec<(NaiveDate, NaiveDate)> {
    let mut bounds = Vec::new();
    let mut next = from.filter(|from| to.is_some_and(|to| from <= &to));
    while let (Some(start), Some(to)) = (next, to) {
        let Some((_, last)) = step.around(start) else {
            break;
        };
        let end = last.min(to);
        bounds.push((start, end));
        next = end.succ_opt().filter(|d| *d <= to);
    }
    bounds
}

/// The statements of successive periods, per currency: where the last one closed, and its
/// asset accounts' balances less its liabilities, split by restriction (what the funds
/// report's closing less what is owed is made of), for the next one's opening and tie-out.
struct Chain {
    restricted: BTreeMap<String, bool>,
    closed: BTreeMap<Currency, [Sum; 2]>,
    assets: BTreeMap<Currency, [Sum; 2]>,
    /// Every currency of the whole period's statement: each period lists each, with zeros
    /// before it first moved, so that the periods' columns line up.
    every: Vec<Currency>,
}

impl Chain {
    /// The statement of the period from `start` to `end`, whose movements are `lines`.
    fn next(
        &mut self,
        ledger: &Ledger,
        lines: &[BalanceLine],
        (start, end): (NaiveDate, NaiveDate),
    ) -> Result<ActivitiesReport> {
        let sums = line_sums(lines, &self.restricted)?;
        for line in lines {
            // Net assets: what is held less what is owed.
            if matches!(
                AccountType::of(&line.account),
                Some(AccountType::Assets | AccountType::Liabilities)
            ) {
                let col = column(&self.restricted, &line.fund);
                self.assets.entry(line.currency).or_insert(zeros(line.currency))[col].add(net(line)?)?;
            }
        }
        let mut currencies: Vec<Currency> = self
            .assets
            .keys()
            .chain(self.closed.keys())
            .chain(sums.keys().map(|(c, _)| c))
            .chain(&self.every)
            .copied()
            .collect();
        sort_currencies(ledger, &mut currencies);
        let mut report = Vec::with_capacity(currencies.len());
        for currency in currencies {
            let start = self.closed.get(&currency).copied().unwrap_or(zeros(currency));
            let tie_out = self.assets.get(&currency).copied().unwrap_or(zeros(currency));
            let activities = statement(currency, &sums, start, tie_out)?;
            self.closed.insert(currency, activities.closing());
            report.push((currency, activities));
        }
        Ok(ActivitiesReport {
            from: Some(start),
            to: Some(end),
            currencies: report,
        })
    }
}
