//! The statement of financial position at a date: what the campaign holds, account by
//! account (bank, processor, held by the union, cash), what it owes, and its net assets split
//! into those without donor restrictions (general and other unrestricted funds) and those with
//! them, fund by fund. Per currency; the assets tie out against the funds report's closing.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::net;
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
    pub balance: Sum,
}

/// One currency's statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    pub assets: Vec<PositionLine>,
    pub assets_total: Sum,
    /// Owed, as positive amounts.
    pub liabilities: Vec<PositionLine>,
    pub liabilities_total: Sum,
    /// Net assets of the funds without donor restrictions, fund by fund.
    pub unrestricted: Vec<PositionLine>,
    pub unrestricted_total: Sum,
    /// Net assets of each restricted fund.
    pub restricted: Vec<PositionLine>,
    pub restricted_total: Sum,
    /// Unrestricted and restricted together.
    pub net_assets_total: Sum,
    /// The funds report's closing total, for the tie-out.
    pub funds_closing: Sum,
}

impl Position {
    /// Assets = liabilities + net assets, and the assets are what the funds report holds.
    pub fn tied_out(&self) -> bool {
        let claims = self
            .unrestricted_total
            .plus(self.restricted_total)
            .and_then(|net| net.plus(self.liabilities_total));
        claims.is_ok_and(|c| c == self.assets_total)
            && self.assets_total.minus(self.liabilities_total).is_ok()
            && self.funds_closing == self.assets_total
    }

    /// Nothing yet, in `currency`.
    fn zero(currency: Currency) -> Position {
        let zero = Sum::zero(currency);
        Position {
            assets: Vec::new(),
            assets_total: zero,
            liabilities: Vec::new(),
            liabilities_total: zero,
            unrestricted: Vec::new(),
            unrestricted_total: zero,
            restricted: Vec::new(),
            restricted_total: zero,
            net_assets_total: zero,
            funds_closing: zero,
        }
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
        let p = currencies
            .entry(currency)
            .or_insert_with(|| Position::zero(currency));
        let (lines, total) = if is_asset {
            (&mut p.assets, &mut p.assets_total)
        } else {
            (&mut p.liabilities, &mut p.liabilities_total)
        };
        total.add(sum)?;
        if !sum.is_zero() {
            lines.push(PositionLine { name, balance: sum });
        }
    }
    for ((currency, fund), sum) in by_fund {
        let p = currencies
            .entry(currency)
            .or_insert_with(|| Position::zero(currency));
        let (lines, total) = if restricted.get(&fund).copied().unwrap_or(false) {
            (&mut p.restricted, &mut p.restricted_total)
        } else {
            (&mut p.unrestricted, &mut p.unrestricted_total)
        };
        total.add(sum)?;
        p.net_assets_total.add(sum)?;
        if !sum.is_zero() {
            lines.push(PositionLine {
                name: fund,
                balance: sum,
            });
        }
    }
    let closing = funds::funds(ledger, &through)?;
    for (currency, flows) in closing.totals {
        currencies
            .entry(currency)
            .or_insert_with(|| Position::zero(currency))
            .funds_closing = flows.closing;
    }
    let mut currencies: Vec<(Currency, Position)> = currencies.into_iter().collect();
    currencies.sort_by_key(|(c, _)| (*c != ledger.currency(), *c));
    Ok(PositionReport { at, currencies })
}
