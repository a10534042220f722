//! Funds: per fund and currency, where its money came from and went in a period — opening,
//! raised, fees, granted, other spending, moved (between funds, currencies, loans and
//! opening balances), closing — with the identity checked:
//! opening + raised − fees − granted − spent + moved = closing = the fund's asset balances.
//! Also where the money sits now, the target, and any fund below zero in an asset account.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};

use super::net;
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

/// One fund's flows in one currency over the period: from its opening balance, through what
/// it raised, paid in fees, granted, spent and moved, to its closing balance, and where that
/// sits. Every field is a sum of that currency. In fondo, *flows* means this and only this:
/// the funds report's arithmetic columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flows {
    pub opening: Sum,
    pub raised: Sum,
    pub fees: Sum,
    pub granted: Sum,
    pub spent: Sum,
    pub moved: Sum,
    /// The fund's asset balances at the end of the period.
    pub closing: Sum,
    pub at_bank: Sum,
    pub at_processor: Sum,
    pub held_by_union: Sum,
    pub at_other: Sum,
}

impl Flows {
    /// Nothing yet, in `currency`.
    pub fn zero(currency: Currency) -> Flows {
        let zero = Sum::zero(currency);
        Flows {
            opening: zero,
            raised: zero,
            fees: zero,
            granted: zero,
            spent: zero,
            moved: zero,
            closing: zero,
            at_bank: zero,
            at_processor: zero,
            held_by_union: zero,
            at_other: zero,
        }
    }

    /// opening + raised − fees − granted − spent + moved; an overflow is an error.
    pub fn computed_closing(&self) -> Result<Sum> {
        self.opening
            .plus(self.raised)?
            .minus(self.fees)?
            .minus(self.granted)?
            .minus(self.spent)?
            .plus(self.moved)
    }

    /// Where the money sits at the end of the period: bank + processor + union + other.
    pub fn located(&self) -> Result<Sum> {
        self.at_bank
            .plus(self.at_processor)?
            .plus(self.held_by_union)?
            .plus(self.at_other)
    }

    pub fn tied_out(&self) -> bool {
        self.computed_closing().is_ok_and(|c| c == self.closing)
            && self.located().is_ok_and(|l| l == self.closing)
    }

    /// Adds every field of `other` (of the same currency) to this one's.
    fn add(&mut self, other: &Flows) -> Result<()> {
        for (sum, part) in [
            (&mut self.opening, other.opening),
            (&mut self.raised, other.raised),
            (&mut self.fees, other.fees),
            (&mut self.granted, other.granted),
            (&mut self.spent, other.spent),
            (&mut self.moved, other.moved),
            (&mut self.closing, other.closing),
            (&mut self.at_bank, other.at_bank),
            (&mut self.at_processor, other.at_processor),
            (&mut self.held_by_union, other.held_by_union),
            (&mut self.at_other, other.at_other),
        ] {
            sum.add(part)?;
        }
        Ok(())
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
    pub raised_to_date: Sum,
    /// Moved into the fund from other funds (`fund move`), less moved out, through the end
    /// of the period, in this currency.
    pub moved_in_to_date: Sum,
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
        let flows = into
            .entry((line.fund.clone(), line.currency))
            .or_insert_with(|| Flows::zero(line.currency));
        pick(flows, Class::of(&line.account), net(line)?)?;
    }
    Ok(())
}

pub fn funds(ledger: &Ledger, filter: &Filter) -> Result<FundsReport> {
    let conn = ledger.conn();
    let through = Filter {
        from: None,
        to: filter.to,
        fund: filter.fund.clone(),
    };
    let closing_lines = read::balance_lines(conn, &through)?;
    let mut by_fund = period_flows(ledger, filter, &closing_lines)?;
    accumulate(&closing_lines, &mut by_fund, |f, class, net| {
        match class {
            Class::Bank => f.at_bank.add(net)?,
            Class::Processor => f.at_processor.add(net)?,
            Class::Union => f.held_by_union.add(net)?,
            Class::OtherAsset => f.at_other.add(net)?,
            _ => {}
        }
        if class.is_asset() {
            f.closing.add(net)?;
        }
        Ok(())
    })?;
    let to_date = ToDate::of(&closing_lines)?;
    let funds: BTreeMap<String, read::FundInfo> = read::funds(conn)?
        .into_iter()
        .map(|f| (f.code.clone(), f))
        .collect();
    let mut rows = Vec::with_capacity(by_fund.len());
    let mut totals: BTreeMap<Currency, Flows> = BTreeMap::new();
    for ((fund, currency), flows) in by_fund {
        let info = funds.get(&fund);
        let row = fund_row((fund, currency), flows, info, &to_date)?;
        totals
            .entry(currency)
            .or_insert_with(|| Flows::zero(currency))
            .add(&row.flows)?;
        rows.push(row);
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

/// Each fund's opening (when the period has a start) and what it raised, paid in fees,
/// granted, spent and moved in the period, given the `closing_lines` through its end: the
/// opening is those less the period's (two reads of the daily totals, not three).
fn period_flows(
    ledger: &Ledger,
    filter: &Filter,
    closing_lines: &[BalanceLine],
) -> Result<BTreeMap<Key, Flows>> {
    let period_lines = match filter.from {
        Some(_) => Cow::Owned(read::balance_lines(ledger.conn(), filter)?),
        None => Cow::Borrowed(closing_lines),
    };
    let mut by_fund: BTreeMap<Key, Flows> = BTreeMap::new();
    if filter.from.is_some() {
        let asset = |class: Class, net: Sum| {
            if class.is_asset() {
                net
            } else {
                Sum::zero(net.currency())
            }
        };
        accumulate(closing_lines, &mut by_fund, |f, class, net| {
            f.opening.add(asset(class, net))
        })?;
        accumulate(&period_lines, &mut by_fund, |f, class, net| {
            f.opening.sub(asset(class, net))
        })?;
    }
    accumulate(&period_lines, &mut by_fund, |f, class, net| match class {
        Class::Income => f.raised.add(net.negated()?),
        Class::Fees => f.fees.add(net),
        Class::Grants => f.granted.add(net),
        Class::OtherExpense => f.spent.add(net),
        Class::Moved => f.moved.add(net.negated()?),
        _ => Ok(()),
    })?;
    Ok(by_fund)
}

/// What the lines through the end of the period add up to per fund: raised and moved in to
/// date, and each asset account's balance.
struct ToDate {
    raised: BTreeMap<Key, Sum>,
    moved_in: BTreeMap<Key, Sum>,
    per_account: BTreeMap<(String, String, Currency), Sum>,
}

impl ToDate {
    fn of(closing_lines: &[BalanceLine]) -> Result<ToDate> {
        let mut to_date = ToDate {
            raised: BTreeMap::new(),
            moved_in: BTreeMap::new(),
            per_account: BTreeMap::new(),
        };
        for line in closing_lines {
            let net = net(line)?;
            let zero = Sum::zero(line.currency);
            let key = (line.fund.clone(), line.currency);
            match Class::of(&line.account) {
                Class::Income => to_date.raised.entry(key).or_insert(zero).sub(net)?,
                _ if line.account == FUND_MOVES => to_date.moved_in.entry(key).or_insert(zero).sub(net)?,
                class if class.is_asset() => to_date
                    .per_account
                    .entry((line.fund.clone(), line.account.clone(), line.currency))
                    .or_insert(zero)
                    .add(net)?,
                _ => {}
            }
        }
        Ok(to_date)
    }
}

/// One fund's row in one currency: its flows, target, progress and overdrawn accounts.
fn fund_row(
    (fund, currency): Key,
    flows: Flows,
    info: Option<&read::FundInfo>,
    to_date: &ToDate,
) -> Result<FundRow> {
    let restricted = info.is_some_and(|f| f.restricted);
    let target = info.and_then(|f| f.target);
    let this_fund = |sums: &BTreeMap<Key, Sum>| {
        sums.get(&(fund.clone(), currency))
            .copied()
            .unwrap_or(Sum::zero(currency))
    };
    let (raised, moved_in) = (this_fund(&to_date.raised), this_fund(&to_date.moved_in));
    let percent = target
        .filter(|t| t.currency() == currency)
        .map(|t| Ok::<_, Error>(percent_of(raised.plus(moved_in)?.minor(), t.minor())))
        .transpose()?;
    let overdrawn = to_date
        .per_account
        .iter()
        .filter(|((f, _, c), balance)| f == &fund && *c == currency && balance.is_negative())
        .map(|((_, account, _), _)| account.clone())
        .collect();
    Ok(FundRow {
        fund,
        currency,
        restricted,
        flows,
        target,
        raised_to_date: raised,
        moved_in_to_date: moved_in,
        percent,
        overdrawn,
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
