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
            "transaction #1: erasure 1 wrote text other than its placeholder into its reference",
        ),
        // What the erasure recorded, edited: the chain recorded otherwise.
        (
            "UPDATE text_revisions SET hash_digest = printf('%064d', 0) WHERE txn_id = 1",
            "text_revisions (txn_id 1, field `",
        ),
        // Someone else's reference, kept with its salt, rewritten: in a transaction the
        // erasure changed (its memo), and in one it did not touch.
        (
            "UPDATE transactions SET reference = 'B-9' WHERE id = 3",
            "transaction #3: stored content no longer matches its hash",
        ),
        (
            "UPDATE transactions SET reference = 'someone else''s card' WHERE id = 6",
            "transaction #6: stored content no longer matches its hash",
        ),
        (
            "UPDATE transactions SET source = 'cli' WHERE id = 5",
            "transaction #5: erasure 1 wrote text other than its placeholder into its source",
        ),
        // An erased field's salt put back: the field is no longer erased as recorded.
        (
            "UPDATE transactions SET text_salts = randomblob(96) WHERE id = 5",
            "its erased source kept a salt",
        ),
    ];
    for (edit, expected) in cases {
        let l = books();
        l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
        let kept = head(&l);
        crate::tamper::edit_without_triggers(&l, edit, false);
        for against in [None, Some(kept.as_str())] {
            let problems = crate::tamper::verify_fails(&l, against, edit);
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
            revised: vec![],
            blobs: vec![],
            attachments: vec![],
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

// ---------------------------------------------------------------------------------------
// Seeded: hundreds of hostile names through every path into the ledger, some forgotten.
// ---------------------------------------------------------------------------------------

/// `count` hostile donor names. Each holds a token `Qx###z` that no other name holds in any
/// case or form, so a search for one donor's name or token finds that donor and no other.
fn hostile_names(count: usize) -> Vec<String> {
    let shapes = [
        "{t} Ñandú Peña",
        "{t} O'Brien",
        "\"{t}\", the elder",
        "{t}'); DROP TABLE transactions; --",
        "=HYPERLINK(\"http://x\",\"{t}\")",
        "{t}",
        "{t} María José de la Cruz",
        "@{t}",
        "Zoë {t} Ångström",
        "李{t}明",
        "{t} Ελένη",
        "{t} محمد",
    ];
    (0..count)
        .map(|i| shapes[i % shapes.len()].replace("{t}", &token(i)))
        .collect()
}

fn token(i: usize) -> String {
    format!("Qx{i:03}z")
}

/// The canonical decomposition (NFD) of the composed letters the names above use: test
/// data, so that the search below can look for the name as a decomposing system would
/// have written it.
fn nfd(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let (base, mark) = match c {
            'Ñ' => ('N', '\u{303}'),
            'ñ' => ('n', '\u{303}'),
            'á' => ('a', '\u{301}'),
            'é' => ('e', '\u{301}'),
            'í' => ('i', '\u{301}'),
            'ó' => ('o', '\u{301}'),
            'ú' => ('u', '\u{301}'),
            'ë' => ('e', '\u{308}'),
            'ö' => ('o', '\u{308}'),
            'Å' => ('A', '\u{30a}'),
            'å' => ('a', '\u{30a}'),
            'έ' => ('ε', '\u{301}'),
            'Έ' => ('Ε', '\u{301}'),
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push(base);
        out.push(mark);
    }
    out
}

/// Every byte sequence a name may have been written as: UTF-8 as given (NFC) and
/// decomposed (NFD), each also in lower and upper case, and all of those in UTF-16LE; and
/// the name's token alone the same ways.
fn spellings(name: &str, token: &str) -> Vec<Vec<u8>> {
    let mut texts = Vec::new();
    for text in [name, token] {
        for form in [text.to_string(), nfd(text)] {
            texts.push(form.to_lowercase());
            texts.push(form.to_uppercase());
            texts.push(form);
        }
    }
    let mut out: Vec<Vec<u8>> = texts.iter().map(|t| t.as_bytes().to_vec()).collect();
    out.extend(
        texts
            .iter()
            .map(|t| t.encode_utf16().flat_map(u16::to_le_bytes).collect()),
    );
    out.sort();
    out.dedup();
    out
}

fn csv_field(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// A ledger with `count` hostile donors, each recorded by one path — one-line commands
/// (entered by the donor themselves, or with a fee line naming them), a simple file, a
/// journal, a platform's statement, a file named after them — and some named in
/// confirmations (`--ref`, `--note`, `--by`), in funds added `--by` them and in reasons
/// given with `--force`. Every tenth donor is to be forgotten; so is "Dan", but not
/// "Danielle".
struct Seeded {
    l: TempLedger,
    /// The import files, outside the ledger's directory.
    inputs: tempfile::TempDir,
    names: Vec<String>,
}

impl Seeded {
    fn forgotten(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.names.len()).filter(|i| i % 10 == 0)
    }

    fn input(&self, file: &str, text: &str) -> String {
        let path = self.inputs.path().join(file);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }
}

const SIMPLE_HEADER: &str = "date,description,debit,credit,amount,currency,fund,counterparty,reference\n";

fn seeded(count: usize) -> Seeded {
    let s = Seeded {
        l: TempLedger::new(),
        inputs: tempfile::tempdir().unwrap(),
        names: hostile_names(count),
    };
    let l = &s.l;
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["fund", "add", "water", "--target", "50000"]);
    let (mut simple, mut journal, mut platform) = (
        SIMPLE_HEADER.to_string(),
        "txn,date,description,account,fund,debit,credit,currency,counterparty,reference,memo,voids,entered_at,entered_by,hash\n".to_string(),
        "Date,Donor,Note,Gross,Fee,Net,Transaction ID\n".to_string(),
    );
    for (i, name) in s.names.iter().enumerate() {
        let date = |month: usize| format!("2026-{month:02}-{:02}", 1 + i % 28);
        let amount = format!("{}.{:02}", 5 + i % 50, i % 100);
        match (i / 10) % 6 {
            0 => {
                l.run(&[
                    "donation",
                    &amount,
                    "--donor",
                    name,
                    "--ref",
                    &format!("card of {name}"),
                    "--memo",
                    &format!("{name}'s first gift"),
                    "--date",
                    &date(1),
                    "--by",
                    name,
                ]);
            }
            1 => {
                l.run(&[
                    "donation",
                    &amount,
                    "--donor",
                    name,
                    "--into",
                    "assets:processor",
                    "--fee",
                    "0.50",
                    "--ref",
                    &format!("R-{i}"),
                    "--date",
                    &date(2),
                ]);
                l.run(&[
                    "fee",
                    "0.10",
                    "--from",
                    "assets:processor",
                    "--desc",
                    &format!("processor fee on the gift of {name}"),
                    "--date",
                    &date(2),
                ]);
            }
            2 => {
                simple.push_str(&format!(
                    "{},{},assets:bank,income:donations,{amount},USD,water,{},\n{},{},expenses:fees:bank,assets:bank,0.20,USD,water,,\n",
                    date(3),
                    csv_field(&format!("gift from {name}")),
                    csv_field(name),
                    date(3),
                    csv_field(&format!("bank fee on the gift of {name}")),
                ));
            }
            3 => {
                for (account, debit, credit) in [
                    ("assets:bank", amount.as_str(), ""),
                    ("income:donations", "", amount.as_str()),
                ] {
                    journal.push_str(&format!(
                        "{i},{},{},{account},general,{debit},{credit},USD,{},{},{},,,,\n",
                        date(4),
                        csv_field(&format!("gift from {name}")),
                        csv_field(name),
                        csv_field(&format!("J ref of {name}")),
                        csv_field(&format!("{name} asked for a receipt")),
                    ));
                }
            }
            4 => {
                // Half of the platform's lines have no transaction id, so an import key.
                let id = if i % 2 == 1 {
                    format!("TX {i}")
                } else {
                    String::new()
                };
                let net_minor = (5 + i % 50) * 100 + i % 100 - 30;
                platform.push_str(&format!(
                    "{},{},{},{amount},0.30,{}.{:02},{id}\n",
                    date(5),
                    csv_field(name),
                    csv_field(&format!("gift of {name} via the platform")),
                    net_minor / 100,
                    net_minor % 100,
                ));
            }
            _ => {
                let file = s.input(
                    &format!("{} gifts.csv", name.replace('/', "-")),
                    &format!(
                        "{SIMPLE_HEADER}{},gift,assets:bank,income:donations,{amount},USD,general,{},\n",
                        date(6),
                        csv_field(name)
                    ),
                );
                l.run(&["import", &file, "--by", name]);
            }
        }
    }
    let file = s.input("simple gifts.csv", &simple);
    l.run(&["import", &file]);
    let file = s.input("journal.csv", &journal);
    l.run(&["import", &file]);
    let file = s.input("platform.csv", &platform);
    let mapping = s.input(
        "platform.toml",
        "account = \"assets:processor\"\ndate_column = \"Date\"\ndescription_column = \"Note\"\n\
         amount_column = \"Net\"\nfee_column = \"Fee\"\ncounterparty_column = \"Donor\"\n\
         reference_column = \"Transaction ID\"\n\n[fallback]\naccount = \"income:donations\"\n",
    );
    l.run(&["import", &file, "--mapping", &mapping]);
    for (i, name) in s.names.iter().enumerate() {
        if i % 15 == 0 {
            let sent = l.json(&["send", "5", "--to", "el-maizal", "--date", "2026-06-01"]);
            let txn = sent["txn"].to_string();
            l.run(&[
                "confirm",
                &txn,
                "--ref",
                &format!("receipt for {name}"),
                "--note",
                &format!("{name} visited El Maizal"),
                "--date",
                "2026-06-02",
                "--by",
                name,
            ]);
        }
        if i % 30 == 0 {
            l.run(&["fund", "add", &format!("f{i:03}"), "--by", name]);
        }
    }
    l.run(&[
        "donation",
        "3",
        "--donor",
        "Dan",
        "--memo",
        "Dan's gift",
        "--date",
        "2026-06-03",
    ]);
    l.run(&[
        "donation",
        "4",
        "--donor",
        "Danielle",
        "--memo",
        "Danielle's gift",
        "--date",
        "2026-06-03",
    ]);
    // Two forgotten donors named in one transaction, the first erased before the second.
    for i in (0..s.names.len().saturating_sub(10)).step_by(40) {
        l.run(&[
            "donation",
            "2",
            "--donor",
            "Zed Kept",
            "--desc",
            &format!("in memory of {}", s.names[i]),
            "--memo",
            &format!("and of {}", s.names[i + 10]),
            "--date",
            "2026-06-04",
        ]);
    }
    l.run(&["close", "--through", "2026-06-30"]);
    for (i, name) in s.names.iter().enumerate().filter(|(i, _)| i % 50 == 0) {
        l.run(&[
            "donation",
            "1",
            "--donor",
            "Zed Kept",
            "--date",
            &format!("2026-06-{:02}", 10 + i / 50),
            "--force",
            "--reason",
            &format!("{name} brought it late"),
        ]);
    }
    s
}

/// Every file in the ledger's directory: the ledger, its -wal and -shm.
fn directory_bytes(l: &TempLedger) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(l.dir.path())
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.display().to_string(), std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Every file an anonymized or public output is made of.
fn anonymized_outputs(l: &TempLedger, out: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let at = |name: &str| out.join(name).to_str().unwrap().to_string();
    l.run(&["export", "journal", "--anonymize", "-o", &at("journal.csv")]);
    l.run(&["export", "audit", &at("pack"), "--anonymize"]);
    l.run(&["report", "transparency", "-o", &at("page.html")]);
    l.run(&["report", "transparency", "-o", &at("page.md")]);
    let mut files = Vec::new();
    for format in ["table", "csv", "json"] {
        files.push((
            format!("report donors --anonymize --format {format}"),
            l.run(&["--format", format, "report", "donors", "--anonymize"])
                .into_bytes(),
        ));
    }
    // The journal is CSV whatever --format says (JSON is refused).
    files.push((
        "export journal --anonymize".to_string(),
        l.run(&["export", "journal", "--anonymize"]).into_bytes(),
    ));
    let mut paths = vec![
        out.join("journal.csv"),
        out.join("page.html"),
        out.join("page.md"),
    ];
    paths.extend(
        std::fs::read_dir(out.join("pack"))
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    for path in paths {
        files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
    }
    files
}

/// Every report's rows, each report's sorted: donors with equal totals are listed by name,
/// which an erasure changes.
fn reports(l: &TempLedger) -> Vec<(String, Vec<String>)> {
    [
        "balance",
        "balance --by-fund",
        "funds",
        "union",
        "communes",
        "campaign",
        "donors --anonymize",
    ]
    .iter()
    .map(|r| {
        let mut args = vec!["--format", "csv", "report"];
        args.extend(r.split(' '));
        let mut rows: Vec<String> = l.run(&args).lines().map(str::to_string).collect();
        rows.sort();
        (r.to_string(), rows)
    })
    .collect()
}

fn same_reports(now: &[(String, Vec<String>)], before: &[(String, Vec<String>)]) {
    for ((report, rows), (_, was)) in now.iter().zip(before) {
        let changed: Vec<_> = rows.iter().zip(was).filter(|(a, b)| a != b).take(3).collect();
        assert!(
            changed.is_empty() && rows.len() == was.len(),
            "report {report} changed: {changed:?}"
        );
    }
}

/// 300 hostile names go in by every path; 30 of them are forgotten. Then no spelling of a
/// forgotten name — UTF-8 as given and decomposed, lower and upper case, UTF-16LE, whole or
/// its token alone — is anywhere in the ledger's directory or in any anonymized or public
/// output; `verify` passes, also against the head kept before; every report's figures are
/// as they were; every other name is still there as recorded ("Danielle" too, when "Dan" is
/// forgotten).
#[test]
fn forgotten_names_are_nowhere_in_the_ledgers_directory_or_any_anonymized_output() {
    let s = seeded(300);
    let l = &s.l;
    // Some are renamed first: forgetting the new name, then the old one where other text
    // still holds it, leaves neither.
    let mut to_forget: Vec<(String, &[&str])> = Vec::new();
    for i in s.forgotten() {
        if i % 20 != 0 {
            to_forget.push((s.names[i].clone(), &[]));
            continue;
        }
        let new = format!("{} R", s.names[i]);
        let out = l
            .cmd()
            .args(["donor", "rename", &s.names[i], &new])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        to_forget.push((new, &[]));
        if String::from_utf8_lossy(&out.stderr).contains("still stands") {
            to_forget.push((s.names[i].clone(), &["--former-name"]));
        }
    }
    let kept = head(l);
    let before = reports(l);
    let transactions = l.json(&["verify"])["transactions"].clone();
    // The search finds what is there: every name is in the file now.
    let bytes: Vec<u8> = directory_bytes(l).into_iter().flat_map(|(_, b)| b).collect();
    for i in s.forgotten() {
        assert!(
            holds(&bytes, s.names[i].as_bytes()),
            "{} is not in the file",
            s.names[i]
        );
    }
    for (name, flags) in &to_forget {
        let out = l
            .cmd()
            .args(["donor", "forget", name, "--yes"])
            .args(*flags)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Nothing recorded by this version is beyond its reach.
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{name}");
    }
    l.run(&["donor", "forget", "Dan", "--yes"]);

    let verified = l.json(&["verify", "--head", &kept]);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["transactions"], transactions);
    same_reports(&reports(l), &before);

    let out = tempfile::tempdir().unwrap();
    let mut places = directory_bytes(l);
    assert!(places.iter().any(|(file, _)| file.ends_with("ledger.db")));
    places.extend(anonymized_outputs(l, out.path()));
    for i in s.forgotten() {
        for spelling in spellings(&s.names[i], &token(i)) {
            for (place, bytes) in &places {
                assert!(
                    !holds(bytes, &spelling),
                    "{place} holds {:?} of forgotten donor {}",
                    String::from_utf8_lossy(&spelling),
                    s.names[i]
                );
            }
        }
    }
    // Every other donor is there as recorded; forgetting Dan left Danielle.
    let donors = l.json(&["report", "donors"]);
    let listed: std::collections::BTreeSet<&str> = donors
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| row["donor"].as_str())
        .collect();
    for (i, name) in s.names.iter().enumerate() {
        assert_eq!(listed.contains(name.as_str()), i % 10 != 0, "{name}");
    }
    assert!(
        listed.contains("Danielle") && !listed.contains("Dan"),
        "{listed:?}"
    );
    let journal = l.run(&["export", "journal"]);
    assert!(journal.contains("Danielle's gift") && !journal.contains("Dan's gift"));
}

/// A candidate list: 999 names shaped like the seeded ones, none of them in the ledger, and
/// the true one among them.
fn candidates(truth: &str, seed: usize) -> Vec<String> {
    let shapes = hostile_names(12);
    let mut out: Vec<String> = (0..999)
        .map(|k| {
            shapes[(seed + k) % shapes.len()]
                .replace(&token((seed + k) % shapes.len()), &format!("Qx{}z", 1000 + k))
        })
        .collect();
    out.insert(seed * 37 % 1000, truth.to_string());
    out
}

/// Every 32-byte value the bytes hold, raw or as 64 lower-case hex digits.
fn values_held(bytes: &[u8]) -> std::collections::HashSet<[u8; 32]> {
    let mut held: std::collections::HashSet<[u8; 32]> =
        bytes.windows(32).map(|w| w.try_into().unwrap()).collect();
    let is_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
    let mut at = 0;
    while at < bytes.len() {
        let run = bytes[at..].iter().take_while(|b| is_hex(b)).count();
        if run >= 64 {
            for w in bytes[at..at + run].windows(64) {
                let text = std::str::from_utf8(w).unwrap();
                let value = fondo::store::hash::unhex(text).unwrap();
                held.insert(value.try_into().unwrap());
            }
        }
        at += run.max(1);
    }
    held
}

/// What the file held, before the erasure, that came from one donor's name.
#[derive(Default)]
struct Derived {
    /// Imported rows without a reference, as their import key was computed, with the key.
    keyed: Vec<(fondo::domain::NewTransaction, Vec<u8>)>,
    /// The private texts that named them, by field.
    texts: Vec<(String, String)>,
    /// The salts of those texts (and of their rows' import keys, and of their files'
    /// fingerprints).
    salts: Vec<Vec<u8>>,
    /// The files they were imported from, with those files' fingerprints.
    files: Vec<Vec<u8>>,
}

fn derived(s: &Seeded, i: usize) -> Derived {
    use fondo::domain::{Amount, Currency, NewPosting, NewTransaction};
    let conn = s.l.raw();
    let name = &s.names[i];
    let mark = token(i);
    let mut d = Derived::default();
    let fields = [
        "description",
        "counterparty",
        "memo",
        "reference",
        "entered_by",
        "source",
    ];
    let mut stmt = conn
        .prepare(
            "SELECT id, date, description, counterparty, memo, reference, entered_by, source, voids,
                    coalesce(text_salts, field_salts), (SELECT content_sha256 FROM import_keys k WHERE k.txn_id = t.id),
                    (SELECT key_salt FROM import_keys k WHERE k.txn_id = t.id)
             FROM transactions t
             WHERE instr(description, ?1) OR instr(counterparty, ?1) OR instr(memo, ?1)
                OR instr(reference, ?1) OR instr(entered_by, ?1) OR instr(source, ?1)",
        )
        .unwrap();
    let mut rows = stmt.query([&mark]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let id: i64 = r.get(0).unwrap();
        let texts: Vec<Option<String>> = (2..8).map(|c| r.get(c).unwrap()).collect();
        // Six salts, one per private field (three before schema 9).
        let salts: Vec<u8> = r.get(9).unwrap();
        for (k, text) in texts.iter().enumerate() {
            if let Some(text) = text.as_ref().filter(|t| t.contains(&mark)) {
                d.texts.push((fields[k].to_string(), text.clone()));
                d.salts
                    .extend(salts.get(k * 16..(k + 1) * 16).map(<[u8]>::to_vec));
            }
        }
        let key: Option<Vec<u8>> = r.get(10).unwrap();
        if let Some(key) = key {
            d.salts.extend(r.get::<_, Option<Vec<u8>>>(11).unwrap());
            let date: String = r.get(1).unwrap();
            let postings = conn
                .prepare(
                    "SELECT a.name, f.code, p.currency, p.amount_minor FROM postings p
                     JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
                     WHERE p.txn_id = ?1 ORDER BY p.line",
                )
                .unwrap()
                .query_map([id], |r| {
                    Ok(NewPosting {
                        account: r.get(0)?,
                        fund: r.get(1)?,
                        amount: Amount::from_minor(
                            r.get(3)?,
                            Currency::parse(&r.get::<_, String>(2)?).unwrap(),
                        )
                        .unwrap(),
                    })
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let txn = NewTransaction {
                date: chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap(),
                description: texts[0].clone().unwrap(),
                counterparty: texts[1].clone(),
                reference: None,
                memo: texts[2].clone(),
                voids: r.get(8).unwrap(),
                postings,
            };
            // The recomputation below is the one fondo made: it gives the key stored.
            assert_eq!(fondo::store::hash::content_key(&txn).to_vec(), key, "#{id}");
            d.keyed.push((txn, key));
        }
    }
    // The texts of entries (since schema 9, kept apart with their salts).
    if let Ok(mut stmt) = conn.prepare("SELECT field, text, salt FROM entry_texts WHERE instr(text, ?1) > 0")
    {
        let mut rows = stmt.query([&mark]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            d.texts.push((r.get(0).unwrap(), r.get(1).unwrap()));
            d.salts.push(r.get(2).unwrap());
        }
    }
    for entry in std::fs::read_dir(s.inputs.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        if holds(&bytes, mark.as_bytes()) {
            use sha2::Digest;
            let fingerprint = fondo::store::hash::hex(&sha2::Sha256::digest(&bytes));
            let salt: Option<Vec<u8>> = conn
                .query_row(
                    "SELECT salt FROM entry_texts WHERE field = 'file_sha256' AND text = ?1",
                    [&fingerprint],
                    |r| r.get(0),
                )
                .ok()
                .flatten();
            d.salts.extend(salt);
            d.files.push(bytes);
        }
    }
    assert!(!d.texts.is_empty(), "{name} is named nowhere");
    d
}

/// Every salt the file holds, as fondo stores them.
fn salts_held(l: &TempLedger) -> Vec<Vec<u8>> {
    let conn = l.raw();
    let mut salts = Vec::new();
    // (A query of a column a ledger does not have yet finds nothing.)
    for sql in [
        "SELECT text_salts FROM transactions WHERE text_salts IS NOT NULL",
        "SELECT field_salts FROM transactions WHERE field_salts IS NOT NULL",
        "SELECT pii_salt FROM transactions WHERE pii_salt IS NOT NULL",
        "SELECT salt FROM entry_texts WHERE salt IS NOT NULL",
        "SELECT key_salt FROM import_keys WHERE key_salt IS NOT NULL",
        "SELECT description_salt FROM erased_text WHERE description_salt IS NOT NULL",
        "SELECT counterparty_salt FROM erased_text WHERE counterparty_salt IS NOT NULL",
        "SELECT memo_salt FROM erased_text WHERE memo_salt IS NOT NULL",
        "SELECT reference_salt FROM erased_text WHERE reference_salt IS NOT NULL",
        "SELECT entered_by_salt FROM erased_text WHERE entered_by_salt IS NOT NULL",
        "SELECT source_salt FROM erased_text WHERE source_salt IS NOT NULL",
    ] {
        let Ok(mut stmt) = conn.prepare(sql) else { continue };
        for blob in stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).unwrap() {
            salts.extend(blob.unwrap().chunks(16).map(<[u8]>::to_vec));
        }
    }
    salts.sort();
    salts.dedup();
    salts
}

/// The guessing attack: after the erasure, someone holding the file and a list of 1,000
/// candidate names — the true one among them — recomputes from each candidate every value
/// the file held that came from the name: the import keys of the donor's rows, the
/// fingerprints of the files that held them (rebuilt byte for byte, as the attacker who has
/// the rest of a file could), and the salted digests of every text that named them, with
/// every salt left in the file. Not one value matches, for the true name or any other; the
/// salts of those texts are nowhere in the file.
#[test]
fn no_value_left_in_the_file_confirms_a_guessed_name() {
    let s = seeded(60);
    let forgotten: Vec<usize> = s.forgotten().collect();
    let before: Vec<Derived> = forgotten.iter().map(|i| derived(&s, *i)).collect();
    // The attack works before the erasure: each donor's own values are in the file.
    let bytes: Vec<u8> = directory_bytes(&s.l).into_iter().flat_map(|(_, b)| b).collect();
    let held = values_held(&bytes);
    for d in &before {
        for (_, key) in &d.keyed {
            assert!(held.contains(&<[u8; 32]>::try_from(key.as_slice()).unwrap()));
        }
    }
    assert!(before.iter().any(|d| !d.keyed.is_empty()) && before.iter().any(|d| !d.files.is_empty()));
    for i in &forgotten {
        s.l.run(&["donor", "forget", &s.names[*i], "--yes"]);
    }

    let bytes: Vec<u8> = directory_bytes(&s.l).into_iter().flat_map(|(_, b)| b).collect();
    let held = values_held(&bytes);
    let salts = salts_held(&s.l);
    let found = |value: [u8; 32]| held.contains(&value);
    for (i, d) in forgotten.iter().zip(&before) {
        let name = &s.names[*i];
        let mut matches = Vec::new();
        for candidate in candidates(name, *i) {
            let swap = |text: &str| text.replace(name.as_str(), &candidate);
            for (txn, _) in &d.keyed {
                let mut guess = txn.clone();
                guess.description = swap(&guess.description);
                guess.counterparty = guess.counterparty.as_deref().map(swap);
                guess.memo = guess.memo.as_deref().map(swap);
                if found(fondo::store::hash::content_key(&guess)) {
                    matches.push(format!("{candidate}: an import key"));
                }
            }
            for file in &d.files {
                use sha2::Digest;
                let text = String::from_utf8(file.clone()).unwrap();
                let quoted = name.replace('"', "\"\"");
                let rebuilt = text
                    .replace(&quoted, &candidate.replace('"', "\"\""))
                    .replace(name.as_str(), &candidate);
                if found(sha2::Sha256::digest(rebuilt.as_bytes()).into()) {
                    matches.push(format!("{candidate}: a file's fingerprint"));
                }
            }
        }
        assert_eq!(matches, Vec::<String>::new(), "{name}");
        // A salted digest confirms a guess only with its salt: none of theirs is left, and
        // no salt that is left makes a digest of their text that the file holds.
        for salt in &d.salts {
            assert!(
                !holds(&bytes, salt),
                "a salt of {name}'s text is still in the file"
            );
        }
        for (field, text) in &d.texts {
            for salt in &salts {
                let digest = fondo::store::hash::private_digest(salt, field, Some(text)).unwrap();
                let digest: [u8; 32] = fondo::store::hash::unhex(&digest).unwrap().try_into().unwrap();
                assert!(
                    !found(digest),
                    "{name}'s {field} has a digest the file's salts make"
                );
            }
        }
    }
    assert_eq!(s.l.json(&["verify"])["ok"], true);
}

/// An erasure may replace an import key only with the row's text: a forged one that only
/// replaced keys would let a re-import record those rows a second time.
#[test]
fn an_erasure_that_replaces_a_key_but_leaves_its_row_is_caught() {
    use fondo::store::chain::{self, key_commitment, Entry, ErasedKey, Stamp};
    use fondo::store::hash::hex;
    let l = TempLedger::new();
    let file = l.file("march.csv", GIFTS);
    l.run(&["import", &file]);
    let kept = head(&l);
    let conn = l.raw();
    let (date, content, occurrence, salt): (String, Vec<u8>, i64, Vec<u8>) = conn
        .query_row(
            "SELECT date, content_sha256, occurrence, key_salt FROM import_keys WHERE txn_id = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let token = [7_u8; 32];
    chain::append(
        &conn,
        &chain::head(&conn).unwrap(),
        &Entry::Erasure {
            id: 1,
            placeholder: "forgotten donor 1".into(),
            erased: vec![],
            keys: vec![ErasedKey {
                txn_id: 2,
                commitment: hex(&key_commitment(&salt, 2, &date, &content, occurrence)),
                token: hex(&token),
            }],
            entry_texts: vec![],
            revised: vec![],
            blobs: vec![],
            attachments: vec![],
        },
        &Stamp {
            entered_at: "2026-11-30T00:00:00Z",
            entered_by: "mallory",
        },
    )
    .unwrap();
    conn.execute(
        "UPDATE import_keys SET content_sha256 = ?1, key_salt = NULL WHERE txn_id = 2",
        [&token[..]],
    )
    .unwrap();
    drop(conn);
    for extra in [&[][..], &["--head", &kept]] {
        let mut args = vec!["--format", "json", "verify"];
        args.extend_from_slice(extra);
        let out = l.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "verify {extra:?} passed");
        let problems = String::from_utf8_lossy(&out.stdout);
        assert!(
            problems
                .contains("transaction #2: erasure 1 replaced its import key but left its text as it was"),
            "{problems}"
        );
    }
}

/// The exports, packs and backups fondo wrote before an erasure keep the name: `donor
/// forget` names those that still hold it (and only those), and the ledger does not keep a
/// path that names the donor either.
#[test]
fn earlier_exports_that_still_hold_the_name_are_named() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", "Ana Pérez", "--date", "2026-03-01"]);
    l.run(&["donation", "5", "--donor", "Bea Ruiz", "--date", "2026-03-02"]);
    let out = tempfile::tempdir().unwrap();
    let at = |name: &str| out.path().join(name).to_str().unwrap().to_string();
    l.run(&["export", "journal", "-o", &at("journal.csv")]);
    l.run(&["export", "journal", "--anonymize", "-o", &at("anonymized.csv")]);
    l.run(&["export", "audit", &at("pack")]);
    l.run(&["report", "transparency", "-o", &at("page.html")]);
    l.run(&["backup", &at("copy.db")]);
    l.run(&["export", "journal", "-o", &at("ana-perez.csv")]);
    l.run(&["export", "journal", "-o", &at("gone.csv")]);
    std::fs::remove_file(at("gone.csv")).unwrap();

    let preview = l.run(&["donor", "forget", "Ana Pérez", "--dry-run"]);
    let line = preview
        .lines()
        .find(|line| line.contains("earlier export(s) still contain this name"))
        .unwrap_or_else(|| panic!("{preview}"));
    assert!(line.starts_with("4 earlier export(s)"), "{line}");
    for held in ["journal.csv", "pack", "copy.db", "ana-perez.csv"] {
        assert!(line.contains(&format!("{held} (")), "{held}: {line}");
    }
    for clean in ["anonymized.csv", "page.html", "gone.csv"] {
        assert!(!line.contains(clean), "{clean}: {line}");
    }

    let forgot = l
        .cmd()
        .args(["donor", "forget", "Ana Pérez", "--yes"])
        .output()
        .unwrap();
    assert!(forgot.status.success());
    let warning = String::from_utf8_lossy(&forgot.stderr);
    assert!(
        warning.starts_with("warning: 4 earlier export(s) still contain this name")
            && warning.contains("replace or delete them"),
        "{warning}"
    );
    assert!(
        !holds(&ledger_bytes(&l), b"ana-perez"),
        "the ledger keeps a path naming her"
    );
    // Bea's exports are named for Bea: the journal, the pack and the backup.
    let preview = l.run(&["donor", "forget", "Bea Ruiz", "--dry-run"]);
    assert!(preview.contains("3 earlier export(s)"), "{preview}");
}
