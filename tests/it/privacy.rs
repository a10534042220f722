//! Donor privacy and security hygiene: thousands of distinctive donor names go into a
//! ledger, and none of them may come out of a public report, an `--anonymize` output or
//! an error message; hostile text is stored as text, never run as SQL; nothing private is
//! left behind in temporary files.

use crate::common::TempLedger;

/// Every seeded name carries this marker, so one search finds any of them, whole or cut.
const MARKER: &str = "Zqv";

/// `count` distinctive donor names, deterministic from `seed`, in the shapes real and
/// hostile names take: accents, quotes, commas, SQL, spreadsheet formulas, prefixes of
/// each other.
fn donor_names(count: usize, seed: u64) -> Vec<String> {
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
fn seeded_ledger(names: &[String]) -> TempLedger {
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
        let date = format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
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
        "100",
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

fn assert_no_names(output: &str, what: &str) {
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
