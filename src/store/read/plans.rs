//! Budgets and pledges as recorded (issue 16, items 6 and 7).

use rusqlite::Connection;

use super::amount;
use crate::domain::plans::{Month, Period};
use crate::domain::{Amount, Field};
use crate::error::{Error, Result};

/// A fund's budget for a year or a month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetInfo {
    pub fund: String,
    pub period: Period,
    pub amount: Amount,
    /// When it was set, as recorded (`YYYY-MM-DDTHH:MM:SSZ`).
    pub entered_at: String,
}

/// A donor's monthly pledge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PledgeInfo {
    pub id: i64,
    /// The donor's name as recorded (a forgotten donor's placeholder).
    pub donor: String,
    pub amount: Amount,
    pub fund: Option<String>,
    pub from: Month,
    /// The last month, if it ends.
    pub to: Option<Month>,
}

/// Every budget, by fund and then period (a year before its months).
pub fn budgets(conn: &Connection) -> Result<Vec<BudgetInfo>> {
    let mut stmt = conn.prepare(
        "SELECT f.code, b.period, b.amount_minor, b.currency, b.entered_at
         FROM budgets b JOIN funds f ON f.id = b.fund_id ORDER BY f.code, b.period",
    )?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    let mut out = Vec::new();
    for row in rows {
        let (fund, period, minor, code, entered_at): (String, String, i64, String, String) = row?;
        out.push(BudgetInfo {
            fund,
            period: Period::parse(Field::PERIOD, &period).map_err(|_| corrupt("period", &period))?,
            amount: amount(minor, &code)?,
            entered_at,
        });
    }
    Ok(out)
}

/// Every pledge, in the order they were recorded.
pub fn pledges(conn: &Connection) -> Result<Vec<PledgeInfo>> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.donor, p.amount_minor, p.currency, f.code, p.from_month, p.to_month
         FROM pledges p LEFT JOIN funds f ON f.id = p.fund_id ORDER BY p.id",
    )?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    let mut out = Vec::new();
    for row in rows {
        let (id, donor, minor, code, fund, from, to): (
            i64,
            String,
            i64,
            String,
            Option<String>,
            String,
            Option<String>,
        ) = row?;
        out.push(PledgeInfo {
            id,
            donor,
            amount: amount(minor, &code)?,
            fund,
            from: stored_month(&from)?,
            to: to.as_deref().map(stored_month).transpose()?,
        });
    }
    Ok(out)
}

fn stored_month(text: &str) -> Result<Month> {
    Month::parse(Field::FROM, text).map_err(|_| corrupt("month", text))
}

fn corrupt(what: &str, text: &str) -> Error {
    Error::Corrupt(format!("a budget or pledge has an invalid {what} `{text}`"))
}
