//! A donor statement as a letter: Markdown, HTML or CSV. The organisation block (when set),
//! a heading, the thank-you text of the template, the year's gifts and totals, and the
//! "no goods or services" sentence (when set). Every text that comes from the ledger or the
//! template is escaped for the format, so a donor's name can only ever be text.

use std::io::Write;

use super::group_thousands;
use super::transparency::escape_html;
use crate::domain::money::format_minor;
use crate::domain::template::{Placeholder, Template};
use crate::domain::Sum;
use crate::encode::{csv_io_error, neutralize_formula};
use crate::error::{Error, Result};
use crate::report::statement::Letter;
use crate::store::read::Organisation;

/// How a letter is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterFormat {
    Markdown,
    Html,
    /// The gifts and totals only, a row each: for a mail merge or a spreadsheet.
    Csv,
}

impl LetterFormat {
    /// The file name extension of a letter in this format.
    pub fn extension(self) -> &'static str {
        match self {
            LetterFormat::Markdown => "md",
            LetterFormat::Html => "html",
            LetterFormat::Csv => "csv",
        }
    }
}

/// `1,250.00 USD`.
fn money(sum: Sum) -> String {
    format!(
        "{} {}",
        group_thousands(&format_minor(sum.minor(), sum.currency())),
        sum.currency()
    )
}

/// `1,250.00 USD and 20.00 EUR`.
fn totals_text(totals: &[Sum]) -> String {
    let each: Vec<String> = totals.iter().map(|t| money(*t)).collect();
    each.join(" and ")
}

/// The template filled in for `letter`: its own text through `text`, each value through
/// `value` (each format's escaping).
fn thanks(
    letter: &Letter,
    org: &Organisation,
    template: &Template,
    text: impl Fn(&str) -> String,
    value: impl Fn(&str) -> String,
) -> String {
    template.fill(text, |p| {
        value(&match p {
            Placeholder::Donor => letter.donor.clone(),
            Placeholder::Year => letter.year.to_string(),
            Placeholder::Total => totals_text(&letter.totals),
            Placeholder::Gifts => letter.gift_count().to_string(),
            Placeholder::Org => org.name.clone().unwrap_or_else(|| "our fund".into()),
        })
    })
}

/// The organisation block's lines, as set: name, address (its own lines), tax id.
fn org_lines(org: &Organisation) -> Vec<String> {
    let mut lines: Vec<String> = org.name.iter().cloned().collect();
    lines.extend(org.address.iter().flat_map(|a| a.lines().map(str::to_string)));
    lines.extend(org.tax_id.iter().map(|t| format!("Tax id: {t}")));
    lines
}

/// Writes one donor's letter.
pub fn write_letter(
    letter: &Letter,
    org: &Organisation,
    template: &Template,
    format: LetterFormat,
    out: &mut dyn Write,
) -> Result<()> {
    let text = match format {
        LetterFormat::Markdown => markdown(letter, org, template),
        LetterFormat::Html => html(letter, org, template),
        LetterFormat::Csv => return csv_letter(letter, out),
    };
    out.write_all(text.as_bytes()).map_err(Error::Output)
}

/// A value in a Markdown letter: it can only ever be text. The characters that start
/// markup inside a line (emphasis, code, links, images, HTML, tables, strike-through,
/// headings, entities) are escaped with a backslash, which CommonMark allows before any
/// punctuation; a line break becomes a space, so a value cannot start a line of its own.
/// Gentler than the public page's escaping: a letter is read as text as often as rendered.
fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn markdown(letter: &Letter, org: &Organisation, template: &Template) -> String {
    let mut s = String::new();
    let block = org_lines(org);
    if !block.is_empty() {
        let lines: Vec<String> = block.iter().map(|l| md_text(l)).collect();
        s.push_str(&format!("{}\n\n", lines.join("  \n")));
    }
    s.push_str(&format!(
        "# Statement of gifts {}: {}\n\n",
        letter.year,
        md_text(&letter.donor)
    ));
    // The template is the treasurer's own Markdown; only the values are escaped.
    s.push_str(thanks(letter, org, template, str::to_string, md_text).trim_end());
    s.push_str(&format!(
        "\n\n## Your gifts in {}\n\n| Date | Amount | Fund | Reference |\n|---|---:|---|---|\n",
        letter.year
    ));
    for gift in &letter.gifts {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            gift.date,
            money(gift.amount),
            md_text(&gift.fund),
            md_text(&gift.shown_reference())
        ));
    }
    s.push_str(&format!(
        "\n**Total {}: {}**\n",
        letter.year,
        totals_text(&letter.totals)
    ));
    if let Some(sentence) = &org.no_goods {
        let lines: Vec<String> = sentence.lines().map(md_text).collect();
        s.push_str(&format!("\n{}\n", lines.join("\n")));
    }
    s
}

/// HTML paragraphs from text: a blank line between paragraphs, a line break within one.
fn html_paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>\n", p.replace('\n', "<br>\n")))
        .collect()
}

fn html(letter: &Letter, org: &Organisation, template: &Template) -> String {
    let title = format!(
        "Statement of gifts {}: {}",
        letter.year,
        escape_html(&letter.donor)
    );
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n</head>\n<body>\n"
    );
    let block = org_lines(org);
    if !block.is_empty() {
        let lines: Vec<String> = block.iter().map(|l| escape_html(l)).collect();
        s.push_str(&format!("<address>{}</address>\n", lines.join("<br>\n")));
    }
    s.push_str(&format!("<h1>{title}</h1>\n"));
    s.push_str(&html_paragraphs(&thanks(
        letter,
        org,
        template,
        escape_html,
        escape_html,
    )));
    s.push_str(&format!(
        "<h2>Your gifts in {}</h2>\n<table>\n<tr><th>Date</th><th>Amount</th><th>Fund</th><th>Reference</th></tr>\n",
        letter.year
    ));
    for gift in &letter.gifts {
        s.push_str(&format!(
            "<tr><td>{}</td><td style=\"text-align:right\">{}</td><td>{}</td><td>{}</td></tr>\n",
            gift.date,
            money(gift.amount),
            escape_html(&gift.fund),
            escape_html(&gift.shown_reference())
        ));
    }
    s.push_str(&format!(
        "</table>\n<p><strong>Total {}: {}</strong></p>\n",
        letter.year,
        totals_text(&letter.totals)
    ));
    if let Some(sentence) = &org.no_goods {
        s.push_str(&html_paragraphs(&escape_html(sentence)));
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// A row per gift, then a `total` row per currency; amounts plain, as every CSV fondo writes.
fn csv_letter(letter: &Letter, out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e| Error::Output(csv_io_error(e));
    w.write_record([
        "donor",
        "year",
        "line",
        "date",
        "amount",
        "currency",
        "fund",
        "reference",
    ])
    .map_err(io)?;
    let donor = neutralize_formula(&letter.donor);
    let year = letter.year.to_string();
    for gift in &letter.gifts {
        let amount = format_minor(gift.amount.minor(), gift.amount.currency());
        let date = gift.date.to_string();
        let reference = neutralize_formula(&gift.shown_reference());
        let line = if gift.refund_of.is_some() {
            "refund"
        } else {
            "gift"
        };
        let fund = neutralize_formula(&gift.fund);
        let currency = gift.amount.currency().code();
        w.write_record([&donor, &year, line, &date, &amount, currency, &fund, &reference])
            .map_err(io)?;
    }
    for total in &letter.totals {
        let amount = format_minor(total.minor(), total.currency());
        w.write_record([
            &donor,
            &year,
            "total",
            "",
            &amount,
            total.currency().code(),
            "",
            "",
        ])
        .map_err(io)?;
    }
    w.flush().map_err(Error::Output)
}
