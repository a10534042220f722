//! Recurring donors and pledges (issue 16, item 7): per pledge and month, what the donor
//! pledged and what they gave — their live gifts that month (the donors report's query,
//! `accountability::for_each_donor_month`), the donor matched exactly by the name recorded,
//! in the pledge's currency and, if it names one, fund; a gift counts toward one pledge only
//! (see [`Gifts`]). A month with less than pledged is
//! *missed*. The tie-out: each pledging donor's gifts month by month add up, over the report's
//! dates, to the donors report's total for them.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::domain::plans::Month;
use crate::domain::{Currency, Sum};
use crate::error::Result;
use crate::store::accountability::{self, DonorMonth};
use crate::store::read::{self, Filter, PledgeInfo};
use crate::store::Ledger;

/// One month of one pledge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PledgeMonth {
    pub month: Month,
    pub expected: Sum,
    pub received: Sum,
}

impl PledgeMonth {
    pub fn missed(&self) -> bool {
        self.received.minor() < self.expected.minor()
    }
}

/// One pledge over the report's months.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PledgeRow {
    pub pledge: PledgeInfo,
    pub months: Vec<PledgeMonth>,
    pub expected: Sum,
    pub received: Sum,
}

impl PledgeRow {
    pub fn missed(&self) -> Vec<Month> {
        self.months
            .iter()
            .filter(|m| m.missed())
            .map(|m| m.month)
            .collect()
    }
}

/// One pledging donor's gifts (in one fund, or all) over the report's dates: added up month
/// by month, and as the donors report totals them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonorTieOut {
    pub donor: String,
    pub fund: Option<String>,
    pub by_month: Sum,
    pub donors_report: Sum,
}

impl DonorTieOut {
    pub fn tied_out(&self) -> bool {
        self.by_month == self.donors_report
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PledgesReport {
    pub rows: Vec<PledgeRow>,
    pub tie_outs: Vec<DonorTieOut>,
}

impl PledgesReport {
    pub fn tied_out(&self) -> bool {
        self.tie_outs.iter().all(DonorTieOut::tied_out)
    }
}

/// Gifts per (month, currency, donor) in minor units, as the donors report reads them.
type Received = HashMap<(String, Currency, String), i64>;

/// Every pledge's months from `from` (else its first) through `to` (else the month of the
/// ledger's latest transaction), each within the pledge's own months.
pub fn pledges(ledger: &Ledger, from: Option<Month>, to: Option<Month>) -> Result<PledgesReport> {
    let conn = ledger.conn();
    let Some(to) = to.or(read::last_date(conn)?.map(Month::of)) else {
        return Ok(PledgesReport {
            rows: Vec::new(),
            tie_outs: Vec::new(),
        });
    };
    let dates = (from.map(Month::first_day), to.last_day());
    let mut windows = Vec::new();
    for pledge in read::pledges(conn)? {
        let first = from.map_or(pledge.from, |f| f.max(pledge.from));
        let last = pledge.to.map_or(to, |t| t.min(to));
        if first <= last {
            windows.push((pledge, first, last));
        }
    }
    // One reading of the gifts per fund the pledges name, and one of all funds: what a pledge
    // that names no fund draws on is the donor's gifts less those other pledges claim.
    // Only the pledging donors' gifts are read.
    let mut donors: Vec<String> = windows.iter().map(|(p, _, _)| p.donor.clone()).collect();
    donors.sort();
    donors.dedup();
    let mut received_by_fund: HashMap<Option<String>, Received> = HashMap::new();
    let funds = windows.iter().map(|(p, _, _)| p.fund.clone());
    for fund in std::iter::once(None).filter(|_| !windows.is_empty()).chain(funds) {
        if let Entry::Vacant(e) = received_by_fund.entry(fund) {
            let gifts = received(ledger, &filter(dates, e.key()), &donors)?;
            e.insert(gifts);
        }
    }
    let pledges: Vec<&PledgeInfo> = windows.iter().map(|(p, _, _)| p).collect();
    let gifts = Gifts {
        pledges: &pledges,
        received_by_fund: &received_by_fund,
    };
    let mut rows = Vec::new();
    for (pledge, first, last) in &windows {
        rows.push(pledge_row(pledge.clone(), (*first, *last), &gifts)?);
    }
    let tie_outs = tie_outs(ledger, &rows, &received_by_fund, dates)?;
    Ok(PledgesReport { rows, tie_outs })
}

/// The gifts the pledges draw on. A donor's gift counts toward one pledge only: a pledge that
/// names a fund draws on the gifts to that fund, one that names none on the rest; pledges of
/// one donor drawing on the same gifts in a month take them in the order they were made, each
/// up to what it pledged, the last all that is left.
struct Gifts<'a> {
    pledges: &'a [&'a PledgeInfo],
    received_by_fund: &'a HashMap<Option<String>, Received>,
}

impl Gifts<'_> {
    fn of(&self, fund: &Option<String>, month: Month, currency: Currency, donor: &str) -> i64 {
        let key = (month.to_string(), currency, donor.to_string());
        self.received_by_fund
            .get(fund)
            .and_then(|gifts| gifts.get(&key))
            .copied()
            .unwrap_or(0)
    }

    /// What `pledge` received in `month`.
    fn received(&self, pledge: &PledgeInfo, month: Month) -> Result<Sum> {
        let currency = pledge.amount.currency();
        let active: Vec<&PledgeInfo> = self
            .pledges
            .iter()
            .copied()
            .filter(|p| {
                p.donor == pledge.donor
                    && p.amount.currency() == currency
                    && p.from <= month
                    && p.to.is_none_or(|t| month <= t)
            })
            .collect();
        let mut left = Sum::from_minor(self.of(&pledge.fund, month, currency, &pledge.donor), currency);
        if pledge.fund.is_none() {
            let mut claimed: Vec<&String> = active.iter().filter_map(|p| p.fund.as_ref()).collect();
            claimed.sort();
            claimed.dedup();
            for fund in claimed {
                let gifts = self.of(&Some(fund.clone()), month, currency, &pledge.donor);
                left.sub(Sum::from_minor(gifts, currency))?;
            }
        }
        let mut pool: Vec<&PledgeInfo> = active.into_iter().filter(|p| p.fund == pledge.fund).collect();
        pool.sort_by_key(|p| p.id);
        for (i, p) in pool.iter().enumerate() {
            let take = if i + 1 == pool.len() || left.minor() <= p.amount.minor() {
                left
            } else {
                Sum::from(p.amount)
            };
            if p.id == pledge.id {
                return Ok(take);
            }
            left.sub(take)?;
        }
        Ok(Sum::zero(currency))
    }
}

fn filter((from, to): (Option<NaiveDate>, NaiveDate), fund: &Option<String>) -> Filter {
    Filter {
        from,
        to: Some(to),
        fund: fund.clone(),
    }
}

fn received(ledger: &Ledger, filter: &Filter, donors: &[String]) -> Result<Received> {
    let mut gifts = Received::new();
    accountability::for_each_donor_month(ledger.conn(), filter, Some(donors), |m: DonorMonth| {
        if let Some(donor) = m.donor {
            gifts.insert((m.month, m.currency, donor), m.total_minor);
        }
    })?;
    Ok(gifts)
}

fn pledge_row(pledge: PledgeInfo, (first, last): (Month, Month), gifts: &Gifts) -> Result<PledgeRow> {
    let currency = pledge.amount.currency();
    let mut expected = Sum::zero(currency);
    let mut received = Sum::zero(currency);
    let mut months = Vec::new();
    let mut month = first;
    while month <= last {
        let got = gifts.received(&pledge, month)?;
        expected.add(pledge.amount)?;
        received.add(got)?;
        months.push(PledgeMonth {
            month,
            expected: pledge.amount.into(),
            received: got,
        });
        month = month.next();
    }
    Ok(PledgeRow {
        pledge,
        months,
        expected,
        received,
    })
}

/// Per pledging donor, fund and currency: the monthly gifts read for the pledges, added up,
/// against the donors report's totals over the same dates (one reading per fund).
fn tie_outs(
    ledger: &Ledger,
    rows: &[PledgeRow],
    received_by_fund: &HashMap<Option<String>, Received>,
    dates: (Option<NaiveDate>, NaiveDate),
) -> Result<Vec<DonorTieOut>> {
    let mut wanted: BTreeMap<(Option<String>, String, Currency), ()> = BTreeMap::new();
    for r in rows {
        wanted.insert(
            (
                r.pledge.fund.clone(),
                r.pledge.donor.clone(),
                r.pledge.amount.currency(),
            ),
            (),
        );
    }
    let mut donors: Vec<String> = wanted.keys().map(|(_, donor, _)| donor.clone()).collect();
    donors.sort();
    donors.dedup();
    let mut out = Vec::with_capacity(wanted.len());
    let mut totals_by_fund = HashMap::new();
    for (fund, donor, currency) in wanted.into_keys() {
        let by_month = received_by_fund
            .get(&fund)
            .into_iter()
            .flatten()
            .filter(|((_, c, d), _)| *c == currency && *d == donor)
            .try_fold(Sum::zero(currency), |sum, (_, minor)| {
                sum.plus(Sum::from_minor(*minor, currency))
            })?;
        let totals = match totals_by_fund.entry(fund.clone()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(accountability::donor_totals_of(
                ledger.conn(),
                &filter(dates, &fund),
                Some(&donors),
            )?),
        };
        let donors_report = totals
            .iter()
            .filter(|t| t.donor == donor && t.total.currency() == currency)
            .try_fold(Sum::zero(currency), |sum, t| sum.plus(t.total))?;
        out.push(DonorTieOut {
            donor,
            fund,
            by_month,
            donors_report,
        });
    }
    Ok(out)
}
