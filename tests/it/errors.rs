//! One case per user-facing error: exit code 1, one `error: ` line naming the value and what
//! would be accepted, and the ledger exactly as it was (`TempLedger::reject` checks all three).

use crate::common::{fondo, TempLedger};

/// A ledger with: #1 100.00 general into the bank (ref D-1); #2 50.00 to the restricted fund
/// tires; #3 30.00 of tires sent to the union; #4 the union passes 10.00 of tires to El
/// Maizal, confirmed; #5 a void of #1... no: #5 is a 5.00 donation, #6 its void.
fn books() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["fund", "add", "tires", "--target", "250"]);
    l.run(&["donation", "100", "--donor", "Ana", "--ref", "D-1"]);
    l.run(&["donation", "50", "--donor", "Bo", "--fund", "tires"]);
    l.run(&["send", "30", "--to", "union", "--fund", "tires"]);
    l.run(&["allocate", "10", "--to", "el-maizal", "--fund", "tires"]);
    l.run(&["confirm", "4", "--ref", "R-1"]);
    l.run(&["donation", "5", "--donor", "Cy"]);
    l.run(&["void", "5", "--reason", "test"]);
    l
}

#[test]
fn every_rejection_names_the_problem_and_changes_nothing() {
    let l = books();
    let cases: &[(&[&str], &str)] = &[
        // Amounts
        (
            &["donation", "12.345", "--donor", "A"],
            "invalid amount `12.345`: USD has 2 decimal places",
        ),
        (
            &["donation", "1,000.00", "--donor", "A"],
            "no thousands separators",
        ),
        (&["donation", "1e3", "--donor", "A"], "not a plain decimal number"),
        (&["donation", "-5", "--donor", "A"], "must be greater than zero"),
        (&["donation", "0", "--donor", "A"], "must be greater than zero"),
        (
            &["donation", "1000000000000", "--donor", "A"],
            "too large: the most one amount may be is 999999999999 USD",
        ),
        (
            &["donation", "10", "--donor", "A", "--fee", "10"],
            "invalid --fee `10.00 USD`: must be less than the donation",
        ),
        (
            &["donation", "10", "--donor", "A", "--fee", "0.001"],
            "invalid --fee `0.001`",
        ),
        (
            &["send", "999999999999", "--to", "union", "--fee", "1"],
            "amount overflow",
        ),
        (
            &["exchange", "3.33", "USD", "--to", "VES", "--rate", "36.1234"],
            "give the amount actually received with --received",
        ),
        (
            &["exchange", "10", "USD", "--to", "USD", "--rate", "1"],
            "must differ from the currency exchanged",
        ),
        (
            &["exchange", "10", "USD", "--to", "VES", "--rate", "-2"],
            "invalid --rate `-2`: must be greater than zero",
        ),
        // Currencies and dates
        (
            &["donation", "10", "--donor", "A", "--currency", "usd"],
            "invalid --currency `usd`: currency codes are upper case: write `USD`",
        ),
        (
            &["donation", "10", "--donor", "A", "--currency", "XYZ"],
            "not an ISO 4217 currency code",
        ),
        (
            &["donation", "10", "--donor", "A", "--currency", "XAU"],
            "has no minor units",
        ),
        (
            &["donation", "10", "--donor", "A", "--date", "2026-02-30"],
            "invalid --date `2026-02-30`: not a date; write YYYY-MM-DD",
        ),
        (
            &["donation", "10", "--donor", "A", "--date", "3/1/2026"],
            "invalid --date `3/1/2026`",
        ),
        // Text
        (&["donation", "10", "--donor", "A\u{1b}[2J"], "invalid --donor"),
        (
            &["donation", "10", "--donor", " "],
            "invalid --donor ` `: must not be empty",
        ),
        (
            &["donation", "10", "--donor", "A", "--memo", "bell\u{7}"],
            "invalid memo",
        ),
        (
            &["donation", "10", "--donor", "A", "--desc", "x\u{1b}[2Jy"],
            "must not contain control characters such as escape sequences",
        ),
        (
            &["--by", "bad\u{7}name", "donation", "10", "--donor", "A"],
            "invalid --by",
        ),
        // Names
        (
            &["donation", "10", "--donor", "A", "--into", "assets:bnak"],
            "unknown account `assets:bnak` (did you mean `assets:bank`?)",
        ),
        (
            &["donation", "10", "--donor", "A", "--into", "income:other"],
            "invalid --into `income:other`: must be one of our own accounts",
        ),
        (
            &["donation", "10", "--donor", "A", "--fund", "tirse"],
            "unknown fund `tirse` (did you mean `tires`?)",
        ),
        (
            &["allocate", "1", "--to", "el-maizl"],
            "unknown commune `el-maizl` (did you mean `el-maizal`?)",
        ),
        (
            &["report", "register", "assets:bnak"],
            "unknown account `assets:bnak` (did you mean `assets:bank`?)",
        ),
        (&["report", "balance", "--fund", "tirse"], "unknown fund `tirse`"),
        (
            &["account", "add", "assets:My Bank"],
            "invalid account name `assets:My Bank`",
        ),
        (
            &["account", "add", "bank"],
            "an account name starts with assets, liabilities, equity, income or expenses",
        ),
        (
            &["account", "add", "assets:bank"],
            "account `assets:bank` already exists",
        ),
        (
            &["account", "add", "expenses:grants:someone"],
            "is a grants account; they are created with their recipient",
        ),
        (&["fund", "add", "Lara Cheese"], "invalid fund code `Lara Cheese`"),
        (&["fund", "add", "tires"], "fund `tires` already exists"),
        (
            &["fund", "add", "x", "--target", "0"],
            "invalid --target `0.00 USD`: must be greater than zero",
        ),
        (&["fund", "add", "x", "--target", "5 US"], "invalid --target `US`"),
        (
            &["commune", "add", "El Maizal", "--state", "Lara"],
            "commune `el-maizal` already exists",
        ),
        (
            &["commune", "add", "!!!", "--state", "Lara"],
            "give one with --slug",
        ),
        (
            &["commune", "add", "el maizal", "--state", "Lara", "--slug", "em2"],
            "the commune `el-maizal` (El Maizal) already answers to that name or slug",
        ),
        (
            &["commune", "add", "Union HQ", "--state", "Lara", "--slug", "union"],
            "`union` is reserved",
        ),
        // Transactions
        (
            &[
                "entry",
                "--desc",
                "x",
                "-p",
                "assets:bank 10",
                "-p",
                "equity:opening -9",
            ],
            "does not balance in USD for fund `general`: 10.00 - 9.00 = 1.00",
        ),
        (
            &[
                "entry",
                "--desc",
                "x",
                "-p",
                "assets:bank 10 USD general",
                "-p",
                "equity:opening -10 USD tires",
            ],
            "does not balance in USD for fund `general`",
        ),
        (
            &["entry", "--desc", "x", "-p", "assets:bank"],
            "invalid --posting `assets:bank`: write \"ACCOUNT AMOUNT [CUR] [FUND]\"",
        ),
        (
            &[
                "entry",
                "--desc",
                "x",
                "-p",
                "assets:bank 1 usd general",
                "-p",
                "equity:opening -1",
            ],
            "invalid --posting currency `usd`",
        ),
        (
            &[
                "entry",
                "--desc",
                "x",
                "-p",
                "assets:bank 0",
                "-p",
                "equity:opening 0",
            ],
            "leave out postings of zero",
        ),
        (
            &["entry", "-p", "assets:bank 1", "-p", "equity:opening -1"],
            "needs a description",
        ),
        (
            &["donation", "5", "--donor", "A", "--ref", "D-1"],
            "reference `D-1` is already used by transaction #1",
        ),
        (
            &["transfer", "5", "--from", "assets:bank", "--to", "assets:bank"],
            "invalid --to `assets:bank`: must differ from --from",
        ),
        (
            &["fund", "move", "5", "--from", "tires", "--to", "tires"],
            "must differ from --from",
        ),
        (
            &["send", "500", "--from", "assets:union", "--to", "union"],
            "through `fondo allocate`",
        ),
        // Restricted funds and the union
        // No fund below zero in an asset account, general included, on the payment's date
        // or any later one.
        (
            &["send", "100", "--to", "union", "--fund", "tires"],
            "fund `tires` has only 20.00 USD in assets:bank on ",
        ),
        (
            &["send", "100", "--to", "union", "--fund", "tires"],
            "; this would take it to -80.00 USD (a fund cannot spend money it does not hold",
        ),
        (
            &["fee", "2000", "--from", "assets:bank"],
            "fund `general` has only ",
        ),
        (
            &["fund", "move", "21", "--from", "tires", "--to", "general"],
            "fund `tires` has only 20.00 USD in assets:bank",
        ),
        (
            &["allocate", "500", "--to", "el-maizal"],
            "the union cannot pass on more than it holds for a fund",
        ),
        (
            &["allocate", "21", "--to", "el-maizal", "--fund", "tires"],
            "fund `tires` has only 20.00 USD in assets:union",
        ),
        // Voids and confirmations
        (
            &["show", "99"],
            "no transaction #99 in this ledger (transactions run from #1 to #6)",
        ),
        (&["void", "99", "--reason", "x"], "no transaction #99"),
        (
            &["void", "4", "--reason", "x"],
            "confirmed received by the commune",
        ),
        (&["void", "6", "--reason", "x"], "#6 is itself the void of #5"),
        (&["void", "5", "--reason", "x"], "#5 was already voided by #6"),
        (
            &["void", "2", "--reason", "x"],
            "fund `tires` has only 20.00 USD in assets:bank",
        ),
        (&["confirm", "1"], "#1 is not a grant"),
        (&["confirm", "4"], "#4 was already confirmed"),
        (
            &["void", "1", "--reason", "x", "--date", "2000-01-01"],
            "a void cannot be dated before the transaction it reverses (#1,",
        ),
        // Reports and checks
        (&["report", "balance", "--depth", "0"], "invalid --depth `0`"),
        (
            &["report", "balance", "--from", "2026-03-02", "--to", "2026-03-01"],
            "invalid --to `2026-03-01`: is before --from 2026-03-02",
        ),
        (&["verify", "--head", "abc"], "invalid --head `abc`"),
        (&["init"], "already exists; `fondo init` never overwrites a file"),
    ];
    for (args, expected) in cases {
        let message = l.reject(args);
        assert_eq!(message.lines().count(), 1, "one line: {message}");
        assert!(
            message.contains(expected),
            "fondo {args:?}\n  said: {message}  wanted: {expected}"
        );
    }
}

#[test]
fn confirmations_and_voids_keep_time_in_order() {
    let l = TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-03-01"]);
    l.run(&["send", "40", "--to", "el-maizal", "--date", "2026-03-10"]);
    let message = l.reject(&["confirm", "2", "--date", "2026-03-09"]);
    assert!(
        message.contains("invalid --date `2026-03-09`: a commune cannot confirm a grant before it was made (#2, 2026-03-10)"),
        "{message}"
    );
    l.run(&["confirm", "2", "--date", "2026-03-10"]);
    // A mistaken entry dated in the future is voided on its own date unless told otherwise.
    l.run(&[
        "donation",
        "5",
        "--donor",
        "Bo",
        "--date",
        "2999-01-01",
        "--future",
    ]);
    let void = l.json(&["void", "3", "--reason", "typo in the year", "--future"]);
    assert_eq!(void["date"], "2999-01-01");
}

#[test]
fn an_unwritable_ledger_path_says_what_failed() {
    let l = TempLedger::uninitialized();
    std::fs::write(l.dir.path().join("file"), "x").unwrap();
    let out = fondo()
        .arg("--db")
        .arg(l.dir.path().join("file/ledger.db"))
        .arg("init")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.starts_with("error: cannot create the directory ") && stderr.contains("file"),
        "{stderr}"
    );
}

#[test]
fn a_forced_void_of_a_confirmed_grant_is_recorded() {
    let l = books();
    let void = l.json(&["void", "4", "--reason", "commune returned it", "--force"]);
    let shown = l.json(&["show", &void["txn"].to_string()]);
    assert!(
        shown["memo"]
            .as_str()
            .unwrap()
            .starts_with("forced: #4 was confirmed received by the commune on"),
        "{shown}"
    );
}

#[test]
fn a_missing_ledger_is_an_error_that_creates_nothing() {
    let l = TempLedger::uninitialized();
    for args in [
        &["report", "balance"][..],
        &["donation", "1", "--donor", "A"],
        &["verify"],
        &["account", "list"],
    ] {
        let message = l.reject(args);
        assert!(
            message.contains("no ledger at") && message.contains("fondo init"),
            "{message}"
        );
        assert!(!l.path.exists());
        assert_eq!(
            std::fs::read_dir(l.dir.path()).unwrap().count(),
            0,
            "nothing created"
        );
    }
}

#[test]
fn files_that_are_not_fondo_ledgers_are_refused_untouched() {
    let l = TempLedger::uninitialized();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "not an SQLite database",
            b"date,description,amount\n2026-01-01,x,1\n".to_vec(),
        ),
        ("not an SQLite database", Vec::new()),
        ("an SQLite database of another program", {
            let other = l.dir.path().join("other.db");
            let conn = rusqlite::Connection::open(&other).unwrap();
            conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
                .unwrap();
            drop(conn);
            std::fs::read(&other).unwrap()
        }),
    ];
    for (expected, bytes) in cases {
        std::fs::write(&l.path, &bytes).unwrap();
        for args in [&["verify"][..], &["donation", "1", "--donor", "A"], &["init"]] {
            let out = l.cmd().args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            let wanted = if args[0] == "init" {
                "already exists"
            } else {
                expected
            };
            assert!(stderr.contains(wanted), "{args:?}: {stderr}");
            assert_eq!(std::fs::read(&l.path).unwrap(), bytes, "file changed by {args:?}");
        }
        let siblings: Vec<_> = std::fs::read_dir(l.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            siblings
                .iter()
                .all(|n| !n.to_string_lossy().contains("ledger.db-")),
            "journal left: {siblings:?}"
        );
    }
    let dir = TempLedger::uninitialized();
    std::fs::create_dir(&dir.path).unwrap();
    assert!(dir.reject(&["verify"]).contains("it is a directory"));
}

#[test]
fn a_ledger_from_a_newer_fondo_is_refused() {
    let l = TempLedger::new();
    l.raw().pragma_update(None, "user_version", 99).unwrap();
    let message = l.reject(&["report", "balance"]);
    assert!(message.contains("newer fondo (schema version 99"), "{message}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["frobnicate"][..],
        &["donation"],
        &["donation", "5"],
        &["report"],
        &["--format", "xml", "verify"],
    ] {
        let out = fondo().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("error") || stderr.contains("Usage"),
            "{args:?}: {stderr}"
        );
    }
    let help = fondo().output().unwrap();
    assert_eq!(help.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&help.stderr).contains("donation"));
}
