//! Queries behind the accountability reports: the movements of `assets:union`, the grants
//! that reached each commune, and the gifts of each donor. A *live* transaction is one that
//! is neither voided nor a void; sums include every transaction (a void nets its original
//! out), while dates, ages and counts look at live transactions only.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use super::read::{amount, currency, date_at, stored_date, text_at, Filter};
use crate::domain::names::{CONVERSION, UNION_ACCOUNT};
use crate::domain::{Amount, Currency, Sum};
use crate::error::{Error, Result};

/// SQL: the transaction `t` is neither voided nor a void.
const LIVE: &str = "t.voids IS NULL AND NOT EXISTS (SELECT 1 FROM transactions v WHERE v.voids = t.id)";

/// SQL: the id of `t` unless it is a refund, which returns a gift rather than being one: a
/// donor's total is net of refunds, the count of gifts is not.
const GIFT_ID: &str = "CASE WHEN NOT EXISTS (SELECT 1 FROM refunds r WHERE r.txn_id = t.id) THEN t.id END";

/// One posting to `assets:union`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnionMovement {
    pub txn: i64,
    pub date: NaiveDate,
    pub fund: String,
    pub amount: Amount,
    /// The transaction also posts to a grants account: an allocation (or its void).
    pub allocation: bool,
    pub live: bool,
}

/// What the accountability queries look up once rather than per posting: the transactions
/// that are voided or are voids (every other one is live) and the funds' codes by id.
struct Lookups {
    not_live: HashSet<i64>,
    funds: HashMap<i64, String>,
}

impl Lookups {
    fn read(conn: &Connection) -> Result<Lookups> {
        let mut not_live = HashSet::new();
        let mut stmt = conn.prepare("SELECT id, voids FROM transactions WHERE voids IS NOT NULL")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            not_live.insert(r.get::<_, i64>(0)?);
            not_live.insert(r.get::<_, i64>(1)?);
        }
        let mut stmt = conn.prepare("SELECT id, code FROM funds")?;
        let funds = stmt
            .query_map([], |r| r.try_into())?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Lookups { not_live, funds })
    }

    fn fund(&self, id: i64) -> Result<&str> {
        self.funds
            .get(&id)
            .map(String::as_str)
            .ok_or_else(|| Error::Corrupt(format!("a posting to the unknown fund #{id}")))
    }
}

/// Every posting to `assets:union` up to `to`, in date order. The union's postings come
/// from the index by account (CROSS JOIN fixes the order), each with its transaction.
pub fn union_movements(conn: &Connection, to: Option<NaiveDate>) -> Result<Vec<UnionMovement>> {
    let allocations = transactions_posting_to(conn, "expenses:grants:*")?;
    let lookups = Lookups::read(conn)?;
    let mut stmt = conn.prepare(
        "SELECT t.id, t.date, p.fund_id, p.currency, p.amount_minor, p.line
         FROM accounts a CROSS JOIN postings p ON p.account_id = a.id
              JOIN transactions t ON t.id = p.txn_id
         WHERE a.name = ?1 AND (?2 IS NULL OR t.date <= ?2)",
    )?;
    let mut rows = stmt.query(params![UNION_ACCOUNT, to])?;
    let mut movements = Vec::new();
    while let Some(r) = rows.next()? {
        let txn: i64 = r.get(0)?;
        let line: i64 = r.get(5)?;
        movements.push((
            line,
            UnionMovement {
                txn,
                date: date_at(r, 1)?,
                fund: lookups.fund(r.get(2)?)?.to_string(),
                amount: amount(r.get(4)?, text_at(r, 3)?)?,
                allocation: allocations.contains(txn),
                live: !lookups.not_live.contains(&txn),
            },
        ));
    }
    Ok(in_date_order(movements, |m| (m.date, m.txn)))
}

/// `rows`, each with its posting's line, in the order of their `key` (date, transaction),
/// then line: sorted here, which
/// costs less than SQLite's sorter copying every column.
fn in_date_order<T>(mut rows: Vec<(i64, T)>, key: impl Fn(&T) -> (NaiveDate, i64)) -> Vec<T> {
    rows.sort_unstable_by_key(|(line, row)| (key(row), *line));
    rows.into_iter().map(|(_, row)| row).collect()
}

/// The transactions with a posting to an account whose name matches the GLOB `pattern`,
/// read from the index by account alone (a check per posting of all its transaction's
/// postings costs more than this whole set).
fn transactions_posting_to(conn: &Connection, pattern: &str) -> Result<TxnSet> {
    let mut stmt = conn.prepare(
        "SELECT p.txn_id FROM accounts a CROSS JOIN postings p ON p.account_id = a.id
         WHERE a.name GLOB ?1",
    )?;
    let rows = stmt.query_map([pattern], |r| r.get(0))?;
    let mut ids: Vec<i64> = rows.collect::<rusqlite::Result<_>>()?;
    // Each account's ids come sorted: a few runs to merge.
    ids.sort_unstable();
    Ok(TxnSet(ids))
}

/// A set of transaction ids, sorted: tens of thousands of them cost less to sort and
/// search than to hash.
struct TxnSet(Vec<i64>);

impl TxnSet {
    fn contains(&self, txn: i64) -> bool {
        self.0.binary_search(&txn).is_ok()
    }
}

/// The union's allocations in a period by recipient: (fund, currency, grants account, sum).
/// An allocation is a posting to a grants account in a transaction that posts to
/// `assets:union` in the same fund: one of `movements`, every posting to the union up to
/// the end of the period, whose dates place the allocations in the period.
pub fn allocations_by_recipient(
    conn: &Connection,
    filter: &Filter,
    movements: &[UnionMovement],
) -> Result<Vec<(String, Currency, String, Sum)>> {
    let in_period: HashSet<(i64, &str)> = movements
        .iter()
        .filter(|m| filter.from.is_none_or(|from| m.date >= from) && filter.to.is_none_or(|to| m.date <= to))
        .filter(|m| filter.fund.as_ref().is_none_or(|f| f == &m.fund))
        .map(|m| (m.txn, m.fund.as_str()))
        .collect();
    let lookups = Lookups::read(conn)?;
    let mut stmt = conn.prepare(
        "SELECT p.txn_id, ga.name, p.fund_id, p.currency, p.amount_minor
         FROM accounts ga CROSS JOIN postings p ON p.account_id = ga.id
         WHERE ga.name GLOB 'expenses:grants:*'",
    )?;
    let mut rows = stmt.query([])?;
    let mut sums: BTreeMap<(String, String, String), Sum> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let fund = lookups.fund(r.get(2)?)?;
        if !in_period.contains(&(r.get(0)?, fund)) {
            continue;
        }
        let code: String = r.get(3)?;
        let posted = amount(r.get(4)?, &code)?;
        sums.entry((fund.to_string(), code, r.get(1)?))
            .or_insert(Sum::zero(posted.currency()))
            .add(posted)?;
    }
    Ok(sums
        .into_iter()
        .map(|((fund, _, account), sum)| (fund, sum.currency(), account, sum))
        .collect())
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
/// the index by account, where a scan of every posting is what SQLite would otherwise pick;
/// whether a grant came through the union, and whether it is live, are looked up in sets
/// read once.
pub fn grant_lines(conn: &Connection, filter: &Filter, commune: Option<&str>) -> Result<Vec<GrantLine>> {
    grant_lines_of(conn, filter, commune, None)
}

/// As [`grant_lines`] of every commune, without descriptions (left empty): for the aging
/// report, which reads `movements`, the union's, first. Each grant's date comes from the
/// union's movement of its transaction (every allocation is one), else from the
/// transaction: its row, on a page of its own, is read once, not a second time here.
pub fn grant_lines_undescribed(
    conn: &Connection,
    filter: &Filter,
    movements: &[UnionMovement],
) -> Result<Vec<GrantLine>> {
    let mut dates: Vec<(i64, NaiveDate)> = movements.iter().map(|m| (m.txn, m.date)).collect();
    dates.sort_unstable();
    grant_lines_of(conn, filter, None, Some(&dates))
}

/// The columns of a grant line, the transaction's date and description second and third.
fn grants_sql(dated: bool) -> String {
    let (columns, transactions, period) = if dated {
        // The period is checked on the dates found; its parameters stay, always true here.
        ("NULL, ''", "", "?1 IS ?1 AND ?2 IS ?2")
    } else {
        (
            "t.date, t.description",
            "JOIN transactions t ON t.id = p.txn_id",
            "(?1 IS NULL OR t.date >= ?1) AND (?2 IS NULL OR t.date <= ?2)",
        )
    };
    format!(
        "SELECT p.txn_id, {columns}, c.slug, c.name, c.state, p.fund_id, p.currency, p.amount_minor,
                k.date, k.reference, p.line
         FROM communes c CROSS JOIN postings p ON p.account_id = c.account_id {transactions}
              LEFT JOIN confirmations k ON k.txn_id = p.txn_id
         WHERE {period} AND (?3 IS NULL OR c.slug = ?3)"
    )
}

/// [`grant_lines`], with the transactions' dates from `dates` (by transaction) where given.
fn grant_lines_of(
    conn: &Connection,
    filter: &Filter,
    commune: Option<&str>,
    dates: Option<&[(i64, NaiveDate)]>,
) -> Result<Vec<GrantLine>> {
    let via_union = transactions_posting_to(conn, UNION_ACCOUNT)?;
    let lookups = Lookups::read(conn)?;
    let mut stmt = conn.prepare(&grants_sql(dates.is_some()))?;
    let mut date_of = conn.prepare("SELECT date FROM transactions WHERE id = ?1")?;
    let mut rows = stmt.query(params![filter.from, filter.to, commune])?;
    let mut lines = Vec::new();
    while let Some(r) = rows.next()? {
        let fund = lookups.fund(r.get(6)?)?;
        if filter.fund.as_ref().is_some_and(|f| f != fund) {
            continue;
        }
        let txn: i64 = r.get(0)?;
        let date = match dates {
            None => date_at(r, 1)?,
            Some(dates) => match dates.binary_search_by_key(&txn, |(t, _)| *t) {
                Ok(at) => dates[at].1,
                Err(_) => stored_date(&date_of.query_row([txn], |d| d.get::<_, String>(0))?)?,
            },
        };
        if filter.from.is_some_and(|from| date < from) || filter.to.is_some_and(|to| date > to) {
            continue;
        }
        let reference: Option<String> = r.get(10)?;
        let line: i64 = r.get(11)?;
        lines.push((
            line,
            GrantLine {
                txn,
                date,
                description: r.get(2)?,
                commune: r.get(3)?,
                name: r.get(4)?,
                state: r.get(5)?,
                fund: fund.to_string(),
                amount: amount(r.get(8)?, text_at(r, 7)?)?,
                via_union: via_union.contains(txn),
                live: !lookups.not_live.contains(&txn),
                confirmed: r.get::<_, Option<String>>(9)?.map(|d| (d, reference)),
            },
        ));
    }
    Ok(in_date_order(lines, |g| (g.date, g.txn)))
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

/// As [`donor_totals`], of `donors` only when given. Summed here rather than by SQL's
/// `GROUP BY` over a subquery or three per posting: `verify` and `report donors` over a
/// period read every gift of a large ledger through it.
pub fn donor_totals_of(
    conn: &Connection,
    filter: &Filter,
    donors: Option<&[String]>,
) -> Result<Vec<DonorTotal>> {
    let mut totals = DonorTotals::default();
    for_each_gift(conn, filter, donors, |gift| totals.add(&gift))?;
    totals.finish()
}

/// One posting to `income:donations`, as [`for_each_gift`] reads it.
pub(crate) struct Gift<'r> {
    pub txn: i64,
    /// Neither voided nor a void: only live gifts count.
    pub live: bool,
    pub donor: Option<&'r str>,
    /// As stored: `YYYY-MM-DD`.
    pub date: &'r str,
    pub currency: &'r str,
    /// Negative for a credit: a gift.
    pub minor: i64,
    /// A refund returns a gift rather than being one: it nets a donor's total, and is not
    /// counted as a gift.
    pub refund: bool,
}

/// Every posting to `income:donations` in a period (only `donors`' when given), a
/// transaction's postings one after another, handed to `each` as it is read.
pub(crate) fn for_each_gift(
    conn: &Connection,
    filter: &Filter,
    donors: Option<&[String]>,
    mut each: impl FnMut(Gift<'_>) -> Result<()>,
) -> Result<()> {
    let lookups = Lookups::read(conn)?;
    let refunds: HashSet<i64> = conn
        .prepare("SELECT txn_id FROM refunds")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT t.id, t.counterparty, t.date, p.currency, p.amount_minor {} ORDER BY p.txn_id",
        gifts_in_period(donors.is_some())
    ))?;
    let mut rows = stmt.query(params![filter.from, filter.to, filter.fund, donors_json(donors)])?;
    while let Some(r) = rows.next()? {
        let txn: i64 = r.get(0)?;
        let text = |i: usize| -> Result<&str> {
            r.get_ref(i)?
                .as_str()
                .map_err(|e| Error::Corrupt(format!("a gift's column {i} is not text: {e}")))
        };
        let donor = match r.get_ref(1)? {
            rusqlite::types::ValueRef::Null => None,
            _ => Some(text(1)?),
        };
        each(Gift {
            txn,
            live: !lookups.not_live.contains(&txn),
            donor,
            date: text(2)?,
            currency: text(3)?,
            minor: r.get(4)?,
            refund: refunds.contains(&txn),
        })?;
    }
    Ok(())
}

/// Live gifts summed per donor and currency as they are read ([`donor_totals`]); gifts
/// without a donor, and those not live, are left out.
#[derive(Default)]
pub(crate) struct DonorTotals {
    /// Per donor, per currency: what the donor's live postings add up to.
    found: HashMap<String, Vec<(String, GiftsSummed)>>,
}

impl DonorTotals {
    pub(crate) fn add(&mut self, gift: &Gift<'_>) -> Result<()> {
        let Some(donor) = gift.donor.filter(|_| gift.live) else {
            return Ok(());
        };
        let code = gift.currency;
        let per_currency = match self.found.get_mut(donor) {
            Some(per_currency) => per_currency,
            None => self.found.entry(donor.to_string()).or_default(),
        };
        let at = match per_currency.iter().position(|(c, _)| c == code) {
            Some(at) => at,
            None => {
                per_currency.push((code.to_string(), GiftsSummed::default()));
                per_currency.len() - 1
            }
        };
        let counted = (!gift.refund).then_some(gift.txn);
        per_currency[at].1.add(counted, gift.date, gift.minor, code)
    }

    /// The totals, the largest first, then by name (bytes), then currency, as SQL ordered them.
    pub(crate) fn finish(self) -> Result<Vec<DonorTotal>> {
        let mut out = Vec::new();
        for (donor, per_currency) in self.found {
            for (code, summed) in per_currency {
                out.push(DonorTotal {
                    donor: donor.clone(),
                    count: summed.count,
                    total: Sum::from_minor(
                        summed.credits.checked_neg().ok_or_else(|| sum_overflow(&code))?,
                        currency(&code)?,
                    ),
                    first_date: summed.first.as_deref().map(stored_date).transpose()?,
                    last_date: summed.last.as_deref().map(stored_date).transpose()?,
                });
            }
        }
        out.sort_by(|a, b| {
            (b.total.minor(), &a.donor, a.total.currency().code()).cmp(&(
                a.total.minor(),
                &b.donor,
                b.total.currency().code(),
            ))
        });
        Ok(out)
    }
}

/// One donor's live postings to `income:donations` in one currency, as they are read.
#[derive(Default)]
struct GiftsSummed {
    /// The gifts (not refunds) counted, and the last one counted: a gift split across funds
    /// has several postings, read one after another.
    count: i64,
    last_gift: Option<i64>,
    /// The postings' sum: credits are negative.
    credits: i64,
    /// The first and last gift's dates (refunds' are not counted), as stored.
    first: Option<String>,
    last: Option<String>,
}

impl GiftsSummed {
    fn add(&mut self, gift: Option<i64>, date: &str, minor: i64, code: &str) -> Result<()> {
        self.credits = self
            .credits
            .checked_add(minor)
            .ok_or_else(|| sum_overflow(code))?;
        let Some(id) = gift else {
            return Ok(());
        };
        if self.last_gift != Some(id) {
            self.count += 1;
            self.last_gift = Some(id);
        }
        if self.first.as_deref().is_none_or(|first| date < first) {
            self.first = Some(date.to_string());
        }
        if self.last.as_deref().is_none_or(|last| date > last) {
            self.last = Some(date.to_string());
        }
        Ok(())
    }
}

fn sum_overflow(code: &str) -> Error {
    Error::Overflow {
        what: format!("a donor's gifts in {code}"),
    }
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
