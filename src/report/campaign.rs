//! The campaign: each fund with a target, what it raised and granted in the period (by
//! default, since the books began) against its target.

use rust_decimal::Decimal;

use super::funds::{funds, percent_of};
use crate::domain::{Amount, Sum};
use crate::error::Result;
use crate::store::read::{self, Filter};
use crate::store::Ledger;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignRow {
    pub fund: String,
    pub name: String,
    pub target: Amount,
    /// In the target's currency.
    pub raised: Sum,
    pub granted: Sum,
    pub percent: Decimal,
    /// The fund's flows tie out (see the funds report).
    pub tied_out: bool,
}

pub fn campaign(ledger: &Ledger, filter: &Filter) -> Result<Vec<CampaignRow>> {
    let funds_report = funds(ledger, filter)?;
    let mut rows = Vec::new();
    for fund in read::funds(ledger.conn())? {
        let Some(target) = fund.target else { continue };
        if filter.fund.as_ref().is_some_and(|f| f != &fund.code) {
            continue;
        }
        let found = funds_report
            .rows
            .iter()
            .find(|r| r.fund == fund.code && r.currency == target.currency());
        let zero = Sum::zero(target.currency());
        let (raised, granted) = found.map_or((zero, zero), |r| (r.flows.raised, r.flows.granted));
        let tied_out = found.is_none_or(|r| r.flows.tied_out());
        rows.push(CampaignRow {
            percent: percent_of(raised.minor(), target.minor()),
            fund: fund.code,
            name: fund.name,
            target,
            raised,
            granted,
            tied_out,
        });
    }
    Ok(rows)
}
