//! The donors' totals kept on write (issue 17): `report donors` of the whole ledger reads
//! them, a report over a period reads the gifts themselves; after gifts, refunds, voids,
//! imports, renames, merges and erasures the two agree, and `verify` catches a kept row
//! changed outside fondo.

use serde_json::Value;

use crate::common::TempLedger;
use crate::erasure::{holds, ledger_bytes};
use crate::tamper::{edit_without_triggers, verify_fails};

/// `report donors` of the whole ledger (the kept totals) and over a period that covers it
/// (the gifts read one by one) must say the same, and `verify` pass; returns the report.
fn kept_equals_recomputed(l: &TempLedger) -> Value {
    let kept = l.json(&["report", "donors"]);
    let recomputed = l.json(&["report", "donors", "--from", "2000-01-01"]);
    assert_eq!(kept, recomputed);
    let verified = l.json(&["verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
    kept
}

/// Each row: donor, currency, count, total, first and last date (totals: the tie-out).
fn rows(report: &Value) -> Vec<String> {
    report
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let cell = |k: &str| match &r[k] {
                Value::String(s) => s.clone(),
                Value::Null => "-".into(),
                other => other.to_string(),
            };
            [
                "donor",
                "currency",
                "count",
                "total",
                "first_date",
                "last_date",
                "tied_out",
            ]
            .map(cell)
            .join(" ")
        })
        .collect()
}

/// Ana gives twice (#1, #3), Bo once (#2), and a collection box without a donor (#4, #5)
/// comes in by import, in two currencies.
fn ledger() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["donation", "100", "--donor", "Ana Pérez", "--date", "2026-03-02"]);
    l.run(&["donation", "250", "--donor", "Bo", "--date", "2026-03-03"]);
    l.run(&["donation", "30", "--donor", "Ana Pérez", "--date", "2026-03-05"]);
    let csv = l.file(
        "box.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-03-06,collection box,assets:cash,income:donations,12.50,,,,box-1\n\
         2026-03-07,collection box,assets:cash,income:donations,8.00,EUR,,,box-2\n",
    );
    l.run(&["import", &csv, "--create-missing"]);
    l
}

#[test]
fn gifts_refunds_and_voids_keep_the_totals_equal_to_the_gifts() {
    let l = ledger();
    let report = kept_equals_recomputed(&l);
    assert_eq!(
        rows(&report),
        [
            "Bo USD 1 250.00 2026-03-03 2026-03-03 -",
            "Ana Pérez USD 2 130.00 2026-03-02 2026-03-05 -",
            "total EUR - 0.00 - - true",
            "total USD - 380.00 - - true",
        ]
    );
    // A partial refund of Ana's first gift, then a void of her last: one gift of 60.00 left.
    l.run(&["refund", "1", "40", "--date", "2026-03-08"]);
    l.run(&[
        "void",
        "3",
        "--reason",
        "a cheque that bounced",
        "--date",
        "2026-03-09",
    ]);
    // A void of a gift without a donor leaves the box's total.
    l.run(&["void", "4", "--reason", "counted twice", "--date", "2026-03-09"]);
    let report = kept_equals_recomputed(&l);
    assert_eq!(
        rows(&report)[..2],
        [
            "Bo USD 1 250.00 2026-03-03 2026-03-03 -",
            "Ana Pérez USD 1 60.00 2026-03-02 2026-03-02 -",
        ]
    );
    let table = l.run(&["report", "donors"]);
    assert!(
        table.contains("tie-out USD: donors 310.00 + gifts without a donor 0.00 + voided gifts 0.00 = income:donations 310.00: ok"),
        "{table}"
    );
    assert!(
        table.contains("tie-out EUR: donors 0.00 + gifts without a donor 8.00 + voided gifts 0.00 = income:donations 8.00: ok"),
        "{table}"
    );
    // Voiding the refund gives its 40.00 back; voiding the gift then takes her off the list.
    l.run(&[
        "void",
        "6",
        "--reason",
        "refund sent back",
        "--date",
        "2026-03-10",
    ]);
    assert_eq!(
        rows(&kept_equals_recomputed(&l))[1],
        "Ana Pérez USD 1 100.00 2026-03-02 2026-03-02 -"
    );
    l.run(&["void", "1", "--reason", "never arrived", "--date", "2026-03-10"]);
    let report = kept_equals_recomputed(&l);
    assert!(rows(&report).iter().all(|r| !r.starts_with("Ana")), "{report}");
}

#[test]
fn rename_merge_and_forget_leave_the_totals_equal_to_the_gifts() {
    let l = ledger();
    l.run(&["donation", "5", "--donor", "Cy", "--date", "2026-03-04"]);
    l.run(&["refund", "2", "50", "--date", "2026-03-08"]);
    l.run(&["donor", "rename", "Bo", "Bohdan"]);
    assert_eq!(
        rows(&kept_equals_recomputed(&l))[0],
        "Bohdan USD 1 200.00 2026-03-03 2026-03-03 -"
    );
    l.run(&["donor", "merge", "Cy", "Bohdan", "--yes"]);
    assert_eq!(
        rows(&kept_equals_recomputed(&l))[0],
        "Bohdan USD 2 205.00 2026-03-03 2026-03-04 -"
    );
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    let report = kept_equals_recomputed(&l);
    assert_eq!(
        rows(&report)[1],
        "forgotten donor 1 USD 2 130.00 2026-03-02 2026-03-05 -"
    );
    let bytes = ledger_bytes(&l);
    assert!(!holds(&bytes, "Ana Pérez".as_bytes()), "the name is in the file");
}

#[test]
fn a_kept_total_changed_outside_fondo_fails_verify() {
    for edit in [
        "UPDATE donor_totals SET total_minor = total_minor + 1 WHERE donor = 'Bo'",
        "UPDATE donor_totals SET last_date = '2026-03-04' WHERE donor = 'Ana Pérez'",
        "DELETE FROM donor_totals WHERE donor = 'Bo'",
        "INSERT INTO donor_totals VALUES ('Zed', 'USD', 1, 100, '2026-03-01', '2026-03-01')",
    ] {
        let l = ledger();
        edit_without_triggers(&l, edit, true);
        let report = verify_fails(&l, None, edit);
        assert!(
            report.contains("the donors' totals kept for `report donors` hold 1 row(s) that differ from the donors' gifts (changed outside fondo)"),
            "after `{edit}`: {report}"
        );
        // Counted, not named: verify's output goes into audit packs.
        assert!(!report.contains("Zed") && !report.contains("Bo\""), "{report}");
    }
    // Rows for currencies no gift is in, a zero among them (it shows a tie-out in `report
    // donors`): each listed, in the currencies' order, the same on every run.
    let l = ledger();
    let edit =
        "INSERT INTO unnamed_gift_totals (currency, total_minor) VALUES ('JPY', 0), ('GBP', 5), ('CHF', 9)";
    edit_without_triggers(&l, edit, true);
    let report = verify_fails(&l, None, edit);
    let listed: Vec<&str> = report
        .lines()
        .filter(|line| line.contains("but no gift is in"))
        .collect();
    assert_eq!(
        listed
            .iter()
            .map(|line| line.trim().trim_end_matches(',').trim_matches('"'))
            .collect::<Vec<_>>(),
        [
            "the total of gifts without a donor kept in CHF is 9 minor units, but no gift is in CHF (changed outside fondo)",
            "the total of gifts without a donor kept in GBP is 5 minor units, but no gift is in GBP (changed outside fondo)",
            "the total of gifts without a donor kept in JPY is 0 minor units, but no gift is in JPY (changed outside fondo)",
        ],
        "{report}"
    );
    let l = ledger();
    let edit = "UPDATE unnamed_gift_totals SET total_minor = 999 WHERE currency = 'EUR'";
    edit_without_triggers(&l, edit, true);
    let report = verify_fails(&l, None, edit);
    assert!(
        report.contains("the total of gifts without a donor kept in EUR is 999 minor units, but those gifts add up to 800 (changed outside fondo)"),
        "{report}"
    );
}

#[test]
fn an_import_adds_its_gifts_to_rows_kept_before() {
    let l = ledger();
    // Ana's gifts before her first and after her last, in one file with a new donor's.
    let csv = l.file(
        "more.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-02-20,transfer,assets:bank,income:donations,7.00,,,Ana Pérez,t-1\n\
         2026-03-20,transfer,assets:bank,income:donations,3.00,,,Ana Pérez,t-2\n\
         2026-03-21,transfer,assets:bank,income:donations,4.00,EUR,,Ana Pérez,t-3\n\
         2026-03-21,transfer,assets:bank,income:donations,9.00,,,Dee,t-4\n",
    );
    l.run(&["import", &csv, "--create-missing"]);
    assert_eq!(
        rows(&kept_equals_recomputed(&l))[..4],
        [
            "Bo USD 1 250.00 2026-03-03 2026-03-03 -",
            "Ana Pérez USD 4 140.00 2026-02-20 2026-03-20 -",
            "Dee USD 1 9.00 2026-03-21 2026-03-21 -",
            "Ana Pérez EUR 1 4.00 2026-03-21 2026-03-21 -",
        ]
    );
}
