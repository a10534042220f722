//! Values in one currency: `fondo rate add/list` and `--value CUR` on the reports, with
//! exact decimal expectations.

use serde_json::Value;

use crate::common::TempLedger;
use crate::erasure::{holds, ledger_bytes};
use crate::tamper::edit_without_triggers;

/// A USD ledger that gave 100.00 USD for 7,300.00 VES on 2026-03-05 (#2).
fn with_bolivars() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["donation", "500", "--donor", "Ana", "--date", "2026-03-01"]);
    l.run(&[
        "exchange",
        "100",
        "USD",
        "--to",
        "VES",
        "--rate",
        "73",
        "--date",
        "2026-03-05",
    ]);
    l
}

/// The rows of a valued report's JSON for `line`, as (currency, amount, rate, source, value).
fn valued(report: &Value, line: &str) -> Vec<[String; 5]> {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    report
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["line"] == line)
        .map(|r| {
            [
                text(&r["currency"]),
                text(&r["amount"]),
                text(&r["rate"]),
                text(&r["rate_source"]),
                text(&r["value"]),
            ]
        })
        .collect()
}

fn row(cells: [&str; 5]) -> [String; 5] {
    cells.map(str::to_string)
}

#[test]
fn an_inverse_rate_divides_bolivars_exactly() {
    let l = with_bolivars();
    let added = l.run(&["rate", "add", "USD", "VES", "36.50", "--date", "2026-03-01"]);
    assert_eq!(added, "rate #1: 1 USD = 36.50 VES on 2026-03-01\n");
    let report = l.json(&["report", "funds", "--value", "USD", "--to", "2026-03-31"]);
    // 7,300.00 VES ÷ 36.50 = 200.00 USD: the entered rate, not the exchange's 73.
    assert_eq!(
        valued(&report, "closing"),
        vec![
            row(["USD", "400.00", "1", "same currency", "400.00"]),
            row(["VES", "7300.00", "1/36.50", "rate #1", "200.00"]),
            row(["total", "", "", "", "600.00"]),
        ]
    );
    let total = report
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["line"] == "closing" && r["currency"] == "total");
    assert_eq!(total.unwrap()["value_exact"], "600");
    assert_eq!(total.unwrap()["value_currency"], "USD");
}

#[test]
fn without_a_rate_the_ledgers_own_exchange_is_used() {
    let l = with_bolivars();
    let report = l.json(&["report", "funds", "--value", "USD", "--to", "2026-03-31"]);
    assert_eq!(
        valued(&report, "closing")[1],
        row(["VES", "7300.00", "100.00/7300.00", "exchange #2", "100.00"])
    );
    // And the other way: USD valued in VES at what the exchange got per dollar.
    let report = l.json(&["report", "funds", "--value", "VES", "--to", "2026-03-31"]);
    assert_eq!(
        valued(&report, "closing")[0],
        row(["USD", "400.00", "7300.00/100.00", "exchange #2", "29200.00"])
    );
}

#[test]
fn the_rate_nearest_on_or_before_the_reports_date_is_used() {
    let l = with_bolivars();
    l.run(&["rate", "add", "VES", "USD", "0.025", "--date", "2026-03-10"]);
    l.run(&["rate", "add", "VES", "USD", "0.02", "--date", "2026-04-01"]);
    let at = |to: &str| {
        valued(
            &l.json(&["report", "funds", "--value", "USD", "--to", to]),
            "closing",
        )[1]
        .clone()
    };
    assert_eq!(
        at("2026-03-31"),
        row(["VES", "7300.00", "0.025", "rate #1", "182.50"])
    );
    assert_eq!(
        at("2026-04-01"),
        row(["VES", "7300.00", "0.02", "rate #2", "146.00"])
    );
    // Before the first rate, the exchange of 2026-03-05 is all there is.
    assert_eq!(at("2026-03-09")[3], "exchange #2");
    // A later direct rate wins over an earlier inverse one, and the other way round.
    l.run(&["rate", "add", "USD", "VES", "40", "--date", "2026-04-02"]);
    assert_eq!(
        at("2026-04-30"),
        row(["VES", "7300.00", "1/40", "rate #3", "182.50"])
    );
}

#[test]
fn values_are_summed_unrounded_and_rounded_once_half_even() {
    let l = TempLedger::new();
    l.run(&[
        "donation",
        "0.05",
        "--donor",
        "Ana",
        "--currency",
        "EUR",
        "--date",
        "2026-03-01",
    ]);
    l.run(&[
        "donation",
        "0.05",
        "--donor",
        "Bo",
        "--currency",
        "GBP",
        "--date",
        "2026-03-01",
    ]);
    l.run(&["rate", "add", "EUR", "USD", "1.08", "--date", "2026-03-01"]);
    l.run(&["rate", "add", "GBP", "USD", "1.27", "--date", "2026-03-01"]);
    let report = l.json(&["report", "funds", "--value", "USD", "--to", "2026-03-31"]);
    let raised = valued(&report, "raised");
    // 0.054 + 0.0635 = 0.1175, shown 0.12; each rounded first would give 0.05 + 0.06 = 0.11.
    assert_eq!(raised[0][4], "0.05");
    assert_eq!(raised[1][4], "0.06");
    assert_eq!(raised[2], row(["total", "", "", "", "0.12"]));
    let exact: Vec<&Value> = report
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["line"] == "raised")
        .map(|r| &r["value_exact"])
        .collect();
    assert_eq!(exact, ["0.054", "0.0635", "0.1175"]);
    // The table says why 0.05 + 0.06 shows as 0.12.
    let table = l.run(&["report", "funds", "--value", "USD", "--to", "2026-03-31"]);
    assert!(
        table.contains("each valued amount is rounded once from the exact sum, so lines may differ from their total (here by up to 0.01 USD)"),
        "{table}"
    );
}

#[test]
fn every_valued_report_says_which_rate_it_used_and_ties_out() {
    let l = with_bolivars();
    l.run(&["rate", "add", "USD", "VES", "36.50", "--date", "2026-03-01"]);
    for report in [
        vec!["balance", "--to", "2026-03-31"],
        vec!["funds", "--to", "2026-03-31"],
        vec!["activities", "--to", "2026-03-31"],
        vec!["position", "--at", "2026-03-31"],
    ] {
        let mut args = vec!["report"];
        args.extend(&report);
        args.extend(["--value", "USD"]);
        let table = l.run(&args);
        assert!(
            table.contains("valued in USD at the rates on or before 2026-03-31"),
            "{table}"
        );
        assert!(
            table.contains("VES→USD: ÷ 36.50 (the inverse of a USD→VES rate), rate #1 of 2026-03-01"),
            "{table}"
        );
        assert!(table.contains("rounded once (half-even)"), "{table}");
        // Every total re-adds from its lines as shown: no note on rounding.
        assert!(!table.contains("lines may differ"), "{table}");
        assert!(
            table
                .lines()
                .any(|l| l.starts_with("tie-out USD: each total") && l.ends_with(": ok")),
            "{table}"
        );
        let csv = l.run(&[&["--format", "csv"][..], &args].concat());
        assert!(
            csv.starts_with(
                "line,currency,amount,rate,rate_date,rate_source,value,value_currency,value_exact\n"
            ),
            "{csv}"
        );
        assert!(
            csv.contains(",VES,7300.00,1/36.50,2026-03-01,rate #1,200.00,USD,200\n"),
            "{report:?}: {csv}"
        );
    }
    let position = l.run(&["report", "position", "--at", "2026-03-31", "--value", "USD"]);
    assert!(
        position.contains("assets 600.00 = liabilities and net assets 600.00: ok"),
        "{position}"
    );
    let balance = l.run(&["report", "balance", "--value", "USD"]);
    assert!(
        balance.contains("; debits 800.00 = credits 800.00: ok"),
        "{balance}"
    );
}

#[test]
fn amounts_and_rates_are_json_strings() {
    let l = with_bolivars();
    l.run(&["rate", "add", "VES", "USD", "0.025", "--date", "2026-03-01"]);
    let report = l.json(&["report", "position", "--value", "USD", "--at", "2026-03-31"]);
    for r in report.as_array().unwrap() {
        for key in ["amount", "rate", "value", "value_exact"] {
            assert!(r[key].is_string() || r[key].is_null(), "{key}: {r}");
        }
        assert!(r["value"].is_string(), "{r}");
    }
    let rates = l.json(&["rate", "list"]);
    assert_eq!(rates[0]["rate"], "0.025");
    assert_eq!(rates[0]["date"], "2026-03-01");
}

#[test]
fn without_value_the_reports_are_unchanged() {
    let l = with_bolivars();
    // The chain head under the table moves with the rate's entry; the report does not.
    let report = || {
        let out = l.run(&["report", "funds"]);
        out.lines()
            .filter(|l| !l.starts_with("chain head"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let before = report();
    l.run(&["rate", "add", "USD", "VES", "36.50", "--date", "2026-03-01"]);
    assert_eq!(report(), before);
    assert!(!before.contains("valued in"));
}

#[test]
fn a_missing_rate_is_refused_and_nothing_is_printed() {
    let l = with_bolivars();
    l.run(&[
        "donation",
        "10",
        "--donor",
        "Cy",
        "--currency",
        "EUR",
        "--date",
        "2026-03-01",
    ]);
    let error = l.reject(&["report", "funds", "--value", "USD", "--to", "2026-03-31"]);
    assert_eq!(
        error,
        "error: no rate from EUR to USD on or before 2026-03-31: add one with `fondo rate add EUR USD RATE --date D`\n"
    );
    let out = l
        .cmd()
        .args(["report", "position", "--value", "USD"])
        .output()
        .unwrap();
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    // A rate after the report's date does not help.
    l.run(&["rate", "add", "EUR", "USD", "1.08", "--date", "2026-04-01"]);
    l.reject(&["report", "funds", "--value", "USD", "--to", "2026-03-31"]);
    l.run(&["report", "funds", "--value", "USD", "--to", "2026-04-01"]);
}

#[test]
fn bad_rates_are_refused_with_the_field_named() {
    let l = with_bolivars();
    let cases = [
        (vec!["EUR", "EUR", "1"], "error: invalid TO `EUR`: must differ from FROM (EUR): a rate is between two currencies\n"),
        (vec!["EUR", "USD", "0"], "error: invalid RATE `0`: must be greater than zero (units of TO per unit of FROM, e.g. `1.08`)\n"),
        (vec!["EUR", "USD", "-1.08"], "error: invalid RATE `-1.08`: must be greater than zero (units of TO per unit of FROM, e.g. `1.08`)\n"),
        (vec!["EUR", "USD", "1,08"], "error: invalid RATE `1,08`: use a point for decimals and no thousands separators (e.g. `1250.00`)\n"),
        (vec!["eur", "USD", "1.08"], "error: invalid FROM `eur`: currency codes are upper case: write `EUR`\n"),
        (vec!["EUR", "XYZ", "1.08"], "error: invalid TO `XYZ`: not an ISO 4217 currency code (e.g. `USD`, `VES`, `EUR`)\n"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["rate", "add", "--date", "2026-03-01", "--"];
        all.extend(&args);
        assert_eq!(l.reject(&all), expected, "{args:?}");
    }
    let error = l.reject(&["report", "balance", "--value", "usd"]);
    assert_eq!(
        error,
        "error: invalid --value `usd`: currency codes are upper case: write `USD`\n"
    );
}

#[test]
fn a_second_rate_for_the_same_day_needs_correct_and_keeps_the_first() {
    let l = with_bolivars();
    l.run(&["rate", "add", "VES", "USD", "0.025", "--date", "2026-03-01"]);
    let error = l.reject(&["rate", "add", "VES", "USD", "0.026", "--date", "2026-03-01"]);
    assert_eq!(
        error,
        "error: a rate from VES to USD on 2026-03-01 is already recorded (rate #1: 0.025); give --correct to replace it, the old one stays on record\n"
    );
    let error = l.reject(&[
        "rate",
        "add",
        "VES",
        "USD",
        "0.026",
        "--date",
        "2026-03-02",
        "--correct",
    ]);
    assert_eq!(
        error,
        "error: invalid --correct `VES USD 2026-03-02`: there is no rate for this pair and day to correct; leave out --correct\n"
    );
    l.run(&[
        "rate",
        "add",
        "VES",
        "USD",
        "0.026",
        "--date",
        "2026-03-01",
        "--correct",
    ]);
    let rates = l.json(&["rate", "list"]);
    assert_eq!(rates[1]["corrects"], "#1");
    assert_eq!(rates[0]["rate"], "0.025");
    let report = l.json(&["report", "funds", "--value", "USD", "--to", "2026-03-31"]);
    assert_eq!(
        valued(&report, "closing")[1],
        row(["VES", "7300.00", "0.026", "rate #2", "189.80"])
    );
    assert_eq!(l.json(&["verify"])["ok"], true);
}

#[test]
fn a_forged_rate_is_caught_by_verify() {
    let l = with_bolivars();
    l.run(&["rate", "add", "VES", "USD", "0.025", "--date", "2026-03-01"]);
    edit_without_triggers(&l, "UPDATE rates SET rate = '0.25' WHERE id = 1", true);
    let out = l.cmd().args(["--format", "json", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let problem = report["problems"][0].as_str().unwrap();
    assert!(
        problem.starts_with("rates (id 1): changed outside fondo: rate is `0.25`"),
        "{problem}"
    );
}

#[test]
fn a_deleted_rate_is_caught_by_verify() {
    let l = with_bolivars();
    l.run(&["rate", "add", "VES", "USD", "0.025", "--date", "2026-03-01"]);
    edit_without_triggers(&l, "DELETE FROM rates", true);
    let out = l.cmd().args(["--format", "json", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("rates (id 1)"),
        "{report}"
    );
}

#[test]
fn the_public_page_values_its_flow_and_names_the_rate() {
    let l = with_bolivars();
    l.run(&["rate", "add", "USD", "VES", "36.50", "--date", "2026-03-01"]);
    // Enough donors for a page of March alone.
    for donor in ["Bo", "Cy", "Di", "Ed"] {
        l.run(&["donation", "500", "--donor", donor, "--date", "2026-03-02"]);
    }
    let page = l.run(&[
        "--format",
        "md",
        "report",
        "transparency",
        "--to",
        "2026-03-31",
        "--value",
        "USD",
    ]);
    // One valuation on the page: not also the older section valued at the exchanges alone,
    // whose total differed (regression: both were printed, contradicting each other).
    assert!(!page.contains("All currencies together"), "{page}");
    assert_eq!(page.matches("## Valued in").count(), 1, "{page}");
    let section = page.split("## Valued in USD\n").nth(1).expect("a valued section");
    let section = section.split("\n## ").next().unwrap_or_default();
    // 2,500.00 USD raised; 100.00 USD sold and 7,300.00 VES bought (200.00 USD at 1/36.50).
    assert!(
        section.contains("| came in — Raised from donors | 2,500.00 USD |"),
        "{section}"
    );
    assert!(
        section.contains("| came in — total | 2,700.00 USD |"),
        "{section}"
    );
    assert!(
        section.contains("| went, or is held now — total | 2,700.00 USD |"),
        "{section}"
    );
    assert!(
        section.contains("- VES→USD: ÷ 36.50 (the inverse of a USD→VES rate), rate #1 of 2026-03-01."),
        "{section}"
    );
    assert!(
        section.contains("came in — total 2700.00 = went, or is held now — total 2700.00: ok"),
        "{section}"
    );
    assert!(!section.contains("Ana"), "{section}");
    // Without --value the page has no such section; with a missing rate it is not written.
    let plain = l.run(&["--format", "md", "report", "transparency", "--to", "2026-03-31"]);
    assert!(!plain.contains("Valued in"));
    assert!(plain.contains("## All currencies together, in USD"), "{plain}");
    let error = l.reject(&["report", "transparency", "--to", "2026-03-31", "--value", "EUR"]);
    assert_eq!(
        error,
        "error: no rate from USD to EUR on or before 2026-03-31: add one with `fondo rate add USD EUR RATE --date D`\n"
    );
}

/// Without an entered rate, the page's one valued section values a currency at the
/// ledger's latest exchange, and says so.
#[test]
fn the_public_page_values_at_the_exchange_when_no_rate_was_entered() {
    let l = with_bolivars();
    for donor in ["Bo", "Cy", "Di", "Ed"] {
        l.run(&["donation", "500", "--donor", donor, "--date", "2026-03-02"]);
    }
    let args = ["--format", "md", "report", "transparency", "--to", "2026-03-31"];
    let page = l.run(&[&args[..], &["--value", "USD"]].concat());
    assert!(!page.contains("All currencies together"), "{page}");
    assert!(page.contains("| came in — total | 2,600.00 USD |"), "{page}");
    assert!(
        page.contains(
            "- VES→USD: × 100.00 ÷ 7300.00 (what the exchange gave and got), exchange #2 of 2026-03-05."
        ),
        "{page}"
    );
}

/// A rate holds no donor's text, but it does keep who entered it: `donor forget` erases that
/// name from the rate's entry and row like any other entry's, and the valued reports stay.
#[test]
fn forgetting_who_entered_a_rate_erases_the_name_everywhere() {
    let l = with_bolivars();
    l.run(&["donation", "5", "--donor", "Ana Pérez", "--date", "2026-03-02"]);
    l.run(&[
        "--by",
        "Ana Pérez",
        "rate",
        "add",
        "VES",
        "USD",
        "0.025",
        "--date",
        "2026-03-01",
    ]);
    let valued = || {
        l.run(&[
            "--format",
            "csv",
            "report",
            "funds",
            "--value",
            "USD",
            "--to",
            "2026-03-31",
        ])
    };
    let before = valued();
    l.run(&["donor", "forget", "Ana Pérez", "--yes"]);
    let bytes = ledger_bytes(&l);
    assert!(!holds(&bytes, "Ana Pérez".as_bytes()), "the name is in the file");
    assert_eq!(l.json(&["rate", "list"])[0]["entered_by"], "forgotten donor 1");
    assert_eq!(valued(), before);
    assert_eq!(l.json(&["verify"])["ok"], true);
}

/// The valued tables fit 80 columns like the reports above them: no line wider, no number or
/// date cut; the rate's source, if hidden, is still named under the table.
#[test]
fn valued_tables_fit_80_columns() {
    let l = crate::export::sample();
    for report in [
        vec!["balance", "--to", "2026-02-11"],
        vec!["funds", "--to", "2026-02-11"],
        vec!["activities", "--to", "2026-02-11"],
        vec!["position", "--at", "2026-02-11"],
        vec!["campaign", "--to", "2026-02-11"],
    ] {
        let out = l
            .cmd()
            .env("COLUMNS", "80")
            .args([&["report"][..], &report, &["--value", "USD"]].concat())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{report:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let table = String::from_utf8(out.stdout).unwrap();
        for line in table.lines().filter(|l| !l.starts_with("chain head")) {
            assert!(line.chars().count() <= 80, "{report:?}: {line}");
            for cell in line.split(['│', '┆']).map(str::trim) {
                let cut =
                    cell.contains('…') && cell.chars().any(|c| c.is_ascii_digit()) && !cell.contains(' ');
                assert!(!cut, "{report:?}: a cut number or date `{cell}`");
            }
        }
        assert!(
            table.contains("valued in USD at the rates on or before 2026-02-11"),
            "{table}"
        );
        // The campaign's targets are all in dollars: it needs no rate.
        let rated = report[0] != "campaign";
        assert_eq!(table.contains("exchange #462"), rated, "{report:?}: {table}");
    }
}

#[test]
fn an_audit_pack_rebuilds_the_rates() {
    let l = with_bolivars();
    l.run(&["rate", "add", "VES", "USD", "0.025", "--date", "2026-03-01"]);
    l.run(&[
        "rate",
        "add",
        "VES",
        "USD",
        "0.026",
        "--date",
        "2026-03-01",
        "--correct",
    ]);
    let pack = l.path.with_file_name("pack");
    l.run(&["export", "audit", pack.to_str().unwrap()]);
    let rebuilt = TempLedger::uninitialized();
    rebuilt.run(&["rebuild", pack.to_str().unwrap()]);
    assert_eq!(rebuilt.json(&["rate", "list"]), l.json(&["rate", "list"]));
    let valued = |l: &TempLedger| l.json(&["report", "funds", "--value", "USD", "--to", "2026-03-31"]);
    assert_eq!(valued(&rebuilt), valued(&l));
}
