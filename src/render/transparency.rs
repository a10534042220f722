//! The transparency report as a self-contained HTML page (inline CSS and SVG charts drawn
//! with plotters, nothing fetched) or as Markdown. Amounts are the exact stored integers
//! formatted as decimals; chart coordinates are the same integers, never floats.

use std::fmt::Write as _;
use std::io::Write;

use plotters::prelude::*;

use super::{group_thousands, valuation_notes};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::domain::money::format_minor;
use crate::domain::names::{FEES, FEES_BANK, FEES_PROCESSOR, FEES_WIRE};
use crate::domain::{Currency, Sum};
use crate::error::{Error, Result};
use crate::report::transparency::{
    Consolidated, FundProgress, Journey, MonthOfGifts, Programme, Together, Totals, Transparency,
};
use crate::report::value::ValuedReport;
use crate::store::accountability::Exchange;
// evidence (issue 16, item 8)
use crate::domain::evidence::{published_name, OPAQUE_EXTENSION};
use crate::store::evidence::CommuneEvidence;

/// Which page to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageFormat {
    Html,
    Markdown,
}

fn money(part: impl Into<Sum>) -> String {
    let part = part.into();
    format!(
        "{} {}",
        group_thousands(&part.to_decimal().to_string()),
        part.currency().code()
    )
}

fn period(t: &Transparency) -> String {
    match (t.from, t.to) {
        (None, None) => "the whole ledger".to_string(),
        (Some(f), None) => format!("from {f}"),
        (None, Some(to)) => format!("through {to}"),
        (Some(f), Some(to)) => format!("{f} to {to}"),
    }
}

fn head(t: &Transparency) -> String {
    t.head
        .as_ref()
        .map_or("(empty ledger)".to_string(), |(id, hash)| format!("#{id} {hash}"))
}

/// One row of a currency's totals: a label, its sum, and whether it is a part of the row
/// above it (a kind of fee).
struct Line {
    label: String,
    sum: Sum,
    part: bool,
}

fn line(label: &str, sum: Sum) -> Line {
    Line {
        label: label.to_string(),
        sum,
        part: false,
    }
}

/// What a fee account is called on the page.
fn fee_kind(account: &str) -> String {
    match account {
        FEES_PROCESSOR => "payment processor".to_string(),
        FEES_WIRE => "wire transfers".to_string(),
        FEES_BANK => "bank charges".to_string(),
        FEES => "fees not classified by kind".to_string(),
        other => other
            .strip_prefix(FEES)
            .map_or(other, |rest| rest.trim_start_matches(':'))
            .replace(':', " "),
    }
}

/// Where the money came from and went, as every format labels it: lines that are zero in
/// every ledger kept with fondo's usual commands are shown only when they are not.
fn movements(x: &Totals) -> Vec<Line> {
    let mut lines = Vec::new();
    if !x.opening.is_zero() {
        lines.push(line("Held at the start of the period", x.opening));
    }
    lines.push(line("Raised from donors", x.raised));
    lines.push(line("Fees (payment processor, wires, bank)", x.fees));
    for (account, sum) in &x.fees_by_kind {
        lines.push(Line {
            label: format!("of which {}", fee_kind(account)),
            sum: *sum,
            part: true,
        });
    }
    lines.push(line("Sent to the Communard Union", x.sent_to_union));
    lines.push(line("Passed on by the union to communes", x.allocated));
    lines.push(line(
        "Spent by the union on its own programmes",
        x.union_programmes,
    ));
    lines.push(line("Sent to communes directly", x.direct));
    for (label, minor) in [
        ("Other grants", x.other_grants),
        ("Other spending", x.other_spending),
        ("Opening balances and other entries", x.other_equity),
    ] {
        if !minor.is_zero() {
            lines.push(line(label, minor));
        }
    }
    for (label, minor) in [
        ("Bought with other currencies", x.bought),
        ("Spent buying other currencies", x.sold),
    ] {
        if !minor.is_zero() {
            lines.push(line(label, minor));
        }
    }
    lines.push(line("Confirmed received by communes", x.confirmed));
    lines
}

/// Where the money is now.
fn holdings(x: &Totals) -> [(&'static str, Sum); 4] {
    [
        ("Held by the union, not yet passed on", x.held_by_union),
        ("In the bank", x.at_bank),
        ("With the payment processor", x.at_processor),
        ("Elsewhere", x.at_other),
    ]
}

/// Every total row of one currency: the movements, then the holdings.
fn summary(x: &Totals) -> Vec<Line> {
    let mut lines = movements(x);
    lines.extend(holdings(x).into_iter().map(|(label, sum)| line(label, sum)));
    lines
}

/// A rate for people: exact when short, else to six decimals; at least two.
fn rate_text(rate: Decimal) -> String {
    let mut shown = rate.round_dp(6).normalize();
    if shown.scale() < 2 {
        shown.rescale(2);
    }
    group_thousands(&shown.to_string())
}

/// "3,650.00 VES bought with 100.00 USD at 36.50 VES per USD".
fn exchange_text(e: &Exchange) -> String {
    let rate = e.received.to_decimal() / e.given.to_decimal();
    format!(
        "{} bought with {} at {} {} per {}",
        money(e.received),
        money(e.given),
        rate_text(rate),
        e.received.currency().code(),
        e.given.currency().code()
    )
}

/// A consolidated value, rounded to the currency's smallest unit only here, for display.
fn valued(value: Decimal, currency: Currency) -> String {
    let mut shown =
        value.round_dp_with_strategy(currency.minor_units(), RoundingStrategy::MidpointNearestEven);
    shown.rescale(currency.minor_units());
    format!("{} {}", group_thousands(&shown.to_string()), currency.code())
}

/// A table of the page: its heading and its (label, amount) rows.
type ShownTable = (&'static str, Vec<(String, String)>);

/// The consolidated tables (what came in, what went or is held; each with its total) and
/// what each currency was valued at.
fn consolidated_rows(c: &Consolidated) -> ([ShownTable; 2], Vec<String>) {
    let side = |parts: &[(&'static str, Decimal)]| -> Vec<(String, String)> {
        let total: Decimal = parts.iter().map(|(_, v)| *v).sum();
        parts
            .iter()
            .map(|(label, value)| (label.to_string(), valued(*value, c.currency)))
            .chain([("Total".to_string(), valued(total, c.currency))])
            .collect()
    };
    let rows = [
        ("came in", side(&c.came_in)),
        ("went, or is held now", side(&c.went)),
    ];
    let notes = c
        .valuations
        .iter()
        .map(|v| match &v.per_unit {
            Some((rate, e)) => format!(
                "{} valued at {} {} per {}, the rate of the ledger's latest exchange between the two (#{} on {})",
                v.currency.code(),
                rate_text(*rate),
                v.currency.code(),
                c.currency.code(),
                e.txn,
                e.date
            ),
            None => format!(
                "{} is not included: the ledger has no exchange between {} and {} to value it at",
                v.currency.code(),
                v.currency.code(),
                c.currency.code()
            ),
        })
        .collect();
    (rows, notes)
}

pub fn write_transparency(t: &Transparency, format: PageFormat, out: &mut dyn Write) -> Result<()> {
    let text = match format {
        PageFormat::Markdown => markdown(t),
        PageFormat::Html => html(t)?,
    };
    out.write_all(text.as_bytes()).map_err(Error::Output)?;
    Ok(())
}

/// A commune with its state; a state on its own.
fn journey_name(j: &Journey) -> String {
    if j.name == j.state {
        j.name.clone()
    } else {
        format!("{} ({})", j.name, j.state)
    }
}

/// Text for a Markdown page: it can only ever be text. Every character Markdown gives a
/// meaning (links, images, emphasis, headings, code, tables, autolinks) is escaped with a
/// backslash (but `-`, `,` and `/`, which mean nothing inside a line: a name never starts
/// one), HTML is escaped as entities, and any kind of line break becomes a space, so a
/// name cannot start a line of its own.
fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push(' '),
            // Harmless in running text, and common in names and fund codes.
            '-' | ',' | '/' => out.push(c),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// How the months table protects donors, in the page's words.
fn months_note(t: &Transparency) -> String {
    let rules = t.disclosure;
    let mut note = format!(
        "A month is shown on its own only when at least {} different people gave in it and no one \
         gave more than {}% of its total; the other months are shown together, and more months \
         join them until they too meet that rule, so no one's gifts can be worked out from the table.",
        rules.min_donors, rules.max_share_percent
    );
    if !t.months_withheld.is_empty() {
        let codes: Vec<&str> = t.months_withheld.iter().map(|c| c.code()).collect();
        note.push_str(&format!(
            " Gifts in {} are not broken down by month: even all months together do not meet it.",
            codes.join(", ")
        ));
    }
    note
}

/// A fund as the page names it: its name, its code in small print.
fn md_fund(name: &str, code: &str) -> String {
    format!("{} <sub>{}</sub>", md_cell(name), md_cell(code))
}

fn html_fund(name: &str, code: &str) -> String {
    format!("{} <small>{}</small>", escape_html(name), escape_html(code))
}

/// [`journey_name`] for Markdown: the names escaped, the parentheses kept.
fn md_journey(j: &Journey) -> String {
    if j.name == j.state {
        md_cell(&j.name)
    } else {
        format!("{} ({})", md_cell(&j.name), md_cell(&j.state))
    }
}

fn markdown(t: &Transparency) -> String {
    let mut s = String::new();
    let title = t.org.as_deref().unwrap_or("Fundraiser");
    let _ = writeln!(s, "# {} — where the money went\n", md_cell(title));
    let _ = writeln!(s, "Period: {}.\n", period(t));
    md_totals(&mut s, &t.totals);
    match &t.together {
        Some(Together::AtExchanges(c)) => md_consolidated(&mut s, c),
        Some(Together::Valued(v)) => md_valued(&mut s, v),
        None => {}
    }
    md_exchanges(&mut s, &t.exchanges);
    md_programmes(&mut s, &t.programmes);
    md_funds(&mut s, &t.funds);
    for (heading, rows) in [("Per commune", &t.communes), ("Per state", &t.states)] {
        md_journeys(&mut s, heading, rows);
    }
    md_evidence(&mut s, t);
    md_months(&mut s, t);
    let _ = writeln!(s, "\n---\n\nLedger chain head {} · {}.", head(t), period(t));
    s
}

fn md_totals(s: &mut String, totals: &[(Currency, Totals)]) {
    for (currency, totals) in totals {
        let _ = writeln!(
            s,
            "## Totals in {}\n\n| | amount |\n| --- | ---: |",
            currency.code()
        );
        for l in summary(totals) {
            let dot = if l.part { "· " } else { "" };
            let _ = writeln!(s, "| {dot}{} | {} |", l.label, money(l.sum));
        }
        s.push('\n');
    }
}

fn md_consolidated(s: &mut String, c: &Consolidated) {
    let (tables, notes) = consolidated_rows(c);
    let _ = writeln!(s, "## All currencies together, in {}\n", c.currency.code());
    for (heading, rows) in tables {
        let _ = writeln!(s, "| {heading} | amount |\n| --- | ---: |");
        for (label, value) in rows {
            let _ = writeln!(s, "| {label} | {value} |");
        }
        s.push('\n');
    }
    for note in notes {
        let _ = writeln!(s, "- {note}.");
    }
    s.push('\n');
}

/// `--value CUR`: each line of the flow valued, with the rates under it.
fn md_valued(s: &mut String, v: &ValuedReport) {
    let _ = writeln!(
        s,
        "## Valued in {}\n\n| | value |\n| --- | ---: |",
        v.currency.code()
    );
    for (label, value) in valued_rows(v) {
        let _ = writeln!(s, "| {} | {value} |", md_cell(&label));
    }
    s.push('\n');
    for note in valuation_notes(v) {
        let _ = writeln!(s, "- {note}.");
    }
    s.push('\n');
}

fn html_valued(s: &mut String, v: &ValuedReport) {
    let _ = write!(
        s,
        "<h2>Valued in {}</h2><div class=\"scroll\"><table><tr><th></th><th class=\"n\">Value</th></tr>",
        v.currency.code()
    );
    for (label, value) in valued_rows(v) {
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"n\">{value}</td></tr>",
            escape_html(&label)
        );
    }
    s.push_str("</table></div><ul>");
    for note in valuation_notes(v) {
        let _ = write!(s, "<li>{}.</li>", escape_html(&note));
    }
    s.push_str("</ul>\n");
}

/// Each valued line and its value, rounded once for display.
fn valued_rows(v: &ValuedReport) -> Vec<(String, String)> {
    v.lines
        .iter()
        .map(|l| (l.label.clone(), valued(l.total, v.currency)))
        .collect()
}

fn md_exchanges(s: &mut String, exchanges: &[Exchange]) {
    if exchanges.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Currency exchanges\n");
    for e in exchanges {
        let _ = writeln!(s, "- {}: {}.", e.date, exchange_text(e));
    }
    s.push('\n');
}

fn md_programmes(s: &mut String, programmes: &[Programme]) {
    if programmes.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "## Spent by the union on its own programmes\n\n| from the fund | amount |\n| --- | ---: |"
    );
    for p in programmes {
        let _ = writeln!(s, "| {} | {} |", md_fund(&p.name, &p.fund), money(p.amount));
    }
    s.push('\n');
}

fn md_funds(s: &mut String, funds: &[FundProgress]) {
    let _ = writeln!(
        s,
        "## Funds\n\nProgress counts what was raised and what was moved in from other funds.\n\n| fund | raised | moved in | granted | target | progress |\n| --- | ---: | ---: | ---: | ---: | ---: |"
    );
    for f in funds {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            md_fund(&f.name, &f.fund),
            money(f.raised),
            money(f.moved_in),
            money(f.granted),
            f.target.map_or(String::new(), money),
            f.percent.map_or(String::new(), |p| format!("{p}%"))
        );
    }
}

fn md_journeys(s: &mut String, heading: &str, rows: &[Journey]) {
    let _ = writeln!(
        s,
        "\n## {heading}\n\n| | sent directly | via the union | confirmed |\n| --- | ---: | ---: | ---: |"
    );
    for j in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            md_journey(j),
            money(j.direct),
            money(j.via_union),
            money(j.confirmed)
        );
    }
}

/// "3 receipts", and with `--public-evidence` where each file is, beside the page.
fn evidence_count(count: usize) -> String {
    format!("{count} receipt{}", if count == 1 { "" } else { "s" })
}

/// The published files of one commune: (link text, path beside the page, whether a browser
/// should only download it: a `.bin` is a file fondo would not let a browser open).
fn evidence_links(t: &Transparency, e: &CommuneEvidence) -> Vec<(String, String, bool)> {
    let Some(dir) = &t.evidence_dir else {
        return Vec::new();
    };
    e.files
        .iter()
        .filter(|f| f.stored.is_some())
        .map(|f| {
            let name = published_name(f.attachment, f.media_type.as_deref());
            let opaque = name.ends_with(&format!(".{OPAQUE_EXTENSION}"));
            (
                format!("attachment {}", f.attachment),
                format!("{dir}/{name}"),
                opaque,
            )
        })
        .collect()
}

fn md_evidence(s: &mut String, t: &Transparency) {
    if t.evidence.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n## Evidence per commune\n\nReceipts, wire confirmations and photos attached to the grants (or their confirmations).\n\n| commune | evidence |\n| --- | --- |"
    );
    for e in &t.evidence {
        let mut cell = evidence_count(e.files.len());
        let links: Vec<String> = evidence_links(t, e)
            .into_iter()
            .map(|(text, path, _)| format!("[{text}]({path})"))
            .collect();
        if !links.is_empty() {
            cell.push_str(&format!(": {}", links.join(", ")));
        }
        let _ = writeln!(s, "| {} ({}) | {cell} |", md_cell(&e.commune), md_cell(&e.state));
    }
}

fn html_evidence(s: &mut String, t: &Transparency) {
    if t.evidence.is_empty() {
        return;
    }
    s.push_str("<h2>Evidence per commune</h2><p>Receipts, wire confirmations and photos attached to the grants (or their confirmations).</p><div class=\"scroll\"><table><tr><th></th><th>Evidence</th></tr>");
    for e in &t.evidence {
        let links: Vec<String> = evidence_links(t, e)
            .into_iter()
            .map(|(text, path, opaque)| {
                format!(
                    "<a href=\"{}\"{}>{}</a>",
                    escape_html(&path),
                    if opaque { " download" } else { "" },
                    escape_html(&text)
                )
            })
            .collect();
        let _ = write!(
            s,
            "<tr><td>{} ({})</td><td>{}{}</td></tr>",
            escape_html(&e.commune),
            escape_html(&e.state),
            evidence_count(e.files.len()),
            if links.is_empty() {
                String::new()
            } else {
                format!(": {}", links.join(", "))
            }
        );
    }
    s.push_str("</table></div>\n");
}

fn md_months(s: &mut String, t: &Transparency) {
    let _ = writeln!(
        s,
        "\n## Raised per month\n\n{}\n\n| month | donors | gifts | raised |\n| --- | ---: | ---: | ---: |",
        months_note(t)
    );
    for m in &t.months {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            m.month,
            m.donors,
            m.gifts,
            money(m.total)
        );
    }
}

pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:960px;padding:1rem;color:#222}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{padding:.3rem .5rem;border-bottom:1px solid #ddd;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.part{padding-left:1.5rem;color:#555}\
.scroll{overflow-x:auto}figure{margin:1rem 0}.chart{overflow-x:auto}.chart svg{width:100%;min-width:720px;height:auto}td:first-child{min-width:7rem}\
svg.bar{display:block;width:100%;height:2.5rem}figure.flow p{margin:.75rem 0 .25rem;font-weight:600}\
.flowkey td{font-size:.9rem}.flowkey i,.key i{display:inline-block;width:.8rem;height:.8rem;margin-right:.4rem;vertical-align:middle}\
progress{width:100%;max-width:8rem}.key{margin-right:1rem;font-size:.85rem;white-space:nowrap}\
footer{margin-top:2rem;font-size:.8rem;color:#555;word-break:break-all}";

fn html(t: &Transparency) -> Result<String> {
    let mut s = String::new();
    let title = escape_html(t.org.as_deref().unwrap_or("Fundraiser"));
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — where the money went</title><style>{STYLE}</style></head><body>\n\
         <h1>{title} — where the money went</h1><p>Period: {}.</p>\n",
        period(t)
    );
    html_totals(&mut s, &t.totals)?;
    match &t.together {
        Some(Together::AtExchanges(c)) => html_consolidated(&mut s, c),
        Some(Together::Valued(v)) => html_valued(&mut s, v),
        None => {}
    }
    html_exchanges(&mut s, &t.exchanges);
    html_programmes(&mut s, &t.programmes);
    html_funds(&mut s, &t.funds);
    for (heading, rows) in [("Per commune", &t.communes), ("Per state", &t.states)] {
        html_journeys(&mut s, heading, rows);
    }
    html_evidence(&mut s, t);
    html_state_figures(&mut s, &t.states)?;
    html_months(&mut s, t);
    html_month_figures(&mut s, &t.months)?;
    let _ = write!(
        s,
        "<footer>Ledger chain head {} · period: {}. Compare the head with <code>fondo verify</code> or the audit pack.</footer>\n</body></html>\n",
        escape_html(&head(t)),
        period(t)
    );
    Ok(s)
}

fn html_totals(s: &mut String, totals: &[(Currency, Totals)]) -> Result<()> {
    for (currency, totals) in totals {
        let currency = *currency;
        let _ = write!(
            s,
            "<h2>Totals in {}</h2><div class=\"scroll\"><table>",
            currency.code()
        );
        for l in summary(totals) {
            let class = if l.part { " class=\"part\"" } else { "" };
            let _ = write!(
                s,
                "<tr><td{class}>{}</td><td class=\"n\">{}</td></tr>",
                escape_html(&l.label),
                money(l.sum)
            );
        }
        s.push_str("</table></div>\n");
        s.push_str(&flow_chart(totals, currency)?);
    }
    Ok(())
}

fn html_consolidated(s: &mut String, c: &Consolidated) {
    let (tables, notes) = consolidated_rows(c);
    let _ = write!(s, "<h2>All currencies together, in {}</h2>", c.currency.code());
    for (heading, rows) in tables {
        let _ = write!(
            s,
            "<div class=\"scroll\"><table><tr><th>{heading}</th><th class=\"n\">Amount</th></tr>"
        );
        for (label, value) in rows {
            let _ = write!(s, "<tr><td>{label}</td><td class=\"n\">{value}</td></tr>");
        }
        s.push_str("</table></div>");
    }
    s.push_str("<ul>");
    for note in notes {
        let _ = write!(s, "<li>{}.</li>", escape_html(&note));
    }
    s.push_str("</ul>\n");
}

fn html_exchanges(s: &mut String, exchanges: &[Exchange]) {
    if exchanges.is_empty() {
        return;
    }
    s.push_str("<h2>Currency exchanges</h2><ul>");
    for e in exchanges {
        let _ = write!(s, "<li>{}: {}.</li>", e.date, exchange_text(e));
    }
    s.push_str("</ul>\n");
}

fn html_programmes(s: &mut String, programmes: &[Programme]) {
    if programmes.is_empty() {
        return;
    }
    s.push_str("<h2>Spent by the union on its own programmes</h2><div class=\"scroll\"><table><tr><th>From the fund</th><th class=\"n\">Amount</th></tr>");
    for p in programmes {
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            html_fund(&p.name, &p.fund),
            money(p.amount)
        );
    }
    s.push_str("</table></div>\n");
}

fn html_funds(s: &mut String, funds: &[FundProgress]) {
    s.push_str("<h2>Funds</h2><p>Progress counts what was raised and what was moved in from other funds.</p><div class=\"scroll\"><table><tr><th>Fund</th><th class=\"n\">Raised</th><th class=\"n\">Moved in</th><th class=\"n\">Granted</th><th class=\"n\">Target</th><th>Progress</th></tr>");
    for f in funds {
        let progress = match (f.target, f.percent) {
            (Some(_), Some(p)) => format!(
                "<progress max=\"100\" value=\"{}\"></progress> {p}%",
                p.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)
            ),
            _ => String::new(),
        };
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{progress}</td></tr>",
            html_fund(&f.name, &f.fund),
            money(f.raised),
            money(f.moved_in),
            money(f.granted),
            f.target.map_or(String::new(), money),
        );
    }
    s.push_str("</table></div>\n");
}

fn html_journeys(s: &mut String, heading: &str, rows: &[Journey]) {
    let _ = write!(
        s,
        "<h2>{heading}: sent, passed on by the union, confirmed</h2><div class=\"scroll\"><table><tr><th></th><th class=\"n\">Sent directly</th><th class=\"n\">Via the union</th><th class=\"n\">Confirmed</th></tr>"
    );
    for j in rows {
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape_html(&journey_name(j)),
            money(j.direct),
            money(j.via_union),
            money(j.confirmed)
        );
    }
    s.push_str("</table></div>\n");
}

/// One chart of the money's journey per currency, a bar group per state.
fn html_state_figures(s: &mut String, all_states: &[Journey]) -> Result<()> {
    for currency in all_states
        .iter()
        .map(|j| j.currency)
        .collect::<std::collections::BTreeSet<_>>()
    {
        let states: Vec<&Journey> = all_states.iter().filter(|j| j.currency == currency).collect();
        let names: Vec<String> = states.iter().map(|j| j.name.clone()).collect();
        s.push_str(&figure(
            &format!("The money's journey, per state ({})", currency.code()),
            &names,
            &[
                ("sent directly", states.iter().map(|j| j.direct.minor()).collect()),
                (
                    "passed on by the union",
                    states.iter().map(|j| j.via_union.minor()).collect(),
                ),
                (
                    "confirmed received",
                    states.iter().map(|j| j.confirmed.minor()).collect(),
                ),
            ],
            currency,
        )?);
    }
    Ok(())
}

fn html_months(s: &mut String, t: &Transparency) {
    let _ = write!(
        s,
        "<h2>Raised per month</h2><p>{}</p><div class=\"scroll\"><table><tr><th>Month</th><th class=\"n\">Donors</th><th class=\"n\">Gifts</th><th class=\"n\">Raised</th></tr>",
        escape_html(&months_note(t))
    );
    for m in &t.months {
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape_html(&m.month),
            m.donors,
            m.gifts,
            money(m.total)
        );
    }
    s.push_str("</table></div>\n");
}

fn html_month_figures(s: &mut String, all_months: &[MonthOfGifts]) -> Result<()> {
    for currency in all_months
        .iter()
        .map(|m| m.currency)
        .collect::<std::collections::BTreeSet<_>>()
    {
        let months: Vec<_> = all_months.iter().filter(|m| m.currency == currency).collect();
        s.push_str(&figure(
            &format!("Raised per month ({})", currency.code()),
            &months.iter().map(|m| m.month.clone()).collect::<Vec<_>>(),
            &[("raised", months.iter().map(|m| m.total.minor()).collect())],
            currency,
        )?);
    }
    Ok(())
}

/// The colour of each part of the flow chart, the same wherever the part appears.
const FLOW_COLOURS: [(&str, &str); 15] = [
    ("Held at the start of the period", "#9e9e9e"),
    ("Raised from donors", "#2e7d32"),
    ("Bought with other currencies", "#6a1b9a"),
    ("Opening balances and other entries", "#795548"),
    ("Fees", "#c62828"),
    ("Passed on by the union to communes", "#1565c0"),
    ("The union's own programmes", "#00838f"),
    ("Sent to communes directly", "#283593"),
    ("Other grants", "#4e342e"),
    ("Other spending", "#ad1457"),
    ("Spent buying other currencies", "#8e24aa"),
    ("Held by the union, not yet passed on", "#ef6c00"),
    ("In the bank", "#f9a825"),
    ("With the payment processor", "#8d6e63"),
    ("Elsewhere", "#607d8b"),
];

fn flow_colour(label: &str) -> &'static str {
    FLOW_COLOURS
        .iter()
        .find(|(l, _)| *l == label)
        .map_or("#000000", |(_, colour)| colour)
}

/// One side of the flow as a bar of 1,000 units split in proportion (integer arithmetic:
/// each part ends where its running sum falls), drawn as inline SVG with no text in it, so
/// it stays legible at any width; the key below it is HTML and carries the figures.
fn flow_bar(parts: &[(&str, Sum)], total: Sum) -> Result<String> {
    let mut svg =
        String::from("<svg class=\"bar\" viewBox=\"0 0 1000 40\" preserveAspectRatio=\"none\" role=\"img\">");
    let mut key = String::from("<table class=\"flowkey\">");
    let mut running = Sum::zero(total.currency());
    let mut x: i128 = 0;
    for (label, part) in parts {
        running.add(*part)?;
        // In i128: a sum times 1,000 may not fit in an i64.
        let end = i128::from(running.minor()) * 1000 / i128::from(total.minor().max(1));
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"0\" width=\"{}\" height=\"40\" fill=\"{}\"><title>{label}: {}</title></rect>",
            end - x,
            flow_colour(label),
            money(*part)
        );
        let _ = write!(
            key,
            "<tr><td><i style=\"background:{}\"></i>{label}</td><td class=\"n\">{}</td><td class=\"n\">{}%</td></tr>",
            flow_colour(label),
            money(*part),
            crate::report::funds::percent_of(part.minor(), total.minor())
        );
        x = end;
    }
    svg.push_str("</svg>");
    key.push_str("</table>");
    Ok(svg + &key)
}

/// Where one currency's money came from and where it went or is now: two bars of the same
/// length, since the two sides add up to the same sum.
fn flow_chart(totals: &Totals, currency: Currency) -> Result<String> {
    let flow = totals.flow()?;
    if flow.total.is_zero() {
        return Ok(String::new());
    }
    Ok(format!(
        "<figure class=\"flow\"><figcaption>Where the money came from and where it is ({}): {}</figcaption>\
         <p>Came in</p>{}<p>Went to, or is now</p>{}</figure>\n",
        currency.code(),
        money(flow.total),
        flow_bar(&flow.came_in, flow.total)?,
        flow_bar(&flow.went, flow.total)?
    ))
}

/// Colours of a chart's series, in order.
const SERIES_COLOURS: [RGBColor; 3] = [
    RGBColor(46, 125, 50),
    RGBColor(25, 118, 210),
    RGBColor(245, 124, 0),
];

/// A bar chart as an inline SVG figure drawn by plotters: one group of bars per label, one
/// bar per series (at most three), with an HTML legend when there is more than one series.
fn figure(
    caption: &str,
    labels: &[String],
    series: &[(&str, Vec<i64>)],
    currency: Currency,
) -> Result<String> {
    let values = || series.iter().flat_map(|(_, v)| v.iter().copied());
    if labels.is_empty() || values().all(|v| v == 0) {
        return Ok(String::new());
    }
    let chart_error = |e: String| Error::Internal(format!("could not draw the chart `{caption}`: {e}"));
    let top = values().max().unwrap_or(0).max(1);
    let low = values().min().unwrap_or(0).min(0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_error(e.to_string()))?;
        // At least two slots: a segmented range of one collapses (the second stays empty).
        let slots = labels.len().max(2);
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(96)
            // A segmented range holds one segment more than its end.
            .build_cartesian_2d(
                (0..slots as i32 - 1).into_segmented(),
                low..top.saturating_add(top / 10),
            )
            .map_err(|e| chart_error(e.to_string()))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(labels.len())
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|y| group_thousands(&format_minor(*y, currency)))
            .draw()
            .map_err(|e| chart_error(e.to_string()))?;
        // Bars share their label's segment side by side, placed by pixel margins.
        let segment = chart.plotting_area().dim_in_pixel().0 / slots as u32;
        let gap = (segment / 8).max(2);
        let width = (segment.saturating_sub(2 * gap) / series.len() as u32).max(1);
        for (k, ((_, values), colour)) in series.iter().zip(SERIES_COLOURS).enumerate() {
            let k = k as u32;
            let right = segment.saturating_sub(gap + (k + 1) * width);
            chart
                .draw_series(values.iter().enumerate().map(|(i, value)| {
                    let i = i as i32;
                    let mut bar = Rectangle::new(
                        [(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), *value)],
                        colour.filled(),
                    );
                    bar.set_margin(0, 0, gap + k * width, right);
                    bar
                }))
                .map_err(|e| chart_error(e.to_string()))?;
        }
        root.present().map_err(|e| chart_error(e.to_string()))?;
    }
    let mut legend = String::new();
    if series.len() > 1 {
        for ((name, _), RGBColor(r, g, b)) in series.iter().zip(SERIES_COLOURS) {
            let _ = write!(
                legend,
                "<span class=\"key\"><i style=\"background:rgb({r},{g},{b})\"></i>{}</span>",
                escape_html(name)
            );
        }
    }
    Ok(format!(
        "<figure><figcaption>{}</figcaption><div class=\"chart\">{svg}</div>{legend}</figure>\n",
        escape_html(caption)
    ))
}
