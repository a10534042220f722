//! Ledgers written by earlier versions of fondo (tests/fixtures/ledgers) open, migrate,
//! verify — also against the head they had before — and report the same figures. After the
//! migration, the state they kept outside the chain is in it, and tampering with it is
//! caught like in a new ledger.

use std::path::Path;

use crate::common::TempLedger;
use crate::tamper::verify_fails;

/// A copy of a fixture ledger in a temporary directory.
fn fixture(name: &str) -> TempLedger {
    let l = TempLedger::uninitialized();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ledgers")
        .join(name);
    std::fs::copy(from, &l.path).expect("copy the fixture");
    l
}

fn fixture_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ledgers")
        .join(name);
    std::fs::read_to_string(path).expect("read the fixture")
}

/// Each `## …` section of the golden file, with the command it ran.
fn sections(golden: &str) -> Vec<(Vec<String>, String)> {
    golden
        .split("## ")
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (command, output) = s.split_once('\n').unwrap_or((s, ""));
            (
                command.split(' ').map(str::to_string).collect(),
                output.to_string(),
            )
        })
        .collect()
}

/// Columns reports gained after the fixture was written: left out, so that the figures the
/// fixture holds are compared as they were.
fn without_new_columns(command: &[String], csv_text: &str) -> String {
    let new: &[&str] = match command.get(..2) {
        Some([report, list]) if report == "reconcile" && list == "--list" => &["state"],
        _ => return csv_text.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let Some(header) = rows.first() else {
        return csv_text.to_string();
    };
    let keep: Vec<usize> = (0..header.len())
        .filter(|i| !new.contains(&&header[*i]))
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in &rows {
        writer.write_record(keep.iter().map(|i| &row[*i])).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

#[test]
fn a_schema_5_ledger_migrates_verifies_and_reports_the_same_figures() {
    let l = fixture("v5-sample.db");
    let old_head = fixture_text("v5-sample.head").trim().to_string();
    let verified = l.json(&["verify", "--head", &old_head]);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["transactions"], 755);
    // The transactions' chain is untouched; the adopted state follows it as entries.
    assert_ne!(verified["head"], old_head.as_str());
    assert!(verified["entries"].as_i64().unwrap() > 40, "{verified}");
    let version: i64 = l
        .raw()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, fondo::store::SCHEMA_VERSION);
    for (command, before) in sections(&fixture_text("v5-sample.reports.csv")) {
        let mut args = vec!["--format", "csv"];
        args.extend(command.iter().map(String::as_str));
        let now = without_new_columns(&command, &l.run(&args));
        assert_eq!(now, before, "fondo {command:?} after the migration");
    }
    let confirmations: i64 = l
        .raw()
        .query_row("SELECT count(*) FROM confirmations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(confirmations, 19);
    // The fee kinds of 0.2 are added; the fees recorded before stay where they are.
    let accounts = l.run(&["--format", "csv", "account", "list"]);
    for kind in [
        "expenses:fees:processor",
        "expenses:fees:wire",
        "expenses:fees:bank",
    ] {
        assert!(accounts.contains(&format!("{kind},expenses,")), "{accounts}");
    }
}

#[test]
fn after_the_migration_its_adopted_state_is_under_the_chain() {
    let l = fixture("v5-sample.db");
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    for (sql, expected) in [
        (
            "DROP TRIGGER confirmations_recorded_update; UPDATE confirmations SET date = '2026-11-28' WHERE id = 3",
            "confirmations (id 3): changed outside fondo: date is `2026-11-28`",
        ),
        (
            "DROP TRIGGER funds_recorded_update; UPDATE funds SET restricted = 0 WHERE code = 'tires'",
            "funds (id 2): changed outside fondo: restricted is 0 but the chain recorded 1",
        ),
        (
            "DROP TRIGGER import_keys_immutable_delete; DELETE FROM import_keys",
            "import batch 2: its import keys are not the 2 it wrote",
        ),
    ] {
        let l = fixture("v5-sample.db");
        let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
        l.raw().execute_batch(sql).unwrap();
        let stdout = verify_fails(&l, Some(&head), sql);
        assert!(stdout.contains(expected), "{sql}: {stdout}");
    }
    // New work goes on: a confirmation, a fund, and forgetting a donor of schema-5 gifts,
    // whose text fields shared one salt.
    l.run(&["fund", "add", "water"]);
    l.run(&["donation", "7", "--donor", "Nueva Donante"]);
    let said = l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    assert!(said.starts_with("erasure 2:"), "{said}");
    l.run(&["donor", "forget", "Nueva Donante", "--yes"]);
    let verified = l.json(&["verify", "--head", &head]);
    assert_eq!(verified["ok"], true, "{verified}");
    let journal = l.run(&["export", "journal"]);
    assert!(!journal.contains("Ana Pérez") && !journal.contains("Nueva Donante"));
}

#[test]
fn a_forged_erasure_cannot_keep_a_salt_shared_with_the_fields_it_erased() {
    use fondo::store::chain::{self, Entry, ErasedFields, Stamp};
    use fondo::store::hash::{hex, private_digest, PRIVATE_FIELDS};
    let l = fixture("v5-sample.db");
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    let conn = l.raw();
    let (salt, texts): (Vec<u8>, [Option<String>; 3]) = conn
        .query_row(
            "SELECT pii_salt, description, counterparty, memo FROM transactions WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?])),
        )
        .unwrap();
    // Erase the donor's name but keep the description with the one salt all fields share:
    // with it, anyone could test a guessed name against the counterparty's digest.
    let erased = ErasedFields {
        txn_id: 1,
        digests: (0..3)
            .map(|i| private_digest(&salt, PRIVATE_FIELDS[i], texts[i].as_deref()))
            .collect(),
        texts: vec![
            texts[0].clone(),
            Some("forgotten donor 2".into()),
            texts[2].as_ref().map(|_| "forgotten donor 2".into()),
        ],
        salts: vec![Some(hex(&salt)), None, None],
    };
    let stamp = Stamp {
        entered_at: "2026-03-30T00:00:00Z",
        entered_by: "mallory",
    };
    chain::append(
        &conn,
        &chain::head(&conn).unwrap(),
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
        &stamp,
    )
    .unwrap();
    conn.execute_batch(
        "DROP TRIGGER transactions_immutable_update;
         UPDATE transactions SET counterparty = 'forgotten donor 2',
             memo = CASE WHEN memo IS NULL THEN NULL ELSE 'forgotten donor 2' END, pii_salt = NULL WHERE id = 1;",
    )
    .unwrap();
    drop(conn);
    let stdout = verify_fails(&l, Some(&head), "the edit above");
    assert!(
        stdout.contains("erasure 2 kept a salt shared with its erased fields in its description"),
        "{stdout}"
    );
}

/// Schema 7 covered a transaction's reference, author and source by its hash as written:
/// after the migration those still verify against the old head, and `donor forget` names
/// each such field that names the donor instead of leaving it silently. What is recorded
/// after the migration can be erased whole.
#[test]
fn a_schema_7_ledger_migrates_verifies_and_names_the_text_it_cannot_erase() {
    let l = fixture("v7-sample.db");
    let old_head = fixture_text("v7-sample.head").trim().to_string();
    let verified = l.json(&["verify", "--head", &old_head]);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["transactions"], 6);
    let version: i64 = l
        .raw()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, fondo::store::SCHEMA_VERSION);
    for (command, before) in sections(&fixture_text("v7-sample.reports.csv")) {
        let mut args = vec!["--format", "csv"];
        args.extend(command.iter().map(String::as_str));
        assert_eq!(l.run(&args), before, "fondo {command:?} after the migration");
    }
    let cannot = "cannot erase: #1 reference, #1 entered_by, #3 entered_by, #3 source, #3 import key, \
                  #4 entered_by, #4 source, import batch 1 entered_by, import batch 1 file_name, \
                  import batch 1 file_sha256, confirmation 1 reference, confirmation 1 note name them, \
                  but were recorded before fondo could erase such text";
    let preview = l.run(&["donor", "forget", "Lucía Ferrer", "--dry-run"]);
    assert!(preview.contains(cannot), "{preview}");
    let out = l
        .cmd()
        .args(["donor", "forget", "Lucía Ferrer", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("note: {cannot}")), "{stderr}");
    assert_eq!(l.json(&["verify", "--head", &old_head])["ok"], true);
    // The fields it could reach are erased; the rest is exactly what it said it left.
    let journal = l.run(&["export", "journal"]);
    assert!(
        journal.contains("forgotten donor 2,card of Lucía Ferrer"),
        "{journal}"
    );
    // Recorded now: everything erasable, nothing listed.
    l.run(&[
        "donation",
        "9",
        "--donor",
        "Nueva Donante",
        "--ref",
        "card of Nueva Donante",
        "--by",
        "Nueva Donante",
    ]);
    let out = l
        .cmd()
        .args(["donor", "forget", "Nueva Donante", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(!l.run(&["export", "journal"]).contains("Nueva Donante"));
    assert_eq!(l.json(&["verify", "--head", &old_head])["ok"], true);
}

/// An entry recorded before schema 9 keeps its text in its body: texts added beside it, to
/// pass for who entered it, are named.
#[test]
fn texts_added_beside_an_entry_of_schema_7_are_named() {
    let l = fixture("v7-sample.db");
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    l.raw()
        .execute_batch(
            "DROP TRIGGER entry_texts_recorded_insert;
             INSERT INTO entry_texts VALUES (2, 'entered_by', 'someone else', zeroblob(16));",
        )
        .unwrap();
    let stdout = verify_fails(&l, Some(&head), "the edit above");
    assert!(
        stdout.contains("entry 2: texts were added beside it (outside fondo)"),
        "{stdout}"
    );
}

/// The schema, every row and the chain's head: what a second migration must leave as it is.
fn migrated_state(l: &TempLedger) -> (String, String, String) {
    let conn = l.raw();
    let mut stmt = conn
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .unwrap();
    let schema: Vec<String> = stmt
        .query_map([], |r| {
            Ok(format!(
                "{} {} {:?}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?
            ))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let rows = l.snapshot();
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    (schema.join("\n"), rows, head)
}

/// The ledger of schema `version` that the last build of fondo writing that schema made
/// (tests/fixtures/ledgers/README.md): the first command migrates it, it verifies against the
/// head the old build printed, its trial balance has the figures the old build printed, and
/// opening it again changes nothing.
fn migrates_verifies_and_balances_as_before(version: i64) {
    fixture_migrates_verifies_and_balances_as_before(&format!("v{version}-sample"), version);
}

/// As [`migrates_verifies_and_balances_as_before`], for the fixture `name` of schema `version`.
fn fixture_migrates_verifies_and_balances_as_before(name: &str, version: i64) {
    let l = fixture(&format!("{name}.db"));
    let user_version = || -> i64 {
        l.raw()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    };
    assert_eq!(
        user_version(),
        version,
        "{name}.db is a ledger of schema {version}"
    );
    let old_head = fixture_text(&format!("{name}.head")).trim().to_string();
    let verified = l.json(&["verify", "--head", &old_head]);
    assert_eq!(verified["ok"], true, "schema {version}: {verified}");
    assert_eq!(user_version(), fondo::store::SCHEMA_VERSION, "schema {version}");
    let migrated = migrated_state(&l);
    let reports = fixture_text(&format!("{name}.reports.csv"));
    let (_, before) = sections(&reports)
        .into_iter()
        .find(|(command, _)| command == &["report", "balance"])
        .unwrap_or_else(|| panic!("{name}.reports.csv has a `## report balance` section"));
    let now = l.run(&["--format", "csv", "report", "balance"]);
    assert_eq!(
        now, before,
        "schema {version}: report balance after the migration"
    );
    assert_eq!(
        migrated_state(&l),
        migrated,
        "schema {version}: opening the migrated ledger again changed it"
    );
}

#[test]
fn a_ledger_of_every_earlier_schema_migrates_verifies_and_balances_as_before() {
    for version in [3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15] {
        migrates_verifies_and_balances_as_before(version);
    }
    assert_eq!(
        fondo::store::SCHEMA_VERSION,
        16,
        "a new schema: add a fixture of the one before it (tests/fixtures/ledgers/README.md)"
    );
}

/// Regression: schema-6 builds (and schema-7 builds before commit 3d7f2d4) gave an empty
/// text field a random salt, and `verify` reported every such transaction as changed once it
/// wanted zeros there. The migration now records up to which transaction such salts stand.
#[test]
fn a_schema_6_ledger_migrates_verifies_and_balances_as_before() {
    migrates_verifies_and_balances_as_before(6);
}

/// Regression: migration 7 was edited after builds had written it (42b866f to 7cb26af wrote
/// it without the `closed` columns, the period locks, `forced` and `undone`), and today's
/// fondo failed on such a ledger with "no such table: main.period_locks". `v7-early-sample`
/// was written by 7cb26af, with random salts in empty text fields as schema-6 builds gave
/// them, which the migration records; `v7-mid-sample` by 663a894, which lacked only `undone`
/// and the final key of `reconciled_postings`, and zeroed those salts, so nothing is recorded.
#[test]
fn a_ledger_of_schema_7_from_before_its_last_edit_migrates_verifies_and_balances_as_before() {
    for (name, records) in [("v7-early-sample", 1), ("v7-mid-sample", 0)] {
        fixture_migrates_verifies_and_balances_as_before(name, 7);
        let l = fixture(&format!("{name}.db"));
        l.run(&["verify"]);
        let recorded: i64 = l
            .raw()
            .query_row(
                "SELECT count(*) FROM entries WHERE body LIKE '%salted_empty_fields_through%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(recorded, records, "{name}");
    }
}

/// Regression: migration 10 was edited after builds had written it (26c0bba wrote it without
/// `outputs` and with an older `revision_salts_erased_delete`), and on such a ledger `verify`
/// named both as changed outside fondo and an export could not be noted. The fixture was
/// written by 26c0bba; opening it completes its schema.
#[test]
fn a_ledger_of_schema_10_from_before_its_last_edit_opens_verifies_and_balances_as_before() {
    fixture_migrates_verifies_and_balances_as_before("v10-early-sample", 10);
}

/// The salts that the migration of a schema-6 ledger accepts in empty text fields stop at
/// the transaction it recorded them through: in a transaction recorded afterwards a changed
/// salt is named, and a second record, appended to reach further, is named too.
#[test]
fn the_salts_accepted_in_empty_fields_of_a_migrated_ledger_reach_no_newer_transaction() {
    use fondo::store::chain::{self, Entry, Stamp};
    let l = fixture("v6-sample.db");
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    l.run(&["donation", "7", "--donor", "Nueva Donante"]);
    let conn = l.raw();
    let newest: i64 = conn
        .query_row("SELECT max(id) FROM transactions", [], |r| r.get(0))
        .unwrap();
    // Its memo is empty: the third of its six salts.
    let (memo, mut salts): (Option<String>, Vec<u8>) = conn
        .query_row(
            "SELECT memo, text_salts FROM transactions WHERE id = ?1",
            [newest],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((memo, &salts[32..48]), (None, &[0_u8; 16][..]));
    salts[32] = 1;
    conn.execute_batch("DROP TRIGGER transactions_immutable_update")
        .unwrap();
    conn.execute(
        "UPDATE transactions SET text_salts = ?1 WHERE id = ?2",
        rusqlite::params![salts, newest],
    )
    .unwrap();
    let stamp = Stamp {
        entered_at: "2026-04-01T00:00:00Z",
        entered_by: "fondo migration",
    };
    let forged = Entry::Setting {
        key: "salted_empty_fields_through".into(),
        value: newest.to_string(),
    };
    chain::append(&conn, &chain::head(&conn).unwrap(), &forged, &stamp).unwrap();
    drop(conn);
    let stdout = verify_fails(&l, Some(&head), "the edit above");
    for expected in [
        format!("transaction #{newest}: the salt of an empty text field was changed"),
        format!(
            "says empty text fields may have salts through #{newest} (it stands after #{newest}), \
             but a migration records that once, and it was recorded before"
        ),
    ] {
        assert!(stdout.contains(&expected), "{expected}: {stdout}");
    }
    // The transactions of the fixture, before the record, are as the schema-6 build left them.
    assert_eq!(
        stdout.matches("the salt of an empty text field").count(),
        1,
        "{stdout}"
    );
}

/// Schemas 1 and 2 were edited in place before fondo 0.1 (commits 0d39f18 and 4adaabe), so a
/// ledger their last builds wrote does not have the tables and indexes today's migrations
/// build on: it is refused with a message that says so, and left exactly as it was.
#[test]
fn a_ledger_of_schema_1_or_2_from_before_their_last_edit_is_refused_and_left_as_it_was() {
    for version in [1, 2] {
        let l = fixture(&format!("v{version}-sample.db"));
        let before = l.snapshot();
        let out = l.cmd().args(["report", "balance"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "schema {version}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let expected = format!(
            "error: {} was written by a pre-release fondo (schema {version}) that this fondo \
             cannot migrate; it was left untouched: re-create it in a new ledger (`fondo init`) \
             from an export or the register of the fondo that wrote it\n",
            l.path.display()
        );
        assert_eq!(stderr, expected, "schema {version}");
        assert_eq!(
            l.snapshot(),
            before,
            "schema {version}: the refused migration wrote"
        );
    }
}

/// Schema 12 seals an attachment's SHA-256 and erases it with the file. A schema-11 ledger
/// keeps its `attached` and `erasure` entries as they were (their hashes cover the digests):
/// it verifies against its old head, its erased attachments are listed as erased and without
/// a digest, and a file attached and erased after the migration leaves no digest behind.
#[test]
fn a_schema_11_ledger_with_erased_attachments_migrates_and_erases_new_digests() {
    use sha2::Digest;
    let l = fixture("v11-sample.db");
    let old_head = fixture_text("v11-sample.head").trim().to_string();
    assert_eq!(l.json(&["verify", "--head", &old_head])["ok"], true);
    let listed = l.json(&["attachment", "list"]);
    let rows: Vec<(i64, bool, serde_json::Value)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["attachment"].as_i64().unwrap(),
                a["sha256"].is_string(),
                a["erased_by"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, true, serde_json::Value::Null),
            (2, false, "erasure 1".into()),
            (3, false, "erasure 1".into())
        ],
        "{listed}"
    );
    let kept = l.dir.path().join("kept.txt");
    l.run(&["attachment", "get", "1", "-o", kept.to_str().unwrap()]);
    assert_eq!(
        l.reject(&["attachment", "get", "3", "-o", "x.txt"]),
        "error: attachment 3's file was deleted by erasure 1\n"
    );
    let text = "Receipt for Nueva Donante, 7.00 USD\n";
    l.run(&["donation", "7", "--donor", "Nueva Donante"]);
    let gift = l
        .json(&["report", "register"])
        .as_array()
        .unwrap()
        .last()
        .unwrap()["txn"]
        .as_i64()
        .unwrap();
    let receipt = l.file("nueva.txt", text);
    l.run(&["attach", &gift.to_string(), &receipt]);
    l.run(&["donor", "forget", "Nueva Donante", "--yes"]);
    let digest = sha2::Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let bytes = crate::erasure::ledger_bytes(&l);
    assert!(!crate::erasure::holds(&bytes, hex.as_bytes()));
    assert!(!crate::erasure::holds(&bytes, &digest));
    let verified = l.json(&["verify", "--head", &old_head]);
    assert_eq!(verified["ok"], true, "{verified}");
    // Its audit pack rebuilds a ledger with both forms of erased attachment.
    let pack = l.dir.path().join("pack");
    l.run(&["export", "audit", pack.to_str().unwrap()]);
    let rebuilt = TempLedger::uninitialized();
    rebuilt.run(&["rebuild", pack.to_str().unwrap()]);
    assert_eq!(rebuilt.json(&["verify"])["ok"], true);
    assert_eq!(
        rebuilt.json(&["attachment", "list"]),
        l.json(&["attachment", "list"])
    );
}
