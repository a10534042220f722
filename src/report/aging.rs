//! Aging of grants: what reached communes but is not yet confirmed, per commune, fund and
//! currency, by how long it has waited (0–30, 31–60, 61–90, over 90 days), with the oldest
//! grant's date. Its total ties out against the communes report's unconfirmed total.
//! Beside it, the money the union holds, not yet allocated onward, per fund, by the same bands:
//! the union report's still-held money, send by send, first in, first out; its total ties
//! out against that report's held total.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::names::UNION_SLUG;
use crate::domain::{Currency, Sum};
use crate::error::Result;
use crate::report::{communes, union};
use crate::store::accountability::{self, GrantLine};
use crate::store::read::{self, Filter};
use crate::store::Ledger;

/// The upper ends of the age bands, in days; the last band is everything older.
pub const BANDS: [i64; 3] = [30, 60, 90];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgingRow {
    pub commune: String,
    pub fund: String,
    pub currency: Currency,
    /// Waiting 0–30, 31–60, 61–90 and over 90 days.
    pub bands: [Sum; 4],
    pub total: Sum,
    pub oldest: Option<NaiveDate>,
    pub grants: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aging {
    /// The day ages are counted to: the end of the period, else today.
    pub as_of: NaiveDate,
    pub rows: Vec<AgingRow>,
    /// Per currency: the sum of the rows, and the communes report's unconfirmed total.
    pub totals: Vec<(Currency, AgingRow, Sum)>,
    /// Held by the union, per fund (`commune` is `union`; `grants` counts the sends).
    pub union_rows: Vec<AgingRow>,
    /// Per currency: the sum of `union_rows`, and the union report's held total.
    pub union_totals: Vec<(Currency, AgingRow, Sum)>,
}

impl Aging {
    pub fn tied_out(&self) -> bool {
        self.totals
            .iter()
            .chain(&self.union_totals)
            .all(|(_, t, reported)| t.total == *reported)
    }

    /// The oldest grant still waiting, and its age in days.
    pub fn oldest(&self) -> Option<(NaiveDate, i64)> {
        self.oldest_of(&self.rows)
    }

    /// The oldest money the union still holds, and its age in days.
    pub fn oldest_held(&self) -> Option<(NaiveDate, i64)> {
        self.oldest_of(&self.union_rows)
    }

    fn oldest_of(&self, rows: &[AgingRow]) -> Option<(NaiveDate, i64)> {
        rows.iter()
            .filter_map(|r| r.oldest)
            .min()
            .map(|d| (d, (self.as_of - d).num_days()))
    }
}

impl AgingRow {
    /// Nothing waiting yet, in `currency`.
    fn zero(commune: String, fund: String, currency: Currency) -> AgingRow {
        AgingRow {
            commune,
            fund,
            currency,
            bands: [Sum::zero(currency); 4],
            total: Sum::zero(currency),
            oldest: None,
            grants: 0,
        }
    }

    /// Nothing waiting yet: the total row of `currency`, named `label`.
    fn total(label: &str, currency: Currency) -> AgingRow {
        AgingRow::zero(label.into(), String::new(), currency)
    }

    /// Adds `amount`, waiting since `date`, to its band as of `as_of`.
    fn add(&mut self, amount: Sum, date: NaiveDate, as_of: NaiveDate) -> Result<()> {
        self.bands[band((as_of - date).num_days())].add(amount)?;
        self.total.add(amount)?;
        // A count of rows read, far below i64::MAX.
        self.grants += 1;
        self.oldest = Some(self.oldest.map_or(date, |d| d.min(date)));
        Ok(())
    }
}

fn band(days: i64) -> usize {
    BANDS.iter().position(|end| days <= *end).unwrap_or(BANDS.len())
}

pub fn aging(ledger: &Ledger, filter: &Filter, today: NaiveDate) -> Result<Aging> {
    let as_of = filter.to.unwrap_or(today);
    let through = Filter {
        from: None,
        to: Some(as_of),
        fund: filter.fund.clone(),
    };
    read::check_filter(ledger.conn(), filter)?;
    let movements = union::movements(ledger, &through)?;
    let lines = accountability::grant_lines_undescribed(ledger.conn(), &through, &movements)?;
    let rows = grant_rows(&lines, as_of)?;
    let unconfirmed = communes::of_lines(ledger, &through, &lines)?
        .totals
        .into_iter()
        .map(|(c, received, _)| (c, received.unconfirmed))
        .collect();
    let totals = per_currency(&rows, "total", unconfirmed)?;
    let mut union_rows = Vec::new();
    let mut held: BTreeMap<Currency, Sum> = BTreeMap::new();
    for r in union::rows_of(&movements, &through, union::STALE_DAYS_DEFAULT, as_of)? {
        held.entry(r.currency)
            .or_insert(Sum::zero(r.currency))
            .add(r.held)?;
        let mut row = AgingRow::zero(UNION_SLUG.into(), r.fund, r.currency);
        for (date, amount) in r.held_since {
            row.add(amount, date, as_of)?;
        }
        if row.grants > 0 {
            union_rows.push(row);
        }
    }
    let union_totals = per_currency(&union_rows, UNION_SLUG, held)?;
    Ok(Aging {
        as_of,
        rows,
        totals,
        union_rows,
        union_totals,
    })
}

/// Live grants to communes not yet confirmed, per commune, fund and currency, of `lines`.
fn grant_rows(lines: &[GrantLine], as_of: NaiveDate) -> Result<Vec<AgingRow>> {
    let mut rows: BTreeMap<(String, String, Currency), AgingRow> = BTreeMap::new();
    for line in lines {
        if !line.live || line.confirmed.is_some() || line.commune == UNION_SLUG {
            continue;
        }
        let currency = line.amount.currency();
        rows.entry((line.commune.clone(), line.fund.clone(), currency))
            .or_insert_with(|| AgingRow::zero(line.commune.clone(), line.fund.clone(), currency))
            .add(line.amount.into(), line.date, as_of)?;
    }
    Ok(rows.into_values().collect())
}

/// Per currency: the sum of `rows` (named `label`), beside what another report says it must be.
fn per_currency(
    rows: &[AgingRow],
    label: &str,
    mut reported: BTreeMap<Currency, Sum>,
) -> Result<Vec<(Currency, AgingRow, Sum)>> {
    let mut totals: BTreeMap<Currency, AgingRow> = BTreeMap::new();
    for r in rows {
        let t = totals
            .entry(r.currency)
            .or_insert_with(|| AgingRow::total(label, r.currency));
        for (band, part) in t.bands.iter_mut().zip(r.bands) {
            band.add(part)?;
        }
        t.total.add(r.total)?;
        t.grants += r.grants;
        t.oldest = match (t.oldest, r.oldest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let mut currencies: Vec<Currency> = totals.keys().chain(reported.keys()).copied().collect();
    currencies.sort();
    currencies.dedup();
    Ok(currencies
        .into_iter()
        .map(|c| {
            let row = totals.remove(&c).unwrap_or_else(|| AgingRow::total(label, c));
            (c, row, reported.remove(&c).unwrap_or(Sum::zero(c)))
        })
        .collect())
}
