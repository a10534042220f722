//! A report fondo does not print: how much reached each Venezuelan state, built from the
//! communes report of the sample ledger and printed with fondo's own table renderer.
//!
//!     cargo run --example custom_report

use std::collections::BTreeMap;

use fondo::domain::money::format_minor;
use fondo::domain::{Currency, Sum, Totals};
use fondo::render::{col, Cell, Format, Tabular};
use fondo::report::communes::communes;
use fondo::store::read::Filter;

/// One state's communes in one currency: what they received, what they confirmed, how many.
struct State {
    received: Sum,
    confirmed: Sum,
    communes: i64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let (ledger, _) = fondo::demo::build(&dir.path().join("sample.db"), "example")?;
    let report = communes(&ledger, &Filter::default())?;
    // Per state and currency: the communes' totals (their rows over every fund).
    let mut by_state: BTreeMap<(String, Currency), State> = BTreeMap::new();
    let mut everything = Totals::new();
    for row in report.rows.iter().filter(|r| r.fund.is_none()) {
        let state = by_state
            .entry((row.state.clone(), row.currency))
            .or_insert(State {
                received: Sum::zero(row.currency),
                confirmed: Sum::zero(row.currency),
                communes: 0,
            });
        let received = row.received.total;
        state.received.add(received)?;
        state.confirmed.add(row.received.confirmed)?;
        state.communes += 1;
        everything.add(received)?;
    }
    let mut table = Tabular::new(vec![
        col("state", "State"),
        col("currency", "Cur"),
        col("communes", "Communes"),
        col("received", "Received"),
        col("confirmed", "Confirmed"),
    ]);
    for ((name, currency), state) in &by_state {
        table.rows.push(vec![
            name.as_str().into(),
            currency.code().into(),
            Cell::Int(state.communes),
            Cell::Money(format_minor(state.received.minor(), *currency)),
            Cell::Money(format_minor(state.confirmed.minor(), *currency)),
        ]);
    }
    let usd = Currency::parse("USD")?;
    let everything = everything.get(usd).minor();
    let accounts = report
        .totals
        .iter()
        .find(|(c, _, _)| *c == usd)
        .map_or(0, |(_, _, a)| a.minor());
    table.notes.push(format!(
        "tie-out USD: states {} = communes' grants accounts {}: {}",
        format_minor(everything, usd),
        format_minor(accounts, usd),
        if everything == accounts {
            "ok"
        } else {
            "DOES NOT TIE OUT"
        }
    ));
    table.write(Format::Table, &mut std::io::stdout())?;
    Ok(())
}
