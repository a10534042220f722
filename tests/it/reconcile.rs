//! `fondo reconcile`: matching a statement to an account, saving it, and what that protects.

use serde_json::Value;

use crate::common::{pick, TempLedger};

/// #1 Ana 100.00 on 1 April, #2 Bo and #3 Cy 50.00 each on 3 April, #4 30.00 sent to the
/// union on 5 April, #5 Dee 20.00 on 4 April (which the bank's statement does not show).
fn april() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-04-01"]);
    l.run(&["donation", "50", "--donor", "Bo", "--date", "2026-04-03"]);
    l.run(&["donation", "50", "--donor", "Cy", "--date", "2026-04-03"]);
    l.run(&["send", "30", "--to", "union", "--date", "2026-04-05"]);
    l.run(&["donation", "20", "--donor", "Dee", "--date", "2026-04-04"]);
    l
}

/// The bank's April statement: Ana's deposit a day late, the two 50.00 deposits, the wire a
/// day late, and a 2.50 fee the ledger does not have.
const STATEMENT: &str = "date,description,amount,balance,reference
2026-04-02,DEPOSIT ANA,100.00,100.00,
2026-04-03,DEPOSIT,50.00,150.00,
2026-04-03,DEPOSIT,50.00,200.00,
2026-04-06,WIRE UNION,-30.00,170.00,
2026-04-07,MONTHLY FEE,-2.50,167.50,
";

fn statement(l: &TempLedger, text: &str) -> String {
    l.file("april.csv", text)
}

fn lines(report: &Value, key: &str, fields: &[&str]) -> Vec<Vec<String>> {
    pick(&report[key], fields)
}

#[test]
fn a_statement_matched_by_amount_date_and_one_to_one() {
    let l = april();
    let file = statement(&l, STATEMENT);
    let r = l.json(&["reconcile", "assets:bank", "--statement", &file]);
    assert_eq!(
        lines(&r, "matched", &["line", "txn", "date", "ledger_date", "amount"]),
        [
            ["2", "1", "2026-04-02", "2026-04-01", "100.00"],
            // Two equal deposits on one day: one each, lowest id first.
            ["3", "2", "2026-04-03", "2026-04-03", "50.00"],
            ["4", "3", "2026-04-03", "2026-04-03", "50.00"],
            ["5", "4", "2026-04-06", "2026-04-05", "-30.00"],
        ]
    );
    assert_eq!(
        lines(&r, "only_in_statement", &["line", "description", "amount"]),
        [["6", "MONTHLY FEE", "-2.50"]]
    );
    assert_eq!(lines(&r, "only_in_ledger", &["txn", "amount"]), [["5", "20.00"]]);
    // Ledger at 7 April: 100 + 50 + 50 − 30 + 20 = 190.00; the bank says 167.50; the
    // difference is the fee (−2.50) and Dee's deposit (−20.00).
    assert_eq!(
        (
            r["statement_balance"].as_str(),
            r["ledger_balance"].as_str(),
            r["difference"].as_str()
        ),
        (Some("167.50"), Some("190.00"), Some("-22.50"))
    );
    assert_eq!(
        (r["tied_out"].as_bool(), r["saved"].is_null()),
        (Some(false), true)
    );
    // With a one-day tolerance of zero, the late lines no longer match.
    let exact = l.json(&["reconcile", "assets:bank", "--statement", &file, "--days", "0"]);
    assert_eq!(exact["matched"].as_array().unwrap().len(), 2);
    let table = l.run(&["reconcile", "assets:bank", "--statement", &file]);
    assert!(
        table.contains("4 matched, 1 only in the statement, 1 only in the ledger"),
        "{table}"
    );
    assert!(table.contains("statement balance 167.50 USD, ledger balance 190.00 USD, difference -22.50 USD\nNOT RECONCILED: 1 only in the statement, 1 only in the ledger, the balances differ by -22.50 USD"), "{table}");
}

#[test]
fn strict_fails_and_saves_nothing_mark_saves_and_a_second_run_skips_what_was_saved() {
    let l = april();
    let file = statement(&l, STATEMENT);
    let before = l.snapshot();
    let out = l
        .cmd()
        .args([
            "reconcile",
            "assets:bank",
            "--statement",
            &file,
            "--strict",
            "--mark",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not reconcile with april.csv: 1 only in the statement, 1 only in the ledger; nothing was saved"), "{stderr}");
    assert_eq!(l.snapshot(), before);
    // It does not tie out, so --mark alone refuses it; --force saves it and says so.
    let refused = l.reject(&["reconcile", "assets:bank", "--statement", &file, "--mark"]);
    assert!(
        refused.contains("assets:bank does not tie out with april.csv: 1 only in the statement, 1 only in the ledger, difference -22.50 USD; --mark saves it only with --force"),
        "{refused}"
    );
    let marked = l.json(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &file,
        "--mark",
        "--force",
    ]);
    assert_eq!(
        l.raw()
            .query_row("SELECT forced FROM reconciliations", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        1
    );
    // The same statement again: it says it was saved, and is not saved twice.
    let again = l.run(&["reconcile", "assets:bank", "--statement", &file]);
    assert!(
        again.contains(
            "was saved as reconciliation 1 (statement of 2026-04-07), which matched its lines 2, 3, 4, 5"
        ),
        "{again}"
    );
    assert!(l
        .reject(&[
            "reconcile",
            "assets:bank",
            "--statement",
            &file,
            "--mark",
            "--force"
        ])
        .contains("was saved before, as reconciliation 1"));
    assert_eq!(marked["saved"], 1);
    let list = l.json(&["reconcile", "--list", "assets:bank"]);
    assert_eq!(
        pick(
            &list,
            &[
                "id",
                "statement_date",
                "statement_balance",
                "ledger_balance",
                "matched",
                "state"
            ]
        ),
        [[
            "1",
            "2026-04-07",
            "167.50",
            "190.00",
            "4",
            "forced (did not tie out)"
        ]]
    );
    // The four matched postings are never offered again.
    let again = l.json(&["reconcile", "assets:bank", "--statement", &file]);
    assert_eq!(again["matched"], serde_json::json!([]));
    assert_eq!(again["only_in_statement"].as_array().unwrap().len(), 5);
    assert_eq!(lines(&again, "only_in_ledger", &["txn"]), [["5"]]);
    // Once the fee is recorded and Dee's deposit appears, May's statement reconciles.
    // The saved reconciliation closed the bank's books through 7 April: the fee the
    // statement showed that day goes in with a recorded reason.
    l.run(&[
        "fee",
        "2.50",
        "--from",
        "assets:bank",
        "--date",
        "2026-04-07",
        "--force",
        "--reason",
        "on the statement, recorded after it was reconciled",
    ]);
    let may = statement(&l, "date,description,amount,balance\n2026-04-07,MONTHLY FEE,-2.50,\n2026-04-06,DEPOSIT DEE,20.00,187.50\n");
    let r = l.json(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &may,
        "--strict",
        "--mark",
    ]);
    assert_eq!(
        (
            r["tied_out"].as_bool(),
            r["difference"].as_str(),
            r["saved"].as_i64()
        ),
        (Some(true), Some("0.00"), Some(2))
    );
}

#[test]
fn a_reconciled_transaction_is_voided_only_with_force() {
    let l = april();
    let file = statement(&l, STATEMENT);
    l.run(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &file,
        "--mark",
        "--force",
    ]);
    let message = l.reject(&["void", "2", "--reason", "wrong donor"]);
    assert!(
        message.contains(
            "#2 is covered by saved reconciliation 1 (statement of 2026-04-07); void it anyway with --force"
        ),
        "{message}"
    );
    let void = l.json(&["void", "2", "--reason", "wrong donor", "--force"]);
    let memo = l.json(&["show", &void["txn"].to_string()])["memo"].clone();
    assert_eq!(
        memo,
        "forced: #2 is covered by saved reconciliation 1 (statement of 2026-04-07)"
    );
    // A transaction no reconciliation covers is voided as usual.
    l.run(&["void", "5", "--reason", "bounced"]);
}

#[test]
fn a_bank_statement_in_its_own_format_through_the_mapping() {
    let l = TempLedger::new();
    l.run(&[
        "commune",
        "add",
        "Comuna El Maizal",
        "--state",
        "Lara",
        "--slug",
        "el-maizal",
    ]);
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/import/statement"
    ));
    let (csv, toml) = (dir.join("bank.csv"), dir.join("bank.toml"));
    let (csv, toml) = (csv.to_str().unwrap(), toml.to_str().unwrap());
    l.run(&["import", csv, "--mapping", toml]);
    let r = l.json(&[
        "reconcile",
        "assets:bank",
        "--statement",
        csv,
        "--mapping",
        toml,
        "--strict",
    ]);
    assert_eq!(r["currency"], "VES");
    assert_eq!(
        lines(&r, "matched", &["line", "txn", "amount"]),
        [["5", "1", "1250.00"], ["6", "2", "-15.50"], ["7", "3", "-500.00"]]
    );
    // The bank's own Saldo column gives the statement balance.
    assert_eq!(
        (r["statement_balance"].as_str(), r["ledger_balance"].as_str()),
        (Some("734.50"), Some("734.50"))
    );
    let message = l.reject(&[
        "reconcile",
        "assets:processor",
        "--statement",
        csv,
        "--mapping",
        toml,
    ]);
    assert!(
        message.contains("the mapping is for assets:bank, not assets:processor"),
        "{message}"
    );
}

#[test]
fn reconcile_problems_are_reported() {
    let l = april();
    let bad = statement(&l, "date,description,amount\n2026-04-02,DEPOSIT,1O0.00\n");
    let message = l.reject(&["reconcile", "assets:bank", "--statement", &bad]);
    assert!(
        message.contains("april.csv:2: amount: not a plain decimal number"),
        "{message}"
    );
    let message = l.reject(&["reconcile", "assets:bnak", "--statement", &bad]);
    assert!(
        message.contains("unknown account `assets:bnak` (did you mean `assets:bank`?)"),
        "{message}"
    );
    let no_amount = statement(&l, "when,what\n2026-04-02,DEPOSIT\n");
    let message = l.reject(&["reconcile", "assets:bank", "--statement", &no_amount]);
    assert!(
        message
            .contains("the mapping names column `date`, which the header does not have (it has: when, what)"),
        "{message}"
    );
    // A balance given by hand is used when the file has none.
    let plain = statement(&l, "date,description,amount\n2026-04-02,DEPOSIT ANA,100.00\n");
    let r = l.json(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &plain,
        "--balance",
        "100.00",
    ]);
    assert_eq!(
        (r["statement_balance"].as_str(), r["difference"].as_str()),
        (Some("100.00"), Some("0.00"))
    );
}

/// Many banks export newest first: the closing balance is then the first line's, not the
/// last's (which gave a difference of −38.00 on books that tie out).
#[test]
fn a_newest_first_statement_closes_at_its_latest_line() {
    let l = TempLedger::new();
    l.run(&["donation", "25", "--donor", "A", "--date", "2026-08-01"]);
    l.run(&["donation", "40", "--donor", "D", "--date", "2026-08-02"]);
    l.run(&["fee", "2", "--from", "assets:bank", "--date", "2026-08-05"]);
    let newest_first = l.file(
        "newest.csv",
        "date,description,amount,balance\n2026-08-05,FEE,-2.00,63.00\n2026-08-02,DEPOSIT,40.00,65.00\n2026-08-01,DEPOSIT,25.00,25.00\n",
    );
    let r = l.json(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &newest_first,
        "--strict",
    ]);
    assert_eq!(
        (r["statement_balance"].as_str(), r["difference"].as_str()),
        (Some("63.00"), Some("0.00"))
    );
    // In no order at all, the closing balance is the treasurer's to give.
    let shuffled = l.file(
        "shuffled.csv",
        "date,description,amount,balance\n2026-08-02,DEPOSIT,40.00,65.00\n2026-08-05,FEE,-2.00,63.00\n2026-08-01,DEPOSIT,25.00,25.00\n",
    );
    let message = l.reject(&["reconcile", "assets:bank", "--statement", &shuffled]);
    assert!(message.contains("neither date order"), "{message}");
    let r = l.json(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &shuffled,
        "--balance",
        "63.00",
    ]);
    assert_eq!(r["difference"], "0.00");
}

/// The statement was opened three or four times in one run (its hash, the plain form's
/// header, its lines): once is enough, and a file that changes between reads cannot give a
/// hash of one version and the lines of another.
#[cfg(target_os = "linux")]
#[test]
#[cfg_attr(not(has_strace), ignore = "needs strace to count opens; .ci/run installs it")]
fn the_statement_is_opened_once() {
    let l = april();
    let file = statement(&l, STATEMENT);
    let trace = std::path::Path::new(&file).with_file_name("trace.txt");
    let status = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=open,openat", "-o"])
        .arg(&trace)
        .arg(assert_cmd::cargo::cargo_bin("fondo"))
        .arg("--db")
        .arg(&l.path)
        .args(["reconcile", "assets:bank", "--statement", &file])
        .env("FONDO_USER", "tester")
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let trace = std::fs::read_to_string(&trace).unwrap();
    let opens = trace.lines().filter(|line| line.contains("april.csv")).count();
    assert_eq!(opens, 1, "{trace}");
}
