//! `fondo add`: every kind driven from standard input, and a session in a real terminal.

use crate::common::{pick, TempLedger};

/// Runs `fondo add` with `answers` on standard input; returns (status, stdout, stderr).
fn add(l: &TempLedger, answers: &str, extra: &[&str]) -> (i32, String, String) {
    let out = l
        .cmd()
        .arg("add")
        .args(extra)
        .write_stdin(answers)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn books() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires", "--target", "250"]);
    l.run(&[
        "commune",
        "add",
        "Comuna El Maizal",
        "--state",
        "Lara",
        "--slug",
        "el-maizal",
    ]);
    l
}

fn lines(answers: &[&str]) -> String {
    answers.iter().map(|a| format!("{a}\n")).collect()
}

#[test]
fn every_kind_can_be_recorded_from_answers() {
    let l = books();
    // (answers, what the new transaction's postings must be)
    let cases: Vec<(Vec<&str>, Vec<[&str; 3]>)> = vec![
        (
            vec![
                "donation",
                "2026-03-02",
                "Ana Pérez",
                "y",
                "",
                "100",
                "tires",
                "assets:processor",
                "3.20",
                "D-1",
                "",
                "y",
            ],
            vec![
                ["assets:processor", "tires", "96.80"],
                ["expenses:fees:processor", "tires", "3.20"],
                ["income:donations", "tires", "-100.00"],
            ],
        ),
        (
            vec![
                "transfer",
                "2026-03-03",
                "",
                "96.80",
                "assets:processor",
                "assets:bank",
                "tires",
                "",
                "",
                "y",
            ],
            vec![
                ["assets:bank", "tires", "96.80"],
                ["assets:processor", "tires", "-96.80"],
            ],
        ),
        (
            vec!["union", "2026-03-04", "", "90", "tires", "", "1.50", "", "", "y"],
            vec![
                ["assets:union", "tires", "90.00"],
                ["expenses:fees:wire", "tires", "1.50"],
                ["assets:bank", "tires", "-91.50"],
            ],
        ),
        (
            vec![
                "allocation",
                "2026-03-05",
                "el-maizal",
                "",
                "60",
                "tires",
                "",
                "",
                "y",
            ],
            vec![
                ["expenses:grants:el-maizal", "tires", "60.00"],
                ["assets:union", "tires", "-60.00"],
            ],
        ),
        (
            vec![
                "donation",
                "2026-03-06",
                "Bo",
                "y",
                "",
                "500",
                "general",
                "",
                "",
                "",
                "",
                "y",
            ],
            vec![
                ["assets:bank", "general", "500.00"],
                ["income:donations", "general", "-500.00"],
            ],
        ),
        (
            // A commune the ledger does not know yet is added (after asking) with its state.
            vec![
                "direct",
                "2026-03-07",
                "Comuna Ataroa",
                "y",
                "Lara",
                "",
                "40",
                "general",
                "",
                "",
                "",
                "",
                "y",
            ],
            vec![
                ["expenses:grants:comuna-ataroa", "general", "40.00"],
                ["assets:bank", "general", "-40.00"],
            ],
        ),
        (
            vec![
                "fee",
                "2026-03-08",
                "",
                "2.50",
                "assets:bank",
                "general",
                "monthly bank charge",
                "",
                "",
                "y",
            ],
            vec![
                ["expenses:fees:bank", "general", "2.50"],
                ["assets:bank", "general", "-2.50"],
            ],
        ),
        (
            vec![
                "exchange",
                "2026-03-09",
                "",
                "100",
                "VES",
                "36.5",
                "",
                "general",
                "",
                "",
                "y",
            ],
            vec![
                ["assets:bank", "general", "-100.00"],
                ["equity:conversion", "general", "100.00"],
                ["equity:conversion", "general", "-3650.00"],
                ["assets:bank", "general", "3650.00"],
            ],
        ),
        (
            vec![
                "entry",
                "2026-03-10",
                "opening cash",
                "assets:cash 20",
                "equity:opening -20",
                "",
                "",
                "",
                "",
                "y",
            ],
            vec![
                ["assets:cash", "general", "20.00"],
                ["equity:opening", "general", "-20.00"],
            ],
        ),
    ];
    for (i, (answers, postings)) in cases.iter().enumerate() {
        let (status, stdout, stderr) = add(&l, &lines(answers), &[]);
        let id = i + 1;
        assert_eq!(status, 0, "{answers:?}\n{stderr}");
        assert!(
            stdout.starts_with(&format!("recorded #{id} ")),
            "{answers:?}\n{stdout}\n{stderr}"
        );
        let shown = l.json(&["show", &id.to_string()]);
        assert_eq!(
            pick(&shown["postings"], &["account", "fund", "amount"]),
            *postings,
            "{answers:?}"
        );
    }
    assert_eq!(l.json(&["show", "7"])["description"], "monthly bank charge");
    assert_eq!(l.json(&["show", "1"])["reference"], "D-1");
    assert_eq!(l.json(&["commune", "list"])[0]["state"], "Lara");
    // The confirmation of the allocation (#4).
    let (status, stdout, stderr) = add(
        &l,
        &lines(&["confirmation", "#4", "2026-03-20", "R-77", "", "y"]),
        &[],
    );
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(stdout, "recorded confirmation 1 of #4 on 2026-03-20\n");
    assert_eq!(l.json(&["show", "4"])["confirmation"]["reference"], "R-77");
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn defaults_come_from_the_donors_last_gift() {
    let l = books();
    l.run(&[
        "donation",
        "25",
        "--donor",
        "Ana",
        "--fund",
        "tires",
        "--into",
        "assets:processor",
        "--date",
        "2026-03-01",
    ]);
    // Every answer after the donor left blank: the last gift's amount, fund and account.
    let (status, stdout, stderr) = add(
        &l,
        &lines(&["donation", "2026-04-01", "Ana", "", "", "", "", "", "", "", "y"]),
        &[],
    );
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.starts_with("recorded #2 "), "{stdout}");
    assert!(
        stderr.contains("Amount given (before any fee) [25.00]:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Fund [tires]:") && stderr.contains("Received into [assets:processor]:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the same as: fondo donation 25.00 --date=2026-04-01 --donor=Ana"),
        "{stderr}"
    );
}

/// From a script, a refused answer stops everything: the next line was written for the next
/// question, and taking it as a new answer to this one recorded the wrong amount with exit 0
/// (a returning donor's script, whose "new donor?" answer became the amount's default).
#[test]
fn a_refused_answer_from_a_script_stops_and_writes_nothing() {
    let l = books();
    let good = [
        "donation",
        "2026-03-02",
        "Ana",
        "y",
        "USD",
        "12.34",
        "tires",
        "assets:bank",
        "",
        "",
        "",
        "y",
    ];
    let cases: [(usize, &str, &str); 7] = [
        (0, "gift", "line 1 (What are you recording?"),
        (1, "31/12/2026", "not a date; write YYYY-MM-DD"),
        (4, "usd", "currency codes are upper case: write `USD`"),
        (5, "12.345", "USD has 2 decimal places"),
        (5, "-5", "must be greater than zero"),
        (6, "tirse", "unknown fund `tirse` (did you mean `tires`?)"),
        (7, "income:other", "`income:other` is a income account"),
    ];
    let before = l.snapshot();
    for (at, bad, said) in cases {
        let mut answers: Vec<&str> = good.to_vec();
        answers[at] = bad;
        let (status, stdout, stderr) = add(&l, &lines(&answers), &[]);
        assert_eq!(status, 1, "{bad}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains(said) && stderr.contains("nothing was written"),
            "{bad}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("error: line {} (", at + 1)),
            "{bad}: {stderr}"
        );
        assert_eq!(l.snapshot(), before, "{bad}");
    }
    // The script: a donor who gave before is not asked "new donor?", so its `y`
    // lands on the currency question — refused, where it once shifted every answer after it.
    l.run(&["donation", "100", "--donor", "Bea", "--date", "2026-03-01"]);
    let before = l.snapshot();
    let script = [
        "donation",
        "2026-03-02",
        "Bea",
        "y",
        "50",
        "",
        "",
        "",
        "",
        "",
        "y",
    ];
    let (status, _, stderr) = add(&l, &lines(&script), &[]);
    assert_eq!(status, 1, "{stderr}");
    assert_eq!(l.snapshot(), before);
    // The good answers record.
    let (status, stdout, stderr) = add(&l, &lines(&good), &[]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.starts_with("recorded #"), "{stdout}");
}

#[test]
fn going_back_a_question_and_problems_found_at_the_end() {
    let l = books();
    // `<` takes back the amount; then a restricted fund with nothing in it: from a script
    // the problem found at the preview stops the entry, naming it, and nothing is written.
    let answers = lines(&[
        "union",
        "2026-03-02",
        "",
        "50",
        "<",
        "60",
        "tires",
        "",
        "",
        "",
        "",
        "y",
    ]);
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-03-01"]);
    let before = l.snapshot();
    let (status, stdout, stderr) = add(&l, &answers, &[]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("fund `tires` has only 0.00 USD in assets:bank")
            && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(l.snapshot(), before);
}

#[test]
fn nothing_is_written_without_a_yes() {
    let l = books();
    let before = l.snapshot();
    let answers = ["donation", "2026-03-02", "Ana", "y", "", "10", "", "", "", "", ""];
    let (status, _, stderr) = add(&l, &lines(&[&answers[..], &["n"]].concat()), &[]);
    assert_eq!(status, 0);
    assert!(stderr.trim_end().ends_with("nothing was written"), "{stderr}");
    let (status, _, stderr) = add(&l, &lines(&answers[..6]), &[]);
    assert_eq!(status, 1);
    assert!(
        stderr.contains("error: the answers ended after line 6 with `Fund` unanswered; nothing was written"),
        "{stderr}"
    );
    let (status, _, _) = add(&l, &lines(&[&answers[..], &["y"]].concat()), &["--dry-run"]);
    assert_eq!(status, 0);
    assert_eq!(l.snapshot(), before);
}

#[test]
fn the_help_documents_the_order_of_answers() {
    let l = books();
    // At an 80-column terminal.
    let out = l
        .cmd()
        .env("COLUMNS", "80")
        .args(["add", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for kind in [
        "donation",
        "union",
        "allocation",
        "direct",
        "confirmation",
        "fee",
        "transfer",
        "exchange",
        "entry",
    ] {
        assert!(
            help.contains(&format!("  {kind} ")),
            "{kind} missing from\n{help}"
        );
    }
    // The list wraps under its own indent, within 80 columns.
    assert!(
        help.contains("  donation     date, donor, new_donor, currency, amount, fund, into, fee, ref,\n               memo\n"),
        "{help}"
    );
    assert!(help.lines().all(|line| line.chars().count() <= 80), "{help}");
}

/// A real terminal: readline editing keys, completion of a known donor with Tab, a wrong
/// amount asked again, and a confirmation.
#[cfg(unix)]
#[test]
fn add_at_a_terminal() {
    let l = books();
    // rexpect reads the terminal byte by byte, so the names here are ASCII.
    l.run(&[
        "donation",
        "25",
        "--donor",
        "Ana Perez",
        "--fund",
        "tires",
        "--date",
        "2026-03-01",
    ]);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("fondo"));
    cmd.arg("--db")
        .arg(&l.path)
        .arg("add")
        .env("FONDO_USER", "tester")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("What are you recording?").unwrap();
    p.send_line("donation").unwrap();
    p.exp_string("Date").unwrap();
    p.send_line("2026-03-05").unwrap();
    p.exp_string("Donor").unwrap();
    // Readline's keys edit the answer: Ctrl-U clears what was typed (it typed a `u`).
    p.send("xyz").unwrap();
    p.flush().unwrap();
    p.exp_string("xyz").unwrap();
    p.send_control('u').unwrap();
    p.send("Ana").unwrap();
    p.flush().unwrap();
    // The rest of the known name is hinted as it is typed; Tab takes it.
    p.exp_string("Ana Perez").unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    p.send_line("").unwrap();
    p.exp_string("Currency").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Amount given").unwrap();
    p.send_line("12.345").unwrap();
    p.exp_string("USD has 2 decimal places").unwrap();
    p.exp_string("Amount given").unwrap();
    p.send_line("40").unwrap();
    // The last gift's fund and account are the defaults; no fee, reference or memo.
    for prompt in ["Fund", "Received into", "Fee", "Reference", "Memo"] {
        p.exp_string(prompt).unwrap();
        p.send_line("").unwrap();
    }
    p.exp_string("Record this?").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("recorded #2").unwrap();
    p.exp_eof().unwrap();
    let shown = l.json(&["show", "2"]);
    assert_eq!(shown["counterparty"], "Ana Perez");
    assert_eq!(
        pick(&shown["postings"], &["fund", "amount"]),
        [["tires", "40.00"], ["tires", "-40.00"]]
    );
}

/// Every `fondo add <<'EOF'` script in `text`, each as the answers it feeds.
fn blocks(text: &str, indent: &str) -> Vec<String> {
    let start = format!("{indent}fondo add <<'EOF'");
    let mut found = Vec::new();
    let mut lines = text.lines();
    while lines.any(|l| l == start) {
        let answers: Vec<&str> = lines
            .by_ref()
            .take_while(|l| l.trim() != "EOF")
            .map(|l| l.strip_prefix(indent).unwrap_or(l.trim()))
            .collect();
        found.push(answers.join("\n") + "\n");
    }
    assert!(!found.is_empty(), "no `{start}` block");
    found
}

/// The README's and `fondo add --help`'s example scripts are the same, and record what they
/// say on a fresh ledger (they once disagreed about the answer to "new donor?").
#[test]
fn the_documented_add_script_records_its_gift() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = |text: &str, indent: &str| -> String { blocks(text, indent).swap_remove(0) };
    let from_readme = block(&readme, "");
    let help = String::from_utf8(
        crate::common::fondo()
            .args(["add", "--help"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(from_readme, block(&help, "  "));
    let script = from_readme;
    // The README's named form records the same.
    let named = blocks(&readme, "").pop().unwrap_or_default();
    assert!(named.starts_with("kind=donation\n"), "{named}");
    for script in [script, named] {
        let l = books();
        let out = l.cmd().arg("add").write_stdin(script).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let gift = l.json(&["show", "1"]);
        assert_eq!(gift["counterparty"], "Ana Pérez");
        assert_eq!(
            crate::common::pick(&gift["postings"], &["account", "fund", "amount"])[0],
            ["assets:processor", "tires", "96.80"]
        );
    }
}

/// A commune `add` does not know is added in the same write as the grant: declining, a dry
/// run, or a problem found at the preview leave the ledger byte for byte as it was (the
/// commune was once committed before the preview).
#[test]
fn a_new_commune_is_written_only_with_its_grant() {
    let l = books();
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-03-01"]);
    let answers = |last: &'static str| -> Vec<&'static str> {
        [
            "direct",
            "2026-03-07",
            "Comuna Ataroa",
            "y",
            "Lara",
            "",
            "40",
            "general",
            "",
            "",
            "",
            "",
            last,
        ]
        .to_vec()
    };
    let before = l.snapshot();
    let (status, _, stderr) = add(&l, &lines(&answers("n")), &[]);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stderr.contains("with it, the new commune comuna-ataroa (Comuna Ataroa, Lara)"),
        "{stderr}"
    );
    assert_eq!(l.snapshot(), before, "declined");
    let (status, _, stderr) = add(&l, &lines(&answers("y")), &["--dry-run"]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(l.snapshot(), before, "dry run");
    let (status, stdout, stderr) = add(&l, &lines(&answers("y")), &[]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.starts_with("recorded #2 "), "{stdout}");
    assert_eq!(l.json(&["commune", "list"])[0]["commune"], "comuna-ataroa");
    assert_eq!(l.json(&["verify"])["ok"], true);
    // Its confirmation through `add`, in JSON as asked (it printed plain text).
    let (status, stdout, stderr) = add(
        &l,
        &lines(&["confirmation", "#2", "2026-03-20", "R-1", "", "y"]),
        &["--format", "json"],
    );
    assert_eq!(status, 0, "{stderr}");
    let said: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        (said["txn"].as_i64(), said["reference"].as_str()),
        (Some(2), Some("R-1"))
    );
}

/// Named answers: in any order, a question not named takes its default, so a script written
/// for a new donor records the same for a returning one (whose "new donor?" is not asked).
#[test]
fn named_answers_cannot_shift() {
    let l = books();
    let script = "kind=donation\nrecord=y\namount=100\ndonor=Ana Pérez\nnew_donor=y\ndate=2026-03-02\nfund=tires\ninto=assets:processor\nfee=3.20\n";
    for expected_id in ["1", "2"] {
        let out = l.cmd().arg("add").write_stdin(script).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let gift = l.json(&["show", expected_id]);
        assert_eq!(
            crate::common::pick(&gift["postings"], &["account", "fund", "amount"])[0],
            ["assets:processor", "tires", "96.80"],
            "gift #{expected_id}"
        );
    }
    // A question with no default that is not named stops the entry; so does a line that is
    // not `key=value`.
    let before = l.snapshot();
    let out = l
        .cmd()
        .arg("add")
        .write_stdin("kind=donation\ndate=2026-03-02\nrecord=y\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no answer named `donor`"));
    let out = l
        .cmd()
        .arg("add")
        .write_stdin("kind=donation\nAna\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2: `Ana` is not a named answer"));
    assert_eq!(l.snapshot(), before);
}

/// A confirmation dated before its grant is refused at the Date question, naming the grant's
/// date (it was refused only after every question, with an error about `--date`).
#[test]
fn a_confirmation_before_its_grant_is_refused_at_the_date() {
    let l = books();
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-03-01"]);
    l.run(&["send", "40", "--to", "el-maizal", "--date", "2026-03-10"]);
    let before = l.snapshot();
    let (status, _, stderr) = add(
        &l,
        &lines(&["confirmation", "#2", "2026-03-05", "R-1", "", "y"]),
        &[],
    );
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("error: line 3 (Date") && stderr.contains("grant #2 is of 2026-03-10"),
        "{stderr}"
    );
    assert_eq!(l.snapshot(), before);
    let (status, _, stderr) = add(
        &l,
        &lines(&["confirmation", "#2", "2026-03-12", "R-1", "", "y"]),
        &[],
    );
    assert_eq!(status, 0, "{stderr}");
}

/// A script cannot record what its writer did not mean: a misspelt answer name, a missing
/// `record=y`, a look-alike donor without `new_donor=y`, an answer too many, each stops the
/// entry with the line to fix, and the ledger is as it was.
#[test]
fn a_script_that_does_not_say_exactly_what_to_record_records_nothing() {
    let l = books();
    l.run(&[
        "donation",
        "50",
        "--donor",
        "Ana Pérez",
        "--fund",
        "tires",
        "--date",
        "2026-03-02",
    ]);
    let cases: &[(&str, &str)] = &[
        (
            "kind=donation\ndate=2026-03-12\ndonor=Ana Pérez\nammount=75\nfnd=general\nrecord=y\n",
            "error: line 4: `ammount` answers no question of this entry (did you mean `amount`?); nothing was written",
        ),
        (
            "kind=donation\ndate=2026-03-12\ndonor=Ana Pérez\namount=75\nrecrod=y\n",
            "error: line 5: `recrod` answers no question of this entry (did you mean `record`?); nothing was written",
        ),
        (
            "kind=donation\ndate=2026-03-12\ndonor=Ana Pérez\namount=75\n",
            "error: no answer named `record`: a script says `record=y` to record the entry (or `record=n`); nothing was written",
        ),
        (
            "kind=donation\ndate=2026-03-12\ndonor=Bo New\nnew_donor=y\nammount=75\nrecord=y\n",
            "(line 5 names `ammount`: did you mean `amount`?); nothing was written",
        ),
        (
            "kind=donation\ndate=2026-03-12\ndonor=ana perez\namount=18\nrecord=y\n",
            "error: no answer named `new_donor` for ``ana perez` looks like the existing donor `Ana Pérez`",
        ),
        (
            "kind=donation\ndate=2099-01-01\ndonor=Ana Pérez\namount=75\nrecord=y\n",
            "error: line 2 (Date): 2099-01-01 is more than a day after today",
        ),
        (
            "kind=donation\ndate=2026-03-12\ndonor=Ana Pérez\namount=75\nrecord=maybe\n",
            "error: line 5 (Record this? (y/n)): answer y or n; nothing was written\n",
        ),
        (
            "donation\n2026-03-12\nAna Pérez\n\n75\n\n\n\n\n\ny\nextra\n",
            "error: line 12: `extra` is left over after the last question, so the answers were not written for this entry; nothing was written",
        ),
    ];
    for (script, expected) in cases {
        let before = l.snapshot();
        let (status, stdout, stderr) = add(&l, script, &[]);
        assert_eq!(status, 1, "{script}: {stderr}");
        assert!(stderr.contains(expected), "{script}\n{stderr}");
        assert_eq!(stdout, "", "{script}");
        assert_eq!(l.snapshot(), before, "{script}");
        // The error stands on a line of its own.
        assert!(stderr.lines().any(|line| line.starts_with("error: ")), "{stderr}");
    }
    // A script saved with a byte order mark, and with Windows line ends, is read as written.
    let (status, _, stderr) = add(
        &l,
        "\u{feff}kind=donation\r\ndate=2026-03-12\r\ndonor=Ana Pérez\r\namount=75\r\nrecord=y\r\n",
        &[],
    );
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(l.json(&["show", "2"])["postings"][0]["amount"], "75.00");
}

/// A problem found once every question is answered names the line of the answer it is about.
#[test]
fn a_problem_found_at_the_end_names_the_line_of_its_answer() {
    let l = books();
    let script = lines(&[
        "allocation",
        "2026-03-10",
        "el-maizal",
        "",
        "500",
        "",
        "",
        "",
        "",
        "y",
    ]);
    let (status, _, stderr) = add(&l, &script, &[]);
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("error: line 5 (the answers together (amount)): "),
        "{stderr}"
    );
}

/// A dry run asked for JSON prints its preview as JSON, and the command line it shows does
/// the same thing, the new commune included.
#[test]
fn a_dry_run_in_json_and_the_command_line_it_shows() {
    let l = books();
    l.run(&["donation", "500", "--donor", "Bo", "--date", "2026-03-01"]);
    l.run(&["send", "100", "--to", "union", "--date", "2026-03-02"]);
    let script = lines(&[
        "allocation",
        "2026-03-03",
        "Comuna Nueva Esperanza",
        "y",
        "Zulia",
        "",
        "3",
        "",
        "",
        "",
    ]);
    let (status, stdout, stderr) = add(&l, &script, &["--dry-run", "--format", "json"]);
    assert_eq!(status, 0, "{stderr}");
    let preview: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(preview["dry_run"], true);
    assert_eq!(
        preview["postings"][0]["account"],
        "expenses:grants:comuna-nueva-esperanza"
    );
    let shown = stderr
        .lines()
        .find_map(|line| line.trim().strip_prefix("the same as: "))
        .expect("the command line");
    assert!(
        shown.starts_with("fondo commune add 'Comuna Nueva Esperanza' --state Zulia && fondo allocate 3 "),
        "{shown}"
    );
    // Run as shown, it records what the preview showed.
    for part in shown.split(" && ") {
        let words = crate::common::shell_words(part);
        l.run(&words[1..].iter().map(String::as_str).collect::<Vec<_>>());
    }
    assert_eq!(l.json(&["show", "3"])["postings"][0]["amount"], "3.00");
}

/// An entry's postings can be named one a line, in order; "not a new donor" from a script
/// stops at its line instead of reading the next line as a name; a confirmation's dry run
/// speaks JSON too.
#[test]
fn named_postings_and_answers_that_take_a_name_back() {
    let l = books();
    l.run(&["donation", "100", "--donor", "Ana Pérez", "--date", "2026-03-01"]);
    let entry = "kind=entry\ndate=2026-03-08\ndescription=opening cash\nposting=assets:bank 5\nposting=equity:opening -5\nrecord=y\n";
    let (status, stdout, stderr) = add(&l, entry, &[]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.starts_with("recorded #2 "), "{stdout}");
    for (script, line) in [
        (
            "kind=donation\ndate=2026-03-05\ndonor=ana perez\nnew_donor=n\namount=5\nrecord=y\n",
            4,
        ),
        ("donation\n2026-03-02\nana perez\nn\n100\n\n\n\n\n\ny\n", 4),
    ] {
        let before = l.snapshot();
        let (status, _, stderr) = add(&l, script, &[]);
        assert_eq!(status, 1, "{stderr}");
        assert!(
            stderr.contains(&format!("error: line {line} (")) && stderr.contains("so that name is not taken"),
            "{stderr}"
        );
        assert_eq!(l.snapshot(), before);
    }
    l.run(&["send", "10", "--to", "el-maizal", "--date", "2026-03-09"]);
    let before = l.snapshot();
    let (status, stdout, stderr) = add(
        &l,
        "kind=confirmation
grant=3
date=2026-03-10
",
        &["--dry-run", "--format", "json"],
    );
    assert_eq!(status, 0, "{stderr}");
    let said: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        (said["txn"].as_i64(), said["dry_run"].as_bool()),
        (Some(3), Some(true))
    );
    assert_eq!(l.snapshot(), before);
}
