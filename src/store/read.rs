//! Queries: what the ledger holds, as plain structs for commands and reports.

use crate::domain::Field;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::names::{closest, commune_answers_to};
use crate::domain::{Amount, Currency, NewPosting, Sum};
use crate::error::{Error, Result};

/// One `fondo import` as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportBatchInfo {
    pub id: i64,
    pub file_name: String,
    pub file_sha256: String,
    pub format: String,
    pub rows: i64,
    pub added: i64,
    pub skipped: i64,
    pub entered_at: String,
    pub entered_by: String,
}

/// An account of the chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    pub name: String,
    pub account_type: String,
    /// A credit line: may go below zero.
    pub allow_negative: bool,
    /// Closed by `account close`: takes no new postings.
    pub closed: bool,
}

/// A fund (earmark) and its target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundInfo {
    pub code: String,
    pub name: String,
    pub restricted: bool,
    pub target: Option<Amount>,
    /// Closed by `fund edit --close`: takes no new postings.
    pub closed: bool,
}

/// A commune that can receive grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommuneInfo {
    pub slug: String,
    pub name: String,
    pub state: String,
    pub account: String,
}

/// One posting of a recorded transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPosting {
    pub line: i64,
    pub account: String,
    pub fund: String,
    pub amount: Amount,
}

impl StoredPosting {
    pub fn to_new(&self) -> NewPosting {
        NewPosting {
            account: self.account.clone(),
            fund: self.fund.clone(),
            amount: self.amount,
        }
    }
}

/// A commune's confirmation that a grant reached it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmationInfo {
    pub id: i64,
    pub date: NaiveDate,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub entered_at: String,
    pub entered_by: String,
}

/// A recorded transaction with its postings and audit fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTransaction {
    pub id: i64,
    pub date: NaiveDate,
    pub description: String,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    pub memo: Option<String>,
    pub voids: Option<i64>,
    pub voided_by: Option<i64>,
    pub entered_at: String,
    pub entered_by: String,
    pub source: String,
    pub prev_hash: String,
    pub hash: String,
    pub postings: Vec<StoredPosting>,
    pub confirmation: Option<ConfirmationInfo>,
    /// The import batch it came from: its id and file name.
    pub batch: Option<(i64, String)>,
}

/// Debits and credits of one account, fund and currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceLine {
    pub account: String,
    pub fund: String,
    pub currency: Currency,
    pub debit_minor: i64,
    pub credit_minor: i64,
}

/// One posting as the register lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterLine {
    pub txn: i64,
    pub date: NaiveDate,
    pub description: String,
    pub account: String,
    pub fund: String,
    pub amount: Amount,
}

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
    let text: String = row.get(i)?;
    stored_date(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

/// An account's id; an unknown one is refused with the closest existing name.
pub fn account_id(conn: &Connection, name: &str) -> Result<i64> {
    conn.query_row("SELECT id FROM accounts WHERE name = ?1", [name], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::UnknownAccount {
            name: name.to_string(),
            suggestion: account_names(conn)
                .ok()
                .and_then(|names| closest(name, names.iter().map(String::as_str))),
        })
}

pub(crate) fn default_currency(conn: &Connection) -> Result<Currency> {
    let code: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'currency'", [], |r| r.get(0))
        .optional()?;
    currency(&code.ok_or_else(|| Error::Corrupt("no default currency".into()))?)
}

/// A value of the ledger's settings (`org`, `currency`).
pub fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// The settings keys of the disclosure rules.
pub const MIN_DONORS_KEY: &str = "disclosure_min_donors";
pub const MAX_SHARE_KEY: &str = "disclosure_max_share_percent";

/// The disclosure rules the ledger's settings give (the defaults when none were set).
pub fn disclosure(conn: &Connection) -> Result<crate::domain::privacy::Disclosure> {
    let default = crate::domain::privacy::Disclosure::default();
    let setting = |key: &str, default: i64| -> Result<i64> {
        meta(conn, key)?.map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| Error::Corrupt(format!("the setting {key} is `{v}`, not a number")))
        })
    };
    crate::domain::privacy::Disclosure::new(
        setting(MIN_DONORS_KEY, default.min_donors)?,
        setting(MAX_SHARE_KEY, default.max_share_percent)?,
    )
    .map_err(|problem| Error::Corrupt(format!("the disclosure settings break the floor: {problem}")))
}

fn exists(conn: &Connection, sql: &str, key: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row([key], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(crate) fn account_exists(conn: &Connection, name: &str) -> Result<bool> {
    exists(conn, "SELECT 1 FROM accounts WHERE name = ?1", name)
}

pub(crate) fn fund_exists(conn: &Connection, code: &str) -> Result<bool> {
    exists(conn, "SELECT 1 FROM funds WHERE code = ?1", code)
}

pub(crate) fn commune_exists(conn: &Connection, slug: &str) -> Result<bool> {
    exists(conn, "SELECT 1 FROM communes WHERE slug = ?1", slug)
}

fn strings(conn: &Connection, sql: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn account_names(conn: &Connection) -> Result<Vec<String>> {
    strings(conn, "SELECT name FROM accounts ORDER BY name")
}

pub(crate) fn fund_codes(conn: &Connection) -> Result<Vec<String>> {
    strings(conn, "SELECT code FROM funds ORDER BY code")
}

/// The transaction a reference names. An erased reference (`forgotten donor N`, which
/// several may share) names none; the second condition is the reference index's own, so
/// that the index answers.
pub(crate) fn transaction_by_reference(conn: &Connection, reference: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM transactions WHERE reference = ?1 AND reference NOT GLOB 'forgotten donor *'",
            [reference],
            |r| r.get(0),
        )
        .optional()?)
}

/// The chain's head: the last transaction's id and the hash of the chain's last link (a
/// transaction or an entry after it); `None` while the chain is empty.
pub(crate) fn chain_head(conn: &Connection) -> Result<Option<(i64, String)>> {
    let head = super::chain::head(conn)?;
    Ok((head.last_txn > 0 || head.last_entry > 0).then_some((head.last_txn, head.hash)))
}

/// Debits minus credits of one account, fund and currency, from the maintained totals.
pub(crate) fn balance_minor(conn: &Connection, account_id: i64, fund_id: i64, currency: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT debit_minor - credit_minor FROM balances
             WHERE account_id = ?1 AND fund_id = ?2 AND currency = ?3",
        )?
        .query_row(params![account_id, fund_id, currency], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

pub fn import_batches(conn: &Connection) -> Result<Vec<ImportBatchInfo>> {
    let mut stmt = conn.prepare(
        "SELECT id, file_name, file_sha256, format, row_count, added_count, skipped_count, entered_at, entered_by
         FROM import_batches ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ImportBatchInfo {
            id: r.get(0)?,
            file_name: r.get(1)?,
            file_sha256: r.get(2)?,
            format: r.get(3)?,
            rows: r.get(4)?,
            added: r.get(5)?,
            skipped: r.get(6)?,
            entered_at: r.get(7)?,
            entered_by: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn accounts(conn: &Connection) -> Result<Vec<AccountInfo>> {
    let mut stmt = conn.prepare("SELECT name, type, allow_negative, closed FROM accounts ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(AccountInfo {
            name: r.get(0)?,
            account_type: r.get(1)?,
            allow_negative: r.get(2)?,
            closed: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn funds(conn: &Connection) -> Result<Vec<FundInfo>> {
    let mut stmt = conn.prepare(
        "SELECT code, name, restricted, target_minor, target_currency, closed FROM funds ORDER BY code",
    )?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    let mut funds = Vec::new();
    for row in rows {
        let (code, name, restricted, target_minor, target_currency, closed): (
            String,
            String,
            bool,
            Option<i64>,
            Option<String>,
            bool,
        ) = row?;
        let target = match (target_minor, target_currency) {
            (Some(minor), Some(code)) => Some(amount(minor, &code)?),
            _ => None,
        };
        funds.push(FundInfo {
            code,
            name,
            restricted,
            target,
            closed,
        });
    }
    Ok(funds)
}

pub fn communes(conn: &Connection) -> Result<Vec<CommuneInfo>> {
    let mut stmt = conn.prepare(
        "SELECT c.slug, c.name, c.state, a.name FROM communes c JOIN accounts a ON a.id = c.account_id
         ORDER BY c.slug",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(CommuneInfo {
            slug: r.get(0)?,
            name: r.get(1)?,
            state: r.get(2)?,
            account: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A commune by its slug, or by its name ignoring case; an unknown one is an error with the
/// closest slug suggested.
pub fn commune(conn: &Connection, wanted: &str) -> Result<CommuneInfo> {
    let all = communes(conn)?;
    // A slug or a name, ignoring case: `--to` must always mean one commune.
    let found: Vec<&CommuneInfo> = all
        .iter()
        .filter(|c| commune_answers_to(&c.slug, &c.name, wanted))
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Error::UnknownCommune {
            name: wanted.to_string(),
            // A commune whose name or slug holds what was typed, ignoring accents and
            // dashes (`maizal`: Comuna El Maizal; `che-guevara`: Comuna Ché Guevara), else
            // the nearest slug.
            suggestion: {
                let folded = |text: &str| deunicode::deunicode(text).to_lowercase().replace(['-', '_'], " ");
                let typed = folded(wanted);
                all.iter()
                    .find(|c| folded(&c.name).contains(&typed) || folded(&c.slug).contains(&typed))
                    .map(|c| c.slug.clone())
                    .or_else(|| closest(wanted, all.iter().map(|c| c.slug.as_str())))
            },
        }),
        many => Err(Error::invalid(
            Field::COMMUNE,
            wanted,
            format!(
                "names more than one commune ({}); give its slug exactly",
                many.iter()
                    .map(|c| format!("`{}`: {} ({})", c.slug, c.name, c.state))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// Refuses a commune name or slug that another commune's name or slug already answers to
/// (ignoring case), so that `--to` is never ambiguous. `except` is the commune being renamed.
pub fn check_commune_unique(conn: &Connection, slug: &str, name: &str, except: Option<&str>) -> Result<()> {
    let (slug, name) = (slug.to_lowercase(), name.to_lowercase());
    for other in communes(conn)?
        .into_iter()
        .filter(|c| Some(c.slug.as_str()) != except)
    {
        let other_name = other.name.to_lowercase();
        if [slug.as_str(), name.as_str()].contains(&other_name.as_str())
            || [slug.as_str(), name.as_str()].contains(&other.slug.as_str())
        {
            return Err(Error::Refused(format!(
                "the commune `{}` ({}) already answers to that name or slug; names and slugs must differ so that `--to` always means one commune",
                other.slug, other.name
            )));
        }
    }
    Ok(())
}

/// The date of the latest transaction, if any.
pub fn last_date(conn: &Connection) -> Result<Option<NaiveDate>> {
    let last: Option<String> = conn.query_row("SELECT max(date) FROM transactions", [], |r| r.get(0))?;
    last.as_deref().map(stored_date).transpose()
}

/// The id of the most recent transaction, 0 for an empty ledger.
pub fn last_transaction_id(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(id), 0) FROM transactions", [], |r| r.get(0))?)
}

pub fn transaction(conn: &Connection, id: i64) -> Result<StoredTransaction> {
    let row = conn
        .query_row(
            "SELECT t.date, t.description, t.counterparty, t.reference, t.memo, t.voids,
                    (SELECT v.id FROM transactions v WHERE v.voids = t.id),
                    t.entered_at, t.entered_by, t.source, t.prev_hash, t.hash, b.id, b.file_name
             FROM transactions t LEFT JOIN import_batches b ON b.id = t.batch_id WHERE t.id = ?1",
            [id],
            |r| {
                Ok(StoredTransaction {
                    id,
                    date: date_at(r, 0)?,
                    description: r.get(1)?,
                    counterparty: r.get(2)?,
                    reference: r.get(3)?,
                    memo: r.get(4)?,
                    voids: r.get(5)?,
                    voided_by: r.get(6)?,
                    entered_at: r.get(7)?,
                    entered_by: r.get(8)?,
                    source: r.get(9)?,
                    prev_hash: r.get(10)?,
                    hash: r.get(11)?,
                    postings: Vec::new(),
                    confirmation: None,
                    batch: match (r.get(12)?, r.get(13)?) {
                        (Some(id), Some(file_name)) => Some((id, file_name)),
                        _ => None,
                    },
                })
            },
        )
        .optional()?;
    let Some(mut txn) = row else {
        return Err(Error::UnknownTransaction {
            id,
            last: last_transaction_id(conn)?,
        });
    };
    let mut stmt = conn.prepare_cached(
        "SELECT p.line, a.name, f.code, p.currency, p.amount_minor
         FROM postings p JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
         WHERE p.txn_id = ?1 ORDER BY p.line",
    )?;
    let rows = stmt.query_map([id], |r| r.try_into())?;
    for row in rows {
        let (line, account, fund, code, minor): (i64, String, String, String, i64) = row?;
        txn.postings.push(StoredPosting {
            line,
            account,
            fund,
            amount: amount(minor, &code)?,
        });
    }
    txn.confirmation = conn
        .query_row(
            "SELECT id, date, reference, note, entered_at, entered_by FROM confirmations WHERE txn_id = ?1",
            [id],
            |r| {
                Ok(ConfirmationInfo {
                    id: r.get(0)?,
                    date: date_at(r, 1)?,
                    reference: r.get(2)?,
                    note: r.get(3)?,
                    entered_at: r.get(4)?,
                    entered_by: r.get(5)?,
                })
            },
        )
        .optional()?;
    Ok(txn)
}

pub(crate) fn fund_id(conn: &Connection, code: &str) -> Result<i64> {
    conn.query_row("SELECT id FROM funds WHERE code = ?1", [code], |r| r.get(0))
        .optional()?
        .ok_or_else(|| unknown_fund(conn, code))
}

/// The error for a fund code the ledger does not have, with the closest code it does.
pub(crate) fn unknown_fund(conn: &Connection, code: &str) -> Error {
    Error::UnknownFund {
        code: code.to_string(),
        suggestion: fund_codes(conn)
            .ok()
            .and_then(|codes| closest(code, codes.iter().map(String::as_str))),
    }
}

/// Refuses a filter that names a fund the ledger does not have, with a suggestion.
pub fn check_filter(conn: &Connection, filter: &Filter) -> Result<()> {
    filter.fund.as_deref().map(|f| fund_id(conn, f)).transpose()?;
    Ok(())
}

/// Debits and credits per account, fund and currency. Without dates it reads the maintained
/// totals (O(accounts)); with dates it sums the maintained daily totals in the range.
pub fn balance_lines(conn: &Connection, filter: &Filter) -> Result<Vec<BalanceLine>> {
    let fund_id = filter.fund.as_deref().map(|f| fund_id(conn, f)).transpose()?;
    let sql = if filter.from.is_none() && filter.to.is_none() {
        "SELECT a.name, f.code, b.currency, b.debit_minor, b.credit_minor
         FROM balances b JOIN accounts a ON a.id = b.account_id JOIN funds f ON f.id = b.fund_id
         WHERE (?1 IS NULL OR b.fund_id = ?1) AND ?2 IS NULL AND ?3 IS NULL
         ORDER BY a.name, f.code, b.currency"
    } else {
        "SELECT a.name, f.code, d.currency, SUM(d.debit_minor), SUM(d.credit_minor)
         FROM daily_totals d JOIN accounts a ON a.id = d.account_id JOIN funds f ON f.id = d.fund_id
         WHERE (?1 IS NULL OR d.fund_id = ?1) AND (?2 IS NULL OR d.date >= ?2) AND (?3 IS NULL OR d.date <= ?3)
         GROUP BY a.name, f.code, d.currency
         ORDER BY a.name, f.code, d.currency"
    };
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params![fund_id, filter.from, filter.to], |r| r.try_into())?;
    let mut lines = Vec::new();
    for row in rows {
        let (account, fund, code, debit_minor, credit_minor): (String, String, String, i64, i64) = row?;
        lines.push(BalanceLine {
            account,
            fund,
            currency: currency(&code)?,
            debit_minor,
            credit_minor,
        });
    }
    Ok(lines)
}

/// The ids of `account` and the accounts below it (`expenses:grants` covers every commune).
fn account_ids_under(conn: &Connection, account: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT id, name FROM accounts")?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    let mut ids = Vec::new();
    let mut names = Vec::new();
    for row in rows {
        let (id, name): (i64, String) = row?;
        if name == account
            || name
                .strip_prefix(account)
                .is_some_and(|rest| rest.starts_with(':'))
        {
            ids.push(id);
        }
        names.push(name);
    }
    if ids.is_empty() {
        return Err(Error::UnknownAccount {
            name: account.to_string(),
            suggestion: closest(account, names.iter().map(String::as_str)),
        });
    }
    Ok(ids)
}

/// What the register reads: the sum per currency of the matching postings before `from`,
/// then the matching postings in the period.
#[derive(Clone, Debug, Default)]
pub struct RegisterLines {
    pub opening: Vec<(Currency, i64)>,
    pub lines: Vec<RegisterLine>,
}

/// Postings in date order (then transaction, then line), optionally of one account and the
/// accounts below it, and at most `limit` of them.
pub fn register_lines(
    conn: &Connection,
    account: Option<&str>,
    filter: &Filter,
    limit: Option<u64>,
) -> Result<RegisterLines> {
    let ids = account.map(|a| account_ids_under(conn, a)).transpose()?;
    let ids_json = ids.map(|ids| serde_json::Value::from(ids).to_string());
    let fund_id = filter.fund.as_deref().map(|f| fund_id(conn, f)).transpose()?;
    let matching = "(?1 IS NULL OR p.account_id IN (SELECT value FROM json_each(?1)))
                    AND (?2 IS NULL OR p.fund_id = ?2)";
    let mut opening = Vec::new();
    if let Some(from) = filter.from {
        let mut stmt = conn.prepare(
            "SELECT d.currency, SUM(d.debit_minor - d.credit_minor) FROM daily_totals d
             WHERE (?1 IS NULL OR d.account_id IN (SELECT value FROM json_each(?1)))
               AND (?2 IS NULL OR d.fund_id = ?2) AND d.date < ?3
             GROUP BY d.currency ORDER BY d.currency",
        )?;
        let rows = stmt.query_map(params![ids_json, fund_id, from], |r| r.try_into())?;
        for row in rows {
            let (code, sum): (String, i64) = row?;
            opening.push((currency(&code)?, sum));
        }
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT t.id, t.date, t.description, a.name, f.code, p.currency, p.amount_minor
         FROM postings p JOIN transactions t ON t.id = p.txn_id
              JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
         WHERE {matching} AND (?3 IS NULL OR t.date >= ?3) AND (?4 IS NULL OR t.date <= ?4)
         ORDER BY t.date, t.id, p.line
         LIMIT ?5"
    ))?;
    // SQLite reads a negative limit as none.
    let limit = limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
    let rows = stmt.query_map(params![ids_json, fund_id, filter.from, filter.to, limit], |r| {
        r.try_into()
    })?;
    let mut lines = Vec::new();
    for row in rows {
        let (txn, date, description, account, fund, code, minor): (
            i64,
            String,
            String,
            String,
            String,
            String,
            i64,
        ) = row?;
        lines.push(RegisterLine {
            txn,
            date: stored_date(&date)?,
            description,
            account,
            fund,
            amount: amount(minor, &code)?,
        });
    }
    Ok(RegisterLines { opening, lines })
}

/// One posting as `export journal` writes it, with its transaction's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalRow {
    pub txn: i64,
    pub date: NaiveDate,
    pub description: String,
    pub account: String,
    pub fund: String,
    pub amount: Amount,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    pub memo: Option<String>,
    pub voids: Option<i64>,
    pub entered_at: String,
    pub entered_by: String,
    pub hash: String,
}

/// The names of accounts and funds by id: small tables, read once, so that walking every
/// posting needs no join.
pub(crate) struct Names {
    accounts: std::collections::HashMap<i64, String>,
    funds: std::collections::HashMap<i64, String>,
}

impl Names {
    pub(crate) fn read(conn: &Connection) -> Result<Names> {
        let pairs = |sql: &str| -> Result<std::collections::HashMap<i64, String>> {
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| r.try_into())?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        Ok(Names {
            accounts: pairs("SELECT id, name FROM accounts")?,
            funds: pairs("SELECT id, code FROM funds")?,
        })
    }

    pub(crate) fn account(&self, id: i64) -> &str {
        self.accounts.get(&id).map_or("?", String::as_str)
    }

    pub(crate) fn fund(&self, id: i64) -> &str {
        self.funds.get(&id).map_or("?", String::as_str)
    }

    /// The id of the account named `name`, if there is one.
    pub(crate) fn account_id(&self, name: &str) -> Option<i64> {
        self.accounts.iter().find(|(_, n)| *n == name).map(|(id, _)| *id)
    }
}

/// Streams every posting in transaction order (then line) to `each`, one transaction in
/// memory at a time. `filter` narrows by transaction date and fund. Transactions and
/// postings are read in the order they were written (rowid) and merged by transaction id,
/// which needs no sort and no join.
pub fn for_each_journal_row(
    conn: &Connection,
    filter: &Filter,
    mut each: impl FnMut(JournalRow) -> Result<()>,
) -> Result<()> {
    let fund = filter.fund.as_deref().map(|f| fund_id(conn, f)).transpose()?;
    let names = Names::read(conn)?;
    let mut txns = conn.prepare(
        "SELECT id, date, description, counterparty, reference, memo, voids, entered_at, entered_by, hash
         FROM transactions WHERE (?1 IS NULL OR date >= ?1) AND (?2 IS NULL OR date <= ?2) ORDER BY rowid",
    )?;
    let mut postings = conn.prepare(
        "SELECT txn_id, line, account_id, fund_id, currency, amount_minor FROM postings ORDER BY rowid",
    )?;
    let mut posting_rows = postings.query([])?;
    let next_posting = |rows: &mut rusqlite::Rows<'_>| -> Result<Option<(i64, i64, i64, Amount)>> {
        match rows.next()? {
            Some(r) => {
                let code: String = r.get(4)?;
                Ok(Some((r.get(0)?, r.get(2)?, r.get(3)?, amount(r.get(5)?, &code)?)))
            }
            None => Ok(None),
        }
    };
    let mut pending = next_posting(&mut posting_rows)?;
    let mut own: Vec<(i64, i64, Amount)> = Vec::new();
    let mut rows = txns.query(params![filter.from, filter.to])?;
    while let Some(r) = rows.next()? {
        let txn: i64 = r.get(0)?;
        own.clear();
        while let Some((txn_id, account, fund_id, amount)) = pending {
            if txn_id > txn {
                break;
            }
            if txn_id == txn {
                own.push((account, fund_id, amount));
            }
            pending = next_posting(&mut posting_rows)?;
        }
        if fund.is_some_and(|f| !own.iter().any(|(_, fund_id, _)| *fund_id == f)) {
            continue;
        }
        for (account, fund_id, amount) in &own {
            each(JournalRow {
                txn,
                date: date_at(r, 1)?,
                description: r.get(2)?,
                account: names.account(*account).to_string(),
                fund: names.fund(*fund_id).to_string(),
                amount: *amount,
                counterparty: r.get(3)?,
                reference: r.get(4)?,
                memo: r.get(5)?,
                voids: r.get(6)?,
                entered_at: r.get(7)?,
                entered_by: r.get(8)?,
                hash: r.get(9)?,
            })?;
        }
    }
    Ok(())
}

/// Stable pseudonyms for everyone who has given.
pub fn pseudonyms(conn: &Connection) -> Result<crate::domain::privacy::Pseudonyms> {
    labelled(donors(conn)?, "donor")
}

/// Everyone who entered a transaction or an entry (`--by`, else the login name), as
/// `user-0001`, ... in the order they first did: the treasurer is often a donor too.
pub fn people(conn: &Connection) -> Result<crate::domain::privacy::Pseudonyms> {
    let people = strings(
        conn,
        "SELECT entered_by FROM (SELECT entered_by, entered_at FROM transactions
                                 UNION ALL
                                 -- A sealed entry keeps who entered it among its texts
                                 -- (its own `entered_by` is empty).
                                 SELECT CASE e.entered_by WHEN '' THEN coalesce(t.text, '') ELSE e.entered_by END,
                                        e.entered_at FROM entries e
                                 LEFT JOIN entry_texts t ON t.entry_id = e.id AND t.field = 'entered_by')
         GROUP BY entered_by ORDER BY min(entered_at), entered_by",
    )?;
    labelled(people, "user")
}

fn labelled(names: Vec<String>, prefix: &str) -> Result<crate::domain::privacy::Pseudonyms> {
    let count = names.len();
    crate::domain::privacy::Pseudonyms::labelled(names, prefix).map_err(|e| {
        Error::Refused(format!(
            "invalid {prefix} names `{count} names`: too many to pseudonymise at once ({e})"
        ))
    })
}

/// Everyone who has given, in the order of their first gift: the counterparties of
/// transactions that credit `income:donations`. The order makes pseudonyms stable.
pub fn donors(conn: &Connection) -> Result<Vec<String>> {
    strings(
        conn,
        "SELECT t.counterparty FROM transactions t
         WHERE t.counterparty IS NOT NULL AND EXISTS (
             SELECT 1 FROM postings p JOIN accounts a ON a.id = p.account_id
             WHERE p.txn_id = t.id AND a.name = 'income:donations')
         GROUP BY t.counterparty ORDER BY min(t.id)",
    )
}

/// Every grant to a commune (a debit to a commune's grants account) that is not voided and
/// not a void, with its date, in id order.
pub fn commune_grants(conn: &Connection) -> Result<Vec<(i64, NaiveDate)>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT t.id, t.date FROM transactions t
         JOIN postings p ON p.txn_id = t.id JOIN communes c ON c.account_id = p.account_id
         WHERE p.amount_minor > 0 AND t.voids IS NULL
           AND NOT EXISTS (SELECT 1 FROM transactions v WHERE v.voids = t.id)
         ORDER BY t.id",
    )?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    let mut grants = Vec::new();
    for row in rows {
        let (id, day): (i64, String) = row?;
        grants.push((id, stored_date(&day)?));
    }
    Ok(grants)
}

/// What each fund can give from `account` on `date`, in `currency`, as the gifts it is made
/// of (oldest first): its balance at the end of that day, but no more than its lowest balance
/// on any later day (what a back-dated payout takes must not be spent again later); a fund's
/// balance is its latest inflows, the older ones having left first. Funds that can give
/// nothing are left out.
pub fn holdings(
    conn: &Connection,
    account: &str,
    currency: Currency,
    date: NaiveDate,
) -> Result<Vec<crate::domain::payout::Holding>> {
    let account_id = account_id(conn, account)?;
    let mut balances = conn.prepare(
        "SELECT f.id, f.code, SUM(d.debit_minor) - SUM(d.credit_minor) FROM daily_totals d
         JOIN funds f ON f.id = d.fund_id
         WHERE d.account_id = ?1 AND d.currency = ?2 AND d.date <= ?3
         GROUP BY f.id HAVING SUM(d.debit_minor) - SUM(d.credit_minor) > 0 ORDER BY f.code",
    )?;
    let held: Vec<(i64, String, i64)> = balances
        .query_map(params![account_id, currency.code(), date], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut later = conn.prepare(
        "SELECT fund_id, SUM(debit_minor) - SUM(credit_minor) FROM daily_totals
         WHERE account_id = ?1 AND currency = ?2 AND date > ?3
         GROUP BY fund_id, date ORDER BY fund_id, date",
    )?;
    let mut lowest_later: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    let mut running: std::collections::HashMap<i64, i64> = held.iter().map(|(id, _, b)| (*id, *b)).collect();
    let mut rows = later.query(params![account_id, currency.code(), date])?;
    while let Some(r) = rows.next()? {
        let (fund_id, net): (i64, i64) = (r.get(0)?, r.get(1)?);
        let Some(balance) = running.get_mut(&fund_id) else {
            continue;
        };
        *balance = Sum::from_minor(*balance, currency)
            .plus(Sum::from_minor(net, currency))
            .map_err(|_| Error::Overflow {
                what: "a fund's balance".into(),
            })?
            .minor();
        let lowest = lowest_later.entry(fund_id).or_insert(*balance);
        *lowest = (*lowest).min(*balance);
    }
    drop(rows);
    let held: Vec<(i64, String, i64)> = held
        .into_iter()
        .map(|(id, fund, balance)| {
            let can_give = lowest_later.get(&id).map_or(balance, |low| balance.min(*low));
            (id, fund, can_give)
        })
        .filter(|(_, _, can_give)| *can_give > 0)
        .collect();
    let mut inflows = conn.prepare(
        "SELECT t.date, p.amount_minor FROM postings p JOIN transactions t ON t.id = p.txn_id
         WHERE p.account_id = ?1 AND p.fund_id = ?2 AND p.currency = ?3 AND p.amount_minor > 0
           AND t.date <= ?4
         ORDER BY t.date DESC, t.id DESC",
    )?;
    let mut out = Vec::with_capacity(held.len());
    for (fund_id, fund, balance) in held {
        let mut layers = Vec::new();
        let mut left = Sum::from_minor(balance, currency);
        let mut rows = inflows.query(params![account_id, fund_id, currency.code(), date])?;
        while let Some(r) = rows.next()? {
            if left.is_zero() {
                break;
            }
            let taken = r.get::<_, i64>(1)?.min(left.minor());
            layers.push((date_at(r, 0)?, taken));
            left.sub(Sum::from_minor(taken, currency))?;
        }
        layers.reverse();
        out.push(crate::domain::payout::Holding { fund, layers });
    }
    Ok(out)
}
