//! `fondo rebuild PACK`: reads what an audit pack holds — `entries.csv` (the chain's
//! entries), `journal.csv` and `import_keys.csv` — for the store to replay into a new ledger.
//! Every problem in a file is listed with its line and column; nothing is written then.
//! `import_keys.csv`, which only a rebuild reads, is written here too.

use std::io::Write;

use std::path::Path;

use super::journal::{self, JournalReader};
use super::source::{self, Encoding};
use super::{check_header, Problems, Records, RowError};
use crate::domain::Currency;
use crate::domain::Field;
use crate::encode::restore_formula;
use crate::error::{Error, Result};
use crate::store::chain::Entry;
use crate::store::pack::{self, PackContents, PackEntry, PackTransaction};
use crate::store::write::ImportIdentity;
use crate::store::Ledger;

const ENTRIES_HEADER: [&str; 7] = [
    "entry",
    "after_txn",
    "body",
    "entered_at",
    "entered_by",
    "prev_hash",
    "hash",
];

/// Reads the pack in `dir`.
pub fn read_pack(dir: &Path) -> Result<PackContents> {
    if !dir.is_dir() {
        return Err(Error::Refused(format!(
            "{} is not a directory: give the directory `fondo export audit` wrote",
            crate::files::shown(dir)
        )));
    }
    let entries_path = dir.join("entries.csv");
    if !entries_path.is_file() {
        return Err(Error::Refused(format!(
            "{} has no entries.csv: only an audit pack made without --anonymize holds what rebuilding the books needs",
            dir.display()
        )));
    }
    let entries = read_rows(&entries_path, &ENTRIES_HEADER, |line, cells| {
        let int = |i: usize| {
            cells[i]
                .parse::<i64>()
                .map_err(|_| RowError::value(line, ENTRIES_HEADER[i], "must be a whole number", cells[i]))
        };
        let body = restore_formula(cells[2]);
        let entry: Entry = serde_json::from_str(body).map_err(|e| {
            RowError::value(
                line,
                "body",
                format!("is not an entry fondo writes ({e})"),
                &body.chars().take(60).collect::<String>(),
            )
        })?;
        Ok(PackEntry {
            id: int(0)?,
            after_txn: int(1)?,
            entry,
            entered_at: restore_formula(cells[3]).to_string(),
            entered_by: restore_formula(cells[4]).to_string(),
        })
    })?;
    let currency = entries
        .iter()
        .find_map(|e| match &e.entry {
            Entry::Setting { key, value } if key == "currency" => Some(value.as_str()),
            _ => None,
        })
        .ok_or_else(|| {
            Error::Refused(format!(
                "{}: no entry sets the ledger's currency",
                entries_path.display()
            ))
        })
        .and_then(|code| Currency::parse_field(Field::CURRENCY_COLUMN, code))?;
    let transactions = read_journal(&dir.join("journal.csv"), currency)?;
    let keys_path = dir.join("import_keys.csv");
    let import_keys = if keys_path.is_file() {
        read_rows(&keys_path, &IMPORT_KEYS_HEADER, |line, cells| {
            let int = |i: usize| {
                cells[i].parse::<i64>().map_err(|_| {
                    RowError::value(line, IMPORT_KEYS_HEADER[i], "must be a whole number", cells[i])
                })
            };
            let content: [u8; 32] = crate::encode::unhex(cells[2])
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    RowError::value(
                        line,
                        "content_sha256",
                        "must be 64 lower-case hex digits",
                        cells[2],
                    )
                })?;
            Ok((
                int(0)?,
                ImportIdentity {
                    date: cells[1].to_string(),
                    content,
                    occurrence: int(3)?,
                },
            ))
        })?
    } else {
        Vec::new()
    };
    Ok(PackContents {
        evidence: read_evidence(dir, &entries)?,
        entries,
        transactions,
        import_keys,
    })
}

/// The attached files the pack's `evidence/` holds, by SHA-256: each its entries record
/// (one an erasure deleted is absent).
fn read_evidence(dir: &Path, entries: &[PackEntry]) -> Result<std::collections::HashMap<String, Vec<u8>>> {
    let mut files = std::collections::HashMap::new();
    for e in entries {
        if let crate::store::chain::Entry::Attached { sha256, .. } = &e.entry {
            let path = dir.join("evidence").join(sha256);
            if files.contains_key(sha256) || !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(Error::io("read", &path))?;
            files.insert(sha256.clone(), bytes);
        }
    }
    Ok(files)
}

/// Reads a CSV file of the pack with exactly `header`, each row through `parse`.
fn read_rows<T>(
    path: &Path,
    header: &[&str],
    mut parse: impl FnMut(u64, &[&str]) -> std::result::Result<T, RowError>,
) -> Result<Vec<T>> {
    let size = std::fs::metadata(path).map_err(Error::io("read", path))?.len();
    let mut records = Records::new(source::open(path, size, Encoding::Utf8)?, b',', path);
    let mut problems = Problems::default();
    let mut out = Vec::new();
    let mut first = true;
    while let Some(record) = records.next_record()? {
        match record {
            Err(e) => problems.add(e),
            Ok((line, record)) if first => {
                first = false;
                if let Err(e) = check_header(record, line, header) {
                    problems.add(e);
                    break;
                }
            }
            Ok((line, record)) => {
                let cells: Vec<&str> = record.iter().map(str::trim).collect();
                if cells.len() != header.len() {
                    problems.add(RowError::new(
                        line,
                        "row",
                        format!("has {} cells; the header has {}", cells.len(), header.len()),
                    ));
                    continue;
                }
                match parse(line, &cells) {
                    Ok(value) => out.push(value),
                    Err(e) => problems.add(e),
                }
            }
        }
    }
    if first {
        problems.add(RowError::new(
            1,
            "header",
            format!("the file is empty; expected `{}`", header.join(",")),
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.into_error(&path.display().to_string()))
    }
}

/// The pack's journal, every transaction with its number there.
fn read_journal(path: &Path, currency: Currency) -> Result<Vec<PackTransaction>> {
    let size = std::fs::metadata(path).map_err(Error::io("read", path))?.len();
    let mut records = Records::new(source::open(path, size, Encoding::Utf8)?, b',', path);
    let mut problems = Problems::default();
    match records.next_record()? {
        Some(Ok((line, header))) => {
            if let Err(e) = check_header(header, line, &journal::HEADER) {
                problems.add(e);
            }
        }
        Some(Err(e)) => problems.add(e),
        None => problems.add(RowError::new(1, "header", "the file is empty")),
    }
    let mut transactions = Vec::new();
    if problems.is_empty() {
        let mut reader = JournalReader::new(records, currency);
        while let Some(parsed) = reader.next_txn()? {
            match parsed {
                Ok(parsed) => match parsed.source_id {
                    Some(id) => {
                        let mut txn = parsed.txn;
                        txn.voids = parsed.source_voids;
                        transactions.push(PackTransaction { id, txn });
                    }
                    None => problems.add(RowError::new(
                        parsed.line,
                        "txn",
                        "a rebuild needs every transaction's number",
                    )),
                },
                Err(rejected) => problems.extend(rejected.errors),
            }
        }
    }
    if problems.is_empty() {
        Ok(transactions)
    } else {
        Err(problems.into_error(&path.display().to_string()))
    }
}

/// The import keys, in transaction order: `txn,date,content_sha256,occurrence`.
pub fn write_import_keys(ledger: &Ledger, out: &mut dyn Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let failed = |e: csv::Error| Error::Output(crate::encode::csv_io_error(e));
    writer.write_record(IMPORT_KEYS_HEADER).map_err(failed)?;
    pack::for_each_import_key(ledger.conn(), |txn, key| {
        writer
            .write_record([
                txn.to_string(),
                key.date,
                crate::encode::hex(&key.content),
                key.occurrence.to_string(),
            ])
            .map_err(failed)
    })?;
    writer.flush().map_err(Error::Output)?;
    Ok(())
}

/// The columns of `import_keys.csv`.
const IMPORT_KEYS_HEADER: [&str; 4] = ["txn", "date", "content_sha256", "occurrence"];
