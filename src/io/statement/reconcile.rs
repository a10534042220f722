//! A statement as `reconcile` reads it: the file read once, whole, hashed, and every line
//! parsed; any bad line rejects the file.

use std::path::Path;

use super::mapping::Mapping;
use super::reader::{StatementLine, StatementReader};
use crate::domain::Currency;
use crate::error::{Error, Result};
use crate::io::source::{self, Encoding};
use crate::io::{Problems, Records};

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
            let mut records = Records::new(
                source::decode(bytes.as_slice(), size, path, Encoding::Utf8),
                b',',
                path,
            );
            let header: Vec<String> = match records.next_record()? {
                Some(Ok((_, record))) => record.iter().map(|c| c.trim().to_string()).collect(),
                _ => Vec::new(),
            };
            Mapping::plain(account, currency, &header)
        }
    };
    let encoding = mapping.encoding_kind().map_err(Error::Refused)?;
    let statement_currency = mapping.currency(currency);
    let mut problems = Problems::default();
    let text = source::decode(bytes.as_slice(), size, path, encoding);
    let mut reader = match StatementReader::new(text, mapping, currency, path)? {
        Ok(reader) => reader,
        Err(e) => {
            problems.add(e);
            return Err(problems.into_error(&shown));
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
        return Err(problems.into_error(&shown));
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
