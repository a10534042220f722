//! The journal format: what `export journal` writes and `import` reads back, one posting a
//! row; consecutive rows with the same `txn` form one transaction. The audit columns
//! (`entered_at`, `entered_by`, `hash`) describe the ledger the rows came from and are not
//! imported.

use std::io::Read;

use csv::StringRecord;

use super::simple::keep;
use super::{NameCell, ParsedTxn, Records, Rejected, Row, RowError};
use crate::domain::{Amount, Currency, NewPosting, NewTransaction};
use crate::error::Result;

pub const HEADER: [&str; 15] = [
    "txn",
    "date",
    "description",
    "account",
    "fund",
    "debit",
    "credit",
    "currency",
    "counterparty",
    "reference",
    "memo",
    "voids",
    "entered_at",
    "entered_by",
    "hash",
];

/// The columns that belong to the transaction and so must agree on all of its rows.
const TRANSACTION_COLUMNS: [usize; 7] = [0, 1, 2, 8, 9, 10, 11];

/// Rows read under one `txn` at most: one more than a transaction may have, so that a
/// longer one is refused by the transaction's own check rather than read without end.
const MAX_POSTINGS: usize = crate::domain::transaction::POSTINGS_MAX + 1;

type Pending = std::result::Result<(u64, StringRecord), RowError>;

/// Reads journal rows after the header, a transaction at a time.
pub struct JournalReader<R: Read> {
    records: Records<R>,
    currency: Currency,
    columns: Vec<String>,
    pending: Option<Pending>,
}

impl<R: Read> JournalReader<R> {
    /// A reader for a file whose header has only the first `width` columns (the optional
    /// ones at the end left out): each row must then have that many cells.
    pub fn with_columns(mut self, width: usize) -> Self {
        self.columns.truncate(width.clamp(1, HEADER.len()));
        self.records.name_columns(&self.columns);
        self
    }

    pub fn new(mut records: Records<R>, currency: Currency) -> JournalReader<R> {
        let columns: Vec<String> = HEADER.iter().map(|c| c.to_string()).collect();
        records.name_columns(&columns);
        JournalReader {
            records,
            currency,
            columns,
            pending: None,
        }
    }

    fn next_pending(&mut self) -> Result<Option<Pending>> {
        if let Some(p) = self.pending.take() {
            return Ok(Some(p));
        }
        Ok(self
            .records
            .next_record()?
            .map(|r| r.map(|(line, record)| (line, record.clone()))))
    }

    /// The next transaction (its consecutive rows), or every problem they have.
    pub fn next_txn(&mut self) -> Result<Option<std::result::Result<ParsedTxn, Rejected>>> {
        let first = match self.next_pending()? {
            None => return Ok(None),
            Some(Err(e)) => return Ok(Some(Err(vec![e].into()))),
            Some(Ok(first)) => first,
        };
        let txn_cell = |r: &StringRecord| r.get(0).unwrap_or("").trim().to_string();
        let key = txn_cell(&first.1);
        let mut group = vec![first];
        while let Some(next) = self.next_pending()? {
            match next {
                Ok((line, record)) if txn_cell(&record) == key && group.len() < MAX_POSTINGS => {
                    group.push((line, record))
                }
                other => {
                    self.pending = Some(other);
                    break;
                }
            }
        }
        Ok(Some(self.parse_group(&group)))
    }

    fn parse_group(&self, group: &[(u64, StringRecord)]) -> std::result::Result<ParsedTxn, Rejected> {
        let rows: Vec<Row<'_>> = group
            .iter()
            .map(|(line, record)| Row {
                line: *line,
                record,
                columns: &self.columns,
                restore: true,
            })
            .collect();
        let mut errors = self.field_count_errors(&rows);
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let head = &rows[0];
        let source_id = source_id(head, &mut errors);
        let date = keep(&mut errors, head.iso_date(1));
        let description = keep(&mut errors, head.required_text(2));
        let counterparty = keep(&mut errors, head.name_cell(8));
        let reference = keep(&mut errors, head.text(9));
        let memo = keep(&mut errors, head.text(10));
        let source_voids = keep(&mut errors, positive_int(head, 11));
        errors.extend(disagreements(&rows));
        let mut postings = Vec::with_capacity(rows.len());
        let mut account_columns = Vec::with_capacity(rows.len());
        for row in &rows {
            let account = keep(&mut errors, row.required_text(3));
            let currency = keep(&mut errors, row.currency(7, self.currency));
            let amount = currency.and_then(|c| amount(row, c, &mut errors));
            if let (Some(account), Some(amount)) = (account, amount) {
                account_columns.push((account.clone(), "account".to_string()));
                postings.push(NewPosting {
                    account,
                    fund: row.fund(4),
                    amount,
                });
            }
        }
        match (date, description, counterparty, reference, memo, source_voids) {
            (
                Some(date),
                Some(description),
                Some(counterparty),
                Some(reference),
                Some(memo),
                Some(source_voids),
            ) if errors.is_empty() => Ok(ParsedTxn {
                line: head.line,
                txn: NewTransaction {
                    date,
                    description,
                    counterparty,
                    reference,
                    memo,
                    voids: None,
                    postings,
                },
                source_id,
                source_voids,
                account_columns,
                fund_column: "fund".into(),
                amount_column: "debit".into(),
                payout: None,
            }),
            _ => Err(Rejected {
                errors,
                names: rows.iter().flat_map(names_in).collect(),
            }),
        }
    }

    /// A row that has not as many fields as the header is an error each.
    fn field_count_errors(&self, rows: &[Row<'_>]) -> Vec<RowError> {
        rows.iter()
            .filter_map(|row| super::field_count_error(row.line, row.record, self.columns.len()))
            .collect()
    }
}

/// The `txn` column of a transaction's first row, which must name it.
fn source_id(head: &Row<'_>, errors: &mut Vec<RowError>) -> Option<i64> {
    let source_id = keep(errors, positive_int(head, 0)).flatten();
    if source_id.is_none() && !head.cell(0).is_empty() {
        // already reported
    } else if source_id.is_none() {
        errors.push(RowError::new(
            head.line,
            "txn",
            "is empty; each row names its transaction",
        ));
    }
    source_id
}

/// A transaction's columns in its later rows that differ from its first row's.
fn disagreements(rows: &[Row<'_>]) -> Vec<RowError> {
    let head = &rows[0];
    let mut errors = Vec::new();
    for row in &rows[1..] {
        for &i in &TRANSACTION_COLUMNS {
            if row.cell(i) != head.cell(i) {
                errors.push(RowError::value(
                    row.line,
                    row.name(i),
                    format!(
                        "differs from line {} of the same transaction (`{}`); a transaction's rows must agree",
                        head.line,
                        head.cell(i)
                    ),
                    row.cell(i),
                ));
            }
        }
    }
    errors
}

/// A posting's amount in `currency`: its debit, or its credit negated; exactly one is filled.
fn amount(row: &Row<'_>, currency: Currency, errors: &mut Vec<RowError>) -> Option<Amount> {
    match (row.cell(5), row.cell(6)) {
        ("", "") => {
            errors.push(RowError::new(
                row.line,
                "debit",
                "debit and credit are both empty; one holds the amount",
            ));
            None
        }
        (_, "") => keep(errors, row.positive_amount(5, currency)),
        ("", _) => keep(errors, row.positive_amount(6, currency)).map(|a| a.negated()),
        (_, _) => {
            errors.push(RowError::new(
                row.line,
                "credit",
                "debit and credit are both filled; one row is one posting",
            ));
            None
        }
    }
}

/// An optional whole number greater than zero (`txn`, `voids`); `#42` is accepted too.
fn positive_int(row: &Row<'_>, i: usize) -> std::result::Result<Option<i64>, RowError> {
    let value = row.cell(i);
    if value.is_empty() {
        return Ok(None);
    }
    value
        .strip_prefix('#')
        .unwrap_or(value)
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(Some)
        .ok_or_else(|| RowError::value(row.line, row.name(i), "not a transaction number", value))
}

/// The account and fund a journal row names, for the import to check when the row could
/// not be read.
fn names_in(row: &Row<'_>) -> Vec<NameCell> {
    [(3, "account"), (4, "fund")]
        .into_iter()
        .filter(|(at, _)| !row.cell(*at).trim().is_empty())
        .map(|(at, what)| NameCell {
            line: row.line,
            column: what.to_string(),
            what,
            name: row.cell(at).trim().to_string(),
        })
        .collect()
}
