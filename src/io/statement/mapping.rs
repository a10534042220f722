//! The mapping file (TOML): which columns of a statement hold what, how its numbers and
//! dates are written, and the rules that give each line its other side.

use std::path::Path;

use serde::Deserialize;

use crate::domain::money::NumberStyle;
use crate::domain::names::FEES_PROCESSOR;
use crate::domain::Currency;
use crate::error::{Error, Result};
use crate::io::source::Encoding;

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

impl Mapping {
    /// The plain statement `reconcile` reads without a mapping: a header naming `date`
    /// (YYYY-MM-DD), `description` and `amount` (signed, positive for money in), and
    /// optionally `balance` and `reference`.
    pub(super) fn plain(account: &str, currency: Currency, header: &[String]) -> Mapping {
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
