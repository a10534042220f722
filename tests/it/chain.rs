//! One chain over all state: tampering with what reports and guards read besides
//! transactions — settings, accounts, funds, communes, confirmations, reconciliations,
//! import batches and keys, erasures — the way someone with write access to the file would
//! (triggers dropped, plain SQL, or fondo's own hash functions). `verify` names each change
//! by table and key, and `verify --head` with the head an auditor kept fails.

use fondo::store::chain::{self, Entry, ErasedFields, Stamp};
use fondo::store::hash::{field_salt, hex, private_digest, PRIVATE_FIELDS};
use rusqlite::Connection;
use serde_json::Value;

use crate::common::TempLedger;
use crate::workflow::worked_example;

/// The worked example plus a second commune, an import, a saved reconciliation and an
/// erased donor: every kind of entry the chain holds.
fn books() -> TempLedger {
    let l = worked_example();
    l.run(&["commune", "add", "Ataroa", "--state", "Lara"]);
    let gifts = l.file(
        "gifts.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-03-21,gift,assets:bank,income:donations,10.00,,,Eva Luna,\n\
         2026-03-22,gift,assets:bank,income:donations,12.00,,,Fede Gil,\n",
    );
    l.run(&["import", &gifts]);
    let statement = l.file(
        "march.csv",
        "date,description,amount\n2026-03-03,DEPOSIT,250.00\n",
    );
    l.run(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &statement,
        "--mark",
        "--force",
    ]);
    l.run(&[
        "donation",
        "5",
        "--donor",
        "Gil Forgotten",
        "--date",
        "2026-03-23",
    ]);
    l.run(&["donor", "forget", "Gil Forgotten", "--yes"]);
    l.run(&[
        "donation",
        "8",
        "--donor",
        "Hana Kept",
        "--memo",
        "monthly",
        "--date",
        "2026-03-24",
    ]);
    assert_eq!(l.json(&["verify"])["ok"], true);
    l
}

fn head(l: &TempLedger) -> String {
    l.json(&["verify"])["head"].as_str().unwrap().to_string()
}

/// An attacker's connection: every trigger dropped, foreign keys off.
fn attacker(l: &TempLedger) -> Connection {
    let conn = l.raw();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for name in triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\"")).unwrap();
    }
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    conn
}

/// `verify` fails naming `expected`, and so does `verify --head` with the kept head.
fn caught(l: &TempLedger, kept: &str, expected: &str) {
    for extra in [&[][..], &["--head", kept]] {
        let mut args = vec!["--format", "json", "verify"];
        args.extend_from_slice(extra);
        let out = l.cmd().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "verify {extra:?} passed; wanted `{expected}`"
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let problems = report["problems"].to_string();
        assert!(
            problems.contains(expected),
            "verify {extra:?}: wanted `{expected}` in {problems}"
        );
    }
}

#[test]
fn every_edit_of_state_outside_transactions_is_named_by_table_and_key() {
    let cases: &[(&str, &str)] = &[
        // Confirmations: added, re-dated, deleted.
        (
            "INSERT INTO confirmations VALUES (2, 9, '2026-03-21', 'FAKE', NULL, '2026-03-21T00:00:00Z', 'mallory', 1)",
            "confirmations (id 2): this row was not recorded in the chain",
        ),
        (
            "UPDATE confirmations SET date = '2026-03-25'",
            "confirmations (id 1): changed outside fondo: date is `2026-03-25` but the chain recorded `2026-03-20`",
        ),
        (
            "DELETE FROM confirmations",
            "confirmations (id 1): a row the chain recorded is missing",
        ),
        // Funds: the restricted-fund guard switched off, the target and name changed, one added.
        (
            "UPDATE funds SET restricted = 0 WHERE code = 'tires'",
            "funds (id 2): changed outside fondo: restricted is 0 but the chain recorded 1",
        ),
        (
            "UPDATE funds SET target_minor = 100 WHERE code = 'tires'",
            "target_minor is 100 but the chain recorded 25000",
        ),
        (
            "UPDATE funds SET name = 'Something else' WHERE code = 'tires'",
            "name is `Something else` but the chain recorded `Tires for the union's transport`",
        ),
        (
            "INSERT INTO funds (id, code, name, restricted, created_at, entry_id) SELECT 9, 'ghost', 'Ghost', 0, created_at, entry_id FROM funds WHERE id = 1",
            "funds (id 9): this row was not recorded in the chain",
        ),
        // Settings: the organisation named on the public page, the default currency.
        (
            "UPDATE meta SET value = 'Someone Else' WHERE key = 'org'",
            "meta (key `org`): changed outside fondo: value is `Someone Else`",
        ),
        (
            "UPDATE meta SET value = 'EUR' WHERE key = 'currency'",
            "meta (key `currency`): changed outside fondo",
        ),
        // Communes: slugs and names swapped between two communes, a state changed.
        (
            "UPDATE communes SET slug = 'swap', name = 'swap' WHERE slug = 'ataroa';
             UPDATE communes SET slug = 'ataroa', name = 'Ataroa' WHERE slug = 'el-maizal';
             UPDATE communes SET slug = 'el-maizal', name = 'El Maizal' WHERE slug = 'swap'",
            "communes (id 1): changed outside fondo: slug is `ataroa` but the chain recorded `el-maizal`",
        ),
        (
            "UPDATE communes SET state = 'Zulia' WHERE slug = 'el-maizal'",
            "state is `Zulia` but the chain recorded `Lara`",
        ),
        // An account's type, which decides whether the overdraft guard applies.
        (
            "UPDATE accounts SET type = 'expenses' WHERE name = 'assets:bank'",
            "accounts (id 1): changed outside fondo: type is `expenses` but the chain recorded `assets`",
        ),
        // Import batches: the file name, the transactions that name it, the dedupe keys.
        (
            "UPDATE import_batches SET file_name = 'other.csv'",
            "import_batches (id 1): changed outside fondo: file_name is `other.csv` but the chain recorded `gifts.csv`",
        ),
        (
            "UPDATE transactions SET batch_id = NULL WHERE batch_id = 1",
            "import batch 1: the chain recorded transactions #10 to #11 in it, but they no longer name it",
        ),
        (
            "UPDATE transactions SET batch_id = 1 WHERE id = 12",
            "transactions #10 to #12 name import batch 1",
        ),
        (
            "DELETE FROM import_keys",
            "import batch 1: its import keys are not the 2 it wrote (0 found, or changed)",
        ),
        (
            "UPDATE import_keys SET occurrence = 2 WHERE txn_id = 10",
            "import batch 1: its import keys are not the 2 it wrote",
        ),
        // Reconciliations: deleting them would let `void` pass without --force.
        (
            "DELETE FROM reconciled_postings; DELETE FROM reconciliations",
            "reconciliations (id 1): a row the chain recorded is missing",
        ),
        (
            "UPDATE reconciled_postings SET statement_line = 7",
            "reconciled_postings (posting_id",
        ),
        // Erasures: the record of one, what it left.
        ("DELETE FROM erasures", "erasures (id 1): a row the chain recorded is missing"),
        // ... or made a rename, with the name written back: its record differs from the chain.
        (
            "UPDATE text_revisions SET erasure_id = NULL, new_digest = hash_digest WHERE field = 'counterparty';
             UPDATE transactions SET counterparty = 'Someone' WHERE counterparty = 'forgotten donor 1'",
            "text_revisions (txn_id 12, field `counterparty`, entry_id",
        ),
        (
            "DELETE FROM text_revisions",
            "text_revisions (txn_id 12, field `counterparty`, entry_id",
        ),
        // An entry itself: its body edited in step with the table it wrote.
        (
            "UPDATE entries SET body = replace(body, 'Test Fund', 'Evil Fund') WHERE body LIKE '%\"org\"%';
             UPDATE meta SET value = 'Evil Fund' WHERE key = 'org'",
            "stored content no longer matches its hash",
        ),
        // The last entry deleted, with the row it wrote.
        (
            "DELETE FROM entries WHERE id = (SELECT max(id) FROM entries);
             DELETE FROM erasures",
            "transaction #13: does not link to what was recorded before it",
        ),
    ];
    let l = books();
    let kept = head(&l);
    let pristine = std::fs::read(&l.path).unwrap();
    for (sql, expected) in cases {
        std::fs::write(&l.path, &pristine).unwrap();
        attacker(&l)
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        caught(&l, &kept, expected);
    }
}

#[test]
fn tables_refuse_writes_that_no_entry_records() {
    let l = books();
    let conn = l.raw();
    for sql in [
        "UPDATE funds SET restricted = 0",
        "INSERT INTO funds (id, code, name, restricted, created_at, entry_id) SELECT 9, 'ghost', 'Ghost', 0, created_at, entry_id FROM funds WHERE id = 1",
        "DELETE FROM funds WHERE code = 'tires'",
        "UPDATE meta SET value = 'x'",
        "DELETE FROM meta",
        "UPDATE communes SET state = 'Zulia'",
        "UPDATE accounts SET type = 'expenses'",
        "UPDATE confirmations SET date = '2026-03-25'",
        "DELETE FROM confirmations",
        "DELETE FROM reconciled_postings",
        "DELETE FROM reconciliations",
        "UPDATE import_batches SET file_name = 'x'",
        "DELETE FROM import_keys",
        "DELETE FROM erasures",
        "UPDATE text_revisions SET hash_digest = 'x'",
        "DELETE FROM text_revisions",
        "UPDATE entries SET body = '{}'",
        "DELETE FROM entries",
    ] {
        let err = conn.execute_batch(sql).unwrap_err().to_string();
        assert!(
            err.contains("only through entries") || err.contains("immutable"),
            "{sql}: {err}"
        );
    }
    drop(conn);
    assert_eq!(l.json(&["verify"])["ok"], true);
}

/// Appends `entry` with fondo's own functions, as a forger who read the source would: the
/// chain stays internally consistent.
fn forge(conn: &Connection, entry: &Entry) {
    let head = chain::head(conn).unwrap();
    let stamp = Stamp {
        entered_at: "2026-03-30T00:00:00Z",
        entered_by: "mallory",
    };
    chain::append(conn, &head, entry, &stamp).unwrap();
}

/// A transaction's salts and private text, as the file holds them.
fn salts_and_text(conn: &Connection, id: i64) -> (Vec<u8>, Vec<Option<String>>) {
    conn.query_row(
        "SELECT text_salts, description, counterparty, memo, reference, entered_by, source
         FROM transactions WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, (1..=6).map(|i| r.get(i)).collect::<Result<_, _>>()?)),
    )
    .unwrap()
}

#[test]
fn a_forged_erasure_can_erase_but_never_rewrite() {
    // Moving Hana's gift (#13) to another donor, with an erasure entry hashed correctly.
    let l = books();
    let kept = head(&l);
    let hana = 13;
    /// What the forger tries, the text left, which fields keep their salts, what verify says.
    type Forgery<'a> = (&'a str, [Option<&'a str>; 3], [bool; 3], &'a str);
    let cases: [Forgery; 4] = [
        (
            "a chosen name where an erased field must read as a placeholder",
            [Some("donation from Ivo"), Some("Ivo Chosen"), Some("monthly")],
            [false, false, true],
            "erasure 2 wrote text other than its placeholder into its description",
        ),
        (
            "a kept field's salt left in place, its text changed",
            [
                Some("forgotten donor 2"),
                Some("forgotten donor 2"),
                Some("yearly"),
            ],
            [false, false, true],
            "erasure 2 kept, but no longer matches the digest of, its memo",
        ),
        (
            "the placeholder of an earlier erasure: the gift moved to an erased donor",
            [
                Some("forgotten donor 1"),
                Some("forgotten donor 1"),
                Some("monthly"),
            ],
            [false, false, true],
            "erasure 2 wrote text other than its placeholder into its counterparty",
        ),
        (
            "the placeholder of an erasure that does not exist yet",
            [
                Some("forgotten donor 9"),
                Some("forgotten donor 9"),
                Some("monthly"),
            ],
            [false, false, true],
            "erasure 2 wrote text other than its placeholder into its description",
        ),
    ];
    let pristine = std::fs::read(&l.path).unwrap();
    for (attack, texts, keep_salt, expected) in cases {
        std::fs::write(&l.path, &pristine).unwrap();
        let conn = attacker(&l);
        let (salts, original) = salts_and_text(&conn, hana);
        // The reference, author and source are kept as they were, with their salts.
        let erased = ErasedFields {
            txn_id: hana,
            digests: (0..6)
                .map(|i| private_digest(field_salt(&salts, i), PRIVATE_FIELDS[i], original[i].as_deref()))
                .collect(),
            texts: (0..6)
                .map(|i| {
                    texts
                        .get(i)
                        .map_or(original[i].clone(), |t| t.map(str::to_string))
                })
                .collect(),
            salts: (0..6)
                .map(|i| {
                    keep_salt
                        .get(i)
                        .is_none_or(|k| *k)
                        .then(|| hex(field_salt(&salts, i)))
                })
                .collect(),
        };
        forge(
            &conn,
            &Entry::Erasure {
                id: 2,
                placeholder: "forgotten donor 2".into(),
                erased: vec![erased],
                keys: vec![],
                entry_texts: vec![],
                revised: vec![],
                blobs: vec![],
                attachments: vec![],
            },
        );
        conn.execute(
            "UPDATE transactions SET description = ?2, counterparty = ?3, memo = ?4, text_salts = NULL
             WHERE id = ?1",
            (hana, texts[0], texts[1], texts[2]),
        )
        .unwrap();
        drop(conn);
        let out = l.cmd().args(["--format", "json", "verify"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{attack}: verify passed");
        let problems = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            problems.contains(&format!("transaction #{hana}: {expected}")),
            "{attack}: {problems}"
        );
        assert!(!problems.contains("\"ok\": true"), "{attack}: {problems}");
        caught(&l, &kept, expected);
    }
}

#[test]
fn an_entry_that_re_adds_a_row_or_a_second_schema_entry_is_refused() {
    let l = books();
    let kept = head(&l);
    let pristine = std::fs::read(&l.path).unwrap();
    // Re-adding the restricted fund `tires` as unrestricted, to switch off its guard.
    let conn = attacker(&l);
    conn.execute("DELETE FROM funds WHERE id = 2", []).unwrap();
    forge(
        &conn,
        &Entry::FundAdded {
            id: 2,
            code: "tires".into(),
            name: "Tires".into(),
            target_minor: None,
            target_currency: None,
            restricted: false,
        },
    );
    drop(conn);
    caught(&l, &kept, "adds funds (id 2), which an earlier entry added");

    // Claiming that every transaction so far shared one salt, so kept fields go unchecked.
    std::fs::write(&l.path, &pristine).unwrap();
    let conn = attacker(&l);
    forge(
        &conn,
        &Entry::Schema {
            version: 6,
            adopted: 0,
        },
    );
    drop(conn);
    caught(
        &l,
        &kept,
        "the schema entry must be the chain's first entry, and only the first",
    );
}

#[test]
fn a_recomputed_chain_with_edited_state_passes_alone_and_fails_with_the_kept_head() {
    let l = books();
    let kept = head(&l);
    let saved = crate::tamper::triggers(&l.raw());
    let conn = attacker(&l);
    conn.execute_batch(
        "UPDATE entries SET body = replace(body, '\"restricted\":true', '\"restricted\":false')
             WHERE body LIKE '%\"code\":\"tires\"%';
         UPDATE funds SET restricted = 0 WHERE code = 'tires';",
    )
    .unwrap();
    crate::tamper::recompute_chain(&conn, false);
    crate::tamper::put_back(&conn, &saved);
    drop(conn);
    let alone = l.json(&["verify"]);
    assert_eq!(alone["ok"], true, "{alone}");
    let out = l
        .cmd()
        .args(["--format", "json", "verify", "--head", &kept])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is not in this ledger's chain"));
}

#[test]
fn the_head_under_a_report_moves_with_every_entry() {
    let l = TempLedger::new();
    let before = head(&l);
    l.run(&["fund", "add", "water", "--target", "100"]);
    let after = head(&l);
    assert_ne!(before, after);
    assert!(l
        .run(&["report", "campaign"])
        .contains(&format!("chain head #0 {after}")));
    // Appending is what fondo does, so the earlier head still verifies; what came after it
    // is listed for the auditor to review.
    let since = l.json(&["verify", "--head", &before]);
    assert_eq!(since["ok"], true);
    assert_eq!(
        since["since_head"],
        serde_json::json!({"transactions": 0, "entries": {"fund_added": 1}})
    );
    l.run(&["donation", "3", "--donor", "Ana", "--fund", "water"]);
    let table = l.run(&["verify", "--head", &before]);
    assert!(
        table.contains("recorded after the head you gave: 1 transaction(s), 1 entry (1 fund_added)\n"),
        "{table}"
    );
    let verified = l.json(&["verify"]);
    assert_eq!(verified["transactions"], 1);
    assert!(verified["entries"].as_i64().unwrap() > 10, "{verified}");
}

#[test]
fn an_erasure_must_carry_the_placeholder_fondo_writes() {
    // A forged erasure whose placeholder is a donor's name, so that `donor forget` would
    // take the name for an earlier erasure and erase nothing.
    let l = books();
    let kept = head(&l);
    let conn = attacker(&l);
    forge(
        &conn,
        &Entry::Erasure {
            id: 2,
            placeholder: "Hana Kept".into(),
            erased: vec![],
            keys: vec![],
            entry_texts: vec![],
            revised: vec![],
            blobs: vec![],
            attachments: vec![],
        },
    );
    drop(conn);
    caught(
        &l,
        &kept,
        "erasure 2 names its placeholder `Hana Kept`; fondo writes `forgotten donor 2`",
    );
    // And `donor forget` still erases her: a placeholder fondo did not write names no erasure.
    let said = l.run(&["donor", "forget", "Hana Kept", "--yes"]);
    assert!(said.contains("in 1 transaction(s): #13"), "{said}");
    assert!(!l.run(&["export", "journal"]).contains("Hana Kept"));
}

#[test]
fn a_trigger_or_table_added_or_dropped_outside_fondo_is_named() {
    let cases = [
        // A trigger that keeps a copy of every name a later `donor forget` erases.
        (
            "CREATE TABLE zz_notes (t TEXT);
             CREATE TRIGGER zz_keep AFTER UPDATE OF counterparty ON transactions
             BEGIN INSERT INTO zz_notes VALUES (OLD.counterparty); END;",
            "schema: trigger `zz_keep` is not fondo's (added outside fondo)",
        ),
        // The same under a name that starts like SQLite's own (`sqlite` + any character).
        (
            "CREATE TABLE sqliteXstash (t TEXT);
             CREATE TRIGGER sqliteXcopy BEFORE UPDATE OF counterparty ON transactions
             BEGIN INSERT INTO sqliteXstash VALUES (OLD.counterparty); END;",
            "schema: trigger `sqliteXcopy` is not fondo's (added outside fondo)",
        ),
        // Every guard dropped, nothing else touched (yet).
        (
            "",
            "schema: trigger `funds_recorded_update` is missing (dropped outside fondo)",
        ),
    ];
    let l = books();
    let kept = head(&l);
    let pristine = std::fs::read(&l.path).unwrap();
    for (sql, expected) in cases {
        std::fs::write(&l.path, &pristine).unwrap();
        let conn = if sql.is_empty() { attacker(&l) } else { l.raw() };
        conn.execute_batch(sql).unwrap();
        drop(conn);
        caught(&l, &kept, expected);
    }
}
