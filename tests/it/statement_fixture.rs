//! The statements of activities and of financial position checked figure by figure against a
//! ledger worked by hand: `tests/fixtures/statements/first-half-2026.csv` (33 rows) and five
//! commands, 38 transactions over two quarters of 2026, in USD. Funds: `general`
//! (unrestricted), `tires` and `lara-cheese` (restricted). The commands: a direct grant of
//! 50.00 from lara-cheese to El Maizal (25 March), 20.00 moved from general to tires (28
//! March), Nora's 35.00 gift (#29, 5 May) voided on 12 May, a direct grant of 25.00 from
//! general to Ataroa (10 June), 10.00 moved from tires to general (20 June).
//!
//! Where each fund's money sits, by hand (bank, union; the processor is paid out to zero),
//! at 31 March and then at 30 June:
//! general bank 200 + 60 + 48.25 − 150 − 5 + 40 + 25 − 20 = 198.25, then 198.25 + 100 − 60 −
//! 4 + 35 − 35 + 45 − 25 + 10 = 264.25; union 150 − 100 = 50, then 50 + 60 − 90 = 20.
//! tires bank 100 + 77.38 − 120 + 30 + 20 = 107.38, then 107.38 + 55 − 10 = 152.38; union
//! 120 − 90 = 30, then 30 − 30 = 0. lara-cheese bank 150 + 70 − 100 − 50 = 70, then 70 +
//! 38.54 + 20 = 128.54; union 100, then 100 − 80 = 20.

use serde_json::Value;

use crate::common::{pick, TempLedger};

fn books() -> TempLedger {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    l.run(&["fund", "add", "lara-cheese"]);
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&["commune", "add", "Ataroa", "--state", "Lara"]);
    let csv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/statements/first-half-2026.csv"
    );
    l.run(&["import", csv]);
    let commands: [&[&str]; 5] = [
        &[
            "send",
            "50",
            "--to",
            "el-maizal",
            "--fund",
            "lara-cheese",
            "--date",
            "2026-03-25",
        ],
        &[
            "fund",
            "move",
            "20",
            "--from",
            "general",
            "--to",
            "tires",
            "--date",
            "2026-03-28",
        ],
        &["void", "29", "--reason", "gift returned", "--date", "2026-05-12"],
        &["send", "25", "--to", "ataroa", "--date", "2026-06-10"],
        &[
            "fund",
            "move",
            "10",
            "--from",
            "tires",
            "--to",
            "general",
            "--date",
            "2026-06-20",
        ],
    ];
    for command in commands {
        l.run(command);
    }
    assert!(l.run(&["show", "29"]).contains("Nora"), "#29 is the gift voided");
    l
}

/// (line, without donor restrictions, with them), in the statement's order.
type Lines = [(&'static str, &'static str, &'static str); 12];

fn statement_lines(report: &Value, period: Option<&str>) -> Vec<(String, String, String)> {
    let keys = ["line", "without_restrictions", "with_restrictions", "period"];
    pick(report, &keys)
        .into_iter()
        .filter(|r| period.is_none_or(|p| r[3] == p))
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect()
}

fn expected(lines: &Lines) -> Vec<(String, String, String)> {
    lines
        .iter()
        .map(|(l, a, b)| (l.to_string(), a.to_string(), b.to_string()))
        .collect()
}

/// The first quarter. Gifts: general Ana 200 + Carla 50 + Fabio 60 + Gloria 40 + Irene 25 =
/// 375; restricted tires Beto 100 + Dario 80 + Julio 30 + lara-cheese Elena 150 + Hugo 70 =
/// 430. Released: tires' fee 2.62 + tires' allocation to Ataroa 90 + lara-cheese's direct
/// grant 50 = 142.62. Fees: 1.75 + 5.00 + 2.62 = 9.37. Grants: 100 + 90 + 50 = 240. Moved:
/// 20 to tires. Change: 375 + 142.62 − 9.37 − 240 − 20 = 248.25; 430 − 142.62 + 20 = 307.38.
const Q1: Lines = [
    ("Gifts", "375.00", "430.00"),
    ("Other income", "0.00", "0.00"),
    ("Net assets released from restriction", "142.62", "-142.62"),
    ("Fees", "-9.37", "0.00"),
    ("Grants to communes", "-240.00", "0.00"),
    ("The union's own programmes", "0.00", "0.00"),
    ("Other spending", "0.00", "0.00"),
    ("Moved between funds", "-20.00", "20.00"),
    ("Currency exchanges and other entries", "0.00", "0.00"),
    ("Change in net assets", "248.25", "307.38"),
    ("Net assets at the start", "0.00", "0.00"),
    ("Net assets at the end", "248.25", "307.38"),
];

/// The second quarter, opening where the first closed. Gifts: general Karen 100 + Nora 35 −
/// her void 35 + Oscar 45 = 145; restricted Luis 40 + Paula 20 (lara-cheese) + Marta 55
/// (tires) = 115. Released: lara-cheese's fee 1.46 + its allocation 80 + tires' 30 for the
/// union's own programme = 111.46. Fees 4.00 + 1.46 = 5.46. Grants: 80 + 90 + the direct 25 =
/// 195. Moved: 10 back to general. Change: 145 + 111.46 − 5.46 − 195 − 30 + 10 = 36.00;
/// 115 − 111.46 − 10 = −6.46. End: 248.25 + 36 = 284.25; 307.38 − 6.46 = 300.92.
const Q2: Lines = [
    ("Gifts", "145.00", "115.00"),
    ("Other income", "0.00", "0.00"),
    ("Net assets released from restriction", "111.46", "-111.46"),
    ("Fees", "-5.46", "0.00"),
    ("Grants to communes", "-195.00", "0.00"),
    ("The union's own programmes", "-30.00", "0.00"),
    ("Other spending", "0.00", "0.00"),
    ("Moved between funds", "10.00", "-10.00"),
    ("Currency exchanges and other entries", "0.00", "0.00"),
    ("Change in net assets", "36.00", "-6.46"),
    ("Net assets at the start", "248.25", "307.38"),
    ("Net assets at the end", "284.25", "300.92"),
];

/// The half year: each line the two quarters' sum (520 = 375 + 145, 254.08 = 142.62 +
/// 111.46, …), from nothing to 284.25 and 300.92.
const HALF: Lines = [
    ("Gifts", "520.00", "545.00"),
    ("Other income", "0.00", "0.00"),
    ("Net assets released from restriction", "254.08", "-254.08"),
    ("Fees", "-14.83", "0.00"),
    ("Grants to communes", "-435.00", "0.00"),
    ("The union's own programmes", "-30.00", "0.00"),
    ("Other spending", "0.00", "0.00"),
    ("Moved between funds", "-10.00", "10.00"),
    ("Currency exchanges and other entries", "0.00", "0.00"),
    ("Change in net assets", "284.25", "300.92"),
    ("Net assets at the start", "0.00", "0.00"),
    ("Net assets at the end", "284.25", "300.92"),
];

#[test]
fn statement_of_activities_matches_the_hand_worked_books() {
    let l = books();
    let activities = |args: &[&str]| {
        let mut all = vec!["report", "activities"];
        all.extend_from_slice(args);
        l.json(&all)
    };
    let q1 = activities(&["--to", "2026-03-31"]);
    assert_eq!(statement_lines(&q1, None), expected(&Q1));
    let q2 = activities(&["--from", "2026-04-01", "--to", "2026-06-30"]);
    assert_eq!(statement_lines(&q2, None), expected(&Q2));
    let half = activities(&["--to", "2026-06-30"]);
    assert_eq!(statement_lines(&half, None), expected(&HALF));
    for report in [&q1, &q2, &half] {
        assert_eq!(report[11]["tied_out"], true);
    }
    let quarters = activities(&["--quarterly", "--from", "2026-01-01", "--to", "2026-06-30"]);
    assert_eq!(statement_lines(&quarters, Some("2026-Q1")), expected(&Q1));
    assert_eq!(statement_lines(&quarters, Some("2026-Q2")), expected(&Q2));
    assert_eq!(statement_lines(&quarters, Some("whole")), expected(&HALF));
}

/// The position at each quarter's end: the assets where the module doc's arithmetic puts them,
/// the net assets fund by fund, equal to the statement of activities' closing columns.
#[test]
fn statement_of_financial_position_matches_the_hand_worked_books() {
    let l = books();
    let position = |at: &str| {
        pick(
            &l.json(&["report", "position", "--at", at]),
            &["section", "item", "amount"],
        )
    };
    let rows = |lines: &[(&str, &str, &str)]| -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|(s, i, a)| vec![s.to_string(), i.to_string(), a.to_string()])
            .collect()
    };
    let without = "Net assets without donor restrictions";
    let with = "Net assets with donor restrictions";
    // Bank 198.25 + 107.38 + 70 = 375.63; union 50 + 30 + 100 = 180; total 555.63.
    assert_eq!(
        position("2026-03-31"),
        rows(&[
            ("Assets", "assets:bank", "375.63"),
            ("Assets", "assets:union", "180.00"),
            ("Assets", "total", "555.63"),
            ("Liabilities", "total", "0.00"),
            (without, "general", "248.25"),
            (without, "total", "248.25"),
            (with, "lara-cheese", "170.00"),
            (with, "tires", "137.38"),
            (with, "total", "307.38"),
            ("Net assets", "total", "555.63"),
        ])
    );
    // Bank 264.25 + 152.38 + 128.54 = 545.17; union 20 + 0 + 20 = 40; total 585.17.
    assert_eq!(
        position("2026-06-30"),
        rows(&[
            ("Assets", "assets:bank", "545.17"),
            ("Assets", "assets:union", "40.00"),
            ("Assets", "total", "585.17"),
            ("Liabilities", "total", "0.00"),
            (without, "general", "284.25"),
            (without, "total", "284.25"),
            (with, "lara-cheese", "148.54"),
            (with, "tires", "152.38"),
            (with, "total", "300.92"),
            ("Net assets", "total", "585.17"),
        ])
    );
}
