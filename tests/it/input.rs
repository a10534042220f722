//! Input fondo used to change silently and now refuses: numbers with more digits than a
//! decimal holds (they were rounded), thousands separators out of place in a statement (they
//! were dropped wherever they stood), fields too long to be real (a 200 MB line was held in
//! memory and echoed whole), and control characters in file names (echoed raw, they could
//! retitle or clear the terminal).

use fondo::domain::money::{parse_decimal, NumberStyle};
use proptest::prelude::*;

use crate::common::TempLedger;

/// 30 digits: `Decimal::from_str` rounded this to 2.
const ROUNDED_TO_TWO: &str = "1.99999999999999999999999999999";
/// 30 digits: a rate that was rounded to 36.5.
const ROUNDED_RATE: &str = "36.49999999999999999999999999999";
/// What every refusal of too many digits says.
const TOO_MANY_DIGITS: &str = "fondo keeps at most 28 digits exactly";

fn write(l: &TempLedger, name: &str, text: &str) -> String {
    let path = l.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

const SIMPLE_HEADER: &str = "date,description,debit,credit,amount,currency,fund,counterparty,reference\n";
const JOURNAL_HEADER: &str = "txn,date,description,account,fund,debit,credit,currency,counterparty,reference,memo,voids,entered_at,entered_by,hash\n";

/// A simple file of one gift of `amount`.
fn simple(amount: &str) -> String {
    format!("{SIMPLE_HEADER}2026-03-01,Gift,assets:bank,income:donations,{amount},,,Ana,\n")
}

/// A journal file of one transaction of `amount`.
fn journal(amount: &str) -> String {
    format!(
        "{JOURNAL_HEADER}1,2026-03-01,Gift,assets:bank,general,{amount},,USD,Ana,,,,,,\n1,2026-03-01,Gift,income:donations,general,,{amount},USD,Ana,,,,,,\n"
    )
}

/// A statement mapping with a decimal comma and `.` between thousands (as Venezuelan banks
/// write `1.234,56`), or the other way round.
fn mapping(l: &TempLedger, decimal_comma: bool) -> String {
    let (comma, separator) = if decimal_comma {
        ("true", ".")
    } else {
        ("false", ",")
    };
    write(
        l,
        &format!("mapping-{comma}.toml"),
        &format!(
            "account = \"assets:bank\"\ndate_column = \"date\"\ndescription_column = \"description\"\namount_column = \"amount\"\ndecimal_comma = {comma}\nthousands_separator = \"{separator}\"\n[fallback]\naccount = \"income:donations\"\n"
        ),
    )
}

fn statement(amount: &str) -> String {
    format!("date,description,amount\n2026-03-01,Gift,\"{amount}\"\n")
}

#[test]
fn more_digits_than_a_decimal_holds_are_refused_on_the_command_line_not_rounded() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    let bank = write(&l, "bank.csv", "date,description,amount\n2026-03-01,Gift,10.00\n");
    let cases: &[&[&str]] = &[
        &["donation", ROUNDED_TO_TWO, "--donor", "Ana"],
        // Exact zeros past the 28th digit are refused too: the rule is one count of digits.
        &["donation", "1.000000000000000000000000000000", "--donor", "Ana"],
        &[
            "donation",
            "10",
            "--donor",
            "Ana",
            "--fee",
            "0.100000000000000000000000000000",
        ],
        &["exchange", "1", "USD", "--to", "VES", "--rate", ROUNDED_RATE],
        &[
            "exchange",
            "1",
            "USD",
            "--to",
            "VES",
            "--received",
            "36.5000000000000000000000000000",
        ],
        &[
            "fund",
            "add",
            "cheese",
            "--target",
            "250.000000000000000000000000000",
        ],
        &[
            "fund",
            "move",
            ROUNDED_TO_TWO,
            "--from",
            "general",
            "--to",
            "tires",
        ],
        &[
            "entry",
            "--desc",
            "opening",
            "-p",
            &format!("assets:bank {ROUNDED_TO_TWO}"),
            "-p",
            "equity:opening -2",
        ],
        &[
            "reconcile",
            "assets:bank",
            "--statement",
            &bank,
            "--balance",
            "10.0000000000000000000000000000",
        ],
    ];
    for args in cases {
        let message = l.reject(args);
        assert!(message.contains(TOO_MANY_DIGITS), "{args:?}: {message}");
        assert!(message.contains("never rounds"), "{args:?}: {message}");
    }
    // 28 digits are kept exactly, and the amount then has to suit the currency.
    let message = l.reject(&["donation", "1.999999999999999999999999999", "--donor", "Ana"]);
    assert!(message.contains("USD has 2 decimal places"), "{message}");
    l.run(&["donation", "1.990000000000000000000000000", "--donor", "Ana"]);
    l.run(&[
        "exchange",
        "1",
        "USD",
        "--to",
        "VES",
        "--rate",
        "36.50000000000000000000000000",
    ]);
}

#[test]
fn a_rate_whose_product_needs_more_digits_than_a_decimal_holds_is_refused() {
    let l = TempLedger::new();
    l.run(&["donation", "10", "--donor", "Ana"]);
    // 0.01 × 1.000000000000000000000000001 = 0.01000000000000000000000000001 exactly, which
    // the decimal multiplication rounded to 0.01.
    let message = l.reject(&[
        "exchange",
        "0.01",
        "USD",
        "--to",
        "VES",
        "--rate",
        "1.000000000000000000000000001",
    ]);
    assert!(message.contains("--received"), "{message}");
}

#[test]
fn more_digits_than_a_decimal_holds_are_refused_as_an_answer_to_add() {
    let l = TempLedger::new();
    let answers: String = [
        "donation",
        "2026-03-02",
        "Ana",
        "y",
        "USD",
        ROUNDED_TO_TWO,
        "12.34",
        "general",
        "assets:bank",
        "",
        "",
        "",
        "y",
    ]
    .iter()
    .map(|a| format!("{a}\n"))
    .collect();
    let before = l.snapshot();
    let out = l.cmd().arg("add").write_stdin(answers).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // From a script the refused answer stops the entry: nothing is written.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("has 30 digits; {TOO_MANY_DIGITS}")),
        "{stderr}"
    );
    assert_eq!(l.snapshot(), before);
}

#[test]
fn more_digits_than_a_decimal_holds_are_refused_in_every_import_format() {
    let l = TempLedger::new();
    let comma = mapping(&l, true);
    let point = mapping(&l, false);
    let cases: Vec<(String, Vec<String>, &str)> = vec![
        (
            write(&l, "simple.csv", &simple(ROUNDED_TO_TWO)),
            vec![],
            "simple.csv:2: amount:",
        ),
        (
            write(&l, "journal.csv", &journal(ROUNDED_TO_TWO)),
            vec![],
            "journal.csv:2: debit:",
        ),
        (
            write(&l, "comma.csv", &statement("1,99999999999999999999999999999")),
            vec!["--mapping".into(), comma],
            "comma.csv:2: amount:",
        ),
        (
            write(&l, "point.csv", &statement("1,000.00000000000000000000000000")),
            vec!["--mapping".into(), point],
            "point.csv:2: amount:",
        ),
    ];
    for (file, extra, place) in &cases {
        let mut args = vec!["import", file.as_str()];
        args.extend(extra.iter().map(String::as_str));
        let message = l.reject(&args);
        assert!(message.contains(place), "{file}: {message}");
        assert!(message.contains(TOO_MANY_DIGITS), "{file}: {message}");
    }
    // The reconcile statement reads amounts and balances the same way.
    let plain = write(
        &l,
        "april.csv",
        &format!("date,description,amount,balance\n2026-04-02,DEPOSIT,10.00,{ROUNDED_TO_TWO}\n"),
    );
    let message = l.reject(&["reconcile", "assets:bank", "--statement", &plain]);
    assert!(message.contains("april.csv:2: balance:"), "{message}");
    assert!(message.contains(TOO_MANY_DIGITS), "{message}");
}

#[test]
fn thousands_separators_are_taken_only_between_groups_of_three() {
    let l = TempLedger::new();
    let comma = mapping(&l, true);
    let point = mapping(&l, false);
    let bad: &[(&str, &str)] = &[
        ("12.5", "comma"),
        ("1.2.3.4,00", "comma"),
        ("1,2,3.00", "comma"),
        (".123,00", "comma"),
        ("1..234,00", "comma"),
        ("1.234.,00", "comma"),
        ("1.234.", "comma"),
        ("1.23,00", "comma"),
        ("1234.567,00", "comma"),
        ("1.234,567.8", "comma"),
        ("-.123,00", "comma"),
        ("(1.2345,00)", "comma"),
        ("12,5", "point"),
        ("1,2,3.00", "point"),
        (",123.00", "point"),
        ("1,,234.00", "point"),
        ("1,234,", "point"),
        ("1.234,56", "point"),
        ("1,23.4", "point"),
    ];
    for (i, (amount, style)) in bad.iter().enumerate() {
        let file = write(&l, &format!("bad-{i}.csv"), &statement(amount));
        let map = if *style == "comma" { &comma } else { &point };
        let message = l.reject(&["import", &file, "--mapping", map]);
        let wanted = format!("bad-{i}.csv:2: amount: ");
        assert!(message.contains(&wanted), "{amount}: {message}");
        assert!(message.contains(&format!("(`{amount}`)")), "{amount}: {message}");
        assert!(message.contains("groups of three"), "{amount}: {message}");
    }
    let good: &[(&str, &str, &str)] = &[
        ("1.234,56", "comma", "1234.56"),
        ("12.345.678,00", "comma", "12345678.00"),
        ("1234,56", "comma", "1234.56"),
        ("1.234,5", "comma", "1234.50"),
        ("-1.234,56", "comma", "-1234.56"),
        ("(1.234,56)", "comma", "-1234.56"),
        ("+999", "comma", "999.00"),
        ("0,5", "comma", "0.50"),
        ("1,234.56", "point", "1234.56"),
        ("12,345,678.00", "point", "12345678.00"),
        ("1234.56", "point", "1234.56"),
        ("123", "point", "123.00"),
    ];
    for (i, (amount, style, exact)) in good.iter().enumerate() {
        let l = TempLedger::new();
        // A withdrawal needs money in the bank to come from.
        l.run(&[
            "entry",
            "--date",
            "2026-01-01",
            "--desc",
            "opening",
            "-p",
            "assets:bank 20000000",
            "-p",
            "equity:opening -20000000",
        ]);
        let map = mapping(&l, *style == "comma");
        let file = write(&l, &format!("good-{i}.csv"), &statement(amount));
        l.run(&["import", &file, "--mapping", &map]);
        let postings = &l.json(&["show", "2"])["postings"];
        let bank = postings
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["account"] == "assets:bank")
            .unwrap();
        assert_eq!(bank["amount"], *exact, "{amount}");
    }
}

/// A field of 100 KiB (a pasted blob, or a file that is not CSV at all).
fn huge() -> String {
    "A".repeat(100 * 1024)
}

/// An oversized field is refused on one short line, naming the place, the size and the
/// limit and showing only the start of the value.
fn assert_short_refusal(message: &str, place: &str) {
    let line = message
        .lines()
        .find(|l| l.contains("65536"))
        .unwrap_or_else(|| panic!("no line names the limit: {}", &message[..message.len().min(600)]));
    assert!(line.len() < 300, "{} bytes: {line}", line.len());
    assert!(line.contains(place), "{line}");
    assert!(line.contains("…`"), "{line}");
    assert!(message.len() < 1_000, "{} bytes of errors", message.len());
}

#[test]
fn a_field_longer_than_64_kib_is_refused_in_one_short_line() {
    let l = TempLedger::new();
    let big = huge();
    let simple_file = write(
        &l,
        "simple.csv",
        &format!("{SIMPLE_HEADER}2026-03-01,{big},assets:bank,income:donations,10.00,,,Ana,\n2026-03-02,Gift,assets:bank,income:donations,5.00,,,Bo,\n"),
    );
    let message = l.reject(&["import", &simple_file]);
    assert_short_refusal(&message, "simple.csv:2: description: is 102400 bytes long");
    let journal_file = write(
        &l,
        "journal.csv",
        &format!(
            "{JOURNAL_HEADER}1,2026-03-01,Gift,assets:bank,general,10.00,,USD,Ana,,\"{big}\",,,,\n1,2026-03-01,Gift,income:donations,general,,10.00,USD,Ana,,\"{big}\",,,,\n"
        ),
    );
    let message = l.reject(&["import", &journal_file]);
    assert_short_refusal(&message, "journal.csv:2: memo: is 102400 bytes long");
    let comma = mapping(&l, true);
    let statement_file = write(
        &l,
        "statement.csv",
        &format!("date,description,amount\n2026-03-01,{big},\"10,00\"\n"),
    );
    let message = l.reject(&["import", &statement_file, "--mapping", &comma]);
    assert_short_refusal(&message, "statement.csv:2: description: is 102400 bytes long");
    let message = l.reject(&["reconcile", "assets:bank", "--statement", &statement_file]);
    assert_short_refusal(&message, "statement.csv:2: description: is 102400 bytes long");
    // A cut cell of 20,000 lines: the rows after it keep their physical line numbers.
    let lines = "line\n".repeat(20_000);
    let tall = write(
        &l,
        "tall.csv",
        &format!("{SIMPLE_HEADER}2026-03-01,\"{lines}\",assets:bank,income:donations,10.00,,,Ana,\n2026-03-02,Gift,assets:bank,income:donations,oops,,,Bo,\n"),
    );
    let message = l.reject(&["import", &tall]);
    assert_short_refusal(&message, "tall.csv:2: description: is 100000 bytes long");
    assert!(
        message.contains("tall.csv:20003: amount: not a plain decimal number"),
        "{message}"
    );
    // A header that is one giant cell.
    let blob = write(&l, "blob.csv", &format!("{big}\n"));
    let message = l.reject(&["import", &blob]);
    assert_short_refusal(&message, "blob.csv:1: column 1: is 102400 bytes long");
    // On the command line, before anything reads it.
    let message = l.reject(&["donation", "10", "--donor", "Ana", "--desc", &big]);
    assert_short_refusal(&message, "invalid --desc `AAAA");
    let message = l.reject(&["donation", &big, "--donor", "Ana"]);
    // Arguments are counted after `fondo`: `--db PATH donation AMOUNT`.
    assert_short_refusal(&message, "invalid argument 4 `AAAA");
    let message = l.reject(&["--format", &big, "report", "balance"]);
    assert_short_refusal(&message, "invalid --format `AAAA");
    // As an answer to `fondo add`.
    let out = l
        .cmd()
        .arg("add")
        .write_stdin(format!("donation\n2026-03-01\n{big}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default();
    assert!(
        error.contains("answer 3 (to `Donor`) is longer than 65536 bytes"),
        "{error}"
    );
    assert!(stderr.len() < 1_000, "{} bytes on stderr", stderr.len());
}

#[test]
fn long_values_are_shown_shortened_in_errors() {
    let l = TempLedger::new();
    // Under the field limit, but over what any text field takes.
    let long = "B".repeat(5_000);
    let message = l.reject(&["donation", "10", "--donor", "Ana", "--desc", &long]);
    assert!(message.len() < 300, "{message}");
    assert!(message.contains("BBBB…"), "{message}");
    assert!(
        message.contains("longer than 1000 characters (it has 5000)"),
        "{message}"
    );
}

/// A character that must never reach a terminal raw.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn assert_clean(what: &str, text: &str) {
    let found: Vec<char> = text.chars().filter(|c| unsafe_char(*c)).collect();
    assert!(found.is_empty(), "{what} carries {found:?}: {text:?}");
}

#[test]
fn file_names_with_control_and_format_characters_are_shown_escaped() {
    let l = TempLedger::new();
    let name = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{202e}vsc.csv";
    let good = l.dir.path().join(name);
    std::fs::write(&good, simple("10.00")).unwrap();
    let good = good.to_str().unwrap();
    // (CSV and JSON output carry the name as data, escaped as those formats escape.)
    let out = l.cmd().args(["import", good, "--dry-run"]).output().unwrap();
    assert!(out.status.success());
    assert_clean("the import summary", &String::from_utf8(out.stdout).unwrap());
    assert_clean("stderr", &String::from_utf8(out.stderr).unwrap());
    let summary = l.run(&["import", good]);
    assert_clean("the import summary", &summary);
    assert!(summary.contains("evil\\u{1b}]0;pwned\\u{7}"), "{summary}");
    assert!(summary.contains("\\u{202e}vsc.csv"), "{summary}");
    // Where the transaction came from, as `show` prints it.
    assert_clean("show", &l.run(&["show", "1"]));
    let bad_path = l.dir.path().join(name.replace("evil", "bad"));
    std::fs::write(&bad_path, simple("oops")).unwrap();
    let message = l.reject(&["import", bad_path.to_str().unwrap()]);
    assert_clean("the error", &message);
    assert!(message.contains("bad\\u{1b}]0;pwned"), "{message}");
    // A value on the command line is escaped the same way.
    let message = l.reject(&[
        "donation",
        "10",
        "--donor",
        "Ana\u{202e}",
        "--into",
        "assets:\u{1b}[2Jbank",
    ]);
    assert_clean("the error", &message);
    let message = l.reject(&[
        "reconcile",
        "assets:bank",
        "--statement",
        &format!("{good}.missing"),
    ]);
    assert_clean("the error", &message);
    // Invisible characters never reach the ledger (see names.rs); refusing them names
    // them escaped.
    for (donor, desc) in [("Ana\u{200b}\u{2066}", "gift"), ("Ana", "gift\u{202e}")] {
        let message = l.reject(&["donation", "5", "--donor", donor, "--desc", desc]);
        assert_clean("the error", &message);
    }
    assert_clean("the register", &l.run(&["report", "register"]));
    assert_clean("show", &l.run(&["show", "1"]));
}

#[test]
fn usage_errors_do_not_echo_control_characters() {
    let l = TempLedger::new();
    let out = l
        .cmd()
        .args([
            "--format",
            "a\u{1b}]0;pwned\u{7}b\rc\u{202e}d",
            "report",
            "balance",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_clean("the usage error", &stderr);
    // clap drops escape sequences when it renders plain text; fondo escapes the rest.
    assert!(stderr.contains("b\\rc\\u{202e}d"), "{stderr}");
}

/// The digits of a plain decimal without its sign, leading zeros before the point or
/// trailing zeros after it: the number's value, as text.
fn normalised(text: &str) -> String {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let digits = match (whole.is_empty(), fraction.is_empty()) {
        (_, true) if whole.is_empty() => return "0".into(),
        (_, true) => whole.to_string(),
        (true, false) => format!("0.{fraction}"),
        (false, false) => format!("{whole}.{fraction}"),
    };
    if negative {
        format!("-{digits}")
    } else {
        digits
    }
}

fn digit_count(text: &str) -> usize {
    text.bytes().filter(u8::is_ascii_digit).count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A decimal parses to exactly the number written, or is refused: never another number.
    #[test]
    fn a_decimal_parses_exactly_or_not_at_all(
        negative in any::<bool>(),
        whole in "[0-9]{1,34}",
        fraction in proptest::option::of("[0-9]{1,34}"),
    ) {
        let text = format!(
            "{}{whole}{}",
            if negative { "-" } else { "" },
            fraction.as_ref().map_or(String::new(), |f| format!(".{f}"))
        );
        match parse_decimal(&text) {
            Ok(value) => {
                prop_assert!(digit_count(&text) <= 28, "{} has more than 28 digits", text);
                prop_assert_eq!(normalised(&value.normalize().to_string()), normalised(&text));
            }
            Err(problem) => {
                prop_assert!(digit_count(&text) > 28, "{}: {}", text, problem);
                prop_assert!(problem.contains(TOO_MANY_DIGITS), "{}", problem);
            }
        }
    }

    /// A statement's number, with separators wherever they fall: its value is its digits
    /// with the separators taken out, or it is refused.
    #[test]
    fn a_statement_number_keeps_its_digits_or_is_refused(text in "[-+(]?[0-9.,]{1,16}[)]?", decimal_comma in any::<bool>()) {
        let style = NumberStyle {
            decimal_comma,
            thousands_separator: Some(if decimal_comma { '.' } else { ',' }),
        };
        if let Ok(value) = style.plain(&text).and_then(|plain| parse_decimal(&plain)) {
            let (separator, mark) = if decimal_comma { ('.', ',') } else { (',', '.') };
            let negative = text.starts_with('-') || (text.starts_with('(') && text.ends_with(')'));
            let digits: String = text
                .chars()
                .filter(|c| *c != separator && !"+-()".contains(*c))
                .map(|c| if c == mark { '.' } else { c })
                .collect();
            let expected = if negative { format!("-{digits}") } else { digits };
            prop_assert_eq!(normalised(&value.normalize().to_string()), normalised(&expected), "{}", text);
            // Separators stood only between groups of three digits before the mark.
            let whole = text.split(mark).next().unwrap_or_default();
            for group in whole.split(separator).skip(1) {
                prop_assert_eq!(group.trim_end_matches(')').len(), 3, "{}", text);
            }
        }
    }
}
