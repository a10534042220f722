//! The register: postings in date order with a running balance per currency. With `--from`
//! the running balance starts from what the matching postings summed to before that date.

use std::collections::BTreeMap;

use super::add_into;
use crate::error::Result;
use crate::store::read::{self, Filter, RegisterLine};
use crate::store::Ledger;

/// A posting and the running balance after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRow {
    pub line: RegisterLine,
    /// The sum of the matching postings of this currency up to and including this one.
    pub running_minor: i64,
}

/// The register of `account` and the accounts below it, or of every posting; the first
/// `limit` lines when given.
pub fn register(
    ledger: &Ledger,
    account: Option<&str>,
    filter: &Filter,
    limit: Option<u64>,
) -> Result<Vec<RegisterRow>> {
    let read::RegisterLines { opening, lines } = read::register_lines(ledger.conn(), account, filter, limit)?;
    let mut running: BTreeMap<_, i64> = opening.into_iter().collect();
    let mut rows = Vec::with_capacity(lines.len());
    for line in lines {
        let currency = line.amount.currency();
        add_into(&mut running, currency, line.amount.minor(), || {
            format!("the running {currency} balance")
        })?;
        let running_minor = running[&currency];
        rows.push(RegisterRow { line, running_minor });
    }
    Ok(rows)
}
