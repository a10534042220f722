//! The public page's disclosure rules, tried the way a reader with a list of likely donors
//! would try them: each published figure about donors covers enough different people, none
//! of them dominant, and no hidden figure can be worked out from the published ones.

use crate::common::TempLedger;

/// The months table of a Markdown page: (month, donors, gifts, raised).
fn months(page: &str) -> Vec<(String, String, String, String)> {
    page.lines()
        .skip_while(|l| !l.starts_with("| month |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells[0].into(), cells[1].into(), cells[2].into(), cells[3].into())
        })
        .collect()
}

fn give(l: &TempLedger, donor: &str, amount: &str, date: &str) {
    l.run(&["donation", amount, "--donor", donor, "--date", date]);
}

fn page(l: &TempLedger) -> String {
    l.run(&["--format", "md", "report", "transparency"])
}

/// Five donors giving 100.00 each in `month` (YYYY-MM).
fn five_donors(l: &TempLedger, month: &str, tag: &str) {
    for i in 0..5 {
        give(l, &format!("{tag} donor {i}"), "100", &format!("{month}-10"));
    }
}

#[test]
fn one_person_giving_in_five_months_is_one_donor_not_five() {
    let l = TempLedger::new();
    for month in 1..=5 {
        // The same person, spelled as people type: case, accents and spaces differ.
        let spelling = ["Ana Pérez", "ana perez", "ANA PÉREZ", "Ana  Pérez", "Ana Perez"][month - 1];
        // Recorded as typed (--new-donor), as a hurried treasurer might.
        l.run(&[
            "donation",
            "103",
            "--donor",
            spelling,
            "--new-donor",
            "--date",
            &format!("2026-0{month}-05"),
        ]);
    }
    let page = page(&l);
    // Before: "| other months | 5 | 5 | 515.00 USD |" — one person's total as five donors.
    assert_eq!(months(&page), [], "{page}");
    assert!(
        page.contains("Gifts in USD are not broken down by month"),
        "{page}"
    );
}

#[test]
fn a_month_with_one_dominant_donor_is_not_shown_on_its_own() {
    let l = TempLedger::new();
    five_donors(&l, "2026-01", "jan");
    five_donors(&l, "2026-02", "feb");
    // March: four small gifts and one of 900.00 — 90% of the month.
    for i in 0..4 {
        give(&l, &format!("mar donor {i}"), "25", "2026-03-10");
    }
    give(&l, "Big Giver", "900", "2026-03-11");
    let page = page(&l);
    let shown = months(&page);
    assert!(!shown.iter().any(|m| m.0 == "2026-03"), "{page}");
    // Merged with the smallest month until no one dominates: 900 of 1,500 is still over
    // half, so both January and February join March.
    assert_eq!(
        shown,
        [(
            "other months".to_string(),
            "15".to_string(),
            "15".to_string(),
            "2,000.00 USD".to_string()
        )],
        "{page}"
    );
}

#[test]
fn a_hidden_month_cannot_be_worked_out_by_subtraction() {
    let l = TempLedger::new();
    five_donors(&l, "2026-01", "jan");
    five_donors(&l, "2026-02", "feb");
    give(&l, "Hidden Donor", "777", "2026-03-15");
    let page = page(&l);
    assert!(page.contains("| Raised from donors | 1,777.00 USD |"), "{page}");
    let shown = months(&page);
    // Before: January and February shown, and 1,777.00 − 1,000.00 = 777.00 was the hidden
    // donor's gift. Now the rows always add up to the total, and every row is safe.
    let totals: Vec<&str> = shown.iter().map(|m| m.3.as_str()).collect();
    assert!(!totals.contains(&"777.00 USD"), "{page}");
    let added: i64 = shown
        .iter()
        .map(|m| {
            m.3.trim_end_matches(" USD")
                .replace([',', '.'], "")
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    assert_eq!(added, 177_700, "{page}");
    for m in &shown {
        assert!(m.1.parse::<i64>().unwrap() >= 5, "{m:?}");
    }
    // 777 of 1,277 would still be over half: both safe months join the hidden one.
    assert_eq!(shown.len(), 1, "{page}");
}

#[test]
fn gifts_without_a_donor_count_as_one_person() {
    let l = TempLedger::new();
    // Six cash gifts recorded without a donor, as an import of a collection box would.
    let rows: String = (0..6)
        .map(|i| format!("2026-03-05,Cash gift {i},assets:cash,income:donations,10.00,,,,\n"))
        .collect();
    let file = l.file(
        "box.csv",
        &format!("date,description,debit,credit,amount,currency,fund,counterparty,reference\n{rows}"),
    );
    l.run(&["import", &file]);
    let page = page(&l);
    assert_eq!(months(&page), [], "{page}");
}

#[test]
fn the_page_covers_whole_months_only() {
    let l = TempLedger::new();
    five_donors(&l, "2026-03", "mar");
    let message = l.reject(&[
        "report",
        "transparency",
        "--from",
        "2026-03-05",
        "--to",
        "2026-03-31",
    ]);
    assert!(
        message.contains("invalid --from `2026-03-05`: the public page covers whole calendar months; use --from 2026-03-01"),
        "{message}"
    );
    let message = l.reject(&[
        "report",
        "transparency",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-05",
    ]);
    assert!(message.contains("use --to 2026-03-31"), "{message}");
    let feb = l.run(&[
        "--format",
        "md",
        "report",
        "transparency",
        "--from",
        "2026-02-01",
        "--to",
        "2026-02-28",
    ]);
    assert!(feb.contains("Period: 2026-02-01 to 2026-02-28."), "{feb}");
}

#[test]
fn the_rules_are_settings_in_the_chain_never_looser_than_3_and_50() {
    let l = TempLedger::new();
    five_donors(&l, "2026-03", "mar");
    five_donors(&l, "2026-04", "apr");
    give(&l, "apr donor 5", "100", "2026-04-11");
    assert_eq!(months(&page(&l)).len(), 2);
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    assert_eq!(
        l.run(&["settings", "--min-donors", "6"]),
        "organisation: Test Fund\ncurrency: USD\nmin-donors: 6\nmax-share: 50%\n"
    );
    // March's five donors are now too few on their own; April's six are enough, and March
    // alone would be hidden — and subtractable — so April joins it.
    let shown = months(&page(&l));
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].0, "other months");
    // Recorded in the chain: verify names it after the kept head.
    let since = l.json(&["verify", "--head", &head]);
    assert!(since.to_string().contains("setting"), "{since}");
    for (flag, value, said) in [
        ("--min-donors", "2", "at least 3 donors per published figure"),
        ("--max-share", "51", "a share from 1 to 50 percent"),
    ] {
        let message = l.reject(&["settings", flag, value]);
        assert!(
            message.contains(&format!("invalid {flag} `{value}`: {said}")),
            "{message}"
        );
    }
    assert!(l.run(&["settings"]).contains("min-donors: 6"));
}

/// Regression: narrowed to one month, the page's totals were published whatever the number
/// of donors in it ("Raised from donors 500.00 USD" for a month with one donor).
#[test]
fn a_page_narrowed_to_one_donor_is_refused_and_nothing_is_written() {
    let l = TempLedger::new();
    for (i, month) in ["01", "01", "01", "02", "02", "02"].iter().enumerate() {
        give(&l, &format!("Small donor {i}"), "20", &format!("2026-{month}-10"));
    }
    give(&l, "Rich Single", "500", "2026-03-05");
    let march = ["--from", "2026-03-01", "--to", "2026-03-31"];
    let out = l.dir.path().join("march.md");
    let mut args = vec!["report", "transparency", "-o", out.to_str().unwrap()];
    args.extend(march);
    assert_eq!(
        l.reject(&args),
        "error: the public page would single out a donor: the period 2026-03-01 to 2026-03-31 has gifts from only 1 person in USD (a published total needs at least 5 people, none over 50% of it); widen the period (--from/--to) or drop --fund\n"
    );
    assert!(!out.exists());
    // One dominant donor among enough people is refused too.
    let first_quarter = ["--from", "2026-01-01", "--to", "2026-03-31"];
    let message = l.reject(&[&["report", "transparency"][..], &first_quarter].concat());
    assert!(
        message.contains("one person giving more than 50% of what was raised"),
        "{message}"
    );
    // The first two months have six donors, none dominant; the whole ledger is the accounts.
    l.run(&[
        "--format",
        "md",
        "report",
        "transparency",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-28",
    ]);
    assert!(page(&l).contains("| Raised from donors | 620.00 USD |"));
}

/// Regression: a fund's month whose only movement was one donor's refund showed
/// "Raised from donors -10.00 USD", that refund alone.
#[test]
fn a_fund_month_of_one_refund_is_refused() {
    let l = TempLedger::new();
    l.run(&["fund", "add", "tires"]);
    five_donors(&l, "2026-01", "jan");
    l.run(&[
        "donation",
        "100",
        "--donor",
        "Walter",
        "--fund",
        "tires",
        "--date",
        "2026-04-21",
    ]);
    l.run(&["refund", "6", "10", "--date", "2026-06-10"]);
    let june = ["--fund", "tires", "--from", "2026-06-01", "--to", "2026-06-30"];
    let message = l.reject(&[&["report", "transparency"][..], &june].concat());
    assert!(
        message.contains("fund `tires`, 2026-06-01 to 2026-06-30 has no gift left after refunds in USD"),
        "{message}"
    );
    let whole_fund = l.reject(&["report", "transparency", "--fund", "tires"]);
    assert!(whole_fund.contains("gifts from only 1 person"), "{whole_fund}");
    // June without --fund is that refund alone too; the first half of the year is not.
    l.reject(&[
        "report",
        "transparency",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-30",
    ]);
    l.run(&[
        "--format",
        "md",
        "report",
        "transparency",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
    ]);
}
