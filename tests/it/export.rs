//! `fondo export journal`: the round trip on the sample, spreadsheet safety, anonymity.

use crate::common::TempLedger;

/// The sample ledger, as `demo` builds it.
pub(crate) fn sample() -> TempLedger {
    let l = TempLedger::uninitialized();
    l.run(&["demo"]);
    l
}

fn without_audit_columns(csv_text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().take(12).map(str::to_string).collect())
        .collect()
}

#[test]
fn export_import_export_of_the_sample_gives_the_same_rows() {
    let original = sample();
    let path = original.dir.path().join("journal.csv");
    original.run(&["export", "journal", "-o", path.to_str().unwrap()]);
    let first = std::fs::read_to_string(&path).unwrap();
    let copy = TempLedger::new();
    let outcome = copy.json(&["import", path.to_str().unwrap(), "--create-missing"]);
    assert_eq!(
        (outcome["format"].as_str(), outcome["added"].as_i64()),
        (Some("journal"), Some(752))
    );
    let second = copy.run(&["export", "journal"]);
    assert_eq!(without_audit_columns(&second), without_audit_columns(&first));
    assert_eq!(
        without_audit_columns(&first).len(),
        752 * 2,
        "one row per posting, two postings per sample row"
    );
    // Importing the export again adds nothing.
    assert_eq!(copy.json(&["import", path.to_str().unwrap()])["added"], 0);
}

/// A journal with voids imported again adds nothing: the void it holds is found in the
/// ledger like any other row. It was refused ("that transaction (#1 here) is already voided
/// by #2"), naming rows that were fine.
#[test]
fn a_journal_with_voids_imported_again_adds_nothing() {
    let original = TempLedger::new();
    original.run(&["donation", "10", "--donor", "Ana", "--date", "2026-01-02"]);
    original.run(&["donation", "20", "--donor", "Bo", "--date", "2026-01-03"]);
    original.run(&["void", "1", "--reason", "bounced", "--date", "2026-01-04"]);
    let path = original.dir.path().join("journal.csv");
    original.run(&["export", "journal", "-o", path.to_str().unwrap()]);
    let copy = TempLedger::new();
    let first = copy.json(&["import", path.to_str().unwrap()]);
    assert_eq!(first["added"], 3);
    let again = copy.json(&["import", path.to_str().unwrap()]);
    assert_eq!(
        (again["added"].as_i64(), again["skipped_duplicates"].as_i64()),
        (Some(0), Some(3))
    );
    assert_eq!(copy.json(&["verify"])["ok"], true);
}

#[test]
fn the_export_is_safe_in_a_spreadsheet_and_exact() {
    let l = TempLedger::new();
    l.run(&[
        "donation",
        "1234.56",
        "--donor",
        "=HYPERLINK(\"http://evil\")",
        "--date",
        "2026-01-02",
    ]);
    l.run(&[
        "entry",
        "--desc=-2+3",
        "--date",
        "2026-01-03",
        "-p",
        "assets:cash 0.10",
        "-p",
        "equity:opening -0.10",
        "--memo",
        "@import",
    ]);
    let out = l.run(&["export", "journal"]);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(&rows[0][8], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(&rows[2][2], "'-2+3");
    assert_eq!(&rows[2][10], "'@import");
    // Amounts are written from the stored integers, never as text that a sheet would mangle.
    assert_eq!((&rows[0][5], &rows[1][6]), ("1234.56", "1234.56"));
    assert_eq!(&rows[2][5], "0.10");
    let header = out.lines().next().unwrap();
    assert_eq!(header, "txn,date,description,account,fund,debit,credit,currency,counterparty,reference,memo,voids,entered_at,entered_by,hash");
}

#[test]
fn anonymized_exports_hide_donors_behind_stable_pseudonyms() {
    let l = sample();
    let full = l.run(&["export", "journal"]);
    let anonymous = l.run(&["export", "journal", "--anonymize"]);
    let march = l.run(&[
        "export",
        "journal",
        "--anonymize",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
    ]);
    let sample_text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ledger.sample.csv")).unwrap();
    let donors: std::collections::BTreeSet<String> = csv::Reader::from_reader(sample_text.as_bytes())
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[3] == "income:donations")
        .map(|r| r[7].to_string())
        .collect();
    assert_eq!(donors.len(), 42);
    for donor in &donors {
        assert!(
            full.contains(donor.as_str()),
            "{donor} missing from the private export"
        );
        assert!(
            !anonymous.contains(donor.as_str()),
            "{donor} leaked into the anonymized export"
        );
    }
    // The same donor has the same pseudonym whatever the period.
    let pseudonym_of = |text: &str, reference: &str| -> String {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(Result::unwrap)
            .find(|r| &r[9] == reference)
            .map(|r| r[8].to_string())
            .unwrap_or_default()
    };
    let march_gift = csv::Reader::from_reader(march.as_bytes())
        .records()
        .map(Result::unwrap)
        .find(|r| &r[3] == "income:donations")
        .unwrap();
    let reference = march_gift[9].to_string();
    assert!(march_gift[8].starts_with("donor-"), "{:?}", march_gift);
    assert_eq!(
        pseudonym_of(&march, &reference),
        pseudonym_of(&anonymous, &reference)
    );
    assert!(
        march.lines().skip(1).all(|l| l.contains(",2026-03-")),
        "--from/--to keep March only"
    );
    // Recipients are not donors: the union and the communes keep their names.
    assert!(anonymous.contains("Communard Union"));
}

#[test]
fn an_export_file_is_private_and_replaced_whole() {
    let l = TempLedger::new();
    l.run(&["donation", "5", "--donor", "Ana"]);
    let path = l.dir.path().join("out.csv");
    std::fs::write(
        &path,
        "old contents that are longer than the new export will be, surely, yes",
    )
    .unwrap();
    // Not without --force: an export never destroys a file it was not told to replace.
    let message = l.reject(&["export", "journal", "-o", path.to_str().unwrap()]);
    assert_eq!(
        message,
        format!(
            "error: {} already exists; pass --force to replace it\n",
            path.display()
        )
    );
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("old contents"));
    let said = l.run(&["export", "journal", "-o", path.to_str().unwrap(), "--force"]);
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    assert_eq!(
        said,
        format!("wrote 2 rows to {}; chain head #1 {head}\n", path.display())
    );
    let text = std::fs::read_to_string(&path).unwrap();
    // The last row's hash is the head the message names.
    assert!(text.trim_end().ends_with(&head), "{text}");
    assert!(text.starts_with("txn,date") && !text.contains("old contents"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let missing_dir = l.dir.path().join("no/such/dir/out.csv");
    let message = l.reject(&["export", "journal", "-o", missing_dir.to_str().unwrap()]);
    assert!(message.contains("cannot create a file in"), "{message}");
}
