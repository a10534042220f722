//! A month of bookkeeping through the CLI, checked against figures worked out by hand.

use crate::common::{balance_rows, fondo, pick, TempLedger};
use fondo::store::WriteMode;

/// The README's worked example. Returns the ledger after these transactions:
/// #1 Ana 100.00 to tires via the processor, fee 3.20 · #2 Bruno 250.00 · #3 Carla 50.00
/// (entered by mistake) · #4 void of #3 · #5 processor payout 96.80 · #6 200.00 to the union,
/// fee 5.00 · #7 96.80 of tires to the union · #8 union passes 150.00 to El Maizal ·
/// #9 union spends the 96.80 of tires on its own programme · El Maizal confirms #8.
pub fn worked_example() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&[
        "fund",
        "add",
        "tires",
        "--name",
        "Tires for the union's transport",
        "--target",
        "250",
    ]);
    let steps: [&[&str]; 9] = [
        &[
            "donation",
            "100.00",
            "--donor",
            "Ana Pérez",
            "--fund",
            "tires",
            "--into",
            "assets:processor",
            "--fee",
            "3.20",
            "--date",
            "2026-03-02",
            "--ref",
            "D-1001",
        ],
        &[
            "donation",
            "250.00",
            "--donor",
            "Bruno Díaz",
            "--date",
            "2026-03-03",
        ],
        &[
            "donation",
            "50.00",
            "--donor",
            "Carla Ruiz",
            "--date",
            "2026-03-04",
        ],
        &["void", "3", "--reason", "entered twice", "--date", "2026-03-04"],
        &[
            "transfer",
            "96.80",
            "--from",
            "assets:processor",
            "--to",
            "assets:bank",
            "--fund",
            "tires",
            "--date",
            "2026-03-05",
        ],
        &[
            "send",
            "200.00",
            "--to",
            "union",
            "--fee",
            "5.00",
            "--date",
            "2026-03-06",
        ],
        &[
            "send",
            "96.80",
            "--to",
            "union",
            "--fund",
            "tires",
            "--date",
            "2026-03-06",
        ],
        &["allocate", "150.00", "--to", "el-maizal", "--date", "2026-03-12"],
        &[
            "allocate",
            "96.80",
            "--to",
            "union",
            "--fund",
            "tires",
            "--date",
            "2026-03-12",
        ],
    ];
    for (i, step) in steps.iter().enumerate() {
        let out = l.run(step);
        let id = format!("#{}", i + 1);
        assert!(
            out.lines().next().unwrap_or_default().contains(&id),
            "{step:?} printed {out}"
        );
    }
    l.run(&["confirm", "8", "--ref", "EM-2026-014", "--date", "2026-03-20"]);
    l
}

fn row(account: &str, debit: &str, credit: &str, balance: &str) -> (String, String, String, String) {
    (account.into(), debit.into(), credit.into(), balance.into())
}

#[test]
fn trial_balance_matches_hand_arithmetic() {
    let l = worked_example();
    let rows = balance_rows(&l.json(&["report", "balance"]));
    assert_eq!(
        rows,
        [
            // 250 + 50 + 96.80 in; 50 (void) + 205 + 96.80 out.
            row("assets:bank", "396.80", "351.80", "45.00"),
            row("assets:processor", "96.80", "96.80", "0.00"),
            // 200 + 96.80 sent; 150 + 96.80 allocated; 50.00 still held.
            row("assets:union", "296.80", "246.80", "50.00"),
            row("expenses:fees:processor", "3.20", "0.00", "3.20"),
            row("expenses:fees:wire", "5.00", "0.00", "5.00"),
            row("expenses:grants:el-maizal", "150.00", "0.00", "150.00"),
            row("expenses:grants:union", "96.80", "0.00", "96.80"),
            // 100 + 250 + 50 given; 50 voided.
            row("income:donations", "50.00", "400.00", "-350.00"),
            row("total", "1095.40", "1095.40", "0.00"),
        ]
    );
    let report = l.json(&["report", "balance"]);
    let total = report.as_array().unwrap().last().unwrap().clone();
    assert_eq!(total["row"], "total");
    assert_eq!(total["tied_out"], true);
    assert_eq!(total["currency"], "USD");
}

#[test]
fn balance_by_fund_depth_and_period() {
    let l = worked_example();
    let by_fund = l.json(&["report", "balance", "--by-fund", "--fund", "tires"]);
    let tires: Vec<_> = pick(&by_fund, &["row", "account", "fund", "balance"])
        .into_iter()
        .filter(|r| r[0] == "account")
        .map(|r| r[1..].to_vec())
        .collect();
    assert_eq!(
        tires,
        [
            ["assets:bank", "tires", "0.00"],
            ["assets:processor", "tires", "0.00"],
            ["assets:union", "tires", "0.00"],
            ["expenses:fees:processor", "tires", "3.20"],
            ["expenses:grants:union", "tires", "96.80"],
            ["income:donations", "tires", "-100.00"],
        ]
    );
    let depth1 = balance_rows(&l.json(&["report", "balance", "--depth", "1"]));
    assert_eq!(
        depth1,
        [
            row("assets", "790.40", "695.40", "95.00"),
            row("expenses", "255.00", "0.00", "255.00"),
            row("income", "50.00", "400.00", "-350.00"),
            row("total", "1095.40", "1095.40", "0.00"),
        ]
    );
    // 12 March only: the two allocations are the day's debits and credits; the balance is
    // where each account closed that day (the union held 296.80 before, 50.00 after).
    let day = balance_rows(&l.json(&["report", "balance", "--from", "2026-03-12", "--to", "2026-03-12"]));
    assert_eq!(
        day,
        [
            row("assets:bank", "0.00", "0.00", "45.00"),
            row("assets:processor", "0.00", "0.00", "0.00"),
            row("assets:union", "0.00", "246.80", "50.00"),
            row("expenses:fees:processor", "0.00", "0.00", "3.20"),
            row("expenses:fees:wire", "0.00", "0.00", "5.00"),
            row("expenses:grants:el-maizal", "150.00", "0.00", "150.00"),
            row("expenses:grants:union", "96.80", "0.00", "96.80"),
            row("income:donations", "0.00", "0.00", "-350.00"),
            row("total", "246.80", "246.80", "0.00"),
        ]
    );
    let union = &l.json(&["report", "balance", "--from", "2026-03-12", "--to", "2026-03-12"])[2];
    assert_eq!(
        (union["opening"].as_str(), union["closing"].as_str()),
        (Some("296.80"), Some("50.00"))
    );
}

#[test]
fn register_runs_a_balance_in_date_order() {
    let l = worked_example();
    let register = l.json(&["report", "register", "assets:bank"]);
    let lines = pick(&register, &["txn", "amount", "running_balance"]);
    assert_eq!(
        lines,
        [
            ["2", "250.00", "250.00"],
            ["3", "50.00", "300.00"],
            ["4", "-50.00", "250.00"],
            ["5", "96.80", "346.80"],
            ["6", "-205.00", "141.80"],
            ["7", "-96.80", "45.00"],
        ]
    );
    // From 5 March the running balance starts from what came before (250.00).
    let later = l.json(&["report", "register", "assets:bank", "--from", "2026-03-05"]);
    assert_eq!(later[0]["running_balance"], "346.80");
    // A parent name covers the accounts below it.
    let grants = l.json(&["report", "register", "expenses:grants"]);
    assert_eq!(grants.as_array().unwrap().len(), 2);
    let keys: Vec<_> = grants[0].as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "txn",
            "date",
            "description",
            "account",
            "fund",
            "amount",
            "currency",
            "running_balance"
        ]
    );
}

/// A page of the register (`--limit`) is the start of the whole register, whichever way it is
/// read: by walking the transactions in date order (an account with many postings, or every
/// account) or from the postings by account (a rare account, a fund, a long page).
#[test]
fn a_register_page_is_the_start_of_the_whole_register() {
    let l = TempLedger::new();
    // Recorded out of date order: the transactions' ids do not follow their dates.
    for (amount, date) in [
        ("10", "2026-03-09"),
        ("20", "2026-03-02"),
        ("30", "2026-03-05"),
        ("40", "2026-03-02"),
        ("50", "2026-03-01"),
        ("60", "2026-03-07"),
        ("70", "2026-03-03"),
        ("80", "2026-03-04"),
    ] {
        l.run(&["donation", amount, "--donor", "Ana", "--date", date]);
    }
    l.run(&["fee", "1.50", "--from", "assets:bank", "--date", "2026-03-06"]);
    let page = l.json(&["report", "register", "assets:bank", "--limit", "3"]);
    assert_eq!(
        pick(&page, &["txn", "date", "running_balance"]),
        [
            ["5", "2026-03-01", "50.00"],
            ["2", "2026-03-02", "70.00"],
            ["4", "2026-03-02", "110.00"],
        ]
    );
    let periods: [&[&str]; 4] = [
        &[],
        &["--from", "2026-03-03"],
        &["--from", "2026-03-02", "--to", "2026-03-06"],
        &["--fund", "general"],
    ];
    for account in [None, Some("assets:bank"), Some("expenses:fees"), Some("assets")] {
        for period in periods {
            let mut args = vec!["report", "register"];
            args.extend(account);
            args.extend(period);
            let whole = l.json(&args);
            let whole = whole.as_array().unwrap();
            for limit in [1, 3, 5, 30] {
                let text = limit.to_string();
                let page = l.json(&[&args[..], &["--limit", &text]].concat());
                assert_eq!(
                    page.as_array().unwrap()[..],
                    whole[..limit.min(whole.len())],
                    "{args:?} --limit {limit}"
                );
            }
        }
    }
}

#[test]
fn show_has_postings_audit_fields_and_links() {
    let l = worked_example();
    let voided = l.json(&["show", "#3"]);
    assert_eq!(voided["voided_by"], 4);
    assert_eq!(voided["counterparty"], "Carla Ruiz");
    assert_eq!(voided["entered_by"], "tester");
    assert_eq!(voided["source"], "cli");
    let void = l.json(&["show", "4"]);
    assert_eq!(void["voids"], 3);
    assert_eq!(void["description"], "void #3: entered twice");
    assert_eq!(void["postings"][0]["amount"], "-50.00");
    let grant = l.json(&["show", "8"]);
    assert_eq!(grant["confirmation"]["reference"], "EM-2026-014");
    assert_eq!(grant["confirmation"]["date"], "2026-03-20");
    let table = l.run(&["show", "8"]);
    assert!(
        table.contains("confirmed: 2026-03-20 (confirmation 1, receipt EM-2026-014)"),
        "{table}"
    );
    assert!(table.contains("expenses:grants:el-maizal"), "{table}");
}

#[test]
fn demo_builds_the_sample_and_its_reports_tie_out() {
    // Without --db the demo works in a temporary file and leaves nothing behind.
    let cwd = tempfile::tempdir().unwrap();
    let out = fondo().current_dir(cwd.path()).arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("from ledger.sample.csv (752 transactions)"),
        "{text}"
    );
    assert!(
        text.contains("tie-out USD: debits 59615.00 = credits 59615.00: ok"),
        "{text}"
    );
    assert!(
        text.contains("tie-out VES: debits 14600.00 = credits 14600.00: ok"),
        "{text}"
    );
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);
    // It does not print the path of a file that is gone when it returns.
    assert!(
        text.starts_with(
            "Sample ledger built from ledger.sample.csv (752 transactions) in a temporary file, removed when the demo ends; give --db PATH to keep it"
        ),
        "{text}"
    );
    // With --db it leaves the ledger, with the funds' targets, the communes' states and the
    // communes' confirmations that the simple format cannot carry.
    let demo = TempLedger::uninitialized();
    demo.run(&["demo"]);
    assert_eq!(demo.json(&["verify"])["ok"], true);
    // Run again on the same file: refused by the demo itself, not blamed on `fondo init`.
    let message = demo.reject(&["demo"]);
    assert!(
        message.contains("`fondo demo` builds the sample in a new file"),
        "{message}"
    );
    let funds = pick(&demo.json(&["fund", "list"]), &["fund", "target"]);
    assert!(
        funds.contains(&vec!["brigada-argelia-laya".to_string(), "5000.00".to_string()]),
        "{funds:?}"
    );
    let communes = pick(&demo.json(&["commune", "list"]), &["commune", "state"]);
    assert!(
        communes.contains(&vec!["renacer-del-neveri".to_string(), "Anzoátegui".to_string()]),
        "{communes:?}"
    );
    let confirmed: i64 = demo
        .raw()
        .query_row("SELECT count(*) FROM confirmations", [], |r| r.get(0))
        .unwrap();
    assert!(confirmed >= 10, "only {confirmed} confirmations");
    assert!(!demo.json(&["show", "1"])["batch"].is_null());
    // Demo refuses to overwrite an existing ledger.
    assert!(demo.reject(&["demo"]).contains("already exists"));
}

#[test]
fn recording_commands_print_the_new_id_in_every_format() {
    let l = TempLedger::new();
    let table = l.run(&["donation", "10", "--donor", "Ana"]);
    assert!(table.starts_with("recorded #1 "), "{table}");
    let json = l.json(&["donation", "10", "--donor", "Bea"]);
    assert_eq!(json["txn"], 2);
    assert_eq!(json["dry_run"], false);
    assert_eq!(json["postings"][0]["amount"], "10.00");
    let csv = l.run(&["--format", "csv", "donation", "10", "--donor", "Cy"]);
    assert_eq!(
        csv,
        "txn,line,account,fund,amount,currency\n3,1,assets:bank,general,10.00,USD\n3,2,income:donations,general,-10.00,USD\n"
    );
}

#[test]
fn dry_run_shows_postings_and_writes_nothing() {
    let l = TempLedger::new();
    let before = l.snapshot();
    let out = l.run(&["donation", "10", "--donor", "Ana", "--fee", "0.50", "--dry-run"]);
    assert!(
        out.starts_with("dry run, nothing written: would record #1"),
        "{out}"
    );
    assert!(out.contains("9.50") && out.contains("0.50"), "{out}");
    assert_eq!(l.snapshot(), before);
}

#[test]
fn every_command_kind_records_balanced_postings() {
    let l = TempLedger::new();
    l.run(&["commune", "add", "Comuna Ataroa", "--state", "Lara"]);
    l.run(&["fund", "add", "trucks", "--target", "275.00 USD"]);
    l.run(&["account", "add", "liabilities:card"]);
    l.run(&["donation", "500", "--donor", "Dee", "--date", "2026-01-02"]);
    l.run(&[
        "fund",
        "move",
        "100",
        "--from",
        "general",
        "--to",
        "trucks",
        "--date",
        "2026-01-03",
    ]);
    l.run(&[
        "send",
        "40",
        "--to",
        "comuna-ataroa",
        "--fund",
        "trucks",
        "--date",
        "2026-01-04",
    ]);
    l.run(&["confirm", "3", "--note", "received in full"]);
    l.run(&[
        "fee",
        "1.50",
        "--from",
        "liabilities:card",
        "--date",
        "2026-01-05",
    ]);
    l.run(&[
        "exchange",
        "100",
        "USD",
        "--to",
        "VES",
        "--rate",
        "36.5",
        "--date",
        "2026-01-06",
    ]);
    l.run(&[
        "exchange",
        "10",
        "USD",
        "--to",
        "VES",
        "--received",
        "361.23",
        "--date",
        "2026-01-06",
    ]);
    l.run(&[
        "entry",
        "--desc",
        "opening balance",
        "--date",
        "2026-01-01",
        "-p",
        "assets:cash 20 USD",
        "-p",
        "equity:opening -20",
    ]);
    let rows = balance_rows(&l.json(&["report", "balance"]));
    let get = |account: &str| {
        rows.iter()
            .filter(|r| r.0 == account)
            .cloned()
            .collect::<Vec<_>>()
    };
    // USD debits: 500 given + 100 into trucks (fund move); credits: 100 out of general (fund
    // move) + 40 sent + 100 + 10 exchanged. VES: 3650.00 + 361.23 received.
    assert_eq!(
        get("assets:bank"),
        [
            row("assets:bank", "600.00", "250.00", "350.00"),
            row("assets:bank", "4011.23", "0.00", "4011.23")
        ]
    );
    assert_eq!(
        get("equity:transfers"),
        [row("equity:transfers", "100.00", "100.00", "0.00")]
    );
    assert_eq!(
        get("liabilities:card"),
        [row("liabilities:card", "0.00", "1.50", "-1.50")]
    );
    assert!(rows
        .iter()
        .filter(|r| r.0 == "total")
        .all(|r| r.3.starts_with("0.")));
    let exchange = l.json(&["show", "5"]);
    assert_eq!(
        exchange["description"],
        "exchange 100.00 USD to 3650.00 VES at 36.5 VES per USD"
    );
    let verify = l.json(&["verify"]);
    assert_eq!(verify["ok"], true);
    assert_eq!(verify["transactions"], 7, "confirm records no transaction");
}

#[test]
fn lists_show_what_was_added() {
    let l = TempLedger::new();
    l.run(&["commune", "add", "Comuna Ataroa", "--state", "Lara"]);
    l.run(&[
        "fund",
        "add",
        "lara-cheese",
        "--name",
        "Goat-cheese tools",
        "--target",
        "500",
    ]);
    let funds = l.json(&["fund", "list"]);
    assert_eq!(funds[0]["fund"], "general");
    assert_eq!(funds[0]["restricted"], false);
    assert_eq!(funds[1]["fund"], "lara-cheese");
    assert_eq!(funds[1]["target"], "500.00");
    assert_eq!(funds[1]["restricted"], true);
    let communes = l.json(&["commune", "list"]);
    assert_eq!(communes[0]["commune"], "comuna-ataroa");
    assert_eq!(communes[0]["account"], "expenses:grants:comuna-ataroa");
    let accounts = l.run(&["--format", "csv", "account", "list"]);
    for standard in [
        "assets:bank",
        "assets:cash",
        "assets:processor",
        "assets:union",
        "income:donations",
        "income:other",
        "expenses:fees",
        "expenses:fees:processor",
        "expenses:fees:wire",
        "expenses:fees:bank",
        "expenses:grants:union",
        "equity:opening",
        "equity:transfers",
        "equity:conversion",
        "expenses:grants:comuna-ataroa",
    ] {
        assert!(
            accounts.contains(&format!("{standard},")),
            "{standard} missing from {accounts}"
        );
    }
}

#[test]
fn a_closed_pipe_is_success() {
    let l = TempLedger::new();
    let path = l.path.clone();
    {
        let mut ledger = fondo::Ledger::open(&path, "tester").unwrap();
        let usd = ledger.currency();
        ledger
            .write(WriteMode::Commit, |w| {
                for i in 0..2_000 {
                    let d = fondo::domain::builders::Donation {
                        amount: fondo::domain::Amount::from_minor(100 + i, usd)?,
                        fee: None,
                        donor: format!("donor {i}"),
                        fund: "general".into(),
                        into: "assets:bank".into(),
                        fee_to: Default::default(),
                    };
                    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
                    let txn = fondo::domain::builders::donation(d, Default::default(), today)?;
                    w.record(&txn, "test")?;
                }
                Ok(())
            })
            .unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("fondo");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' --db '{}' report register | head -n 2 >/dev/null",
            bin.display(),
            path.display()
        ))
        .status()
        .unwrap();
    assert!(status.success(), "fondo report register | head failed: {status}");
}
