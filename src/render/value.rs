//! Values in one currency (`--value CUR`) and the rates table (`rate list`).

use rust_decimal::Decimal;

use super::reports::sum;
use super::{col, machine_col, optional_col, Cell, Tabular};
use crate::domain::valuation::{self, RateUsed};
use crate::domain::Currency;
use crate::report::value::ValuedReport;
use crate::store::read::RateInfo;

/// A value as shown: rounded once, half-even, to `currency`'s minor units.
pub fn shown_value(value: Decimal, currency: Currency) -> String {
    let mut shown = valuation::shown(value, currency);
    shown.rescale(currency.minor_units());
    shown.to_string()
}

/// Each valued line, currency by currency with the rate used, then its total; the rates
/// used and the tie-out under the table.
pub fn valuation_table(v: &ValuedReport) -> Tabular {
    let mut t = Tabular::new(vec![
        col("line", "Line"),
        col("currency", "Cur"),
        col("amount", "Amount"),
        optional_col("rate", "Rate"),
        optional_col("rate_date", "Rate of"),
        optional_col("rate_source", "Source"),
        col("value", "Value"),
        machine_col("value_currency"),
        machine_col("value_exact"),
    ]);
    let rate_of = |c: Currency| v.rates.iter().find(|r| r.from == c);
    let valued = |value: Decimal| {
        [
            Cell::Money(shown_value(value, v.currency)),
            v.currency.code().into(),
            Cell::Money(value.normalize().to_string()),
        ]
    };
    for line in &v.lines {
        for part in &line.parts {
            let c = part.sum.currency();
            let (rate, date, source) = match rate_of(c) {
                Some(r) => (
                    r.text().into(),
                    r.date.to_string().into(),
                    r.source.to_string().into(),
                ),
                None if c == v.currency => ("1".into(), Cell::Empty, "same currency".into()),
                // A zero sum of a currency no rate was needed for.
                None => (Cell::Empty, Cell::Empty, Cell::Empty),
            };
            let mut row = vec![
                line.label.as_str().into(),
                c.code().into(),
                sum(part.sum),
                rate,
                date,
                source,
            ];
            row.extend(valued(part.value));
            t.rows.push(row);
        }
        let mut row = vec![
            line.label.as_str().into(),
            "total".into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ];
        row.extend(valued(line.total));
        t.rows.push(row);
    }
    t.notes = valuation_notes(v);
    if let Some(difference) = v.shown_difference_max() {
        t.notes.push(format!(
            "each valued amount is rounded once from the exact sum, so lines may differ from their total (here by up to {} {})",
            shown_value(difference, v.currency),
            v.currency
        ));
    }
    t
}

/// What a valuation says under its figures: the date, each rate used, and the tie-out.
pub fn valuation_notes(v: &ValuedReport) -> Vec<String> {
    let mut notes = vec![format!(
        "valued in {} at the rates on or before {}",
        v.currency, v.date
    )];
    notes.extend(v.rates.iter().map(rate_note));
    notes.push(format!(
        "tie-out {}: each total is its lines' exact values summed, then rounded once (half-even){}: {}",
        v.currency,
        equal_note(v),
        if v.tied_out() {
            "ok"
        } else {
            "DOES NOT TIE OUT, run `fondo verify`"
        }
    ));
    notes
}

fn rate_note(r: &RateUsed) -> String {
    let how = if r.denominator == Decimal::ONE {
        format!("× {}", r.numerator)
    } else if r.numerator == Decimal::ONE {
        format!("÷ {} (the inverse of a {}→{} rate)", r.denominator, r.to, r.from)
    } else {
        format!(
            "× {} ÷ {} (what the exchange gave and got)",
            r.numerator, r.denominator
        )
    };
    format!("{}→{}: {how}, {} of {}", r.from, r.to, r.source, r.date)
}

/// `; debits = credits` for the two lines that must be worth the same.
fn equal_note(v: &ValuedReport) -> String {
    let line = |i: usize| {
        v.lines
            .get(i)
            .map(|l| (l.label.as_str(), shown_value(l.total, v.currency)))
    };
    match v.equal.and_then(|(a, b)| Some((line(a)?, line(b)?))) {
        Some(((a, x), (b, y))) => format!("; {a} {x} = {b} {y}"),
        None => String::new(),
    }
}

/// `fondo rate list`: every entered rate.
pub fn rates_table(rates: &[RateInfo]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("id", "#"),
        col("from", "From"),
        col("to", "To"),
        col("rate", "Rate"),
        col("date", "Date"),
        optional_col("corrects", "Corrects"),
        optional_col("entered_by", "Entered by"),
    ]);
    for r in rates {
        t.rows.push(vec![
            Cell::Int(r.id),
            r.from.code().into(),
            r.to.code().into(),
            Cell::Text(r.rate.to_string()),
            r.date.to_string().into(),
            r.corrects.map_or(Cell::Empty, |id| format!("#{id}").into()),
            r.entered_by.as_str().into(),
        ]);
    }
    t
}
