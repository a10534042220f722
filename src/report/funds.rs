//! Funds: per fund and currency, where its money came from and went in a period — opening,
//! raised, fees, granted, other spending, moved (between funds, currencies, loans and
//! opening balances), closing — with the identity checked:
//! opening + raised − fees − granted − spent + moved = closing = the fund's asset balances.
//! Also where the money sits now, the target, and any fund below zero in an asset account.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::{add_to, net};
use crate::domain::names::{FUND_MOVES, GENERAL_FUND, UNION_ACCOUNT};
use crate::domain::{Amount, Currency, Sum};
use crate::error::{Error, Result};
use crate::store::read::{self, BalanceLine, Filter};
use crate::store::Ledger;

/// What an account is, for the funds report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Bank,
    Processor,
    Union,
    OtherAsset,
    Income,
    Fees,
    Grants,
    OtherExpense,
    /// Equity and liabilities: money moved between funds or currencies, opening balances, loans.
    Moved,
}

impl Class {
    pub fn of(account: &str) -> Class {
        let under = |prefix: &str| account == prefix || account.starts_with(&format!("{prefix}:"));
        if account == UNION_ACCOUNT {
            Class::Union
        } else if under("assets:bank") {
            Class::Bank
        } else if under("assets:processor") {
            Class::Processor
        } else if under("assets") {
            Class::OtherAsset
        } else if under("income") {
            Class::Income
        } else if under("expenses:fees") {
            Class::Fees
        } else if under("expenses:grants") {
            Class::Grants
        } else if under("expenses") {
            Class::OtherExpense
        } else {
            Class::Moved
        }
    }

    fn is_asset(self) -> bool {
        matches!(
            self,
            Class::Bank | Class::Processor | Class::Union | Class::OtherAsset
        )
    }
}

/// One fund in one currency. Amounts are in minor units of `currency`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flows {
    pub opening: i64,
    pub raised: i64,
    pub fees: i64,
    pub granted: i64,
    pub spent: i64,
    pub moved: i64,
    /// The fund's asset balances at the end of the period.
    pub closing: i64,
    pub at_bank: i64,
    pub at_processor: i64,
    pub held_by_union: i64,
    pub at_other: i64,
}

impl Flows {
    /// opening + raised − fees − granted − spent + moved, or None if it overflows.
    pub fn computed_closing(&self) -> Option<i64> {
        self.opening
            .checked_add(self.raised)?
            .checked_sub(self.fees)?
            .checked_sub(self.granted)?
            .checked_sub(self.spent)?
            .checked_add(self.moved)
    }

    pub fn tied_out(&self) -> bool {
        self.computed_closing() == Some(self.closing)
            && [self.at_bank, self.at_processor, self.held_by_union, self.at_other]
                .into_iter()
                .try_fold(0_i64, i64::checked_add)
                == Some(self.closing)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundRow {
    pub fund: String,
    pub currency: Currency,
    pub restricted: bool,
    pub flows: Flows,
    pub target: Option<Amount>,
    /// Raised from the start of the books through the end of the period, in this currency.
    pub raised_to_date: i64,
    /// Moved into the fund from other funds (`fund move`), less moved out, through the end
    /// of the period, in this currency.
    pub moved_in_to_date: i64,
    /// Raised and moved in to date as a percentage of the target, when the target is in this
    /// currency.
    pub percent: Option<Decimal>,
    /// The asset accounts this fund is below zero in (only a credit line may be).
    pub overdrawn: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundsReport {
    pub rows: Vec<FundRow>,
    /// The sum of every fund, per currency.
    pub totals: Vec<(Currency, Flows)>,
}

impl FundsReport {
    pub fn tied_out(&self) -> bool {
        self.rows.iter().all(|r| r.flows.tied_out()) && self.totals.iter().all(|(_, f)| f.tied_out())
    }
}

type Key = (String, Currency);

/// Adds every line's debit − credit into `into`, keyed by fund and currency, through `pick`.
fn accumulate(
    lines: &[BalanceLine],
    into: &mut BTreeMap<Key, Flows>,
    mut pick: impl FnMut(&mut Flows, Class, Sum) -> Result<()>,
) -> Result<()> {
    for line in lines {
        let flows = into.entry((line.fund.clone(), line.currency)).or_default();
        pick(flows, Class::of(&line.account), net(line)?)?;
    }
    Ok(())
}

pub fn funds(ledger: &Ledger, filter: &Filter) -> Result<FundsReport> {
    let conn = ledger.conn();
    let day_before = |d: NaiveDate| d.pred_opt();
    let before = Filter {
        from: None,
        to: filter.from.and_then(day_before),
        fund: filter.fund.clone(),
    };
    let through = Filter {
        from: None,
        to: filter.to,
        fund: filter.fund.clone(),
    };
    let mut by_fund: BTreeMap<Key, Flows> = BTreeMap::new();
    if filter.from.is_some() {
        accumulate(
            &read::balance_lines(conn, &before)?,
            &mut by_fund,
            |f, class, net| {
                if class.is_asset() {
                    add_to(&mut f.opening, net)?;
                }
                Ok(())
            },
        )?;
    }
    accumulate(
        &read::balance_lines(conn, filter)?,
        &mut by_fund,
        |f, class, net| match class {
            Class::Income => add_to(&mut f.raised, net.negated()?),
            Class::Fees => add_to(&mut f.fees, net),
            Class::Grants => add_to(&mut f.granted, net),
            Class::OtherExpense => add_to(&mut f.spent, net),
            Class::Moved => add_to(&mut f.moved, net.negated()?),
            _ => Ok(()),
        },
    )?;
    let closing_lines = read::balance_lines(conn, &through)?;
    let mut raised_to_date: BTreeMap<Key, Sum> = BTreeMap::new();
    let mut moved_in_to_date: BTreeMap<Key, Sum> = BTreeMap::new();
    let mut per_account: BTreeMap<(String, String, Currency), Sum> = BTreeMap::new();
    accumulate(&closing_lines, &mut by_fund, |f, class, net| {
        match class {
            Class::Bank => add_to(&mut f.at_bank, net)?,
            Class::Processor => add_to(&mut f.at_processor, net)?,
            Class::Union => add_to(&mut f.held_by_union, net)?,
            Class::OtherAsset => add_to(&mut f.at_other, net)?,
            _ => {}
        }
        if class.is_asset() {
            add_to(&mut f.closing, net)?;
        }
        Ok(())
    })?;
    for line in &closing_lines {
        let net = net(line)?;
        let zero = Sum::zero(line.currency);
        let key = (line.fund.clone(), line.currency);
        match Class::of(&line.account) {
            Class::Income => raised_to_date.entry(key).or_insert(zero).sub(net)?,
            _ if line.account == FUND_MOVES => moved_in_to_date.entry(key).or_insert(zero).sub(net)?,
            class if class.is_asset() => per_account
                .entry((line.fund.clone(), line.account.clone(), line.currency))
                .or_insert(zero)
                .add(net)?,
            _ => {}
        }
    }
    let funds: BTreeMap<String, read::FundInfo> = read::funds(conn)?
        .into_iter()
        .map(|f| (f.code.clone(), f))
        .collect();
    let mut rows = Vec::with_capacity(by_fund.len());
    let mut totals: BTreeMap<Currency, Flows> = BTreeMap::new();
    for ((fund, currency), flows) in by_fund {
        let info = funds.get(&fund);
        let restricted = info.is_some_and(|f| f.restricted);
        let target = info.and_then(|f| f.target);
        let to_date = |sums: &BTreeMap<Key, Sum>| {
            sums.get(&(fund.clone(), currency))
                .copied()
                .unwrap_or(Sum::zero(currency))
        };
        let (raised, moved_in) = (to_date(&raised_to_date), to_date(&moved_in_to_date));
        let percent = target
            .filter(|t| t.currency() == currency)
            .map(|t| Ok::<_, Error>(percent_of(raised.plus(moved_in)?.minor(), t.minor())))
            .transpose()?;
        let overdrawn = per_account
            .iter()
            .filter(|((f, _, c), balance)| f == &fund && *c == currency && balance.is_negative())
            .map(|((_, account, _), _)| account.clone())
            .collect();
        let total = totals.entry(currency).or_default();
        for (sum, part) in [
            (&mut total.opening, flows.opening),
            (&mut total.raised, flows.raised),
            (&mut total.fees, flows.fees),
            (&mut total.granted, flows.granted),
            (&mut total.spent, flows.spent),
            (&mut total.moved, flows.moved),
            (&mut total.closing, flows.closing),
            (&mut total.at_bank, flows.at_bank),
            (&mut total.at_processor, flows.at_processor),
            (&mut total.held_by_union, flows.held_by_union),
            (&mut total.at_other, flows.at_other),
        ] {
            add_to(sum, Sum::from_minor(part, currency))?;
        }
        rows.push(FundRow {
            fund,
            currency,
            restricted,
            flows,
            target,
            raised_to_date: raised.minor(),
            moved_in_to_date: moved_in.minor(),
            percent,
            overdrawn,
        });
    }
    // General first, then the projects by name, as a treasurer reads them.
    rows.sort_by(|a, b| {
        (a.fund != GENERAL_FUND, &a.fund, a.currency).cmp(&(b.fund != GENERAL_FUND, &b.fund, b.currency))
    });
    Ok(FundsReport {
        rows,
        totals: totals.into_iter().collect(),
    })
}

/// `part / whole × 100` to one decimal place (a display figure, not money).
pub fn percent_of(part: i64, whole: i64) -> Decimal {
    if whole == 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_fall_into_classes() {
        let cases = [
            ("assets:bank", Class::Bank),
            ("assets:bank:banesco", Class::Bank),
            ("assets:bankers", Class::OtherAsset),
            ("assets:processor", Class::Processor),
            ("assets:union", Class::Union),
            ("assets:cash", Class::OtherAsset),
            ("income:donations", Class::Income),
            ("income:other", Class::Income),
            ("expenses:fees", Class::Fees),
            ("expenses:grants:el-maizal", Class::Grants),
            ("expenses:office", Class::OtherExpense),
            ("equity:transfers", Class::Moved),
            ("liabilities:loan", Class::Moved),
        ];
        for (account, class) in cases {
            assert_eq!(Class::of(account), class, "{account}");
        }
    }

    #[test]
    fn percentages_round_half_away_from_zero() {
        let cases = [
            (14_505, 25_000, "58.0"),
            (1, 3, "33.3"),
            (2, 3, "66.7"),
            (1, 8, "12.5"),
            (25_000, 25_000, "100"),
            (5, 0, "0"),
        ];
        for (part, whole, expected) in cases {
            assert_eq!(
                percent_of(part, whole),
                expected.parse::<Decimal>().unwrap(),
                "{part}/{whole}"
            );
        }
        assert_eq!(
            percent_of(1, 16),
            "6.3".parse::<Decimal>().unwrap(),
            "6.25 rounds half away from zero"
        );
    }
}
