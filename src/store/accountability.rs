//! Queries behind the accountability reports: the movements of `assets:union`, the grants
//! that reached each commune, and the gifts of each donor. A *live* transaction is one that
//! is neither voided nor a void; sums include every transaction (a void nets its original
//! out), while dates, ages and counts look at live transactions only.

use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use super::read::{amount, currency, stored_date, Filter};
use crate::domain::names::{CONVERSION, UNION_ACCOUNT};
use crate::domain::{Amount, Currency, Sum};
use crate::error::Result;

/// SQL: the transaction `t` is neither voided nor a void.
const LIVE: &str = "t.voids IS NULL AND NOT EXISTS (SELECT 1 FROM transactions v WHERE v.voids = t.id)";

/// SQL: the id of `t` unless it is a refund, which returns a gift rather than being one: a
/// donor's total is net of refunds, the count of gifts is not.
const GIFT_ID: &str = "CASE WHEN NOT EXISTS (SELECT 1 FROM refunds r WHERE r.txn_id = t.id) THEN t.id END";

/// One posting to `assets:union`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnionMovement {
    pub date: NaiveDate,
    pub fund: String,
    pub amount: Amount,
    /// The transaction also posts to a grants account: an allocation (or its void).
    pub allocation: bool,
    pub live: bool,
}

/// Every posting to `assets:union` up to `to`, in date order.
pub fn union_movements(conn: &Connection, to: Option<NaiveDate>) -> Result<Vec<UnionMovement>> {
    let allocations = grant_transactions(conn)?;
    let mut stmt = conn.prepare(&format!(
        "SELECT t.id, t.date, f.code, p.currency, p.amount_minor, {LIVE}
         FROM postings p JOIN transactions t ON t.id = p.txn_id
              JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
         WHERE a.name = ?1 AND (?2 IS NULL OR t.date <= ?2)
         ORDER BY t.date, t.id, p.line"
    ))?;
    let rows = stmt.query_map(params![UNION_ACCOUNT, to], |r| r.try_into())?;
    let mut movements = Vec::new();
    for row in rows {
        let (txn, date, fund, code, minor, live): (i64, String, String, String, i64, bool) = row?;
        movements.push(UnionMovement {
            date: stored_date(&date)?,
            fund,
            amount: amount(minor, &code)?,
            allocation: allocations.contains(&txn),
            live,
        });
    }
    Ok(movements)
}

/// The transactions with a posting to a grants account, read from the index by account (a
/// check per movement of all its transaction's postings costs more than this whole set).
fn grant_transactions(conn: &Connection) -> Result<HashSet<i64>> {
    let mut stmt = conn.prepare(
        "SELECT p.txn_id FROM accounts a CROSS JOIN postings p ON p.account_id = a.id
         WHERE a.name GLOB 'expenses:grants:*'",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The union's allocations in a period by recipient: (fund, currency, grants account, sum).
pub fn allocations_by_recipient(
    conn: &Connection,
    filter: &Filter,
) -> Result<Vec<(String, Currency, String, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT f.code, g.currency, ga.name, SUM(g.amount_minor)
         FROM postings g JOIN transactions t ON t.id = g.txn_id
              JOIN accounts ga ON ga.id = g.account_id JOIN funds f ON f.id = g.fund_id
         WHERE ga.name GLOB 'expenses:grants:*'
           AND EXISTS (SELECT 1 FROM postings u JOIN accounts ua ON ua.id = u.account_id
                       WHERE u.txn_id = t.id AND ua.name = ?1 AND u.fund_id = g.fund_id)
           AND (?2 IS NULL OR t.date >= ?2) AND (?3 IS NULL OR t.date <= ?3)
           AND (?4 IS NULL OR f.code = ?4)
         GROUP BY f.code, g.currency, ga.name
         ORDER BY f.code, g.currency, ga.name",
    )?;
    let rows = stmt.query_map(params![UNION_ACCOUNT, filter.from, filter.to, filter.fund], |r| {
        r.try_into()
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (fund, code, account, sum): (String, String, String, i64) = row?;
        out.push((fund, currency(&code)?, account, sum));
    }
    Ok(out)
}

/// One grant posting to a commune's account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantLine {
    pub txn: i64,
    pub date: NaiveDate,
    pub description: String,
    pub commune: String,
    pub name: String,
    pub state: String,
    pub fund: String,
    pub amount: Amount,
    /// The money came out of `assets:union` (an allocation), not straight from us.
    pub via_union: bool,
    pub live: bool,
    /// The commune's confirmation: its date and receipt reference.
    pub confirmed: Option<(String, Option<String>)>,
}

/// Grants to communes in a period (optionally of one commune and one fund), in date order.
/// The few communes drive the query (CROSS JOIN fixes the order): their postings come from
/// the index by account, where a scan of every posting is what SQLite would otherwise pick.
pub fn grant_lines(conn: &Connection, filter: &Filter, commune: Option<&str>) -> Result<Vec<GrantLine>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT t.id, t.date, t.description, c.slug, c.name, c.state, f.code, p.currency, p.amount_minor,
                EXISTS (SELECT 1 FROM postings u JOIN accounts ua ON ua.id = u.account_id
                        WHERE u.txn_id = t.id AND ua.name = ?1),
                {LIVE}, k.date, k.reference
         FROM communes c CROSS JOIN postings p ON p.account_id = c.account_id
              JOIN transactions t ON t.id = p.txn_id JOIN funds f ON f.id = p.fund_id
              LEFT JOIN confirmations k ON k.txn_id = t.id
         WHERE (?2 IS NULL OR t.date >= ?2) AND (?3 IS NULL OR t.date <= ?3)
           AND (?4 IS NULL OR f.code = ?4) AND (?5 IS NULL OR c.slug = ?5)
         ORDER BY t.date, t.id, p.line"
    ))?;
    let rows = stmt.query_map(
        params![UNION_ACCOUNT, filter.from, filter.to, filter.fund, commune],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, bool>(9)?,
                r.get::<_, bool>(10)?,
                r.get::<_, Option<String>>(11)?,
                r.get::<_, Option<String>>(12)?,
            ))
        },
    )?;
    let mut lines = Vec::new();
    for row in rows {
        let (
            txn,
            date,
            description,
            commune,
            name,
            state,
            fund,
            code,
            minor,
            via_union,
            live,
            confirmed,
            receipt,
        ) = row?;
        lines.push(GrantLine {
            txn,
            date: stored_date(&date)?,
            description,
            commune,
            name,
            state,
            fund,
            amount: amount(minor, &code)?,
            via_union,
            live,
            confirmed: confirmed.map(|d| (d, receipt)),
        });
    }
    Ok(lines)
}

/// One donor's live gifts in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonorTotal {
    pub donor: String,
    pub count: i64,
    pub total: Sum,
    /// Her first and last gift in the period: none when she has only refunds in it.
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
}

/// The postings to `income:donations` in the period and fund given as ?1, ?2 and ?3, of the
/// donors named by the JSON array ?4 when `of_donors` (else ?4 is NULL). A few donors'
/// transactions drive the query from the index by counterparty (CROSS JOIN fixes the order)
/// and their postings come by transaction: SQLite would otherwise read every gift's posting.
fn gifts_in_period(of_donors: bool) -> String {
    let (tables, donors) = if of_donors {
        (
            "transactions t CROSS JOIN postings p ON p.txn_id = t.id",
            "t.counterparty IN (SELECT value FROM json_each(?4))",
        )
    } else {
        ("postings p JOIN transactions t ON t.id = p.txn_id", "?4 IS NULL")
    };
    format!(
        "FROM {tables} JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
    WHERE a.name = 'income:donations' AND {donors}
      AND (?1 IS NULL OR t.date >= ?1) AND (?2 IS NULL OR t.date <= ?2) AND (?3 IS NULL OR f.code = ?3)"
    )
}

/// `donors` as the JSON array [`gifts_in_period`] reads.
fn donors_json<S: AsRef<str>>(donors: Option<&[S]>) -> Option<String> {
    donors.map(|d| serde_json::Value::from(d.iter().map(AsRef::as_ref).collect::<Vec<_>>()).to_string())
}

/// Per donor and currency: live gifts (credits to `income:donations`) in a period, net of
/// live refunds; first and last are the dates of gifts (of refunds only for a donor with
/// nothing but refunds in the period).
pub fn donor_totals(conn: &Connection, filter: &Filter) -> Result<Vec<DonorTotal>> {
    donor_totals_of(conn, filter, None)
}

/// As [`donor_totals`], of `donors` only when given.
pub fn donor_totals_of(
    conn: &Connection,
    filter: &Filter,
    donors: Option<&[String]>,
) -> Result<Vec<DonorTotal>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT t.counterparty, p.currency, count(DISTINCT {GIFT_ID}), -SUM(p.amount_minor),
                min(CASE WHEN {GIFT_ID} IS NOT NULL THEN t.date END),
                max(CASE WHEN {GIFT_ID} IS NOT NULL THEN t.date END)
         {} AND t.counterparty IS NOT NULL AND {LIVE}
         GROUP BY t.counterparty, p.currency
         ORDER BY -SUM(p.amount_minor) DESC, t.counterparty",
        gifts_in_period(donors.is_some())
    ))?;
    let rows = stmt.query_map(
        params![filter.from, filter.to, filter.fund, donors_json(donors)],
        |r| r.try_into(),
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (donor, code, count, total_minor, first_date, last_date): (
            String,
            String,
            i64,
            i64,
            Option<String>,
            Option<String>,
        ) = row?;
        out.push(DonorTotal {
            donor,
            count,
            total: Sum::from_minor(total_minor, currency(&code)?),
            first_date: first_date.as_deref().map(stored_date).transpose()?,
            last_date: last_date.as_deref().map(stored_date).transpose()?,
        });
    }
    Ok(out)
}

/// One donor's live gifts in one month and currency: all gifts without a donor count as
/// one donor, since they may all be one person's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonorMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub currency: Currency,
    pub donor: Option<String>,
    pub gifts: i64,
    pub total_minor: i64,
}

/// Live gifts in a period per month, currency and donor, in that order, each handed to
/// `each` as it is read (a large ledger has hundreds of thousands of them); only `donors`'
/// gifts when given.
pub fn for_each_donor_month(
    conn: &Connection,
    filter: &Filter,
    donors: Option<&[String]>,
    mut each: impl FnMut(DonorMonth),
) -> Result<()> {
    let mut stmt = conn.prepare(&format!(
        "SELECT substr(t.date, 1, 7), p.currency, t.counterparty, count(DISTINCT {GIFT_ID}), -SUM(p.amount_minor)
         {} AND {LIVE}
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        gifts_in_period(donors.is_some())
    ))?;
    let mut rows = stmt.query(params![filter.from, filter.to, filter.fund, donors_json(donors)])?;
    while let Some(r) = rows.next()? {
        each(DonorMonth {
            month: r.get(0)?,
            currency: currency(&r.get::<_, String>(1)?)?,
            donor: r.get(2)?,
            gifts: r.get(3)?,
            total_minor: r.get(4)?,
        });
    }
    Ok(())
}

/// Credits to `income:donations` in a period, per currency, split three ways: live gifts
/// with a donor, live gifts without one, and transactions that were voided or are voids.
pub fn donation_sums(conn: &Connection, filter: &Filter) -> Result<Vec<(Currency, i64, i64, i64)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT p.currency,
                -SUM(CASE WHEN ({LIVE}) AND t.counterparty IS NOT NULL THEN p.amount_minor ELSE 0 END),
                -SUM(CASE WHEN ({LIVE}) AND t.counterparty IS NULL THEN p.amount_minor ELSE 0 END),
                -SUM(CASE WHEN ({LIVE}) THEN 0 ELSE p.amount_minor END)
         FROM postings p JOIN transactions t ON t.id = p.txn_id
              JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
         WHERE a.name = 'income:donations'
           AND (?1 IS NULL OR t.date >= ?1) AND (?2 IS NULL OR t.date <= ?2) AND (?3 IS NULL OR f.code = ?3)
         GROUP BY p.currency ORDER BY p.currency"
    ))?;
    let rows = stmt.query_map(params![filter.from, filter.to, filter.fund], |r| r.try_into())?;
    let mut out = Vec::new();
    for row in rows {
        let (code, named, unnamed, not_live): (String, i64, i64, i64) = row?;
        out.push((currency(&code)?, named, unnamed, not_live));
    }
    Ok(out)
}

/// A donor's most recent live gift: its fund, the account it arrived in, and the whole
/// gift — the defaults `fondo add` offers for that donor's next one.
pub fn last_gift(conn: &Connection, donor: &str) -> Result<Option<(String, String, Amount)>> {
    let row: Option<(String, String, i64, Option<String>)> = conn
        .query_row(
            &format!(
                "SELECT f.code, p.currency, -p.amount_minor,
                        (SELECT a2.name FROM postings p2 JOIN accounts a2 ON a2.id = p2.account_id
                         WHERE p2.txn_id = t.id AND a2.type = 'assets' AND p2.amount_minor > 0
                         ORDER BY p2.line LIMIT 1)
                 FROM transactions t JOIN postings p ON p.txn_id = t.id
                      JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
                 WHERE t.counterparty = ?1 AND a.name = 'income:donations' AND {LIVE}
                 ORDER BY t.date DESC, t.id DESC LIMIT 1"
            ),
            [donor],
            |r| r.try_into(),
        )
        .optional()?;
    row.map(|(fund, code, minor, into)| Ok((fund, into.unwrap_or_default(), amount(minor, &code)?)))
        .transpose()
}

/// A live exchange between two currencies: what was given and what it bought.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub txn: i64,
    pub date: NaiveDate,
    pub given: Amount,
    pub received: Amount,
}

/// The live exchanges of a period (optionally of one fund), in date order: transactions
/// through `equity:conversion` in exactly two currencies, one given and one received — or,
/// as a simple-format import records an exchange, two transactions of one currency each on
/// the same day, one after the other, one giving and one receiving.
pub fn exchanges(conn: &Connection, filter: &Filter) -> Result<Vec<Exchange>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT t.id, t.date, p.currency, SUM(p.amount_minor)
         FROM postings p JOIN transactions t ON t.id = p.txn_id
              JOIN accounts a ON a.id = p.account_id JOIN funds f ON f.id = p.fund_id
         WHERE a.name = '{CONVERSION}' AND {LIVE}
           AND (?1 IS NULL OR t.date >= ?1) AND (?2 IS NULL OR t.date <= ?2) AND (?3 IS NULL OR f.code = ?3)
         GROUP BY t.id, p.currency
         ORDER BY t.id, p.currency"
    ))?;
    let rows = stmt.query_map(params![filter.from, filter.to, filter.fund], |r| r.try_into())?;
    // What each transaction did through the conversion account, per currency: a debit
    // there is what was given, a credit what was received.
    let mut sides: Vec<(i64, String, Amount)> = Vec::new();
    for row in rows {
        let (id, day, code, sum): (i64, String, String, i64) = row?;
        sides.push((id, day, amount(sum, &code)?));
    }
    let groups: Vec<&[(i64, String, Amount)]> = sides.chunk_by(|a, b| a.0 == b.0).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let pair = match (groups[i], groups.get(i + 1)) {
            ([a, b], _) => Some((a, b, 1)),
            ([a], Some([b])) if a.1 == b.1 && a.2.currency() != b.2.currency() => Some((a, b, 2)),
            _ => None,
        };
        let Some((a, b, taken)) = pair else {
            i += 1;
            continue;
        };
        let found = match (a.2.is_positive(), b.2.is_positive()) {
            (true, false) if !b.2.is_zero() => Some((a.2, b.2.negated())),
            (false, true) if !a.2.is_zero() => Some((b.2, a.2.negated())),
            _ => None,
        };
        match found {
            Some((given, received)) => {
                out.push(Exchange {
                    txn: a.0,
                    date: stored_date(&a.1)?,
                    given,
                    received,
                });
                i += taken;
            }
            None => i += 1,
        }
    }
    out.sort_by_key(|x| (x.date, x.txn));
    Ok(out)
}

/// One line of a donor's statement: what one live gift transaction credited (or, for a
/// refund that debits `income:donations` with the donor as its counterparty, debited) to
/// `income:donations` in one fund and currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftLine {
    pub donor: String,
    pub txn: i64,
    pub date: NaiveDate,
    pub fund: String,
    /// Negative for a refund: the donor's total nets it, as [`donor_totals`] does.
    pub amount: Sum,
    pub reference: Option<String>,
    /// For a refund: the date of the gift it returns.
    pub refund_of: Option<NaiveDate>,
}

impl GiftLine {
    /// What a letter shows in its reference column: a refund says which gift it returns.
    pub fn shown_reference(&self) -> String {
        let reference = self.reference.as_deref().unwrap_or("");
        match self.refund_of {
            Some(gift) if reference.is_empty() => format!("refund of the gift of {gift}"),
            Some(gift) => format!("refund of the gift of {gift} ({reference})"),
            None => reference.to_string(),
        }
    }
}

/// Every live gift of a period with a donor (only `donor`'s, if given), as [`donor_totals`]
/// counts them, line by line: in one query, ordered by donor, date and transaction.
pub fn gift_lines(conn: &Connection, filter: &Filter, donor: Option<&str>) -> Result<Vec<GiftLine>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT t.counterparty, t.id, t.date, f.code, p.currency, -SUM(p.amount_minor), t.reference,
                (SELECT g.date FROM refunds r JOIN transactions g ON g.id = r.gift_id WHERE r.txn_id = t.id)
         {} AND t.counterparty IS NOT NULL AND {LIVE}
         GROUP BY t.id, f.code, p.currency
         ORDER BY t.counterparty, t.date, t.id, f.code, p.currency",
        gifts_in_period(donor.is_some())
    ))?;
    let donor = donors_json(donor.as_ref().map(std::slice::from_ref));
    let mut rows = stmt.query(params![filter.from, filter.to, filter.fund, donor])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(GiftLine {
            donor: r.get(0)?,
            txn: r.get(1)?,
            date: stored_date(&r.get::<_, String>(2)?)?,
            fund: r.get(3)?,
            amount: Sum::from_minor(r.get(5)?, currency(&r.get::<_, String>(4)?)?),
            reference: r.get(6)?,
            refund_of: r
                .get::<_, Option<String>>(7)?
                .as_deref()
                .map(stored_date)
                .transpose()?,
        });
    }
    Ok(out)
}
