//! Rates between currencies: those entered with `fondo rate add`, and the rate the ledger's
//! own most recent exchange between two currencies implies.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use rust_decimal::Decimal;

use super::{currency, date_at, stored_date, Filter};
use crate::domain::valuation::{RateSource, RateUsed};
use crate::domain::Currency;
use crate::error::{Error, Result};
use crate::store::{accountability, hash};

/// One entered rate, as `rate list` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateInfo {
    pub id: i64,
    pub from: Currency,
    pub to: Currency,
    pub rate: Decimal,
    pub date: NaiveDate,
    /// The rate of the same pair and day this one corrects.
    pub corrects: Option<i64>,
    pub entered_by: String,
}

fn stored_rate(text: &str) -> Result<Decimal> {
    crate::domain::money::parse_decimal(text)
        .map_err(|_| Error::Corrupt(format!("an invalid rate `{text}` in the rates table")))
}

/// Every entered rate, by pair and date.
pub fn rates(conn: &Connection) -> Result<Vec<RateInfo>> {
    let mut stmt = conn.prepare(
        "SELECT id, from_currency, to_currency, rate, date, corrects, entered_by FROM rates
         ORDER BY from_currency, to_currency, date, id",
    )?;
    let mut rows = stmt.query([])?;
    let mut all = Vec::new();
    while let Some(r) = rows.next()? {
        all.push(RateInfo {
            id: r.get(0)?,
            from: currency(&r.get::<_, String>(1)?)?,
            to: currency(&r.get::<_, String>(2)?)?,
            rate: stored_rate(&r.get::<_, String>(3)?)?,
            date: date_at(r, 4)?,
            corrects: r.get(5)?,
            entered_by: r.get(6)?,
        });
    }
    Ok(all)
}

/// The rate of `from` to `to` in force on `date` (the last one entered for that day): its
/// number and value.
pub(crate) fn rate_on(
    conn: &Connection,
    from: Currency,
    to: Currency,
    date: NaiveDate,
) -> Result<Option<(i64, Decimal)>> {
    let found: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, rate FROM rates WHERE from_currency = ?1 AND to_currency = ?2 AND date = ?3
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row((from.code(), to.code(), hash::date_text(date)), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    found.map(|(id, text)| Ok((id, stored_rate(&text)?))).transpose()
}

/// The entered rate of `from` to `to` nearest on or before `date`, as entered.
fn entered(
    conn: &Connection,
    from: Currency,
    to: Currency,
    date: NaiveDate,
) -> Result<Option<(i64, Decimal, NaiveDate)>> {
    let found: Option<(i64, String, String)> = conn
        .prepare_cached(
            "SELECT id, rate, date FROM rates WHERE from_currency = ?1 AND to_currency = ?2 AND date <= ?3
             ORDER BY date DESC, id DESC LIMIT 1",
        )?
        .query_row((from.code(), to.code(), hash::date_text(date)), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    found
        .map(|(id, rate, day)| Ok((id, stored_rate(&rate)?, stored_date(&day)?)))
        .transpose()
}

/// The rate to value `from` in `to` on `date`: the entered rate nearest on or before it,
/// direct (`from`→`to`) or the inverse of a `to`→`from` one, whichever is later (direct on
/// the same day); else the one the most recent exchange between them on or before it implies.
pub fn rate_for(conn: &Connection, from: Currency, to: Currency, date: NaiveDate) -> Result<RateUsed> {
    let rate = |source, numerator, denominator, date| RateUsed {
        from,
        to,
        date,
        source: RateSource::Entered(source),
        numerator,
        denominator,
    };
    let direct = entered(conn, from, to, date)?;
    let inverse = entered(conn, to, from, date)?;
    match (direct, inverse) {
        (Some((id, r, d)), Some((_, _, inverse_date))) if d >= inverse_date => {
            Ok(rate(id, r, Decimal::ONE, d))
        }
        (_, Some((id, r, d))) => Ok(rate(id, Decimal::ONE, r, d)),
        (Some((id, r, d)), None) => Ok(rate(id, r, Decimal::ONE, d)),
        (None, None) => exchanged(conn, from, to, date)?.ok_or(Error::NoRate {
            from: from.code().to_string(),
            to: to.code().to_string(),
            date,
        }),
    }
}

/// The rate implied by the most recent live exchange between `from` and `to` (in either
/// direction) on or before `date`, as the accountability reports find exchanges: what was
/// received or given in `to` per unit given or received in `from`.
fn exchanged(conn: &Connection, from: Currency, to: Currency, date: NaiveDate) -> Result<Option<RateUsed>> {
    let through = Filter {
        from: None,
        to: Some(date),
        fund: None,
    };
    let all = accountability::exchanges(conn, &through)?;
    let latest = all.iter().rev().find_map(|e| {
        let (given, received) = (e.given.currency(), e.received.currency());
        let sides = if given == from && received == to {
            (e.received, e.given)
        } else if given == to && received == from {
            (e.given, e.received)
        } else {
            return None;
        };
        Some((e, sides))
    });
    Ok(latest.map(|(e, (in_to, in_from))| RateUsed {
        from,
        to,
        date: e.date,
        source: RateSource::Exchange(e.txn),
        numerator: in_to.to_decimal(),
        denominator: in_from.to_decimal(),
    }))
}
