//! `fondo export journal`: every posting as one CSV row, in the journal format that
//! `import` reads back. Amounts are written from the stored integers; text a spreadsheet
//! would run as a formula is neutralised; `--anonymize` replaces donors with stable
//! pseudonyms.

use std::io::Write;

use super::journal::HEADER;
use crate::domain::money::format_minor;
use crate::domain::privacy::Pseudonyms;
use crate::encode::neutralize_formula;
use crate::error::{Error, Result};
use crate::files::Destination;
use crate::store::read::{self, Filter, JournalRow};
use crate::store::Ledger;

#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    pub filter: Filter,
    pub anonymize: bool,
    /// Readable by every user of the machine (only an anonymized export may be).
    pub public: bool,
}

/// Who is named how in an anonymized export: donors and the people who entered rows.
struct Anonymized {
    donors: Pseudonyms,
    people: Pseudonyms,
}

/// A row with every donor's name replaced wherever it appears, who entered it as a
/// pseudonym, and its reference dropped, as is the memo of a donor's own row (free text
/// that may name someone in ways no replacement can find: a nickname, an address, an
/// account number).
fn anonymize(names: &Anonymized, mut row: JournalRow) -> JournalRow {
    let pseudonyms = &names.donors;
    let donors_row = row
        .counterparty
        .as_deref()
        .and_then(|c| pseudonyms.get(c))
        .is_some();
    row.description = pseudonyms.scrub(&row.description);
    row.counterparty = row.counterparty.map(|c| pseudonyms.scrub(&c));
    row.reference = None;
    row.entered_by = names.people.get(&row.entered_by).unwrap_or("user").to_string();
    row.memo = if donors_row {
        None
    } else {
        row.memo.map(|m| pseudonyms.scrub(&m))
    };
    row
}

/// Writes the journal to `out`; returns how many rows it wrote.
pub fn write_journal(ledger: &Ledger, options: &ExportOptions, out: &mut dyn Write) -> Result<u64> {
    let pseudonyms = options
        .anonymize
        .then(|| -> Result<Anonymized> {
            Ok(Anonymized {
                donors: read::pseudonyms(ledger.conn())?,
                people: read::people(ledger.conn())?,
            })
        })
        .transpose()?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER).map_err(csv_error)?;
    let mut count = 0;
    read::for_each_journal_row(ledger.conn(), &options.filter, |row| {
        let row = match &pseudonyms {
            Some(p) => anonymize(p, row),
            None => row,
        };
        let magnitude = format_minor(row.amount.minor().abs(), row.amount.currency());
        let (debit, credit) = if row.amount.is_positive() {
            (magnitude, String::new())
        } else {
            (String::new(), magnitude)
        };
        let text = |v: &str| neutralize_formula(v);
        let optional = |v: &Option<String>| v.as_deref().map(neutralize_formula).unwrap_or_default();
        writer
            .write_record([
                row.txn.to_string(),
                row.date.to_string(),
                text(&row.description),
                text(&row.account),
                text(&row.fund),
                debit,
                credit,
                row.amount.currency().code().to_string(),
                optional(&row.counterparty),
                optional(&row.reference),
                optional(&row.memo),
                row.voids.map(|v| v.to_string()).unwrap_or_default(),
                row.entered_at,
                text(&row.entered_by),
                row.hash,
            ])
            .map_err(csv_error)?;
        count += 1;
        Ok(())
    })?;
    writer.flush().map_err(Error::Output)?;
    Ok(count)
}

fn csv_error(e: csv::Error) -> Error {
    Error::Output(crate::encode::csv_io_error(e))
}

/// Writes the journal to `dest` (mode 0600, as donor names may be in it), whole or not at
/// all; returns how many rows it wrote.
pub fn write_journal_file(ledger: &Ledger, options: &ExportOptions, dest: &Destination) -> Result<u64> {
    let mode = if options.public {
        crate::files::PUBLIC
    } else {
        crate::files::PRIVATE
    };
    crate::files::write_file(dest, mode, |out| write_journal(ledger, options, out))
}
