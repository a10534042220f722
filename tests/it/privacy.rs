//! Donor privacy and security hygiene: thousands of distinctive donor names go into a
//! ledger, and none of them may come out of a public report, an `--anonymize` output or
//! an error message; hostile text is stored as text, never run as SQL; nothing private is
//! left behind in temporary files.

use crate::common::TempLedger;

/// Every seeded name carries this marker, so one search finds any of them, whole or cut.
pub(crate) const MARKER: &str = "Zqv";

/// `count` distinctive donor names, deterministic from `seed`, in the shapes real and
/// hostile names take: accents, quotes, commas, SQL, spreadsheet formulas, prefixes of
/// each other.
pub(crate) fn donor_names(count: usize, seed: u64) -> Vec<String> {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    let shapes = [
        "{m}{n} Ñandú Peña",
        "{m}{n} O'Brien",
        "\"{m}{n}\", the elder",
        "{m}{n}'); DROP TABLE transactions; --",
        "=HYPERLINK(\"http://x\",\"{m}{n}\")",
        "{m}{n}",
        "{m}{n} María José de la Cruz",
        "@{m}{n}",
    ];
    (0..count)
        .map(|i| {
            let shape = shapes[i % shapes.len()];
            shape
                .replace("{m}", MARKER)
                .replace("{n}", &format!("{:x}{i}", next() % 4096))
        })
        .collect()
}

fn csv_field(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// Donations from every donor, and a fee line per donor that names them only in its
/// description, as a treasurer's notes would.
pub(crate) fn seeded_ledger(names: &[String]) -> TempLedger {
    let l = TempLedger::new();
    l.run(&[
        "fund",
        "add",
        "water",
        "--name",
        "Water project",
        "--target",
        "5000",
    ]);
    let mut text =
        String::from("date,description,debit,credit,amount,currency,fund,counterparty,reference\n");
    for (i, name) in names.iter().enumerate() {
        let date = format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
        let fund = if i % 3 == 0 { "water" } else { "general" };
        text.push_str(&format!(
            "{date},{},assets:processor,income:donations,{}.{:02},USD,{fund},{},\n",
            csv_field(&format!("gift from {name}")),
            5 + i % 200,
            i % 100,
            csv_field(name),
        ));
        text.push_str(&format!(
            "{date},{},expenses:fees,assets:processor,0.{:02},USD,{fund},,\n",
            csv_field(&format!("processor fee on the gift of {name}")),
            10 + i % 50,
        ));
    }
    let file = l.dir.path().join("gifts.csv");
    std::fs::write(&file, text).unwrap();
    l.run(&["import", file.to_str().unwrap()]);
    l.run(&[
        "send",
        "10",
        "--to",
        "union",
        "--fund",
        "water",
        "--from",
        "assets:processor",
        "--ref",
        "S-1",
    ]);
    l
}

pub(crate) fn assert_no_names(output: &str, what: &str) {
    if let Some(at) = output.find(MARKER) {
        let start = output[..at].rfind('\n').map_or(0, |n| n + 1);
        let end = output[at..].find('\n').map_or(output.len(), |n| at + n);
        panic!("{what} names a donor: {}", &output[start..end]);
    }
}

#[test]
fn no_donor_name_reaches_public_or_anonymized_output_or_errors() {
    let names = donor_names(2000, 0x5eed);
    let l = seeded_ledger(&names);
    // The private outputs do hold the names, so the search below can find them.
    assert!(l.run(&["report", "donors"]).contains(&names[5]));
    assert!(l.run(&["export", "journal"]).contains(MARKER));

    for format in ["table", "csv", "json"] {
        for report in ["balance", "funds", "union", "communes", "campaign"] {
            let out = l.run(&["--format", format, "report", report]);
            assert_no_names(&out, &format!("report {report} --format {format}"));
        }
        let out = l.run(&["--format", format, "report", "donors", "--anonymize"]);
        assert!(out.contains("donor-2000"), "{out}");
        assert_no_names(&out, &format!("report donors --anonymize --format {format}"));
        assert_no_names(&l.run(&["--format", format, "verify"]), "verify");
    }
    let exported = l.run(&["export", "journal", "--anonymize"]);
    assert_no_names(&exported, "export journal --anonymize");
    assert!(
        exported.contains("processor fee on the gift of donor-"),
        "fee lines lost their pseudonyms"
    );
    let file = l.dir.path().join("public.csv");
    l.run(&["export", "journal", "--anonymize", "-o", file.to_str().unwrap()]);
    assert_no_names(
        &std::fs::read_to_string(&file).unwrap(),
        "export journal --anonymize -o",
    );

    // Errors name the field and value at fault, not the donor on the same row.
    let bad = l.dir.path().join("bad.csv");
    let mut text =
        String::from("date,description,debit,credit,amount,currency,fund,counterparty,reference\n");
    for (i, name) in names.iter().take(40).enumerate() {
        let (date, amount, fund, account) = match i % 4 {
            0 => ("2026-13-01", "5.00", "general", "assets:bank"),
            1 => ("2026-01-01", "five", "general", "assets:bank"),
            2 => ("2026-01-01", "5.00", "nosuchfund", "assets:bank"),
            _ => ("2026-01-01", "5.00", "general", "assets:nowhere"),
        };
        text.push_str(&format!(
            "{date},gift,{account},income:donations,{amount},USD,{fund},{},\n",
            csv_field(name)
        ));
    }
    std::fs::write(&bad, text).unwrap();
    let stderr = l.reject(&["import", bad.to_str().unwrap()]);
    for field in [":2: date:", ":3: amount:", ":4: fund:", ":5: debit:"] {
        assert!(stderr.contains(field), "{field} missing from {stderr}");
    }
    assert_no_names(&stderr, "an import's errors");
    let stderr = l.reject(&["donation", "-3", "--donor", &names[7]]);
    assert_no_names(&stderr, "a rejected donation's error");
    let stderr = l.reject(&["donation", "3", "--donor", &names[8], "--fund", "nosuchfund"]);
    assert_no_names(&stderr, "a rejected donation's error");
}

#[test]
fn hostile_text_is_stored_as_text_and_the_ledger_stays_whole() {
    let names = donor_names(64, 7);
    let l = seeded_ledger(&names);
    // Every name came back exactly as given, the tables are all there and the chain holds.
    let donors = l.json(&["report", "donors"]);
    let listed: Vec<&str> = donors
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["row"] == "donor")
        .map(|row| row["donor"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut got = listed.clone();
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected);
    assert_eq!(l.json(&["verify"])["ok"], true);
    assert_eq!(l.json(&["verify"])["transactions"], 129);
}

#[cfg(unix)]
#[test]
fn private_files_are_0600_and_no_temporary_file_is_left() {
    use std::os::unix::fs::PermissionsExt;
    let l = seeded_ledger(&donor_names(50, 3));
    let dir = l.dir.path();
    let export = dir.join("private.csv");
    let backup = dir.join("backup.db");
    l.run(&["export", "journal", "-o", export.to_str().unwrap()]);
    l.run(&["backup", backup.to_str().unwrap()]);
    for file in [&l.path, &export, &backup] {
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    let mut left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["backup.db", "gifts.csv", "ledger.db", "private.csv"]);
}

/// The raw bytes of the ledger's files: what someone with the disk could read.
fn raw_files(l: &TempLedger) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-journal"] {
        let path = format!("{}{suffix}", l.path.display());
        if let Ok(mut b) = std::fs::read(path) {
            bytes.append(&mut b);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn forgetting_a_donor_erases_the_name_and_keeps_every_amount_and_the_chain() {
    let names = donor_names(30, 11);
    let l = seeded_ledger(&names);
    let forgotten = &names[4];
    l.run(&[
        "donation",
        "12.34",
        "--donor",
        forgotten,
        "--memo",
        "lives at 5 Calle Sol",
        "--ref",
        "M-1",
    ]);
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    let funds = l.run(&["report", "funds"]);
    let balance = l.run(&["report", "balance"]);
    let donors_before = l.json(&["report", "donors", "--anonymize"]);
    assert!(contains(&raw_files(&l), forgotten));

    let said = l.run(&["donor", "forget", forgotten, "--yes"]);
    // Both gifts and the fee line that named the donor, and no others.
    assert!(
        said.starts_with("erasure 1: the donor is now `forgotten donor 1` in 3 transaction(s)"),
        "{said}"
    );

    // The name is gone from every output and from the file's bytes, memo included.
    for args in [
        &["report", "donors"][..],
        &["export", "journal"],
        &["report", "register", "assets:processor"],
    ] {
        let out = l.run(args);
        assert!(
            !out.contains(forgotten.as_str()) && !out.contains("Calle Sol"),
            "{args:?}: {out}"
        );
    }
    let raw = raw_files(&l);
    for needle in [forgotten.as_str(), "Calle Sol"] {
        if let Some(at) = raw.windows(needle.len()).position(|w| w == needle.as_bytes()) {
            panic!(
                "`{needle}` is still in the file: {:?}",
                String::from_utf8_lossy(&raw[at.saturating_sub(80)..at + needle.len()])
            );
        }
    }
    assert!(contains(&raw, &names[5]), "another donor's name was erased too");
    // Every amount, the chain and the head the auditor kept are untouched; the chain has
    // grown by the erasure's entry, so the head under each report has moved on.
    let figures = |report: String| -> String {
        report
            .lines()
            .filter(|line| !line.starts_with("chain head "))
            .collect::<Vec<_>>()
            .join("\n")
            .replace("forgotten donor 1", "")
    };
    assert_eq!(figures(l.run(&["report", "funds"])), figures(funds));
    assert_eq!(figures(l.run(&["report", "balance"])), figures(balance));
    assert_ne!(l.json(&["verify"])["head"], head.as_str());
    assert_eq!(l.json(&["report", "donors", "--anonymize"]), donors_before);
    let verified = l.json(&["verify", "--head", &head]);
    assert_eq!(verified["ok"], true, "{verified}");
    let donors = l.run(&["report", "donors"]);
    assert!(donors.contains("forgotten donor 1"), "{donors}");

    // Asking again, or for someone who never gave, is refused and changes nothing.
    assert!(l
        .reject(&["donor", "forget", forgotten, "--yes"])
        .contains("no gift records this name"));
    assert!(l
        .reject(&["donor", "forget", forgotten, "--yes", "--former-name"])
        .contains("no donor has exactly this name, and no text names it"));
    // Naming the placeholder only rebuilds the file again, and changes no row.
    let before = l.snapshot();
    assert!(l
        .run(&["donor", "forget", "forgotten donor 1", "--yes"])
        .starts_with("erasure 1: the donor is now `forgotten donor 1` in 3 transaction(s)"));
    assert_eq!(l.snapshot(), before);
    assert!(l
        .reject(&["donor", "forget", "Nobody", "--yes"])
        .contains("`Nobody`"));
    assert!(l
        .reject(&["donor", "forget", "", "--yes"])
        .contains("invalid NAME ``"));
    // A second erasure chains onto the first.
    assert!(l
        .run(&["donor", "forget", &names[6], "--yes"])
        .starts_with("erasure 2:"));
    assert_eq!(l.json(&["verify", "--head", &head])["ok"], true);
}

#[test]
fn erased_text_and_erasure_records_are_still_tamper_evident() {
    let names = donor_names(8, 5);
    let cases = [
        // Re-attributing the forgotten donor's gift to someone else.
        (
            "UPDATE transactions SET counterparty = 'Someone' WHERE counterparty = 'forgotten donor 1'",
            "wrote text other than its placeholder into its counterparty",
        ),
        // Turning what the erasure recorded into a rename, in step with the transaction.
        (
            "UPDATE text_revisions SET erasure_id = NULL, new_digest = hash_digest WHERE field = 'counterparty';
          UPDATE transactions SET counterparty = 'Someone' WHERE counterparty = 'forgotten donor 1'",
            "text_revisions (txn_id",
        ),
        // Pretending a transaction was erased to change its description: in the form of
        // erasures since schema 10, and in the form before.
        (
            "INSERT INTO text_revisions (txn_id, field, erasure_id, hash_digest, entry_id)
            SELECT id, 'description', 1, printf('%064d', 1), 1 FROM transactions WHERE id = 17;
          UPDATE transactions SET description = 'forgotten donor 1' WHERE id = 17",
            "transaction #17:",
        ),
        (
            "INSERT INTO erased_text (txn_id, erasure_id, description_digest, description, entry_id)
            SELECT id, 1, printf('%064d', 1), 'edited', 1 FROM transactions WHERE id = 17;
          UPDATE transactions SET description = 'edited', text_salts = NULL WHERE id = 17",
            "transaction #17:",
        ),
    ];
    for (edit, expected) in cases {
        let l = seeded_ledger(&names);
        l.run(&["donor", "forget", &names[0], "--yes"]);
        let conn = l.raw();
        conn.execute_batch(&format!(
            "DROP TRIGGER transactions_immutable_update; DROP TRIGGER erased_text_recorded_update;
             DROP TRIGGER erased_text_recorded_insert; DROP TRIGGER text_revisions_recorded_update;
             DROP TRIGGER text_revisions_recorded_insert; {edit}"
        ))
        .unwrap();
        drop(conn);
        let out = l.cmd().args(["--format", "json", "verify"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "verify passed after `{edit}`");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let problems = report["problems"].to_string();
        assert!(problems.contains(expected), "after `{edit}`: {problems}");
    }
}

#[test]
fn a_ledger_from_before_erasure_still_verifies_and_refuses_to_break_its_chain() {
    let names = donor_names(4, 9);
    let l = seeded_ledger(&names);
    let conn = l.raw();
    let saved = crate::tamper::triggers(&conn);
    conn.execute_batch("DROP TRIGGER transactions_immutable_update; DROP TRIGGER entries_immutable_update;")
        .unwrap();
    crate::tamper::recompute_chain(&conn, true);
    crate::tamper::put_back(&conn, &saved);
    drop(conn);
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    let message = l.reject(&["donor", "forget", &names[1], "--yes"]);
    assert!(
        message.contains("was recorded before fondo could erase text"),
        "{message}"
    );
    // New gifts are salted, so their donors can be forgotten.
    l.run(&["donation", "3", "--donor", "Newer Donor"]);
    assert!(l
        .run(&["donor", "forget", "Newer Donor", "--yes"])
        .starts_with("erasure 1:"));
    assert_eq!(l.json(&["verify", "--head", &head])["ok"], true);
}

#[test]
fn forgetting_a_donor_leaves_a_donor_whose_name_contains_theirs() {
    let l = TempLedger::new();
    l.run(&["donation", "5", "--donor", "Ana"]);
    l.run(&["donation", "7", "--donor", "Ana María", "--memo", "friend of Ana"]);
    l.run(&[
        "fee",
        "0.30",
        "--from",
        "assets:bank",
        "--desc",
        "bank fee on Ana María's and Ana's gifts",
    ]);
    let said = l.run(&["donor", "forget", "Ana", "--yes"]);
    assert_eq!(
        said,
        "erasure 1: the donor is now `forgotten donor 1` in 3 transaction(s): #1, #2, #3\n"
    );
    let journal = l.run(&["export", "journal"]);
    assert!(journal.contains(",Ana María,"), "{journal}");
    // A field that names the donor is erased whole: what is left is exactly the
    // placeholder, so a forged erasure could never leave text of its own choosing.
    assert!(
        journal.contains(",Ana María,,forgotten donor 1,"),
        "the memo `friend of Ana`: {journal}"
    );
    assert!(
        journal.contains("3,2026-") && journal.contains(",forgotten donor 1,expenses:fees:bank,"),
        "the fee's description: {journal}"
    );
    assert!(!journal.contains("Ana's"), "{journal}");
    let donors = l.run(&["--format", "csv", "report", "donors"]);
    assert!(
        donors.contains("Ana María,USD,1,7.00") && donors.contains("forgotten donor 1,USD,1,5.00"),
        "{donors}"
    );
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn a_reader_holding_the_old_text_delays_the_wipe_but_does_not_defeat_it() {
    let names = donor_names(12, 21);
    let l = seeded_ledger(&names);
    let reader = l.raw();
    reader
        .execute_batch("BEGIN; SELECT count(*) FROM transactions;")
        .unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        reader.execute_batch("COMMIT").unwrap();
    });
    let said = l.run(&["donor", "forget", &names[2], "--yes"]);
    release.join().unwrap();
    assert!(said.starts_with("erasure 1:"), "{said}");
    assert!(
        !contains(&raw_files(&l), &names[2]),
        "the name is still in the file"
    );
}

/// The treasurer who is also a donor, a gift file named after her, and receipts that name
/// people: an anonymized journal or pack shows none of it, and is private unless `--public`.
#[cfg(unix)]
#[test]
fn anonymized_outputs_name_no_one_who_entered_rows_nor_files_references_or_notes() {
    use std::os::unix::fs::PermissionsExt;
    let l = TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    let by = ["--by", "Zoraida Quintero"];
    l.run(
        &[
            &[
                "donation",
                "50",
                "--donor",
                "Zoraida Quintero",
                "--ref",
                "zoraida-card-77",
                "--date",
                "2026-03-01",
            ][..],
            &by[..],
        ]
        .concat(),
    );
    let file = l.file(
        "zoraida-quintero-gifts.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-03-02,Gift,assets:bank,income:donations,20.00,,,Yadira Ocampo,ref-yadira-1\n",
    );
    l.run(&[&["import", &file][..], &by[..]].concat());
    l.run(&["send", "60", "--to", "el-maizal", "--date", "2026-03-03"]);
    l.run(&[
        "confirm",
        "3",
        "--ref",
        "receipt signed by Xiomara Blanco",
        "--note",
        "call Xiomara Blanco",
    ]);
    let secrets = [
        "Zoraida", "Quintero", "zoraida", "Yadira", "yadira", "Xiomara", "tester",
    ];
    let check = |text: &str, what: &str| {
        for secret in secrets {
            assert!(!text.contains(secret), "{what} contains `{secret}`:\n{text}");
        }
    };
    // The private outputs do hold them, so the search can find them.
    assert!(l.run(&["export", "journal"]).contains("Zoraida Quintero"));
    let journal = l.run(&["export", "journal", "--anonymize"]);
    check(&journal, "export journal --anonymize");
    let people: std::collections::BTreeSet<&str> = journal
        .lines()
        .skip(1)
        .map(|row| row.split(',').nth(13).unwrap())
        .collect();
    assert_eq!(people.len(), 2, "{journal}");
    assert!(people.iter().all(|p| p.starts_with("user-")), "{journal}");
    let out = l.dir.path().join("anon.csv");
    l.run(&["export", "journal", "--anonymize", "-o", out.to_str().unwrap()]);
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let public = l.dir.path().join("public.csv");
    l.run(&[
        "export",
        "journal",
        "--anonymize",
        "--public",
        "-o",
        public.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::metadata(&public).unwrap().permissions().mode() & 0o777,
        0o644
    );
    let refused = l
        .cmd()
        .args(["export", "journal", "--public", "-o", "x.csv"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "--public without --anonymize");
    for (dir, public) in [("pack", false), ("public-pack", true)] {
        let pack = l.dir.path().join(dir);
        let mut args = vec!["export", "audit", pack.to_str().unwrap(), "--anonymize"];
        if public {
            args.push("--public");
        }
        l.run(&args);
        let dir_mode = std::fs::metadata(&pack).unwrap().permissions().mode() & 0o777;
        assert_eq!(dir_mode, if public { 0o755 } else { 0o700 });
        for entry in std::fs::read_dir(&pack).unwrap() {
            let path = entry.unwrap().path();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, if public { 0o644 } else { 0o600 }, "{}", path.display());
            check(
                &std::fs::read_to_string(&path).unwrap(),
                &path.display().to_string(),
            );
        }
    }
}

/// `donor forget` cannot be undone: it shows what it will erase (and the look-alike
/// spellings it will not touch), `--dry-run` writes nothing, and without `--yes` or a yes at
/// a terminal nothing is erased. It erases a name only as a whole word, and no donor can be
/// named like its placeholder.
#[test]
fn forgetting_shows_first_asks_and_touches_only_whole_names() {
    let l = TempLedger::new();
    l.run(&[
        "donation",
        "10",
        "--donor",
        "Dan",
        "--memo",
        "Dan's first gift",
        "--date",
        "2026-03-01",
    ]);
    l.run(&["donation", "20", "--donor", "Danielle", "--date", "2026-03-02"]);
    l.run(&[
        "donation",
        "30",
        "--donor",
        "dan",
        "--new-donor",
        "--date",
        "2026-03-03",
    ]);
    l.run(&[
        "fee",
        "1",
        "--from",
        "assets:bank",
        "--desc",
        "fee on Dan's and Danielle's gifts",
        "--date",
        "2026-03-04",
    ]);
    let before = l.snapshot();
    let preview = l.run(&["donor", "forget", "Dan", "--dry-run"]);
    assert_eq!(
        preview,
        "donor `Dan`: 1 gift(s); 2 transaction(s) name them: 2 description(s), 1 counterparty field(s), 1 memo(s) would read `forgotten donor 1`\n\
         not touched: `dan` (1 gift(s)), spelled differently; if it is the same person, merge the two first (`fondo donor merge`) and forget once: forgotten one by one, they would count as two people on the public page\n\
         dry run: nothing was erased\n"
    );
    assert_eq!(l.snapshot(), before);
    // Piped, without --yes: refused, nothing erased.
    let message = l.reject(&["donor", "forget", "Dan"]);
    assert!(
        message.contains("nothing was erased: `donor forget` cannot be undone"),
        "{message}"
    );
    assert_eq!(l.snapshot(), before);
    let out = l
        .cmd()
        .args(["donor", "forget", "Dan", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("note: not touched: `dan`"));
    let journal = l.run(&["export", "journal"]);
    // The fee line was replaced whole (it named Dan), Danielle's gift and `dan` were not.
    assert!(
        journal.contains("Danielle") && journal.contains(",dan,"),
        "{journal}"
    );
    assert!(!journal.contains("Dan's"), "{journal}");
    // A donor named like a placeholder is refused, by command and by import.
    let message = l.reject(&["donation", "5", "--donor", "Forgotten Donor 1"]);
    assert!(message.contains("are reserved"), "{message}");
    let file = l.file(
        "gifts.csv",
        "date,description,debit,credit,amount,currency,fund,counterparty,reference\n\
         2026-03-05,gift,assets:bank,income:donations,5.00,,,forgotten donor 7,\n",
    );
    let message = l.reject(&["import", &file]);
    assert!(
        message.contains("gifts.csv:2: counterparty: invalid counterparty `forgotten donor 7`"),
        "{message}"
    );
}
