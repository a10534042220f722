//! The register: postings in date order with a running balance per currency. With `--from`
//! the running balance starts from what the matching postings summed to before that date.

use std::collections::BTreeMap;

use super::add_into;
use crate::domain::Amount;
use crate::error::Result;
use crate::store::read::{self, Filter};
use crate::store::Ledger;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRow {
    pub txn: i64,
    pub date: String,
    pub description: String,
    pub account: String,
    pub fund: String,
    pub amount: Amount,
    /// The sum of the matching postings of this currency up to and including this one.
    pub running_minor: i64,
}

/// The register of `account` and the accounts below it, or of every posting.
pub fn register(ledger: &Ledger, account: Option<&str>, filter: &Filter) -> Result<Vec<RegisterRow>> {
    let read::RegisterLines { opening, lines } = read::register_lines(ledger.conn(), account, filter)?;
    let mut running: BTreeMap<_, i64> = opening.into_iter().collect();
    let mut rows = Vec::with_capacity(lines.len());
    for line in lines {
        let currency = line.amount.currency();
        add_into(&mut running, currency, line.amount.minor(), || {
            format!("the running {currency} balance")
        })?;
        rows.push(RegisterRow {
            txn: line.txn,
            date: line.date,
            description: line.description,
            account: line.account,
            fund: line.fund,
            amount: line.amount,
            running_minor: running[&currency],
        });
    }
    Ok(rows)
}
