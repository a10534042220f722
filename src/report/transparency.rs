//! The public transparency report: where the money went, in counts and totals only. No
//! donor name, reference or memo; months with fewer than [`MIN_DONORS`] donors are merged
//! into one "other months" row so that no one's gift can be singled out.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::domain::names::{CONVERSION, FEES, UNION_SLUG};
use crate::domain::privacy::{self, Disclosure, DonorIds, GiftGroup, Tally};
use crate::domain::Field;
use crate::domain::{Amount, Currency, Sum};
use crate::error::{Error, Result};
use crate::report::{communes, funds, union};
use crate::store::accountability::{self, Exchange};
use crate::store::gift_months;
use crate::store::read::{self, Filter};
use crate::store::Ledger;

/// What a month row is called when it holds the months too small to show on their own.
pub const OTHER_MONTHS: &str = "other months";

/// Raised in one month (or in the other months together), in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthOfGifts {
    pub month: String,
    pub currency: Currency,
    /// People, by [`crate::domain::privacy::donor_key`].
    pub donors: i64,
    pub gifts: i64,
    pub total: Sum,
}

/// The whole campaign in one currency: every sum is of that currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    /// What our accounts held when the period began (zero for the whole ledger).
    pub opening: Sum,
    pub raised: Sum,
    pub fees: Sum,
    /// The fees by kind: each account under `expenses:fees` with its sum, by account name.
    pub fees_by_kind: Vec<(String, Sum)>,
    pub sent_to_union: Sum,
    /// Passed on by the union to communes.
    pub allocated: Sum,
    /// Spent by the union on its own programmes (grants to recipient `union`).
    pub union_programmes: Sum,
    /// Sent to communes directly.
    pub direct: Sum,
    /// Grants neither sent directly nor passed on by the union (a grant paid from the
    /// processor to the union's programmes, say); zero in a ledger kept with fondo's commands.
    pub other_grants: Sum,
    /// Spent on anything other than fees and grants.
    pub other_spending: Sum,
    /// Bought with other currencies, and spent buying them (each gross: both sides of every
    /// exchange, not their difference).
    pub bought: Sum,
    pub sold: Sum,
    /// Opening balances and other equity entries; fund moves cancel out here.
    pub other_equity: Sum,
    /// Communes' confirmations that grants arrived.
    pub confirmed: Sum,
    /// With the union, not yet passed on.
    pub held_by_union: Sum,
    pub at_bank: Sum,
    pub at_processor: Sum,
    pub at_other: Sum,
}

/// Where a currency's money came from and where it went or is now, each side adding up
/// to the same sum: the page's flow chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub came_in: Vec<(&'static str, Sum)>,
    pub went: Vec<(&'static str, Sum)>,
    pub total: Sum,
}

/// The flow's parts for money exchanged between currencies.
const BOUGHT: &str = "Bought with other currencies";
const SOLD: &str = "Spent buying other currencies";

/// Every part of a flow, in the order the page lists them.
const FLOW_ORDER: [&str; 15] = [
    "Held at the start of the period",
    "Raised from donors",
    BOUGHT,
    "Opening balances and other entries",
    "Fees",
    "Passed on by the union to communes",
    "The union's own programmes",
    "Sent to communes directly",
    "Other grants",
    "Other spending",
    SOLD,
    "Held by the union, not yet passed on",
    "In the bank",
    "With the payment processor",
    "Elsewhere",
];

impl Totals {
    /// Nothing yet, in `currency`.
    fn zero(currency: Currency) -> Totals {
        let zero = Sum::zero(currency);
        Totals {
            opening: zero,
            raised: zero,
            fees: zero,
            fees_by_kind: Vec::new(),
            sent_to_union: zero,
            allocated: zero,
            union_programmes: zero,
            direct: zero,
            other_grants: zero,
            other_spending: zero,
            bought: zero,
            sold: zero,
            other_equity: zero,
            confirmed: zero,
            held_by_union: zero,
            at_bank: zero,
            at_processor: zero,
            at_other: zero,
        }
    }

    /// The flow of this currency's money. A part that is negative (a credit line drawn, say)
    /// is shown on the other side; parts that are zero are left out.
    pub fn flow(&self) -> Result<Flow> {
        let mut came_in = Vec::new();
        let mut went = Vec::new();
        let sources = [
            ("Held at the start of the period", self.opening),
            ("Raised from donors", self.raised),
            (BOUGHT, self.bought),
            ("Opening balances and other entries", self.other_equity),
        ];
        let uses = [
            ("Fees", self.fees),
            ("Passed on by the union to communes", self.allocated),
            ("The union's own programmes", self.union_programmes),
            ("Sent to communes directly", self.direct),
            ("Other grants", self.other_grants),
            ("Other spending", self.other_spending),
            (SOLD, self.sold),
            ("Held by the union, not yet passed on", self.held_by_union),
            ("In the bank", self.at_bank),
            ("With the payment processor", self.at_processor),
            ("Elsewhere", self.at_other),
        ];
        // Each part with the side it belongs to when positive: true for money that came in.
        let parts = sources
            .iter()
            .map(|p| (p, true))
            .chain(uses.iter().map(|p| (p, false)));
        for ((label, part), came) in parts {
            if part.is_zero() {
                continue;
            }
            let side = if part.is_negative() == came {
                &mut went
            } else {
                &mut came_in
            };
            let size = if part.is_negative() {
                part.negated().map_err(|_| overflow())?
            } else {
                *part
            };
            side.push((*label, size));
        }
        // Every field is of one currency; the opening is as good as any to name it.
        let zero = Sum::zero(self.opening.currency());
        let sum = |side: &[(&str, Sum)]| {
            side.iter()
                .try_fold(zero, |sum, (_, part)| sum.plus(*part))
                .map_err(|_| overflow())
        };
        let (total, out) = (sum(&came_in)?, sum(&went)?);
        if total != out {
            return Err(Error::Internal(format!(
                "the page's flow does not add up: {} in, {} out (run `fondo verify`)",
                total.minor(),
                out.minor()
            )));
        }
        Ok(Flow { came_in, went, total })
    }
}

/// What the union spent on its own programmes from one fund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Programme {
    pub fund: String,
    pub name: String,
    pub currency: Currency,
    pub amount: Sum,
}

/// The rate at which the page values one currency in the ledger's own: the latest exchange
/// between the two in the ledger, up to the end of the period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Valuation {
    pub currency: Currency,
    /// Units of `currency` per unit of the ledger's currency, exactly as the exchange made it.
    pub per_unit: Option<(Decimal, Exchange)>,
}

/// Every currency's flow valued in the ledger's own currency: what came in and what went or
/// is held, part by part as the flow chart shows them, valued exactly (rounded only when
/// shown). Money exchanged between valued currencies appears once, as what the exchanges
/// gained or lost at these rates, so the two sides add up to the same sum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consolidated {
    pub currency: Currency,
    pub valuations: Vec<Valuation>,
    pub came_in: Vec<(&'static str, Decimal)>,
    pub went: Vec<(&'static str, Decimal)>,
}

/// What the exchanges gained, valued at the page's rates; a loss is on the other side.
pub const EXCHANGE_GAIN: &str = "Gained on exchanges, at these rates";
pub const EXCHANGE_LOSS: &str = "Lost on exchanges, at these rates";

/// One fund's progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundProgress {
    pub fund: String,
    /// The fund's readable name, as the page shows it (the code in small print).
    pub name: String,
    pub currency: Currency,
    pub raised: Sum,
    /// Moved in from other funds, less moved out, to date.
    pub moved_in: Sum,
    pub granted: Sum,
    /// The fund's target, when it is in this currency.
    pub target: Option<Amount>,
    pub percent: Option<rust_decimal::Decimal>,
}

/// What reached a commune, or every commune of a state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Journey {
    pub name: String,
    pub state: String,
    pub currency: Currency,
    pub direct: Sum,
    pub via_union: Sum,
    pub confirmed: Sum,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transparency {
    pub org: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub head: Option<(i64, String)>,
    pub totals: Vec<(Currency, Totals)>,
    pub funds: Vec<FundProgress>,
    pub communes: Vec<Journey>,
    pub states: Vec<Journey>,
    pub months: Vec<MonthOfGifts>,
    /// Currencies whose gifts per month are not published: even all months together break
    /// the disclosure rules.
    pub months_withheld: Vec<Currency>,
    pub disclosure: Disclosure,
    pub programmes: Vec<Programme>,
    pub exchanges: Vec<Exchange>,
    /// Every currency together in one; present when the page has more than one currency,
    /// or `--value` asked for it.
    pub together: Option<Together>,
    /// The files attached to each commune's grants (counted; linked with `--public-evidence`).
    pub evidence: Vec<crate::store::evidence::CommuneEvidence>,
    /// With `--public-evidence`: the directory beside the page that holds the grants' files.
    pub evidence_dir: Option<String>,
}

/// The page's one section of every currency together: two valuations side by side would
/// give two totals for the same money.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Together {
    /// At the ledger's own exchanges, in its currency (the page without `--value`).
    AtExchanges(Consolidated),
    /// `--value CUR`: at the entered rates, falling back to the exchanges (set by the caller).
    Valued(crate::report::value::ValuedReport),
}

/// The totals of `currency`, begun at zero.
fn of(totals: &mut BTreeMap<Currency, Totals>, currency: Currency) -> &mut Totals {
    totals.entry(currency).or_insert_with(|| Totals::zero(currency))
}

/// The public page's period is whole calendar months: a shorter one could single out the
/// few people who gave in it.
fn check_whole_months(filter: &Filter) -> Result<()> {
    if let Some(from) = filter.from.filter(|d| d.day() != 1) {
        let start = from.with_day(1).unwrap_or(from);
        return Err(Error::invalid(
            Field::FROM,
            from.to_string(),
            format!("the public page covers whole calendar months; use --from {start}"),
        ));
    }
    if let Some(to) = filter.to {
        let next_month = to
            .with_day(1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)));
        let end = next_month.and_then(|d| d.pred_opt()).unwrap_or(to);
        if to != end {
            return Err(Error::invalid(
                Field::TO,
                to.to_string(),
                format!("the public page covers whole calendar months; use --to {end}"),
            ));
        }
    }
    Ok(())
}

pub fn transparency(ledger: &Ledger, filter: &Filter, today: NaiveDate) -> Result<Transparency> {
    check_whole_months(filter)?;
    let conn = ledger.conn();
    read::check_filter(conn, filter)?;
    let disclosure = read::disclosure(conn)?;
    check_scope(ledger, filter, &disclosure)?;
    let funds = funds::funds(ledger, filter)?;
    // The union's movements are read once: the communes' grants take their dates from them.
    let movements = union::movements(ledger, filter)?;
    let union = union::of_movements(ledger, filter, &movements, union::STALE_DAYS_DEFAULT, today)?;
    let grants = accountability::grant_lines_undescribed(conn, filter, &movements)?;
    let communes = communes::of_lines(ledger, filter, &grants)?;
    let totals = currency_totals(ledger, filter, &funds, &union, &communes)?;
    let names: BTreeMap<String, String> = read::funds(conn)?.into_iter().map(|f| (f.code, f.name)).collect();
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let programmes = programmes(&union, &name_of);
    let fund_rows = fund_progress(&funds, &name_of);
    let commune_rows = commune_journeys(&communes);
    let states = state_journeys(&commune_rows)?;
    // The ledger's own currency first, then the others by code.
    let mut totals: Vec<(Currency, Totals)> = totals.into_iter().collect();
    totals.sort_by_key(|(c, _)| (*c != ledger.currency(), *c));
    let history = Filter {
        from: None,
        to: filter.to,
        fund: None,
    };
    let (months, months_withheld) = publishable_months(ledger, filter, &disclosure)?;
    let consolidated = consolidate(
        ledger.currency(),
        &totals,
        &accountability::exchanges(conn, &history)?,
    )?;
    Ok(Transparency {
        org: read::meta(conn, "org")?,
        from: filter.from,
        to: filter.to,
        head: read::chain_head(conn)?,
        totals,
        funds: fund_rows,
        communes: commune_rows,
        states,
        months,
        months_withheld,
        disclosure,
        programmes,
        exchanges: accountability::exchanges(conn, filter)?,
        together: consolidated.map(Together::AtExchanges),
        evidence: crate::store::evidence::commune_evidence(conn, filter)?,
        evidence_dir: None,
    })
}

/// Each currency's flow: from the funds report, the ledger's fee and conversion lines, the
/// union's report and the communes' report.
fn currency_totals(
    ledger: &Ledger,
    filter: &Filter,
    funds: &funds::FundsReport,
    union: &union::UnionReport,
    communes: &communes::CommunesReport,
) -> Result<BTreeMap<Currency, Totals>> {
    let mut totals: BTreeMap<Currency, Totals> = BTreeMap::new();
    for (currency, f) in &funds.totals {
        let t = of(&mut totals, *currency);
        t.opening = f.opening;
        t.raised = f.raised;
        t.fees = f.fees;
        t.other_spending = f.spent;
        t.other_equity = f.moved;
        t.at_bank = f.at_bank;
        t.at_processor = f.at_processor;
        t.held_by_union = f.held_by_union;
        t.at_other = f.at_other;
    }
    add_fees_and_conversions(&mut totals, ledger, filter)?;
    for row in &union.rows {
        of(&mut totals, row.currency).sent_to_union.add(row.sent)?;
    }
    for a in &union.allocations {
        let t = of(&mut totals, a.currency);
        let field = if a.recipient == UNION_SLUG {
            &mut t.union_programmes
        } else {
            &mut t.allocated
        };
        field.add(a.amount)?;
    }
    for (currency, received, _) in &communes.totals {
        let t = of(&mut totals, *currency);
        t.direct = received.direct;
        t.confirmed = received.confirmed;
    }
    for (currency, f) in &funds.totals {
        let t = of(&mut totals, *currency);
        let mut other_grants = f.granted;
        for part in [t.allocated, t.union_programmes, t.direct] {
            other_grants.sub(part)?;
        }
        t.other_grants = other_grants;
    }
    Ok(totals)
}

/// The fees per kind of fee account, and what was bought and sold through the conversion
/// account.
fn add_fees_and_conversions(
    totals: &mut BTreeMap<Currency, Totals>,
    ledger: &Ledger,
    filter: &Filter,
) -> Result<()> {
    let mut fees_by_kind: BTreeMap<(Currency, String), Sum> = BTreeMap::new();
    for line in read::balance_lines(ledger.conn(), filter)? {
        let net = super::net(&line)?;
        if line.account == FEES || line.account.starts_with(&format!("{FEES}:")) {
            fees_by_kind
                .entry((line.currency, line.account))
                .or_insert(Sum::zero(line.currency))
                .add(net)?;
        } else if line.account == CONVERSION {
            let t = of(totals, line.currency);
            t.bought.add(Sum::from_minor(line.credit_minor, line.currency))?;
            t.sold.add(Sum::from_minor(line.debit_minor, line.currency))?;
            t.other_equity.add(net)?;
        }
    }
    for ((currency, account), sum) in fees_by_kind {
        if !sum.is_zero() {
            of(totals, currency).fees_by_kind.push((account, sum));
        }
    }
    Ok(())
}

fn programmes(union: &union::UnionReport, name_of: &impl Fn(&str) -> String) -> Vec<Programme> {
    union
        .allocations
        .iter()
        .filter(|a| a.recipient == UNION_SLUG && !a.amount.is_zero())
        .map(|a| Programme {
            fund: a.fund.clone(),
            name: name_of(&a.fund),
            currency: a.currency,
            amount: a.amount,
        })
        .collect()
}

/// The funds with a target or with anything raised, moved in or granted.
fn fund_progress(funds: &funds::FundsReport, name_of: &impl Fn(&str) -> String) -> Vec<FundProgress> {
    funds
        .rows
        .iter()
        .filter(|r| {
            r.target.is_some()
                || [r.flows.raised, r.moved_in_to_date, r.flows.granted]
                    .iter()
                    .any(|sum| !sum.is_zero())
        })
        .map(|r| FundProgress {
            fund: r.fund.clone(),
            name: name_of(&r.fund),
            currency: r.currency,
            raised: r.flows.raised,
            moved_in: r.moved_in_to_date,
            granted: r.flows.granted,
            target: r.target.filter(|t| t.currency() == r.currency),
            percent: r.percent,
        })
        .collect()
}

fn commune_journeys(communes: &communes::CommunesReport) -> Vec<Journey> {
    communes
        .rows
        .iter()
        .filter(|r| r.fund.is_none())
        .map(|r| Journey {
            name: r.name.clone(),
            state: r.state.clone(),
            currency: r.currency,
            direct: r.received.direct,
            via_union: r.received.via_union,
            confirmed: r.received.confirmed,
        })
        .collect()
}

/// The communes' journeys summed per state and currency, ordered by state, then currency.
fn state_journeys(commune_rows: &[Journey]) -> Result<Vec<Journey>> {
    let mut states: BTreeMap<(String, Currency), Journey> = BTreeMap::new();
    for c in commune_rows {
        let s = states
            .entry((c.state.clone(), c.currency))
            .or_insert_with(|| Journey {
                name: c.state.clone(),
                state: c.state.clone(),
                currency: c.currency,
                direct: Sum::zero(c.currency),
                via_union: Sum::zero(c.currency),
                confirmed: Sum::zero(c.currency),
            });
        s.direct.add(c.direct)?;
        s.via_union.add(c.via_union)?;
        s.confirmed.add(c.confirmed)?;
    }
    Ok(states.into_values().collect())
}

/// Values every currency's flow in `own`, at the latest of `exchanges` between the two (in
/// either direction); a currency never exchanged with `own` is left out, and named. `None`
/// for a page of one currency.
fn consolidate(
    own: Currency,
    totals: &[(Currency, Totals)],
    exchanges: &[Exchange],
) -> Result<Option<Consolidated>> {
    if totals.len() < 2 {
        return Ok(None);
    }
    let mut c = Consolidated {
        currency: own,
        valuations: Vec::new(),
        came_in: Vec::new(),
        went: Vec::new(),
    };
    let mut came_in: BTreeMap<&'static str, Decimal> = BTreeMap::new();
    let mut went: BTreeMap<&'static str, Decimal> = BTreeMap::new();
    let mut gained = Decimal::ZERO;
    for (currency, t) in totals {
        // (own, foreign): the two sides of the exchange the currency is valued at.
        let sides = if *currency == own {
            Some((Decimal::ONE, Decimal::ONE))
        } else {
            let latest = exchanges.iter().rev().find_map(|e| {
                let (g, r) = (e.given.currency(), e.received.currency());
                let sides = if g == own && r == *currency {
                    (e.given.to_decimal(), e.received.to_decimal())
                } else if g == *currency && r == own {
                    (e.received.to_decimal(), e.given.to_decimal())
                } else {
                    return None;
                };
                Some((sides, e))
            });
            c.valuations.push(Valuation {
                currency: *currency,
                per_unit: latest
                    .map(|((own_side, foreign_side), e)| -> Result<(Decimal, Exchange)> {
                        Ok((
                            foreign_side.checked_div(own_side).ok_or_else(overflow)?,
                            e.clone(),
                        ))
                    })
                    .transpose()?,
            });
            latest.map(|(sides, _)| sides)
        };
        let Some((own_side, foreign_side)) = sides else {
            continue;
        };
        // Multiplied before divided, so a value is exact whenever it can be.
        let value = |part: Sum| -> Result<Decimal> {
            part.to_decimal()
                .checked_mul(own_side)
                .and_then(|v| v.checked_div(foreign_side))
                .ok_or_else(overflow)
        };
        let flow = t.flow()?;
        for (side, parts) in [(&mut came_in, &flow.came_in), (&mut went, &flow.went)] {
            for (label, part) in parts {
                let valued = value(*part)?;
                match *label {
                    BOUGHT => gained = gained.checked_add(valued).ok_or_else(overflow)?,
                    SOLD => gained = gained.checked_sub(valued).ok_or_else(overflow)?,
                    _ => {
                        let sum = side.entry(label).or_default();
                        *sum = sum.checked_add(valued).ok_or_else(overflow)?;
                    }
                }
            }
        }
    }
    // Each side in the flow chart's order, then what the exchanges gained or lost.
    let order = |label: &str| FLOW_ORDER.iter().position(|l| *l == label).unwrap_or(usize::MAX);
    for (side, sums) in [(&mut c.came_in, came_in), (&mut c.went, went)] {
        side.extend(sums);
        side.sort_by_key(|(label, _)| order(label));
    }
    // A difference too small to show (a rate's last digits) is no gain or loss.
    match gained.round_dp(own.minor_units()).cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Greater => c.came_in.push((EXCHANGE_GAIN, gained)),
        std::cmp::Ordering::Less => c.went.push((EXCHANGE_LOSS, -gained)),
        std::cmp::Ordering::Equal => {}
    }
    Ok(Some(c))
}

fn overflow() -> Error {
    Error::Overflow {
        what: "the transparency report's totals".into(),
    }
}

/// A page narrowed to a period or a fund is published only when its whole scope follows
/// `rules` in each currency, its gifts taken together: otherwise a narrow period or a small
/// fund would show one person's gift (or refund) as "raised from donors". The whole
/// ledger's page is the campaign's accounts and is always published (docs/transparency.md).
fn check_scope(ledger: &Ledger, filter: &Filter, rules: &Disclosure) -> Result<()> {
    if filter.from.is_none() && filter.to.is_none() && filter.fund.is_none() {
        return Ok(());
    }
    let scopes = match filter.fund {
        None => gift_months::scopes(ledger.conn(), filter)?,
        Some(_) => {
            let mut scopes = Vec::new();
            for (currency, groups) in donor_months(ledger, filter)? {
                let mut scope = GiftGroup::new("scope", currency);
                for group in groups {
                    scope.absorb(group)?;
                }
                scopes.push(scope);
            }
            scopes
        }
    };
    for scope in scopes {
        let currency = scope.currency;
        if let Some(breach) = rules.breach(&scope.donors) {
            return Err(Error::PageSinglesOut {
                scope: scope_name(filter),
                currency,
                breach,
                rules: *rules,
            });
        }
    }
    Ok(())
}

/// The page's scope in words: "fund `tires`, 2026-03-01 to 2026-03-31", "the ledger".
fn scope_name(filter: &Filter) -> String {
    let period = match (filter.from, filter.to) {
        (Some(from), Some(to)) => Some(format!("{from} to {to}")),
        (Some(from), None) => Some(format!("{from} onward")),
        (None, Some(to)) => Some(format!("up to {to}")),
        (None, None) => None,
    };
    match (&filter.fund, period) {
        (Some(fund), Some(period)) => format!("fund `{fund}`, {period}"),
        (Some(fund), None) => format!("fund `{fund}`"),
        (None, Some(period)) => format!("the period {period}"),
        (None, None) => "the whole ledger".to_string(),
    }
}

/// Each currency's gifts in the scope of `filter`, month by month, each donor's sum kept
/// apart (see [`DonorIds`]).
fn donor_months(ledger: &Ledger, filter: &Filter) -> Result<BTreeMap<Currency, Vec<GiftGroup>>> {
    let mut by_currency: BTreeMap<Currency, Vec<GiftGroup>> = BTreeMap::new();
    let mut ids = DonorIds::default();
    let mut added = Ok(());
    accountability::for_each_donor_month(ledger.conn(), filter, None, |row| {
        let groups = by_currency.entry(row.currency).or_default();
        if groups.last().is_none_or(|g| g.label != row.month) {
            groups.push(GiftGroup::new(row.month.clone(), row.currency));
        }
        let donor = ids.id(row.donor.as_deref());
        if let Some(group) = groups.last_mut().filter(|_| added.is_ok()) {
            added = group.add(donor, Sum::from_minor(row.total_minor, row.currency), row.gifts);
        }
    })?;
    added?;
    Ok(by_currency)
}

/// The months that may be published under `rules`, per currency (see
/// [`privacy::publishable`]), and the currencies none of whose months may. A page of whole
/// months of every fund reads the months' figures the ledger keeps, and a month's donors
/// only when it is hidden; a fund's page reads its gifts.
pub fn publishable_months(
    ledger: &Ledger,
    filter: &Filter,
    rules: &Disclosure,
) -> Result<(Vec<MonthOfGifts>, Vec<Currency>)> {
    let mut shown: Vec<(Currency, Vec<Tally>)> = Vec::new();
    if filter.fund.is_none() {
        let conn = ledger.conn();
        let mut by_currency: BTreeMap<Currency, Vec<Tally>> = BTreeMap::new();
        for tally in gift_months::tallies(conn, filter)? {
            by_currency.entry(tally.currency).or_default().push(tally);
        }
        let mut ids = DonorIds::default();
        for (currency, tallies) in by_currency {
            let publishable = privacy::publishable_tallies(tallies, rules, OTHER_MONTHS, |tally| {
                gift_months::month_donors(conn, tally.currency, &tally.label, &mut ids)
            })?;
            shown.push((currency, publishable));
        }
    } else {
        for (currency, groups) in donor_months(ledger, filter)? {
            shown.push((currency, privacy::publishable(groups, rules, OTHER_MONTHS)?));
        }
    }
    let mut months = Vec::new();
    let mut withheld = Vec::new();
    for (currency, tallies) in shown {
        if tallies.is_empty() {
            withheld.push(currency);
        }
        months.extend(tallies.into_iter().map(|t| MonthOfGifts {
            month: t.label,
            currency,
            donors: t.giving,
            gifts: t.gifts,
            total: t.total,
        }));
    }
    Ok((months, withheld))
}
