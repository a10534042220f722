//! Recurring donors and pledges (issue 16, item 7): per pledge and month, what the donor
//! pledged and what they gave — their live gifts that month (the donors report's query,
//! `accountability::for_each_donor_month`), the donor matched exactly by the name recorded,
//! in the pledge's currency and, if it names one, fund. A month with less than pledged is
//! *missed*. Each pledge's months add up to what the donors report's totals give for the same
//! donor and dates: the tie-out.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

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
    /// What the donors report's totals give for the donor over the same months.
    pub donors_report: Sum,
}

impl PledgeRow {
    pub fn missed(&self) -> Vec<Month> {
        self.months
            .iter()
            .filter(|m| m.missed())
            .map(|m| m.month)
            .collect()
    }

    pub fn tied_out(&self) -> bool {
        self.received == self.donors_report
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PledgesReport {
    pub rows: Vec<PledgeRow>,
    /// The months covered, if any pledge falls in them.
    pub months: Option<(Month, Month)>,
}

impl PledgesReport {
    pub fn tied_out(&self) -> bool {
        self.rows.iter().all(PledgeRow::tied_out)
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
            months: None,
        });
    };
    let mut received_by_fund: HashMap<Option<String>, Received> = HashMap::new();
    let mut rows = Vec::new();
    for pledge in read::pledges(conn)? {
        let first = from.map_or(pledge.from, |f| f.max(pledge.from));
        let last = pledge.to.map_or(to, |t| t.min(to));
        if first > last {
            continue;
        }
        let window = Filter {
            from: Some(first.first_day()),
            to: Some(last.last_day()),
            fund: pledge.fund.clone(),
        };
        let gifts = match received_by_fund.entry(pledge.fund.clone()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let all = Filter {
                    from: from.map(Month::first_day),
                    to: Some(to.last_day()),
                    fund: pledge.fund.clone(),
                };
                e.insert(received(ledger, &all)?)
            }
        };
        rows.push(pledge_row(ledger, pledge, (first, last), gifts, &window)?);
    }
    let months = rows
        .iter()
        .filter_map(|r| r.months.first().zip(r.months.last()))
        .fold(None, |acc: Option<(Month, Month)>, (a, b)| {
            Some(acc.map_or((a.month, b.month), |(x, y)| (x.min(a.month), y.max(b.month))))
        });
    Ok(PledgesReport { rows, months })
}

fn received(ledger: &Ledger, filter: &Filter) -> Result<Received> {
    let mut gifts = Received::new();
    accountability::for_each_donor_month(ledger.conn(), filter, |m: DonorMonth| {
        if let Some(donor) = m.donor {
            gifts.insert((m.month, m.currency, donor), m.total_minor);
        }
    })?;
    Ok(gifts)
}

fn pledge_row(
    ledger: &Ledger,
    pledge: PledgeInfo,
    (first, last): (Month, Month),
    gifts: &Received,
    window: &Filter,
) -> Result<PledgeRow> {
    let currency = pledge.amount.currency();
    let mut expected = Sum::zero(currency);
    let mut received = Sum::zero(currency);
    let mut months = Vec::new();
    let mut month = first;
    while month <= last {
        let key = (month.to_string(), currency, pledge.donor.clone());
        let got = Sum::from_minor(gifts.get(&key).copied().unwrap_or(0), currency);
        expected.add(pledge.amount)?;
        received.add(got)?;
        months.push(PledgeMonth {
            month,
            expected: pledge.amount.into(),
            received: got,
        });
        month = month.next();
    }
    let donors_report = accountability::donor_totals(ledger.conn(), window)?
        .into_iter()
        .filter(|t| t.donor == pledge.donor && t.total.currency() == currency)
        .try_fold(Sum::zero(currency), |total, t| total.plus(t.total))?;
    Ok(PledgeRow {
        pledge,
        months,
        expected,
        received,
        donors_report,
    })
}
