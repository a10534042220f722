//! Tampering with the ledger file directly, as someone with write access would: drop the
//! triggers, edit, and keep the maintained totals consistent. `verify` must exit 1 and name
//! the first transaction whose stored content no longer matches.

use rusqlite::Connection;
use serde_json::Value;

use crate::common::TempLedger;
use crate::workflow::worked_example;

pub(crate) const DROP_TRIGGERS: &str = "
    DROP TRIGGER transactions_immutable_update; DROP TRIGGER transactions_immutable_delete;
    DROP TRIGGER postings_immutable_update; DROP TRIGGER postings_immutable_delete;
    DROP TRIGGER balances_no_delete; DROP TRIGGER daily_totals_no_delete;";

/// Rebuilds the maintained totals from the postings, so only the hash chain can tell.
pub(crate) const RECOMPUTE_TOTALS: &str = "
    DELETE FROM balances;
    INSERT INTO balances SELECT account_id, fund_id, currency,
        SUM(max(amount_minor, 0)), SUM(max(-amount_minor, 0)) FROM postings GROUP BY 1, 2, 3;
    DELETE FROM daily_totals;
    INSERT INTO daily_totals SELECT p.account_id, p.fund_id, p.currency, t.date,
        SUM(max(p.amount_minor, 0)), SUM(max(-p.amount_minor, 0))
        FROM postings p JOIN transactions t ON t.id = p.txn_id GROUP BY 1, 2, 3, 4;";

/// The ledger's triggers (name, SQL), so a thorough forger can put back what it dropped.
pub(crate) fn triggers(conn: &Connection) -> Vec<(String, String)> {
    conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Recreates every trigger of `saved` that is missing now: the schema looks untouched.
pub(crate) fn put_back(conn: &Connection, saved: &[(String, String)]) {
    for (name, sql) in saved {
        let exists: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap();
        if !exists {
            conn.execute_batch(sql).unwrap();
        }
    }
}

/// Runs `edit` on the ledger's file with every trigger dropped, as a forger holding the file
/// would; with `restore`, the triggers are put back afterwards, so the schema looks untouched.
pub(crate) fn edit_without_triggers(l: &TempLedger, edit: &str, restore: bool) {
    let conn = l.raw();
    let saved = triggers(&conn);
    for (name, _) in &saved {
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\"")).unwrap();
    }
    conn.execute_batch(edit).unwrap();
    if restore {
        put_back(&conn, &saved);
    }
}

/// `verify` (against `head` when given) must fail, exit 1, after `edit`; returns what it
/// printed.
pub(crate) fn verify_fails(l: &TempLedger, head: Option<&str>, edit: &str) -> String {
    let mut args = vec!["--format", "json", "verify"];
    if let Some(head) = head {
        args.extend(["--head", head]);
    }
    let out = l.cmd().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "verify passed after `{edit}`");
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn tampered(edit: &str) -> TempLedger {
    let l = worked_example();
    let conn: Connection = l.raw();
    conn.execute_batch(DROP_TRIGGERS).unwrap();
    conn.execute_batch(&format!("PRAGMA foreign_keys = OFF; {edit}; {RECOMPUTE_TOTALS}"))
        .unwrap();
    drop(conn);
    l
}

fn failed_verify(l: &TempLedger, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json", "verify"];
    args.extend_from_slice(extra);
    let out = l.cmd().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "verify passed after tampering");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: verify found"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    report
}

fn first_problem(report: &Value) -> String {
    report["problems"][0].as_str().unwrap().to_string()
}

#[test]
fn the_untouched_ledger_verifies() {
    let l = worked_example();
    let report = l.json(&["verify"]);
    assert_eq!(report["ok"], true);
    assert_eq!(report["transactions"], 9);
    assert_eq!(report["problems"], Value::Array(vec![]));
    let head = report["head"].as_str().unwrap().to_string();
    assert_eq!(l.json(&["verify", "--head", &head])["ok"], true);
    let table = l.run(&["verify"]);
    assert_eq!(table, format!("ok: 9 transactions verified\nhead: {head}\n"));
}

#[test]
fn each_kind_of_edit_names_the_first_changed_transaction() {
    let cases = [
        // A balanced edit of an amount: both postings of #2 raised by 10.00.
        ("UPDATE postings SET amount_minor = amount_minor + 1000 WHERE txn_id = 2 AND line = 1;
          UPDATE postings SET amount_minor = amount_minor - 1000 WHERE txn_id = 2 AND line = 2", "transaction #2:"),
        ("UPDATE transactions SET date = '2026-03-01' WHERE id = 5", "transaction #5:"),
        ("UPDATE transactions SET description = 'send to a friend' WHERE id = 6", "transaction #6:"),
        ("UPDATE transactions SET counterparty = 'Someone Else' WHERE id = 2", "transaction #2:"),
        ("UPDATE postings SET account_id = (SELECT id FROM accounts WHERE name = 'assets:cash')
          WHERE txn_id = 7 AND line = 2", "transaction #7:"),
        ("UPDATE postings SET fund_id = (SELECT id FROM funds WHERE code = 'general') WHERE txn_id = 1", "transaction #1:"),
        // Deleting #3 (and its void, so the books still balance) leaves a gap after #2.
        ("DELETE FROM postings WHERE txn_id IN (3, 4); DELETE FROM transactions WHERE id IN (3, 4)", "transaction #5: follows #2"),
        // Reordering: #5 and #6 swap places.
        ("UPDATE transactions SET id = 1005 WHERE id = 5; UPDATE postings SET txn_id = 1005 WHERE txn_id = 5;
          UPDATE transactions SET id = 5 WHERE id = 6; UPDATE postings SET txn_id = 5 WHERE txn_id = 6;
          UPDATE transactions SET id = 6 WHERE id = 1005; UPDATE postings SET txn_id = 6 WHERE txn_id = 1005", "transaction #5:"),
        // An inserted transaction that a forger could not hash correctly.
        ("INSERT INTO transactions (id, date, description, entered_at, entered_by, source, prev_hash, hash)
          SELECT 10, '2026-03-30', 'cash out', entered_at, entered_by, 'cli', hash, printf('%064d', 7)
          FROM transactions WHERE id = 9;
          INSERT INTO postings (txn_id, line, account_id, fund_id, currency, amount_minor) VALUES
          (10, 1, (SELECT id FROM accounts WHERE name = 'assets:cash'), 1, 'USD', 4500),
          (10, 2, (SELECT id FROM accounts WHERE name = 'assets:bank'), 1, 'USD', -4500)", "transaction #10:"),
        // An unbalanced edit is caught twice over.
        ("UPDATE postings SET amount_minor = 1 WHERE txn_id = 8 AND line = 1", "transaction #8:"),
    ];
    for (edit, expected) in cases {
        let l = tampered(edit);
        let report = failed_verify(&l, &[]);
        let problem = first_problem(&report);
        assert!(
            problem.starts_with(expected),
            "after `{edit}`\n  first problem: {problem}\n  wanted: {expected}"
        );
    }
}

#[test]
fn an_unbalanced_edit_is_reported_as_unbalanced() {
    let l = tampered("UPDATE postings SET amount_minor = 1 WHERE txn_id = 8 AND line = 1");
    let problem = first_problem(&failed_verify(&l, &[]));
    assert!(
        problem.contains("does not balance: USD in fund `general`"),
        "{problem}"
    );
}

#[test]
fn editing_a_days_maintained_total_is_caught() {
    let l = worked_example();
    l.raw()
        .execute("UPDATE daily_totals SET credit_minor = credit_minor + 100 WHERE date = '2026-03-06' AND credit_minor > 0", [])
        .unwrap();
    let problem = first_problem(&failed_verify(&l, &[]));
    assert!(
        problem.starts_with("maintained total of assets:bank / general / USD on 2026-03-06 differs"),
        "{problem}"
    );
}

#[test]
fn editing_the_maintained_totals_alone_is_caught() {
    let l = worked_example();
    l.raw()
        .execute(
            "UPDATE balances SET debit_minor = debit_minor + 1 WHERE currency = 'USD' AND debit_minor > 0",
            [],
        )
        .unwrap();
    let problem = first_problem(&failed_verify(&l, &[]));
    assert!(problem.starts_with("maintained total of"), "{problem}");
}

#[test]
fn a_truncated_tail_is_caught_with_the_head_an_auditor_kept() {
    let l = worked_example();
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    let conn = l.raw();
    let saved = triggers(&conn);
    conn.execute_batch(DROP_TRIGGERS).unwrap();
    // The tail is #9 and everything recorded after it, with the rows it wrote.
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF; DELETE FROM postings WHERE txn_id = 9;
         DELETE FROM transactions WHERE id = 9; {RECOMPUTE_TOTALS}
         DROP TRIGGER entries_immutable_delete; DROP TRIGGER confirmations_recorded_delete;
         DELETE FROM entries WHERE after_txn >= 9;
         DELETE FROM confirmations WHERE entry_id NOT IN (SELECT id FROM entries);
         DROP TRIGGER entry_texts_immutable_delete;
         DELETE FROM entry_texts WHERE entry_id NOT IN (SELECT id FROM entries);"
    ))
    .unwrap();
    put_back(&conn, &saved);
    drop(conn);
    // The chain that is left is intact...
    assert_eq!(l.json(&["verify"])["ok"], true);
    // ...but it no longer reaches the head the auditor wrote down.
    let problem = first_problem(&failed_verify(&l, &["--head", &head]));
    assert!(problem.contains("is not in this ledger's chain"), "{problem}");
}

/// Regression: the walk took the entries after the last transaction as those placed before
/// transaction `i64::MAX`, so an entry moved there was left out: verify blamed the rows it
/// wrote as added outside fondo, and never named the entry.
#[test]
fn an_entry_placed_after_every_possible_transaction_is_still_walked() {
    let l = worked_example();
    edit_without_triggers(
        &l,
        "UPDATE entries SET after_txn = 9223372036854775807 WHERE id = (SELECT max(id) FROM entries)",
        true,
    );
    let report = failed_verify(&l, &[]);
    let problems = report["problems"].to_string();
    assert!(
        problems.contains("says it follows #9223372036854775807"),
        "{problems}"
    );
}

#[test]
fn a_forged_confirmation_is_caught() {
    let l = worked_example();
    let conn = l.raw();
    conn.execute_batch(
        "DROP TRIGGER confirmations_recorded_update; UPDATE confirmations SET reference = 'FAKE'",
    )
    .unwrap();
    drop(conn);
    let problem = first_problem(&failed_verify(&l, &[]));
    assert!(
        problem.starts_with("confirmations (id 1): changed outside fondo: reference is `FAKE`"),
        "{problem}"
    );
}

#[test]
fn garbage_in_a_posting_is_an_error_not_a_panic() {
    let l = tampered("UPDATE postings SET currency = 'ZZZ' WHERE txn_id = 2");
    let problem = first_problem(&failed_verify(&l, &[]));
    assert!(problem.starts_with("transaction #2:"), "{problem}");
    let message = l.reject(&["show", "2"]);
    assert!(
        message.contains("the ledger holds an invalid currency `ZZZ`; run `fondo verify`"),
        "{message}"
    );
}

/// Re-hashes the whole chain — every transaction and every entry, in chain order — with
/// fondo's own hash functions, as a forger who has read the source would after an edit, so
/// the chain is internally consistent. `legacy` hashes transactions' text itself and drops
/// the salts, as ledgers made before donor erasure (schema 3) were.
pub(crate) fn recompute_chain(conn: &Connection, legacy: bool) {
    use fondo::store::chain::{entry_hash, Stamp};
    use fondo::store::hash::{transaction_hash, PostingContent, PrivateText, TxnContent, GENESIS};
    type Txn = (
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
        String,
        String,
        String,
        Option<Vec<u8>>,
    );
    let txns: Vec<Txn> = conn
        .prepare("SELECT id, date, description, counterparty, reference, memo, voids, entered_at, entered_by, source, coalesce(text_salts, field_salts, pii_salt) FROM transactions ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let entries: Vec<(i64, i64, String, String, String)> = conn
        .prepare("SELECT id, after_txn, body, entered_at, entered_by FROM entries ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut entries = entries.into_iter().peekable();
    let mut prev = GENESIS.to_string();
    let mut rehash_entries_before = |next_txn: i64, prev: &mut String| {
        while let Some((id, after_txn, body, at, by)) = entries.next_if(|e| e.1 < next_txn) {
            let stamp = Stamp {
                entered_at: &at,
                entered_by: &by,
            };
            let hash = entry_hash(prev, id, after_txn, &body, &stamp);
            conn.execute(
                "UPDATE entries SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
                (&*prev, &hash, id),
            )
            .unwrap();
            *prev = hash;
        }
    };
    for (id, date, description, counterparty, reference, memo, voids, entered_at, entered_by, source, salt) in
        txns
    {
        rehash_entries_before(id, &mut prev);
        let postings: Vec<(i64, String, String, String, i64)> = conn
            .prepare(
                "SELECT p.line, a.name, f.code, p.currency, p.amount_minor FROM postings p
                 JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
                 WHERE p.txn_id = ?1 ORDER BY p.line",
            )
            .unwrap()
            .query_map([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let salt = salt.unwrap_or_default();
        // An erased transaction's hash covers the digests its erasure kept: six for one
        // recorded with six salts (its source digest is never empty), else three.
        let kept: Option<Vec<Option<String>>> = conn
            .query_row(
                "SELECT description_digest, counterparty_digest, memo_digest, reference_digest,
                        entered_by_digest, source_digest FROM erased_text
                 WHERE txn_id = ?1 ORDER BY erasure_id DESC LIMIT 1",
                [id],
                |r| (0..6).map(|i| r.get(i)).collect(),
            )
            .ok()
            .map(|mut digests: Vec<Option<String>>| {
                if digests[5].is_none() {
                    digests.truncate(3);
                }
                digests
            });
        let kept: Option<Vec<Option<&str>>> = kept.as_ref().map(|d| d.iter().map(Option::as_deref).collect());
        // A revised one's hash covers, for each revised field, the digest its revisions keep.
        let mut revised: [Option<String>; 6] = Default::default();
        let fields = fondo::store::hash::PRIVATE_FIELDS;
        let mut stmt = conn
            .prepare("SELECT field, hash_digest FROM text_revisions WHERE txn_id = ?1")
            .unwrap();
        let rows = stmt
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap();
        for row in rows {
            let (field, digest) = row.unwrap();
            revised[fields.iter().position(|f| *f == field).unwrap()] = Some(digest);
        }
        let content = TxnContent {
            id,
            date: &date,
            description: &description,
            counterparty: counterparty.as_deref(),
            reference: reference.as_deref(),
            memo: memo.as_deref(),
            private: match &kept {
                _ if legacy => PrivateText::Plain,
                Some(digests) if salt.is_empty() => PrivateText::Erased(digests),
                _ if revised.iter().any(Option::is_some) => PrivateText::Revised(&salt, &revised),
                _ => PrivateText::Salted(&salt),
            },
            voids,
            entered_at: &entered_at,
            entered_by: &entered_by,
            source: &source,
        };
        let hash = transaction_hash(
            &prev,
            &content,
            postings
                .iter()
                .map(|(line, account, fund, currency, amount_minor)| PostingContent {
                    line: *line,
                    account,
                    fund,
                    currency,
                    amount_minor: *amount_minor,
                }),
        );
        conn.execute(
            "UPDATE transactions SET prev_hash = ?1, hash = ?2,
                 pii_salt = CASE WHEN ?4 THEN NULL ELSE pii_salt END,
                 field_salts = CASE WHEN ?4 THEN NULL ELSE field_salts END,
                 text_salts = CASE WHEN ?4 THEN NULL ELSE text_salts END WHERE id = ?3",
            (&prev, &hash, id, legacy),
        )
        .unwrap();
        prev = hash;
    }
    rehash_entries_before(i64::MAX, &mut prev);
}

#[test]
fn a_fully_recomputed_chain_is_caught_with_the_head_an_auditor_kept() {
    let l = worked_example();
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    // The head is printed under every report, so the auditor has it from any printout.
    assert!(l
        .run(&["report", "balance"])
        .contains(&format!("chain head #9 {head}")));
    let conn = l.raw();
    let saved = triggers(&conn);
    conn.execute_batch(&format!("{DROP_TRIGGERS} DROP TRIGGER entries_immutable_update;"))
        .unwrap();
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         UPDATE postings SET amount_minor = amount_minor + 1000 WHERE txn_id = 2 AND line = 1;
         UPDATE postings SET amount_minor = amount_minor - 1000 WHERE txn_id = 2 AND line = 2;
         UPDATE donor_totals SET total_minor = total_minor + 1000
             WHERE donor = (SELECT counterparty FROM transactions WHERE id = 2);
         UPDATE gift_month_donors SET total_minor = total_minor + 1000
             WHERE month = (SELECT substr(date, 1, 7) FROM transactions WHERE id = 2)
               AND donor_key = (SELECT identity_key FROM donor_names
                                WHERE name = (SELECT counterparty FROM transactions WHERE id = 2));
         UPDATE gift_months SET total_minor = total_minor + 1000,
                largest_minor = (SELECT max(d.total_minor) FROM gift_month_donors d
                                 WHERE d.currency = gift_months.currency AND d.month = gift_months.month)
             WHERE month = (SELECT substr(date, 1, 7) FROM transactions WHERE id = 2);
         {RECOMPUTE_TOTALS}"
    ))
    .unwrap();
    recompute_chain(&conn, false);
    put_back(&conn, &saved);
    drop(conn);
    // A perfect forgery (triggers put back too) passes on its own...
    let out = l.cmd().args(["--format", "json", "verify"]).output().unwrap();
    let alone: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(alone["ok"], true, "{alone}");
    assert_ne!(alone["head"].as_str().unwrap(), head);
    // ...and fails against the head the auditor kept.
    let problem = first_problem(&failed_verify(&l, &["--head", &head]));
    assert!(problem.contains("is not in this ledger's chain"), "{problem}");
}

/// Regression: dates are read as dates, and a stored one that is no day (the schema's pattern
/// lets `2026-02-30` through) is named as damage, not passed on as text or as a database error.
#[test]
fn a_stored_date_that_is_no_day_is_named_as_damage() {
    let l = worked_example();
    edit_without_triggers(
        &l,
        "UPDATE transactions SET date = '2026-02-30' WHERE id = 2",
        true,
    );
    for args in [
        &["show", "2"][..],
        &["report", "register"],
        &["export", "journal"],
    ] {
        let out = l.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "fondo {args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: the ledger holds an invalid date `2026-02-30`; run `fondo verify` and restore from a backup\n",
            "fondo {args:?}"
        );
    }
    let problem = first_problem(&failed_verify(&l, &[]));
    assert!(problem.contains("transaction #2"), "{problem}");
}

/// The organisation block donor statements print (issue 16, item 4) is a projection of
/// `Setting` entries in `meta`: an edit of the tax id or the "no goods" sentence, or a line
/// deleted or added, is caught, as against a head written down before.
#[test]
fn an_edit_of_the_organisation_block_is_caught() {
    let cases = [
        (
            "UPDATE meta SET value = 'J-99999999-9' WHERE key = 'org_tax_id'",
            "meta (key `org_tax_id`): changed outside fondo",
        ),
        ("DELETE FROM meta WHERE key = 'org_no_goods'", "meta (key `org_no_goods`)"),
        (
            "INSERT INTO meta (key, value, entry_id) SELECT 'org_address', 'Elsewhere', entry_id FROM meta WHERE key = 'org_tax_id'",
            "meta (key `org_address`)",
        ),
    ];
    for (edit, expected) in cases {
        let l = TempLedger::new();
        l.run(&[
            "settings",
            "--tax-id",
            "J-40123456-7",
            "--no-goods",
            "Nothing was given in return.",
        ]);
        let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
        edit_without_triggers(&l, edit, true);
        for against in [None, Some(head.as_str())] {
            let problems = verify_fails(&l, against, edit);
            assert!(problems.contains(expected), "after `{edit}`: {problems}");
        }
    }
}
