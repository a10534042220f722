//! Reading a statement line by line: the mapping's columns found in the header, and each
//! line's date, description and amounts read and checked.

use std::io::Read;

use chrono::{NaiveDate, NaiveDateTime};

use super::mapping::{Column, Mapping};
use crate::domain::{Amount, Currency};
use crate::error::Result;
use crate::io::simple::keep;
use crate::io::{Records, Row, RowError};

/// One line of a statement, read through a mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementLine {
    pub line: u64,
    pub date: NaiveDate,
    pub description: String,
    /// Positive: money into our account.
    pub amount: Amount,
    pub fee: Option<Amount>,
    pub reference: Option<String>,
    pub counterparty: Option<String>,
    pub balance: Option<Amount>,
    /// Every cell of the line, for rules that look at other columns.
    pub cells: Vec<String>,
}

/// The mapping's columns resolved against the file's header, as indexes.
pub(super) struct Resolved {
    date: usize,
    pub(super) description: usize,
    pub(super) amount: Option<usize>,
    pub(super) money_in: Option<usize>,
    pub(super) money_out: Option<usize>,
    fee: Option<usize>,
    reference: Option<usize>,
    counterparty: Option<usize>,
    balance: Option<usize>,
    /// The column each of the mapping's rules looks at.
    pub(super) rule_columns: Vec<usize>,
}

/// Reads a statement line by line.
pub struct StatementReader<R: Read> {
    records: Records<R>,
    pub(super) mapping: Mapping,
    currency: Currency,
    columns: Vec<String>,
    pub(super) resolved: Resolved,
}

impl<R: Read> StatementReader<R> {
    /// Skips the lines before the header, reads the header and resolves the mapping's columns.
    pub fn new(
        reader: R,
        mapping: Mapping,
        ledger_currency: Currency,
        path: &std::path::Path,
    ) -> Result<std::result::Result<Self, RowError>> {
        let mut records = Records::new(reader, mapping.delimiter(), path);
        let mut header_line = 0;
        for _ in 0..mapping.skip_rows {
            if let Some(Err(e)) = records.next_record()? {
                return Ok(Err(e));
            }
        }
        let columns: Vec<String> = if mapping.has_header {
            match records.next_record()? {
                None => {
                    return Ok(Err(RowError::new(
                        1,
                        "header",
                        "the file ends before its header row",
                    )))
                }
                Some(Err(e)) => return Ok(Err(e)),
                Some(Ok((line, header))) => {
                    header_line = line;
                    header.iter().map(|c| c.trim().to_string()).collect()
                }
            }
        } else {
            Vec::new()
        };
        let find = |column: &Column| -> std::result::Result<usize, RowError> {
            match column {
                Column::Number(n) if *n >= 1 => Ok(n - 1),
                Column::Number(n) => Err(RowError::new(
                    header_line,
                    "mapping",
                    format!("column {n}: columns are numbered from 1"),
                )),
                Column::Name(name) => columns.iter().position(|c| c == name).ok_or_else(|| {
                    RowError::new(
                        header_line,
                        "header",
                        format!(
                            "the mapping names column `{name}`, which the header does not have (it has: {})",
                            columns.join(", ")
                        ),
                    )
                }),
            }
        };
        let optional = |column: &Option<Column>| column.as_ref().map(find).transpose();
        let resolved = (|| {
            Ok(Resolved {
                date: find(&mapping.date_column)?,
                description: find(&mapping.description_column)?,
                amount: optional(&mapping.amount_column)?,
                money_in: optional(&mapping.in_column)?,
                money_out: optional(&mapping.out_column)?,
                fee: optional(&mapping.fee_column)?,
                reference: optional(&mapping.reference_column)?,
                counterparty: optional(&mapping.counterparty_column)?,
                balance: optional(&mapping.balance_column)?,
                rule_columns: mapping
                    .rules
                    .iter()
                    .map(|r| {
                        r.column
                            .as_ref()
                            .map_or_else(|| find(&mapping.description_column), find)
                    })
                    .collect::<std::result::Result<_, _>>()?,
            })
        })();
        let resolved = match resolved {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let currency = mapping.currency(ledger_currency);
        records.name_columns(&columns);
        Ok(Ok(StatementReader {
            records,
            mapping,
            currency,
            columns,
            resolved,
        }))
    }

    pub(super) fn column_name(&self, i: usize) -> String {
        self.columns
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column {}", i + 1))
    }

    /// The next line, or every problem it has.
    pub fn next_line(&mut self) -> Result<Option<std::result::Result<StatementLine, Vec<RowError>>>> {
        let (line, record) = match self.records.next_record()? {
            None => return Ok(None),
            Some(Err(e)) => return Ok(Some(Err(vec![e]))),
            Some(Ok(found)) => found,
        };
        // Columns past the header (or every column, without one) are named by number.
        while self.columns.len() < record.len() {
            let n = self.columns.len() + 1;
            self.columns.push(format!("column {n}"));
        }
        let row = Row {
            line,
            record,
            columns: &self.columns,
            restore: false,
        };
        let r = &self.resolved;
        let m = &self.mapping;
        let mut errors = Vec::new();
        let date = keep(&mut errors, statement_date(&row, r.date, &m.date_format));
        let description = keep(&mut errors, row.required_text(r.description));
        let number = |i: usize| -> std::result::Result<Option<Amount>, RowError> {
            let raw = row.cell(i);
            if raw.is_empty() {
                return Ok(None);
            }
            m.number_style()
                .plain(raw)
                .and_then(|plain| Amount::parse(&plain, self.currency))
                .map(Some)
                .map_err(|problem| RowError::value(line, row.name(i), problem, raw))
        };
        let amount = line_amount(&row, r, number, &mut errors);
        let fee = r
            .fee
            .and_then(|i| keep(&mut errors, number(i)))
            .flatten()
            .map(Amount::abs);
        let reference = r.reference.and_then(|i| keep(&mut errors, row.text(i))).flatten();
        let counterparty = r
            .counterparty
            .and_then(|i| keep(&mut errors, row.name_cell(i)))
            .flatten();
        let balance = r.balance.and_then(|i| keep(&mut errors, number(i))).flatten();
        match (date, description, amount) {
            (Some(date), Some(description), Some(amount)) if errors.is_empty() => {
                Ok(Some(Ok(StatementLine {
                    line,
                    date,
                    description,
                    amount,
                    fee,
                    reference,
                    counterparty,
                    balance,
                    cells: record.iter().map(|c| c.trim().to_string()).collect(),
                })))
            }
            _ => Ok(Some(Err(errors))),
        }
    }
}

/// The line's amount, from its amount column or from money in and money out; a missing,
/// doubled or zero amount is an error.
fn line_amount(
    row: &Row<'_>,
    r: &Resolved,
    number: impl Fn(usize) -> std::result::Result<Option<Amount>, RowError>,
    errors: &mut Vec<RowError>,
) -> Option<Amount> {
    let line = row.line;
    let amount = match (r.amount, r.money_in, r.money_out) {
        (Some(i), _, _) => keep(errors, number(i)).and_then(|a| {
            if a.is_none() {
                errors.push(RowError::new(
                    line,
                    row.name(i),
                    "is empty; a line needs an amount",
                ));
            }
            a
        }),
        (None, Some(i), Some(o)) => match (keep(errors, number(i)), keep(errors, number(o))) {
            (Some(Some(a)), Some(None)) => Some(a.abs()),
            (Some(None), Some(Some(a))) => Some(a.abs().negated()),
            (Some(None), Some(None)) => {
                errors.push(RowError::new(
                    line,
                    row.name(i),
                    format!("and `{}` are both empty; a line needs an amount", row.name(o)),
                ));
                None
            }
            (Some(Some(_)), Some(Some(_))) => {
                errors.push(RowError::new(
                    line,
                    row.name(o),
                    format!("and `{}` are both filled; use one per line", row.name(i)),
                ));
                None
            }
            _ => None,
        },
        _ => None,
    };
    if let Some(a) = amount.filter(|a| a.is_zero()) {
        errors.push(RowError::value(
            line,
            "amount",
            "is zero; a statement line must move money",
            &a.to_string(),
        ));
    }
    amount
}

/// A date in the mapping's format; a date-and-time form keeps the date.
fn statement_date(row: &Row<'_>, i: usize, format: &str) -> std::result::Result<NaiveDate, RowError> {
    let value = row.cell(i);
    NaiveDate::parse_from_str(value, format)
        .or_else(|_| NaiveDateTime::parse_from_str(value, format).map(|t| t.date()))
        .map_err(|_| {
            RowError::value(
                row.line,
                row.name(i),
                format!("not a date in the mapping's format `{format}`"),
                value,
            )
        })
}
