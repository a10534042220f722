//! Aging of grants: what reached communes but is not yet confirmed, per commune, fund and
//! currency, by how long it has waited (0–30, 31–60, 61–90, over 90 days), with the oldest
//! grant's date. Its total ties out against the communes report's unconfirmed total.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::names::UNION_SLUG;
use crate::domain::{Currency, Sum};
use crate::error::Result;
use crate::report::communes;
use crate::store::accountability;
use crate::store::read::Filter;
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
}

impl Aging {
    pub fn tied_out(&self) -> bool {
        self.totals
            .iter()
            .all(|(_, t, unconfirmed)| t.total == *unconfirmed)
    }

    /// The oldest grant still waiting, and its age in days.
    pub fn oldest(&self) -> Option<(NaiveDate, i64)> {
        self.rows
            .iter()
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

    /// Nothing waiting yet: the total row of `currency`.
    fn total(currency: Currency) -> AgingRow {
        AgingRow::zero("total".into(), String::new(), currency)
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
    let mut rows: BTreeMap<(String, String, Currency), AgingRow> = BTreeMap::new();
    for line in accountability::grant_lines(ledger.conn(), &through, None)? {
        if !line.live || line.confirmed.is_some() || line.commune == UNION_SLUG {
            continue;
        }
        let currency = line.amount.currency();
        let row = rows
            .entry((line.commune.clone(), line.fund.clone(), currency))
            .or_insert_with(|| AgingRow::zero(line.commune.clone(), line.fund.clone(), currency));
        row.bands[band((as_of - line.date).num_days())].add(line.amount)?;
        row.total.add(line.amount)?;
        // A count of rows read, far below i64::MAX.
        row.grants += 1;
        row.oldest = Some(row.oldest.map_or(line.date, |d| d.min(line.date)));
    }
    let rows: Vec<AgingRow> = rows.into_values().collect();
    let mut totals: BTreeMap<Currency, AgingRow> = BTreeMap::new();
    for r in &rows {
        let t = totals
            .entry(r.currency)
            .or_insert_with(|| AgingRow::total(r.currency));
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
    let unconfirmed: BTreeMap<Currency, Sum> = communes::communes(ledger, &through)?
        .totals
        .into_iter()
        .map(|(c, received, _)| (c, received.unconfirmed))
        .collect();
    let mut currencies: Vec<Currency> = totals.keys().chain(unconfirmed.keys()).copied().collect();
    currencies.sort();
    currencies.dedup();
    let totals = currencies
        .into_iter()
        .map(|c| {
            let row = totals.remove(&c).unwrap_or_else(|| AgingRow::total(c));
            (c, row, unconfirmed.get(&c).copied().unwrap_or(Sum::zero(c)))
        })
        .collect();
    Ok(Aging { as_of, rows, totals })
}
