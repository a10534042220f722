//! The accountability reports on the worked example, against figures worked out by hand
//! (see `workflow::worked_example` for its nine transactions).

use serde_json::Value;

use crate::common::{pick, TempLedger};
use crate::workflow::worked_example;

fn rows(report: &Value, kind: &str, keys: &[&str]) -> Vec<Vec<String>> {
    let mut with_kind = vec!["row"];
    with_kind.extend_from_slice(keys);
    pick(report, &with_kind)
        .into_iter()
        .filter(|r| r[0] == kind)
        .map(|r| r[1..].to_vec())
        .collect()
}

const FLOW_KEYS: [&str; 13] = [
    "fund",
    "currency",
    "opening",
    "raised",
    "fees",
    "granted",
    "moved",
    "closing",
    "at_bank",
    "at_processor",
    "held_by_union",
    "target",
    "percent",
];

#[test]
fn funds_report_by_hand() {
    let l = worked_example();
    let report = l.json(&["report", "funds"]);
    assert_eq!(
        rows(&report, "fund", &FLOW_KEYS),
        [
            // general: 250 + 50 − 50 raised; 5.00 wire fee; 150 granted; 45.00 in the bank
            // (250 + 50 − 50 − 205) and 50.00 held by the union (200 − 150).
            [
                "general", "USD", "0.00", "250.00", "5.00", "150.00", "0.00", "95.00", "45.00", "0.00",
                "50.00", "null", "null"
            ],
            // tires: 100 raised, 3.20 fee, 96.80 granted to the union's programme; 40% of 250.
            [
                "tires", "USD", "0.00", "100.00", "3.20", "96.80", "0.00", "0.00", "0.00", "0.00", "0.00",
                "250.00", "40.0"
            ],
        ]
    );
    assert_eq!(
        rows(
            &report,
            "total",
            &["currency", "raised", "fees", "granted", "closing", "tied_out"]
        ),
        [["USD", "350.00", "8.20", "246.80", "95.00", "true"]]
    );
    assert!(report.as_array().unwrap().iter().all(|r| r["tied_out"] == true));
    // From 6 March: general opens with 250.00 in the bank, tires with 96.80.
    let later = l.json(&["report", "funds", "--from", "2026-03-06"]);
    assert_eq!(
        rows(
            &later,
            "fund",
            &["fund", "opening", "raised", "fees", "granted", "closing"]
        ),
        [
            ["general", "250.00", "0.00", "5.00", "150.00", "95.00"],
            ["tires", "96.80", "0.00", "0.00", "96.80", "0.00"]
        ]
    );
    let table = l.run(&["report", "funds"]);
    assert!(table.contains("tie-out USD: opening 0.00 + raised 350.00 - fees 8.20 - granted 246.80 - spent 0.00 + moved 0.00 = closing 95.00 = bank 45.00 + processor 0.00 + union 50.00 + other 0.00: ok"), "{table}");
}

#[test]
fn union_report_by_hand() {
    let l = worked_example();
    let report = l.json(&["report", "union", "--to", "2026-03-31"]);
    assert_eq!(
        rows(
            &report,
            "fund",
            &[
                "fund",
                "sent",
                "allocated",
                "held",
                "oldest_unallocated_date",
                "days_held",
                "stale"
            ]
        ),
        [
            // 200 sent on 6 March, 150 passed on: 50 of that send is still held, 25 days later.
            [
                "general",
                "200.00",
                "150.00",
                "50.00",
                "2026-03-06",
                "25",
                "false"
            ],
            ["tires", "96.80", "96.80", "0.00", "null", "null", "false"],
        ]
    );
    assert_eq!(
        rows(&report, "allocation", &["fund", "recipient", "allocated"]),
        [["general", "el-maizal", "150.00"], ["tires", "union", "96.80"]]
    );
    let strict = l.json(&["report", "union", "--to", "2026-03-31", "--stale-days", "20"]);
    assert_eq!(strict[0]["stale"], true);
    let table = l.run(&["report", "union", "--to", "2026-03-31", "--stale-days", "20"]);
    assert!(
        table.contains(
            "STALE: the union has held USD money of fund `general` since 2026-03-06 (25 days, more than 20)"
        ),
        "{table}"
    );
    assert!(table.contains("tie-out general USD: opening 0.00 + sent 200.00 - allocated 150.00 = held 50.00 = assets:union 50.00: ok"), "{table}");
    // Before the allocations, everything sent is still held.
    let early = l.json(&["report", "union", "--to", "2026-03-10"]);
    assert_eq!(
        rows(&early, "fund", &["fund", "held"]),
        [["general", "200.00"], ["tires", "96.80"]]
    );
}

#[test]
fn communes_report_and_statement_by_hand() {
    let l = worked_example();
    let report = l.json(&["report", "communes"]);
    assert_eq!(
        rows(
            &report,
            "commune",
            &[
                "commune",
                "state",
                "currency",
                "direct",
                "via_union",
                "total",
                "confirmed",
                "unconfirmed",
                "last_date"
            ]
        ),
        [[
            "el-maizal",
            "Lara",
            "USD",
            "0.00",
            "150.00",
            "150.00",
            "150.00",
            "0.00",
            "2026-03-12"
        ]]
    );
    assert_eq!(
        rows(&report, "fund", &["commune", "fund", "total"]),
        [["el-maizal", "general", "150.00"]]
    );
    assert_eq!(
        rows(&report, "total", &["currency", "total", "tied_out"]),
        [["USD", "150.00", "true"]]
    );
    // Before the commune confirmed, nothing is confirmed.
    let l2 = TempLedger::new();
    l2.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l2.run(&["donation", "300", "--donor", "Ana", "--date", "2026-03-01"]);
    l2.run(&["send", "100", "--to", "el-maizal", "--date", "2026-03-02"]);
    l2.run(&["send", "200", "--to", "union", "--date", "2026-03-02"]);
    l2.run(&["allocate", "80", "--to", "el-maizal", "--date", "2026-03-03"]);
    l2.run(&["confirm", "2"]);
    let r = l2.json(&["report", "communes"]);
    assert_eq!(
        rows(
            &r,
            "commune",
            &["direct", "via_union", "total", "confirmed", "unconfirmed"]
        ),
        [["100.00", "80.00", "180.00", "100.00", "80.00"]]
    );
    let statement = l2.json(&["report", "communes", "--commune", "El Maizal"]);
    assert_eq!(
        pick(
            &statement,
            &["txn", "via", "amount", "running_total", "confirmed"]
        ),
        [
            [
                "2",
                "direct",
                "100.00",
                "100.00",
                &chrono::Local::now().date_naive().to_string()[..]
            ],
            ["4", "union", "80.00", "180.00", "null"]
        ]
    );
}

#[test]
fn campaign_and_donors_by_hand() {
    let l = worked_example();
    let campaign = l.json(&["report", "campaign"]);
    assert_eq!(
        pick(
            &campaign,
            &["fund", "raised", "granted", "target", "percent", "progress"]
        ),
        [[
            "tires",
            "100.00",
            "96.80",
            "250.00",
            "40.0",
            "[########------------]"
        ]]
    );
    let donors = l.json(&["report", "donors"]);
    // Carla's gift was voided, so she is not a donor; largest total first.
    assert_eq!(
        rows(
            &donors,
            "donor",
            &["donor", "count", "total", "first_date", "last_date"]
        ),
        [
            ["Bruno Díaz", "1", "250.00", "2026-03-03", "2026-03-03"],
            ["Ana Pérez", "1", "100.00", "2026-03-02", "2026-03-02"]
        ]
    );
    assert_eq!(
        rows(&donors, "total", &["currency", "total", "tied_out"]),
        [["USD", "350.00", "true"]]
    );
    let table = l.run(&["report", "donors"]);
    assert!(table.contains("tie-out USD: donors 350.00 + gifts without a donor 0.00 + voided gifts 0.00 = income:donations 350.00: ok"), "{table}");
    // Pseudonyms follow first gifts: Ana #1, Bruno #2 (Carla #3, voided).
    let anonymous = l.json(&["report", "donors", "--anonymize"]);
    assert_eq!(
        rows(&anonymous, "donor", &["donor", "total"]),
        [["donor-0002", "250.00"], ["donor-0001", "100.00"]]
    );
    assert!(!l.run(&["report", "donors", "--anonymize"]).contains("Ana"));
}

#[test]
fn every_report_ties_out_on_the_sample_in_every_format() {
    let l = TempLedger::uninitialized();
    l.run(&["demo"]);
    for report in ["balance", "funds", "union", "communes", "campaign", "donors"] {
        for format in ["table", "csv", "json"] {
            let out = l.run(&["--format", format, "report", report, "--to", "2026-10-31"]);
            match format {
                "table" => assert!(
                    out.contains(": ok") && !out.contains("DOES NOT"),
                    "{report}: {out}"
                ),
                "csv" => {
                    let header = out.lines().next().unwrap();
                    assert!(
                        header.contains("tied_out"),
                        "{report} csv has no tie-out: {header}"
                    );
                    assert!(
                        !out.lines().any(|line| line.ends_with(",false")),
                        "{report}: {out}"
                    );
                }
                _ => {
                    let v: Value = serde_json::from_str(&out).unwrap();
                    assert!(
                        v.as_array().unwrap().iter().all(|r| r["tied_out"] != false),
                        "{report}"
                    );
                }
            }
        }
    }
}

#[test]
fn reports_refuse_unknown_funds_and_communes() {
    let l = worked_example();
    for report in ["funds", "union", "communes", "campaign", "donors"] {
        let message = l.reject(&["report", report, "--fund", "tirse"]);
        assert!(
            message.contains("unknown fund `tirse` (did you mean `tires`?)"),
            "{report}: {message}"
        );
    }
    let message = l.reject(&["report", "communes", "--commune", "el-maizl"]);
    assert!(
        message.contains("unknown commune `el-maizl` (did you mean `el-maizal`?)"),
        "{message}"
    );
}

/// Aging of grants, worked by hand: as of 31 May, El Maizal's 100.00 of 20 May waits 11 days,
/// its 40.00 of 10 April 51 days; Ataroa's 60.00 of 1 March 91 days (over 90); the 25.00 of 1
/// April was confirmed and the 30.00 of 2 April voided, so neither waits. The total, 200.00,
/// is the communes report's unconfirmed total; `--strict --days 60` fails on the 91 days.
#[test]
fn aging_of_grants_by_band() {
    let l = crate::common::TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["commune", "add", "Ataroa", "--state", "Lara"]);
    l.run(&["donation", "1000", "--donor", "A", "--date", "2026-02-01"]);
    for (amount, to, date) in [
        ("60", "ataroa", "2026-03-01"),
        ("25", "el-maizal", "2026-04-01"),
        ("30", "el-maizal", "2026-04-02"),
        ("40", "el-maizal", "2026-04-10"),
        ("100", "el-maizal", "2026-05-20"),
    ] {
        l.run(&["send", amount, "--to", to, "--date", date]);
    }
    l.run(&["confirm", "3", "--date", "2026-04-05"]);
    l.run(&["void", "4", "--reason", "returned", "--date", "2026-04-06"]);
    let report = l.json(&["report", "aging", "--to", "2026-05-31"]);
    assert_eq!(
        crate::common::pick(
            &report,
            &[
                "row",
                "commune",
                "days_0_30",
                "days_31_60",
                "days_61_90",
                "days_over_90",
                "total",
                "oldest"
            ]
        ),
        [
            [
                "commune",
                "ataroa",
                "0.00",
                "0.00",
                "0.00",
                "60.00",
                "60.00",
                "2026-03-01"
            ],
            [
                "commune",
                "el-maizal",
                "100.00",
                "40.00",
                "0.00",
                "0.00",
                "140.00",
                "2026-04-10"
            ],
            [
                "total",
                "total",
                "100.00",
                "40.00",
                "0.00",
                "60.00",
                "200.00",
                "2026-03-01"
            ],
        ]
    );
    assert_eq!(report[2]["tied_out"], true);
    let message = l.reject(&[
        "report",
        "aging",
        "--to",
        "2026-05-31",
        "--strict",
        "--days",
        "60",
    ]);
    assert!(
        message
            .contains("a grant of 2026-03-01 has waited 91 days for its confirmation, more than --days 60"),
        "{message}"
    );
    l.run(&[
        "report",
        "aging",
        "--to",
        "2026-05-31",
        "--strict",
        "--days",
        "91",
    ]);
}

/// The statement of financial position, worked by hand: 100.00 to general in the bank, 50.00
/// to tires through the processor less a 2.00 fee, then 30.00 of general sent to the union.
/// At 3 March: bank 100.00 + processor 48.00 = 148.00, general 100.00, tires 48.00. At the end:
/// bank 70.00, union 30.00, processor 48.00 — the same net assets, now partly with the union.
#[test]
fn statement_of_financial_position() {
    let l = crate::common::TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    l.run(&["donation", "100", "--donor", "A", "--date", "2026-03-01"]);
    l.run(&[
        "donation",
        "50",
        "--donor",
        "B",
        "--fund",
        "tires",
        "--into",
        "assets:processor",
        "--fee",
        "2",
        "--date",
        "2026-03-02",
    ]);
    l.run(&["send", "30", "--to", "union", "--date", "2026-03-04"]);
    let lines = |at: Option<&str>| {
        let mut args = vec!["report", "position"];
        if let Some(at) = at {
            args.extend(["--at", at]);
        }
        crate::common::pick(&l.json(&args), &["section", "item", "amount"])
    };
    let row = |s: &str, i: &str, a: &str| vec![s.to_string(), i.to_string(), a.to_string()];
    assert_eq!(
        lines(Some("2026-03-03")),
        [
            row("Assets", "assets:bank", "100.00"),
            row("Assets", "assets:processor", "48.00"),
            row("Assets", "total", "148.00"),
            row("Liabilities", "total", "0.00"),
            row("Net assets without donor restrictions", "general", "100.00"),
            row("Net assets without donor restrictions", "total", "100.00"),
            row("Net assets with donor restrictions", "tires", "48.00"),
            row("Net assets with donor restrictions", "total", "48.00"),
            row("Net assets", "total", "148.00"),
        ]
    );
    let end = lines(None);
    assert_eq!(end[0], row("Assets", "assets:bank", "70.00"));
    assert_eq!(end[2], row("Assets", "assets:union", "30.00"));
    assert_eq!(end.last().unwrap(), &row("Net assets", "total", "148.00"));
    let message = l.reject(&["report", "position", "--at", "2026-02-30"]);
    assert!(message.contains("--at"), "{message}");
}

/// The statement of activities, worked by hand. 100.00 to general, 50.00 to tires less a 2.00
/// processor fee; 30.00 of general to the union with a 1.00 wire fee, 20.00 of it passed on to
/// El Maizal; tires' 48.00 paid out to the bank, 40.00 sent and spent on the union's own
/// programme; 5.00 moved from general to tires. Restricted money spent for its purpose (the
/// 2.00 fee and the 40.00 programme) is released: 42.00. Without restrictions: 100 + 42 − 3 −
/// 20 − 40 − 5 = 74.00; with: 50 − 42 + 5 = 13.00 — what general and tires hold at the end.
#[test]
fn statement_of_activities_releases_restricted_money_spent() {
    let l = crate::common::TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["fund", "add", "tires"]);
    let steps: [&[&str]; 8] = [
        &["donation", "100", "--donor", "A", "--date", "2026-03-01"],
        &[
            "donation",
            "50",
            "--donor",
            "B",
            "--fund",
            "tires",
            "--into",
            "assets:processor",
            "--fee",
            "2",
            "--date",
            "2026-03-02",
        ],
        &[
            "send",
            "30",
            "--to",
            "union",
            "--fee",
            "1",
            "--date",
            "2026-03-03",
        ],
        &["allocate", "20", "--to", "el-maizal", "--date", "2026-03-04"],
        &[
            "transfer",
            "48",
            "--from",
            "assets:processor",
            "--to",
            "assets:bank",
            "--fund",
            "tires",
            "--date",
            "2026-03-05",
        ],
        &[
            "send",
            "40",
            "--to",
            "union",
            "--fund",
            "tires",
            "--date",
            "2026-03-05",
        ],
        &[
            "allocate",
            "40",
            "--to",
            "union",
            "--fund",
            "tires",
            "--date",
            "2026-03-05",
        ],
        &[
            "fund",
            "move",
            "5",
            "--from",
            "general",
            "--to",
            "tires",
            "--date",
            "2026-03-06",
        ],
    ];
    for step in steps {
        l.run(step);
    }
    let report = l.json(&["report", "activities"]);
    let got: Vec<Vec<String>> =
        crate::common::pick(&report, &["line", "without_restrictions", "with_restrictions"]);
    let row = |n: &str, a: &str, b: &str| vec![n.to_string(), a.to_string(), b.to_string()];
    assert_eq!(
        got,
        [
            row("Gifts", "100.00", "50.00"),
            row("Other income", "0.00", "0.00"),
            row("Net assets released from restriction", "42.00", "-42.00"),
            row("Fees", "-3.00", "0.00"),
            row("Grants to communes", "-20.00", "0.00"),
            row("The union's own programmes", "-40.00", "0.00"),
            row("Other spending", "0.00", "0.00"),
            row("Moved between funds", "-5.00", "5.00"),
            row("Currency exchanges and other entries", "0.00", "0.00"),
            row("Change in net assets", "74.00", "13.00"),
            row("Net assets at the start", "0.00", "0.00"),
            row("Net assets at the end", "74.00", "13.00"),
        ]
    );
    assert_eq!(report[11]["tied_out"], true);
    // From 4 March on, the start is what the first three days left: general 69.00 in the bank
    // and 30.00 with the union, 99.00; tires 48.00 at the processor.
    let later = l.json(&["report", "activities", "--from", "2026-03-04"]);
    let got = crate::common::pick(&later, &["line", "without_restrictions", "with_restrictions"]);
    assert_eq!(got[10], row("Net assets at the start", "99.00", "48.00"));
    assert_eq!(got[11], row("Net assets at the end", "74.00", "13.00"));
}

/// A small ledger for the statements by period: 100.00 to general on 10 January, 50.00 to
/// tires on 20 January, 30.00 of tires sent to El Maizal on 5 February, 20.00 to general on
/// 15 February, 40.00 of general sent to El Maizal on 3 March, 10.00 to general on 2 April.
fn months_ledger() -> crate::common::TempLedger {
    let l = crate::common::TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["fund", "add", "tires"]);
    let steps: [&[&str]; 6] = [
        &["donation", "100", "--donor", "A", "--date", "2026-01-10"],
        &[
            "donation",
            "50",
            "--donor",
            "B",
            "--fund",
            "tires",
            "--date",
            "2026-01-20",
        ],
        &[
            "send",
            "30",
            "--to",
            "el-maizal",
            "--fund",
            "tires",
            "--date",
            "2026-02-05",
        ],
        &["donation", "20", "--donor", "C", "--date", "2026-02-15"],
        &["send", "40", "--to", "el-maizal", "--date", "2026-03-03"],
        &["donation", "10", "--donor", "D", "--date", "2026-04-02"],
    ];
    for step in steps {
        l.run(step);
    }
    l
}

/// `--monthly`, worked by hand, from 15 January to 31 March (without / with restrictions):
/// January (15th on) opens at 100/0 (the gift of the 10th), takes 50.00 to tires: 100/50.
/// February releases tires' 30.00 grant (+30/−30), grants 30, gifts 20: change 20/−30, 120/20.
/// March grants 40 of general: change −40/0, 80/20. The whole period: opens 100/0, gifts
/// 20/50, released 30/−30, grants −70, change −20/20, closes 80/20 — the three months' sum.
#[test]
fn statement_of_activities_by_month_chains_and_adds_up() {
    let l = months_ledger();
    let report = l.json(&[
        "report",
        "activities",
        "--monthly",
        "--from",
        "2026-01-15",
        "--to",
        "2026-03-31",
    ]);
    let rows = crate::common::pick(
        &report,
        &[
            "period",
            "period_from",
            "period_to",
            "line",
            "without_restrictions",
            "with_restrictions",
        ],
    );
    let find = |period: &str, line: &str| {
        rows.iter()
            .find(|r| r[0] == period && r[3] == line)
            .map(|r| (r[4].as_str(), r[5].as_str()))
            .unwrap_or_else(|| panic!("no {line} in {period}: {rows:?}"))
    };
    let periods: Vec<(&str, &str, &str)> = rows
        .iter()
        .filter(|r| r[3] == "Gifts")
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        periods,
        [
            ("2026-01", "2026-01-15", "2026-01-31"),
            ("2026-02", "2026-02-01", "2026-02-28"),
            ("2026-03", "2026-03-01", "2026-03-31"),
            ("whole", "2026-01-15", "2026-03-31"),
        ]
    );
    let start = "Net assets at the start";
    let end = "Net assets at the end";
    let released = "Net assets released from restriction";
    let grants = "Grants to communes";
    let change = "Change in net assets";
    for (period, line, expected) in [
        ("2026-01", start, ("100.00", "0.00")),
        ("2026-01", "Gifts", ("0.00", "50.00")),
        ("2026-01", end, ("100.00", "50.00")),
        ("2026-02", start, ("100.00", "50.00")),
        ("2026-02", "Gifts", ("20.00", "0.00")),
        ("2026-02", released, ("30.00", "-30.00")),
        ("2026-02", grants, ("-30.00", "0.00")),
        ("2026-02", change, ("20.00", "-30.00")),
        ("2026-02", end, ("120.00", "20.00")),
        ("2026-03", start, ("120.00", "20.00")),
        ("2026-03", grants, ("-40.00", "0.00")),
        ("2026-03", end, ("80.00", "20.00")),
        ("whole", start, ("100.00", "0.00")),
        ("whole", "Gifts", ("20.00", "50.00")),
        ("whole", released, ("30.00", "-30.00")),
        ("whole", grants, ("-70.00", "0.00")),
        ("whole", change, ("-20.00", "20.00")),
        ("whole", end, ("80.00", "20.00")),
    ] {
        assert_eq!(find(period, line), expected, "{period} {line}");
    }
    // Every line of every period, summed, is the whole period's line.
    for line in fondo::report::activities::LINES.iter().take(10) {
        let cents = |s: &str| s.replace('.', "").parse::<i64>().unwrap();
        let sum = |col: usize| -> i64 {
            rows.iter()
                .filter(|r| r[3] == *line && r[0] != "whole")
                .map(|r| cents(&r[col]))
                .sum()
        };
        let (without, with) = find("whole", line);
        assert_eq!((sum(4), sum(5)), (cents(without), cents(with)), "{line}");
    }
    assert!(report
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["line"] == end)
        .all(|r| r["tied_out"] == true));
}

/// `--quarterly` without `--from` starts at the first transaction, and so do the whole
/// period's rows (`period_from`); the table says the
/// quarters add up, fits 80 columns by hiding the Total column, and `--wide` shows it.
#[test]
fn statement_of_activities_by_quarter() {
    let l = months_ledger();
    let report = l.json(&["report", "activities", "--quarterly", "--to", "2026-04-30"]);
    let rows = crate::common::pick(
        &report,
        &[
            "period",
            "period_from",
            "period_to",
            "line",
            "without_restrictions",
        ],
    );
    let gifts: Vec<&[String]> = rows.iter().filter(|r| r[3] == "Gifts").map(|r| &r[..]).collect();
    assert_eq!(
        gifts,
        [
            ["2026-Q1", "2026-01-10", "2026-03-31", "Gifts", "120.00"],
            ["2026-Q2", "2026-04-01", "2026-04-30", "Gifts", "10.00"],
            ["whole", "2026-01-10", "2026-04-30", "Gifts", "130.00"],
        ]
    );
    let table = String::from_utf8(
        l.cmd()
            .env("COLUMNS", "80")
            .args(["report", "activities", "--quarterly"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        table.contains("tie-out USD: 2 periods, each opening where the one before closed, add up to the\nwhole period: ok"),
        "{table}"
    );
    assert!(
        table.contains("│ Net assets at the start       ┆ 2026-Q2 ┆ USD ┆"),
        "{table}"
    );
    assert!(table.contains("1 column(s) hidden to fit: Total"), "{table}");
    let wide = l.run(&["--wide", "report", "activities", "--quarterly"]);
    assert!(wide.contains("┆  Total │"), "{wide}");
    let both = l
        .cmd()
        .args(["report", "activities", "--monthly", "--quarterly"])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    let message = l.reject(&[
        "report",
        "activities",
        "--monthly",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-01",
    ]);
    assert!(
        message.contains("invalid --to `2026-03-01`: is before --from 2026-03-02"),
        "{message}"
    );
}

/// The check under the tie-out can fail: a month left out, or a period's figure changed,
/// no longer adds up to the whole period.
#[test]
fn statement_by_period_with_a_month_left_out_does_not_add_up() {
    let l = months_ledger();
    let ledger = fondo::Ledger::open(&l.path, "tester").unwrap();
    let filter = fondo::store::read::Filter::default();
    let usd = fondo::domain::Currency::parse("USD").unwrap();
    let by_month = fondo::report::activities::activities_by_period(
        &ledger,
        &filter,
        fondo::report::activities::Step::Month,
    )
    .unwrap();
    assert_eq!(by_month.periods.len(), 4);
    assert!(by_month.tied_out() && by_month.adds_up(usd));
    let mut gap = by_month.clone();
    gap.periods.remove(1);
    assert!(!gap.adds_up(usd) && !gap.tied_out());
    let mut last_month_short = by_month.clone();
    last_month_short.periods.pop();
    assert!(!last_month_short.adds_up(usd));
}

/// Money held by the union in the aging report, worked by hand as of 31 May, first in, first
/// out: of general, 100.00 sent 10 February and 50.00 on 20 April, 120.00 allocated on 25
/// April (the first send and 20.00 of the second), 80.00 sent 15 May; a 25.00 send voided. So
/// general's 30.00 of 20 April waits 41 days (31–60) and 80.00 of 15 May 16 days (0–30):
/// 110.00; tires' 40.00 of 15 February 105 days (> 90). Total 150.00 = the union report's
/// held 110.00 + 40.00. El Maizal's grant of 25 April (120.00, 36 days) waits beside it.
#[test]
fn aging_of_money_held_by_the_union() {
    let l = crate::common::TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["fund", "add", "tires"]);
    let steps: [&[&str]; 9] = [
        &["donation", "1000", "--donor", "A", "--date", "2026-02-01"],
        &[
            "donation",
            "200",
            "--donor",
            "B",
            "--fund",
            "tires",
            "--date",
            "2026-02-01",
        ],
        &["send", "100", "--to", "union", "--date", "2026-02-10"],
        &[
            "send",
            "40",
            "--to",
            "union",
            "--fund",
            "tires",
            "--date",
            "2026-02-15",
        ],
        &["send", "50", "--to", "union", "--date", "2026-04-20"],
        &["allocate", "120", "--to", "el-maizal", "--date", "2026-04-25"],
        &["send", "25", "--to", "union", "--date", "2026-05-01"],
        &["void", "7", "--reason", "wrong amount", "--date", "2026-05-02"],
        &["send", "80", "--to", "union", "--date", "2026-05-15"],
    ];
    for step in steps {
        l.run(step);
    }
    assert!(l.run(&["show", "7"]).contains("25.00"), "#7 is the send voided");
    let report = l.json(&["report", "aging", "--to", "2026-05-31"]);
    let keys = [
        "row",
        "commune",
        "fund",
        "days_0_30",
        "days_31_60",
        "days_61_90",
        "days_over_90",
        "total",
        "grants",
        "oldest",
    ];
    let row = |cells: [&str; 10]| cells.map(str::to_string).to_vec();
    assert_eq!(
        crate::common::pick(&report, &keys),
        [
            row([
                "commune",
                "el-maizal",
                "general",
                "0.00",
                "120.00",
                "0.00",
                "0.00",
                "120.00",
                "1",
                "2026-04-25"
            ]),
            row([
                "total",
                "total",
                "",
                "0.00",
                "120.00",
                "0.00",
                "0.00",
                "120.00",
                "1",
                "2026-04-25"
            ]),
            row([
                "union",
                "union",
                "general",
                "80.00",
                "30.00",
                "0.00",
                "0.00",
                "110.00",
                "2",
                "2026-04-20"
            ]),
            row([
                "union",
                "union",
                "tires",
                "0.00",
                "0.00",
                "0.00",
                "40.00",
                "40.00",
                "1",
                "2026-02-15"
            ]),
            row([
                "union_total",
                "union",
                "",
                "80.00",
                "30.00",
                "0.00",
                "40.00",
                "150.00",
                "3",
                "2026-02-15"
            ]),
        ]
    );
    assert_eq!(report[4]["tied_out"], true);
    let table = l.run(&["report", "aging", "--to", "2026-05-31"]);
    assert!(
        table.contains("tie-out USD: held by the union 150.00 = still held in the union report 150.00: ok"),
        "{table}"
    );
    assert!(
        table.contains("the union has held money sent on 2026-02-15 for 105 days without allocating it"),
        "{table}"
    );
    // The grant waits 36 days, the union's oldest money 105: --days 100 fails on the union.
    let message = l.reject(&[
        "report",
        "aging",
        "--to",
        "2026-05-31",
        "--strict",
        "--days",
        "100",
    ]);
    assert!(
        message.contains(
            "the union has held money sent on 2026-02-15 for 105 days without allocating it, more than --days 100"
        ),
        "{message}"
    );
    l.run(&[
        "report",
        "aging",
        "--to",
        "2026-05-31",
        "--strict",
        "--days",
        "105",
    ]);
    // Once tires' 40.00 is allocated, --fund general shows general's 110.00 alone.
    l.run(&[
        "allocate",
        "40",
        "--to",
        "el-maizal",
        "--fund",
        "tires",
        "--date",
        "2026-05-20",
    ]);
    let after = l.json(&["report", "aging", "--to", "2026-05-31", "--fund", "general"]);
    let last = crate::common::pick(&after, &["row", "total"]).pop().unwrap();
    assert_eq!(last, ["union_total", "110.00"]);
}

/// Money borrowed is an asset and a debt alike: net assets do not move, in the statement of
/// activities as in the statement of financial position, and a repayment leaves them so too.
#[test]
fn a_loan_changes_no_net_assets_in_activities_or_position() {
    let l = crate::common::TempLedger::new();
    l.run(&["donation", "100", "--donor", "A", "--date", "2026-03-01"]);
    l.run(&["account", "add", "liabilities:loan"]);
    l.run(&[
        "entry",
        "--desc",
        "loan",
        "--date",
        "2026-03-07",
        "-p",
        "assets:bank 100.00 USD general",
        "-p",
        "liabilities:loan -100.00 USD general",
    ]);
    l.run(&[
        "entry",
        "--desc",
        "part repaid",
        "--date",
        "2026-04-07",
        "-p",
        "assets:bank -30.00 USD general",
        "-p",
        "liabilities:loan 30.00 USD general",
    ]);
    for to in ["2026-03-31", "2026-04-30"] {
        let activities = l.json(&["report", "activities", "--to", to]);
        let end = pick(&activities, &["line", "without_restrictions", "total"])
            .into_iter()
            .find(|r| r[0] == "Net assets at the end")
            .unwrap();
        assert_eq!(end[1..], ["100.00", "100.00"], "activities to {to}: {activities}");
        let position = l.json(&["report", "position", "--at", to]);
        let net = pick(&position, &["section", "item", "amount"])
            .into_iter()
            .find(|r| r[0] == "Net assets" && r[1] == "total")
            .unwrap();
        assert_eq!(net[2], "100.00", "position at {to}: {position}");
    }
    // Month by month too: each month ties out (the run fails otherwise) and ends at 100.00.
    let months = l.run(&["--format", "csv", "report", "activities", "--monthly"]);
    let ends: Vec<&str> = months
        .lines()
        .filter(|r| r.contains("Net assets at the end"))
        .collect();
    assert_eq!(ends.len(), 3, "{months}");
    assert!(ends.iter().all(|r| r.contains(",100.00,")), "{months}");
}

/// Regression (issue 16): with `--monthly`, a currency was listed only from the month it
/// first moved in, so the months before had fewer rows than the whole period; every period
/// now lists every currency of the report, with zeros before it first moved.
#[test]
fn every_period_of_activities_lists_every_currency_of_the_report() {
    let l = TempLedger::new();
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-01-10"]);
    l.run(&[
        "donation",
        "50",
        "--currency",
        "EUR",
        "--donor",
        "Bo",
        "--date",
        "2026-03-05",
    ]);
    let months = l.run(&["--format", "csv", "report", "activities", "--monthly"]);
    let rows: Vec<Vec<&str>> = months
        .lines()
        .filter(|r| r.starts_with("Gifts,") || r.starts_with("Net assets at the end,"))
        .map(|r| {
            let cells: Vec<&str> = r.split(',').collect();
            vec![cells[0], cells[1], cells[4], cells[7]]
        })
        .collect();
    let expected: Vec<Vec<&str>> = [
        ["Gifts", "2026-01", "USD", "100.00"],
        ["Net assets at the end", "2026-01", "USD", "100.00"],
        ["Gifts", "2026-01", "EUR", "0.00"],
        ["Net assets at the end", "2026-01", "EUR", "0.00"],
        ["Gifts", "2026-02", "USD", "0.00"],
        ["Net assets at the end", "2026-02", "USD", "100.00"],
        ["Gifts", "2026-02", "EUR", "0.00"],
        ["Net assets at the end", "2026-02", "EUR", "0.00"],
        ["Gifts", "2026-03", "USD", "0.00"],
        ["Net assets at the end", "2026-03", "USD", "100.00"],
        ["Gifts", "2026-03", "EUR", "50.00"],
        ["Net assets at the end", "2026-03", "EUR", "50.00"],
        ["Gifts", "whole", "USD", "100.00"],
        ["Net assets at the end", "whole", "USD", "100.00"],
        ["Gifts", "whole", "EUR", "50.00"],
        ["Net assets at the end", "whole", "EUR", "50.00"],
    ]
    .iter()
    .map(|r| r.to_vec())
    .collect();
    assert_eq!(rows, expected, "{months}");
    // A report that ends before the currency first moved does not list it at all.
    let early = l.run(&[
        "--format",
        "csv",
        "report",
        "activities",
        "--monthly",
        "--to",
        "2026-02-28",
    ]);
    assert!(!early.contains("EUR"), "EUR had not moved by then: {early}");
}

/// Aging dates a grant through the union from the union's movement of it, and a direct
/// grant from its transaction (issue 17 reads each transaction once): with `--to` between
/// them, only what was granted by then waits. A direct 100.00 on 1 March, 200.00 sent to the
/// union on 2 March, 50.00 allocated from it on 10 April, a direct 30.00 on 1 May.
#[test]
fn aging_dates_grants_through_the_union_and_direct_alike() {
    let l = crate::common::TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["donation", "1000", "--donor", "A", "--date", "2026-02-01"]);
    l.run(&["send", "100", "--to", "el-maizal", "--date", "2026-03-01"]);
    l.run(&["send", "200", "--to", "union", "--date", "2026-03-02"]);
    l.run(&["allocate", "50", "--to", "el-maizal", "--date", "2026-04-10"]);
    l.run(&["send", "30", "--to", "el-maizal", "--date", "2026-05-01"]);
    let keys = ["row", "commune", "total", "grants", "oldest"];
    let rows = |to: &str| crate::common::pick(&l.json(&["report", "aging", "--to", to]), &keys);
    let row = |cells: [&str; 5]| cells.map(str::to_string).to_vec();
    assert_eq!(
        rows("2026-04-09"),
        [
            row(["commune", "el-maizal", "100.00", "1", "2026-03-01"]),
            row(["total", "total", "100.00", "1", "2026-03-01"]),
            row(["union", "union", "200.00", "1", "2026-03-02"]),
            row(["union_total", "union", "200.00", "1", "2026-03-02"]),
        ]
    );
    assert_eq!(
        rows("2026-05-01"),
        [
            row(["commune", "el-maizal", "180.00", "3", "2026-03-01"]),
            row(["total", "total", "180.00", "3", "2026-03-01"]),
            row(["union", "union", "150.00", "1", "2026-03-02"]),
            row(["union_total", "union", "150.00", "1", "2026-03-02"]),
        ]
    );
}
