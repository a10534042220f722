//! The simple format: one two-posting transaction a row, as a treasurer keeps it in a
//! spreadsheet. `amount` is positive, `currency` blank means the ledger's, `fund` blank means
//! `general`.

use std::io::Read;

use super::{NameCell, ParsedTxn, Records, Rejected, Row, RowError};
use crate::domain::{Currency, NewPosting, NewTransaction};
use crate::error::Result;

pub const HEADER: [&str; 9] = [
    "date",
    "description",
    "debit",
    "credit",
    "amount",
    "currency",
    "fund",
    "counterparty",
    "reference",
];

/// Keeps a cell's value, or files its error and keeps going so a row reports every problem.
pub(super) fn keep<T>(errors: &mut Vec<RowError>, result: std::result::Result<T, RowError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// Reads simple rows after the header.
pub struct SimpleReader<R: Read> {
    records: Records<R>,
    currency: Currency,
    columns: Vec<String>,
}

impl<R: Read> SimpleReader<R> {
    /// A reader for a file whose header has only the first `width` columns (the optional
    /// ones at the end left out): each row must then have that many cells.
    pub fn with_columns(mut self, width: usize) -> Self {
        self.columns.truncate(width.clamp(1, HEADER.len()));
        self.records.name_columns(&self.columns);
        self
    }

    pub fn new(mut records: Records<R>, currency: Currency) -> SimpleReader<R> {
        let columns: Vec<String> = HEADER.iter().map(|c| c.to_string()).collect();
        records.name_columns(&columns);
        SimpleReader {
            records,
            currency,
            columns,
        }
    }

    /// The next row as a transaction, or every problem it has.
    pub fn next_txn(&mut self) -> Result<Option<std::result::Result<ParsedTxn, Rejected>>> {
        let (line, record) = match self.records.next_record()? {
            None => return Ok(None),
            Some(Err(e)) => return Ok(Some(Err(vec![e].into()))),
            Some(Ok(found)) => found,
        };
        let row = Row {
            line,
            record,
            columns: &self.columns,
            restore: false,
        };
        Ok(Some(parse(&row, self.currency, self.columns.len())))
    }
}

fn parse(
    row: &Row<'_>,
    default_currency: Currency,
    width: usize,
) -> std::result::Result<ParsedTxn, Rejected> {
    if let Some(error) = super::field_count_error(row.line, row.record, width) {
        return Err(vec![error].into());
    }
    let mut errors = Vec::new();
    let date = keep(&mut errors, row.iso_date(0));
    let description = keep(&mut errors, row.required_text(1));
    let debit = keep(&mut errors, row.required_text(2));
    let credit = keep(&mut errors, row.required_text(3));
    let currency = keep(&mut errors, row.currency(5, default_currency));
    let amount = currency.and_then(|c| keep(&mut errors, row.positive_amount(4, c)));
    let fund = row.fund(6);
    let fund_cell = fund.clone();
    let counterparty = keep(&mut errors, row.name_cell(7));
    let reference = keep(&mut errors, row.text(8));
    if debit.is_some() && debit == credit {
        errors.push(RowError::value(
            row.line,
            "credit",
            "is the same account as debit",
            row.cell(3),
        ));
    }
    match (date, description, debit, credit, amount, counterparty, reference) {
        (
            Some(date),
            Some(description),
            Some(debit),
            Some(credit),
            Some(amount),
            Some(counterparty),
            Some(reference),
        ) if errors.is_empty() => {
            let postings = vec![
                NewPosting {
                    account: debit.clone(),
                    fund: fund.clone(),
                    amount,
                },
                NewPosting {
                    account: credit.clone(),
                    fund,
                    amount: amount.negated(),
                },
            ];
            Ok(ParsedTxn {
                line: row.line,
                txn: NewTransaction {
                    date,
                    description,
                    counterparty,
                    reference,
                    memo: None,
                    voids: None,
                    postings,
                },
                source_id: None,
                source_voids: None,
                account_columns: vec![(debit, "debit".into()), (credit, "credit".into())],
                fund_column: "fund".into(),
                amount_column: "amount".into(),
                payout: None,
            })
        }
        (_, _, debit, credit, ..) => {
            let name = |column: &str, what, name: Option<String>| {
                name.map(|name| NameCell {
                    line: row.line,
                    column: column.to_string(),
                    what,
                    name,
                })
            };
            Err(Rejected {
                errors,
                names: [
                    name("debit", "account", debit),
                    name("credit", "account", credit),
                    name("fund", "fund", Some(fund_cell)),
                ]
                .into_iter()
                .flatten()
                .collect(),
            })
        }
    }
}
