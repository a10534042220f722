//! Property tests: random sequences of valid and invalid operations. Every rejected operation
//! leaves the ledger exactly as it was; afterwards `verify` passes (chain, every transaction
//! balanced per currency and fund, maintained totals equal to recomputed ones), the trial
//! balance ties out, and no restricted fund or union holding is below zero.

use chrono::NaiveDate;
use fondo::domain::builders::{self, Donation, Header, Recipient, Send};
use std::collections::BTreeMap;

use fondo::domain::{Amount, Currency, NewPosting, NewTransaction};
use fondo::report::balance::{balance, BalanceOptions};
use fondo::report::funds::Flows;
use fondo::store::read::Filter;
use fondo::store::write::{Confirmation, Confirmed, Overdraft, Restriction};
use fondo::Ledger;
use proptest::prelude::*;

use crate::common::TempLedger;
use fondo::store::WriteMode;

const FUNDS: [&str; 4] = ["general", "tires", "lara-cheese", "no-such-fund"];
const ACCOUNTS: [&str; 5] = [
    "assets:bank",
    "assets:processor",
    "assets:union",
    "income:donations",
    "expenses:fees",
];
const COMMUNES: [&str; 3] = ["union", "el-maizal", "ataroa"];
/// Text a spreadsheet or a CSV reader could trip on, for descriptions and donors.
const TEXTS: [&str; 10] = [
    "entry",
    "=SUM(A1:A9)",
    "-minus first",
    "'quoted",
    "+plus",
    "@at",
    "line\nbreak",
    "comma, inside",
    "quote \"inside\"",
    "Zoë Ñandú",
];

#[derive(Clone, Debug)]
enum Op {
    Donation {
        minor: i64,
        fee: i64,
        fund: usize,
        into: usize,
        currency: bool,
        donor: usize,
    },
    Send {
        minor: i64,
        fee: i64,
        fund: usize,
        to: usize,
    },
    Allocate {
        minor: i64,
        fund: usize,
        to: usize,
    },
    Transfer {
        minor: i64,
        fund: usize,
    },
    Move {
        minor: i64,
        from: usize,
        to: usize,
    },
    Void {
        id: i64,
    },
    Confirm {
        id: i64,
    },
    Entry {
        lines: Vec<(usize, usize, i64)>,
        text: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let minor = 1..50_000_i64;
    prop_oneof![
        3 => (minor.clone(), 0..600_i64, 0..4_usize, 0..2_usize, any::<bool>(), 0..TEXTS.len())
            .prop_map(|(minor, fee, fund, into, currency, donor)| Op::Donation { minor, fee, fund, into, currency, donor }),
        2 => (minor.clone(), 0..300_i64, 0..4_usize, 0..3_usize).prop_map(|(minor, fee, fund, to)| Op::Send { minor, fee, fund, to }),
        2 => (minor.clone(), 0..4_usize, 0..3_usize).prop_map(|(minor, fund, to)| Op::Allocate { minor, fund, to }),
        1 => (minor.clone(), 0..4_usize).prop_map(|(minor, fund)| Op::Transfer { minor, fund }),
        1 => (minor, 0..4_usize, 0..4_usize).prop_map(|(minor, from, to)| Op::Move { minor, from, to }),
        1 => (1..30_i64).prop_map(|id| Op::Void { id }),
        1 => (1..30_i64).prop_map(|id| Op::Confirm { id }),
        1 => (prop::collection::vec((0..5_usize, 0..4_usize, -3_000..3_000_i64), 1..4), 0..TEXTS.len())
            .prop_map(|(lines, text)| Op::Entry { lines, text }),
    ]
}

/// The date of the `i`th operation: the ledger's days spread over April.
fn day_of(i: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1 + (i % 28) as u32).unwrap()
}

fn apply(ledger: &mut Ledger, op: &Op, day: NaiveDate) -> fondo::Result<()> {
    let usd = Currency::parse("USD").unwrap();
    let ves = Currency::parse("VES").unwrap();
    let money = |minor: i64, c: Currency| Amount::from_minor(minor, c);
    let recipient = |to: usize| match COMMUNES[to] {
        "union" => Recipient::Union,
        slug => Recipient::Commune {
            slug: slug.into(),
            name: slug.into(),
        },
    };
    let txn: NewTransaction = match op {
        Op::Donation {
            minor,
            fee,
            fund,
            into,
            currency,
            donor,
        } => {
            let c = if *currency { ves } else { usd };
            let d = Donation {
                amount: money(*minor, c)?,
                fee: Some(money(*fee, c)?),
                // A donor's name is one line; descriptions keep their line breaks.
                donor: TEXTS[*donor].replace('\n', " "),
                fund: FUNDS[*fund].into(),
                into: ACCOUNTS[*into].into(),
                fee_to: Default::default(),
            };
            builders::donation(d, Header::default(), day)?
        }
        Op::Send { minor, fee, fund, to } => {
            let s = Send {
                amount: money(*minor, usd)?,
                fee: Some(money(*fee, usd)?),
                to: recipient(*to),
                fund: FUNDS[*fund].into(),
                from: "assets:bank".into(),
                fee_to: Default::default(),
            };
            builders::send(s, Header::default(), day)?
        }
        Op::Allocate { minor, fund, to } => {
            let a = builders::Allocation {
                amount: money(*minor, usd)?,
                to: recipient(*to),
                fund: FUNDS[*fund].into(),
            };
            builders::allocate(a, Header::default(), day)?
        }
        Op::Transfer { minor, fund } => {
            let t = builders::Transfer {
                amount: money(*minor, usd)?,
                from: "assets:processor".into(),
                to: "assets:bank".into(),
                fund: FUNDS[*fund].into(),
            };
            builders::transfer(t, Header::default(), day)?
        }
        Op::Move { minor, from, to } => {
            let m = builders::FundMove {
                amount: money(*minor, usd)?,
                from_fund: FUNDS[*from].into(),
                to_fund: FUNDS[*to].into(),
                account: "assets:bank".into(),
            };
            builders::fund_move(m, Header::default(), day)?
        }
        Op::Void { id } => {
            return ledger
                .write(WriteMode::Commit, |w| {
                    w.void(*id, "test", Header::default(), day, Confirmed::Refuse)
                })
                .map(drop)
        }
        Op::Confirm { id } => {
            return ledger
                .write(WriteMode::Commit, |w| {
                    w.confirm(*id, &Confirmation::default(), day)
                })
                .map(drop)
        }
        Op::Entry { lines, text } => NewTransaction {
            date: day,
            description: TEXTS[*text].into(),
            counterparty: None,
            reference: None,
            memo: None,
            voids: None,
            postings: lines
                .iter()
                .map(|(a, f, m)| {
                    Ok(NewPosting {
                        account: ACCOUNTS[*a].into(),
                        fund: FUNDS[*f].into(),
                        amount: money(*m, usd)?,
                    })
                })
                .collect::<fondo::Result<_>>()?,
        },
    };
    ledger
        .write(WriteMode::Commit, |w| w.record(&txn, "test"))
        .map(drop)
}

/// A ledger after `ops`, in a file under `t`.
fn ledger_after(t: &TempLedger, ops: &[Op]) -> Ledger {
    let mut ledger = Ledger::create(&t.path, Currency::parse("USD").unwrap(), None, "prop").unwrap();
    ledger
        .write(WriteMode::Commit, |w| {
            w.add_fund("tires", None, None, Restriction::Restricted)?;
            w.add_fund("lara-cheese", None, None, Restriction::Restricted)?;
            w.add_commune("El Maizal", "Lara", None)?;
            w.add_commune("Ataroa", "Lara", None).map(drop)
        })
        .unwrap();
    for (i, op) in ops.iter().enumerate() {
        let _ = apply(&mut ledger, op, day_of(i));
    }
    ledger
}

/// The journal export without the audit columns (`entered_at`, `entered_by`, `hash`),
/// which describe how this ledger was written rather than what it says.
fn journal_without_audit(ledger: &Ledger) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    fondo::io::export::write_journal(ledger, &Default::default(), &mut out).unwrap();
    csv::Reader::from_reader(out.as_slice())
        .records()
        .map(|r| r.unwrap().iter().take(12).map(str::to_string).collect())
        .collect()
}

/// A donation to an existing fund with a fee below the gift must always be recorded.
fn certainly_valid(op: &Op) -> bool {
    matches!(op, Op::Donation { minor, fee, fund, .. } if FUNDS[*fund] != "no-such-fund" && fee < minor)
}

/// Each fund's flows, keyed by fund and currency.
/// A balance line's account, fund and currency.
type LineKey = (String, String, String);

fn flows_by_fund(ledger: &Ledger, filter: &Filter) -> BTreeMap<(String, String), Flows> {
    fondo::report::funds::funds(ledger, filter)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| ((r.fund, r.currency.to_string()), r.flows))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// The reports' identities: funds close at their asset balances, the union holds what
    /// was sent less what it allocated, the communes received what their grants accounts
    /// show; and a period's report plus what came before it is the report through its end.
    #[test]
    fn reports_tie_out_and_periods_add_up(ops in prop::collection::vec(op(), 1..40), a in 1..28_u32, span in 0..28_u32) {
        let t = TempLedger::uninitialized();
        let ledger = ledger_after(&t, &ops);
        let from = NaiveDate::from_ymd_opt(2026, 4, a).unwrap();
        let to = NaiveDate::from_ymd_opt(2026, 4, (a + span).min(28)).unwrap();
        let all = Filter::default();
        let funds = fondo::report::funds::funds(&ledger, &all).unwrap();
        prop_assert!(funds.tied_out(), "{:?}", funds);
        let union = fondo::report::union::union(&ledger, &all, 90, to).unwrap();
        prop_assert!(union.tied_out(), "{:?}", union);
        for row in &union.rows {
            prop_assert_eq!(row.held.minor(), row.sent.minor() - row.allocated.minor());
        }
        let communes = fondo::report::communes::communes(&ledger, &all).unwrap();
        prop_assert!(communes.tied_out(), "{:?}", communes);
        let period = Filter { from: Some(from), to: Some(to), fund: None };
        let before = Filter { from: None, to: from.pred_opt(), fund: None };
        let through = Filter { from: None, to: Some(to), fund: None };
        let (period, before, through) =
            (flows_by_fund(&ledger, &period), flows_by_fund(&ledger, &before), flows_by_fund(&ledger, &through));
        for (key, p) in &period {
            let zero = || Flows::zero(Currency::parse(&key.1).unwrap());
            let earlier = before.get(key).cloned().unwrap_or_else(zero);
            let whole = through.get(key).cloned().unwrap_or_else(zero);
            prop_assert!(p.tied_out(), "{:?} {:?}", key, p);
            prop_assert_eq!(p.opening, earlier.closing, "{:?}: opening is what came before", key);
            prop_assert_eq!(p.closing, whole.closing, "{:?}: the period closes where the books do", key);
            prop_assert_eq!(earlier.raised.minor() + p.raised.minor(), whole.raised.minor(), "{:?}: raised adds up", key);
            prop_assert_eq!(earlier.granted.minor() + p.granted.minor(), whole.granted.minor(), "{:?}: granted adds up", key);
            prop_assert_eq!(earlier.fees.minor() + p.fees.minor(), whole.fees.minor(), "{:?}: fees add up", key);
        }
        // The statements: the period's activities added to the position before it give the
        // position at its end, column by column (without and with donor restrictions).
        let activities = fondo::report::activities::activities(&ledger, &Filter { from: Some(from), to: Some(to), fund: None }).unwrap();
        let position = |at| fondo::report::position::position(&ledger, at).unwrap();
        let (start, end) = (position(from.pred_opt()), position(Some(to)));
        for (currency, a) in &activities.currencies {
            prop_assert!(a.tied_out(), "{:?}", a);
            let net = |p: &fondo::report::position::PositionReport| {
                p.currencies.iter().find(|(c, _)| c == currency).map_or([0, 0], |(_, p)| [p.unrestricted_total.minor(), p.restricted_total.minor()])
            };
            let find = |name: &str| a.lines.iter().find(|(n, _)| *n == name).map(|(_, v)| v.map(|s| s.minor())).unwrap();
            prop_assert_eq!(find("Net assets at the start"), net(&start), "{}: start", currency);
            let change = find("Change in net assets");
            let [s0, s1] = net(&start);
            prop_assert_eq!([s0 + change[0], s1 + change[1]], net(&end), "{}: start + change = end", currency);
        }
        for (_, p) in start.currencies.iter().chain(&end.currencies) {
            prop_assert!(p.tied_out(), "{:?}", p);
        }
        let union_period = fondo::report::union::union(&ledger, &Filter { from: Some(from), to: Some(to), fund: None }, 90, to).unwrap();
        let union_through = fondo::report::union::union(&ledger, &Filter { from: None, to: Some(to), fund: None }, 90, to).unwrap();
        for (p, w) in union_period.rows.iter().zip(&union_through.rows) {
            prop_assert_eq!(p.held.minor(), w.held.minor());
            prop_assert_eq!(p.opening.minor() + p.sent.minor() - p.allocated.minor(), w.sent.minor() - w.allocated.minor());
        }
    }

    /// Statements by month and by quarter over ledgers spread across four months: each period
    /// ties out, opens where the one before closed, and the periods add up to the whole; and
    /// each month's opening and closing net assets are the position the day before it starts
    /// and on its last day, column by column.
    #[test]
    fn statements_by_period_chain_and_match_the_position(ops in prop::collection::vec((op(), 0..120_u64), 1..40), start in 0..60_u64) {
        let t = TempLedger::uninitialized();
        let mut ledger = ledger_after(&t, &[]);
        let jan = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for (op, day) in &ops {
            let _ = apply(&mut ledger, op, jan + chrono::Days::new(*day));
        }
        let filter = Filter { from: Some(jan + chrono::Days::new(start)), to: None, fund: None };
        use fondo::report::activities::{activities_by_period, Step};
        let quarters = activities_by_period(&ledger, &filter, Step::Quarter).unwrap();
        prop_assert!(quarters.tied_out(), "{:?}", quarters);
        let months = activities_by_period(&ledger, &filter, Step::Month).unwrap();
        prop_assert!(months.tied_out(), "{:?}", months);
        for month in &months.periods {
            for (currency, a) in &month.report.currencies {
                let net = |at| {
                    let p = fondo::report::position::position(&ledger, at).unwrap();
                    p.currencies.iter().find(|(c, _)| c == currency).map_or([0, 0], |(_, p)| [p.unrestricted_total.minor(), p.restricted_total.minor()])
                };
                let find = |name: &str| a.lines.iter().find(|(n, _)| *n == name).map(|(_, v)| v.map(|s| s.minor())).unwrap();
                prop_assert_eq!(find("Net assets at the start"), net(month.from.pred_opt()), "{} {}: start", month.label, currency);
                prop_assert_eq!(find("Net assets at the end"), net(Some(month.to)), "{} {}: end", month.label, currency);
            }
        }
    }

    /// Export, import into a new ledger, export again: the same rows.
    #[test]
    fn export_import_export_gives_the_same_rows(ops in prop::collection::vec(op(), 1..25)) {
        let first = TempLedger::uninitialized();
        let original = ledger_after(&first, &ops);
        let exported = first.dir.path().join("journal.csv");
        let dest = fondo::files::Destination { path: &exported, ledger: original.path(), existing: fondo::files::Existing::Refuse };
        fondo::io::export::write_journal_file(&original, &Default::default(), &dest).unwrap();
        let second = TempLedger::uninitialized();
        let mut copy = Ledger::create(&second.path, Currency::parse("USD").unwrap(), None, "prop").unwrap();
        let options = fondo::io::import::ImportOptions { create_missing: true, ..Default::default() };
        let outcome = fondo::io::import::import(&mut copy, &exported, &options).unwrap();
        let rows = journal_without_audit(&original);
        prop_assert_eq!(outcome.skipped_duplicates, 0);
        prop_assert_eq!(journal_without_audit(&copy), rows);
    }

    #[test]
    fn invariants_hold_after_any_sequence(ops in prop::collection::vec(op(), 1..30)) {
        let t = TempLedger::uninitialized();
        let mut ledger = Ledger::create(&t.path, Currency::parse("USD").unwrap(), None, "prop").unwrap();
        ledger.write(WriteMode::Commit, |w| {
            w.add_fund("tires", None, None, Restriction::Restricted)?;
            w.add_fund("lara-cheese", None, None, Restriction::Restricted)?;
            w.add_commune("El Maizal", "Lara", None)?;
            w.add_commune("Ataroa", "Lara", None).map(drop)
        }).unwrap();
        for (i, op) in ops.iter().enumerate() {
            let before = t.snapshot();
            match apply(&mut ledger, op, day_of(i)) {
                Ok(()) => {}
                Err(e) => {
                    prop_assert!(!certainly_valid(op), "{:?} was wrongly rejected: {}", op, e);
                    prop_assert_eq!(t.snapshot(), before, "{:?} was rejected ({}) but changed the ledger", op, e);
                }
            }
        }
        let outcome = fondo::store::verify::verify(&ledger, None).unwrap();
        prop_assert!(outcome.ok, "{:?}", outcome.problems);
        let report = balance(&ledger, &BalanceOptions { by_fund: true, ..BalanceOptions::default() }).unwrap();
        prop_assert!(report.tied_out());
        for row in &report.rows {
            let fund = row.fund.as_deref().unwrap();
            if row.account.starts_with("assets:") {
                prop_assert!(row.balance.minor() >= 0, "{} {} is {}", row.account, fund, row.balance.minor());
            }
        }
    }

    /// Recordings on random days, back-dated ones included, never leave an (asset account,
    /// fund, currency) below zero at the end of any day — except a declared credit line.
    #[test]
    fn no_asset_balance_is_below_zero_on_any_day(ops in prop::collection::vec((op(), 0..28_usize), 1..40), drawn in 1..90_000_i64) {
        let t = TempLedger::uninitialized();
        let mut ledger = ledger_after(&t, &[]);
        ledger.write(WriteMode::Commit, |w| w.add_account("assets:credit-line", Overdraft::Allowed)).unwrap();
        for (op, day) in &ops {
            let _ = apply(&mut ledger, op, day_of(*day));
        }
        let usd = Currency::parse("USD").unwrap();
        let drawing = NewTransaction {
            date: day_of(3),
            description: "paid from the credit line".into(),
            counterparty: None,
            reference: None,
            memo: None,
            voids: None,
            postings: vec![
                NewPosting { account: "expenses:fees".into(), fund: "general".into(), amount: Amount::from_minor(drawn, usd).unwrap() },
                NewPosting { account: "assets:credit-line".into(), fund: "general".into(), amount: Amount::from_minor(-drawn, usd).unwrap() },
            ],
        };
        ledger.write(WriteMode::Commit, |w| w.record(&drawing, "test")).unwrap();
        drop(ledger);
        let conn = t.raw();
        let mut stmt = conn.prepare(
            "SELECT a.name, a.allow_negative, d.fund_id, d.currency, d.date,
                    sum(d.debit_minor - d.credit_minor) OVER (PARTITION BY d.account_id, d.fund_id, d.currency ORDER BY d.date)
             FROM daily_totals d JOIN accounts a ON a.id = d.account_id WHERE a.type = 'assets'",
        ).unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut credit_line_used = false;
        while let Some(r) = rows.next().unwrap() {
            let (account, allowed, balance): (String, bool, i64) = (r.get(0).unwrap(), r.get(1).unwrap(), r.get(5).unwrap());
            let date: String = r.get(4).unwrap();
            if allowed {
                credit_line_used |= balance < 0;
            } else {
                prop_assert!(balance >= 0, "{} fund {} is {} at the end of {}", account, r.get::<_, i64>(2).unwrap(), balance, date);
            }
        }
        prop_assert!(credit_line_used);
    }

    /// The sums a report reads for a period, through a day, or from one — whether from the
    /// daily totals in the range or the maintained totals less the days after it, whichever
    /// the store picks — are the postings' own sums, line for line and in the same order.
    #[test]
    fn balance_lines_equal_the_postings_summed(ops in prop::collection::vec(op(), 1..40), a in 0..30_u32, span in 0..30_u32) {
        let t = TempLedger::uninitialized();
        drop(ledger_after(&t, &ops));
        let conn = t.raw();
        let day = |n: u32| NaiveDate::from_ymd_opt(2026, 3, 31).unwrap() + chrono::Days::new(u64::from(n));
        let (from, to) = (day(a), day(a + span));
        for filter in [
            Filter { from: None, to: Some(to), fund: None },
            Filter { from: Some(from), to: Some(to), fund: None },
            Filter { from: Some(from), to: None, fund: None },
            Filter { from: None, to: Some(from), fund: Some("tires".into()) },
        ] {
            let mut summed: BTreeMap<LineKey, (i64, i64)> = BTreeMap::new();
            for line in fondo::store::read::register_lines(&conn, None, &filter, None).unwrap().lines {
                if filter.fund.as_ref().is_some_and(|f| f != &line.fund) {
                    continue;
                }
                let sums = summed.entry((line.account, line.fund, line.amount.currency().to_string())).or_default();
                let minor = line.amount.minor();
                if minor > 0 { sums.0 += minor } else { sums.1 -= minor }
            }
            let read: Vec<(LineKey, (i64, i64))> = fondo::store::read::balance_lines(&conn, &filter)
                .unwrap()
                .into_iter()
                .map(|l| ((l.account, l.fund, l.currency.to_string()), (l.debit_minor, l.credit_minor)))
                .collect();
            prop_assert_eq!(read, summed.into_iter().collect::<Vec<_>>(), "{:?}", filter);
        }
    }
}
