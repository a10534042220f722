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
