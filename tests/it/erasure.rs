//! Erasure is complete by design: every place a transaction recorded now can hold a donor's
//! name — its description, counterparty, memo, reference, who entered it and its source (an
//! import's file name) — is covered by a salted digest, so `donor forget` can erase it and
//! `verify` still proves everything else. What older records hold as written is listed.

use crate::common::TempLedger;

/// The raw bytes of the ledger's files: what someone with the disk could read.
pub(crate) fn ledger_bytes(l: &TempLedger) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        if let Ok(mut b) = std::fs::read(format!("{}{suffix}", l.path.display())) {
            bytes.append(&mut b);
        }
    }
    bytes
}

pub(crate) fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn head(l: &TempLedger) -> String {
    l.json(&["verify"])["head"].as_str().unwrap().to_string()
}

/// Ana Pérez gives twice (with references, one entered by herself), is named in another
/// donor's memo and in a fee's reference, and a file named after her is imported.
fn books() -> TempLedger {
    let l = TempLedger::new();
    let gift = |amount: &str, donor: &str, date: &str, more: &[&str]| {
        let mut args = vec!["donation", amount, "--donor", donor, "--date", date];
        args.extend_from_slice(more);
        l.run(&args);
    };
    gift(
        "20",
        "Ana Pérez",
        "2026-03-01",
        &["--ref", "card of Ana Pérez", "--by", "Ana Pérez"],
    );
    gift("30", "Ana Pérez", "2026-03-02", &["--ref", "A-2"]);
    gift(
        "40",
        "Bea Ruiz",
        "2026-03-03",
        &["--ref", "B-1", "--memo", "friend of Ana Pérez"],
    );
    l.run(&[
        "fee",
        "1",
        "--from",
        "assets:bank",
        "--desc",
        "bank fee",
        "--ref",
        "fee on the gift of Ana Pérez",
        "--date",
        "2026-03-04",
    ]);
    let file = l.file(
        "ana-perez-gifts.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-03-05,gift,assets:bank,income:donations,15.00,,,Carla Gómez,C-1\n",
    );
    l.run(&["import", &file]);
    gift("7", "Ana María", "2026-03-06", &["--ref", "Ana María's card"]);
    l
}

#[test]
fn every_private_field_of_a_new_transaction_is_erased_and_the_rest_stays_provable() {
    let l = books();
    let kept = head(&l);
    let before = l.run(&["--format", "csv", "report", "balance"]);
    let preview = l.run(&["donor", "forget", "Ana Pérez", "--dry-run"]);
    assert_eq!(
        preview,
        "donor `Ana Pérez`: 2 gift(s); 5 transaction(s) name them: 2 description(s), 2 counterparty field(s), \
         1 memo(s), 3 reference(s), 1 entered-by name(s), 1 source(s), 1 file name(s), 1 file fingerprint(s) \
         would read `forgotten donor 1`\n\
         dry run: nothing was erased\n"
    );
    let said = l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    assert_eq!(
        said,
        "erasure 1: the donor is now `forgotten donor 1` in 5 transaction(s): #1, #2, #3, #4, #5\n"
    );
    let journal = l.run(&["export", "journal"]);
    for gone in ["Ana Pérez", "A-2", "ana-perez"] {
        assert!(!journal.contains(gone), "`{gone}` is left: {journal}");
    }
    // Both of her gifts' references now read the placeholder (which several may share); the
    // others' text is untouched, and a longer donor's name that contains hers stays.
    assert!(journal.matches(",forgotten donor 1,").count() >= 4, "{journal}");
    for kept_text in ["B-1", "Bea Ruiz", "Carla Gómez", "C-1", "Ana María's card"] {
        assert!(journal.contains(kept_text), "`{kept_text}` was erased: {journal}");
    }
    let shown = l.run(&["show", "1"]);
    assert!(
        shown.contains("by forgotten donor 1") && !shown.contains("Ana"),
        "{shown}"
    );
    let shown = l.run(&["show", "5"]);
    assert!(shown.contains("source: forgotten donor 1"), "{shown}");
    assert_eq!(l.run(&["--format", "csv", "report", "balance"]), before);
    assert_eq!(l.json(&["verify"])["ok"], true);
    assert_eq!(l.json(&["verify", "--head", &kept])["ok"], true);
    let bytes = ledger_bytes(&l);
    for gone in ["Ana Pérez", "ana-perez", "A-2"] {
        assert!(!holds(&bytes, gone.as_bytes()), "`{gone}` is in the file");
    }
    // A reference still names one transaction, and the placeholder is no one's to take.
    let message = l.reject(&["donation", "5", "--donor", "Eva", "--ref", "B-1"]);
    assert!(message.contains("`B-1`"), "{message}");
    let message = l.reject(&["donation", "5", "--donor", "Eva", "--ref", "forgotten donor 1"]);
    assert!(message.contains("are reserved"), "{message}");
    // A second erasure of a transaction leaves what the first left.
    l.run(&["donor", "forget", "Bea Ruiz", "--yes"]);
    assert_eq!(l.json(&["verify", "--head", &kept])["ok"], true);
    let journal = l.run(&["export", "journal"]);
    assert!(!journal.contains("B-1") && !journal.contains("Bea"), "{journal}");
}

#[test]
fn erased_references_authors_and_sources_are_tamper_evident() {
    let cases = [
        (
            "UPDATE transactions SET reference = 'card of Someone' WHERE id = 1",
            "transaction #1: its text differs from what its erasure left",
        ),
        (
            "UPDATE transactions SET entered_by = 'Someone' WHERE id = 1;
             UPDATE erased_text SET entered_by = 'Someone' WHERE txn_id = 1",
            "erased_text (txn_id 1, erasure_id 1): changed outside fondo",
        ),
        // Someone else's reference, kept with its salt, rewritten: in a transaction the
        // erasure changed (its memo), and in one it did not touch.
        (
            "UPDATE transactions SET reference = 'B-9' WHERE id = 3",
            "transaction #3: its text differs from what its erasure left",
        ),
        (
            "UPDATE transactions SET reference = 'someone else''s card' WHERE id = 6",
            "transaction #6: stored content no longer matches its hash",
        ),
        (
            "UPDATE transactions SET source = 'cli' WHERE id = 5",
            "transaction #5: its text differs from what its erasure left",
        ),
    ];
    for (edit, expected) in cases {
        let l = books();
        l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
        let kept = head(&l);
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
        conn.execute_batch(edit).unwrap();
        drop(conn);
        for extra in [&[][..], &["--head", &kept]] {
            let mut args = vec!["--format", "json", "verify"];
            args.extend_from_slice(extra);
            let out = l.cmd().args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(1), "verify passed after `{edit}`");
            let problems = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(problems.contains(expected), "after `{edit}`: {problems}");
        }
    }
}

#[test]
fn a_reference_that_looks_like_a_placeholder_is_refused_at_the_door() {
    let l = TempLedger::new();
    let message = l.reject(&["donation", "5", "--donor", "Eva", "--ref", "forgotten donor 12"]);
    assert!(
        message.contains("invalid reference `forgotten donor 12`") && message.contains("reserved"),
        "{message}"
    );
    let file = l.file(
        "gifts.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-03-05,gift,assets:bank,income:donations,5.00,,,Eva,forgotten donor 3\n",
    );
    let message = l.reject(&["import", &file]);
    assert!(message.contains("gifts.csv:2:"), "{message}");
    assert!(message.contains("reserved"), "{message}");
}

const GIFTS: &str = "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
    2026-03-01,gift from Ana Pérez,assets:bank,income:donations,10.00,,,Ana Pérez,\n\
    2026-03-02,gift,assets:bank,income:donations,12.00,,,Bea Ruiz,\n\
    2026-03-03,gift,assets:bank,income:donations,13.00,,,Ana Pérez,card-77\n";

/// Each import key, by transaction: (content, salt).
fn import_keys(l: &TempLedger) -> Vec<(i64, Vec<u8>, Option<Vec<u8>>)> {
    l.raw()
        .prepare("SELECT txn_id, content_sha256, key_salt FROM import_keys ORDER BY txn_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// An import key is a digest of a row's text, so anyone could confirm a guessed name by
/// recomputing it: the erasure replaces the keys of the rows it erased by random tokens, and
/// their batch's digest covers a salted commitment of each key, whose salt goes too. Then
/// nothing recognises those rows in the file again: re-importing it is refused at them
/// rather than record the forgotten gifts (and name) a second time.
#[test]
fn an_erased_rows_import_key_is_replaced_and_a_re_import_of_it_is_refused() {
    let l = TempLedger::new();
    let file = l.file("march.csv", GIFTS);
    l.run(&["import", &file]);
    let before = import_keys(&l);
    assert_eq!(before.len(), 2, "rows with a reference have no import key");
    assert!(before.iter().all(|(_, _, salt)| salt.is_some()));
    let kept = head(&l);
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    let after = import_keys(&l);
    assert_eq!(after[1], before[1], "Bea Ruiz's key is hers to keep");
    assert_eq!(after[0].0, 1);
    assert_ne!(after[0].1, before[0].1);
    assert_eq!(after[0].2, None);
    let bytes = ledger_bytes(&l);
    for gone in [&before[0].1, before[0].2.as_ref().unwrap()] {
        assert!(!holds(&bytes, gone), "Ana Pérez's key or its salt is in the file");
    }
    assert!(!holds(&bytes, b"card-77"));
    assert_eq!(l.json(&["verify"])["ok"], true);
    assert_eq!(l.json(&["verify", "--head", &kept])["ok"], true);

    let message = l.reject(&["import", &file]);
    for line in [":2: row: this row is like #1", ":4: row: this row is like #3"] {
        assert!(message.contains(line), "{line}: {message}");
    }
    assert!(!message.contains(":3:"), "{message}");
    // Without her rows, the file is the one imported before: nothing is added.
    let without = l.file(
        "march-without-her.csv",
        &GIFTS
            .lines()
            .filter(|row| !row.contains("Ana"))
            .map(|row| format!("{row}\n"))
            .collect::<String>(),
    );
    let again = l.json(&["import", &without]);
    assert_eq!(
        (again["added"].clone(), again["skipped_duplicates"].clone()),
        (0.into(), 1.into())
    );
    assert_eq!(l.json(&["verify", "--head", &kept])["ok"], true);
}

#[test]
fn a_replaced_import_key_is_tamper_evident() {
    let cases = [
        // A key put back where the erasure left its token.
        (
            "UPDATE import_keys SET content_sha256 = randomblob(32) WHERE txn_id = 1",
            "import batch 1: its import keys are not the 2 it wrote",
        ),
        (
            "UPDATE import_keys SET key_salt = randomblob(16) WHERE txn_id = 1",
            "import batch 1: its import keys are not the 2 it wrote",
        ),
        (
            "UPDATE erased_keys SET commitment = printf('%064d', 7)",
            "erased_keys (txn_id 1): changed outside fondo",
        ),
        (
            "UPDATE erased_keys SET token = randomblob(32)",
            "erased_keys (txn_id 1): changed outside fondo",
        ),
        (
            "DELETE FROM erased_keys",
            "erased_keys (txn_id 1): a row the chain recorded is missing",
        ),
        // Someone else's key.
        (
            "UPDATE import_keys SET occurrence = 3 WHERE txn_id = 2",
            "import batch 1: its import keys are not the 2 it wrote",
        ),
    ];
    for (edit, expected) in cases {
        let l = TempLedger::new();
        let file = l.file("march.csv", GIFTS);
        l.run(&["import", &file]);
        l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
        let kept = head(&l);
        let conn = l.raw();
        conn.execute_batch(
            "DROP TRIGGER import_keys_immutable_update; DROP TRIGGER erased_keys_recorded_update;
             DROP TRIGGER erased_keys_recorded_delete;",
        )
        .unwrap();
        conn.execute_batch(edit).unwrap();
        drop(conn);
        for extra in [&[][..], &["--head", &kept]] {
            let mut args = vec!["--format", "json", "verify"];
            args.extend_from_slice(extra);
            let out = l.cmd().args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(1), "verify passed after `{edit}`");
            let problems = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(problems.contains(expected), "after `{edit}`: {problems}");
        }
    }
}

/// A sealed entry's personal text — who entered it (`--by`), a confirmation's receipt and
/// note, an import's file name and fingerprint, a forced date's reason — is kept apart from
/// the body its hash covers, so `donor forget` erases it like a transaction's text, in the
/// entry and in the row it wrote.
fn books_with_entries() -> TempLedger {
    let l = TempLedger::new();
    let by = ["--by", "Ana Pérez"];
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&[&["fund", "add", "water"][..], &by].concat());
    l.run(&["donation", "50", "--donor", "Ana Pérez", "--date", "2026-03-01"]);
    l.run(&["donation", "40", "--donor", "Bea Ruiz", "--date", "2026-03-02"]);
    let file = l.file(
        "gifts of Ana Pérez.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-03-03,gift,assets:bank,income:donations,15.00,,,Carla Gómez,\n",
    );
    l.run(&[&["import", &file][..], &by].concat());
    l.run(&["send", "60", "--to", "el-maizal", "--date", "2026-03-04"]);
    l.run(&[
        "confirm",
        "4",
        "--ref",
        "receipt signed for Ana Pérez",
        "--note",
        "thanks to Ana Pérez and Bea Ruiz",
        "--date",
        "2026-03-05",
    ]);
    l.run(&["close", "--through", "2026-03-10"]);
    l.run(&[
        "donation",
        "5",
        "--donor",
        "Bea Ruiz",
        "--date",
        "2026-03-06",
        "--force",
        "--reason",
        "Ana Pérez brought it late",
    ]);
    l
}

#[test]
fn the_personal_text_of_entries_is_erased_too() {
    let l = books_with_entries();
    let kept = head(&l);
    let reports = |l: &TempLedger| -> Vec<String> {
        ["balance", "funds", "communes", "donors --anonymize"]
            .iter()
            .map(|r| {
                let mut args = vec!["--format", "csv", "report"];
                args.extend(r.split(' '));
                l.run(&args)
            })
            .collect()
    };
    let before = reports(&l);
    let preview = l.run(&["donor", "forget", "Ana Pérez", "--dry-run"]);
    assert!(
        preview.ends_with(
            "1 description(s), 1 counterparty field(s), 0 memo(s), 3 entered-by name(s), 1 source(s), \
             1 receipt(s), 1 note(s), 1 file name(s), 1 file fingerprint(s), 1 reason(s) would read \
             `forgotten donor 1`\ndry run: nothing was erased\n"
        ),
        "{preview}"
    );
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    let bytes = ledger_bytes(&l);
    assert!(!holds(&bytes, "Ana Pérez".as_bytes()), "the name is in the file");
    assert!(holds(&bytes, "Bea Ruiz".as_bytes()) && holds(&bytes, "Carla Gómez".as_bytes()));
    assert_eq!(reports(&l), before);
    assert_eq!(l.json(&["verify"])["ok"], true);
    assert_eq!(l.json(&["verify", "--head", &kept])["ok"], true);
    let journal = l.run(&["export", "journal"]);
    assert!(!journal.contains("Ana"), "{journal}");
    let pack = l.dir.path().join("pack");
    l.run(&["export", "audit", pack.to_str().unwrap()]);
    // What each record shows now: the placeholder where the name was, zeros for the file's
    // fingerprint (which must stay 64 hex digits).
    let batches = std::fs::read_to_string(pack.join("import_batches.csv")).unwrap();
    assert!(
        batches.contains(&format!("forgotten donor 1,{}", "0".repeat(64))),
        "{batches}"
    );
    for file in ["confirmations.csv", "entries.csv", "import_batches.csv"] {
        let text = std::fs::read_to_string(pack.join(file)).unwrap();
        assert!(!text.contains("Ana Pérez"), "{file}: {text}");
        assert!(text.contains("forgotten donor 1"), "{file}: {text}");
    }
    // The pack still rebuilds the same books.
    let rebuilt = TempLedger::uninitialized();
    rebuilt.run(&["rebuild", pack.to_str().unwrap()]);
    assert_eq!(reports(&rebuilt), before);
}

#[test]
fn a_sealed_entrys_texts_are_tamper_evident() {
    let cases = [
        // A text kept (its salt with it) rewritten.
        (
            "UPDATE entry_texts SET text = 'mallory' WHERE field = 'entered_by' AND entry_id = 1",
            "entry 1: its entered_by no longer matches its digest",
        ),
        // What an erasure left rewritten.
        (
            "UPDATE entry_texts SET text = 'thanks to Someone' WHERE field = 'note'",
            "erasure 1 wrote text other than its placeholder into its note",
        ),
        // What an erasure left rewritten, in step with the row the entry wrote.
        (
            "UPDATE entry_texts SET text = 'receipt for Someone' WHERE field = 'reference';
             UPDATE confirmations SET reference = 'receipt for Someone'",
            "erasure 1 wrote text other than its placeholder into its reference",
        ),
        // A text dropped in favour of a placeholder no erasure wrote.
        (
            "UPDATE entry_texts SET text = 'forgotten donor 1', salt = NULL
             WHERE field = 'entered_by' AND entry_id = 1",
            "entry 1: its entered_by lost its salt, but no erasure records it",
        ),
        (
            "DELETE FROM entry_texts WHERE field = 'note'",
            "its note is missing",
        ),
        (
            "INSERT INTO entry_texts VALUES (1, 'note', 'added', zeroblob(16))",
            "entry 1: its note was not recorded with it",
        ),
        (
            "UPDATE confirmations SET note = 'thanks to Someone'",
            "confirmations (id 1): changed outside fondo: note is `thanks to Someone`",
        ),
        (
            "DELETE FROM erased_entry_texts WHERE field = 'reason'",
            "erased_entry_texts (erased_entry",
        ),
    ];
    for (edit, expected) in cases {
        let l = books_with_entries();
        l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
        let kept = head(&l);
        let conn = l.raw();
        conn.execute_batch(
            "DROP TRIGGER entry_texts_erased_update; DROP TRIGGER entry_texts_immutable_delete;
             DROP TRIGGER entry_texts_recorded_insert; DROP TRIGGER confirmations_recorded_update;
             DROP TRIGGER erased_entry_texts_recorded_delete;",
        )
        .unwrap();
        conn.execute_batch(edit).unwrap();
        drop(conn);
        for extra in [&[][..], &["--head", &kept]] {
            let mut args = vec!["--format", "json", "verify"];
            args.extend_from_slice(extra);
            let out = l.cmd().args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(1), "verify passed after `{edit}`");
            let problems = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(problems.contains(expected), "after `{edit}`: {problems}");
        }
    }
}

/// With fondo's own functions, a forger can append an erasure of a sealed entry's text, but
/// what it leaves must be exactly that erasure's placeholder.
#[test]
fn a_forged_erasure_of_an_entrys_text_can_hide_it_but_never_rewrite_it() {
    use fondo::store::chain::{self, Entry, ErasedEntryText, Stamp};
    let l = books_with_entries();
    let kept = head(&l);
    let conn = l.raw();
    let confirmed: i64 = conn
        .query_row("SELECT entry_id FROM confirmations WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    chain::append(
        &conn,
        &chain::head(&conn).unwrap(),
        &Entry::Erasure {
            id: 1,
            placeholder: "forgotten donor 1".into(),
            erased: vec![],
            keys: vec![],
            entry_texts: vec![ErasedEntryText {
                entry_id: confirmed,
                fields: vec!["note".into()],
            }],
        },
        &Stamp {
            entered_at: "2026-11-30T00:00:00Z",
            entered_by: "mallory",
        },
    )
    .unwrap();
    // The row the entry wrote reads the placeholder already; the text itself is chosen.
    conn.execute_batch(
        "DROP TRIGGER entry_texts_erased_update;
         UPDATE entry_texts SET text = 'thanks to Bea Ruiz only', salt = NULL WHERE field = 'note';",
    )
    .unwrap();
    drop(conn);
    let out = l
        .cmd()
        .args(["--format", "json", "verify", "--head", &kept])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let problems = String::from_utf8_lossy(&out.stdout);
    assert!(
        problems.contains(&format!(
            "entry {confirmed}: erasure 1 wrote text other than its placeholder into its note"
        )),
        "{problems}"
    );
}
