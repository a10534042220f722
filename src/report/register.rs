//! The register: postings in date order with a running balance per currency. With `--from`
//! the running balance starts from what the matching postings summed to before that date.

use crate::domain::{Sum, Totals};
use crate::error::Result;
use crate::store::read::{self, Filter, RegisterLine};
use crate::store::Ledger;

/// A posting and the running balance after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRow {
    pub line: RegisterLine,
    /// The sum of the matching postings of this currency up to and including this one.
    pub running: Sum,
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
    let mut running = Totals::new();
    for (currency, minor) in opening {
        running.add(Sum::from_minor(minor, currency))?;
    }
    let mut rows = Vec::with_capacity(lines.len());
    for line in lines {
        let currency = line.amount.currency();
        running.add(line.amount)?;
        rows.push(RegisterRow {
            running: running.get(currency),
            line,
        });
    }
    Ok(rows)
}
