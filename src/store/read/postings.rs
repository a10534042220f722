//! Postings summed for reports: balances, the register, and what each fund holds.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use super::{account_id, amount, currency, date_at, fund_id, stored_date, Filter, Names};
use crate::domain::names::{closest, parse_iso_date};
use crate::domain::{Amount, Currency, Sum};
use crate::error::{Error, Result};

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

/// Debits and credits per account, fund and currency, ordered by account, fund and currency.
/// Without dates it reads the maintained totals (O(accounts)); with dates it sums the
/// maintained daily totals in the range, seeking each account, fund and currency's days by
/// the primary key and grouping by ids (names are joined after: sorting joined text costs
/// more than the sums). Through a date in the later half of the books, it takes the days
/// after it from the maintained totals instead, which reads fewer days.
pub fn balance_lines(conn: &Connection, filter: &Filter) -> Result<Vec<BalanceLine>> {
    balance_lines_where(conn, filter, false)
}

/// As [`balance_lines`], of the communes' grants accounts only: the others' days go unread.
pub fn commune_balance_lines(conn: &Connection, filter: &Filter) -> Result<Vec<BalanceLine>> {
    balance_lines_where(conn, filter, true)
}

/// [`balance_lines`], of the communes' accounts only when `communes_only` (?4).
fn balance_lines_where(conn: &Connection, filter: &Filter, communes_only: bool) -> Result<Vec<BalanceLine>> {
    let fund_id = filter.fund.as_deref().map(|f| fund_id(conn, f)).transpose()?;
    let sql = match (filter.from, filter.to) {
        (None, None) => {
            "SELECT account_id, fund_id, currency, debit_minor, credit_minor FROM balances
             WHERE (?1 IS NULL OR fund_id = ?1) AND ?2 IS NOT NULL AND ?3 IS NOT NULL
               AND (NOT ?4 OR account_id IN (SELECT account_id FROM communes))"
        }
        (None, Some(to)) if in_later_half(conn, to)? => {
            "SELECT b.account_id, b.fund_id, b.currency,
                    b.debit_minor - coalesce(SUM(d.debit_minor), 0),
                    b.credit_minor - coalesce(SUM(d.credit_minor), 0)
             FROM balances b LEFT JOIN daily_totals d
                  ON d.account_id = b.account_id AND d.fund_id = b.fund_id AND d.currency = b.currency
                     AND d.date > ?3
             WHERE (?1 IS NULL OR b.fund_id = ?1) AND ?2 IS NOT NULL
               AND (NOT ?4 OR b.account_id IN (SELECT account_id FROM communes))
               AND EXISTS (SELECT 1 FROM daily_totals e
                           WHERE e.account_id = b.account_id AND e.fund_id = b.fund_id
                             AND e.currency = b.currency AND e.date <= ?3)
             GROUP BY b.account_id, b.fund_id, b.currency"
        }
        // The mirror: what the books hold less the days before the period.
        (Some(from), None) if !in_later_half(conn, from)? => {
            "SELECT b.account_id, b.fund_id, b.currency,
                    b.debit_minor - coalesce(SUM(d.debit_minor), 0),
                    b.credit_minor - coalesce(SUM(d.credit_minor), 0)
             FROM balances b LEFT JOIN daily_totals d
                  ON d.account_id = b.account_id AND d.fund_id = b.fund_id AND d.currency = b.currency
                     AND d.date < ?2
             WHERE (?1 IS NULL OR b.fund_id = ?1) AND ?3 IS NOT NULL
               AND (NOT ?4 OR b.account_id IN (SELECT account_id FROM communes))
               AND EXISTS (SELECT 1 FROM daily_totals e
                           WHERE e.account_id = b.account_id AND e.fund_id = b.fund_id
                             AND e.currency = b.currency AND e.date >= ?2)
             GROUP BY b.account_id, b.fund_id, b.currency"
        }
        _ => {
            "SELECT b.account_id, b.fund_id, b.currency, SUM(d.debit_minor), SUM(d.credit_minor)
             FROM balances b CROSS JOIN daily_totals d
                  ON d.account_id = b.account_id AND d.fund_id = b.fund_id AND d.currency = b.currency
             WHERE (?1 IS NULL OR b.fund_id = ?1) AND d.date BETWEEN ?2 AND ?3
               AND (NOT ?4 OR b.account_id IN (SELECT account_id FROM communes))
             GROUP BY b.account_id, b.fund_id, b.currency"
        }
    };
    let names = Names::read(conn)?;
    let mut stmt = conn.prepare_cached(sql)?;
    let (from, to) = date_bounds(filter);
    let mut rows = stmt.query(params![fund_id, from, to, communes_only])?;
    let mut lines = Vec::new();
    while let Some(r) = rows.next()? {
        lines.push(line_at(r, &names)?);
    }
    lines.sort_by(|a, b| (&a.account, &a.fund, a.currency).cmp(&(&b.account, &b.fund, b.currency)));
    Ok(lines)
}

/// Debits and credits per month (its first day), account, fund and currency in the filter's
/// range, from the maintained daily totals, in no particular order. Each account, fund and
/// currency's days are read in primary-key order (a month's days one after another) and
/// summed as they come, compared with the month being summed as stored bytes: a GROUP BY of
/// the month would have SQLite sort them all first.
pub fn monthly_balance_lines(conn: &Connection, filter: &Filter) -> Result<Vec<(NaiveDate, BalanceLine)>> {
    let fund_id = filter.fund.as_deref().map(|f| fund_id(conn, f)).transpose()?;
    let names = Names::read(conn)?;
    let mut keys = conn.prepare_cached(
        "SELECT account_id, fund_id, currency FROM balances WHERE ?1 IS NULL OR fund_id = ?1",
    )?;
    let keys = keys
        .query_map(params![fund_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<(i64, i64, String)>>>()?;
    let mut days = conn.prepare_cached(
        "SELECT date, debit_minor, credit_minor FROM daily_totals
         WHERE account_id = ?1 AND fund_id = ?2 AND currency = ?3 AND date BETWEEN ?4 AND ?5
         ORDER BY date",
    )?;
    let (from, to) = date_bounds(filter);
    let mut lines = Vec::new();
    for (account_id, fund_id, code) in keys {
        let line = |(first, (debit_minor, credit_minor)): (NaiveDate, (i64, i64))| -> Result<_> {
            let line = BalanceLine {
                account: names.account(account_id).to_string(),
                fund: names.fund(fund_id).to_string(),
                currency: currency(&code)?,
                debit_minor,
                credit_minor,
            };
            Ok((first, line))
        };
        let mut rows = days.query(params![account_id, fund_id, code, from, to])?;
        let mut month: Option<Month> = None;
        while let Some(r) = rows.next()? {
            let rusqlite::types::ValueRef::Text(date) = r.get_ref(0)? else {
                return Err(Error::Corrupt(
                    "a date that is not text in the daily totals".into(),
                ));
            };
            let amounts = (r.get(1)?, r.get(2)?);
            match &mut month {
                Some(current) if date.get(..7) == Some(&current.text[..]) => {
                    current.sums = add_pair(current.sums, amounts)?;
                }
                _ => {
                    if let Some(done) = month.replace(Month::start(date, amounts)?) {
                        lines.push(line((done.first, done.sums))?);
                    }
                }
            }
        }
        if let Some(done) = month {
            lines.push(line((done.first, done.sums))?);
        }
    }
    Ok(lines)
}

/// The month being summed: `YYYY-MM` as stored, its first day, its debits and credits.
struct Month {
    text: [u8; 7],
    first: NaiveDate,
    sums: (i64, i64),
}

impl Month {
    /// The month of a stored `date`, with its first day's amounts.
    fn start(date: &[u8], sums: (i64, i64)) -> Result<Month> {
        let invalid = || Error::Corrupt(format!("an invalid date `{}`", String::from_utf8_lossy(date)));
        let text: [u8; 7] = date
            .get(..7)
            .and_then(|m| m.try_into().ok())
            .ok_or_else(invalid)?;
        let mut first = *b"YYYY-MM-01";
        first[..7].copy_from_slice(&text);
        let first = std::str::from_utf8(&first)
            .ok()
            .and_then(parse_iso_date)
            .ok_or_else(invalid)?;
        Ok(Month { text, first, sums })
    }
}

fn add_pair((debit, credit): (i64, i64), (more_debit, more_credit): (i64, i64)) -> Result<(i64, i64)> {
    let overflow = || Error::Overflow {
        what: "a month's debits or credits".into(),
    };
    Ok((
        debit.checked_add(more_debit).ok_or_else(overflow)?,
        credit.checked_add(more_credit).ok_or_else(overflow)?,
    ))
}

/// A row of (account id, fund id, currency, debits, credits) as a line.
fn line_at(r: &rusqlite::Row<'_>, names: &Names) -> Result<BalanceLine> {
    Ok(BalanceLine {
        account: names.account(r.get(0)?).to_string(),
        fund: names.fund(r.get(1)?).to_string(),
        currency: currency(&r.get::<_, String>(2)?)?,
        debit_minor: r.get(3)?,
        credit_minor: r.get(4)?,
    })
}

/// Whether `date` is nearer the books' last day than their first (by days, as a guess at
/// which side holds fewer daily totals).
fn in_later_half(conn: &Connection, date: NaiveDate) -> Result<bool> {
    Ok(super::date_span(conn)?.is_some_and(|(first, last)| date - first >= last - date))
}

/// A filter's dates as inclusive bounds on stored dates, the open ends beyond any date.
fn date_bounds(filter: &Filter) -> (String, String) {
    (
        filter.from.map_or_else(|| "0000-00-00".into(), |d| d.to_string()),
        filter.to.map_or_else(|| "9999-99-99".into(), |d| d.to_string()),
    )
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

/// ⌊√n⌋ in integers, by bisection (`u64::isqrt` is newer than the Rust fondo builds with).
fn square_root(n: u64) -> u64 {
    let (mut low, mut high) = (0_u64, 1_u64 << 32);
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if middle.saturating_mul(middle) <= n {
            low = middle;
        } else {
            high = middle;
        }
    }
    low
}

/// Whether the first `limit` postings of the accounts `ids` (a JSON array; every account when
/// none) are found sooner by walking the transactions in date order than by reading all of
/// those accounts' postings and sorting them. A walk reads about limit × transactions ÷
/// matching postings transactions, the sort every matching posting: the walk wins once there
/// are more than √(limit × transactions) of them, which the count stops at. With a fund, whose
/// postings the index by account cannot count, the postings are read by account as before.
fn walk_by_date(conn: &Connection, ids: Option<&str>, fund: Option<i64>, limit: Option<u64>) -> Result<bool> {
    let (Some(limit), None) = (limit, fund) else {
        return Ok(false);
    };
    let Some(ids) = ids else {
        return Ok(true);
    };
    let transactions: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) FROM transactions", [], |r| r.get(0))?;
    let enough = i64::try_from(square_root(limit.saturating_mul(transactions.unsigned_abs())))
        .unwrap_or(i64::MAX)
        .saturating_add(1);
    let matching: i64 = conn.query_row(
        "SELECT count(*) FROM (SELECT 1 FROM postings WHERE account_id IN (SELECT value FROM json_each(?1)) LIMIT ?2)",
        params![ids, enough],
        |r| r.get(0),
    )?;
    Ok(matching >= enough)
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
    let matching = |account: &str| {
        format!(
            "(?1 IS NULL OR {account} IN (SELECT value FROM json_each(?1))) AND (?2 IS NULL OR p.fund_id = ?2)"
        )
    };
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
    let sql = if walk_by_date(conn, ids_json.as_deref(), fund_id, limit)? {
        // `+` keeps SQLite from reading the postings by account and sorting them all.
        format!(
            "SELECT t.id, t.date, t.description, a.name, f.code, p.currency, p.amount_minor
             FROM transactions t INDEXED BY transactions_by_date CROSS JOIN postings p ON p.txn_id = t.id
                  JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
             WHERE {} AND t.date >= coalesce(?3, '') AND t.date <= coalesce(?4, '9999-12-31')
             ORDER BY t.date, t.id, p.line
             LIMIT ?5",
            matching("+p.account_id")
        )
    } else {
        format!(
            "SELECT t.id, t.date, t.description, a.name, f.code, p.currency, p.amount_minor
             FROM postings p JOIN transactions t ON t.id = p.txn_id
                  JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
             WHERE {} AND (?3 IS NULL OR t.date >= ?3) AND (?4 IS NULL OR t.date <= ?4)
             ORDER BY t.date, t.id, p.line
             LIMIT ?5",
            matching("p.account_id")
        )
    };
    let mut stmt = conn.prepare(&sql)?;
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

#[cfg(test)]
mod tests {
    use super::square_root;

    #[test]
    fn square_root_is_the_floor_of_the_real_one() {
        for (n, root) in [
            (0, 0),
            (1, 1),
            (3, 1),
            (4, 2),
            (99, 9),
            (100, 10),
            (u64::MAX, 4_294_967_295),
        ] {
            assert_eq!(square_root(n), root, "{n}");
        }
    }
}
