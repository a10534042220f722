//! Every figure on the public page, re-added from the audit pack's journal and lists by code
//! that shares nothing with fondo's reports — the way `check_totals.py` re-adds the pack. A
//! row on the page that this file cannot account for fails the test, so a new line cannot
//! be added to the page without saying here how a reader re-adds it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::common::TempLedger;

/// One posting of the journal.
struct Posting {
    txn: i64,
    date: String,
    account: String,
    fund: String,
    amount: Decimal,
    currency: String,
    counterparty: String,
    voids: Option<i64>,
}

fn records(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn number(text: &str) -> Decimal {
    if text.is_empty() {
        Decimal::ZERO
    } else {
        text.replace(',', "")
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {text}"))
    }
}

fn under(account: &str, prefix: &str) -> bool {
    account == prefix || account.starts_with(&format!("{prefix}:"))
}

/// What a page amount `1,234.50 USD` says.
fn page_amount(cell: &str) -> (Decimal, String) {
    let (value, currency) = cell
        .trim()
        .rsplit_once(' ')
        .unwrap_or_else(|| panic!("no currency in `{cell}`"));
    (number(value), currency.to_string())
}

/// The rows of the Markdown table after `heading` (cells trimmed), up to the next heading.
fn table<'a>(page: &'a str, heading: &str) -> Vec<Vec<&'a str>> {
    let Some(start) = page.find(&format!("\n{heading}\n")) else {
        return Vec::new();
    };
    page[start + heading.len() + 2..]
        .lines()
        .take_while(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with('|') && !l.starts_with("| ---"))
        .skip(1)
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect()
}

/// Every Markdown table after `heading`, up to the next heading: each its rows (header
/// row left out), each row its trimmed cells.
fn tables<'a>(page: &'a str, heading: &str) -> Vec<Vec<Vec<&'a str>>> {
    let Some(start) = page.find(&format!("\n{heading}\n")) else {
        return Vec::new();
    };
    let mut out: Vec<Vec<Vec<&str>>> = Vec::new();
    let mut in_table = false;
    for line in page[start + heading.len() + 2..]
        .lines()
        .take_while(|l| !l.starts_with('#'))
    {
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if !in_table {
            in_table = true;
            out.push(Vec::new());
            continue;
        }
        if !line.starts_with("| ---") {
            if let Some(table) = out.last_mut() {
                table.push(line.trim_matches('|').split(" | ").map(str::trim).collect());
            }
        }
    }
    out
}

/// The row of a page table labelled `label` whose amounts are in `currency`.
fn row_of<'r, 'p>(rows: &'r [Vec<&'p str>], label: &str, currency: &str, table: &str) -> &'r Vec<&'p str> {
    rows.iter()
        .find(|r| r[0] == label && page_amount(r[1]).1 == currency)
        .unwrap_or_else(|| panic!("no row {label} in {currency} under {table}"))
}

/// A row's first three amounts.
fn amounts(row: &[&str]) -> [Decimal; 3] {
    [1, 2, 3].map(|i| page_amount(row[i]).0)
}

/// A name as the Markdown page writes it: HTML characters as entities, Markdown's own
/// punctuation backslash-escaped (all but `-`, `,` and `/`), line breaks as spaces.
fn escaped(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            '\n' | '\r' => " ".to_string(),
            '-' | ',' | '/' => c.to_string(),
            c if c.is_ascii_punctuation() => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect()
}

struct Pack {
    postings: Vec<Posting>,
    /// Transactions a commune confirmed.
    confirmed: BTreeSet<i64>,
    /// code → (name, target and its currency).
    funds: BTreeMap<String, (String, Option<(Decimal, String)>)>,
    /// slug → (name, state).
    communes: BTreeMap<String, (String, String)>,
    /// The ledger's own currency, from its settings entry.
    currency: String,
}

impl Pack {
    fn read(l: &TempLedger) -> Pack {
        let dir = l.dir.path().join(format!("pack-{}", std::process::id()));
        l.run(&["export", "audit", dir.to_str().unwrap()]);
        let postings = records(&dir.join("journal.csv"))
            .into_iter()
            .map(|r| Posting {
                txn: r["txn"].parse().unwrap(),
                date: r["date"].clone(),
                account: r["account"].clone(),
                fund: r["fund"].clone(),
                amount: number(&r["debit"]) - number(&r["credit"]),
                currency: r["currency"].clone(),
                counterparty: r["counterparty"].clone(),
                voids: r["voids"].parse().ok(),
            })
            .collect();
        let confirmed = records(&dir.join("confirmations.csv"))
            .iter()
            .map(|r| r["txn"].parse().unwrap())
            .collect();
        let funds = records(&dir.join("funds.csv"))
            .into_iter()
            .map(|r| {
                let target =
                    (!r["target"].is_empty()).then(|| (number(&r["target"]), r["target_currency"].clone()));
                (r["fund"].clone(), (r["name"].clone(), target))
            })
            .collect();
        let communes = records(&dir.join("communes.csv"))
            .into_iter()
            .map(|r| (r["commune"].clone(), (r["name"].clone(), r["state"].clone())))
            .collect();
        let currency = records(&dir.join("entries.csv"))
            .iter()
            .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r["body"]).ok())
            .filter(|body| body["entry"] == "setting" && body["key"] == "currency")
            .filter_map(|body| body["value"].as_str().map(str::to_string))
            .next_back()
            .expect("a currency setting");
        std::fs::remove_dir_all(&dir).unwrap();
        Pack {
            postings,
            confirmed,
            funds,
            communes,
            currency,
        }
    }

    fn live(&self) -> impl Fn(i64) -> bool + '_ {
        let voided: BTreeSet<i64> = self.postings.iter().filter_map(|p| p.voids).collect();
        let voids: BTreeSet<i64> = self
            .postings
            .iter()
            .filter(|p| p.voids.is_some())
            .map(|p| p.txn)
            .collect();
        move |txn| !voided.contains(&txn) && !voids.contains(&txn)
    }

    fn txns_with(&self, test: impl Fn(&str) -> bool) -> BTreeSet<i64> {
        self.postings
            .iter()
            .filter(|p| test(&p.account))
            .map(|p| p.txn)
            .collect()
    }

    fn sum_debits(&self, currency: &str, account: &str) -> Decimal {
        self.sum(currency, |p| p.account == account && p.amount > Decimal::ZERO)
    }

    fn sum_credits(&self, currency: &str, account: &str) -> Decimal {
        -self.sum(currency, |p| p.account == account && p.amount < Decimal::ZERO)
    }

    fn sum(&self, currency: &str, test: impl Fn(&Posting) -> bool) -> Decimal {
        self.postings
            .iter()
            .filter(|p| p.currency == currency && test(p))
            .map(|p| p.amount)
            .sum()
    }
}

/// The totals of one currency, each labelled as the page labels it.
fn expected_totals(pack: &Pack, currency: &str) -> BTreeMap<String, Decimal> {
    let with_union = pack.txns_with(|a| a == "assets:union");
    let with_grant = pack.txns_with(|a| under(a, "expenses:grants"));
    let live = pack.live();
    let commune_grant =
        |p: &Posting| under(&p.account, "expenses:grants") && p.account != "expenses:grants:union";
    let sum = |test: &dyn Fn(&Posting) -> bool| pack.sum(currency, test);
    let mut t = BTreeMap::new();
    let raised = -sum(&|p| under(&p.account, "income"));
    let fees = sum(&|p| under(&p.account, "expenses:fees"));
    let allocated = sum(&|p| commune_grant(p) && with_union.contains(&p.txn));
    let programmes = sum(&|p| p.account == "expenses:grants:union" && with_union.contains(&p.txn));
    let direct = sum(&|p| commune_grant(p) && !with_union.contains(&p.txn));
    let grants = sum(&|p| under(&p.account, "expenses:grants"));
    // Both sides of every exchange: what the conversion account gave out and took in.
    let bought = pack.sum_credits(currency, "equity:conversion");
    let spent_buying = pack.sum_debits(currency, "equity:conversion");
    let other_equity = -sum(&|p| under(&p.account, "equity") && p.account != "equity:conversion");
    t.insert("Raised from donors".to_string(), raised);
    t.insert("Fees (payment processor, wires, bank)".into(), fees);
    let kinds: BTreeSet<&str> = pack
        .postings
        .iter()
        .filter(|p| p.currency == currency && under(&p.account, "expenses:fees"))
        .map(|p| p.account.as_str())
        .collect();
    for kind in kinds {
        let label = match kind {
            "expenses:fees:processor" => "· of which payment processor".to_string(),
            "expenses:fees:wire" => "· of which wire transfers".to_string(),
            "expenses:fees:bank" => "· of which bank charges".to_string(),
            "expenses:fees" => "· of which fees not classified by kind".to_string(),
            other => format!("· of which {}", other["expenses:fees:".len()..].replace(':', " ")),
        };
        let value = sum(&|p| p.account == kind);
        if !value.is_zero() {
            t.insert(label, value);
        }
    }
    t.insert(
        "Sent to the Communard Union".into(),
        sum(&|p| p.account == "assets:union" && !with_grant.contains(&p.txn)),
    );
    t.insert("Passed on by the union to communes".into(), allocated);
    t.insert("Spent by the union on its own programmes".into(), programmes);
    t.insert("Sent to communes directly".into(), direct);
    t.insert(
        "Confirmed received by communes".into(),
        sum(&|p| commune_grant(p) && live(p.txn) && pack.confirmed.contains(&p.txn)),
    );
    t.insert(
        "Held by the union, not yet passed on".into(),
        sum(&|p| p.account == "assets:union"),
    );
    t.insert("In the bank".into(), sum(&|p| under(&p.account, "assets:bank")));
    t.insert(
        "With the payment processor".into(),
        sum(&|p| under(&p.account, "assets:processor")),
    );
    t.insert(
        "Elsewhere".into(),
        sum(&|p| {
            under(&p.account, "assets")
                && p.account != "assets:union"
                && !under(&p.account, "assets:bank")
                && !under(&p.account, "assets:processor")
        }),
    );
    // Shown only when not zero.
    for (label, value) in [
        ("Other grants", grants - allocated - programmes - direct),
        (
            "Other spending",
            sum(&|p| {
                under(&p.account, "expenses")
                    && !under(&p.account, "expenses:fees")
                    && !under(&p.account, "expenses:grants")
            }),
        ),
        ("Opening balances and other entries", other_equity),
        ("Bought with other currencies", bought),
        ("Spent buying other currencies", spent_buying),
    ] {
        if !value.is_zero() {
            t.insert(label.to_string(), value);
        }
    }
    t
}

/// The ledger's exchanges: (txn, date, given, given currency, received, received currency),
/// paired the way a reader pairs them: one transaction through equity:conversion in two
/// currencies, or two adjacent ones of one currency each on the same day.
fn exchanges(pack: &Pack) -> Vec<(i64, String, Decimal, String, Decimal, String)> {
    let live = pack.live();
    let mut sides: BTreeMap<i64, BTreeMap<String, Decimal>> = BTreeMap::new();
    let mut dates = BTreeMap::new();
    for p in pack
        .postings
        .iter()
        .filter(|p| p.account == "equity:conversion" && live(p.txn))
    {
        *sides
            .entry(p.txn)
            .or_default()
            .entry(p.currency.clone())
            .or_default() += p.amount;
        dates.insert(p.txn, p.date.clone());
    }
    let groups: Vec<(i64, Vec<(String, Decimal)>)> = sides
        .into_iter()
        .map(|(txn, s)| (txn, s.into_iter().collect()))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let (txn, ref sides) = groups[i];
        let (pair, taken) = match (sides.as_slice(), groups.get(i + 1)) {
            ([a, b], _) => ((a.clone(), b.clone()), 1),
            ([a], Some((next, other)))
                if other.len() == 1 && dates[&txn] == dates[next] && other[0].0 != a.0 =>
            {
                ((a.clone(), other[0].clone()), 2)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let ((ca, a), (cb, b)) = pair;
        let (given, received) = if a > Decimal::ZERO && b < Decimal::ZERO {
            ((a, ca), (-b, cb))
        } else if b > Decimal::ZERO && a < Decimal::ZERO {
            ((b, cb), (-a, ca))
        } else {
            i += 1;
            continue;
        };
        out.push((txn, dates[&txn].clone(), given.0, given.1, received.0, received.1));
        i += taken;
    }
    out.sort_by(|x, y| (&x.1, x.0).cmp(&(&y.1, y.0)));
    out
}

fn grouped(value: Decimal) -> String {
    let text = value.to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}

fn rate_shown(rate: Decimal) -> String {
    let mut r = rate.round_dp(6).normalize();
    if r.scale() < 2 {
        r.rescale(2);
    }
    grouped(r)
}

/// A month's live gifts in one currency: what each person gave, and the gift transactions.
type Month = (BTreeMap<String, Decimal>, BTreeSet<i64>);

/// Re-adds every figure on the page (Markdown, whole ledger) and checks the HTML page's flow
/// chart against the same sums. Returns how many figures it checked.
pub fn assert_page_readds(l: &TempLedger) -> usize {
    let page = l.run(&["--format", "md", "report", "transparency"]);
    let pack = Pack::read(l);
    let currencies: BTreeSet<String> = pack.postings.iter().map(|p| p.currency.clone()).collect();
    let mut checked = 0;
    // Totals, per currency: every row is re-added, and every re-added figure is on the page.
    let mut values: BTreeMap<String, BTreeMap<String, Decimal>> = BTreeMap::new();
    for currency in &currencies {
        let expected = expected_totals(&pack, currency);
        let rows = table(&page, &format!("## Totals in {currency}"));
        assert!(!rows.is_empty(), "no totals for {currency}:\n{page}");
        let shown: BTreeMap<String, Decimal> = rows
            .iter()
            .map(|r| {
                let (value, c) = page_amount(r[1]);
                assert_eq!(&c, currency, "{r:?}");
                (r[0].to_string(), value)
            })
            .collect();
        assert_eq!(shown, expected, "totals in {currency}");
        checked += shown.len();
        values.insert(currency.clone(), expected);
    }
    // The flow chart of each currency: both sides add up to the caption, which is what came in.
    let html = l.run(&["report", "transparency"]);
    for (currency, t) in &values {
        let came_in = t["Raised from donors"]
            + t.get("Bought with other currencies").copied().unwrap_or_default()
            + t.get("Opening balances and other entries")
                .copied()
                .unwrap_or_default()
                .max(Decimal::ZERO);
        let caption = format!("Where the money came from and where it is ({currency}): ");
        let Some(at) = html.find(&caption) else {
            assert!(came_in.is_zero(), "no flow chart for {currency}");
            continue;
        };
        let figure = &html[at..at + html[at..].find("</figure>").unwrap()];
        let total = figure[caption.len()..figure.find("</figcaption>").unwrap()].to_string();
        assert_eq!(page_amount(&total), (came_in, currency.clone()), "{figure}");
        let sides: Vec<Decimal> = figure
            .split("<table class=\"flowkey\">")
            .skip(1)
            .map(|key| {
                key.split("<td class=\"n\">")
                    .skip(1)
                    .step_by(2)
                    .map(|cell| page_amount(&cell[..cell.find('<').unwrap()]).0)
                    .sum()
            })
            .collect();
        assert_eq!(sides, [came_in, came_in], "{figure}");
        checked += 3;
    }
    // Every currency in the ledger's own, at the ledger's latest exchange between the two:
    // what came in and what went or is held, valued part by part; what was exchanged between
    // valued currencies appears once, as the gain or loss at those rates, and the two sides
    // add up to the same total.
    let swaps = exchanges(&pack);
    if currencies.len() > 1 {
        let own = pack.currency.clone();
        let mut came_in: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut went: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut gained = Decimal::ZERO;
        for (currency, t) in &values {
            // (own, foreign): the two sides of the exchange the currency is valued at.
            let sides = if *currency == own {
                Some((Decimal::ONE, Decimal::ONE))
            } else {
                swaps.iter().rev().find_map(|(_, _, g, gc, r, rc)| {
                    (gc == &own && rc == currency)
                        .then_some((*g, *r))
                        .or_else(|| (gc == currency && rc == &own).then_some((*r, *g)))
                })
            };
            let Some((own_side, foreign_side)) = sides else {
                assert!(
                    page.contains(&format!("- {currency} is not included: the ledger has no exchange between {currency} and {own}")),
                    "{page}"
                );
                continue;
            };
            let get = |label: &str| t.get(label).copied().unwrap_or_default();
            let value = |amount: Decimal| amount * own_side / foreign_side;
            gained += value(get("Bought with other currencies") - get("Spent buying other currencies"));
            let sources = [
                (
                    "Held at the start of the period",
                    get("Held at the start of the period"),
                ),
                ("Raised from donors", get("Raised from donors")),
                (
                    "Opening balances and other entries",
                    get("Opening balances and other entries"),
                ),
            ];
            let uses = [
                ("Fees", get("Fees (payment processor, wires, bank)")),
                (
                    "Passed on by the union to communes",
                    get("Passed on by the union to communes"),
                ),
                (
                    "The union's own programmes",
                    get("Spent by the union on its own programmes"),
                ),
                ("Sent to communes directly", get("Sent to communes directly")),
                ("Other grants", get("Other grants")),
                ("Other spending", get("Other spending")),
                (
                    "Held by the union, not yet passed on",
                    get("Held by the union, not yet passed on"),
                ),
                ("In the bank", get("In the bank")),
                ("With the payment processor", get("With the payment processor")),
                ("Elsewhere", get("Elsewhere")),
            ];
            for (parts, is_source) in [(&sources[..], true), (&uses[..], false)] {
                for (label, amount) in parts {
                    let side = if (*amount > Decimal::ZERO) == is_source {
                        &mut came_in
                    } else {
                        &mut went
                    };
                    if !amount.is_zero() {
                        *side.entry(label.to_string()).or_default() += value(amount.abs());
                    }
                }
            }
        }
        let cent = |v: Decimal| v.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
        if cent(gained) > Decimal::ZERO {
            came_in.insert("Gained on exchanges, at these rates".into(), gained);
        } else if cent(gained) < Decimal::ZERO {
            went.insert("Lost on exchanges, at these rates".into(), -gained);
        }
        let total_in: Decimal = came_in.values().sum();
        let total_out: Decimal = went.values().sum();
        assert_eq!(cent(total_in), cent(total_out), "the consolidated sides differ");
        let shown = tables(&page, &format!("## All currencies together, in {own}"));
        assert_eq!(shown.len(), 2, "{page}");
        for (rows, expected, total) in [(&shown[0], came_in, total_in), (&shown[1], went, total_out)] {
            let shown: BTreeMap<String, Decimal> = rows
                .iter()
                .map(|r| {
                    let (value, c) = page_amount(r[1]);
                    assert_eq!(c, own, "{r:?}");
                    (r[0].to_string(), value)
                })
                .collect();
            let mut expected: BTreeMap<String, Decimal> =
                expected.into_iter().map(|(k, v)| (k, cent(v))).collect();
            expected.insert("Total".into(), cent(total));
            assert_eq!(shown, expected, "consolidated");
            checked += shown.len();
        }
    }
    // Each exchange, explained.
    for (_, date, given, gc, received, rc) in &swaps {
        let line = format!(
            "- {date}: {} {rc} bought with {} {gc} at {} {rc} per {gc}.",
            grouped(*received),
            grouped(*given),
            rate_shown(*received / *given)
        );
        assert!(page.contains(&line), "{line}\n{page}");
        checked += 1;
    }
    // The union's own programmes, per fund.
    let with_union = pack.txns_with(|a| a == "assets:union");
    let mut programmes: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for p in pack
        .postings
        .iter()
        .filter(|p| p.account == "expenses:grants:union" && with_union.contains(&p.txn))
    {
        *programmes
            .entry((p.fund.clone(), p.currency.clone()))
            .or_default() += p.amount;
    }
    programmes.retain(|_, v| !v.is_zero());
    let rows = table(&page, "## Spent by the union on its own programmes");
    assert_eq!(rows.len(), programmes.len(), "{page}");
    for ((fund, currency), value) in &programmes {
        let name = format!("{} <sub>{fund}</sub>", escaped(&pack.funds[fund].0));
        let row = rows
            .iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("no programme row {name}"));
        assert_eq!(page_amount(row[1]), (*value, currency.clone()));
        checked += 1;
    }
    // Funds: raised, moved in, granted, target and progress (raised and moved in, to date).
    let rows = table(&page, "## Funds");
    let mut funds: BTreeMap<(String, String), [Decimal; 3]> = BTreeMap::new();
    for p in &pack.postings {
        let f = funds.entry((p.fund.clone(), p.currency.clone())).or_default();
        if under(&p.account, "income") {
            f[0] -= p.amount;
        } else if p.account == "equity:transfers" {
            f[1] -= p.amount;
        } else if under(&p.account, "expenses:grants") {
            f[2] += p.amount;
        }
    }
    for ((fund, currency), [raised, moved, granted]) in &funds {
        let (name, target) = &pack.funds[fund];
        let target = target.as_ref().filter(|(_, c)| c == currency);
        if [raised, moved, granted].iter().all(|m| m.is_zero()) && target.is_none() {
            continue;
        }
        let label = format!("{} <sub>{fund}</sub>", escaped(name));
        let row = row_of(&rows, &label, currency, "Funds");
        assert_eq!(amounts(row), [*raised, *moved, *granted], "{row:?}");
        match target {
            Some((target, _)) => {
                assert_eq!(page_amount(row[4]).0, *target, "{row:?}");
                let progress = ((raised + moved) * Decimal::ONE_HUNDRED / target)
                    .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
                assert_eq!(number(row[5].trim_end_matches('%')), progress, "{row:?}");
            }
            None => assert_eq!([row[4], row[5]], ["", ""], "{row:?}"),
        }
        checked += 5;
    }
    // Per commune and per state: sent directly, via the union, confirmed.
    let live = pack.live();
    let mut communes: BTreeMap<(String, String), [Decimal; 3]> = BTreeMap::new();
    for p in &pack.postings {
        let Some(slug) = p.account.strip_prefix("expenses:grants:") else {
            continue;
        };
        if slug == "union" {
            continue;
        }
        let (name, state) = &pack.communes[slug];
        for key in [
            format!("{} ({})", escaped(name), escaped(state)),
            format!("state:{}", escaped(state)),
        ] {
            let c = communes.entry((key, p.currency.clone())).or_default();
            c[usize::from(with_union.contains(&p.txn))] += p.amount;
            if live(p.txn) && pack.confirmed.contains(&p.txn) {
                c[2] += p.amount;
            }
        }
    }
    for (heading, states) in [("## Per commune", false), ("## Per state", true)] {
        let rows = table(&page, heading);
        let expected: Vec<_> = communes
            .iter()
            .filter(|((k, _), _)| k.starts_with("state:") == states)
            .collect();
        assert_eq!(rows.len(), expected.len(), "{heading}\n{page}");
        for ((key, currency), [direct, via, confirmed]) in expected {
            let label = key.trim_start_matches("state:").to_string();
            let row = row_of(&rows, &label, currency, heading);
            assert_eq!(amounts(row), [*direct, *via, *confirmed], "{row:?}");
            checked += 3;
        }
    }
    // Raised per month: live gifts, each person (case, accents and spaces aside; every gift
    // without a donor one person) counted once per row. Every row shown covers at least five
    // people none of whom gave over half of it; a month shown on its own is re-added exactly;
    // the rows of a currency add up to all its gifts, so nothing hidden can be subtracted out.
    let person = |name: &str| {
        deunicode::deunicode(name)
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut months: BTreeMap<(String, String), Month> = BTreeMap::new();
    for p in pack
        .postings
        .iter()
        .filter(|p| p.account == "income:donations" && live(p.txn))
    {
        let m = months
            .entry((p.currency.clone(), p.date[..7].to_string()))
            .or_default();
        *m.0.entry(person(&p.counterparty)).or_default() -= p.amount;
        m.1.insert(p.txn);
    }
    let rows = table(&page, "## Raised per month");
    let mut shown_months = 0;
    for currency in &currencies {
        let all: Vec<(&String, &Month)> = months
            .iter()
            .filter(|((c, _), _)| c == currency)
            .map(|((_, month), m)| (month, m))
            .collect();
        let mine: Vec<&Vec<&str>> = rows.iter().filter(|r| page_amount(r[3]).1 == *currency).collect();
        let mut covered: BTreeSet<&String> = BTreeSet::new();
        let mut rest = Month::default();
        for (month, m) in &all {
            match mine.iter().find(|r| r[0] == month.as_str()) {
                Some(row) => {
                    covered.insert(month);
                    let total: Decimal = m.0.values().sum();
                    assert_eq!(
                        (
                            row[1].parse::<usize>().unwrap(),
                            row[2].parse::<usize>().unwrap(),
                            page_amount(row[3]).0
                        ),
                        (m.0.len(), m.1.len(), total),
                        "{row:?}"
                    );
                }
                None => {
                    for (who, amount) in &m.0 {
                        *rest.0.entry(who.clone()).or_default() += amount;
                    }
                    rest.1.extend(&m.1);
                }
            }
        }
        let other = mine.iter().find(|r| r[0] == "other months");
        let groups: Vec<&BTreeMap<String, Decimal>> = all
            .iter()
            .filter(|(month, _)| covered.contains(month))
            .map(|(_, m)| &m.0)
            .chain(other.map(|_| &rest.0))
            .collect();
        for donors in &groups {
            let total: Decimal = donors.values().sum();
            let largest = donors.values().copied().max().unwrap_or_default();
            assert!(
                donors.len() >= 5 && largest * Decimal::TWO <= total,
                "{currency}: an unsafe row {donors:?}"
            );
        }
        match other {
            Some(row) => {
                let total: Decimal = rest.0.values().sum();
                assert_eq!(
                    (
                        row[1].parse::<usize>().unwrap(),
                        row[2].parse::<usize>().unwrap(),
                        page_amount(row[3]).0
                    ),
                    (rest.0.len(), rest.1.len(), total),
                    "{row:?}"
                );
            }
            // Nothing hidden, or nothing shown at all.
            None => assert!(
                rest.1.is_empty() || mine.is_empty(),
                "{currency}: hidden months with no other row"
            ),
        }
        if mine.is_empty() && !all.is_empty() {
            assert!(
                page.contains(&format!("Gifts in {currency}")) || page.contains(&format!(", {currency}")),
                "{page}"
            );
        }
        shown_months += mine.len();
    }
    assert_eq!(shown_months, rows.len(), "rows in no currency of the ledger");
    checked + rows.len() * 3
}

#[test]
fn every_figure_on_the_sample_s_page_re_adds_from_the_pack() {
    let l = crate::export::sample();
    let checked = assert_page_readds(&l);
    assert!(checked > 150, "only {checked} figures checked");
}

#[test]
fn every_figure_re_adds_with_fund_moves_fee_kinds_exchanges_and_an_unvalued_currency() {
    let l = TempLedger::new();
    l.run(&["commune", "add", "El Maizal", "--state", "Lara"]);
    l.run(&[
        "fund",
        "add",
        "tires",
        "--name",
        "Tires & <wheels>",
        "--target",
        "300",
    ]);
    for (i, (amount, fund, into)) in [
        ("120.00", "tires", "assets:processor"),
        ("80.00", "general", "assets:processor"),
        ("500.00", "general", "assets:bank"),
        ("45.50", "tires", "assets:bank"),
        ("60.00", "general", "assets:bank"),
        ("15.00", "general", "assets:bank"),
    ]
    .iter()
    .enumerate()
    {
        l.run(&[
            "donation",
            amount,
            "--donor",
            &format!("Donor {i}"),
            "--fund",
            fund,
            "--into",
            into,
            "--fee",
            "1.10",
            "--date",
            "2026-03-02",
        ]);
    }
    l.run(&[
        "donation",
        "40",
        "--donor",
        "Eva",
        "--currency",
        "EUR",
        "--date",
        "2026-03-03",
    ]);
    l.run(&["payout", "196.80", "--fee", "1.00", "--date", "2026-03-04"]);
    l.run(&[
        "fund",
        "move",
        "50",
        "--from",
        "general",
        "--to",
        "tires",
        "--date",
        "2026-03-05",
    ]);
    l.run(&[
        "send",
        "200",
        "--to",
        "union",
        "--fee",
        "12.50",
        "--date",
        "2026-03-06",
    ]);
    l.run(&[
        "send",
        "150",
        "--to",
        "union",
        "--fund",
        "tires",
        "--fee",
        "4.00",
        "--fee-fund",
        "general",
        "--date",
        "2026-03-06",
    ]);
    l.run(&["allocate", "120", "--to", "el-maizal", "--date", "2026-03-07"]);
    l.run(&[
        "allocate",
        "100",
        "--to",
        "union",
        "--fund",
        "tires",
        "--date",
        "2026-03-07",
    ]);
    l.run(&["confirm", "12", "--ref", "EM-1", "--date", "2026-03-09"]);
    l.run(&[
        "exchange",
        "100",
        "USD",
        "--to",
        "VES",
        "--rate",
        "36.5",
        "--date",
        "2026-03-08",
    ]);
    l.run(&[
        "send",
        "1000",
        "--to",
        "el-maizal",
        "--currency",
        "VES",
        "--date",
        "2026-03-09",
    ]);
    l.run(&["fee", "3.25", "--from", "assets:bank", "--date", "2026-03-10"]);
    l.run(&["donation", "9.99", "--donor", "Mistake", "--date", "2026-03-10"]);
    l.run(&["void", "17", "--reason", "typo", "--date", "2026-03-10"]);
    let page = l.run(&["--format", "md", "report", "transparency"]);
    // The figures a donor asked about, by hand: processor fees 2 × 1.10 + the payout's 1.00;
    // wires 12.50 + 4.00; the bank 4 × 1.10 + 3.25 — and tires' progress counts the 50.00
    // moved in: (120.00 + 45.50 + 50.00) / 300 = 71.8%.
    for line in [
        "| · of which payment processor | 3.20 USD |",
        "| · of which wire transfers | 16.50 USD |",
        "| · of which bank charges | 7.65 USD |",
        "- 2026-03-08: 3,650.00 VES bought with 100.00 USD at 36.50 VES per USD.",
        "- EUR is not included: the ledger has no exchange between EUR and USD to value it at.",
        "| Tires &amp; &lt;wheels&gt; <sub>tires</sub> | 165.50 USD | 50.00 USD | 100.00 USD | 300.00 USD | 71.8% |",
    ] {
        assert!(page.contains(line), "{line}\n{page}");
    }
    assert!(assert_page_readds(&l) > 60);
}

/// The page as a phone (375 px) and a desktop (1200 px) show it, measured in headless
/// Chromium: the page itself never needs sideways scrolling (a wide table or chart scrolls
/// in its own box), no amount breaks over two lines, a bar chart keeps its drawn size (its
/// labels stay legible) and both bars of the flow chart span the column.
#[test]
#[cfg_attr(
    not(has_chromium),
    ignore = "needs chromium to lay the page out; .ci/run installs it"
)]
fn the_page_is_readable_on_a_phone_and_a_desktop() {
    let l = crate::export::sample();
    let page = l.dir.path().join("page.html");
    l.run(&["report", "transparency", "-o", page.to_str().unwrap()]);
    let html = std::fs::read_to_string(&page).unwrap();
    // A copy with a measuring script (the published page has none): it writes what it finds
    // into the document, which Chromium then dumps.
    let probe = "<script>addEventListener('load',()=>{const o=[];\
        const vw=document.documentElement.clientWidth;\
        if(document.documentElement.scrollWidth>vw)o.push('page '+document.documentElement.scrollWidth+'>'+vw);\
        for(const c of document.querySelectorAll('td.n')){const r=document.createRange();r.selectNodeContents(c);\
        const lines=new Set([...r.getClientRects()].map(x=>Math.round(x.top)));if(lines.size>1)o.push('wrapped: '+c.textContent);}\
        for(const s of document.querySelectorAll('.chart svg')){const w=s.getBoundingClientRect().width;if(w<700)o.push('chart shrunk to '+w);}\
        for(const b of document.querySelectorAll('svg.bar')){if(b.getBoundingClientRect().width<vw*0.7)o.push('narrow bar '+b.getBoundingClientRect().width);}\
        const p=document.createElement('pre');p.id='probe';p.textContent=o.join('|');document.body.append(p);});</script>";
    let probed = l.dir.path().join("probed.html");
    std::fs::write(&probed, html.replace("</body>", &format!("{probe}</body>"))).unwrap();
    let profile = tempfile::tempdir().unwrap();
    for width in [375, 1200] {
        let chromium = |extra: &[String], file: &Path| {
            std::process::Command::new("chromium")
                .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg(format!("--window-size={width},2000"))
                .args(extra)
                .arg(format!("file://{}", file.display()))
                .output()
                .expect("chromium is needed (.ci/run installs it)")
        };
        let dom = chromium(&["--dump-dom".to_string()], &probed);
        let dom = String::from_utf8_lossy(&dom.stdout);
        let found = dom
            .split("<pre id=\"probe\">")
            .nth(1)
            .and_then(|s| s.split("</pre>").next());
        assert_eq!(found, Some(""), "at {width} px: {found:?}");
        let shot = l.dir.path().join(format!("page-{width}.png"));
        let out = chromium(&[format!("--screenshot={}", shot.display())], &page);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let png = std::fs::read(&shot).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 20_000,
            "blank screenshot at {width} px"
        );
    }
}

/// Names full of Markdown and HTML cannot change the page's structure: rendered by a
/// CommonMark parser, the page has only its own headings, no link, image, emphasis, code or
/// HTML but its `<sub>` tags, and no bare address a renderer would turn into a link.
#[test]
fn names_cannot_change_the_markdown_page_s_structure() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let l = TempLedger::uninitialized();
    l.run(&[
        "init",
        "--org",
        "Fund* _of_ `code` #1 ![x](http://evil.example/i.png)",
    ]);
    let hostile = [
        "[click me](http://evil.example)",
        "![tracker](https://evil.example/pixel.png)",
        "**Bold** ~~gone~~ <img src=x onerror=alert(1)>",
        "www.evil.example | extra cell",
        "Comuna\r# All donations were confirmed received",
        "Back\\slash \\[not a link\\](x)",
    ];
    for (i, name) in hostile.iter().enumerate() {
        if name.contains('\r') {
            // Refused at the door: a name is one line.
            let message = l.reject(&["commune", "add", name, "--state", "Lara", "--slug", "cr"]);
            assert!(message.contains("U+000D CARRIAGE RETURN"), "{message}");
            continue;
        }
        l.run(&[
            "commune",
            "add",
            name,
            "--state",
            "Lara <b>",
            "--slug",
            &format!("c{i}"),
        ]);
        l.run(&["fund", "add", &format!("f{i}"), "--name", name]);
        l.run(&[
            "donation",
            "10",
            "--donor",
            &format!("D{i}"),
            "--fund",
            &format!("f{i}"),
            "--date",
            "2026-03-02",
        ]);
        l.run(&[
            "send",
            "5",
            "--to",
            &format!("c{i}"),
            "--fund",
            &format!("f{i}"),
            "--date",
            "2026-03-03",
        ]);
    }
    let page = l.run(&["--format", "md", "report", "transparency"]);
    let headings: Vec<String> = page
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let expected_headings = [
        "# Fund\\* \\_of\\_ \\`code\\` \\#1 \\!\\[x\\]\\(http\\://evil\\.example/i\\.png\\) — where the money went",
        "## Totals in USD",
        "## Funds",
        "## Per commune",
        "## Per state",
        "## Raised per month",
    ];
    assert_eq!(headings, expected_headings, "{page}");
    assert!(!page.contains("http://") && !page.contains("https://"), "{page}");
    assert!(
        !page.contains("www."),
        "an address a renderer would link:\n{page}"
    );
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut heading_count = 0;
    for event in Parser::new_ext(&page, options) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading_count += 1,
            Event::Start(
                tag @ (Tag::Link { .. }
                | Tag::Image { .. }
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::CodeBlock(_)
                | Tag::HtmlBlock),
            ) => panic!("the page has {tag:?}:\n{page}"),
            Event::Code(code) => panic!("the page has code `{code}`:\n{page}"),
            Event::InlineHtml(html) | Event::Html(html) => {
                assert!(
                    ["<sub>", "</sub>"].contains(&html.as_ref()),
                    "the page has HTML {html}:\n{page}"
                )
            }
            _ => {}
        }
    }
    assert_eq!(heading_count, expected_headings.len(), "{page}");
    // Each name is still there, as text.
    let text: String = Parser::new_ext(&page, options)
        .filter_map(|e| match e {
            Event::Text(t) => Some(t.into_string()),
            _ => None,
        })
        .collect();
    assert!(text.contains("[click me](http://evil.example)"), "{text}");
    assert!(
        text.contains("**Bold** ~~gone~~ <img src=x onerror=alert(1)>"),
        "{text}"
    );
}

/// Money lost on a round trip through another currency is a line of its own, so the
/// consolidated sides add up; both sides of each currency's exchanges are shown, not their
/// difference.
#[test]
fn what_exchanges_lost_is_on_the_page() {
    let l = TempLedger::new();
    l.run(&["donation", "100", "--donor", "Ana", "--date", "2026-10-01"]);
    l.run(&[
        "exchange",
        "100",
        "USD",
        "--to",
        "VES",
        "--rate",
        "36.5",
        "--date",
        "2026-10-02",
    ]);
    l.run(&[
        "exchange",
        "365",
        "VES",
        "--to",
        "USD",
        "--received",
        "9",
        "--date",
        "2026-10-03",
    ]);
    let page = l.run(&["--format", "md", "report", "transparency"]);
    // 9.00 USD + 3,285.00 VES at 365/9 = 81.00 USD: 90.00 held of 100.00 raised.
    for line in [
        "| Bought with other currencies | 9.00 USD |",
        "| Spent buying other currencies | 100.00 USD |",
        "| Bought with other currencies | 3,650.00 VES |",
        "| Spent buying other currencies | 365.00 VES |",
        "| In the bank | 90.00 USD |",
        "| Lost on exchanges, at these rates | 10.00 USD |",
    ] {
        assert!(page.contains(line), "{line}\n{page}");
    }
    assert!(!page.contains(" 0 USD"), "an amount without its cents:\n{page}");
    assert_eq!(page.matches("| Total | 100.00 USD |").count(), 2, "{page}");
    assert!(assert_page_readds(&l) > 20);
}
