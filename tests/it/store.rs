//! The store through the library: schema guarantees, atomic writes, concurrent writers.

use fondo::domain::builders::{self, Donation, Header};
use fondo::domain::{Amount, Currency, NewPosting, NewTransaction};
use fondo::store::write::Restriction;
use fondo::Ledger;

use crate::common::TempLedger;
use fondo::store::WriteMode;

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()
}

fn gift(minor: i64, donor: &str) -> NewTransaction {
    let d = Donation {
        amount: Amount::from_minor(minor, usd()).unwrap(),
        fee: None,
        donor: donor.into(),
        fund: "general".into(),
        into: "assets:bank".into(),
        fee_to: Default::default(),
    };
    builders::donation(d, Header::default(), day()).unwrap()
}

fn file_ledger() -> (TempLedger, Ledger) {
    let t = TempLedger::uninitialized();
    let ledger = Ledger::create(&t.path, usd(), Some("Test"), "tester").unwrap();
    (t, ledger)
}

#[test]
fn a_new_ledger_is_private_marked_and_in_wal_mode() {
    let (t, _ledger) = file_ledger();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&t.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let conn = t.raw();
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(app, 0x464F_4E44);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, fondo::store::SCHEMA_VERSION);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let strict: i64 = conn
        .query_row("SELECT count(*) FROM pragma_table_list WHERE strict = 0 AND schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(strict, 0, "every table is STRICT");
}

#[test]
fn recorded_rows_cannot_be_updated_or_deleted() {
    let (t, mut ledger) = file_ledger();
    ledger
        .write(WriteMode::Commit, |w| w.record(&gift(1_000, "Ana"), "test"))
        .unwrap();
    let conn = t.raw();
    for sql in [
        "UPDATE transactions SET description = 'x'",
        "DELETE FROM transactions",
        "UPDATE postings SET amount_minor = 5",
        "DELETE FROM postings",
        "UPDATE accounts SET name = 'assets:other' WHERE name = 'assets:bank'",
        "DELETE FROM accounts WHERE name = 'assets:cash'",
        "DELETE FROM funds",
        "DELETE FROM balances",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(
            err.contains("immutable") || err.contains("cannot") || err.contains("only through entries"),
            "{sql} was allowed or failed oddly: {err}"
        );
    }
    for sql in [
        "INSERT INTO postings (txn_id, line, account_id, fund_id, currency, amount_minor) VALUES (1, 9, 1, 1, 'USD', 0)",
        "INSERT INTO postings (txn_id, line, account_id, fund_id, currency, amount_minor) VALUES (1, 9, 1, 1, 'USD', 1.5)",
        "INSERT INTO postings (txn_id, line, account_id, fund_id, currency, amount_minor) VALUES (1, 9, 1, 1, 'USD', '12.50')",
    ] {
        assert!(conn.execute(sql, []).is_err(), "{sql} was allowed");
    }
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let (t, mut ledger) = file_ledger();
    let before = t.snapshot();
    let bad = NewTransaction {
        postings: vec![
            NewPosting {
                account: "assets:bank".into(),
                fund: "general".into(),
                amount: Amount::from_minor(100, usd()).unwrap(),
            },
            NewPosting {
                account: "income:donatoins".into(),
                fund: "general".into(),
                amount: Amount::from_minor(-100, usd()).unwrap(),
            },
        ],
        ..gift(100, "x")
    };
    let result = ledger.write(WriteMode::Commit, |w| {
        w.add_account("assets:savings", fondo::store::write::Overdraft::Refused)?;
        w.record(&gift(500, "Ana"), "test")?;
        w.record(&bad, "test")
    });
    let err = result.unwrap_err().to_string();
    assert!(err.contains("did you mean `income:donations`"), "{err}");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn concurrent_writers_all_succeed() {
    let (t, ledger) = file_ledger();
    drop(ledger);
    let threads: Vec<_> = (0..4)
        .map(|n| {
            let path = t.path.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let mut ledger = Ledger::open(&path, &format!("writer {n}")).unwrap();
                    ledger
                        .write(WriteMode::Commit, |w| {
                            w.record(&gift(100 + i, &format!("donor {n}-{i}")), "test")
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let ledger = Ledger::open(&t.path, "tester").unwrap();
    let outcome = fondo::store::verify::verify(&ledger, None).unwrap();
    assert!(outcome.ok, "{:?}", outcome.problems);
    assert_eq!(outcome.transactions, 100);
}

/// Import relies on this: inside one write, a refused transaction leaves no trace, so the
/// next row can still be recorded and the write committed.
#[test]
fn a_refused_record_leaves_the_open_write_untouched() {
    let (t, mut ledger) = file_ledger();
    ledger
        .write(WriteMode::Commit, |w| {
            w.add_fund("tires", None, None, Restriction::Restricted)?;
            let fee = builders::Fee {
                amount: Amount::from_minor(500, usd()).unwrap(),
                from: "assets:bank".into(),
                fund: "tires".into(),
            };
            let overdraw = builders::fee(fee, Header::default(), day())?;
            let err = w.record(&overdraw, "test").unwrap_err();
            assert!(
                err.to_string().contains("fund `tires` has only 0.00 USD"),
                "{err}"
            );
            w.record(&gift(1_000, "Ana"), "test")
        })
        .unwrap();
    let outcome = fondo::store::verify::verify(&ledger, None).unwrap();
    assert!(outcome.ok, "{:?}", outcome.problems);
    assert_eq!(outcome.transactions, 1);
    let rows: i64 = t
        .raw()
        .query_row("SELECT count(*) FROM postings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2);
}
