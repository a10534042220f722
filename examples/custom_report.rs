//! A report fondo does not print: how much reached each Venezuelan state, built from the
//! communes report of the sample ledger and printed with fondo's own table renderer.
//!
//!     cargo run --example custom_report

use std::collections::BTreeMap;

use fondo::domain::money::format_minor;
use fondo::render::{col, Cell, Format, Tabular};
use fondo::report::communes::communes;
use fondo::store::read::Filter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let (ledger, _) = fondo::demo::build(&dir.path().join("sample.db"), "example")?;
    let report = communes(&ledger, &Filter::default())?;
    // Per state and currency: the communes' totals (their rows over every fund).
    let mut by_state: BTreeMap<(String, String), (i64, i64, usize)> = BTreeMap::new();
    for row in report.rows.iter().filter(|r| r.fund.is_none()) {
        let entry = by_state
            .entry((row.state.clone(), row.currency.to_string()))
            .or_default();
        entry.0 += row.received.total;
        entry.1 += row.received.confirmed;
        entry.2 += 1;
    }
    let mut table = Tabular::new(vec![
        col("state", "State"),
        col("currency", "Cur"),
        col("communes", "Communes"),
        col("received", "Received"),
        col("confirmed", "Confirmed"),
    ]);
    for ((state, code), (total, confirmed, count)) in &by_state {
        let currency = fondo::domain::Currency::parse(code)?;
        table.rows.push(vec![
            state.as_str().into(),
            code.as_str().into(),
            Cell::Int(*count as i64),
            Cell::Money(format_minor(*total, currency)),
            Cell::Money(format_minor(*confirmed, currency)),
        ]);
    }
    let everything: i64 = by_state
        .iter()
        .filter(|((_, c), _)| c == "USD")
        .map(|(_, (t, _, _))| t)
        .sum();
    let accounts = report
        .totals
        .iter()
        .find(|(c, _, _)| c.code() == "USD")
        .map_or(0, |(_, _, a)| *a);
    table.notes.push(format!(
        "tie-out USD: states {} = communes' grants accounts {}: {}",
        format_minor(everything, fondo::domain::Currency::parse("USD")?),
        format_minor(accounts, fondo::domain::Currency::parse("USD")?),
        if everything == accounts {
            "ok"
        } else {
            "DOES NOT TIE OUT"
        }
    ));
    table.write(Format::Table, &mut std::io::stdout())?;
    Ok(())
}
