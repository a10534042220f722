//! Two months of a campaign's books (`tests/fixtures/campaign`), built with the real binary
//! from `commands.txt`, reconciled against a hand-made bank statement, and checked against
//! figures computed by hand in the fixture's README (the arithmetic is repeated in the
//! comments below). None of the expected numbers were taken from fondo's output.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{shell_words, TempLedger};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/campaign")
        .join(name)
}

/// A fresh ledger with every command of `commands.txt` run in order.
fn campaign_ledger() -> TempLedger {
    let ledger = TempLedger::uninitialized();
    ledger.run(&["init", "--org", "Communard Solidarity Fund"]);
    let commands = std::fs::read_to_string(fixture("commands.txt")).expect("commands.txt");
    for line in commands.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words = shell_words(line);
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        ledger.run(&args);
    }
    ledger
}

/// The rows of a JSON report whose `row` is `kind`, each as the given keys in text.
fn rows(report: &Value, kind: &str, keys: &[&str]) -> Vec<Vec<String>> {
    report
        .as_array()
        .expect("a JSON array")
        .iter()
        .filter(|r| r["row"] == kind)
        .map(|r| {
            keys.iter()
                .map(|k| match &r[*k] {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn table(expected: &[&[&str]]) -> Vec<Vec<String>> {
    expected
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn campaign_fixture_builds_reconciles_and_matches_the_hand_computed_figures() {
    let ledger = campaign_ledger();

    // verify: the chain, the balances and the totals check out; 56 transactions were
    // recorded (20 card gifts, 8 USD bank gifts + a mistaken one and its void, 4 EUR gifts,
    // 3 payouts, 7 sends, 8 allocations, 1 exchange, 2 bank fees, 1 fund move).
    let verify = ledger.json(&["verify"]);
    assert_eq!(verify["ok"], true, "{verify}");
    assert_eq!(verify["problems"], serde_json::json!([]), "{verify}");
    let transactions = verify["transactions"].as_i64().expect("a count");
    assert!(transactions >= 50, "{transactions} transactions");
    assert_eq!(transactions, 20 + 8 + 2 + 4 + 3 + 7 + 8 + 1 + 2 + 1);

    reconciles_to_zero(&ledger);
    trial_balance(&ledger);
    funds(&ledger);
    union(&ledger);
    communes(&ledger);
}

/// Every statement line matches, nothing is only in the ledger, and the balances agree.
fn reconciles_to_zero(ledger: &TempLedger) {
    let statement = fixture("bank-statement.csv");
    let statement = statement.to_str().expect("a UTF-8 path");
    let lines = std::fs::read_to_string(statement)
        .expect("bank-statement.csv")
        .lines()
        .count()
        - 1;
    assert_eq!(lines, 19);
    let args = [
        "--format",
        "json",
        "reconcile",
        "assets:bank",
        "--statement",
        statement,
        "--strict",
    ];
    let output = ledger.cmd().args(args).output().expect("fondo runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "reconcile --strict: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_slice(&output.stdout).expect("json");
    let matched = result["matched"].as_array().expect("matched");
    assert_eq!(matched.len(), lines, "{result}");
    let mut matched_lines: Vec<i64> = matched.iter().map(|m| m["line"].as_i64().unwrap()).collect();
    matched_lines.sort_unstable();
    assert_eq!(matched_lines, (2..=20).collect::<Vec<i64>>());
    assert_eq!(result["only_in_statement"], serde_json::json!([]));
    assert_eq!(result["only_in_ledger"], serde_json::json!([]));
    assert_eq!(result["difference"], "0.00");
    assert_eq!(result["tied_out"], true);
    // The statement's own running balance, by hand (README of the fixture): 485.23.
    assert_eq!(result["statement_balance"], "485.23");
    assert_eq!(result["ledger_balance"], "485.23");
    // Ruth Goldberg's cheque: recorded on the 10th, credited by the bank on the 12th.
    let cheque = matched.iter().find(|m| m["txn"] == 10).expect("#10 matched");
    assert_eq!(
        (&cheque["date"], &cheque["ledger_date"], &cheque["amount"]),
        (
            &Value::from("2026-09-12"),
            &Value::from("2026-09-10"),
            &Value::from("85.50")
        )
    );
    // Cleared without a statement line: the 1500.00 keyed by mistake, its void, and the
    // fund move (−42.24 general, +42.24 water-pump, net zero in the bank).
    let mut cleared: Vec<i64> = result["cleared"]
        .as_array()
        .expect("cleared")
        .iter()
        .map(|c| c["txn"].as_i64().unwrap())
        .collect();
    cleared.sort_unstable();
    assert_eq!(cleared, [15, 16, 49]);
}

fn trial_balance(ledger: &TempLedger) {
    let report = ledger.json(&["report", "balance"]);
    let keys = ["account", "currency", "debit", "credit", "balance"];
    #[rustfmt::skip]
    let expected: &[&[&str]] = &[
        // EUR in: 200.00 + 150.00 + 118.00 (120.50 − 2.50 fee) + 200.00 = 668.00;
        // out: 500.00 + 7.50 wire fee = 507.50.
        &["assets:bank", "EUR", "668.00", "507.50", "160.50"],
        // USD in: bank gifts 1697.15 (250 + 500 + 85.50 + 150 + 63.75 + 250 + 312.40 + 85.50)
        // + the mistaken 1500.00 + payouts 1444.08 (415.28 + 472.28 + 556.52)
        // + 42.24 into water-pump by the fund move = 4683.47;
        // out: void 1500.00 + sends 2482.00 (315 + 715 + 237 + 415 + 800) + bank fees 24.00
        // + exchange 150.00 + 42.24 out of general by the fund move = 4198.24.
        &["assets:bank", "USD", "4683.47", "4198.24", "485.23"],
        // 150.00 × 215.40 = 32310.00 in; 32265.00 + 45.00 fee out.
        &["assets:bank", "VES", "32310.00", "32310.00", "0.00"],
        // Card gifts 1609.85 less their fees 52.71 = 1557.14 in;
        // payout lumps 415.28 + 474.28 (472.28 + 2.00 fee) + 556.52 = 1446.08 out.
        &["assets:processor", "USD", "1557.14", "1446.08", "111.06"],
        &["assets:union", "EUR", "500.00", "300.00", "200.00"],
        // Sent 300 + 700 + 225 + 400 + 785 = 2410.00; allocated 180 + 95.50 + 700 + 225
        // + 250 + 120 + 785 = 2355.50.
        &["assets:union", "USD", "2410.00", "2355.50", "54.50"],
        &["equity:conversion", "USD", "150.00", "0.00", "150.00"],
        &["equity:conversion", "VES", "0.00", "32310.00", "-32310.00"],
        &["equity:transfers", "USD", "42.24", "42.24", "0.00"],
        &["expenses:fees:bank", "EUR", "2.50", "0.00", "2.50"],
        // Two monthly maintenance charges of 12.00.
        &["expenses:fees:bank", "USD", "24.00", "0.00", "24.00"],
        // Card fees 30.29 (September) + 22.42 (October) + the 2.00 payout fee.
        &["expenses:fees:processor", "USD", "54.71", "0.00", "54.71"],
        &["expenses:fees:wire", "EUR", "7.50", "0.00", "7.50"],
        // 15 + 15 + 12 + 15 + 15.
        &["expenses:fees:wire", "USD", "72.00", "0.00", "72.00"],
        &["expenses:fees:wire", "VES", "45.00", "0.00", "45.00"],
        // 225.00 (seed-bank) + 250.00 (general).
        &["expenses:grants:ataroa", "USD", "475.00", "0.00", "475.00"],
        &["expenses:grants:che-guevara", "VES", "32265.00", "0.00", "32265.00"],
        &["expenses:grants:el-maizal", "EUR", "300.00", "0.00", "300.00"],
        &["expenses:grants:el-maizal", "USD", "180.00", "0.00", "180.00"],
        // 700.00 + 785.00 for the pump.
        &["expenses:grants:el-panal", "USD", "1485.00", "0.00", "1485.00"],
        // 95.50 diesel + 120.00 workshop.
        &["expenses:grants:union", "USD", "215.50", "0.00", "215.50"],
        // 200.00 + 150.00 + 120.50 + 200.00.
        &["income:donations", "EUR", "0.00", "670.50", "-670.50"],
        // Card gifts 1609.85 + bank gifts 1697.15 = 3307.00, plus the 1500.00 keyed by
        // mistake on both sides (credit by the gift, debit by its void).
        &["income:donations", "USD", "1500.00", "4807.00", "-3307.00"],
    ];
    assert_eq!(rows(&report, "account", &keys), table(expected));
    #[rustfmt::skip]
    let totals: &[&[&str]] = &[
        // 668.00 + 500.00 + 2.50 + 7.50 + 300.00.
        &["total", "EUR", "1478.00", "1478.00", "0.00"],
        // Debits: 4683.47 + 1557.14 + 2410.00 + 150.00 + 42.24 + 24.00 + 54.71 + 72.00
        // + 475.00 + 180.00 + 1485.00 + 215.50 + 1500.00 = 12849.06.
        &["total", "USD", "12849.06", "12849.06", "0.00"],
        // 32310.00 + 45.00 + 32265.00.
        &["total", "VES", "64620.00", "64620.00", "0.00"],
    ];
    assert_eq!(rows(&report, "total", &keys), table(totals));
}

fn funds(ledger: &TempLedger) {
    let report = ledger.json(&["report", "funds"]);
    let keys = [
        "fund",
        "currency",
        "raised",
        "fees",
        "granted",
        "moved",
        "closing",
        "at_bank",
        "at_processor",
        "held_by_union",
        "target",
        "percent",
        "tied_out",
    ];
    #[rustfmt::skip]
    let expected: &[&[&str]] = &[
        // Fees 2.50 (incoming SEPA charge) + 7.50 (wire); granted 300.00 to El Maizal;
        // closing 670.50 − 10.00 − 300.00 = 360.50 = 160.50 bank + 200.00 union.
        &["general", "EUR", "670.50", "10.00", "300.00", "0.00", "360.50", "160.50", "0.00", "200.00", "", "", "true"],
        // Raised: card 357.50 (50 + 15 + 42.50 + 35 + 45 + 80 + 50 + 40) + bank 1026.15
        // (250 + 150 + 63.75 + 250 + 312.40) = 1383.65.
        // Fees: card 12.78 + payout share 0.33 + wires 45.00 (three 15.00, one of them for
        // the water-pump send) + bank 24.00 = 82.11.
        // Granted: 180 + 95.50 + 250 + 120 = 645.50. Moved: −150.00 exchanged − 42.24.
        // Closing 1383.65 − 82.11 − 645.50 − 192.24 = 463.80 = 370.76 + 38.54 + 54.50.
        &["general", "USD", "1383.65", "82.11", "645.50", "-192.24", "463.80", "370.76", "38.54", "54.50", "", "", "true"],
        &["general", "VES", "0.00", "45.00", "32265.00", "32310.00", "0.00", "0.00", "0.00", "0.00", "", "", "true"],
        // Raised: card 262.35 (75 + 27.35 + 60 + 25 + 75) + cheques 171.00 = 433.35;
        // fees: card 9.12 + payout share 0.24 + wire 12.00 = 21.36;
        // closing 433.35 − 21.36 − 225.00 = 186.99 = 114.47 bank + 72.52 processor;
        // 433.35 / 600 = 72.2 %.
        &["seed-bank", "USD", "433.35", "21.36", "225.00", "0.00", "186.99", "114.47", "72.52", "0.00", "600.00", "72.2", "true"],
        // Raised: card 990.00 (100 + 120 + 200 + 150 + 100 + 20 + 300) + 500.00 = 1490.00;
        // fees: card 30.81 + payout share 1.43 + wire 15.00 = 47.24;
        // closing 1490.00 − 47.24 − 1485.00 + 42.24 = 0.00; progress counts the 42.24 moved
        // in from general: (1490.00 + 42.24) / 1500 = 102.1 %.
        &["water-pump", "USD", "1490.00", "47.24", "1485.00", "42.24", "0.00", "0.00", "0.00", "0.00", "1500.00", "102.1", "true"],
    ];
    assert_eq!(rows(&report, "fund", &keys), table(expected));
    #[rustfmt::skip]
    let totals: &[&[&str]] = &[
        &["total", "EUR", "670.50", "10.00", "300.00", "0.00", "360.50", "160.50", "0.00", "200.00", "", "", "true"],
        // 1383.65 + 433.35 + 1490.00 = 3307.00; 82.11 + 21.36 + 47.24 = 150.71;
        // 645.50 + 225.00 + 1485.00 = 2355.50; −192.24 + 42.24 = −150.00;
        // 463.80 + 186.99 = 650.79 = 485.23 + 111.06 + 54.50.
        &["total", "USD", "3307.00", "150.71", "2355.50", "-150.00", "650.79", "485.23", "111.06", "54.50", "", "", "true"],
        &["total", "VES", "0.00", "45.00", "32265.00", "32310.00", "0.00", "0.00", "0.00", "0.00", "", "", "true"],
    ];
    assert_eq!(rows(&report, "total", &keys), table(totals));
}

fn union(ledger: &TempLedger) {
    let report = ledger.json(&["report", "union", "--to", "2026-10-31"]);
    let keys = [
        "fund",
        "currency",
        "sent",
        "allocated",
        "held",
        "oldest_unallocated_date",
        "tied_out",
    ];
    #[rustfmt::skip]
    let expected: &[&[&str]] = &[
        &["general", "EUR", "500.00", "300.00", "200.00", "2026-10-21", "true"],
        // Sent 300.00 (15 Sep) + 400.00 (15 Oct); allocated 645.50, first in first out:
        // the September 300.00 and 345.50 of October's, so the 54.50 held dates from 15 Oct.
        &["general", "USD", "700.00", "645.50", "54.50", "2026-10-15", "true"],
        &["seed-bank", "USD", "225.00", "225.00", "0.00", "", "true"],
        // 700.00 + 785.00 sent, both passed on to El Panal 2021.
        &["water-pump", "USD", "1485.00", "1485.00", "0.00", "", "true"],
    ];
    assert_eq!(rows(&report, "fund", &keys), table(expected));
    #[rustfmt::skip]
    let allocations: &[&[&str]] = &[
        &["general", "EUR", "el-maizal", "300.00"],
        &["general", "USD", "ataroa", "250.00"],
        &["general", "USD", "el-maizal", "180.00"],
        // The union's own programmes: 95.50 + 120.00.
        &["general", "USD", "union", "215.50"],
        &["seed-bank", "USD", "ataroa", "225.00"],
        &["water-pump", "USD", "el-panal", "1485.00"],
    ];
    assert_eq!(
        rows(
            &report,
            "allocation",
            &["fund", "currency", "recipient", "allocated"]
        ),
        table(allocations)
    );
}

fn communes(ledger: &TempLedger) {
    let report = ledger.json(&["report", "communes"]);
    let keys = [
        "commune",
        "state",
        "currency",
        "direct",
        "via_union",
        "total",
        "confirmed",
        "unconfirmed",
        "last_date",
    ];
    #[rustfmt::skip]
    let expected: &[&[&str]] = &[
        // 225.00 seed-bank (confirmed 22 Oct) + 250.00 general (not yet).
        &["ataroa", "Lara", "USD", "0.00", "475.00", "475.00", "225.00", "250.00", "2026-10-20"],
        // The direct payment in bolívares, confirmed 20 Oct.
        &["che-guevara", "Mérida", "VES", "32265.00", "0.00", "32265.00", "32265.00", "0.00", "2026-10-14"],
        &["el-maizal", "Lara", "EUR", "0.00", "300.00", "300.00", "0.00", "300.00", "2026-10-28"],
        &["el-maizal", "Lara", "USD", "0.00", "180.00", "180.00", "180.00", "0.00", "2026-09-22"],
        // 700.00 deposit (confirmed 9 Oct) + 785.00 balance (not yet).
        &["el-panal", "Distrito Capital", "USD", "0.00", "1485.00", "1485.00", "700.00", "785.00", "2026-10-30"],
    ];
    assert_eq!(rows(&report, "commune", &keys), table(expected));
    #[rustfmt::skip]
    let totals: &[&[&str]] = &[
        &["total", "", "EUR", "0.00", "300.00", "300.00", "0.00", "300.00", "2026-10-28"],
        // Via the union 475 + 180 + 1485 = 2140.00; confirmed 225 + 180 + 700 = 1105.00;
        // unconfirmed 250 + 785 = 1035.00.
        &["total", "", "USD", "0.00", "2140.00", "2140.00", "1105.00", "1035.00", "2026-10-30"],
        &["total", "", "VES", "32265.00", "0.00", "32265.00", "32265.00", "0.00", "2026-10-14"],
    ];
    assert_eq!(rows(&report, "total", &keys), table(totals));
}

/// The campaign's public page, figure by figure: every line re-added from the audit pack,
/// and the lines a donor would check first against the fixture README's hand computation.
#[test]
fn campaign_public_page_adds_up_figure_by_figure() {
    let ledger = campaign_ledger();
    let page = ledger.run(&["--format", "md", "report", "transparency"]);
    for line in [
        // 3,307.00 given in USD; fees 54.71 processor + 72.00 wire + 24.00 bank = 150.71.
        "| Raised from donors | 3,307.00 USD |",
        "| Fees (payment processor, wires, bank) | 150.71 USD |",
        "| · of which payment processor | 54.71 USD |",
        "| · of which wire transfers | 72.00 USD |",
        "| · of which bank charges | 24.00 USD |",
        "| Sent to the Communard Union | 2,410.00 USD |",
        "| Spent by the union on its own programmes | 215.50 USD |",
        "| Spent buying other currencies | 150.00 USD |",
        "| Held by the union, not yet passed on | 54.50 USD |",
        "| In the bank | 485.23 USD |",
        "| With the payment processor | 111.06 USD |",
        // The bolívares came from the exchange, and went to Che Guevara and the bank's charge.
        "| Bought with other currencies | 32,310.00 VES |",
        "| Sent to communes directly | 32,265.00 VES |",
        "- 2026-10-09: 32,310.00 VES bought with 150.00 USD at 215.40 VES per USD.",
        "- EUR is not included: the ledger has no exchange between EUR and USD to value it at.",
        // A fund that only spent (general's bolívares) still has its row.
        "| General \\(no earmark\\) <sub>general</sub> | 0.00 VES | 0.00 VES | 32,265.00 VES |  |  |",
    ] {
        assert!(page.contains(line), "{line}\n{page}");
    }
    assert!(crate::public_page::assert_page_readds(&ledger) > 80);
}

/// The audit pack's script re-adds the campaign's books: fees of every kind, exchanges, a
/// fund move, a void, three currencies.
#[test]
#[cfg_attr(
    not(has_python3),
    ignore = "needs python3 to run the pack's script; .ci/run installs it"
)]
fn campaign_audit_pack_re_adds_with_its_own_script() {
    let ledger = campaign_ledger();
    let dir = ledger.dir.path().join("pack");
    ledger.run(&["export", "audit", dir.to_str().unwrap()]);
    let out = std::process::Command::new("python3")
        .arg(dir.join("check_totals.py"))
        .output()
        .expect("python3 is needed (.ci/run installs it)");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.ends_with(" 0 differ\n"), "{said}");
}
