//! A reconciliation: one JSON object (SPEC), a table per section, or CSV rows tagged by
//! `status`; and the list of saved reconciliations.

use std::io::Write;

use serde_json::{json, Value};

use super::reports::money;
use super::{col, optional_col, write_json_value, write_line, Cell, Format, Tabular};
use crate::domain::money::{format_minor, Sum};
use crate::io::statement::StatementLine;
use crate::report::reconcile::Reconciled;
use crate::store::reconcile::{LedgerEntry, Reconciliation};

fn statement_json(l: &StatementLine) -> Value {
    json!({
        "line": l.line,
        "date": l.date.to_string(),
        "description": l.description,
        "amount": format_minor(l.amount.minor(), l.amount.currency()),
        "reference": l.reference,
    })
}

fn ledger_json(e: &LedgerEntry) -> Value {
    json!({
        "txn": e.txn,
        "date": e.date.to_string(),
        "description": e.description,
        "amount": format_minor(e.amount.minor(), e.amount.currency()),
        "reference": e.reference,
    })
}

pub fn write_reconciled(
    r: &Reconciled,
    saved: Option<i64>,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => write_json_value(&reconciled_json(r, saved), out),
        Format::Csv => {
            let c = r.currency;
            let mut t = lines_table(r);
            for (what, value) in [
                ("statement balance", r.statement_balance),
                ("ledger balance", Some(r.ledger_balance)),
                ("difference", r.difference()),
            ] {
                t.rows.push(vec![
                    "balance".into(),
                    Cell::Empty,
                    Cell::Empty,
                    r.statement_date.map(|d| d.to_string()).into(),
                    Cell::Empty,
                    what.into(),
                    value.map_or(Cell::Empty, |v| money(v.minor(), c)),
                    c.code().into(),
                    Cell::Empty,
                ]);
            }
            t.write(format, out)
        }
        Format::Table => write_reconciled_table(r, saved, out),
    }
}

fn reconciled_json(r: &Reconciled, saved: Option<i64>) -> Value {
    let c = r.currency;
    let amount = |sum: Option<Sum>| sum.map(|s| format_minor(s.minor(), c));
    json!({
        "account": r.account,
        "currency": c.code(),
        "statement_file": r.file_name,
        "statement_date": r.statement_date.map(|d| d.to_string()),
        "matched": r.matched.iter().map(|(s, l)| {
            let mut v = statement_json(s);
            v["txn"] = json!(l.txn);
            v["ledger_date"] = json!(l.date.to_string());
            v
        }).collect::<Vec<_>>(),
        "only_in_statement": r.only_in_statement.iter().map(statement_json).collect::<Vec<_>>(),
        "only_in_ledger": r.only_in_ledger.iter().map(ledger_json).collect::<Vec<_>>(),
        "cleared": r.cleared.iter().map(ledger_json).collect::<Vec<_>>(),
        "hints": r.hints,
        "saved_before": r.saved_before.as_ref().map(|(id, date, lines)| json!({
            "reconciliation": id, "statement_date": date, "lines": lines,
        })),
        "statement_balance": amount(r.statement_balance),
        "ledger_balance": format_minor(r.ledger_balance.minor(), c),
        "difference": amount(r.difference()),
        "tied_out": r.tied_out(),
        "saved": saved,
    })
}

fn write_reconciled_table(r: &Reconciled, saved: Option<i64>, out: &mut dyn Write) -> std::io::Result<()> {
    let c = r.currency;
    writeln!(
        out,
        "Reconciliation of {} ({c}) against {}, to {}",
        r.account,
        r.file_name,
        r.statement_date
            .map_or_else(|| "(no lines)".to_string(), |d| d.to_string())
    )?;
    lines_table(r).write(Format::Table, out)?;
    let shown = |v: Option<Sum>| v.map_or_else(|| "unknown (give --balance)".to_string(), |v| v.to_string());
    write_line(
        out,
        &format!(
            "{} matched, {} only in the statement, {} only in the ledger, {} cleared (net zero in the account)",
            r.matched.len(),
            r.only_in_statement.len(),
            r.only_in_ledger.len(),
            r.cleared.len()
        ),
    )?;
    write_line(
        out,
        &format!(
            "statement balance {}, ledger balance {} {c}, difference {}",
            shown(r.statement_balance),
            format_minor(r.ledger_balance.minor(), c),
            shown(r.difference())
        ),
    )?;
    let reasons = not_reconciled_reasons(r);
    if reasons.is_empty() {
        writeln!(out, "reconciled")?;
    } else {
        write_line(out, &format!("NOT RECONCILED: {}", reasons.join(", ")))?;
    }
    for hint in &r.hints {
        write_line(out, &format!("hint: {hint}"))?;
    }
    write_saved_notes(r, saved, out)
}

/// Why the statement and the ledger do not tie out; empty when they do.
fn not_reconciled_reasons(r: &Reconciled) -> Vec<String> {
    let mut reasons = Vec::new();
    for (count, place) in [
        (r.only_in_statement.len(), "statement"),
        (r.only_in_ledger.len(), "ledger"),
    ] {
        if count > 0 {
            reasons.push(format!("{count} only in the {place}"));
        }
    }
    if let Some(d) = r.difference().filter(|d| !d.is_zero()) {
        reasons.push(format!("the balances differ by {d}"));
    }
    reasons
}

/// Whether this statement was saved before, and whether this run saved it.
fn write_saved_notes(r: &Reconciled, saved: Option<i64>, out: &mut dyn Write) -> std::io::Result<()> {
    if let Some((id, date, lines)) = &r.saved_before {
        let lines: Vec<String> = lines.iter().map(i64::to_string).collect();
        writeln!(
            out,
            "this statement (SHA-256 {}) was saved as reconciliation {id} (statement of {date}), which matched its lines {}",
            r.file_sha256,
            if lines.is_empty() { "(none)".to_string() } else { lines.join(", ") }
        )?;
    }
    if let Some(id) = saved {
        writeln!(
            out,
            "saved as reconciliation {id}: its {} matched and {} cleared transactions will not be offered again",
            r.matched.len(),
            r.cleared.len()
        )?;
    }
    Ok(())
}

/// Every line of the reconciliation, tagged matched / only_in_statement / only_in_ledger.
fn lines_table(r: &Reconciled) -> Tabular {
    let mut t = Tabular::new(vec![
        col("status", "Status"),
        col("line", "Line"),
        col("txn", "Txn"),
        col("date", "Date"),
        optional_col("ledger_date", "Ledger date"),
        col("description", "Description"),
        col("amount", "Amount"),
        col("currency", "Cur"),
        optional_col("reference", "Reference"),
    ]);
    let c = r.currency.code();
    for (s, l) in &r.matched {
        t.rows.push(vec![
            "matched".into(),
            Cell::Int(s.line as i64),
            Cell::Int(l.txn),
            s.date.to_string().into(),
            l.date.to_string().into(),
            s.description.as_str().into(),
            money(s.amount.minor(), s.amount.currency()),
            c.into(),
            s.reference.clone().into(),
        ]);
    }
    for s in &r.only_in_statement {
        t.rows.push(vec![
            "only_in_statement".into(),
            Cell::Int(s.line as i64),
            Cell::Empty,
            s.date.to_string().into(),
            Cell::Empty,
            s.description.as_str().into(),
            money(s.amount.minor(), s.amount.currency()),
            c.into(),
            s.reference.clone().into(),
        ]);
    }
    for (status, entries) in [("only_in_ledger", &r.only_in_ledger), ("cleared", &r.cleared)] {
        for l in entries {
            t.rows.push(vec![
                status.into(),
                Cell::Empty,
                Cell::Int(l.txn),
                Cell::Empty,
                l.date.to_string().into(),
                l.description.as_str().into(),
                money(l.amount.minor(), l.amount.currency()),
                c.into(),
                l.reference.clone().into(),
            ]);
        }
    }
    t
}

pub fn reconciliation_list_table(list: &[Reconciliation]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("id", "Id"),
        col("account", "Account"),
        col("currency", "Cur"),
        col("statement_date", "Statement date"),
        col("statement_balance", "Statement balance"),
        col("ledger_balance", "Ledger balance"),
        optional_col("matched", "Postings"),
        col("state", "State"),
        optional_col("file", "File"),
        optional_col("entered_at", "Saved"),
        optional_col("entered_by", "By"),
    ]);
    for r in list {
        t.rows.push(vec![
            Cell::Int(r.id),
            r.account.as_str().into(),
            r.currency.code().into(),
            r.statement_date.to_string().into(),
            r.statement_balance_minor
                .map_or(Cell::Empty, |m| money(m, r.currency)),
            money(r.ledger_balance_minor, r.currency),
            Cell::Int(r.matched_count),
            match (r.undone, r.forced) {
                (true, _) => "undone",
                (false, true) => "forced (did not tie out)",
                (false, false) => "tied out",
            }
            .into(),
            r.file_name.as_str().into(),
            r.entered_at.as_str().into(),
            r.entered_by.as_str().into(),
        ]);
    }
    t
}
