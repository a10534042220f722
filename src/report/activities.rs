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
use crate::error::Result;
use crate::report::funds;
use crate::store::read::{self, Filter};
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
    let sums = line_sums(ledger, filter)?;
    let closing = funds_closing(ledger, filter)?;
    let opening = match filter.from.and_then(|d| d.pred_opt()) {
        Some(before) => funds_closing(
            ledger,
            &Filter {
                from: None,
                to: Some(before),
                fund: filter.fund.clone(),
            },
        )?,
        None => BTreeMap::new(),
    };
    let mut currencies: Vec<Currency> = sums
        .keys()
        .map(|(c, _)| *c)
        .chain(closing.keys().copied())
        .chain(opening.keys().copied())
        .collect();
    currencies.sort_by_key(|c| (*c != ledger.currency(), *c));
    currencies.dedup();
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

/// The period's movements summed per currency and line of the statement, with what restricted
/// funds spent released from restriction.
fn line_sums(ledger: &Ledger, filter: &Filter) -> Result<LineSums> {
    let conn = ledger.conn();
    let restricted = restricted_funds(ledger)?;
    let column = |fund: &str| usize::from(restricted.get(fund).copied().unwrap_or(false));
    let mut sums = LineSums::new();
    let mut released = Totals::new();
    for line in read::balance_lines(conn, filter)? {
        let net = net(&line)?;
        let Some(name) = line_name(&line.account) else {
            continue;
        };
        let mut col = column(&line.fund);
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

/// Whether each fund, by code, is restricted.
fn restricted_funds(ledger: &Ledger) -> Result<BTreeMap<String, bool>> {
    Ok(read::funds(ledger.conn())?
        .into_iter()
        .map(|f| (f.code, f.restricted))
        .collect())
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
            let column = usize::from(restricted.get(&line.fund).copied().unwrap_or(false));
            out.entry(line.currency).or_insert(zeros(line.currency))[column].add(net(&line)?)?;
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
/// the period runs from the first transaction to the last.
pub fn activities_by_period(ledger: &Ledger, filter: &Filter, step: Step) -> Result<ActivitiesByPeriod> {
    let whole = activities(ledger, filter)?;
    let span = read::date_span(ledger.conn())?;
    let from = filter.from.or(span.map(|(first, _)| first));
    let to = filter.to.or(span.map(|(_, last)| last));
    let mut periods = Vec::new();
    let mut next = from.filter(|from| to.is_some_and(|to| from <= &to));
    while let (Some(start), Some(to)) = (next, to) {
        let Some((first, last)) = step.around(start) else {
            break;
        };
        let end = last.min(to);
        let part = Filter {
            from: Some(start),
            to: Some(end),
            fund: filter.fund.clone(),
        };
        periods.push(PeriodActivities {
            label: step.label(first),
            from: start,
            to: end,
            report: activities(ledger, &part)?,
        });
        next = end.succ_opt().filter(|d| *d <= to);
    }
    Ok(ActivitiesByPeriod { periods, whole })
}
