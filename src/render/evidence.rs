//! Attachments as tables, CSV and JSON: `attachment list`, what `attach` recorded, and the
//! attachments `show` lists under a transaction.

use std::io::Write;

use super::{col, machine_col, optional_col, write_json_value, Cell, Format, Tabular};
use crate::domain::evidence::shown_size;
use crate::store::evidence::AttachmentInfo;

/// Hex digits of the SHA-256 a table shows: enough to tell files apart and to find one.
const SHA256_SHOWN: usize = 12;

/// The attachments, one row each; the table shows a prefix of the SHA-256, CSV and JSON all of it.
pub fn attachments_table(list: &[AttachmentInfo]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("attachment", "attachment"),
        col("on", "on"),
        col("file", "file"),
        col("size", "size"),
        machine_col("bytes"),
        col("sha256_prefix", "sha256"),
        machine_col("sha256"),
        optional_col("media_type", "type"),
        optional_col("note", "note"),
        machine_col("erased_by"),
    ]);
    for a in list {
        // An erased attachment's digest is not shown: it would confirm a guess at the file.
        let shown = match (&a.sha256, a.erased_by) {
            (Some(h), _) => h.chars().take(SHA256_SHOWN).collect(),
            (None, Some(e)) => format!("(erased by erasure {e})"),
            (None, None) => String::new(),
        };
        t.rows.push(vec![
            Cell::Int(a.id),
            Cell::Text(a.target.to_string()),
            Cell::Text(a.file_name.clone()),
            Cell::Text(shown_size(a.size.unsigned_abs())),
            Cell::Int(a.size),
            Cell::Text(shown),
            Cell::from(a.sha256.clone()),
            Cell::from(a.media_type.clone()),
            Cell::from(a.note.clone()),
            a.erased_by
                .map_or(Cell::Empty, |e| Cell::Text(format!("erasure {e}"))),
        ]);
    }
    t
}

/// How many files are attached to each transaction or confirmation: what an anonymized
/// audit pack says of the evidence.
pub fn attachment_counts_table(list: &[AttachmentInfo]) -> Tabular {
    let mut t = Tabular::new(vec![col("on", "on"), col("attachments", "attachments")]);
    let mut counts: Vec<(String, i64)> = Vec::new();
    for a in list {
        let on = a.target.to_string();
        match counts.iter_mut().find(|(t, _)| *t == on) {
            Some((_, n)) => *n += 1,
            None => counts.push((on, 1)),
        }
    }
    for (on, n) in counts {
        t.rows.push(vec![Cell::Text(on), Cell::Int(n)]);
    }
    t
}

/// `fondo attachment list`.
pub fn write_attachments(
    list: &[AttachmentInfo],
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if list.is_empty() && format == Format::Table {
        return writeln!(out, "no attachments");
    }
    attachments_table(list).write(format, out)
}

/// What `fondo attach` recorded (or, with `--dry-run`, would record).
pub fn write_attached(
    a: &AttachmentInfo,
    dry_run: bool,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => write_json_value(
            &serde_json::json!({
                "attachment": a.id,
                "on": a.target.to_string(),
                "file": a.file_name,
                "bytes": a.size,
                "sha256": a.sha256,
                "media_type": a.media_type,
                "dry_run": dry_run,
            }),
            out,
        ),
        Format::Csv => attachments_table(std::slice::from_ref(a)).write(format, out),
        Format::Table => {
            let verb = if dry_run {
                "dry run, nothing written: would attach"
            } else {
                "attached"
            };
            writeln!(
                out,
                "{verb} {} ({}, sha256 {}) to {} as attachment {}",
                super::escape_controls(&a.file_name),
                shown_size(a.size.unsigned_abs()),
                a.sha256
                    .as_deref()
                    .map_or("", |h| &h[..SHA256_SHOWN.min(h.len())]),
                a.target,
                a.id
            )
        }
    }
}
