//! The public transparency report: where the money went, in counts and totals only. No
//! donor name, reference or memo; months with fewer than [`MIN_DONORS`] donors are merged
//! into one "other months" row so that no one's gift can be singled out.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::names::UNION_SLUG;
use crate::domain::Currency;
use crate::error::{Error, Result};
use crate::report::{communes, funds, union};
use crate::store::flows::{self, MonthOfGifts};
use crate::store::read::{self, Filter};
use crate::store::Ledger;

/// The fewest donors a published group may have.
pub const MIN_DONORS: i64 = 5;

/// What a month row is called when it holds the months too small to show on their own.
pub const OTHER_MONTHS: &str = "other months";

/// The whole campaign per currency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub raised: i64,
    pub fees: i64,
    pub sent_to_union: i64,
    /// Passed on by the union to communes.
    pub allocated: i64,
    /// Spent by the union on its own programmes (grants to recipient `union`).
    pub union_programmes: i64,
    /// Sent to communes directly.
    pub direct: i64,
    /// Communes' confirmations that grants arrived.
    pub confirmed: i64,
    /// With the union, not yet passed on.
    pub held_by_union: i64,
    pub at_bank: i64,
    pub at_processor: i64,
    pub at_other: i64,
}

/// One fund's progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundProgress {
    pub fund: String,
    /// The fund's readable name, as the page shows it (the code in small print).
    pub name: String,
    pub currency: Currency,
    pub raised: i64,
    pub granted: i64,
    pub target_minor: Option<i64>,
    pub percent: Option<rust_decimal::Decimal>,
}

/// What reached a commune, or every commune of a state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Journey {
    pub name: String,
    pub state: String,
    pub currency: Currency,
    pub direct: i64,
    pub via_union: i64,
    pub confirmed: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transparency {
    pub org: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub head: Option<(i64, String)>,
    pub totals: Vec<(Currency, Totals)>,
    pub funds: Vec<FundProgress>,
    pub communes: Vec<Journey>,
    pub states: Vec<Journey>,
    pub months: Vec<MonthOfGifts>,
}

pub fn transparency(ledger: &Ledger, filter: &Filter, today: NaiveDate) -> Result<Transparency> {
    let conn = ledger.conn();
    let funds = funds::funds(ledger, filter)?;
    let union = union::union(ledger, filter, union::STALE_DAYS_DEFAULT, today)?;
    let communes = communes::communes(ledger, filter)?;
    let mut totals: BTreeMap<Currency, Totals> = BTreeMap::new();
    for (currency, f) in &funds.totals {
        let t = totals.entry(*currency).or_default();
        t.raised = f.raised;
        t.fees = f.fees;
        t.at_bank = f.at_bank;
        t.at_processor = f.at_processor;
        t.held_by_union = f.held_by_union;
        t.at_other = f.at_other;
    }
    for row in &union.rows {
        let t = totals.entry(row.currency).or_default();
        add(&mut t.sent_to_union, row.sent)?;
    }
    for a in &union.allocations {
        let t = totals.entry(a.currency).or_default();
        if a.recipient == UNION_SLUG {
            add(&mut t.union_programmes, a.amount_minor)?;
        } else {
            add(&mut t.allocated, a.amount_minor)?;
        }
    }
    for (currency, received, _) in &communes.totals {
        let t = totals.entry(*currency).or_default();
        t.direct = received.direct;
        t.confirmed = received.confirmed;
    }
    let names: BTreeMap<String, String> = read::funds(conn)?.into_iter().map(|f| (f.code, f.name)).collect();
    let fund_rows = funds
        .rows
        .iter()
        .filter(|r| r.flows.raised != 0 || r.target.is_some())
        .map(|r| FundProgress {
            fund: r.fund.clone(),
            name: names.get(&r.fund).cloned().unwrap_or_else(|| r.fund.clone()),
            currency: r.currency,
            raised: r.flows.raised,
            granted: r.flows.granted,
            target_minor: r.target.filter(|t| t.currency() == r.currency).map(|t| t.minor()),
            percent: r.percent,
        })
        .collect();
    let commune_rows: Vec<Journey> = communes
        .rows
        .iter()
        .filter(|r| r.fund.is_none())
        .map(|r| Journey {
            name: r.name.clone(),
            state: r.state.clone(),
            currency: r.currency,
            direct: r.received.direct,
            via_union: r.received.via_union,
            confirmed: r.received.confirmed,
        })
        .collect();
    let mut states: BTreeMap<(String, Currency), Journey> = BTreeMap::new();
    for c in &commune_rows {
        let s = states
            .entry((c.state.clone(), c.currency))
            .or_insert_with(|| Journey {
                name: c.state.clone(),
                state: c.state.clone(),
                currency: c.currency,
                direct: 0,
                via_union: 0,
                confirmed: 0,
            });
        add(&mut s.direct, c.direct)?;
        add(&mut s.via_union, c.via_union)?;
        add(&mut s.confirmed, c.confirmed)?;
    }
    Ok(Transparency {
        org: read::meta(conn, "org")?,
        from: filter.from,
        to: filter.to,
        head: read::chain_head(conn)?,
        // The ledger's own currency first, then the others by code.
        totals: {
            let mut totals: Vec<(Currency, Totals)> = totals.into_iter().collect();
            totals.sort_by_key(|(c, _)| (*c != ledger.currency(), *c));
            totals
        },
        funds: fund_rows,
        communes: commune_rows,
        states: states.into_values().collect(),
        months: merge_small_months(flows::gifts_by_month(conn, filter)?)?,
    })
}

/// Months with fewer than [`MIN_DONORS`] donors in a currency go into one
/// [`OTHER_MONTHS`] row per currency (its donor count is a sum over months, so a donor who
/// gave in two of them counts twice). When that row itself is too small it is left out,
/// and its total stays in the campaign totals.
pub fn merge_small_months(months: Vec<MonthOfGifts>) -> Result<Vec<MonthOfGifts>> {
    let mut shown = Vec::new();
    let mut other: BTreeMap<Currency, MonthOfGifts> = BTreeMap::new();
    for m in months {
        if m.donors >= MIN_DONORS {
            shown.push(m);
            continue;
        }
        let o = other.entry(m.currency).or_insert_with(|| MonthOfGifts {
            month: OTHER_MONTHS.to_string(),
            currency: m.currency,
            donors: 0,
            gifts: 0,
            total_minor: 0,
        });
        add(&mut o.donors, m.donors)?;
        add(&mut o.gifts, m.gifts)?;
        add(&mut o.total_minor, m.total_minor)?;
    }
    shown.extend(other.into_values().filter(|o| o.donors >= MIN_DONORS));
    Ok(shown)
}

/// `*sum += part`, refused rather than wrapped past the largest amount a ledger can hold.
fn add(sum: &mut i64, part: i64) -> Result<()> {
    *sum = sum.checked_add(part).ok_or_else(|| Error::Overflow {
        what: "the transparency report's totals".into(),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(month: &str, donors: i64, total_minor: i64) -> MonthOfGifts {
        MonthOfGifts {
            month: month.into(),
            currency: Currency::parse("USD").unwrap(),
            donors,
            gifts: donors,
            total_minor,
        }
    }

    #[test]
    fn months_with_few_donors_are_merged_and_a_small_remainder_is_left_out() {
        let merged = merge_small_months(vec![
            month("2026-01", 7, 700),
            month("2026-02", 3, 300),
            month("2026-03", 2, 200),
        ])
        .unwrap();
        assert_eq!(
            merged,
            vec![month("2026-01", 7, 700), month(OTHER_MONTHS, 5, 500)]
        );
        let merged = merge_small_months(vec![month("2026-01", 7, 700), month("2026-02", 4, 400)]).unwrap();
        assert_eq!(merged, vec![month("2026-01", 7, 700)]);
    }
}
