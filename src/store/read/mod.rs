//! Queries: what the ledger holds, as plain structs for commands and reports. The
//! conversions from stored text here; each kind of query in a file of its own.

mod chart;
mod journal;
mod people;
mod plans;
mod postings;
mod rates;
mod refunds;
mod settings;
mod transactions;

use chrono::NaiveDate;
use rusqlite::{Connection, Row};

use crate::domain::{Amount, Currency};
use crate::error::{Error, Result};

pub(crate) use chart::{
    account_exists, account_names, commune_exists, fund_codes, fund_exists, fund_id, unknown_fund,
};
pub use chart::{
    account_id, accounts, check_commune_unique, commune, communes, funds, AccountInfo, CommuneInfo, FundInfo,
};
pub(crate) use journal::Names;
pub use journal::{for_each_journal_row, JournalRow};
pub use people::{donors, people, pseudonyms};
pub use plans::{budgets, pledges, BudgetInfo, PledgeInfo};
pub(crate) use postings::balance_minor;
pub use postings::{
    balance_lines, commune_balance_lines, holdings, monthly_balance_lines, register_lines, BalanceLine,
    RegisterLine, RegisterLines,
};
pub(crate) use rates::rate_on;
pub use rates::{rate_for, rates, RateInfo};
pub use refunds::{live_refunds, refund_links, refunded_minor, RefundLinks};
pub(crate) use settings::default_currency;
pub use settings::{disclosure, meta, MAX_SHARE_KEY, MIN_DONORS_KEY};
pub use settings::{organisation, OrgKey, Organisation};
pub(crate) use transactions::{chain_head, transaction_by_reference};
pub use transactions::{
    commune_grants, date_span, import_batches, last_date, last_transaction_id, transaction, ConfirmationInfo,
    ImportBatchInfo, StoredPosting, StoredTransaction,
};

/// Which postings a report covers: an inclusive date range and optionally one fund.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub fund: Option<String>,
}

pub(crate) fn currency(code: &str) -> Result<Currency> {
    Currency::parse(code).map_err(|_| Error::Corrupt(format!("an invalid currency `{code}`")))
}

pub(crate) fn amount(minor: i64, code: &str) -> Result<Amount> {
    Amount::from_minor(minor, currency(code)?)
        .map_err(|_| Error::Corrupt(format!("an amount out of range ({minor} minor units of {code})")))
}

/// A date as the ledger stores it; anything else is damage.
pub(crate) fn stored_date(text: &str) -> Result<NaiveDate> {
    crate::domain::names::parse_iso_date(text)
        .ok_or_else(|| Error::Corrupt(format!("an invalid date `{text}`")))
}

/// Column `i` of a row as a stored date: [`stored_date`] inside a row closure, its error
/// carried through rusqlite's (and given back by `Error::from`).
pub(crate) fn date_at(row: &Row<'_>, i: usize) -> rusqlite::Result<NaiveDate> {
    stored_date(text_at(row, i)?)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

/// Column `i` of a row as text, borrowed from the row.
pub(crate) fn text_at<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    Ok(row.get_ref(i)?.as_str()?)
}

fn strings(conn: &Connection, sql: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Refuses a filter that names a fund the ledger does not have, with a suggestion.
pub fn check_filter(conn: &Connection, filter: &Filter) -> Result<()> {
    filter.fund.as_deref().map(|f| fund_id(conn, f)).transpose()?;
    Ok(())
}
