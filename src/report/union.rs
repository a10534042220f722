//! The union: per fund and currency, what we sent it, what it reports allocating onward,
//! what it still holds (held = sent − allocated, checked against `assets:union`), and how
//! long the oldest money still held has waited, first in, first out. Plus the allocations
//! by recipient.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::names::GRANTS_PREFIX;
use crate::domain::{Currency, Sum};
use crate::error::Result;
use crate::store::accountability::{self, UnionMovement};
use crate::store::read::{self, Filter};
use crate::store::Ledger;

/// Money held longer than this is flagged, unless `--stale-days` says otherwise.
pub const STALE_DAYS_DEFAULT: u32 = 90;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnionRow {
    pub fund: String,
    pub currency: Currency,
    /// Held at the start of the period.
    pub opening: Sum,
    /// Net sent to the union in the period (sends, less money it returned).
    pub sent: Sum,
    /// Allocated onward in the period.
    pub allocated: Sum,
    /// Held at the end of the period: opening + sent − allocated.
    pub held: Sum,
    /// The balance of `assets:union` for this fund; equals `held` when the books tie out.
    pub union_balance: Sum,
    /// The date of the oldest money still held, first in, first out.
    pub oldest_unallocated_date: Option<NaiveDate>,
    pub days_held: Option<i64>,
    pub stale: bool,
    /// What the union still holds of each send, first in, first out, oldest first: (the
    /// send's date, the part of it not yet allocated). Sums to `held` when the books tie out.
    pub held_since: Vec<(NaiveDate, Sum)>,
}

impl UnionRow {
    pub fn tied_out(&self) -> bool {
        let computed = self.opening.plus(self.sent).and_then(|s| s.minus(self.allocated));
        computed.is_ok_and(|held| held == self.held) && self.held == self.union_balance
    }
}

/// The union's allocations in the period to one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub fund: String,
    pub currency: Currency,
    /// A commune's slug, or `union` for the union's own programmes.
    pub recipient: String,
    pub amount: Sum,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnionReport {
    pub rows: Vec<UnionRow>,
    pub allocations: Vec<Allocation>,
    /// The day ages are measured to: the end of the period, else today.
    pub as_of: NaiveDate,
    pub stale_days: u32,
}

impl UnionReport {
    pub fn tied_out(&self) -> bool {
        self.rows.iter().all(UnionRow::tied_out)
    }
}

pub fn union(ledger: &Ledger, filter: &Filter, stale_days: u32, today: NaiveDate) -> Result<UnionReport> {
    read::check_filter(ledger.conn(), filter)?;
    of_movements(ledger, filter, &movements(ledger, filter)?, stale_days, today)
}

/// The report of the union's `movements` (as [`movements`] reads them), for a caller that
/// has read them already.
pub(crate) fn of_movements(
    ledger: &Ledger,
    filter: &Filter,
    movements: &[UnionMovement],
    stale_days: u32,
    today: NaiveDate,
) -> Result<UnionReport> {
    let as_of = filter.to.unwrap_or(today);
    let rows = rows_of(movements, filter, stale_days, as_of)?;
    let allocations = accountability::allocations_by_recipient(ledger.conn(), filter, movements)?
        .into_iter()
        .map(|(fund, currency, account, amount)| Allocation {
            fund,
            currency,
            recipient: account
                .strip_prefix(GRANTS_PREFIX)
                .unwrap_or(&account)
                .to_string(),
            amount,
        })
        .collect();
    Ok(UnionReport {
        rows,
        allocations,
        as_of,
        stale_days,
    })
}

/// The report's rows alone, per fund and currency, without the allocations by recipient.
pub fn union_rows(
    ledger: &Ledger,
    filter: &Filter,
    stale_days: u32,
    today: NaiveDate,
) -> Result<Vec<UnionRow>> {
    read::check_filter(ledger.conn(), filter)?;
    let movements = movements(ledger, filter)?;
    rows_of(&movements, filter, stale_days, filter.to.unwrap_or(today))
}

/// The union's movements up to the end of the period, of the filter's fund.
pub(crate) fn movements(ledger: &Ledger, filter: &Filter) -> Result<Vec<UnionMovement>> {
    Ok(accountability::union_movements(ledger.conn(), filter.to)?
        .into_iter()
        .filter(|m| filter.fund.as_ref().is_none_or(|f| f == &m.fund))
        .collect())
}

/// The rows of `movements`, per fund and currency, with ages counted to `as_of`.
pub(crate) fn rows_of(
    movements: &[UnionMovement],
    filter: &Filter,
    stale_days: u32,
    as_of: NaiveDate,
) -> Result<Vec<UnionRow>> {
    let mut rows: BTreeMap<(String, Currency), UnionRow> = BTreeMap::new();
    for m in movements {
        let currency = m.amount.currency();
        let row = rows
            .entry((m.fund.clone(), currency))
            .or_insert_with(|| UnionRow {
                fund: m.fund.clone(),
                currency,
                opening: Sum::zero(currency),
                sent: Sum::zero(currency),
                allocated: Sum::zero(currency),
                held: Sum::zero(currency),
                union_balance: Sum::zero(currency),
                oldest_unallocated_date: None,
                days_held: None,
                stale: false,
                held_since: Vec::new(),
            });
        row.union_balance.add(m.amount)?;
        row.held.add(m.amount)?;
        if filter.from.is_some_and(|from| m.date < from) {
            row.opening.add(m.amount)?;
        } else if m.allocation {
            row.allocated.add(m.amount.negated())?;
        } else {
            row.sent.add(m.amount)?;
        }
    }
    for ((fund, currency), row) in rows.iter_mut() {
        row.held_since = still_held(movements, fund, *currency)?;
        row.oldest_unallocated_date = row.held_since.first().map(|(date, _)| *date);
        row.days_held = row.oldest_unallocated_date.map(|d| (as_of - d).num_days());
        row.stale = row.days_held.is_some_and(|days| days > i64::from(stale_days));
    }
    Ok(rows.into_values().collect())
}

/// First in, first out over live movements: money leaves the union in the order it came, so
/// what it still holds is the part of each send not covered by everything that left.
fn still_held(movements: &[UnionMovement], fund: &str, currency: Currency) -> Result<Vec<(NaiveDate, Sum)>> {
    let mine = movements
        .iter()
        .filter(|m| m.live && m.fund == fund && m.amount.currency() == currency);
    // What has left the union and is not yet set against a send, as a positive sum.
    let mut left = Sum::zero(currency);
    for m in mine.clone().filter(|m| m.amount.is_negative()) {
        left.sub(m.amount)?;
    }
    let mut held = Vec::new();
    for m in mine.filter(|m| m.amount.is_positive()) {
        let send = Sum::from(m.amount);
        if left.minor() < send.minor() {
            held.push((m.date, send.minus(left)?));
            left = Sum::zero(currency);
        } else {
            left.sub(send)?;
        }
    }
    Ok(held)
}
