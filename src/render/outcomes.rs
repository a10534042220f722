//! What a command that changes the books says it did, when that is not a transaction: an
//! import's outcome and a commune's confirmation.

use std::io::Write;

use chrono::NaiveDate;

use super::{col, write_json_value, Cell, Format, Tabular};
use crate::domain::names::escape_controls;
use crate::io::import::ImportOutcome;

/// What `import` did (or, on a dry run, would do).
pub fn write_import_outcome(
    outcome: &ImportOutcome,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => write_json_value(outcome, out)?,
        Format::Csv => {
            let mut t = Tabular::new(vec![
                col("file", "file"),
                col("format", "format"),
                col("dry_run", "dry_run"),
                col("rows", "rows"),
                col("added", "added"),
                col("skipped_duplicates", "skipped_duplicates"),
                col("batch", "batch"),
            ]);
            t.rows.push(vec![
                outcome.file.as_str().into(),
                outcome.format.into(),
                Cell::Bool(outcome.dry_run),
                Cell::Int(outcome.rows),
                Cell::Int(outcome.added),
                Cell::Int(outcome.skipped_duplicates),
                Cell::Int(outcome.batch),
            ]);
            t.write(format, out)?;
        }
        Format::Table => {
            let (verb, add, skip) = if outcome.dry_run {
                ("dry run, nothing written:", "would add", "would skip")
            } else {
                ("imported", "added", "skipped")
            };
            writeln!(
                out,
                "{verb} {} ({}): {} rows, {add} {}, {skip} {} already recorded (batch {})",
                escape_controls(&outcome.file),
                outcome.format,
                outcome.rows,
                outcome.added,
                outcome.skipped_duplicates,
                outcome.batch
            )?;
            let verb = if outcome.dry_run {
                "would create"
            } else {
                "created"
            };
            for created in &outcome.created {
                writeln!(out, "{verb} {}", escape_controls(created))?;
            }
        }
    }
    Ok(())
}

/// A confirmation `confirm` (or `add`) recorded, or on a dry run would record.
pub struct ConfirmationOutcome<'a> {
    /// The transaction confirmed.
    pub txn: i64,
    /// The confirmation's own number.
    pub id: i64,
    pub date: NaiveDate,
    pub reference: Option<&'a str>,
    pub dry_run: bool,
}

/// Says what `confirm` (or `add`'s confirmation) recorded, in the chosen format.
pub fn write_confirmation(
    c: &ConfirmationOutcome<'_>,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (txn, id, dry_run) = (c.txn, c.id, c.dry_run);
    let date = c.date.format("%Y-%m-%d").to_string();
    match format {
        Format::Json => {
            let value = serde_json::json!({
                "txn": txn,
                "confirmation": id,
                "dry_run": dry_run,
                "date": date,
                "reference": c.reference,
            });
            write_json_value(&value, out)?;
        }
        Format::Csv => {
            writeln!(out, "txn,confirmation,dry_run,date")?;
            writeln!(out, "{txn},{id},{dry_run},{date}")?;
        }
        Format::Table => {
            let verb = if dry_run {
                "dry run, nothing written: would record"
            } else {
                "recorded"
            };
            writeln!(out, "{verb} confirmation {id} of #{txn} on {date}")?;
        }
    }
    Ok(())
}
