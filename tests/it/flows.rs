//! Real treasury flows recorded truthfully: no fund spends money it does not hold, in any
//! asset account, on any date — the bank, `general` and back-dated entries included — unless
//! the account is a declared credit line.

use crate::common::TempLedger;

/// A recorded transaction's postings as `account fund amount`, from its JSON.
fn postings(recorded: &serde_json::Value) -> Vec<String> {
    recorded["postings"]
        .as_array()
        .expect("postings")
        .iter()
        .map(|p| {
            let field = |k: &str| p[k].as_str().expect("text").to_string();
            format!("{} {} {}", field("account"), field("fund"), field("amount"))
        })
        .collect()
}

#[test]
fn the_bank_cannot_go_below_zero() {
    let l = TempLedger::new();
    l.run(&["donation", "400", "--donor", "Ana", "--date", "2026-03-01"]);
    let message = l.reject(&["send", "1500", "--to", "union", "--date", "2026-03-02"]);
    assert!(
        message.contains(
            "fund `general` has only 400.00 USD in assets:bank on 2026-03-02; this would take it to -1100.00 USD"
        ),
        "{message}"
    );
    l.run(&["send", "400", "--to", "union", "--date", "2026-03-02"]);
}

#[test]
fn general_cannot_spend_money_held_for_a_restricted_fund() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    l.run(&[
        "donation",
        "100",
        "--donor",
        "Ana",
        "--fund",
        "tires",
        "--date",
        "2026-03-01",
    ]);
    let message = l.reject(&["fee", "5", "--from", "assets:bank", "--date", "2026-03-02"]);
    assert!(
        message.contains("fund `general` has only 0.00 USD in assets:bank on 2026-03-02"),
        "{message}"
    );
}

#[test]
fn a_back_dated_entry_is_checked_against_every_later_day() {
    let l = TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["donation", "300", "--donor", "Ana", "--date", "2026-03-01"]);
    l.run(&["send", "200", "--to", "union", "--date", "2026-03-10"]);
    // The union reports passing on money five days before it was sent.
    let message = l.reject(&["allocate", "100", "--to", "el-maizal", "--date", "2026-03-05"]);
    assert!(
        message.contains("fund `general` has only 0.00 USD in assets:union on 2026-03-05"),
        "{message}"
    );
    l.run(&["allocate", "100", "--to", "el-maizal", "--date", "2026-03-10"]);
    // On 1 March the bank held 300.00, but the send of 10 March left 100.00: a fee of 150.00
    // dated 2 March would leave 10 March short, and the error names that day.
    let message = l.reject(&["fee", "150", "--from", "assets:bank", "--date", "2026-03-02"]);
    assert!(
        message.contains(
            "fund `general` has only 100.00 USD in assets:bank on 2026-03-10; this would take it to -50.00 USD"
        ),
        "{message}"
    );
    l.run(&["fee", "100", "--from", "assets:bank", "--date", "2026-03-02"]);
    // A void of a gift whose money was already spent is refused the same way.
    let message = l.reject(&["void", "1", "--reason", "charge back", "--date", "2026-03-11"]);
    assert!(
        message.contains("fund `general` has only 0.00 USD in assets:bank on 2026-03-11"),
        "{message}"
    );
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn an_import_cannot_overdraw_either_and_names_the_row() {
    let l = TempLedger::new();
    let file = l.file(
        "march.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-03-01,Gift,assets:bank,income:donations,50.00,,,Ana,\n\
         2026-03-03,Wire,assets:union,assets:bank,50.00,,,,\n\
         2026-03-02,Bank fee,expenses:fees,assets:bank,0.50,,,,\n",
    );
    let message = l.reject(&["import", &file]);
    assert!(
        message.contains(
            // Recorded in date order, the 3 March wire is the row that overdraws.
            "march.csv:3: amount: fund `general` has only 49.50 USD in assets:bank on 2026-03-03; this would take it to -0.50 USD"
        ),
        "{message}"
    );
}

#[test]
fn a_credit_line_may_go_below_zero_when_declared() {
    let l = TempLedger::new();
    l.run(&["account", "add", "assets:credit-line", "--allow-negative"]);
    l.run(&[
        "fee",
        "20",
        "--from",
        "assets:credit-line",
        "--date",
        "2026-03-01",
    ]);
    let accounts = l.run(&["--format", "csv", "account", "list"]);
    assert!(accounts.contains("assets:credit-line,assets,true"), "{accounts}");
    assert!(accounts.contains("assets:bank,assets,false"), "{accounts}");
    // The funds report still says where a fund is below zero.
    let funds = l.run(&["report", "funds"]);
    assert!(
        funds.contains("OVERDRAWN: fund `general` is below zero in assets:credit-line (USD)"),
        "{funds}"
    );
    let message = l.reject(&["account", "add", "income:grants", "--allow-negative"]);
    assert!(
        message.contains("only an asset account can be allowed to go below zero"),
        "{message}"
    );
    // The declaration is in the chain.
    let conn = l.raw();
    conn.execute_batch(
        "DROP TRIGGER accounts_recorded_update; UPDATE accounts SET allow_negative = 1 WHERE name = 'assets:bank'",
    )
    .unwrap();
    drop(conn);
    let out = l.cmd().args(["--format", "json", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("allow_negative is 1 but the chain recorded 0"));
}

#[test]
fn a_fund_is_renamed_retargeted_and_closed_by_entries_in_the_chain() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires", "--name", "Tyres", "--target", "250"]);
    l.run(&[
        "donation",
        "100",
        "--donor",
        "Ana",
        "--fund",
        "tires",
        "--date",
        "2026-03-01",
    ]);
    let said = l.run(&[
        "fund",
        "edit",
        "tires",
        "--name",
        "Tires for the truck",
        "--target",
        "300",
    ]);
    assert_eq!(
        said,
        "changed fund tires: name `Tyres` → `Tires for the truck`; target `250.00 USD` → `300.00 USD`\n"
    );
    let campaign = l.run(&["--format", "csv", "report", "campaign"]);
    assert!(
        campaign.contains("tires,Tires for the truck,USD,100.00,0.00,300.00,"),
        "{campaign}"
    );
    assert!(l
        .run(&["fund", "edit", "tires", "--no-target"])
        .contains("target `300.00 USD` → `none`"));
    // The register keeps what each transaction recorded.
    let message = l.reject(&["fund", "edit", "tires", "--close"]);
    assert!(
        message.contains("fund `tires` still holds 100.00 USD in assets:bank; grant or move it"),
        "{message}"
    );
    l.run(&[
        "fund",
        "move",
        "100",
        "--from",
        "tires",
        "--to",
        "general",
        "--date",
        "2026-03-02",
    ]);
    assert!(l
        .run(&["fund", "edit", "tires", "--close"])
        .contains("closed `false` → `true`"));
    let message = l.reject(&["donation", "5", "--donor", "Bo", "--fund", "tires"]);
    assert!(message.contains("fund `tires` is closed"), "{message}");
    let funds = l.run(&["--format", "csv", "fund", "list"]);
    assert!(funds.contains("tires,Tires for the truck,true,,,true"), "{funds}");
    for (args, expected) in [
        (&["fund", "edit", "tires", "--close"][..], "changes nothing"),
        (&["fund", "edit", "general", "--close"], "cannot be closed"),
        (
            &["fund", "edit", "tirse", "--name", "x"],
            "unknown fund `tirse` (did you mean `tires`?)",
        ),
        (
            &["fund", "edit", "tires", "--target", "0"],
            "must be greater than zero",
        ),
        (
            &["fund", "edit", "tires", "--name", "bad\u{1b}[2J"],
            "invalid --name",
        ),
    ] {
        let message = l.reject(args);
        assert!(message.contains(expected), "{args:?}: {message}");
    }
    let verified = l.json(&["verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
    // An edit outside fondo shows against the chain.
    let conn = l.raw();
    conn.execute_batch(
        "DROP TRIGGER funds_recorded_update; UPDATE funds SET closed = 0 WHERE code = 'tires'",
    )
    .unwrap();
    drop(conn);
    let out = l.cmd().args(["--format", "json", "verify"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("closed is 0 but the chain recorded 1"));
}

#[test]
fn a_commune_s_state_typo_is_corrected_and_reports_follow() {
    let l = TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Larra"]);
    l.run(&["commune", "add", "Ataroa", "--state", "Lara"]);
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-03-01"]);
    l.run(&["send", "50", "--to", "el-maizal", "--date", "2026-03-02"]);
    let said = l.run(&[
        "commune",
        "edit",
        "el-maizal",
        "--state",
        "Lara",
        "--name",
        "Comuna El Maizal",
    ]);
    assert_eq!(
        said,
        "changed commune el-maizal: name `El Maizal` → `Comuna El Maizal`; state `Larra` → `Lara`\n"
    );
    let communes = l.run(&["--format", "csv", "report", "communes"]);
    assert!(communes.contains("commune,el-maizal,Lara,"), "{communes}");
    // A grant still finds it by its slug or its new name; the transaction's text is as recorded.
    l.run(&["send", "10", "--to", "Comuna El Maizal", "--date", "2026-03-03"]);
    assert!(l.run(&["show", "2"]).contains("El Maizal"));
    for (args, expected) in [
        (
            &["commune", "edit", "el-maizal", "--state", "Lara"][..],
            "changes nothing",
        ),
        (
            &["commune", "edit", "el-maizal", "--name", "ataroa"],
            "the commune `ataroa` (Ataroa) already answers to that name or slug",
        ),
        (
            &["commune", "edit", "nowhere", "--state", "Zulia"],
            "unknown commune `nowhere`",
        ),
    ] {
        let message = l.reject(args);
        assert!(message.contains(expected), "{args:?}: {message}");
    }
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn an_unused_account_is_closed_and_takes_no_more_postings() {
    let l = TempLedger::new();
    l.run(&["account", "add", "assets:bank:old"]);
    l.run(&[
        "donation",
        "30",
        "--donor",
        "Ana",
        "--into",
        "assets:bank:old",
        "--date",
        "2026-03-01",
    ]);
    let message = l.reject(&["account", "close", "assets:bank:old"]);
    assert!(
        message.contains("account `assets:bank:old` still has a balance of 30.00 USD in fund `general`"),
        "{message}"
    );
    l.run(&[
        "transfer",
        "30",
        "--from",
        "assets:bank:old",
        "--to",
        "assets:bank",
        "--date",
        "2026-03-02",
    ]);
    assert_eq!(
        l.run(&["account", "close", "assets:bank:old"]),
        "closed account assets:bank:old\n"
    );
    let message = l.reject(&["donation", "5", "--donor", "Bo", "--into", "assets:bank:old"]);
    assert!(
        message.contains("account `assets:bank:old` is closed"),
        "{message}"
    );
    assert!(l
        .run(&["--format", "csv", "account", "list"])
        .contains("assets:bank:old,assets,false,true"));
    for (args, expected) in [
        (&["account", "close", "assets:bank:old"][..], "is already closed"),
        (
            &["account", "close", "assets:bank"],
            "one of the accounts fondo's commands post to",
        ),
        (&["account", "close", "assets:bnak:old"], "unknown account"),
    ] {
        let message = l.reject(args);
        assert!(message.contains(expected), "{args:?}: {message}");
    }
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn a_closed_period_takes_no_back_dated_entry_without_a_recorded_reason() {
    let l = TempLedger::new();
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-03-01"]);
    assert_eq!(
        l.run(&["close", "--through", "2026-03-31"]),
        "closed the books through 2026-03-31 (lock 1)\n"
    );
    let message = l.reject(&["fee", "2", "--from", "assets:bank", "--date", "2026-03-15"]);
    assert!(
        message.contains(
            "the books are closed through 2026-03-31 (`fondo close`, lock 1); a transaction dated 2026-03-15 needs --force --reason TEXT"
        ),
        "{message}"
    );
    // April is open; a void dated in March is refused like any other entry.
    l.run(&["fee", "2", "--from", "assets:bank", "--date", "2026-04-01"]);
    assert!(l
        .reject(&["void", "1", "--reason", "x", "--date", "2026-03-20"])
        .contains("closed through 2026-03-31"));
    // Forced, with a reason that the chain keeps.
    l.run(&[
        "fee",
        "1",
        "--from",
        "assets:bank",
        "--date",
        "2026-03-15",
        "--force",
        "--reason",
        "bank statement arrived late",
    ]);
    let since = l.json(&["verify"]);
    assert_eq!(since["ok"], true);
    let overrides: String = l
        .raw()
        .query_row(
            "SELECT txn_id || ' ' || through || ' ' || reason FROM lock_overrides",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(overrides, "3 2026-03-31 bank statement arrived late");
    // --force needs --reason, and the other way round (a usage error, exit 2).
    let out = l
        .cmd()
        .args([
            "fee",
            "1",
            "--from",
            "assets:bank",
            "--date",
            "2026-03-15",
            "--force",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    for (args, expected) in [
        (
            &["close", "--through", "2026-02-28"][..],
            "already closed through 2026-03-31",
        ),
        (&["close", "--through", "2999-01-01"], "is after today"),
        (
            &["close", "--through", "2026-04-30", "--account", "assets:bnak"],
            "unknown account",
        ),
    ] {
        let message = l.reject(args);
        assert!(message.contains(expected), "{args:?}: {message}");
    }
    // An import into the closed period is refused too, naming the row.
    let file = l.file(
        "march.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-03-20,Gift,assets:bank,income:donations,5.00,,,Bo,\n",
    );
    let message = l.reject(&["import", &file]);
    assert!(
        message.contains("march.csv:2: row: the books are closed through 2026-03-31"),
        "{message}"
    );
}

#[test]
fn a_saved_reconciliation_closes_its_account_through_the_statement_date() {
    let l = TempLedger::new();
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-03-01"]);
    l.run(&[
        "donation",
        "50",
        "--donor",
        "Bo",
        "--into",
        "assets:processor",
        "--date",
        "2026-03-02",
    ]);
    let statement = l.file(
        "march.csv",
        "date,description,amount\n2026-03-01,DEPOSIT,100.00\n2026-03-31,END,0.01\n",
    );
    l.run(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &statement,
        "--mark",
        "--force",
    ]);
    let message = l.reject(&["fee", "1", "--from", "assets:bank", "--date", "2026-03-20"]);
    assert!(
        message.contains("closed through 2026-03-31 (saved reconciliation 1)"),
        "{message}"
    );
    // Other accounts' books stay open.
    l.run(&["fee", "1", "--from", "assets:processor", "--date", "2026-03-20"]);
}

#[test]
fn a_date_far_ahead_needs_future() {
    let l = TempLedger::new();
    l.run(&["donation", "100", "--donor", "Ana"]);
    let message = l.reject(&["fee", "1", "--from", "assets:bank", "--date", "2062-10-30"]);
    assert!(
        message.contains("invalid date `2062-10-30`: is more than a day after today")
            && message.contains("needs --future"),
        "{message}"
    );
    l.run(&[
        "fee",
        "1",
        "--from",
        "assets:bank",
        "--date",
        "2062-10-30",
        "--future",
    ]);
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    l.run(&["fee", "1", "--from", "assets:bank", "--date", &tomorrow]);
}

#[test]
fn a_balance_over_a_period_shows_opening_and_closing() {
    let l = TempLedger::new();
    l.run(&["donation", "1000", "--donor", "Ana", "--date", "2026-03-01"]);
    l.run(&["send", "500", "--to", "union", "--date", "2026-04-05"]);
    l.run(&["donation", "20", "--donor", "Bo", "--date", "2026-04-06"]);
    let rows = l.json(&["report", "balance", "--from", "2026-04-01", "--to", "2026-04-30"]);
    let bank = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["account"] == "assets:bank")
        .unwrap();
    // Held 1,000.00 on 1 April, paid out 500.00, took in 20.00: closes at 520.00, not −480.00.
    for (key, value) in [
        ("opening", "1000.00"),
        ("debit", "20.00"),
        ("credit", "500.00"),
        ("closing", "520.00"),
        ("balance", "520.00"),
    ] {
        assert_eq!(bank[key], value, "{key}: {bank}");
    }
    let total = rows.as_array().unwrap().last().unwrap();
    assert_eq!(
        (total["opening"].as_str(), total["tied_out"].as_bool()),
        (Some("0.00"), Some(true))
    );
    let table = l.run(&["report", "balance", "--from", "2026-04-01"]);
    let header = table.lines().nth(1).unwrap();
    assert!(
        header.contains("Opening") && header.contains("Closing") && !header.contains("Balance"),
        "{table}"
    );
    // Without a start, the trial balance is as before.
    let whole = l.json(&["report", "balance"]);
    assert!(whole[0].get("opening").is_none(), "{whole}");
}

#[test]
fn a_lump_payout_is_split_across_funds_oldest_money_first() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    for (amount, fund, date) in [
        ("50.00", "general", "2026-03-01"),
        ("48.25", "tires", "2026-03-03"),
        ("46.80", "general", "2026-03-09"),
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
    // With the lump booked to general alone, general would be below zero at the processor.
    let message = l.reject(&[
        "transfer",
        "145.05",
        "--from",
        "assets:processor",
        "--to",
        "assets:bank",
        "--date",
        "2026-03-10",
    ]);
    assert!(
        message.contains("fund `general` has only 96.80 USD in assets:processor"),
        "{message}"
    );
    // The payout splits it: 96.80 general, 48.25 tires — one 145.05 bank line.
    let payout = l.json(&[
        "payout",
        "144.05",
        "--fee",
        "1.00",
        "--date",
        "2026-03-10",
        "--ref",
        "po-1",
    ]);
    assert_eq!(
        postings(&payout),
        [
            "assets:bank general 96.13",
            "expenses:fees:processor general 0.67",
            "assets:processor general -96.80",
            "assets:bank tires 47.92",
            "expenses:fees:processor tires 0.33",
            "assets:processor tires -48.25",
        ]
    );
    let funds = l.run(&["--format", "csv", "report", "funds"]);
    assert!(funds.contains("fund,general,USD,0.00,96.80,0.67,"), "{funds}");
    // Nothing left to pay out; a payout of more than is held is refused and says how much.
    let message = l.reject(&["payout", "0.01", "--date", "2026-03-11"]);
    assert!(
        message.contains("assets:processor holds only 0.00 USD in all funds together on that date"),
        "{message}"
    );
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn a_back_dated_payout_takes_only_money_no_later_day_spends() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    l.run(&["fund", "add", "seeds"]);
    for (fund, donor, date) in [("seeds", "A", "2026-05-01"), ("tires", "B", "2026-05-02")] {
        l.run(&[
            "donation",
            "10",
            "--donor",
            donor,
            "--fund",
            fund,
            "--into",
            "assets:processor",
            "--date",
            date,
        ]);
    }
    l.run(&[
        "transfer",
        "5",
        "--from",
        "assets:processor",
        "--to",
        "assets:bank",
        "--fund",
        "seeds",
        "--date",
        "2026-05-03",
    ]);
    // The payout of 5 May took seeds' last 5.00 and 5.00 of tires.
    l.run(&["payout", "10", "--date", "2026-05-05"]);
    // A payout of 3 May, entered late: seeds held 5.00 that day, but 5 May spends it; the
    // 5.00 tires still holds on every later day is what it can take. It was refused before
    // ("fund `seeds` has only 0.00 USD in assets:processor on 2026-05-05").
    let late = l.json(&["payout", "5", "--date", "2026-05-03"]);
    assert_eq!(
        postings(&late),
        ["assets:bank tires 5.00", "assets:processor tires -5.00"]
    );
    let message = l.reject(&["payout", "0.01", "--date", "2026-05-03"]);
    assert!(
        message.contains(
            "holds only 0.00 USD in all funds together on that date (counting only what no later day spends)"
        ),
        "{message}"
    );
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn reconcile_nets_each_transaction_and_clears_what_nets_to_zero() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    l.run(&[
        "donation",
        "50",
        "--donor",
        "Ana",
        "--into",
        "assets:processor",
        "--date",
        "2026-03-01",
    ]);
    l.run(&[
        "donation",
        "48.25",
        "--donor",
        "Bo",
        "--fund",
        "tires",
        "--into",
        "assets:processor",
        "--date",
        "2026-03-03",
    ]);
    // One bank line of 97.25 for a payout the ledger splits across two funds.
    l.run(&["payout", "97.25", "--fee", "1.00", "--date", "2026-03-08"]);
    // A fund move inside the bank and a gift voided the same week: no bank line for either.
    l.run(&[
        "fund",
        "move",
        "10",
        "--from",
        "general",
        "--to",
        "tires",
        "--date",
        "2026-03-09",
    ]);
    l.run(&["donation", "5", "--donor", "Cy", "--date", "2026-03-09"]);
    l.run(&["void", "5", "--reason", "entered twice", "--date", "2026-03-09"]);
    let statement = l.file(
        "march.csv",
        "date,description,amount,balance\n2026-03-10,PAYOUT,97.25,97.25\n",
    );
    let r = l.json(&["reconcile", "assets:bank", "--statement", &statement]);
    assert_eq!(r["matched"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["matched"][0]["txn"], 3);
    let cleared: Vec<i64> = r["cleared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["txn"].as_i64().unwrap())
        .collect();
    assert_eq!(cleared, [4, 5, 6], "{r}");
    assert_eq!(r["only_in_ledger"], serde_json::json!([]));
    assert_eq!(r["difference"], "0.00");
    let saved = l.json(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &statement,
        "--strict",
        "--mark",
    ]);
    assert_eq!(saved["saved"], 1);
    // Saved: nothing of it is offered again, and a void of the payout now needs --force.
    let again = l.json(&["reconcile", "assets:bank", "--statement", &statement]);
    assert_eq!(again["cleared"], serde_json::json!([]));
    assert!(l
        .reject(&["void", "3", "--reason", "x", "--date", "2026-04-01"])
        .contains("saved reconciliation 1"));
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn a_deposit_that_cleared_late_gets_a_hint() {
    let l = TempLedger::new();
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-03-01"]);
    let statement = l.file(
        "march.csv",
        "date,description,amount\n2026-03-12,DEPOSIT,100.00\n",
    );
    let table = l.run(&["reconcile", "assets:bank", "--statement", &statement]);
    assert!(
        table.contains(
            "hint: line 2 (2026-03-12, 100.00 USD) and #1 (2026-03-01) have the same amount 11 days apart (more than --days 3); --days 11 would match them"
        ),
        "{table}"
    );
    let matched = l.json(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &statement,
        "--days",
        "11",
    ]);
    assert_eq!(matched["matched"][0]["txn"], 1);
    assert_eq!(matched["hints"], serde_json::json!([]));
}

#[test]
fn a_pair_is_matched_by_hand_and_a_saved_reconciliation_undone() {
    let l = TempLedger::new();
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-03-01"]);
    l.run(&["donation", "100", "--donor", "Bo", "--date", "2026-03-02"]);
    let statement = l.file(
        "march.csv",
        "date,description,amount\n2026-03-20,DEPOSIT BO,100.00\n2026-03-21,DEPOSIT ANA,100.00\n",
    );
    // Far outside --days, and two candidates each: paired by hand.
    let r = l.json(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &statement,
        "--match",
        "2=#2",
        "--match",
        "3=1",
    ]);
    let pairs: Vec<(i64, i64)> = r["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["line"].as_i64().unwrap(), m["txn"].as_i64().unwrap()))
        .collect();
    assert_eq!(pairs, [(2, 2), (3, 1)]);
    for (given, expected) in [
        ("9=1", "the statement has no line 9"),
        ("2=3", "#3 has nothing open in assets:bank"),
        ("x=1", "is not a statement line number"),
    ] {
        let out = l
            .cmd()
            .args([
                "reconcile",
                "assets:bank",
                "--statement",
                &statement,
                "--match",
                given,
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{given}: {stderr}");
    }
    l.run(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &statement,
        "--match",
        "2=2",
        "--match",
        "3=1",
        "--strict",
        "--mark",
    ]);
    assert!(l
        .reject(&["fee", "1", "--from", "assets:bank", "--date", "2026-03-15"])
        .contains("saved reconciliation 1"));
    // Undone: on record, its postings open again, the bank's books reopen.
    assert_eq!(
        l.run(&["reconcile", "undo", "1"]),
        "undid reconciliation 1 of assets:bank: its postings will be offered again (the undo is recorded)\n"
    );
    l.run(&["fee", "1", "--from", "assets:bank", "--date", "2026-03-15"]);
    let again = l.json(&["reconcile", "assets:bank", "--statement", &statement]);
    assert_eq!(again["saved_before"], serde_json::Value::Null);
    // The list says it was undone (it looked like a live one before).
    let list = l.json(&["reconcile", "--list", "assets:bank"]);
    assert_eq!(list[0]["state"], "undone", "{list}");
    assert!(l
        .reject(&["reconcile", "undo", "1"])
        .contains("was already undone"));
    assert!(l
        .reject(&["reconcile", "undo", "7"])
        .contains("no saved reconciliation 7"));
    l.run(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &statement,
        "--match",
        "2=2",
        "--match",
        "3=1",
        "--mark",
        "--force",
    ]);
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn a_fee_is_charged_to_the_fund_and_kind_it_belongs_to() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "truck-part"]);
    l.run(&[
        "donation",
        "275",
        "--donor",
        "Ana",
        "--fund",
        "truck-part",
        "--date",
        "2026-03-01",
    ]);
    l.run(&["donation", "100", "--donor", "Bo", "--date", "2026-03-01"]);
    // The restricted fund cannot pay the wire fee on top of its 275.00...
    let message = l.reject(&[
        "send",
        "275",
        "--to",
        "union",
        "--fund",
        "truck-part",
        "--fee",
        "25",
        "--date",
        "2026-03-02",
    ]);
    assert!(
        message.contains("fund `truck-part` has only 275.00 USD in assets:bank"),
        "{message}"
    );
    // ...general can.
    let sent = l.json(&[
        "send",
        "275",
        "--to",
        "union",
        "--fund",
        "truck-part",
        "--fee",
        "25",
        "--fee-fund",
        "general",
        "--date",
        "2026-03-02",
    ]);
    assert_eq!(
        postings(&sent),
        [
            "assets:union truck-part 275.00",
            "expenses:fees:wire general 25.00",
            "assets:bank general -25.00",
            "assets:bank truck-part -275.00"
        ]
    );
    l.run(&["fee", "2.50", "--from", "assets:bank", "--date", "2026-03-03"]);
    l.run(&[
        "donation",
        "10",
        "--donor",
        "Cy",
        "--into",
        "assets:processor",
        "--fee",
        "0.59",
        "--date",
        "2026-03-03",
    ]);
    let balance = l.run(&["--format", "csv", "report", "balance"]);
    for line in [
        "account,expenses:fees:bank,USD,2.50,",
        "account,expenses:fees:processor,USD,0.59,",
        "account,expenses:fees:wire,USD,25.00,",
    ] {
        assert!(balance.contains(line), "{line}: {balance}");
    }
    let message = l.reject(&[
        "send",
        "5",
        "--to",
        "union",
        "--fee",
        "1",
        "--fee-account",
        "assets:cash",
    ]);
    assert!(
        message.contains("invalid --fee-account `assets:cash`"),
        "{message}"
    );
}

#[test]
fn a_payout_fee_can_be_charged_to_one_fund() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    l.run(&[
        "donation",
        "50",
        "--donor",
        "Ana",
        "--into",
        "assets:processor",
        "--date",
        "2026-03-01",
    ]);
    l.run(&[
        "donation",
        "30",
        "--donor",
        "Bo",
        "--fund",
        "tires",
        "--into",
        "assets:processor",
        "--date",
        "2026-03-02",
    ]);
    let payout = l.json(&[
        "payout",
        "79",
        "--fee",
        "1",
        "--fee-fund",
        "general",
        "--date",
        "2026-03-05",
    ]);
    assert_eq!(
        postings(&payout),
        [
            "assets:bank general 50.00",
            "assets:processor general -50.00",
            "assets:bank tires 30.00",
            "assets:processor tires -30.00",
            "expenses:fees:processor general 1.00",
            "assets:bank general -1.00",
        ]
    );
    let funds = l.run(&["--format", "csv", "report", "funds"]);
    assert!(
        funds.contains("fund,tires,USD,0.00,30.00,0.00,"),
        "tires keeps its whole gift: {funds}"
    );
}

/// `--to` always means one commune: a name that another commune's slug or name answers to
/// (in any case) is refused when added or edited in (before, `--to maizal` and `--to Maizal`
/// reached two different communes), and every case of a slug or name reaches one commune.
#[test]
fn to_names_one_commune_whatever_the_case() {
    let l = TempLedger::new();
    l.run(&[
        "commune",
        "add",
        "Comuna El Maizal",
        "--state",
        "Lara",
        "--slug",
        "maizal",
    ]);
    let message = l.reject(&[
        "commune",
        "add",
        "Maizal",
        "--state",
        "Mérida",
        "--slug",
        "maizal-merida",
    ]);
    assert!(
        message.contains("the commune `maizal` (Comuna El Maizal) already answers to that name or slug"),
        "{message}"
    );
    l.run(&["commune", "add", "Ataroa", "--state", "Lara"]);
    let message = l.reject(&["commune", "edit", "maizal", "--name", "ataroa"]);
    assert!(
        message.contains("already answers to that name or slug"),
        "{message}"
    );
    // Every spelling of the slug or the name, in any case, reaches the same commune.
    l.run(&["donation", "100", "--donor", "A", "--date", "2026-10-01"]);
    for to in ["maizal", "Maizal", "MAIZAL", "comuna el maizal"] {
        let sent = l.json(&["send", "1", "--to", to, "--dry-run", "--date", "2026-10-02"]);
        assert_eq!(sent["postings"][0]["account"], "expenses:grants:maizal", "{to}");
    }
}

/// Small gaps: a commune named by part of its name is suggested (it found nothing), and an
/// exchange given by the amount received says the rate it came to (it dropped it).
#[test]
fn a_partial_commune_name_is_suggested_and_a_received_exchange_keeps_its_rate() {
    let l = TempLedger::new();
    l.run(&["commune", "add", "Comuna El Maizal", "--state", "Lara"]);
    l.run(&["donation", "100", "--donor", "A", "--date", "2026-03-01"]);
    let message = l.reject(&["send", "20", "--to", "maizal", "--date", "2026-03-02"]);
    assert!(
        message.contains("unknown commune `maizal` (did you mean `comuna-el-maizal`?)"),
        "{message}"
    );
    let exchanged = l.json(&[
        "exchange",
        "10",
        "USD",
        "--to",
        "VES",
        "--received",
        "365",
        "--date",
        "2026-03-02",
    ]);
    assert_eq!(
        exchanged["description"],
        "exchange 10.00 USD to 365.00 VES (a rate of 36.5 VES per USD)"
    );
}
