//! CSV formats, and only those: reading simple, journal and statement files for `import`
//! (statements for `reconcile` too), writing the journal for `export`, and the audit pack's
//! files a `rebuild` replays. Readers stream: they hold one transaction at a time.

pub mod bounded;
pub mod export;
pub mod import;
pub mod journal;
pub mod rebuild;
pub mod simple;
pub mod source;
pub mod statement;

use std::fmt;
use std::io::Read;

use chrono::NaiveDate;
use csv::{ByteRecord, StringRecord};

use crate::domain::names::{
    escape_controls, name_problem, parse_iso_date, shown_bytes, shown_prefix, shown_start, shown_value,
    text_problem,
};
use crate::domain::{Amount, Currency, Field, NewTransaction};
use crate::encode::restore_formula;
use crate::error::{Error, Result};

/// Why a row (or a journal transaction's rows) could not be read, with the account and fund
/// names it holds, which the import still checks against the ledger: every problem of a row
/// is reported, a name the ledger lacks too, not only the first that stopped its reading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rejected {
    pub errors: Vec<RowError>,
    pub names: Vec<NameCell>,
}

/// An account or fund name read from a cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameCell {
    pub line: u64,
    pub column: String,
    /// `account` or `fund`.
    pub what: &'static str,
    pub name: String,
}

impl From<Vec<RowError>> for Rejected {
    fn from(errors: Vec<RowError>) -> Rejected {
        Rejected {
            errors,
            names: Vec::new(),
        }
    }
}

/// A problem with one row of a file: its physical line (the first, for a quoted cell that
/// spans lines), the column, and what is wrong with which value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub problem: String,
}

impl RowError {
    pub fn new(line: u64, column: &str, problem: impl Into<String>) -> RowError {
        RowError {
            line,
            column: column.to_string(),
            problem: problem.into(),
        }
    }

    /// A problem with a value, which is quoted after it: `not a date (`3/1/2026`)`.
    pub fn value(line: u64, column: &str, problem: impl fmt::Display, value: &str) -> RowError {
        RowError::new(line, column, format!("{problem} (`{}`)", shown_value(value)))
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.line, self.column, self.problem)
    }
}

/// Different problems listed before the rest are only counted.
const PROBLEMS_LISTED: usize = 100;
/// Lines named for a problem that repeats, before the rest are only counted.
const REPEATS_NAMED: usize = 12;

/// The problems found in a file, each different one listed once with the other lines that
/// have exactly the same problem, so a file with one mistake on every row stays readable.
#[derive(Debug, Default)]
pub struct Problems {
    listed: Vec<(RowError, Vec<u64>, usize)>,
    seen: std::collections::HashMap<Same, usize>,
    total: usize,
}

/// What makes two problems the same, to list once.
#[derive(Debug, PartialEq, Eq, Hash)]
enum Same {
    /// The same problem in the same column.
    Problem { column: String, problem: String },
    /// A problem with one name (an account or fund the ledger lacks), in whichever column.
    Name { what: &'static str, name: String },
}

impl Problems {
    pub fn add(&mut self, error: RowError) {
        let same = Same::Problem {
            column: error.column.clone(),
            problem: error.problem.clone(),
        };
        self.add_as(same, error);
    }

    /// Adds a problem with the account or fund (`what`) `name`: listed once however many
    /// rows, and in whichever of their columns, name it.
    pub fn add_for_name(&mut self, what: &'static str, name: &str, error: RowError) {
        let same = Same::Name {
            what,
            name: name.to_string(),
        };
        self.add_as(same, error);
    }

    fn add_as(&mut self, key: Same, error: RowError) {
        self.total += 1;
        if let Some(&i) = self.seen.get(&key) {
            let (_, lines, others) = &mut self.listed[i];
            *others += 1;
            if lines.len() < REPEATS_NAMED {
                lines.push(error.line);
            }
        } else if self.listed.len() < PROBLEMS_LISTED {
            self.seen.insert(key, self.listed.len());
            self.listed.push((error, Vec::new(), 0));
        }
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = RowError>) {
        for e in errors {
            self.add(e);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The error that rejects `file`: a line per problem.
    pub fn into_error(self, file: &str) -> Error {
        let errors: Vec<String> = self
            .listed
            .iter()
            .map(|(first, lines, others)| {
                let mut text = format!("{file}:{first}");
                if *others > 0 {
                    let named: Vec<String> = lines.iter().map(u64::to_string).collect();
                    let rest = if *others > named.len() { ", …" } else { "" };
                    let (s, plural) = if *others == 1 { ("", "") } else { ("s", "s") };
                    text.push_str(&format!(
                        " (the same on {others} more row{s}: line{plural} {}{rest})",
                        named.join(", ")
                    ));
                }
                text
            })
            .collect();
        Error::RowsRejected {
            file: file.to_string(),
            errors,
            total: self.total,
        }
    }
}

/// One transaction read from a file, with what is needed to point at its problems.
#[derive(Clone, Debug)]
pub struct ParsedTxn {
    pub line: u64,
    pub txn: NewTransaction,
    /// For a journal: the transaction's number in the ledger it was exported from.
    pub source_id: Option<i64>,
    /// For a journal: the source number of the transaction this one voids.
    pub source_voids: Option<i64>,
    /// The column each account came from.
    pub account_columns: Vec<(String, String)>,
    pub fund_column: String,
    pub amount_column: String,
    /// For a statement line a `payout = true` rule matched: split across funds when it is
    /// recorded, by what each fund then holds at the payer. `txn` is then the line unsplit,
    /// which is what re-importing the statement recognises it by.
    pub payout: Option<PayoutLine>,
}

/// A processor's lump payout read from a statement line.
#[derive(Clone, Debug)]
pub struct PayoutLine {
    /// The account that paid it out (the rule's account).
    pub from: String,
    /// Our account the statement is of.
    pub to: String,
    pub amount: crate::domain::Amount,
    pub fee: Option<crate::domain::Amount>,
    pub fee_account: String,
}

impl ParsedTxn {
    /// The column an error about this transaction belongs to.
    pub fn column_of(&self, error: &Error) -> String {
        match error {
            Error::UnknownAccount { name, .. } => self
                .account_columns
                .iter()
                .find(|(account, _)| account == name)
                .map_or_else(|| "account".to_string(), |(_, column)| column.clone()),
            Error::UnknownFund { .. } => self.fund_column.clone(),
            // A name --create-missing would not create (a near typo), in the cell it came from.
            Error::Invalid { field, value, .. } if *field == Field::ACCOUNT_ARG => self
                .account_columns
                .iter()
                .find(|(account, _)| account == value)
                .map_or_else(|| "account".to_string(), |(_, column)| column.clone()),
            Error::Invalid { field, .. } if *field == Field::FUND_ARG => self.fund_column.clone(),
            Error::Invalid { field, .. } if *field == Field::AMOUNT => self.amount_column.clone(),
            Error::Invalid { field, .. } => field.column().to_string(),
            Error::InsufficientFunds(_) | Error::Unbalanced { .. } | Error::Overflow { .. } => {
                self.amount_column.clone()
            }
            Error::DuplicateReference { .. } => "reference".to_string(),
            Error::LookAlike(look_alike) => look_alike.field.column().to_string(),
            _ => "row".to_string(),
        }
    }
}

/// Reads CSV records one at a time with their physical line numbers, in bounded memory: a
/// field longer than [`bounded::FIELD_BYTES_MAX`] or a row longer than
/// [`bounded::ROW_BYTES_MAX`] is a row error, and the rows after it are read as usual.
pub struct Records<R: Read> {
    csv: csv::Reader<bounded::Bounded<R>>,
    record: StringRecord,
    /// The columns' names, once the header is known, for errors about a field.
    columns: Vec<String>,
    /// Line breaks inside cut fields, which the csv reader did not see and so did not count.
    lines_dropped: u64,
    /// The file read, which a failure to read names.
    path: std::path::PathBuf,
}

impl<R: Read> Records<R> {
    pub fn new(reader: R, delimiter: u8, path: &std::path::Path) -> Records<R> {
        // Records end at `\n` only: with CRLF as the terminator the csv crate reports every
        // record after the first one line too early. The `\r` then ends the last cell, and
        // every cell is trimmed.
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(bounded::Bounded::new(reader, delimiter));
        Records {
            csv,
            record: StringRecord::new(),
            columns: Vec::new(),
            lines_dropped: 0,
            path: path.to_path_buf(),
        }
    }

    /// Names the columns, for errors about a field too long to read.
    pub fn name_columns(&mut self, columns: &[String]) {
        self.columns = columns.to_vec();
    }

    /// The next record and its line, `Ok(None)` at the end. A record that is not valid
    /// UTF-8 or is too long is a row error; a failure to read the file is fatal.
    pub fn next_record(&mut self) -> Result<Option<std::result::Result<(u64, &StringRecord), RowError>>> {
        let (read, cuts, shift) = loop {
            // The csv reader's line numbers miss the line breaks cut before this record.
            let shift = self.lines_dropped;
            let read = self.read();
            let end = self.csv.position().byte();
            let cuts = self.csv.get_mut().take_cuts_before(end);
            self.lines_dropped += cuts.iter().map(|c| c.lines_dropped).sum::<u64>();
            // A blank line of a CRLF file is a record of one `\r`; skip it like an empty line.
            let blank =
                matches!(read, Ok(Found::Text)) && self.record.len() == 1 && self.record[0].trim().is_empty();
            if !blank || !cuts.is_empty() {
                break (read, cuts, shift);
            }
        };
        let line_of = |record: &ByteRecord| record.position().map_or(0, |p| p.line()) + shift;
        if let Some(cut) = cuts.first() {
            let line = match &read {
                Ok(Found::NotUtf8(bytes, _)) => line_of(bytes),
                Ok(_) => line_of(self.record.as_byte_record()),
                Err(e) => e.position().map_or(0, |p| p.line()) + shift,
            };
            return Ok(Some(Err(self.too_long(line, cut))));
        }
        match read {
            Ok(Found::End) => Ok(None),
            Ok(Found::Text) => Ok(Some(Ok((line_of(self.record.as_byte_record()), &self.record)))),
            Ok(Found::NotUtf8(bytes, e)) => Ok(Some(Err(self.not_utf8(line_of(&bytes), &bytes, &e)))),
            Err(e) => Err(Error::io("read", &self.path)(crate::encode::csv_io_error(e))),
        }
    }

    /// Reads the next record as bytes, then as text: the bytes of a record that is not UTF-8
    /// are kept, to show (the csv crate's own text reading drops them).
    fn read(&mut self) -> csv::Result<Found> {
        // The record's buffers are reused, as `csv::Reader::read_record` reuses them.
        let mut bytes = std::mem::take(&mut self.record).into_byte_record();
        if !self.csv.read_byte_record(&mut bytes)? {
            return Ok(Found::End);
        }
        match StringRecord::from_byte_record(bytes) {
            Ok(record) => {
                self.record = record;
                Ok(Found::Text)
            }
            Err(e) => {
                let error = e.utf8_error().clone();
                Ok(Found::NotUtf8(e.into_byte_record(), error))
            }
        }
    }

    /// The name of the `i`th column (from 0), or its number before the header is known.
    fn column(&self, i: usize) -> String {
        self.columns
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column {}", i + 1))
    }

    fn not_utf8(&self, line: u64, bytes: &ByteRecord, error: &csv::Utf8Error) -> RowError {
        let field = bytes.get(error.field()).unwrap_or_default();
        RowError::new(
            line,
            &self.column(error.field()),
            format!(
                "not valid UTF-8 (`{}`); fondo reads UTF-8: save the file as UTF-8, or convert it (`iconv -f windows-1252 -t utf-8 FILE > FILE-utf8.csv`); a statement mapping can name another encoding",
                shown_bytes(field)
            ),
        )
    }

    fn too_long(&self, line: u64, cut: &bounded::Cut) -> RowError {
        let start = shown_start(&String::from_utf8_lossy(&cut.start));
        match cut.field {
            Some(i) => {
                let column = self.column(i);
                RowError::new(
                    line,
                    &column,
                    format!(
                        "is {} bytes long; fondo takes at most {} bytes (64 KiB) in one field (`{start}`)",
                        cut.bytes,
                        bounded::FIELD_BYTES_MAX
                    ),
                )
            }
            None => RowError::new(
                line,
                "row",
                format!(
                    "is {} bytes long; fondo reads at most {} bytes (1 MiB) in one row (`{start}`)",
                    cut.bytes,
                    bounded::ROW_BYTES_MAX
                ),
            ),
        }
    }
}

/// What reading a record found.
enum Found {
    End,
    /// A record of text, in `Records::record`.
    Text,
    /// A record that is not all UTF-8, and where.
    NotUtf8(ByteRecord, csv::Utf8Error),
}

/// The cells of one record, read by column index, with errors naming the column.
pub struct Row<'a> {
    pub line: u64,
    pub record: &'a StringRecord,
    pub columns: &'a [String],
    /// The file was written by fondo, whose text cells may carry a formula-guarding `'`.
    pub restore: bool,
}

impl Row<'_> {
    /// The column's name, for errors.
    pub fn name(&self, i: usize) -> &str {
        self.columns.get(i).map_or("?", String::as_str)
    }

    /// The cell with surrounding spaces removed; a missing cell is empty.
    pub fn cell(&self, i: usize) -> &str {
        let cell = self.record.get(i).unwrap_or("").trim();
        if self.restore {
            restore_formula(cell)
        } else {
            cell
        }
    }

    fn error(&self, i: usize, problem: impl fmt::Display, value: &str) -> RowError {
        RowError::value(self.line, self.name(i), problem, value)
    }

    /// Free text; empty means none. Checked as [`check_text`] checks it, and kept as read:
    /// it is recorded in NFC, but an import recognises the rows it imported before fondo
    /// normalised text by their text as read (see `import`).
    pub fn text(&self, i: usize) -> std::result::Result<Option<String>, RowError> {
        self.checked(i, text_problem)
    }

    /// A name (a counterparty): free text on one line ([`check_name`]); empty means none.
    pub fn name_cell(&self, i: usize) -> std::result::Result<Option<String>, RowError> {
        self.checked(i, name_problem)
    }

    fn checked(
        &self,
        i: usize,
        problem: fn(&str) -> Option<String>,
    ) -> std::result::Result<Option<String>, RowError> {
        let value = self.cell(i);
        if value.is_empty() {
            return Ok(None);
        }
        if let Some(problem) = problem(value) {
            return Err(self.error(i, problem, value));
        }
        Ok(Some(value.to_string()))
    }

    pub fn required_text(&self, i: usize) -> std::result::Result<String, RowError> {
        self.text(i)?
            .ok_or_else(|| RowError::new(self.line, self.name(i), "is empty; a value is required"))
    }

    /// A `YYYY-MM-DD` date.
    pub fn iso_date(&self, i: usize) -> std::result::Result<NaiveDate, RowError> {
        let value = self.cell(i);
        parse_iso_date(value)
            .ok_or_else(|| self.error(i, "not a date; write YYYY-MM-DD, e.g. 2026-03-01", value))
    }

    /// A currency code; empty means `default`.
    pub fn currency(&self, i: usize, default: Currency) -> std::result::Result<Currency, RowError> {
        match self.cell(i) {
            "" => Ok(default),
            code => Currency::parse(code).map_err(|problem| self.error(i, problem, code)),
        }
    }

    /// A plain decimal amount of `currency` (more decimals than it has are refused).
    pub fn amount(&self, i: usize, currency: Currency) -> std::result::Result<Amount, RowError> {
        let value = self.cell(i);
        Amount::parse(value, currency).map_err(|problem| self.error(i, problem, value))
    }

    /// An amount that must be greater than zero.
    pub fn positive_amount(&self, i: usize, currency: Currency) -> std::result::Result<Amount, RowError> {
        let amount = self.amount(i, currency)?;
        if amount.is_positive() {
            Ok(amount)
        } else {
            Err(self.error(i, "must be greater than zero", self.cell(i)))
        }
    }

    /// A fund code; empty means `general`.
    pub fn fund(&self, i: usize) -> String {
        match self.cell(i) {
            "" => crate::domain::names::GENERAL_FUND.to_string(),
            code => code.to_string(),
        }
    }
}

/// How many characters of a row an error about the row as a whole shows.
const ROW_SHOWN_CHARS: usize = 80;

/// A row of a comma-separated file whose number of cells is not the header's `width`: the
/// counts, the row's start (its cells as read, joined by commas) so it can be found, and
/// the likely cause.
pub fn field_count_error(line: u64, record: &StringRecord, width: usize) -> Option<RowError> {
    let found = record.len();
    let cause = match found.cmp(&width) {
        std::cmp::Ordering::Equal => return None,
        std::cmp::Ordering::Greater => "a comma inside a cell splits it (a description, or an amount written `1,000.00`): put that cell in double quotes (`\"rent, March\"`) and write amounts without thousands separators (`1000.00`)",
        std::cmp::Ordering::Less => "a cell is left out (every row has a comma between each two cells, empty ones too), or a double quote opened in a cell is never closed",
    };
    let joined = record.iter().collect::<Vec<_>>().join(",");
    // The `\r` of a CRLF line ends the last cell, which is trimmed when read.
    let text = joined.trim_end_matches('\r');
    let shown = if text.chars().nth(ROW_SHOWN_CHARS).is_none() {
        escape_controls(text)
    } else {
        shown_prefix(text, ROW_SHOWN_CHARS)
    };
    Some(RowError::new(
        line,
        "row",
        format!("has {found} fields; the header has {width} (`{shown}`): {cause}"),
    ))
}

/// Checks a header row against the columns a format requires, naming the first difference.
pub fn check_header(
    record: &StringRecord,
    line: u64,
    expected: &[&str],
) -> std::result::Result<(), RowError> {
    let found: Vec<&str> = record.iter().map(str::trim).collect();
    if found == expected {
        return Ok(());
    }
    Err(RowError::value(
        line,
        "header",
        format!("expected exactly `{}`", expected.join(",")),
        &found.join(","),
    ))
}
