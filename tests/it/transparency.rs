//! `fondo report transparency`: the public page, its figures, its privacy, and the HTML as
//! a browser (headless Chromium) renders it.

use std::process::Command;

use crate::export::sample;
use crate::privacy::{assert_no_names, donor_names, seeded_ledger};

#[test]
fn the_markdown_page_carries_the_ledgers_figures_and_head() {
    let l = sample();
    let page = l.run(&["--format", "md", "report", "transparency"]);
    let head = l.json(&["verify"])["head"].as_str().unwrap().to_string();
    assert!(
        page.starts_with("# Communard Solidarity Fund \\(sample\\) — where the money went\n"),
        "{page}"
    );
    assert!(page.contains("| Raised from donors | 19,800.00 USD |"), "{page}");
    assert!(
        page.contains("| Sent to the Communard Union | 14,125.00 USD |"),
        "{page}"
    );
    assert!(
        page.contains("| Tires for the union&#39;s transport <sub>tires</sub> | 855.00 USD | 0.00 USD | 250.00 USD | 250.00 USD | 342% |"),
        "{page}"
    );
    assert!(
        page.contains("| Comuna El Maizal (Lara) | 300.00 USD | 1,600.00 USD | 1,900.00 USD |"),
        "{page}"
    );
    assert!(
        page.trim_end()
            .ends_with(&format!("Ledger chain head #752 {head} · the whole ledger.")),
        "{page}"
    );
    // Every month shown has at least five donors.
    let months: Vec<&str> = page
        .lines()
        .skip_while(|l| !l.starts_with("| month |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(!months.is_empty());
    for row in months {
        let donors: i64 = row.split('|').nth(2).unwrap().trim().parse().unwrap();
        assert!(donors >= 5, "{row}");
    }
    // A period narrows the page, and `-o x.md` writes Markdown.
    let file = l.dir.path().join("march.md");
    let said = l.run(&[
        "report",
        "transparency",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(said, format!("wrote {}\n", file.display()));
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("Period: 2026-03-01 to 2026-03-31."));
    // A page that cannot be written leaves nothing behind and says where it failed.
    let nowhere = l.dir.path().join("no/such/dir/page.html");
    let message = l.reject(&["report", "transparency", "-o", nowhere.to_str().unwrap()]);
    assert!(
        message.starts_with("error: cannot create a file in "),
        "{message}"
    );
    let message = l.reject(&[
        "report",
        "transparency",
        "--from",
        "2026-04-01",
        "--to",
        "2026-03-01",
    ]);
    assert!(message.contains("--to"), "{message}");
}

#[test]
fn no_donor_name_reference_or_memo_reaches_the_page() {
    let names = donor_names(600, 0xface);
    let l = seeded_ledger(&names);
    l.run(&[
        "donation",
        "40",
        "--donor",
        &names[3],
        "--ref",
        "Zqv-REF-1",
        "--memo",
        "Zqv memo: call her",
    ]);
    for format in ["md", "html"] {
        let page = l.run(&["--format", format, "report", "transparency"]);
        assert_no_names(&page, &format!("report transparency --format {format}"));
        assert!(page.contains("donors") || page.contains("Donors"), "{page}");
    }
    // The format flags belong to this report only.
    let out = l
        .cmd()
        .args(["--format", "md", "report", "funds"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.starts_with("error: --format html and md are for `fondo report transparency`"),
        "{message}"
    );
}

#[test]
fn names_are_text_in_the_page_never_markup() {
    let l = crate::common::TempLedger::new();
    l.run(&[
        "commune",
        "add",
        "<script>alert(1)</script> & co",
        "--state",
        "Lara",
        "--slug",
        "hostile",
    ]);
    for i in 0..6 {
        l.run(&["donation", "10", "--donor", &format!("D{i}")]);
    }
    l.run(&["send", "20", "--to", "hostile", "--ref", "G-1"]);
    let html = l.run(&["report", "transparency"]);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co (Lara)"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    let md = l.run(&["--format", "md", "report", "transparency"]);
    assert!(
        md.contains("| &lt;script&gt;alert\\(1\\)&lt;/script&gt; &amp; co (Lara) |"),
        "{md}"
    );
    let empty = crate::common::TempLedger::new();
    let page = empty.run(&["--format", "md", "report", "transparency"]);
    // No transactions yet, but the chain already holds the ledger's settings and accounts.
    assert!(page.contains("Ledger chain head #0 "), "{page}");
}

#[test]
#[cfg_attr(
    not(has_chromium),
    ignore = "needs chromium to render the page; .ci/run installs it"
)]
fn the_html_page_renders_in_a_browser_with_its_charts() {
    let l = sample();
    let page = l.dir.path().join("transparency.html");
    l.run(&["report", "transparency", "-o", page.to_str().unwrap()]);
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: no script, stylesheet, image or font is fetched from anywhere.
    for fetch in ["<script", "<link", "<img", "@import", "url(", "src=", "href="] {
        assert!(!html.contains(fetch), "the page has `{fetch}`");
    }
    let profile = tempfile::tempdir().unwrap();
    let chromium = |extra: &[&str]| {
        Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("chromium is needed (.ci/run installs it)")
    };
    let dom = chromium(&["--dump-dom"]);
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(
        !stderr.contains("Uncaught") && !stderr.contains("Failed to load resource"),
        "{stderr}"
    );
    assert!(
        dom_text.matches("<svg").count() >= 3,
        "charts missing from the rendered page"
    );
    assert!(dom_text.contains("<figcaption>Raised per month (USD)</figcaption>"));
    // The journey chart has a bar series per stage, and a legend naming them.
    for stage in ["sent directly", "passed on by the union", "confirmed received"] {
        assert!(
            dom_text.contains(&format!("</i>{stage}</span>")),
            "no legend for {stage}"
        );
    }
    let shot = l.dir.path().join("shot.png");
    let out = chromium(&[
        "--window-size=1000,1400",
        &format!("--screenshot={}", shot.display()),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "the screenshot is blank or missing"
    );
}

#[test]
fn union_programmes_are_their_own_line_and_communes_add_up() {
    // The worked example: the union passed 150.00 to El Maizal and spent 96.80 on its own
    // programme (recipient `union`); fees were a processor's 3.20 and a wire's 5.00.
    let l = crate::workflow::worked_example();
    let page = l.run(&["--format", "md", "report", "transparency"]);
    for line in [
        "| Passed on by the union to communes | 150.00 USD |",
        "| Spent by the union on its own programmes | 96.80 USD |",
        "| Fees (payment processor, wires, bank) | 8.20 USD |",
    ] {
        assert!(page.contains(line), "{line}\n{page}");
    }
    // What the per-commune table shows via the union adds up to the line above it.
    let communes = l.json(&["report", "communes"]);
    let total = communes
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["row"] == "commune")
        .map(|r| r["via_union"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(total, ["150.00"]);
}

#[test]
fn the_ledger_s_own_currency_comes_first() {
    let l = crate::common::TempLedger::new();
    l.run(&[
        "donation",
        "10",
        "--donor",
        "Ana",
        "--currency",
        "EUR",
        "--date",
        "2026-03-01",
    ]);
    l.run(&["donation", "20", "--donor", "Bo", "--date", "2026-03-01"]);
    let page = l.run(&["--format", "md", "report", "transparency"]);
    let usd = page.find("## Totals in USD").expect("a USD section");
    let eur = page.find("## Totals in EUR").expect("an EUR section");
    assert!(usd < eur, "{page}");
}
