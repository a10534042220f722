//! The transparency report as a self-contained HTML page (inline CSS and SVG charts drawn
//! with plotters, nothing fetched) or as Markdown. Amounts are the exact stored integers
//! formatted as decimals; chart coordinates are the same integers, never floats.

use std::fmt::Write as _;
use std::io::Write;

use plotters::prelude::*;

use super::group_thousands;
use crate::domain::money::format_minor;
use crate::domain::Currency;
use crate::error::{Error, Result};
use crate::report::transparency::{Journey, Totals, Transparency, MIN_DONORS};

/// Which page to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageFormat {
    Html,
    Markdown,
}

fn money(minor: i64, currency: Currency) -> String {
    format!(
        "{} {}",
        group_thousands(&format_minor(minor, currency)),
        currency.code()
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

/// Where the money went, as every format labels it.
fn movements(x: &Totals) -> [(&'static str, i64); 7] {
    [
        ("Raised from donors", x.raised),
        ("Fees (payment processor, wires, bank)", x.fees),
        ("Sent to the Communard Union", x.sent_to_union),
        ("Passed on by the union to communes", x.allocated),
        ("Spent by the union on its own programmes", x.union_programmes),
        ("Sent to communes directly", x.direct),
        ("Confirmed received by communes", x.confirmed),
    ]
}

/// Where the money is now.
fn holdings(x: &Totals) -> [(&'static str, i64); 4] {
    [
        ("Held by the union, not yet passed on", x.held_by_union),
        ("In the bank", x.at_bank),
        ("With the payment processor", x.at_processor),
        ("Elsewhere", x.at_other),
    ]
}

/// Every total row of one currency: the movements, then the holdings.
fn summary(x: &Totals) -> impl Iterator<Item = (&'static str, i64)> {
    movements(x).into_iter().chain(holdings(x))
}

pub fn write_transparency(t: &Transparency, format: PageFormat, out: &mut dyn Write) -> Result<()> {
    let text = match format {
        PageFormat::Markdown => markdown(t),
        PageFormat::Html => html(t)?,
    };
    out.write_all(text.as_bytes())?;
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

/// Text for a Markdown table cell; Markdown renders inline HTML, so that is escaped too.
fn md_cell(text: &str) -> String {
    escape_html(text).replace('|', "\\|").replace('\n', " ")
}

fn markdown(t: &Transparency) -> String {
    let mut s = String::new();
    let title = t.org.as_deref().unwrap_or("Fundraiser");
    let _ = writeln!(s, "# {} — where the money went\n", md_cell(title));
    let _ = writeln!(s, "Period: {}.\n", period(t));
    for (currency, totals) in &t.totals {
        let currency = *currency;
        let _ = writeln!(
            s,
            "## Totals in {}\n\n| | amount |\n| --- | ---: |",
            currency.code()
        );
        for (label, minor) in summary(totals) {
            let _ = writeln!(s, "| {label} | {} |", money(minor, currency));
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "## Funds\n\n| fund | raised | granted | target | progress |\n| --- | ---: | ---: | ---: | ---: |"
    );
    for f in &t.funds {
        let _ = writeln!(
            s,
            "| {} <sub>{}</sub> | {} | {} | {} | {} |",
            md_cell(&f.name),
            md_cell(&f.fund),
            money(f.raised, f.currency),
            money(f.granted, f.currency),
            f.target_minor.map_or(String::new(), |m| money(m, f.currency)),
            f.percent.map_or(String::new(), |p| format!("{p}%"))
        );
    }
    for (heading, rows) in [("Per commune", &t.communes), ("Per state", &t.states)] {
        let _ = writeln!(
            s,
            "\n## {heading}\n\n| | sent directly | via the union | confirmed |\n| --- | ---: | ---: | ---: |"
        );
        for j in rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                md_cell(&journey_name(j)),
                money(j.direct, j.currency),
                money(j.via_union, j.currency),
                money(j.confirmed, j.currency)
            );
        }
    }
    let _ = writeln!(
        s,
        "\n## Raised per month\n\nMonths with fewer than {MIN_DONORS} donors are shown together.\n\n| month | donors | gifts | raised |\n| --- | ---: | ---: | ---: |"
    );
    for m in &t.months {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            m.month,
            m.donors,
            m.gifts,
            money(m.total_minor, m.currency)
        );
    }
    let _ = writeln!(s, "\n---\n\nLedger chain head {} · {}.", head(t), period(t));
    s
}

fn escape_html(text: &str) -> String {
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
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.scroll{overflow-x:auto}\
figure{margin:1rem 0}figure svg{width:100%;height:auto}progress{width:100%}\
.key{margin-right:1rem;font-size:.85rem}.key i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem}\
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
    for (currency, totals) in &t.totals {
        let currency = *currency;
        let _ = write!(
            s,
            "<h2>Totals in {}</h2><div class=\"scroll\"><table>",
            currency.code()
        );
        for (label, minor) in summary(totals) {
            let _ = write!(
                s,
                "<tr><td>{label}</td><td class=\"n\">{}</td></tr>",
                money(minor, currency)
            );
        }
        s.push_str("</table></div>\n");
        let places: Vec<String> = holdings(totals).iter().map(|(l, _)| l.to_string()).collect();
        let amounts = holdings(totals).iter().map(|(_, m)| *m).collect();
        s.push_str(&figure(
            &format!("Where the money is now ({})", currency.code()),
            &places,
            &[("amount", amounts)],
            currency,
        )?);
    }
    s.push_str("<h2>Funds</h2><div class=\"scroll\"><table><tr><th>Fund</th><th class=\"n\">Raised</th><th class=\"n\">Granted</th><th class=\"n\">Target</th><th>Progress</th></tr>");
    for f in &t.funds {
        let progress = match (f.target_minor, f.percent) {
            (Some(target), Some(p)) => format!(
                "<progress max=\"{target}\" value=\"{}\"></progress> {p}%",
                f.raised.clamp(0, target)
            ),
            _ => String::new(),
        };
        let _ = write!(
            s,
            "<tr><td>{} <small>{}</small></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{progress}</td></tr>",
            escape_html(&f.name),
            escape_html(&f.fund),
            money(f.raised, f.currency),
            money(f.granted, f.currency),
            f.target_minor.map_or(String::new(), |m| money(m, f.currency)),
        );
    }
    s.push_str("</table></div>\n");
    for (heading, rows) in [("Per commune", &t.communes), ("Per state", &t.states)] {
        let _ = write!(
            s,
            "<h2>{heading}: sent, passed on by the union, confirmed</h2><div class=\"scroll\"><table><tr><th></th><th class=\"n\">Sent directly</th><th class=\"n\">Via the union</th><th class=\"n\">Confirmed</th></tr>"
        );
        for j in rows.iter() {
            let _ = write!(
                s,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape_html(&journey_name(j)),
                money(j.direct, j.currency),
                money(j.via_union, j.currency),
                money(j.confirmed, j.currency)
            );
        }
        s.push_str("</table></div>\n");
    }
    for currency in t
        .states
        .iter()
        .map(|j| j.currency)
        .collect::<std::collections::BTreeSet<_>>()
    {
        let states: Vec<&Journey> = t.states.iter().filter(|j| j.currency == currency).collect();
        let names: Vec<String> = states.iter().map(|j| j.name.clone()).collect();
        s.push_str(&figure(
            &format!("The money's journey, per state ({})", currency.code()),
            &names,
            &[
                ("sent directly", states.iter().map(|j| j.direct).collect()),
                (
                    "passed on by the union",
                    states.iter().map(|j| j.via_union).collect(),
                ),
                ("confirmed received", states.iter().map(|j| j.confirmed).collect()),
            ],
            currency,
        )?);
    }
    let _ = write!(
        s,
        "<h2>Raised per month</h2><p>Months with fewer than {MIN_DONORS} donors are shown together.</p><div class=\"scroll\"><table><tr><th>Month</th><th class=\"n\">Donors</th><th class=\"n\">Gifts</th><th class=\"n\">Raised</th></tr>"
    );
    for m in &t.months {
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape_html(&m.month),
            m.donors,
            m.gifts,
            money(m.total_minor, m.currency)
        );
    }
    s.push_str("</table></div>\n");
    for currency in t
        .months
        .iter()
        .map(|m| m.currency)
        .collect::<std::collections::BTreeSet<_>>()
    {
        let months: Vec<_> = t.months.iter().filter(|m| m.currency == currency).collect();
        s.push_str(&figure(
            &format!("Raised per month ({})", currency.code()),
            &months.iter().map(|m| m.month.clone()).collect::<Vec<_>>(),
            &[("raised", months.iter().map(|m| m.total_minor).collect())],
            currency,
        )?);
    }
    let _ = write!(
        s,
        "<footer>Ledger chain head {} · period: {}. Compare the head with <code>fondo verify</code> or the audit pack.</footer>\n</body></html>\n",
        escape_html(&head(t)),
        period(t)
    );
    Ok(s)
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
    let chart_error = |e: String| Error::Refused(format!("could not draw the chart `{caption}`: {e}"));
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
        "<figure><figcaption>{}</figcaption>{svg}{legend}</figure>\n",
        escape_html(caption)
    ))
}
