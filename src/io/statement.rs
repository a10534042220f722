//! The statement format: a bank's or donation platform's own CSV export, read through a
//! mapping file (TOML) that says which columns hold what, how numbers and dates are written,
//! and rules that assign each line its counter-account, fund and counterparty.
//! `reconcile` reads statements through the same mapping.

use std::io::Read;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::simple::keep;
use super::source::{self, Encoding};
use super::{ParsedTxn, Records, Rejected, Row, RowError};
use crate::domain::money::NumberStyle;
use crate::domain::names::{check_name, FEES_PROCESSOR, GENERAL_FUND};
use crate::domain::{Amount, Currency, NewPosting, NewTransaction};
use crate::error::{Error, Result};

/// A column, by its header name or by its number (1 is the first).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Column {
    Number(usize),
    Name(String),
}

/// Which way money moved in our account.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    In,
    Out,
}

/// Where a line's other side goes.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub account: String,
    pub fund: Option<String>,
    pub counterparty: Option<String>,
}

/// A rule: lines whose `column` (default: the description) contains `contains`, ignoring
/// case, and that moved money the given `direction`, go to `account`. First match wins.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub contains: String,
    pub column: Option<Column>,
    pub direction: Option<Direction>,
    pub account: String,
    pub fund: Option<String>,
    pub counterparty: Option<String>,
    /// The line is a processor's lump payout between our account and `account` (money in
    /// came from it, money out went to it): split across the funds whose money it carries,
    /// oldest money first, as `fondo payout` does.
    #[serde(default)]
    pub payout: bool,
}

fn default_delimiter() -> String {
    ",".into()
}

fn default_true() -> bool {
    true
}

fn default_date_format() -> String {
    "%Y-%m-%d".into()
}

fn default_fee_account() -> String {
    FEES_PROCESSOR.into()
}

/// The mapping file. See the README for worked examples.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Our account the statement is of (`assets:bank`).
    pub account: String,
    /// The statement's currency [default: the ledger's].
    pub currency: Option<String>,
    #[serde(default = "default_delimiter")]
    pub delimiter: String,
    /// Lines before the header (a bank's title and account number, say).
    #[serde(default)]
    pub skip_rows: usize,
    #[serde(default = "default_true")]
    pub has_header: bool,
    /// `utf-8` (with or without BOM) or `windows-1252`.
    pub encoding: Option<String>,
    pub date_column: Column,
    /// chrono's strftime form, e.g. `%d/%m/%Y`.
    #[serde(default = "default_date_format")]
    pub date_format: String,
    pub description_column: Column,
    /// One signed amount: positive is money in.
    pub amount_column: Option<Column>,
    /// Or two: money in and money out, each as a positive number.
    pub in_column: Option<Column>,
    pub out_column: Option<Column>,
    /// What a platform kept of the line; the counter-account gets amount + fee.
    pub fee_column: Option<Column>,
    #[serde(default = "default_fee_account")]
    pub fee_account: String,
    pub reference_column: Option<Column>,
    pub counterparty_column: Option<Column>,
    /// The running balance after each line (used by `reconcile`).
    pub balance_column: Option<Column>,
    /// `1.234,56`: a comma before the decimals.
    #[serde(default)]
    pub decimal_comma: bool,
    /// Between groups of three digits: `,` in `1,234.56`, `.` in `1.234,56`. Taken only
    /// there; anywhere else the number is refused.
    pub thousands_separator: Option<String>,
    /// The fund of lines no rule gives one [default: general].
    pub fund: Option<String>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Where lines no rule matches go; without it such a line is an error.
    pub fallback: Option<Target>,
}

impl Mapping {
    /// Reads and checks a mapping file.
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(Error::io("read the mapping file", path))?;
        let mapping: Mapping = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map_or(1, |span| text[..span.start].matches('\n').count() + 1);
            Error::Refused(format!(
                "{}:{line}: {}",
                path.display(),
                e.message().replace('\n', " ")
            ))
        })?;
        mapping
            .check()
            .map_err(|problem| Error::Refused(format!("{}: {problem}", path.display())))?;
        Ok(mapping)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if self.delimiter_byte().is_none() {
            return Err(format!(
                "delimiter `{}` must be one character, or \"tab\"",
                self.delimiter
            ));
        }
        match (&self.amount_column, &self.in_column, &self.out_column) {
            (Some(_), None, None) | (None, Some(_), Some(_)) => {}
            _ => return Err("give either amount_column, or both in_column and out_column".into()),
        }
        if let Some(code) = &self.currency {
            Currency::parse(code).map_err(|p| format!("currency `{code}`: {p}"))?;
        }
        self.encoding_kind()?;
        if chrono::format::StrftimeItems::new(&self.date_format)
            .any(|i| matches!(i, chrono::format::Item::Error))
        {
            return Err(format!(
                "date_format `{}` is not a valid strftime format (e.g. `%d/%m/%Y`)",
                self.date_format
            ));
        }
        if let Some(sep) = &self.thousands_separator {
            if sep.chars().count() != 1 || sep.chars().any(|c| c.is_ascii_digit() || "-+()".contains(c)) {
                return Err(format!(
                    "thousands_separator `{sep}` must be one character such as `,` `.` or a space"
                ));
            }
            let decimal_mark = if self.decimal_comma { "," } else { "." };
            if sep == decimal_mark {
                return Err(format!(
                    "thousands_separator `{sep}` is also the decimal mark (decimal_comma = {})",
                    self.decimal_comma
                ));
            }
        }
        for rule in &self.rules {
            if rule.contains.trim().is_empty() {
                return Err(format!("a rule for `{}` has an empty `contains`", rule.account));
            }
            if rule.payout && rule.fund.is_some() {
                return Err(format!(
                    "the payout rule for `{}` also names fund `{}`: a payout is split across the funds whose money it carries; remove `fund`",
                    rule.account,
                    rule.fund.as_deref().unwrap_or_default()
                ));
            }
        }
        Ok(())
    }

    fn delimiter_byte(&self) -> Option<u8> {
        match self.delimiter.as_str() {
            "tab" | "\t" => Some(b'\t'),
            d if d.len() == 1 => d.bytes().next(),
            _ => None,
        }
    }

    pub fn encoding_kind(&self) -> std::result::Result<Encoding, String> {
        match self.encoding.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("utf-8") | Some("utf8") => Ok(Encoding::Utf8),
            Some("windows-1252") | Some("cp1252") | Some("latin1") | Some("iso-8859-1") => {
                Ok(Encoding::Windows1252)
            }
            Some(other) => Err(format!(
                "encoding `{other}` is not supported; use utf-8 or windows-1252"
            )),
        }
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter_byte().unwrap_or(b',')
    }

    /// The statement's currency.
    pub fn currency(&self, ledger_default: Currency) -> Currency {
        self.currency
            .as_deref()
            .and_then(|c| Currency::parse(c).ok())
            .unwrap_or(ledger_default)
    }

    /// How the statement writes its numbers.
    pub fn number_style(&self) -> NumberStyle {
        NumberStyle {
            decimal_comma: self.decimal_comma,
            thousands_separator: self.thousands_separator.as_deref().and_then(|s| s.chars().next()),
        }
    }
}

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
struct Resolved {
    date: usize,
    description: usize,
    amount: Option<usize>,
    money_in: Option<usize>,
    money_out: Option<usize>,
    fee: Option<usize>,
    reference: Option<usize>,
    counterparty: Option<usize>,
    balance: Option<usize>,
    rule_columns: Vec<usize>,
}

/// Reads a statement line by line.
pub struct StatementReader<R: Read> {
    records: Records<R>,
    mapping: Mapping,
    currency: Currency,
    columns: Vec<String>,
    resolved: Resolved,
}

impl<R: Read> StatementReader<R> {
    /// Skips the lines before the header, reads the header and resolves the mapping's columns.
    pub fn new(
        reader: R,
        mapping: Mapping,
        ledger_currency: Currency,
    ) -> Result<std::result::Result<Self, RowError>> {
        let mut records = Records::new(reader, mapping.delimiter());
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

    fn column_name(&self, i: usize) -> String {
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
        let amount = match (r.amount, r.money_in, r.money_out) {
            (Some(i), _, _) => keep(&mut errors, number(i)).and_then(|a| {
                if a.is_none() {
                    errors.push(RowError::new(
                        line,
                        row.name(i),
                        "is empty; a line needs an amount",
                    ));
                }
                a
            }),
            (None, Some(i), Some(o)) => match (keep(&mut errors, number(i)), keep(&mut errors, number(o))) {
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

    /// The next line as a transaction: our account on one side, the rule's on the other.
    pub fn next_txn(&mut self) -> Result<Option<std::result::Result<ParsedTxn, Rejected>>> {
        let line = match self.next_line()? {
            None => return Ok(None),
            Some(Err(e)) => return Ok(Some(Err(e.into()))),
            Some(Ok(line)) => line,
        };
        Ok(Some(self.to_txn(line)))
    }

    fn to_txn(&self, line: StatementLine) -> std::result::Result<ParsedTxn, Rejected> {
        let m = &self.mapping;
        let direction = if line.amount.is_positive() {
            Direction::In
        } else {
            Direction::Out
        };
        let rule = m
            .rules
            .iter()
            .zip(&self.resolved.rule_columns)
            .find(|(rule, &column)| {
                rule.direction.is_none_or(|d| d == direction)
                    && line
                        .cells
                        .get(column)
                        .is_some_and(|cell| cell.to_lowercase().contains(&rule.contains.to_lowercase()))
            });
        let payout_with = rule
            .filter(|(rule, _)| rule.payout)
            .map(|(rule, _)| rule.account.clone());
        let target = match (rule, &m.fallback) {
            (Some((rule, _)), _) => Target {
                account: rule.account.clone(),
                fund: rule.fund.clone(),
                counterparty: rule.counterparty.clone(),
            },
            (None, Some(fallback)) => fallback.clone(),
            (None, None) => {
                return Err(vec![RowError::value(
                    line.line,
                    &self.column_name(self.resolved.description),
                    "no rule matches this line and the mapping has no [fallback]",
                    &line.description,
                )]
                .into())
            }
        };
        let fund = target
            .fund
            .or_else(|| m.fund.clone())
            .unwrap_or_else(|| GENERAL_FUND.to_string());
        let amount_column = self.amount_column(&line);
        let counterparty = target.counterparty.or(line.counterparty);
        if let Some(c) = &counterparty {
            check_name("counterparty", c)
                .map_err(|e| vec![RowError::new(line.line, "counterparty", e.to_string())])?;
        }
        let fee = line.fee.filter(|f| !f.is_zero());
        let counter = match fee {
            Some(f) => line
                .amount
                .checked_add(f)
                .map_err(|e| vec![RowError::new(line.line, "fee", e.to_string())])?,
            None => line.amount,
        };
        let mut postings = vec![NewPosting {
            account: m.account.clone(),
            fund: fund.clone(),
            amount: line.amount,
        }];
        if let Some(f) = fee {
            postings.push(NewPosting {
                account: m.fee_account.clone(),
                fund: fund.clone(),
                amount: f,
            });
        }
        if !counter.is_zero() {
            postings.push(NewPosting {
                account: target.account.clone(),
                fund: fund.clone(),
                amount: counter.negated(),
            });
        }
        // Money in came from the rule's account; money out went to it, less what the payer kept.
        let payout = match payout_with {
            None => None,
            Some(other) => Some(match direction {
                Direction::In => super::PayoutLine {
                    from: other,
                    to: m.account.clone(),
                    amount: line.amount,
                    fee,
                    fee_account: m.fee_account.clone(),
                },
                Direction::Out => super::PayoutLine {
                    from: m.account.clone(),
                    to: other,
                    amount: counter.negated(),
                    fee,
                    fee_account: m.fee_account.clone(),
                },
            }),
        };
        Ok(ParsedTxn {
            line: line.line,
            txn: NewTransaction {
                date: line.date,
                description: line.description,
                counterparty,
                reference: line.reference,
                memo: None,
                voids: None,
                postings,
            },
            source_id: None,
            source_voids: None,
            account_columns: vec![
                (m.account.clone(), "mapping account".to_string()),
                (m.fee_account.clone(), "mapping fee_account".to_string()),
                (target.account, "rule account".to_string()),
            ],
            fund_column: "rule fund".into(),
            amount_column,
            payout,
        })
    }

    /// The column a line's amount came from.
    fn amount_column(&self, line: &StatementLine) -> String {
        self.resolved
            .amount
            .or(if line.amount.is_positive() {
                self.resolved.money_in
            } else {
                self.resolved.money_out
            })
            .map_or_else(|| "amount".to_string(), |i| self.column_name(i))
    }
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

impl Mapping {
    /// The plain statement `reconcile` reads without a mapping: a header naming `date`
    /// (YYYY-MM-DD), `description` and `amount` (signed, positive for money in), and
    /// optionally `balance` and `reference`.
    fn plain(account: &str, currency: Currency, header: &[String]) -> Mapping {
        let has = |name: &str| {
            header
                .iter()
                .any(|c| c == name)
                .then(|| Column::Name(name.into()))
        };
        Mapping {
            account: account.to_string(),
            currency: Some(currency.code().to_string()),
            delimiter: default_delimiter(),
            skip_rows: 0,
            has_header: true,
            encoding: None,
            date_column: Column::Name("date".into()),
            date_format: default_date_format(),
            description_column: Column::Name("description".into()),
            amount_column: Some(Column::Name("amount".into())),
            in_column: None,
            out_column: None,
            fee_column: None,
            fee_account: default_fee_account(),
            reference_column: has("reference"),
            counterparty_column: None,
            balance_column: has("balance"),
            decimal_comma: false,
            thousands_separator: None,
            fund: None,
            rules: Vec::new(),
            fallback: None,
        }
    }
}

/// A statement read for `reconcile`: the file it came from, its currency and its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The file's name, without its folder.
    pub file_name: String,
    pub file_sha256: String,
    pub currency: Currency,
    pub lines: Vec<StatementLine>,
}

/// Reads a statement of `account`, through `mapping` or in the plain form in `currency`.
/// The file is read once, whole; any bad line rejects it.
pub fn read(path: &Path, mapping: Option<Mapping>, account: &str, currency: Currency) -> Result<Statement> {
    let shown = path.display().to_string();
    let (bytes, file_sha256) = source::read_whole(path)?;
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    let mapping = match mapping {
        Some(m) if m.account != account => {
            return Err(Error::Refused(format!(
                "the mapping is for {}, not {account}; reconcile the account the statement is of",
                m.account
            )))
        }
        Some(m) => m,
        None => {
            let mut records =
                Records::new(source::decode(bytes.as_slice(), size, path, Encoding::Utf8), b',');
            let header: Vec<String> = match records.next_record()? {
                Some(Ok((_, record))) => record.iter().map(|c| c.trim().to_string()).collect(),
                _ => Vec::new(),
            };
            Mapping::plain(account, currency, &header)
        }
    };
    let encoding = mapping.encoding_kind().map_err(Error::Refused)?;
    let statement_currency = mapping.currency(currency);
    let mut problems = super::Problems::default();
    let text = source::decode(bytes.as_slice(), size, path, encoding);
    let mut reader = match StatementReader::new(text, mapping, currency)? {
        Ok(reader) => reader,
        Err(e) => {
            problems.add(e);
            return Err(problems.into_error(&shown, None));
        }
    };
    let mut lines = Vec::new();
    while let Some(line) = reader.next_line()? {
        match line {
            Ok(line) => lines.push(line),
            Err(errors) => problems.extend(errors),
        }
    }
    if !problems.is_empty() {
        return Err(problems.into_error(&shown, None));
    }
    Ok(Statement {
        file_name: path
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned()),
        file_sha256,
        currency: statement_currency,
        lines,
    })
}
