//! The months' gifts kept on write for the public page (issue 17): after any mix of gifts
//! (several spellings of one person, gifts without a donor, two currencies, months apart),
//! refunds (in later months), voids, renames and merges, the page of the whole ledger (read
//! from the kept months) shows the same months as a page that reads every gift, `verify`
//! passes, and `verify` catches a kept row changed outside fondo without naming anyone.

use chrono::NaiveDate;
use fondo::domain::builders::{self, Donation, Header, RefundAsked};
use fondo::domain::{Amount, Currency, NewPosting, NewTransaction};
use fondo::report::transparency::{publishable_months, transparency};
use fondo::store::read::Filter;
use fondo::store::rename::RenameArgs;
use fondo::store::write::{Confirmed, NameRules};
use fondo::store::WriteMode;
use fondo::Ledger;
use proptest::prelude::*;

use crate::common::TempLedger;
use crate::erasure::{holds, ledger_bytes};
use crate::tamper::{edit_without_triggers, verify_fails};

/// Eight people, two of them spelled three ways: the rules count people, not spellings.
const DONORS: [&str; 10] = [
    "Ana Pérez",
    "ana perez",
    "ANA  PEREZ",
    "Bo",
    "Cy",
    "Dee",
    "Eve",
    "Flo",
    "Gus",
    "gus",
];

#[derive(Clone, Debug)]
enum Op {
    Gift {
        donor: usize,
        minor: i64,
        month: u32,
        day: u32,
        eur: bool,
    },
    Unnamed {
        minor: i64,
        month: u32,
        eur: bool,
    },
    Refund {
        id: i64,
        minor: i64,
        month: u32,
    },
    Void {
        id: i64,
        month: u32,
    },
    Rename {
        from: usize,
        to: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..DONORS.len(), 1..40_000_i64, 1..5_u32, 1..28_u32, prop::bool::weighted(0.2))
            .prop_map(|(donor, minor, month, day, eur)| Op::Gift { donor, minor, month, day, eur }),
        1 => (1..9_000_i64, 1..5_u32, any::<bool>()).prop_map(|(minor, month, eur)| Op::Unnamed { minor, month, eur }),
        2 => (1..40_i64, 1..20_000_i64, 1..6_u32).prop_map(|(id, minor, month)| Op::Refund { id, minor, month }),
        2 => (1..40_i64, 1..6_u32).prop_map(|(id, month)| Op::Void { id, month }),
        1 => (0..DONORS.len(), 0..DONORS.len()).prop_map(|(from, to)| Op::Rename { from, to }),
    ]
}

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

/// Applies `op`; many are refused (a refund of a void, a rename to a name in use), which
/// changes nothing.
fn apply(ledger: &mut Ledger, op: &Op) {
    let currency = |eur: bool| Currency::parse(if eur { "EUR" } else { "USD" }).unwrap();
    let rules = NameRules {
        new_donor: true,
        confusable: true,
        ..NameRules::default()
    };
    let _ = match op {
        Op::Gift {
            donor,
            minor,
            month,
            day,
            eur,
        } => {
            let gift = Donation {
                amount: Amount::from_minor(*minor, currency(*eur)).unwrap(),
                fee: None,
                donor: DONORS[*donor].into(),
                fund: "general".into(),
                into: "assets:bank".into(),
                fee_to: Default::default(),
            };
            let txn = builders::donation(gift, Header::default(), date(*month, *day)).unwrap();
            ledger.write(WriteMode::Commit, |w| {
                w.set_name_rules(rules);
                w.record(&txn, "test")
            })
        }
        Op::Unnamed { minor, month, eur } => {
            let posting = |account: &str, minor: i64| NewPosting {
                account: account.into(),
                fund: "general".into(),
                amount: Amount::from_minor(minor, currency(*eur)).unwrap(),
            };
            let txn = NewTransaction {
                date: date(*month, 15),
                description: "collection box".into(),
                counterparty: None,
                reference: None,
                memo: None,
                voids: None,
                postings: vec![
                    posting("assets:cash", *minor),
                    posting("income:donations", -minor),
                ],
            };
            ledger.write(WriteMode::Commit, |w| w.record(&txn, "test"))
        }
        Op::Refund { id, minor, month } => ledger.write(WriteMode::Commit, |w| {
            let asked = RefundAsked {
                amount: Some(format!("{}.{:02}", minor / 100, minor % 100)),
                fee: None,
                from: None,
                chargeback: false,
            };
            w.refund(*id, asked, Header::default(), date(*month, 28))
        }),
        Op::Void { id, month } => ledger.write(WriteMode::Commit, |w| {
            w.void(
                *id,
                "test",
                Header::default(),
                date(*month, 28),
                Confirmed::Refuse,
            )
        }),
        Op::Rename { from, to } => {
            let args = RenameArgs {
                from: DONORS[*from],
                to: DONORS[*to],
                merge: true,
            };
            ledger.rename_donor(&args, rules, false).map(|_| 0)
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_kept_months_give_the_page_the_gifts_give(ops in prop::collection::vec(op(), 1..45)) {
        let t = TempLedger::uninitialized();
        let mut ledger = Ledger::create(&t.path, Currency::parse("USD").unwrap(), None, "prop").unwrap();
        for op in &ops {
            apply(&mut ledger, op);
        }
        let outcome = fondo::store::verify::verify(&ledger, None).unwrap();
        prop_assert!(outcome.ok, "{:?}", outcome.problems);
        // Every gift is in the general fund: its page reads the gifts, the whole page the
        // kept months.
        let rules = fondo::domain::privacy::Disclosure::new(3, 50).unwrap();
        let kept = publishable_months(&ledger, &Filter::default(), &rules).unwrap();
        let general = Filter { fund: Some("general".into()), ..Filter::default() };
        prop_assert_eq!(&kept, &publishable_months(&ledger, &general, &rules).unwrap());
        // A period of whole months too.
        let spring = Filter { from: Some(date(2, 1)), to: Some(date(3, 31)), fund: None };
        let spring_general = Filter { fund: Some("general".into()), ..spring.clone() };
        prop_assert_eq!(
            publishable_months(&ledger, &spring, &rules).unwrap(),
            publishable_months(&ledger, &spring_general, &rules).unwrap()
        );
        // The page of a period is refused when its gifts together single someone out: the
        // same rule broken, read from the kept months or from the gifts.
        let today = date(12, 31);
        let breach = |filter: &Filter| match transparency(&ledger, filter, today) {
            Ok(_) => None,
            Err(fondo::Error::PageSinglesOut { currency, breach, .. }) => Some((currency, breach)),
            Err(e) => panic!("{e}"),
        };
        prop_assert_eq!(breach(&spring), breach(&spring_general));
        // A period of most months: the donors' whole totals less the months outside it.
        let most = Filter { from: Some(date(2, 1)), to: None, fund: None };
        let most_general = Filter { fund: Some("general".into()), ..most.clone() };
        prop_assert_eq!(breach(&most), breach(&most_general));
    }
}

/// Six people in March (Ana spelled two ways), two in April and three in May: March is
/// shown on its own; April and May are each too few, and shown together.
fn ledger() -> TempLedger {
    let l = TempLedger::new();
    let gifts = [
        ("Ana Pérez", "100", "2026-03-02"),
        ("ana perez", "20", "2026-03-03"),
        ("Bo", "50", "2026-03-04"),
        ("Cy", "60", "2026-03-05"),
        ("Dee", "70", "2026-03-06"),
        ("Eve", "80", "2026-03-07"),
        ("Flo", "90", "2026-03-08"),
        ("Gus", "15", "2026-04-02"),
        ("Hal", "25", "2026-04-03"),
        ("Ivy", "30", "2026-05-02"),
        ("Jo", "35", "2026-05-03"),
        ("Kim", "20", "2026-05-04"),
    ];
    for (donor, amount, date) in gifts {
        l.run(&[
            "donation",
            amount,
            "--donor",
            donor,
            "--date",
            date,
            "--new-donor",
            "--allow-confusable",
        ]);
    }
    l
}

/// The page's "Raised per month" table, as Markdown rows.
fn month_rows(l: &TempLedger) -> Vec<String> {
    let page = l.run(&["--format", "md", "report", "transparency"]);
    let table = page.split("## Raised per month").nth(1).unwrap_or_default();
    table
        .lines()
        .filter(|line| line.starts_with("| 2026") || line.starts_with("| other"))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_page_counts_people_per_month_from_the_kept_months() {
    let l = ledger();
    assert_eq!(
        month_rows(&l),
        [
            "| 2026-03 | 6 | 7 | 470.00 USD |",
            "| other months | 5 | 5 | 125.00 USD |"
        ]
    );
    // A refund dated in April of Bo's March gift: March keeps it, April gives it back.
    l.run(&["refund", "3", "50", "--date", "2026-04-10"]);
    assert_eq!(
        month_rows(&l),
        [
            "| 2026-03 | 6 | 7 | 470.00 USD |",
            "| other months | 5 | 5 | 75.00 USD |"
        ]
    );
    // Flo's gift voided: five people in March, still enough.
    l.run(&["void", "7", "--reason", "bounced", "--date", "2026-04-11"]);
    assert_eq!(
        month_rows(&l),
        [
            "| 2026-03 | 5 | 6 | 380.00 USD |",
            "| other months | 5 | 5 | 75.00 USD |"
        ]
    );
    // Cy's too: March joins the other months, where Bo's gift and refund cancel out and he
    // is no longer counted as giving.
    l.run(&["void", "4", "--reason", "bounced", "--date", "2026-04-11"]);
    assert_eq!(month_rows(&l), ["| other months | 8 | 10 | 395.00 USD |"]);
    let verified = l.json(&["verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
}

#[test]
fn a_kept_month_changed_outside_fondo_fails_verify_naming_no_one() {
    for (edit, what) in [
        (
            "UPDATE gift_month_donors SET total_minor = total_minor + 1 WHERE donor_key = 'bo'",
            "gifts per donor",
        ),
        (
            "DELETE FROM gift_month_donors WHERE donor_key = 'cy'",
            "gifts per donor",
        ),
        (
            "INSERT INTO gift_month_donors VALUES ('USD', '2026-05', 'zed', 1, 100)",
            "gifts per donor",
        ),
        (
            "UPDATE gift_months SET giving = giving + 1 WHERE month = '2026-05'",
            "figures",
        ),
        (
            "UPDATE gift_months SET largest_minor = 1 WHERE month = '2026-03'",
            "figures",
        ),
        ("DELETE FROM gift_months WHERE month = '2026-04'", "figures"),
    ] {
        let l = ledger();
        edit_without_triggers(&l, edit, true);
        let report = verify_fails(&l, None, edit);
        assert!(
            report.contains(&format!("the months' {what} kept for the public page hold 1 row(s) that differ from the gifts (changed outside fondo)")),
            "after `{edit}`: {report}"
        );
        assert!(!report.contains("zed") && !report.contains("\"bo\""), "{report}");
    }
}

#[test]
fn forgetting_a_donor_takes_their_key_out_of_the_kept_months() {
    let l = ledger();
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    l.run(&["donor", "forget", "ana perez", "--yes"]);
    let bytes = ledger_bytes(&l);
    assert!(!holds(&bytes, b"ana perez"), "the key is in the file");
    assert!(!holds(&bytes, "Ana Pérez".as_bytes()), "the name is in the file");
    // Two erasures are two placeholders: two people now, as the page counts them.
    assert_eq!(
        month_rows(&l),
        [
            "| 2026-03 | 7 | 7 | 470.00 USD |",
            "| other months | 5 | 5 | 125.00 USD |"
        ]
    );
    let verified = l.json(&["verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
}

#[test]
fn a_page_of_an_unknown_fund_is_refused() {
    let l = ledger();
    let err = l.reject(&["--format", "md", "report", "transparency", "--fund", "tyres"]);
    assert!(err.contains("unknown fund `tyres`"), "{err}");
}

/// Regression: a kept total edited to a count no write leaves made every later write to it
/// fail with SQLite's own words; the write is refused, names the table and says to verify.
#[test]
fn a_write_onto_a_kept_total_changed_outside_fondo_says_to_verify() {
    for (edit, what) in [
        (
            "UPDATE gift_month_donors SET gift_count = 9223372036854775807 WHERE donor_key = 'bo'",
            "the months' gifts kept for the public page that a write cannot add to",
        ),
        (
            "UPDATE donor_totals SET gift_count = 9223372036854775807 WHERE donor = 'Bo'",
            "the donors' totals kept for `report donors` that a write cannot add to",
        ),
    ] {
        let l = ledger();
        edit_without_triggers(&l, edit, true);
        let err = l.reject(&["donation", "5", "--donor", "Bo", "--date", "2026-03-20"]);
        assert!(
            err.contains(what) && err.contains("run `fondo verify`"),
            "after `{edit}`: {err}"
        );
    }
}
