//! Names at the door: text is stored in NFC; invisible characters are refused wherever text
//! comes in (one-line commands, `fondo add`, the three import formats); a donor spelled like
//! a known donor but for case, accents or spaces needs `--new-donor`; a name confusable with
//! a donor's, a fund's or a commune's needs `--allow-confusable`; `donor list` shows the
//! spellings that exist. Each test here failed before names were checked this way.

use crate::common::TempLedger;
use fondo::store::WriteMode;

const NFC: &str = "Ana P\u{e9}rez";
const NFD: &str = "Ana Pe\u{301}rez";
/// "Maizal" with a Cyrillic capital EM and small A.
const CYRILLIC_MAIZAL: &str = "\u{41c}\u{430}izal";

fn counterparties(l: &TempLedger) -> Vec<String> {
    let conn = l.raw();
    let mut stmt = conn
        .prepare("SELECT counterparty FROM transactions WHERE counterparty IS NOT NULL ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn nfd_and_nfc_spellings_are_one_donor() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", NFC]);
    l.run(&["donation", "15", "--donor", NFD, "--memo", "cafe\u{301}"]);
    assert_eq!(counterparties(&l), [NFC, NFC]);
    let donors = l.json(&["report", "donors"]);
    let rows: Vec<_> = donors
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["row"] == "donor")
        .collect();
    assert_eq!(rows.len(), 1, "{donors}");
    assert_eq!(rows[0]["donor"], NFC);
    assert_eq!(rows[0]["count"], 2);
    assert_eq!(l.json(&["show", "2"])["memo"], "caf\u{e9}");
}

#[test]
fn invisible_characters_are_refused_in_one_line_commands() {
    let l = TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["donation", "10", "--donor", "Ana"]);
    l.run(&["send", "10", "--to", "el-maizal"]);
    let message = l.reject(&["donation", "10", "--donor", "Ana\u{200b} P\u{e9}rez"]);
    assert_eq!(
        message,
        "error: invalid --donor `Ana\\u{200b} P\u{e9}rez`: contains U+200B ZERO WIDTH SPACE, an invisible character; type the name without it\n"
    );
    let bidi = "Ana \u{202e}zer\u{e9}P";
    let bom = "Ana\u{feff}P\u{e9}rez";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["donation", "10", "--donor", bidi],
            "invalid --donor `Ana \\u{202e}zer",
        ),
        (
            vec!["donation", "10", "--donor", bom],
            "U+FEFF ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)",
        ),
        (
            vec!["donation", "10", "--donor", "Ana", "--desc", "gift\u{200d}"],
            "invalid description",
        ),
        (
            vec!["donation", "10", "--donor", "Ana", "--memo", "soft\u{ad}hyphen"],
            "U+00AD SOFT HYPHEN",
        ),
        (
            vec!["donation", "10", "--donor", "Ana", "--ref", "R\u{2060}1"],
            "U+2060 WORD JOINER",
        ),
        (
            vec!["donation", "10", "--donor", "Ana\nP\u{e9}rez"],
            "U+000A LINE FEED; a name is one line",
        ),
        (
            vec!["fund", "add", "tires", "--name", "Tires\u{200b}"],
            "invalid --name",
        ),
        (
            vec!["commune", "add", "Ataroa\u{202e}", "--state", "Lara"],
            "invalid commune name",
        ),
        (
            vec!["commune", "add", "Ataroa", "--state", "La\u{200b}ra"],
            "invalid --state",
        ),
        (
            vec!["commune", "edit", "el-maizal", "--name", "El\u{200c}Maizal"],
            "U+200C ZERO WIDTH NON-JOINER",
        ),
        (
            vec!["confirm", "2", "--ref", "EM\u{200e}-1"],
            "U+200E LEFT-TO-RIGHT MARK",
        ),
        (
            vec!["confirm", "2", "--note", "ok\u{2066}"],
            "U+2066 LEFT-TO-RIGHT ISOLATE",
        ),
        (
            vec!["--by", "Tre\u{200b}asurer", "donation", "10", "--donor", "Ana"],
            "invalid --by",
        ),
        (
            vec![
                "entry",
                "--desc",
                "x",
                "--counterparty",
                "A\u{200b}",
                "-p",
                "assets:bank 1",
                "-p",
                "income:other -1",
            ],
            "invalid counterparty",
        ),
    ];
    for (args, expected) in cases {
        let message = l.reject(&args);
        assert!(message.contains(expected), "{args:?}: {message}");
    }
    // A description or memo may still hold a line break, as a spreadsheet cell can.
    l.run(&["donation", "10", "--donor", "Ana", "--memo", "two\nlines"]);
}

/// Writes `text` as a file beside the ledger and imports it, which must be refused; returns
/// the message.
fn import_rejected(l: &TempLedger, name: &str, text: &str, extra: &[&str]) -> (String, String) {
    let path = l.file(name, text);
    let mut args = vec!["import", path.as_str()];
    args.extend_from_slice(extra);
    (l.reject(&args), path)
}

const SIMPLE_HEADER: &str = "date,description,debit,credit,amount,currency,fund,counterparty,reference\n";
const JOURNAL_HEADER: &str =
    "txn,date,description,account,fund,debit,credit,currency,counterparty,reference,memo,voids,entered_at,entered_by,hash\n";

fn journal_gift(description: &str, donor: &str) -> String {
    format!(
        "{JOURNAL_HEADER}1,2026-03-01,{description},assets:bank,general,10.00,,USD,{donor},,,,,,\n\
         1,2026-03-01,{description},income:donations,general,,10.00,USD,{donor},,,,,,\n"
    )
}

fn statement(l: &TempLedger, rows: &str) -> String {
    l.file(
        "bank.toml",
        "account = \"assets:bank\"\ndate_column = \"date\"\ndescription_column = \"description\"\n\
         amount_column = \"amount\"\ncounterparty_column = \"donor\"\n\n[fallback]\naccount = \"income:donations\"\n",
    );
    format!("date,description,amount,donor\n{rows}")
}

#[test]
fn invisible_characters_are_refused_in_every_import_format_with_line_and_column() {
    let l = TempLedger::new();
    let simple = format!(
        "{SIMPLE_HEADER}2026-03-01,gift,assets:bank,income:donations,10.00,,,Ana\u{200b} P\u{e9}rez,\n"
    );
    let (message, path) = import_rejected(&l, "simple.csv", &simple, &[]);
    assert!(
        message.contains(&format!(
            "error: {path}:2: counterparty: contains U+200B ZERO WIDTH SPACE, an invisible character; type the name without it (`Ana\\u{{200b}} P\u{e9}rez`)"
        )),
        "{message}"
    );
    let (message, path) = import_rejected(
        &l,
        "journal.csv",
        &journal_gift("gift \u{202e}gnp.exe", "Ana"),
        &[],
    );
    assert!(
        message.contains(&format!(
            "error: {path}:2: description: contains U+202E RIGHT-TO-LEFT OVERRIDE, an invisible character; type the text without it (`gift \\u{{202e}}gnp.exe`)"
        )),
        "{message}"
    );
    let bank = statement(
        &l,
        "2026-03-01,gift,10.00,\u{feff}Ana\n2026-03-02,gift,5.00,Ana\u{feff}P\u{e9}rez\n",
    );
    let mapping = l.dir.path().join("bank.toml");
    let (message, path) = import_rejected(&l, "bank.csv", &bank, &["--mapping", mapping.to_str().unwrap()]);
    assert!(
        message.contains(&format!(
            "error: {path}:3: donor: contains U+FEFF ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK), an invisible character; type the name without it (`Ana\\u{{feff}}P\u{e9}rez`)"
        )),
        "{message}"
    );
    // A byte order mark at the very start of a cell's file is the file's, not the text's.
    assert!(message.contains(&format!("error: {path}:2: donor:")), "{message}");
}

#[test]
fn a_new_spelling_of_a_known_donor_needs_new_donor() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", NFC]);
    let message = l.reject(&["donation", "5", "--donor", "ana perez"]);
    assert_eq!(
        message,
        "error: --donor `ana perez` looks like the existing donor `Ana P\u{e9}rez` (same name ignoring case, accents and spaces); did you mean `Ana P\u{e9}rez`? Give --new-donor if this is a different person\n"
    );
    for spelling in ["Ana  P\u{e9}rez", "ANA P\u{c9}REZ", "Ana Perez"] {
        let message = l.reject(&["donation", "5", "--donor", spelling]);
        assert!(
            message.contains("looks like the existing donor"),
            "{spelling}: {message}"
        );
    }
    let message = l.reject(&[
        "entry",
        "--desc",
        "gift",
        "--counterparty",
        "Ana Perez",
        "-p",
        "assets:bank 5",
        "-p",
        "income:donations -5",
    ]);
    assert!(
        message.starts_with("error: --counterparty `Ana Perez` looks like"),
        "{message}"
    );
    // A different person, said so; then the name is known as it is.
    l.run(&["donation", "5", "--donor", "ana perez", "--new-donor"]);
    l.run(&["donation", "7", "--donor", "ana perez"]);
    assert_eq!(counterparties(&l), [NFC, "ana perez", "ana perez"]);
    // Counterparties of other transactions are not donors.
    l.run(&[
        "entry",
        "--desc",
        "refund",
        "--counterparty",
        "ANA PEREZ",
        "-p",
        "assets:bank -1",
        "-p",
        "income:other 1",
    ]);
}

#[test]
fn an_import_naming_a_new_spelling_of_a_known_donor_needs_new_donors() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", NFC]);
    let simple = format!(
        "{SIMPLE_HEADER}2026-03-01,gift,assets:bank,income:donations,10.00,,,ana perez,\n\
         2026-03-02,gift,assets:bank,income:donations,10.00,,,{NFD},\n"
    );
    let (message, path) = import_rejected(&l, "gifts.csv", &simple, &[]);
    assert!(
        message.contains(&format!(
            "error: {path}:2: counterparty: counterparty `ana perez` looks like the existing donor `Ana P\u{e9}rez` (same name ignoring case, accents and spaces); did you mean `Ana P\u{e9}rez`? Give --new-donors if this is a different person"
        )),
        "{message}"
    );
    // The decomposed spelling is the known donor, composed.
    assert_eq!(message.matches(&format!("{path}:")).count(), 1, "{message}");
    l.run(&["import", &path, "--new-donors"]);
    assert_eq!(counterparties(&l), [NFC, "ana perez", NFC]);
    // Within one file, the first spelling makes the donor the later rows are checked against.
    let later = format!(
        "{SIMPLE_HEADER}2026-03-05,gift,assets:bank,income:donations,10.00,,,Bruno D\u{ed}az,\n\
         2026-03-06,gift,assets:bank,income:donations,10.00,,,bruno diaz,\n"
    );
    let (message, path) = import_rejected(&l, "later.csv", &later, &[]);
    assert!(
        message.contains(&format!(
            "{path}:3: counterparty: counterparty `bruno diaz` looks like"
        )),
        "{message}"
    );
}

#[test]
fn cyrillic_look_alike_names_need_allow_confusable() {
    let l = TempLedger::new();
    l.run(&["commune", "add", "Maizal", "--state", "Lara"]);
    let message = l.reject(&["commune", "add", CYRILLIC_MAIZAL, "--state", "Lara"]);
    assert_eq!(
        message,
        format!("error: commune name `{CYRILLIC_MAIZAL}` can be mistaken for the existing commune `Maizal` (they look alike: this has U+041C `\u{41c}` where that has U+004D `M`); did you mean `Maizal`? Give --allow-confusable if this is a different commune\n")
    );
    l.run(&["commune", "add", "Ataroa", "--state", "Lara"]);
    let message = l.reject(&["commune", "edit", "ataroa", "--name", CYRILLIC_MAIZAL]);
    assert!(
        message.contains("can be mistaken for the existing commune `Maizal`"),
        "{message}"
    );
    l.run(&[
        "commune",
        "add",
        CYRILLIC_MAIZAL,
        "--state",
        "Lara",
        "--slug",
        "maizal-2",
        "--allow-confusable",
    ]);

    l.run(&["fund", "add", "maizal", "--name", "Maizal cheese"]);
    let cyrillic_fund = format!("{CYRILLIC_MAIZAL} cheese");
    let message = l.reject(&["fund", "add", "maizal-2", "--name", &cyrillic_fund]);
    assert!(
        message.contains(
            "error: --name `\u{41c}\u{430}izal cheese` can be mistaken for the existing fund `Maizal cheese`"
        ) && message.contains("U+041C `\u{41c}` where that has U+004D `M`")
            && message.contains("Give --allow-confusable"),
        "{message}"
    );
    l.run(&["fund", "add", "tires"]);
    let message = l.reject(&["fund", "edit", "tires", "--name", &cyrillic_fund]);
    assert!(
        message.contains("can be mistaken for the existing fund"),
        "{message}"
    );
    l.run(&[
        "fund",
        "add",
        "maizal-2",
        "--name",
        &cyrillic_fund,
        "--allow-confusable",
    ]);

    l.run(&["donation", "10", "--donor", "Alice"]);
    let message = l.reject(&["donation", "10", "--donor", "\u{410}lice"]);
    assert!(
        message.contains("can be mistaken for the existing donor `Alice`")
            && message.contains("U+0410 `\u{410}`"),
        "{message}"
    );
    l.run(&["donation", "10", "--donor", "\u{410}lice", "--allow-confusable"]);
}

/// Runs `fondo add` with one answer a line; returns (status, stdout, stderr).
fn add(l: &TempLedger, answers: &[&str]) -> (i32, String, String) {
    let text: String = answers.iter().map(|a| format!("{a}\n")).collect();
    let out = l.cmd().arg("add").write_stdin(text).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn add_refuses_invisible_characters_and_names_the_look_alike_donor() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", NFC]);
    // A zero-width space, or a bidi override, is refused: from a script, the entry stops
    // there, naming the answer's line, and nothing is written.
    let before = l.snapshot();
    for (bad, said) in [
        (
            "Ana\u{200b} P\u{e9}rez",
            "contains U+200B ZERO WIDTH SPACE, an invisible character; type the name without it",
        ),
        ("\u{202e}Ana", "contains U+202E RIGHT-TO-LEFT OVERRIDE"),
    ] {
        let (status, _, stderr) = add(&l, &["donation", "2026-03-02", bad]);
        assert_eq!(status, 1, "{stderr}");
        assert!(
            stderr.contains("error: line 3 (Donor") && stderr.contains(said),
            "{stderr}"
        );
        assert_eq!(l.snapshot(), before);
    }
    // A plain new spelling is asked about, naming the donor it looks like; from a script,
    // `n` stops there (the next line was written for the next question, not as a name).
    let before = l.snapshot();
    let (status, _, stderr) = add(
        &l,
        &[
            "donation",
            "2026-03-02",
            "ana perez",
            "n",
            NFD,
            "",
            "10",
            "",
            "",
            "",
            "",
            "",
            "y",
        ],
    );
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("`ana perez` looks like the existing donor `Ana P\u{e9}rez` (same name ignoring case, accents and spaces). Record a different person? (y/n)"),
        "{stderr}"
    );
    assert!(stderr.contains("error: line 4 ("), "{stderr}");
    assert_eq!(l.snapshot(), before);
    // The decomposed spelling is the known donor, so no question about it.
    let (status, _, stderr) = add(
        &l,
        &["donation", "2026-03-02", NFD, "", "10", "", "", "", "", "", "y"],
    );
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(counterparties(&l), [NFC, NFC]);
    // `y` records the new spelling as a different person.
    let (status, _, stderr) = add(
        &l,
        &[
            "donation",
            "2026-03-03",
            "ana perez",
            "y",
            "",
            "5",
            "",
            "",
            "",
            "",
            "",
            "y",
        ],
    );
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("--donor=ana perez' --currency=USD"), "{stderr}");
    assert!(stderr.contains("--new-donor"), "{stderr}");
    assert_eq!(counterparties(&l), [NFC, NFC, "ana perez"]);
}

#[test]
fn donor_list_shows_each_spelling_and_flags_those_of_one_name() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", NFC, "--date", "2026-03-01"]);
    l.run(&[
        "donation",
        "20",
        "--donor",
        NFC,
        "--date",
        "2026-03-05",
        "--currency",
        "VES",
    ]);
    l.run(&[
        "donation",
        "5",
        "--donor",
        "ana perez",
        "--new-donor",
        "--date",
        "2026-03-02",
    ]);
    l.run(&["donation", "7", "--donor", "Bruno", "--date", "2026-03-03"]);
    let table = l.run(&["donor", "list"]);
    assert!(
        table.contains("│ Ana Pérez ┆ USD ┆     1 ┆ 10.00 ┆ 2026-03-01 ┆ 2026-03-01 ┆ ana perez    │"),
        "{table}"
    );
    assert!(
        table.contains("│ ana perez ┆ USD ┆     1 ┆  5.00 ┆ 2026-03-02 ┆ 2026-03-02 ┆ Ana Pérez    │"),
        "{table}"
    );
    assert!(
        table.contains("probably one person written several ways"),
        "{table}"
    );
    assert_eq!(
        l.run(&["--format", "csv", "donor", "list"]),
        "donor,currency,gifts,total,first_date,last_date,other_spellings\n\
         Ana Pérez,USD,1,10.00,2026-03-01,2026-03-01,ana perez\n\
         Ana Pérez,VES,1,20.00,2026-03-05,2026-03-05,ana perez\n\
         ana perez,USD,1,5.00,2026-03-02,2026-03-02,Ana Pérez\n\
         Bruno,USD,1,7.00,2026-03-03,2026-03-03,\n"
    );
    let json = l.json(&["donor", "list"]);
    assert_eq!(json[3]["donor"], "Bruno");
    assert_eq!(json[3]["total"], "7.00");
    assert_eq!(json[3]["other_spellings"], serde_json::Value::Null);
    assert_eq!(json[2]["other_spellings"], "Ana Pérez");
}

#[test]
fn verify_recomputes_the_donors_names_and_forgetting_a_donor_removes_theirs() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", NFC]);
    l.run(&["donation", "10", "--donor", "Bruno"]);
    assert_eq!(l.json(&["verify"])["ok"], true);
    l.raw()
        .execute("DELETE FROM donor_names WHERE name = 'Bruno'", [])
        .unwrap();
    let out = l.cmd().args(["--format", "json", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let verified: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        verified["problems"][0].as_str().unwrap().contains(
            "the donors' names kept for finding look-alikes hold 1 fewer names than the gifts record"
        ),
        "{verified}"
    );
    l.raw()
        .execute("INSERT INTO donor_names VALUES ('Bruno', 'bruno', 'Bruno')", [])
        .unwrap();
    assert_eq!(l.json(&["verify"])["ok"], true);
    l.run(&["donor", "forget", NFC, "--yes"]);
    let names: Vec<String> = {
        let conn = l.raw();
        let mut stmt = conn
            .prepare("SELECT name || identity_key || skeleton FROM donor_names")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(names.iter().all(|n| !n.contains("rez")), "{names:?}");
    assert_eq!(l.json(&["verify"])["ok"], true);
    // The forgotten name may be given again, as a new donor.
    l.run(&["donation", "10", "--donor", NFC]);
}

#[test]
fn a_file_imported_before_text_was_normalised_is_still_recognised() {
    use fondo::domain::builders::{donation, Donation, Header};
    use fondo::domain::{Amount, Currency};
    use fondo::store::write::Batch;
    let l = TempLedger::new();
    let file = format!(
        "{SIMPLE_HEADER}2026-03-01,donation from {NFD},assets:bank,income:donations,10.00,,,{NFD},\n"
    );
    let path = l.file("old.csv", &file);
    // What an earlier fondo did: the row's import key was of its text as read (decomposed).
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let row = Donation {
        amount: Amount::from_minor(1000, Currency::parse("USD").unwrap()).unwrap(),
        fee: None,
        donor: NFD.into(),
        fund: "general".into(),
        into: "assets:bank".into(),
        fee_to: Default::default(),
    };
    let as_read = donation(row, Header::default(), day).unwrap();
    let mut ledger = fondo::Ledger::open(&l.path, "tester").unwrap();
    ledger
        .write(WriteMode::Commit, |w| {
            w.begin_import()?;
            let identity = w.import_identity(as_read.date, fondo::store::hash::content_key(&as_read))?;
            let id = w.record(&as_read, "import:old.csv:2")?;
            w.remember_import(&identity, id)?;
            w.finish_import(&Batch {
                file_name: "old.csv",
                file_sha256: &"0".repeat(64),
                format: "simple",
                row_count: 1,
                added_count: 1,
                skipped_count: 0,
            })
        })
        .unwrap();
    drop(ledger);
    let outcome = l.json(&["import", &path]);
    assert_eq!(outcome["added"], 0, "{outcome}");
    assert_eq!(outcome["skipped_duplicates"], 1, "{outcome}");
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn an_older_ledger_gets_its_donors_names_when_it_migrates() {
    let l = TempLedger::uninitialized();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ledgers/v5-sample.db");
    std::fs::copy(fixture, &l.path).unwrap();
    let listed = l.json(&["donor", "list"]);
    let donors = l.json(&["report", "donors"]);
    let named = |v: &serde_json::Value| -> std::collections::BTreeSet<String> {
        v.as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["donor"].as_str().filter(|d| *d != "total").map(str::to_string))
            .collect()
    };
    assert!(named(&listed).len() > 10, "{listed}");
    assert_eq!(named(&listed), named(&donors));
    let kept: i64 = l
        .raw()
        .query_row("SELECT count(*) FROM donor_names", [], |r| r.get(0))
        .unwrap();
    assert!(kept >= named(&listed).len() as i64);
    assert_eq!(l.json(&["verify"])["ok"], true);
}
