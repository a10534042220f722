//! Donor statements (`fondo report statement`): the letters themselves (golden files), what
//! goes into them (the donors report's gifts, a refund netted, voids and other years left
//! out), the template, the files' privacy and names, and a forgotten donor's absence.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::{listing, TempLedger};
use crate::erasure::{holds, ledger_bytes};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/statements");

/// Ana Pérez gives in two funds and two currencies in 2026, once in 2025 and once voided;
/// Bo gives twice through the processor (one with a fee) and gets 10.00 back.
fn books() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires", "--target", "250"]);
    l.run(&[
        "settings",
        "--address",
        "Calle 3\\nBarquisimeto, Lara",
        "--tax-id",
        "J-40123456-7",
        "--no-goods",
        "No goods or services were provided in exchange for these gifts.",
    ]);
    let gifts: [&[&str]; 7] = [
        &[
            "100",
            "--donor",
            "Ana Pérez",
            "--ref",
            "D-1",
            "--date",
            "2026-03-01",
        ],
        &[
            "50",
            "--donor",
            "Ana Pérez",
            "--fund",
            "tires",
            "--date",
            "2026-04-02",
        ],
        &[
            "20",
            "--donor",
            "Ana Pérez",
            "--currency",
            "EUR",
            "--ref",
            "D-3",
            "--date",
            "2026-05-02",
        ],
        &["30", "--donor", "Ana Pérez", "--date", "2025-12-31"],
        &["5", "--donor", "Ana Pérez", "--date", "2026-06-01"],
        &["100", "--donor", "Bo", "--date", "2026-01-10"],
        &[
            "75",
            "--donor",
            "Bo",
            "--ref",
            "B-1",
            "--fee",
            "2.50",
            "--into",
            "assets:processor",
            "--date",
            "2026-02-10",
        ],
    ];
    for gift in gifts {
        let mut args = vec!["donation"];
        args.extend_from_slice(gift);
        l.run(&args);
    }
    l.run(&["void", "5", "--reason", "entered twice", "--date", "2026-06-02"]);
    // Part of Bo's first gift (#6) returned: a refund, not a gift, in the letter.
    l.run(&["refund", "6", "10", "--date", "2026-03-01"]);
    l
}

/// `text` must equal the golden file `name` (`FONDO_BLESS=1` writes it).
fn golden(name: &str, text: &str) {
    let path = Path::new(GOLDEN).join(name);
    if std::env::var_os("FONDO_BLESS").is_some() {
        std::fs::write(&path, text).unwrap();
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{name} (FONDO_BLESS=1 writes it)"));
    assert_eq!(text, expected, "{name} differs (FONDO_BLESS=1 rewrites it)");
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn two_donors_letters_match_their_golden_files() {
    let l = books();
    for (donor, stem) in [("Ana Pérez", "ana-perez-2026"), ("Bo", "bo-2026")] {
        let md = l.run(&["report", "statement", "--donor", donor, "--year", "2026"]);
        golden(&format!("{stem}.md"), &md);
        let csv = l.run(&[
            "--format",
            "csv",
            "report",
            "statement",
            "--donor",
            donor,
            "--year",
            "2026",
        ]);
        golden(&format!("{stem}.csv"), &csv);
    }
}

#[test]
fn a_letter_lists_the_years_live_gifts_nets_a_refund_and_totals_per_currency() {
    let l = books();
    let csv = l.run(&[
        "--format",
        "csv",
        "report",
        "statement",
        "--donor",
        "Ana Pérez",
        "--year",
        "2026",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "donor,year,line,date,amount,currency,fund,reference",
            "Ana Pérez,2026,gift,2026-03-01,100.00,USD,general,D-1",
            "Ana Pérez,2026,gift,2026-04-02,50.00,USD,tires,",
            "Ana Pérez,2026,gift,2026-05-02,20.00,EUR,general,D-3",
            "Ana Pérez,2026,total,,20.00,EUR,,",
            "Ana Pérez,2026,total,,150.00,USD,,",
        ]
    );
    let bo = l.run(&[
        "--format",
        "csv",
        "report",
        "statement",
        "--donor",
        "Bo",
        "--year",
        "2026",
    ]);
    assert!(
        bo.contains("Bo,2026,refund,2026-03-01,-10.00,USD,general,refund of the gift of 2026-01-10\n"),
        "{bo}"
    );
    assert!(bo.contains("Bo,2026,total,,165.00,USD,,\n"), "{bo}");
    // The same total as the donors report gives for the year.
    let donors = l.json(&["report", "donors", "--from", "2026-01-01", "--to", "2026-12-31"]);
    let bo_row = donors
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["donor"] == "Bo")
        .unwrap();
    assert_eq!(bo_row["total"], "165.00");
    // The 2025 gift is in 2025's letter, alone.
    let earlier = l.run(&[
        "--format",
        "csv",
        "report",
        "statement",
        "--donor",
        "Ana Pérez",
        "--year",
        "2025",
    ]);
    assert_eq!(earlier.lines().count(), 3, "{earlier}");
}

#[test]
fn html_escapes_a_donors_name_and_markdown_keeps_it_text() {
    let l = books();
    let name = "<script>alert(1)</script> & *Co*";
    l.run(&["donation", "9", "--donor", name, "--date", "2026-07-01"]);
    let html = l.run(&[
        "--format",
        "html",
        "report",
        "statement",
        "--donor",
        name,
        "--year",
        "2026",
    ]);
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; *Co*"),
        "{html}"
    );
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    let md = l.run(&["report", "statement", "--donor", name, "--year", "2026"]);
    assert!(md.contains(r"\<script\>alert(1)\</script\> \& \*Co\*"), "{md}");
}

#[test]
fn every_letter_goes_into_a_private_directory_one_file_per_donor() {
    let l = books();
    let dir = l.dir.path().join("letters");
    let out = l.run(&[
        "report",
        "statement",
        "--all",
        "--year",
        "2026",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.starts_with("wrote 2 letter(s) for 5 gift(s) in 2026 to "),
        "{out}"
    );
    assert!(out.contains("ties out"), "{out}");
    assert_eq!(listing(&dir), ["ana-perez-2026.md", "bo-2026.md"]);
    assert_eq!(mode(&dir), 0o700);
    for name in listing(&dir) {
        assert_eq!(mode(&dir.join(&name)), 0o600, "{name}");
    }
    let ana = std::fs::read_to_string(dir.join("ana-perez-2026.md")).unwrap();
    assert_eq!(
        ana,
        l.run(&["report", "statement", "--donor", "Ana Pérez", "--year", "2026"])
    );
    // Again: refused, nothing touched; with --force, replaced.
    let refused = l.reject(&[
        "report",
        "statement",
        "--all",
        "--year",
        "2026",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(
        refused.contains("ana-perez-2026.md") && refused.contains("--force"),
        "{refused}"
    );
    std::fs::write(dir.join("bo-2026.md"), "old").unwrap();
    let args = [
        "report",
        "statement",
        "--all",
        "--year",
        "2026",
        "-o",
        dir.to_str().unwrap(),
        "--force",
    ];
    l.run(&args);
    assert_ne!(std::fs::read_to_string(dir.join("bo-2026.md")).unwrap(), "old");
    assert_eq!(mode(&dir.join("bo-2026.md")), 0o600);
    // A single letter written to a file is private too.
    let file = l.dir.path().join("bo.html");
    l.run(&[
        "report",
        "statement",
        "--donor",
        "Bo",
        "--year",
        "2026",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(mode(&file), 0o600);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
}

#[test]
fn a_donors_name_cannot_lead_a_letter_out_of_its_directory() {
    let l = books();
    let hostile = [
        "../../etc/x",
        "a/b",
        "..",
        ".hidden",
        "/",
        "Bo/../../../tmp/y",
        "БО",
    ];
    for (i, name) in hostile.iter().enumerate() {
        let date = format!("2026-08-{:02}", i + 1);
        l.run(&["donation", "1", "--donor", name, "--date", &date]);
    }
    let root = l.dir.path().join("out");
    std::fs::create_dir(&root).unwrap();
    let dir = root.join("letters");
    l.run(&[
        "report",
        "statement",
        "--all",
        "--year",
        "2026",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(
        listing(&root),
        ["letters"],
        "a letter was written outside the directory"
    );
    let names = listing(&dir);
    assert_eq!(names.len(), 2 + hostile.len(), "{names:?}");
    for name in &names {
        assert!(!name.starts_with('.') && !name.contains('/'), "{name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.".contains(c)),
            "{name}"
        );
    }
    // Two names that make the same file name each keep their own letter.
    assert!(
        names.contains(&"donor-2026.md".to_string()) && names.contains(&"donor-2026-2.md".to_string()),
        "{names:?}"
    );
}

#[test]
fn a_forgotten_donor_gets_no_letter_and_the_letters_written_before_are_named() {
    let l = books();
    let dir = l.dir.path().join("letters");
    let dir_text = dir.to_str().unwrap();
    l.run(&["report", "statement", "--all", "--year", "2026", "-o", dir_text]);
    let forget = l
        .cmd()
        .args(["donor", "forget", "Ana Pérez", "--yes"])
        .output()
        .unwrap();
    assert!(forget.status.success());
    let warned = String::from_utf8_lossy(&forget.stderr);
    assert!(
        warned.contains("letters") && warned.contains("report statement"),
        "{warned}"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let refused = l.reject(&["report", "statement", "--donor", "Ana Pérez", "--year", "2026"]);
    assert!(
        refused.starts_with("error: invalid --donor `Ana Pérez`: no donor has exactly this name"),
        "{refused}"
    );
    let placeholder = l.reject(&[
        "report",
        "statement",
        "--donor",
        "forgotten donor 1",
        "--year",
        "2026",
    ]);
    assert!(
        placeholder.contains("no donor has exactly this name"),
        "{placeholder}"
    );
    let out = l.run(&["report", "statement", "--all", "--year", "2026", "-o", dir_text]);
    assert!(out.starts_with("wrote 1 letter(s)"), "{out}");
    assert!(
        out.contains("no letter for forgotten donors' gifts: 20.00 EUR, 150.00 USD"),
        "{out}"
    );
    assert!(out.contains("ties out"), "{out}");
    assert_eq!(listing(&dir), ["bo-2026.md"]);
    let letter = std::fs::read(dir.join("bo-2026.md")).unwrap();
    assert!(!holds(&letter, b"forgotten donor"));
    let mut written = letter;
    written.extend(ledger_bytes(&l));
    for text in ["Ana Pérez", "ana-perez", "Ana P\u{e9}rez", "ana perez"] {
        assert!(
            !holds(&written, text.as_bytes()),
            "`{text}` is still in the letters or the ledger"
        );
    }
}

#[test]
fn a_template_fills_its_placeholders_and_is_escaped_in_html() {
    let l = books();
    let template = l.file(
        "thanks.txt",
        "Querida/o {donor}: {{gracias}} por {total} ({gifts} regalos) en {year}. — {org} <3\n",
    );
    let md = l.run(&[
        "report",
        "statement",
        "--donor",
        "Bo",
        "--year",
        "2026",
        "--template",
        &template,
    ]);
    assert!(
        md.contains("Querida/o Bo: {gracias} por 165.00 USD (2 regalos) en 2026. — Test Fund <3\n"),
        "{md}"
    );
    let html = l.run(&[
        "--format",
        "html",
        "report",
        "statement",
        "--donor",
        "Bo",
        "--year",
        "2026",
        "--template",
        &template,
    ]);
    assert!(html.contains("— Test Fund &lt;3</p>"), "{html}");
}

#[test]
fn the_organisation_block_is_printed_only_when_set() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", "Bo", "--date", "2026-01-10"]);
    let bare = l.run(&["report", "statement", "--donor", "Bo", "--year", "2026"]);
    assert!(
        bare.starts_with("Test Fund\n\n# Statement of gifts 2026: Bo\n"),
        "{bare}"
    );
    assert!(!bare.contains("Tax id") && !bare.contains("No goods"), "{bare}");
    l.run(&[
        "settings",
        "--tax-id",
        "J-1",
        "--no-goods",
        "Nothing was given in return.",
    ]);
    let shown = l.run(&["settings"]);
    assert!(
        shown.contains("tax-id: J-1\n") && shown.contains("no-goods: Nothing was given in return.\n"),
        "{shown}"
    );
    let full = l.run(&["report", "statement", "--donor", "Bo", "--year", "2026"]);
    assert!(full.starts_with("Test Fund  \nTax id: J-1\n\n"), "{full}");
    assert!(full.ends_with("\nNothing was given in return.\n"), "{full}");
    l.run(&["settings", "--tax-id", ""]);
    assert!(!l
        .run(&["report", "statement", "--donor", "Bo", "--year", "2026"])
        .contains("Tax id"));
}

#[test]
fn a_renamed_donors_letter_follows_the_new_name() {
    let l = books();
    l.run(&["donor", "rename", "Bo", "Bo Díaz"]);
    let letter = l.run(&[
        "--format",
        "csv",
        "report",
        "statement",
        "--donor",
        "Bo Díaz",
        "--year",
        "2026",
    ]);
    assert!(letter.ends_with("Bo Díaz,2026,total,,165.00,USD,,\n"), "{letter}");
    let refused = l.reject(&["report", "statement", "--donor", "Bo", "--year", "2026"]);
    assert!(refused.contains("no donor has exactly this name"), "{refused}");
}
