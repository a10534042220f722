//! The statement of financial position at a date: what the campaign holds, account by
//! account (bank, processor, held by the union, cash), what it owes, and its net assets split
//! into those without donor restrictions (general and other unrestricted funds) and those with
//! them, fund by fund. Per currency; the assets tie out against the funds report's closing.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{add_to, net};
use crate::domain::names::AccountType;
use crate::domain::{Currency, Sum};
use crate::error::Result;
use crate::report::funds;
use crate::store::read::{self, Filter};
use crate::store::Ledger;

/// One line of the statement: an account, or a fund's net assets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PositionLine {
    pub name: String,
    pub minor: i64,
}

/// One currency's statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Position {
    pub assets: Vec<PositionLine>,
    pub total_assets: i64,
    /// Owed, as positive amounts.
    pub liabilities: Vec<PositionLine>,
    pub total_liabilities: i64,
    /// Net assets of the funds without donor restrictions, fund by fund.
    pub unrestricted: Vec<PositionLine>,
    pub total_unrestricted: i64,
    /// Net assets of each restricted fund.
    pub restricted: Vec<PositionLine>,
    pub total_restricted: i64,
    /// Unrestricted and restricted together.
    pub total_net_assets: i64,
    /// The funds report's closing total, for the tie-out.
    pub funds_closing: i64,
}

impl Position {
    /// Assets = liabilities + net assets, and the assets are what the funds report holds.
    pub fn tied_out(&self) -> bool {
        let net = self.total_unrestricted.checked_add(self.total_restricted);
        net.and_then(|n| n.checked_add(self.total_liabilities)) == Some(self.total_assets)
            && self.total_assets.checked_sub(self.total_liabilities).is_some()
            && self.funds_closing == self.total_assets
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PositionReport {
    pub at: Option<NaiveDate>,
    pub currencies: Vec<(Currency, Position)>,
}

/// The position at the end of `at` (else of everything recorded).
pub fn position(ledger: &Ledger, at: Option<NaiveDate>) -> Result<PositionReport> {
    let conn = ledger.conn();
    let through = Filter {
        from: None,
        to: at,
        fund: None,
    };
    let types: BTreeMap<String, Option<AccountType>> = read::accounts(conn)?
        .into_iter()
        .map(|a| {
            let t = AccountType::of(&a.name);
            (a.name, t)
        })
        .collect();
    let restricted: BTreeMap<String, bool> = read::funds(conn)?
        .into_iter()
        .map(|f| (f.code, f.restricted))
        .collect();
    let mut accounts: BTreeMap<(Currency, bool, String), Sum> = BTreeMap::new();
    let mut by_fund: BTreeMap<(Currency, String), Sum> = BTreeMap::new();
    for line in read::balance_lines(conn, &through)? {
        let net = net(&line)?;
        let is_asset = match types.get(&line.account).copied().flatten() {
            Some(AccountType::Assets) => true,
            Some(AccountType::Liabilities) => false,
            _ => continue,
        };
        let zero = Sum::zero(line.currency);
        let account = accounts
            .entry((line.currency, is_asset, line.account.clone()))
            .or_insert(zero);
        // Owed money is shown as a positive amount.
        if is_asset {
            account.add(net)?;
        } else {
            account.sub(net)?;
        }
        // A fund's net assets: what it holds less what it owes.
        by_fund
            .entry((line.currency, line.fund.clone()))
            .or_insert(zero)
            .add(net)?;
    }
    let mut currencies: BTreeMap<Currency, Position> = BTreeMap::new();
    for ((currency, is_asset, name), sum) in accounts {
        let p = currencies.entry(currency).or_default();
        let (lines, total) = if is_asset {
            (&mut p.assets, &mut p.total_assets)
        } else {
            (&mut p.liabilities, &mut p.total_liabilities)
        };
        add_to(total, sum)?;
        if !sum.is_zero() {
            lines.push(PositionLine {
                name,
                minor: sum.minor(),
            });
        }
    }
    for ((currency, fund), sum) in by_fund {
        let p = currencies.entry(currency).or_default();
        let (lines, total) = if restricted.get(&fund).copied().unwrap_or(false) {
            (&mut p.restricted, &mut p.total_restricted)
        } else {
            (&mut p.unrestricted, &mut p.total_unrestricted)
        };
        add_to(total, sum)?;
        add_to(&mut p.total_net_assets, sum)?;
        if !sum.is_zero() {
            lines.push(PositionLine {
                name: fund,
                minor: sum.minor(),
            });
        }
    }
    let closing = funds::funds(ledger, &through)?;
    for (currency, flows) in closing.totals {
        currencies.entry(currency).or_default().funds_closing = flows.closing;
    }
    let mut currencies: Vec<(Currency, Position)> = currencies.into_iter().collect();
    currencies.sort_by_key(|(c, _)| (*c != ledger.currency(), *c));
    Ok(PositionReport { at, currencies })
}
