//! Communes: per commune and currency, what reached it directly and via the union, how much
//! of that it has confirmed, by fund, and the date of the last grant; the total ties out
//! against the communes' grants accounts. And one commune's statement, grant by grant.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::net;
use crate::domain::{Currency, Sum, Totals};
use crate::error::Result;
use crate::store::accountability::{self, GrantLine};
use crate::store::read::{self, Filter};
use crate::store::Ledger;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub direct: Sum,
    pub via_union: Sum,
    pub total: Sum,
    /// Grants the commune confirmed (voided grants never count).
    pub confirmed: Sum,
    pub unconfirmed: Sum,
    pub last_date: Option<NaiveDate>,
}

impl Received {
    /// Nothing yet, in `currency`.
    fn zero(currency: Currency) -> Received {
        let zero = Sum::zero(currency);
        Received {
            direct: zero,
            via_union: zero,
            total: zero,
            confirmed: zero,
            unconfirmed: zero,
            last_date: None,
        }
    }

    fn add(&mut self, line: &GrantLine) -> Result<()> {
        let amount = line.amount;
        let part = if line.via_union {
            &mut self.via_union
        } else {
            &mut self.direct
        };
        part.add(amount)?;
        self.total.add(amount)?;
        if line.live && line.confirmed.is_some() {
            self.confirmed.add(amount)?;
        }
        self.unconfirmed = self.total.minus(self.confirmed)?;
        if line.live {
            self.last_date = self.last_date.max(Some(line.date));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommuneRow {
    pub commune: String,
    pub name: String,
    pub state: String,
    pub currency: Currency,
    /// `None` for the commune's total over every fund; `Some(fund)` for one fund of it.
    pub fund: Option<String>,
    pub received: Received,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommunesReport {
    /// Each commune's total row, followed by one row per fund.
    pub rows: Vec<CommuneRow>,
    /// Every commune together, per currency, with the balance of the communes' grants
    /// accounts over the same period, which it must equal.
    pub totals: Vec<(Currency, Received, Sum)>,
}

impl CommunesReport {
    pub fn tied_out(&self) -> bool {
        self.totals.iter().all(|(_, r, accounts)| r.total == *accounts)
    }
}

pub fn communes(ledger: &Ledger, filter: &Filter) -> Result<CommunesReport> {
    read::check_filter(ledger.conn(), filter)?;
    let lines = accountability::grant_lines(ledger.conn(), filter, None)?;
    of_lines(ledger, filter, &lines)
}

/// The report of the grant `lines` of the period (every commune's, as
/// [`accountability::grant_lines`] reads them), for a caller that has read them already.
pub fn of_lines(ledger: &Ledger, filter: &Filter, lines: &[GrantLine]) -> Result<CommunesReport> {
    let conn = ledger.conn();
    let mut by_commune: BTreeMap<(String, Currency), (CommuneRow, BTreeMap<String, Received>)> =
        BTreeMap::new();
    let mut totals: BTreeMap<Currency, Received> = BTreeMap::new();
    for line in lines {
        let currency = line.amount.currency();
        let (row, funds) = by_commune
            .entry((line.commune.clone(), currency))
            .or_insert_with(|| {
                (
                    CommuneRow {
                        commune: line.commune.clone(),
                        name: line.name.clone(),
                        state: line.state.clone(),
                        currency,
                        fund: None,
                        received: Received::zero(currency),
                    },
                    BTreeMap::new(),
                )
            });
        row.received.add(line)?;
        funds
            .entry(line.fund.clone())
            .or_insert_with(|| Received::zero(currency))
            .add(line)?;
        totals
            .entry(currency)
            .or_insert_with(|| Received::zero(currency))
            .add(line)?;
    }
    let mut rows = Vec::new();
    for (row, funds) in by_commune.into_values() {
        let fund_rows: Vec<CommuneRow> = funds
            .into_iter()
            .map(|(fund, received)| CommuneRow {
                fund: Some(fund),
                received,
                ..row.clone()
            })
            .collect();
        rows.push(row);
        rows.extend(fund_rows);
    }
    let mut accounts = Totals::new();
    for line in read::commune_balance_lines(conn, filter)? {
        accounts.add(net(&line)?)?;
    }
    let currencies: std::collections::BTreeSet<Currency> = totals
        .keys()
        .copied()
        .chain(accounts.iter().map(Sum::currency))
        .collect();
    let totals = currencies
        .into_iter()
        .map(|c| {
            (
                c,
                totals.get(&c).cloned().unwrap_or_else(|| Received::zero(c)),
                accounts.get(c),
            )
        })
        .collect();
    Ok(CommunesReport { rows, totals })
}

/// One grant on a commune's statement, with the running total of its currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementRow {
    pub line: GrantLine,
    pub running: Sum,
}

/// Everything that reached one commune (by slug or name), grant by grant.
pub fn commune_statement(ledger: &Ledger, commune: &str, filter: &Filter) -> Result<Vec<StatementRow>> {
    let conn = ledger.conn();
    read::check_filter(conn, filter)?;
    let commune = read::commune(conn, commune)?;
    let mut running = Totals::new();
    let mut rows = Vec::new();
    for line in accountability::grant_lines(conn, filter, Some(&commune.slug))? {
        running.add(line.amount)?;
        rows.push(StatementRow {
            running: running.get(line.amount.currency()),
            line,
        });
    }
    Ok(rows)
}
