//! `fondo import`: the fixtures in tests/fixtures/import, the sample ledger, statements
//! through mappings, atomicity and idempotence.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{balance_rows, pick, TempLedger};

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import")).join(path)
}

fn sample() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/ledger.sample.csv"))
}

/// A ledger with the fund `tires`, the commune `el-maizal`, and #1 a 100.00 gift with
/// reference D-1, for fixtures to collide with.
fn ledger() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    l.run(&[
        "commune",
        "add",
        "Comuna El Maizal",
        "--state",
        "Lara",
        "--slug",
        "el-maizal",
    ]);
    l.run(&[
        "donation",
        "100",
        "--donor",
        "Ana",
        "--ref",
        "D-1",
        "--date",
        "2026-01-01",
    ]);
    l
}

fn import(l: &TempLedger, path: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json", "import", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    serde_json::from_str(&l.run(&args)).unwrap()
}

/// Each malformed file, with the start of an error it must give: the file, the physical
/// line, the column, and the problem.
#[test]
fn malformed_files_are_rejected_with_line_and_column_and_change_nothing() {
    let cases: &[(&str, &str)] = &[
        ("empty.csv", "1: header: the file is empty"),
        ("blank-lines-only.csv", "1: header: the file is empty"),
        ("header-wrong.csv", "1: header: not a simple header"),
        ("header-missing-column.csv", "1: header: not a simple header"),
        ("header-extra-column.csv", "1: header: not a simple header"),
        ("header-reordered.csv", "1: header: not a simple header"),
        ("journal-header-typo.csv", "1: header: not a simple header"),
        ("binary.bin.csv", "1: column 1: not valid UTF-8 (`\\u{0}\\u{1}\\u{2}\\xff\\xfe garbage \\u{0}`); fondo reads UTF-8"),
        ("windows-1252-in-simple.csv", "3: counterparty: not valid UTF-8 (`P\\xe9rez`); fondo reads UTF-8: save the file as UTF-8, or convert it (`iconv -f windows-1252 -t utf-8 FILE > FILE-utf8.csv`)"),
        ("invalid-utf8-mid-file.csv", "4: description: not valid UTF-8 (`Donation \\xc3(`)"),
        ("too-few-fields.csv", "3: row: has 8 fields; the header has 9 (`2026-01-06,Donation,assets:bank,income:donations,10.00,,,Ana`): a cell is left out"),
        ("too-many-fields.csv", "2: row: has 10 fields; the header has 9 (`2026-01-06,Donation,assets:bank,income:donations,10.00,,,Ana,,extra`): a comma inside a cell splits it"),
        ("unterminated-quote.csv", "3: row: has 2 fields; the header has 9 (`2026-01-06,Donation,assets:bank,income:donations,10.00,,,Ana,\\n2026-01-05,Donatio…`): a cell is left out (every row has a comma between each two cells, empty ones too), or a double quote opened in a cell is never closed"),
        ("date-us-format.csv", "2: date: not a date; write YYYY-MM-DD, e.g. 2026-03-01 (`01/05/2026`)"),
        ("date-impossible.csv", "2: date: not a date; write YYYY-MM-DD, e.g. 2026-03-01 (`2026-02-30`)"),
        ("date-with-time.csv", "2: date: not a date"),
        ("date-empty.csv", "2: date: not a date"),
        ("date-relative.csv", "2: date: not a date"),
        ("description-empty.csv", "2: description: is empty; a value is required"),
        ("description-escape-sequence.csv", "2: description: must not contain control characters"),
        ("counterparty-bell.csv", "2: counterparty: must not contain control characters"),
        ("debit-empty.csv", "2: debit: is empty"),
        ("credit-empty.csv", "2: credit: is empty"),
        ("debit-equals-credit.csv", "2: credit: is the same account as debit (`assets:bank`)"),
        ("unknown-debit-account.csv", "2: debit: unknown account `assets:bnak` (did you mean `assets:bank`?)"),
        ("unknown-credit-account.csv", "2: credit: unknown account `income:donation` (did you mean `income:donations`?)"),
        ("account-wrong-case.csv", "2: debit: unknown account `Assets:Bank` (did you mean `assets:bank`?)"),
        ("grants-account-without-commune.csv", "2: debit: unknown account `expenses:grants:nobody`"),
        ("unknown-fund.csv", "2: fund: unknown fund `tirse` (did you mean `tires`?)"),
        ("amount-too-precise.csv", "2: amount: USD has 2 decimal places; write at most 2 digits after the point (fondo never rounds) (`12.345`)"),
        ("amount-negative.csv", "2: amount: must be greater than zero (`-5.00`)"),
        ("amount-zero.csv", "2: amount: must be greater than zero (`0.00`)"),
        ("amount-thousands-separator.csv", "2: amount: use a point for decimals and no thousands separators"),
        ("amount-decimal-comma.csv", "2: amount: use a point for decimals"),
        ("amount-currency-symbol.csv", "2: amount: not a plain decimal number (e.g. `1250.00` or `-12.50`) (`$12.50`)"),
        ("amount-too-large.csv", "2: amount: too large"),
        // Rounded to 2.00 once; a decimal holds no more than 28 digits exactly.
        ("amount-too-many-digits.csv", "2: amount: has 30 digits; fondo keeps at most 28 digits exactly (zeros count too) and never rounds (`1.99999999999999999999999999999`)"),
        ("amount-empty.csv", "2: amount: an amount is required"),
        ("amount-words.csv", "2: amount: not a plain decimal number"),
        ("amount-exponent.csv", "2: amount: not a plain decimal number"),
        ("amount-jpy-with-decimals.csv", "2: amount: JPY has no minor units; write a whole number (`100.5`)"),
        ("currency-unknown.csv", "2: currency: not an ISO 4217 currency code"),
        ("currency-lowercase.csv", "2: currency: currency codes are upper case: write `USD`"),
        ("currency-without-minor-units.csv", "2: currency: XAU (Gold (one troy ounce)) has no minor units"),
        ("reference-reused-with-other-amount.csv", "3: reference: invalid reference `R-1`: is on an earlier row of this file, whose amount is `10.00 USD` where this row has `12.00 USD`"),
        ("reference-clashes-with-ledger.csv", "2: reference: invalid reference `D-1`: is already #1 in the ledger, whose date is `2026-01-01` where this row has `2026-01-05`"),
        ("restricted-fund-overdrawn.csv", "3: amount: fund `tires` has only 20.00 USD in assets:bank on 2026-01-05; this would take it to -5.00 USD"),
        ("union-overallocated.csv", "3: amount: fund `general` has only 5.00 USD in assets:union on"),
        ("errors-after-quoted-newline.csv", "5: amount: not a plain decimal number (e.g. `1250.00` or `-12.50`) (`oops`)"),
        ("journal-split-transaction.csv", "5: txn: invalid txn `1`: appears again after other transactions"),
        ("journal-unbalanced.csv", "2: debit: transaction does not balance in USD for fund `general`: 10.00 - 9.00 = 1.00"),
        ("journal-debit-and-credit.csv", "2: credit: debit and credit are both filled"),
        ("journal-no-amount.csv", "2: debit: debit and credit are both empty"),
        ("journal-rows-disagree.csv", "3: date: differs from line 2 of the same transaction (`2026-01-05`)"),
        ("journal-voids-unknown.csv", "2: voids: invalid voids `99`: names a transaction that does not come earlier in this file"),
        ("journal-bad-txn-number.csv", "2: txn: not a transaction number (`abc`)"),
        ("journal-single-posting.csv", "2: row: a transaction needs at least two postings"),
        ("journal-too-few-fields.csv", "2: row: has 8 fields; the header has 15 (`1,2026-01-05,Gift,assets:bank,general,10.00,,USD`)"),
        ("semicolons.csv", "1: header: not a simple header"),
        // CRLF, a blank line, and a cell across two lines before the bad row on line 6.
        ("crlf-line-numbers.csv", "6: amount: not a plain decimal number"),
        ("journal-voided-twice.csv", "6: voids: invalid voids `1`: that transaction (#2 here) is already voided by #3"),
    ];
    let dir = std::fs::read_dir(fixture("bad")).unwrap();
    let on_disk = dir.count();
    assert_eq!(
        on_disk,
        cases.len(),
        "every fixture in tests/fixtures/import/bad has a case here"
    );
    assert!(cases.len() >= 40);
    let l = ledger();
    let semicolons = l.reject(&["import", fixture("bad/semicolons.csv").to_str().unwrap()]);
    assert!(
        semicolons.contains("the file separates cells with `;`, not commas"),
        "{semicolons}"
    );
    for (name, expected) in cases {
        let path = fixture(&format!("bad/{name}"));
        let message = l.reject(&["import", path.to_str().unwrap()]);
        let wanted = format!("error: {}:{expected}", path.display());
        assert!(
            message.lines().any(|l| l.starts_with(&wanted)),
            "{name}\n  said:   {message}\n  wanted: {wanted}"
        );
        assert!(
            message.trim_end().ends_with("nothing was written"),
            "{name}: {message}"
        );
    }
}

#[test]
fn every_bad_row_is_listed_with_its_physical_line() {
    let l = ledger();
    let path = fixture("bad/errors-after-quoted-newline.csv");
    let message = l.reject(&["import", path.to_str().unwrap()]);
    let lines: Vec<&str> = message.lines().collect();
    // The first row spans lines 2-3, so the bad rows are on physical lines 5 and 7.
    assert_eq!(lines.len(), 3, "{message}");
    assert!(lines[0].contains("csv:5: amount:"), "{message}");
    assert!(
        lines[1].contains("csv:7: fund: unknown fund `nope`")
            && lines[1].ends_with("or import with --create-missing"),
        "{message}"
    );
    assert!(lines[2].contains("2 problem(s) found"), "{message}");
}

#[test]
fn well_formed_variants_are_accepted() {
    let cases: &[(&str, i64)] = &[
        ("bom.csv", 1),
        ("crlf.csv", 2),
        ("no-final-newline.csv", 2),
        ("quoted-newline.csv", 2),
        ("doubled-quotes.csv", 1),
        ("spaces-around-cells.csv", 1),
        ("utf16le-bom.csv", 1),
        ("identical-rows-both-count.csv", 3),
        ("header-only.csv", 0),
        ("blank-line-between-rows.csv", 2),
        ("crlf-quoted-and-blank.csv", 2),
    ];
    assert_eq!(std::fs::read_dir(fixture("good")).unwrap().count(), cases.len());
    for (name, added) in cases {
        let l = ledger();
        let outcome = import(&l, &fixture(&format!("good/{name}")), &[]);
        assert_eq!(outcome["added"], *added, "{name}: {outcome}");
        assert_eq!(outcome["rows"], *added, "{name}");
        assert_eq!(l.json(&["verify"])["ok"], true, "{name}");
    }
    // What the cells said arrives unchanged.
    let l = ledger();
    import(&l, &fixture("good/doubled-quotes.csv"), &[]);
    let shown = l.json(&["show", "2"]);
    assert_eq!(shown["description"], "Gift \"for the tires\"");
    assert_eq!(shown["counterparty"], "Pérez, Ana");
    let l = ledger();
    import(&l, &fixture("good/quoted-newline.csv"), &[]);
    assert_eq!(
        l.json(&["show", "2"])["description"],
        "Gift for the\ncheese tools"
    );
    assert_eq!(l.json(&["show", "3"])["source"], "import:quoted-newline.csv:4");
    let l = ledger();
    import(&l, &fixture("good/spaces-around-cells.csv"), &[]);
    let shown = l.json(&["show", "2"]);
    assert_eq!(
        (shown["description"].as_str(), shown["reference"].as_str()),
        (Some("Donation"), Some("R-9"))
    );
    let l = ledger();
    import(&l, &fixture("good/crlf-quoted-and-blank.csv"), &[]);
    assert_eq!(l.json(&["show", "2"])["counterparty"], "Pérez, Ana");
    assert_eq!(l.json(&["show", "3"])["description"], "Two\r\nlines");
    assert_eq!(
        l.json(&["show", "3"])["source"],
        "import:crlf-quoted-and-blank.csv:4"
    );
    let l = ledger();
    import(&l, &fixture("good/utf16le-bom.csv"), &[]);
    assert_eq!(l.json(&["show", "2"])["counterparty"], "Zoë");
}

#[test]
fn importing_again_adds_nothing_and_identical_rows_both_count() {
    let l = ledger();
    let path = fixture("good/identical-rows-both-count.csv");
    let first = import(&l, &path, &[]);
    assert_eq!(
        (first["added"].as_i64(), first["skipped_duplicates"].as_i64()),
        (Some(3), Some(0))
    );
    let before = l.snapshot();
    let again = import(&l, &path, &[]);
    assert_eq!(
        (again["added"].as_i64(), again["skipped_duplicates"].as_i64()),
        (Some(0), Some(3))
    );
    assert_eq!(again["batch"], 2);
    // The second import is recorded as a batch, and adds no transaction.
    let after = l.snapshot();
    assert_ne!(before, after);
    assert_eq!(l.json(&["verify"])["transactions"], 4);
}

#[test]
fn an_overlapping_later_export_adds_only_the_new_rows() {
    let l = ledger();
    let dir = tempfile::tempdir().unwrap();
    let header = "date,description,debit,credit,amount,currency,fund,counterparty,reference\n";
    let rows = [
        "2026-02-01,Gift,assets:bank,income:donations,10.00,,,Ana,\n",
        "2026-02-01,Gift,assets:bank,income:donations,10.00,,,Ana,\n",
        "2026-02-02,Gift,assets:bank,income:donations,20.00,,,Bo,P-2\n",
        "2026-02-03,Gift,assets:bank,income:donations,30.00,,,Cy,\n",
    ];
    let january = dir.path().join("january.csv");
    std::fs::write(&january, format!("{header}{}{}{}", rows[0], rows[1], rows[2])).unwrap();
    let through_february = dir.path().join("through-february.csv");
    std::fs::write(&through_february, format!("{header}{}", rows.concat())).unwrap();
    assert_eq!(import(&l, &january, &[])["added"], 3);
    let later = import(&l, &through_february, &[]);
    assert_eq!(
        (later["added"].as_i64(), later["skipped_duplicates"].as_i64()),
        (Some(1), Some(3))
    );
}

/// A date the ledger has import keys of is looked up row by row; a date it has none of is
/// not (issue 17), and neither way may count a row of the file twice or miss one.
#[test]
fn rows_on_dates_imported_before_and_on_new_dates_are_told_apart() {
    let l = ledger();
    let dir = tempfile::tempdir().unwrap();
    let header = "date,description,debit,credit,amount,currency,fund,counterparty,reference\n";
    let x = "2026-02-01,Gift,assets:bank,income:donations,10.00,,,Ana,\n";
    let y = "2026-02-05,Gift,assets:bank,income:donations,20.00,,,Bo,\n";
    let first = dir.path().join("first.csv");
    std::fs::write(&first, format!("{header}{x}{x}")).unwrap();
    assert_eq!(import(&l, &first, &[])["added"], 2);
    // A new date first, then the earlier date's two rows and a third like them, then the
    // new date's row again.
    let later = dir.path().join("later.csv");
    std::fs::write(&later, format!("{header}{y}{x}{x}{x}{y}")).unwrap();
    let outcome = import(&l, &later, &[]);
    assert_eq!(
        (outcome["added"].as_i64(), outcome["skipped_duplicates"].as_i64()),
        (Some(3), Some(2))
    );
    let again = import(&l, &later, &[]);
    assert_eq!(
        (again["added"].as_i64(), again["skipped_duplicates"].as_i64()),
        (Some(0), Some(5))
    );
    assert_eq!(l.json(&["verify"])["transactions"], 6);
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let l = ledger();
    let before = l.snapshot();
    let outcome = import(&l, &sample(), &["--dry-run", "--create-missing"]);
    assert_eq!(outcome["dry_run"], true);
    assert_eq!(outcome["added"], 752);
    assert_eq!(l.snapshot(), before);
    let table = l.run(&[
        "import",
        sample().to_str().unwrap(),
        "--dry-run",
        "--create-missing",
    ]);
    assert!(table.starts_with("dry run, nothing written:"), "{table}");
}

#[test]
fn the_sample_imports_ties_out_and_reimports_as_a_no_op() {
    let l = TempLedger::new();
    let outcome = import(&l, &sample(), &["--create-missing"]);
    assert_eq!(outcome["added"], 752);
    assert_eq!(outcome["format"], "simple");
    let created: Vec<&str> = outcome["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(created.contains(&"fund tires (restricted)"), "{created:?}");
    assert!(
        created.contains(&"account expenses:grants:el-maizal"),
        "{created:?}"
    );
    let again = import(&l, &sample(), &[]);
    assert_eq!(
        (again["added"].as_i64(), again["skipped_duplicates"].as_i64()),
        (Some(0), Some(752))
    );
    let report = l.json(&["report", "balance"]);
    let totals: Vec<_> = pick(&report, &["row", "currency", "debit", "credit", "tied_out"])
        .into_iter()
        .filter(|r| r[0] == "total")
        .collect();
    assert_eq!(
        totals,
        [
            ["total", "USD", "59615.00", "59615.00", "true"],
            ["total", "VES", "14600.00", "14600.00", "true"]
        ]
    );
    assert_eq!(l.json(&["verify"])["ok"], true);
    // The demo builds the same books (plus targets, states and confirmations).
    let demo = TempLedger::uninitialized();
    demo.run(&["demo"]);
    assert_eq!(
        balance_rows(&demo.json(&["report", "balance"])),
        balance_rows(&report)
    );
    assert_eq!(demo.json(&["show", "1"])["batch_file"], "ledger.sample.csv");
}

#[test]
fn the_sample_has_what_the_campaign_needs() {
    let text = std::fs::read_to_string(sample()).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert!(rows.len() >= 150);
    let donors: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r[3] == "income:donations")
        .map(|r| r[7])
        .collect();
    assert!((38..=45).contains(&donors.len()), "{} donors", donors.len());
    for fund in [
        "tires",
        "truck-part",
        "lara-cheese",
        "macadamia",
        "training-course",
        "brigada-argelia-laya",
    ] {
        assert!(rows.iter().any(|r| r[6] == fund), "no rows for {fund}");
    }
    assert!(
        rows.iter().any(|r| r[2] == "equity:conversion" && r[5] == "USD"),
        "no USD→VES exchange"
    );
    assert!(
        rows.iter()
            .any(|r| r[2].starts_with("expenses:grants:") && r[3] == "assets:bank"),
        "no direct send"
    );
    assert!(
        rows.iter().any(|r| r[2] == "assets:union"),
        "no sends to the union"
    );
    assert!(
        rows.iter()
            .any(|r| r[2] == "assets:bank" && r[3] == "assets:processor"),
        "no payouts"
    );
}

#[test]
fn create_missing_names_what_it_created() {
    let l = TempLedger::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new-names.csv");
    std::fs::write(
        &path,
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-01-05,Gift,assets:bank:banesco,income:donations,10.00,,seeds,Ana,\n\
         2026-01-06,Seeds,expenses:grants:la-azulita,assets:bank:banesco,10.00,,seeds,,\n",
    )
    .unwrap();
    let message = l.reject(&["import", path.to_str().unwrap()]);
    assert!(
        message.contains("new-names.csv:2: debit: unknown account `assets:bank:banesco`"),
        "{message}"
    );
    let outcome = import(&l, &path, &["--create-missing"]);
    assert_eq!(
        outcome["created"],
        serde_json::json!([
            "account assets:bank:banesco",
            "fund seeds (restricted)",
            "account expenses:grants:la-azulita",
            "commune la-azulita (state unknown: set it with `fondo commune edit la-azulita --state STATE`)"
        ])
    );
    assert_eq!(l.json(&["commune", "list"])[0]["commune"], "la-azulita");
}

#[test]
fn a_bank_statement_through_its_mapping() {
    let l = ledger();
    let outcome = import(
        &l,
        &fixture("statement/bank.csv"),
        &["--mapping", fixture("statement/bank.toml").to_str().unwrap()],
    );
    assert_eq!(
        (outcome["format"].as_str(), outcome["added"].as_i64()),
        (Some("statement"), Some(3))
    );
    let bank = l.json(&["report", "register", "assets:bank", "--from", "2026-03-01"]);
    // 1.250,00 in; 15,50 and 500,00 out: the bank's own running balance ends at 734,50.
    assert_eq!(
        pick(&bank, &["date", "amount", "currency", "running_balance"]),
        [
            ["2026-03-02", "1250.00", "VES", "1250.00"],
            ["2026-03-05", "-15.50", "VES", "1234.50"],
            ["2026-03-10", "-500.00", "VES", "734.50"],
        ]
    );
    let fee = l.json(&["show", "3"]);
    assert_eq!(fee["description"], "COMISIÓN MANTENIMIENTO");
    assert_eq!(fee["counterparty"], "Banco Ejemplo");
    assert_eq!(fee["reference"], "000124");
    assert_eq!(
        l.json(&["show", "4"])["postings"][1]["account"],
        "expenses:grants:el-maizal"
    );
    let again = import(
        &l,
        &fixture("statement/bank.csv"),
        &["--mapping", fixture("statement/bank.toml").to_str().unwrap()],
    );
    assert_eq!(again["added"], 0);
}

#[test]
fn a_donation_platform_export_with_fees_and_campaigns() {
    let l = ledger();
    let mapping = fixture("statement/platform.toml");
    let outcome = import(
        &l,
        &fixture("statement/platform.csv"),
        &["--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(outcome["added"], 4);
    let ana = l.json(&["show", "2"]);
    assert_eq!(
        pick(&ana["postings"], &["account", "fund", "amount"]),
        [
            ["assets:processor", "tires", "96.80"],
            ["expenses:fees:processor", "tires", "3.20"],
            ["income:donations", "tires", "-100.00"],
        ]
    );
    assert_eq!(ana["counterparty"], "Ana Pérez");
    // "1,000.00" with its thousands separator, into the general fund by the fallback.
    let bruno = l.json(&["show", "3"]);
    assert_eq!(bruno["postings"][2]["amount"], "-1000.00");
    assert_eq!(bruno["postings"][2]["fund"], "general");
    // The payout carries the oldest money first: Ana's 96.80 to tires, then 873.90 of
    // Bruno's gift — recorded in the same import, so split by what this write had recorded.
    let payout = l.json(&["show", "5"]);
    assert_eq!(
        pick(&payout["postings"], &["account", "fund", "amount"]),
        [
            ["assets:bank", "general", "873.90"],
            ["assets:processor", "general", "-873.90"],
            ["assets:bank", "tires", "96.80"],
            ["assets:processor", "tires", "-96.80"],
        ]
    );
    assert_eq!(payout["counterparty"], "Platform");
    // Importing the export again recognises the payout although what the funds hold has changed.
    let again = import(
        &l,
        &fixture("statement/platform.csv"),
        &["--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(
        (again["added"].as_i64(), again["skipped_duplicates"].as_i64()),
        (Some(0), Some(4))
    );
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn a_bank_statement_payout_rule_splits_the_lump_by_fund() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    for (amount, fund, date) in [
        ("50.00", "general", "2026-03-01"),
        ("48.25", "tires", "2026-03-03"),
    ] {
        l.run(&[
            "donation",
            amount,
            "--donor",
            "Ana",
            "--fund",
            fund,
            "--into",
            "assets:processor",
            "--date",
            date,
        ]);
    }
    let statement = l.file(
        "bank.csv",
        "Date,Text,Amount,Fee\n2026-03-10,STRIPE PAYOUT,97.25,1.00\n2026-03-11,STRIPE PAYOUT,0.50,0.00\n",
    );
    let mapping = l.file(
        "bank.toml",
        "account = \"assets:bank\"\ndate_column = \"Date\"\ndescription_column = \"Text\"\namount_column = \"Amount\"\n\
         fee_column = \"Fee\"\nfee_account = \"expenses:fees:processor\"\n\
         [[rules]]\ncontains = \"payout\"\naccount = \"assets:processor\"\npayout = true\n",
    );
    // The second payout takes more than the processor then holds: refused, nothing recorded.
    let message = l.reject(&["import", &statement, "--mapping", &mapping]);
    assert!(
        message.contains("bank.csv:3: Amount: ") && message.contains("assets:processor holds only 0.00 USD"),
        "{message}"
    );
    assert_eq!(
        l.json(&["report", "register", "assets:bank"])
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    let statement = l.file(
        "bank.csv",
        "Date,Text,Amount,Fee\n2026-03-10,STRIPE PAYOUT,97.25,1.00\n",
    );
    import(&l, std::path::Path::new(&statement), &["--mapping", &mapping]);
    assert_eq!(
        pick(
            &l.json(&["show", "3"])["postings"],
            &["account", "fund", "amount"]
        ),
        [
            ["assets:bank", "general", "49.49"],
            ["expenses:fees:processor", "general", "0.51"],
            ["assets:processor", "general", "-50.00"],
            ["assets:bank", "tires", "47.76"],
            ["expenses:fees:processor", "tires", "0.49"],
            ["assets:processor", "tires", "-48.25"],
        ]
    );
    // A payout rule that also names a fund contradicts itself.
    let both = l.file(
        "both.toml",
        "account = \"assets:bank\"\ndate_column = \"Date\"\ndescription_column = \"Text\"\namount_column = \"Amount\"\n\
         [[rules]]\ncontains = \"payout\"\naccount = \"assets:processor\"\nfund = \"tires\"\npayout = true\n",
    );
    let message = l.reject(&["import", &statement, "--mapping", &both]);
    assert!(
        message.contains("both.toml: the payout rule for `assets:processor` also names fund `tires`"),
        "{message}"
    );
    // The statement reconciles: one bank line, one transaction netting 97.25 in the bank.
    let saved = l.json(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &statement,
        "--mapping",
        &mapping,
        "--strict",
    ]);
    assert_eq!(saved["matched"].as_array().map(Vec::len), Some(1), "{saved}");
}

#[test]
fn statement_problems_name_the_mapping_or_the_line() {
    let l = ledger();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let csv = write(
        "bank.csv",
        "Date,Text,Amount\n2026-03-01,UNKNOWN THING,5.00\n2026-03-02,GIFT,(3.00)\n",
    );
    let no_fallback = write(
        "a.toml",
        "account = \"assets:bank\"\ndate_column = \"Date\"\ndescription_column = \"Text\"\namount_column = \"Amount\"\n\
         [[rules]]\ncontains = \"gift\"\naccount = \"income:donations\"\n",
    );
    let message = l.reject(&["import", &csv, "--mapping", &no_fallback]);
    assert!(
        message.contains(
            "bank.csv:2: Text: no rule matches this line and the mapping has no [fallback] (`UNKNOWN THING`)"
        ),
        "{message}"
    );
    // (3.00) is money out: a gift rule with no direction matches it, taking the bank below zero is allowed for general.
    let typo = write("b.toml", "acount = \"assets:bank\"\n");
    let message = l.reject(&["import", &csv, "--mapping", &typo]);
    assert!(message.contains("b.toml:1: unknown field `acount`"), "{message}");
    let missing_column = write(
        "c.toml",
        "account = \"assets:bank\"\ndate_column = \"Fecha\"\ndescription_column = \"Text\"\namount_column = \"Amount\"\n",
    );
    let message = l.reject(&["import", &csv, "--mapping", &missing_column]);
    assert!(message.contains("bank.csv:1: header: the mapping names column `Fecha`, which the header does not have (it has: Date, Text, Amount)"), "{message}");
    let both = write(
        "d.toml",
        "account = \"assets:bank\"\ndate_column = \"Date\"\ndescription_column = \"Text\"\namount_column = \"Amount\"\nin_column = \"Amount\"\n",
    );
    let message = l.reject(&["import", &csv, "--mapping", &both]);
    assert!(
        message.contains("give either amount_column, or both in_column and out_column"),
        "{message}"
    );
    let out = l
        .cmd()
        .args(["import", &csv, "--format", "statement"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a mapping file"));
}

#[test]
fn input_formats_belong_to_import_only() {
    let l = ledger();
    let out = l
        .cmd()
        .args(["--format", "journal", "report", "balance"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only `fondo import` takes"));
    // The input format can be forced, and the output format chosen, in one command.
    let path = fixture("good/bom.csv");
    let out = l.run(&[
        "--format",
        "json",
        "import",
        path.to_str().unwrap(),
        "--format",
        "simple",
    ]);
    assert!(out.contains("\"added\": 1"), "{out}");
    let message = l.reject(&["import", path.to_str().unwrap(), "--format", "journal"]);
    assert!(
        message.contains("1: header: expected `txn,date,description"),
        "{message}"
    );
}

#[test]
fn a_problem_on_many_rows_is_listed_once_with_every_line() {
    let l = TempLedger::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.csv");
    let mut text =
        String::from("date,description,debit,credit,amount,currency,fund,counterparty,reference\n");
    for day in 1..=20 {
        text.push_str(&format!(
            "2026-01-{day:02},Gift,assets:bank,income:donations,10.00,,seeds,Ana,\n"
        ));
    }
    text.push_str("2026-02-01,Gift,assets:bank,income:donations,1.001,,,Ana,\n");
    std::fs::write(&path, text).unwrap();
    let message = l.reject(&["import", path.to_str().unwrap()]);
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(lines.len(), 3, "{message}");
    assert!(
        lines[0].contains("many.csv:2: fund: unknown fund `seeds`")
            && lines[0].ends_with(
                "or import with --create-missing (the same on 19 more rows: lines 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, …)"
            ),
        "{message}"
    );
    assert!(
        lines[1].contains("many.csv:22: amount: USD has 2 decimal places"),
        "{message}"
    );
    assert!(
        lines[2].ends_with("21 problem(s) found; nothing was written"),
        "{message}"
    );
}

/// An import touching more days than the writer holds in memory writes its totals out
/// part-way; the restricted-fund check and the totals must come out the same.
#[test]
fn a_long_import_over_many_days_keeps_exact_totals_and_checks() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "roof", "--name", "Roof"]);
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let mut text =
        String::from("date,description,debit,credit,amount,currency,fund,counterparty,reference\n");
    let days = 9_000;
    for n in 0..days {
        let date = start + chrono::Days::new(n);
        text.push_str(&format!(
            "{date},Gift,assets:bank,income:donations,1.00,,roof,Donor {n},\n"
        ));
    }
    // Spends every cent raised above, in the same file: allowed, exactly.
    let last = start + chrono::Days::new(days);
    text.push_str(&format!(
        "{last},Roof,expenses:grants:union,assets:bank,{days}.00,,roof,,\n"
    ));
    let file = l.dir.path().join("long.csv");
    std::fs::write(&file, &text).unwrap();
    l.run(&["import", file.to_str().unwrap()]);
    assert_eq!(l.json(&["verify"])["ok"], true);
    let funds = l.run(&["--format", "csv", "report", "funds"]);
    assert!(
        funds.contains(&format!("fund,roof,USD,0.00,{days}.00,0.00,{days}.00,")),
        "{funds}"
    );
    // One cent more than was raised, in one file, is refused and changes nothing.
    let over = text.replace(&format!("{days}.00,,roof,,"), &format!("{days}.01,,roof,,"));
    let other = TempLedger::new();
    other.run(&["fund", "add", "roof", "--name", "Roof"]);
    std::fs::write(&file, over).unwrap();
    let message = other.reject(&["import", file.to_str().unwrap()]);
    assert!(
        message.contains(
            "fund `roof` has only 9000.00 USD in assets:bank on 2024-08-22; this would take it to -0.01 USD"
        ),
        "{message}"
    );
}

/// A row repeated in the same file with its reference is recorded once, and the summary
/// counts it as already recorded, not as already in the ledger (it was not, before).
#[test]
fn a_row_repeated_in_one_file_is_recorded_once_and_said_so() {
    let l = TempLedger::new();
    let file = l.file(
        "repeated.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-03-01,gift,assets:bank,income:donations,10.00,,,Ana,R-1\n\
         2026-03-02,gift,assets:bank,income:donations,20.00,,,Bo,R-2\n\
         2026-03-01,gift,assets:bank,income:donations,10.00,,,Ana,R-1\n",
    );
    let out = l.run(&["import", &file]);
    assert!(
        out.contains("3 rows, added 2, skipped 1 already recorded (batch"),
        "{out}"
    );
    assert_eq!(l.json(&["verify"])["transactions"], 2);
}

/// A newest-first file of exactly the most rows put in date order (10,000) is put in date
/// order: the first row, a payment, is checked after the gifts that fund it. It was refused
/// ("fund general has only 10.00 USD"): only a file shorter than that was sorted.
#[test]
fn a_newest_first_file_of_exactly_ten_thousand_rows_is_recorded_in_date_order() {
    let l = TempLedger::new();
    let mut text =
        String::from("date,description,debit,credit,amount,currency,fund,counterparty,reference\n");
    text.push_str("2026-06-30,wire,assets:union,assets:bank,500.00,,,,\n");
    for i in 0..9_999 {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 29).unwrap() - chrono::Days::new(i / 60);
        text.push_str(&format!(
            "{day},gift,assets:bank,income:donations,1.00,,,Donor {i},\n"
        ));
    }
    let file = l.file("newest-10000.csv", &text);
    let outcome = import(&l, std::path::Path::new(&file), &[]);
    assert_eq!(outcome["added"], 10_000);
    assert_eq!(l.json(&["show", "10000"])["date"], "2026-06-30");
}

/// A newest-first export is recorded oldest first: a payment is checked after the gift that
/// funds it, and a payout is split by what the funds hold once the gifts before it are in.
/// Both files were refused before ("fund `tires` has only 0.00 USD … on 2026-07-10").
#[test]
fn a_newest_first_file_is_recorded_in_date_order() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    let simple = l.file(
        "newest.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-07-10,wire to union,assets:union,assets:bank,80.00,,tires,,\n\
         2026-07-01,gift,assets:bank,income:donations,100.00,,tires,Ana,\n",
    );
    let outcome = import(&l, std::path::Path::new(&simple), &[]);
    assert_eq!(outcome["added"], 2);
    // Recorded in date order: the gift is #1.
    assert_eq!(l.json(&["show", "1"])["date"], "2026-07-01");
    // The platform's export, newest first: its payout comes before the gifts it carries.
    let platform = std::fs::read_to_string(fixture("statement/platform.csv")).unwrap();
    let mut lines: Vec<&str> = platform.trim_start_matches('\u{feff}').lines().collect();
    lines[1..].reverse();
    let reversed = l.file("platform-newest.csv", &(lines.join("\n") + "\n"));
    let mapping = fixture("statement/platform.toml");
    let outcome = import(
        &l,
        std::path::Path::new(&reversed),
        &["--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(outcome["added"], 4);
    assert_eq!(l.json(&["verify"])["ok"], true);
    // Again: nothing new.
    let again = import(
        &l,
        std::path::Path::new(&reversed),
        &["--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(again["added"], 0);
}

/// A spreadsheet's export: column names in any case, and the optional columns at the end
/// left out. (Both were refused: "not a simple header".)
#[test]
fn a_spreadsheet_header_in_any_case_without_the_optional_columns() {
    let l = TempLedger::new();
    let file = l.file(
        "sheet.csv",
        "Date,Description,Debit,Credit,Amount\n2026-03-01,Gift,assets:bank,income:donations,25.00\n",
    );
    let outcome = import(&l, std::path::Path::new(&file), &[]);
    assert_eq!(
        (outcome["format"].as_str(), outcome["added"].as_i64()),
        (Some("simple"), Some(1))
    );
    assert_eq!(l.json(&["show", "1"])["postings"][0]["fund"], "general");
    // A required column missing, or the columns out of order, is still refused.
    let bad = l.file(
        "bad.csv",
        "Date,Description,Credit,Debit,Amount\n2026-03-01,Gift,a,b,1\n",
    );
    let message = l.reject(&["import", &bad]);
    assert!(
        message.contains("bad.csv:1: header: not a simple header"),
        "{message}"
    );
}

/// `--create-missing` does not turn a typo into a new account or fund; the errors name every
/// name the ledger lacks; a dry run says what it would create.
#[test]
fn create_missing_refuses_near_typos_and_says_what_it_would_create() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    let file = l.file(
        "typos.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-01-05,Gift,assets:bnak,income:donations,10.00,,tire,Ana,\n\
         2026-01-06,Gift,assets:bank,income:donations,10.00,,seeds,Bo,\n",
    );
    let message = l.reject(&["import", &file]);
    assert!(
        message.contains("typos.csv:2: debit: unknown account `assets:bnak`")
            && message.contains("typos.csv:3: fund: unknown fund `seeds`"),
        "{message}"
    );
    // Both names line 2 lacks are reported, not only the first.
    assert!(
        message.contains("typos.csv:2: fund: unknown fund `tire`"),
        "{message}"
    );
    let message = l.reject(&["import", &file, "--create-missing"]);
    assert!(
        message.contains("typos.csv:2: debit: invalid account `assets:bnak`: is not in the ledger but is close to `assets:bank`"),
        "{message}"
    );
    // With --allow-similar they are what the treasurer meant; a dry run only says so.
    let dry = l.run(&[
        "import",
        &file,
        "--create-missing",
        "--allow-similar",
        "--dry-run",
    ]);
    assert!(
        dry.contains("would create account assets:bnak") && !dry.contains("\ncreated "),
        "{dry}"
    );
    assert_eq!(l.json(&["fund", "list"]).as_array().map(Vec::len), Some(2));
    // A numbered series is meant, not a typo: commune-20 then commune-21, phase-1 then phase-2.
    let series = l.file(
        "series.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-01-05,Gift,assets:bank,income:donations,30.00,,phase-1,Ana,\n\
         2026-01-06,Gift,assets:bank,income:donations,30.00,,phase-2,Bo,\n\
         2026-01-07,Grant,expenses:grants:commune-20,assets:bank,10.00,,phase-1,,\n\
         2026-01-08,Grant,expenses:grants:commune-21,assets:bank,10.00,,phase-2,,\n",
    );
    let outcome = import(&l, std::path::Path::new(&series), &["--create-missing"]);
    assert_eq!(outcome["added"], 4);
}

const SIMPLE_HEADER: &str = "date,description,debit,credit,amount,currency,fund,counterparty,reference";

/// What `fondo import` says for a file's bytes: exit 1, only `error:` lines, the ledger as
/// it was.
fn rejected_bytes(l: &TempLedger, name: &str, bytes: &[u8]) -> (String, String) {
    let path = l.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let shown = path.display().to_string();
    (l.reject(&["import", &shown]), shown)
}

/// Bytes that are not UTF-8 (a spreadsheet saved as Windows-1252): the error named only the
/// row; it now names the cell and shows the bytes, escaped, in one line however long the
/// cell, and says how to convert the file.
#[test]
fn bytes_that_are_not_utf8_are_shown_with_their_cell() {
    let l = ledger();
    let convert = "; fondo reads UTF-8: save the file as UTF-8, or convert it (`iconv -f windows-1252 -t utf-8 FILE > FILE-utf8.csv`); a statement mapping can name another encoding";
    let long = "z".repeat(50_000);
    let row = |cells: &[&[u8]]| {
        [
            SIMPLE_HEADER.as_bytes(),
            b"\n2026-01-05,",
            &cells.concat(),
            b",assets:bank,income:donations,1.00,,,Ana,\n",
        ]
        .concat()
    };
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "memo.csv",
            row(&[b"Caf\xe9"]),
            "2: description: not valid UTF-8 (`Caf\\xe9`)".into(),
        ),
        (
            "header.csv",
            b"date,descr\xffiption,debit\n".to_vec(),
            "1: column 2: not valid UTF-8 (`descr\\xffiption`)".into(),
        ),
        // A BOM, CRLF line ends, and a quoted cell across two lines: the row's first line.
        (
            "quoted.csv",
            [
                b"\xef\xbb\xbf".as_slice(),
                SIMPLE_HEADER.as_bytes(),
                b"\r\n2026-01-05,\"two\r\nlines caf\xe9\",assets:bank,income:donations,1.00,,,Ana,\r\n",
            ]
            .concat(),
            "2: description: not valid UTF-8 (`two\\r\\nlines caf\\xe9`)".into(),
        ),
        // The bad byte of a long cell is shown with the characters around it.
        (
            "long.csv",
            row(&[long.as_bytes(), b"\xe9w"]),
            format!("2: description: not valid UTF-8 (`…{}\\xe9w`)", "z".repeat(20)),
        ),
        // A file that is not text at all (and does not start with a UTF-16 BOM).
        (
            "garbage.csv",
            (0..=255u8).cycle().skip(128).take(100_000).collect(),
            format!(
                "1: column 1: not valid UTF-8 (`{}…`)",
                (128..168).map(|b| format!("\\x{b:x}")).collect::<String>()
            ),
        ),
    ];
    for (name, bytes, expected) in cases {
        let (message, shown) = rejected_bytes(&l, name, &bytes);
        let wanted = format!("error: {shown}:{expected}");
        assert!(
            message.starts_with(&wanted),
            "{name}\n  said:   {message}\n  wanted: {wanted}"
        );
        let first = message.lines().next().unwrap_or_default();
        assert!(first.ends_with(convert), "{name}: {first}");
        assert!(first.chars().count() < 500, "{name}: {first}");
        assert_eq!(message.lines().count(), 2, "{message}");
    }
}

/// A row with more or fewer cells than the header: the error named only the counts; it now
/// shows the row's start (80 characters at most, on one line) and the likely cause.
#[test]
fn a_row_with_the_wrong_number_of_cells_is_shown_with_the_likely_cause() {
    let l = ledger();
    let row = "2026-01-05,Gift,assets:bank,income:donations,1,000.00,,,Ana,";
    let (message, shown) = rejected_bytes(
        &l,
        "comma.csv",
        format!("{SIMPLE_HEADER}\r\n{row}\r\n").as_bytes(),
    );
    assert_eq!(
        message.lines().next(),
        Some(format!("error: {shown}:2: row: has 10 fields; the header has 9 (`{row}`): a comma inside a cell splits it (a description, or an amount written `1,000.00`): put that cell in double quotes (`\"rent, March\"`) and write amounts without thousands separators (`1000.00`)").as_str()),
        "{message}"
    );
    // 100,000 characters of cells: the message stays one short line.
    let cells = vec!["y".repeat(9); 10_000].join(",");
    let (message, shown) = rejected_bytes(
        &l,
        "wide.csv",
        format!("{SIMPLE_HEADER}\n2026-01-05,{cells}\n").as_bytes(),
    );
    let first = message.lines().next().unwrap_or_default();
    let start = format!("2026-01-05,{}", cells.chars().take(69).collect::<String>());
    assert!(
        first.starts_with(&format!(
            "error: {shown}:2: row: has 10001 fields; the header has 9 (`{start}…`): a comma"
        )),
        "{first}"
    );
    assert_eq!(message.lines().count(), 2, "{message}");
    let (message, shown) = rejected_bytes(
        &l,
        "short.csv",
        format!("{SIMPLE_HEADER}\n2026-01-05,Gift,assets:bank\n").as_bytes(),
    );
    assert!(
        message.starts_with(&format!("error: {shown}:2: row: has 3 fields; the header has 9 (`2026-01-05,Gift,assets:bank`): a cell is left out (every row has a comma between each two cells, empty ones too), or a double quote opened in a cell is never closed\n")),
        "{message}"
    );
}

/// An account the ledger lacks was listed on each row that named it in another column, and
/// again in a summary: it is now one line, on the first row that names it, with the other
/// rows and what would add it.
#[test]
fn a_missing_account_is_reported_once_with_the_rows_that_name_it() {
    let l = ledger();
    let (message, shown) = rejected_bytes(
        &l,
        "missing.csv",
        format!(
            "{SIMPLE_HEADER}\n\
             2026-01-05,Gift,assets:till,income:donations,1.00,,,,\n\
             2026-01-06,Gift,assets:till,income:donations,1.00,,,,\n\
             2026-01-07,Deposit,assets:bank,assets:till,2.00,,,,\n\
             2026-01-08,Gift,assets:bank,income:donations,1.00,,seeds,,\n"
        )
        .as_bytes(),
    );
    assert_eq!(
        message.lines().collect::<Vec<_>>(),
        [
            format!("error: {shown}:2: debit: unknown account `assets:till`; list accounts with `fondo account list`, add one with `fondo account add NAME`, or import with --create-missing (the same on 2 more rows: lines 3, 4)"),
            format!("error: {shown}:5: fund: unknown fund `seeds`; list funds with `fondo fund list`, add one with `fondo fund add CODE`, or import with --create-missing"),
            format!("error: {shown} was rejected: 4 problem(s) found; nothing was written"),
        ],
        "{message}"
    );
}
