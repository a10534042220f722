//! The chart as the ledger holds it: accounts, funds and communes, by name or all of them.

use rusqlite::{Connection, OptionalExtension};

use super::{amount, strings};
use crate::domain::names::{closest, commune_answers_to};
use crate::domain::{Amount, Field};
use crate::error::{Error, Result};

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

pub(crate) fn account_names(conn: &Connection) -> Result<Vec<String>> {
    strings(conn, "SELECT name FROM accounts ORDER BY name")
}

pub(crate) fn fund_codes(conn: &Connection) -> Result<Vec<String>> {
    strings(conn, "SELECT code FROM funds ORDER BY code")
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
