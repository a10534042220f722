//! Each month's live gifts per currency and donor (`gift_month_donors`), and per month the
//! figures the disclosure rules read (`gift_months`): how many people gave, the total, the
//! largest one person's sum and the number of gifts. Kept so that the public page reads a
//! row per month rather than every gift (issue 17), and a month's donors only when it is
//! hidden. Donors are people, by [`donor_key`]; gifts without a donor are one donor (key
//! `''`), as they may all be one person's.
//!
//! Derived from the transactions alone, as `donor_totals` is: a write adds its gifts to
//! their donors' rows, takes out what a transaction it voids added and a refund's count as
//! a gift, and recomputes the figures of each month it changed at commit
//! ([`PendingGiftMonths`]); a rename or an erasure, which rewrite counterparties,
//! recomputes every row; `verify` recomputes both tables and compares ([`Expected`]).

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use rusqlite::{params, Connection};

use super::accountability::Gift;
use super::keyed::KeyedMap;
use super::read::{currency, Filter};
use crate::domain::names::DONATIONS;
use crate::domain::privacy::{donor_key, DonorIds, GiftGroup, Tally};
use crate::domain::{Currency, NewTransaction, Sum};
use crate::error::{Error, Result};

/// The most rows a write holds what it changes of before writing them out, and the most
/// donors' keys it keeps worked out: a long import stays within its memory.
const PENDING_ROWS_MAX: usize = 8_192;

/// A month as its gifts' stored dates begin: `YYYY-MM`.
type Month = [u8; 7];

fn month_of(date: &str) -> Result<Month> {
    date.as_bytes()
        .get(..7)
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| Error::Corrupt(format!("a gift is dated `{date}`, not YYYY-MM-DD")))
}

fn month_text(month: &Month) -> Result<&str> {
    std::str::from_utf8(month).map_err(|_| Error::Corrupt("a gift's month is not text".into()))
}

/// Texts numbered in the order they are first seen, each text held once.
#[derive(Default)]
struct Numbered {
    ids: HashMap<Rc<str>, u32>,
    texts: Vec<Rc<str>>,
}

impl Numbered {
    fn id(&mut self, text: &str) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        let text: Rc<str> = Rc::from(text);
        self.ids.insert(Rc::clone(&text), id);
        self.texts.push(text);
        id
    }

    fn text(&self, id: u32) -> &str {
        self.texts.get(id as usize).map_or("", |t| t)
    }
}

/// What gifts add to one donor's month in one currency.
#[derive(Clone, Copy, Default)]
struct Summed {
    gifts: i64,
    /// The postings' sum: credits are negative.
    credits: i64,
    /// The last gift counted: a gift split across funds has several postings.
    last_gift: Option<i64>,
}

/// Gifts grouped by currency, month and donor key: every live gift when recomputing, what a
/// write changes when recording.
#[derive(Default)]
struct Grouped {
    currencies: Numbered,
    keys: Numbered,
    /// Donors' names as recorded, to their keys' numbers: a key is worked out once a name.
    key_of_name: HashMap<String, u32>,
    groups: KeyedMap<(u32, Month, u32), Summed>,
}

/// One row of `gift_month_donors`: currency, month, donor key, gifts, total.
type Row<'a> = (&'a str, &'a str, &'a str, i64, i64);

/// One row of `gift_months`: currency, month, people giving, gifts, total, largest sum.
type Figures = (String, String, i64, i64, i64, i64);

impl Grouped {
    fn key(&mut self, donor: Option<&str>) -> u32 {
        let Some(name) = donor else {
            return self.keys.id("");
        };
        if let Some(id) = self.key_of_name.get(name) {
            return *id;
        }
        let id = self.keys.id(&donor_key(Some(name)));
        self.key_of_name.insert(name.to_string(), id);
        id
    }

    fn group(&mut self, code: &str, month: Month, donor: Option<&str>) -> &mut Summed {
        let at = (self.currencies.id(code), month, self.key(donor));
        self.groups.entry(at).or_default()
    }

    /// Adds one live posting read from the ledger.
    fn add(&mut self, gift: &Gift<'_>) -> Result<()> {
        if !gift.live {
            return Ok(());
        }
        let group = self.group(gift.currency, month_of(gift.date)?, gift.donor);
        group.credits = checked(group.credits, gift.minor, gift.currency)?;
        if !gift.refund && group.last_gift != Some(gift.txn) {
            group.gifts += 1;
            group.last_gift = Some(gift.txn);
        }
        Ok(())
    }

    /// The groups in the table's order (by currency, month and key as text), taken out.
    fn take_sorted(&mut self) -> Vec<((u32, Month, u32), Summed)> {
        let rank = |numbered: &Numbered| {
            let mut order: Vec<u32> = (0..numbered.texts.len() as u32).collect();
            order.sort_unstable_by_key(|&id| numbered.text(id));
            let mut rank = vec![0u32; order.len()];
            for (at, id) in order.into_iter().enumerate() {
                rank[id as usize] = at as u32;
            }
            rank
        };
        let (currencies, keys) = (rank(&self.currencies), rank(&self.keys));
        let mut groups: Vec<_> = self.groups.drain().collect();
        groups
            .sort_unstable_by_key(|((c, month, k), _)| (currencies[*c as usize], *month, keys[*k as usize]));
        groups
    }

    /// Forgets the names and keys seen once they are many: a long import of many donors.
    fn forget_names(&mut self) {
        if self.keys.texts.len() > PENDING_ROWS_MAX || self.key_of_name.len() > PENDING_ROWS_MAX {
            self.keys = Numbered::default();
            self.key_of_name.clear();
        }
    }
}

/// A group as its row, its currency and key by their numbers in `currencies` and `keys`.
fn row<'a>(
    currencies: &'a Numbered,
    keys: &'a Numbered,
    ((code, month, key), summed): &'a ((u32, Month, u32), Summed),
) -> Result<Row<'a>> {
    let code = currencies.text(*code);
    Ok((
        code,
        month_text(month)?,
        keys.text(*key),
        summed.gifts,
        summed.credits.checked_neg().ok_or_else(|| overflow(code))?,
    ))
}

fn checked(sum: i64, minor: i64, code: &str) -> Result<i64> {
    sum.checked_add(minor).ok_or_else(|| overflow(code))
}

fn overflow(code: &str) -> Error {
    Error::Overflow {
        what: format!("a month's gifts in {code}"),
    }
}

/// What a write changes in the months' gifts, written out at commit.
#[derive(Default)]
pub(super) struct PendingGiftMonths {
    changes: Grouped,
    /// The months whose figures are recomputed at commit, by currency.
    touched: BTreeSet<(u32, Month)>,
    /// Every row is recomputed: after a rename or an erasure.
    all: bool,
}

impl PendingGiftMonths {
    /// Notes what recording `txn` changes: a live gift adds to its donor's month; a void
    /// takes out what the transaction it voids added.
    pub(super) fn note(&mut self, conn: &Connection, txn: &NewTransaction) -> Result<()> {
        if self.all {
            return Ok(());
        }
        if let Some(voided) = txn.voids {
            return self.take_out(conn, voided);
        }
        let month = month_of(&super::hash::date_text(txn.date))?;
        for (code, credits) in super::donor_totals::donation_credits(txn)? {
            self.change(conn, code, month, txn.counterparty.as_deref(), 1, -credits)?;
        }
        Ok(())
    }

    /// Transaction `voided` is no longer live: what it added to its donor's month goes.
    fn take_out(&mut self, conn: &Connection, voided: i64) -> Result<()> {
        // Only a transaction that was live until this void: no void is, nor one voided before.
        let mut stmt = conn.prepare_cached(
            "SELECT t.date, t.counterparty, EXISTS (SELECT 1 FROM refunds r WHERE r.txn_id = t.id),
                    p.currency, SUM(p.amount_minor)
             FROM transactions t JOIN postings p ON p.txn_id = t.id JOIN accounts a ON a.id = p.account_id
             WHERE t.id = ?1 AND a.name = ?2 AND t.voids IS NULL
               AND (SELECT count(*) FROM transactions v WHERE v.voids = t.id) = 1
             GROUP BY p.currency",
        )?;
        let taken: Vec<(String, Option<String>, bool, String, i64)> = stmt
            .query_map(params![voided, DONATIONS], |r| r.try_into())?
            .collect::<rusqlite::Result<_>>()?;
        for (date, donor, refund, code, minor) in taken {
            let gifts = if refund { 0 } else { -1 };
            self.change(conn, &code, month_of(&date)?, donor.as_deref(), gifts, -minor)?;
        }
        Ok(())
    }

    /// Live transaction `refund` returns a gift rather than being one: it was counted as a
    /// gift when recorded, and is not.
    pub(super) fn note_refund(&mut self, conn: &Connection, refund: i64) -> Result<()> {
        if self.all {
            return Ok(());
        }
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT t.date, t.counterparty, p.currency
             FROM transactions t JOIN postings p ON p.txn_id = t.id JOIN accounts a ON a.id = p.account_id
             WHERE t.id = ?1 AND a.name = ?2
               AND t.voids IS NULL AND NOT EXISTS (SELECT 1 FROM transactions v WHERE v.voids = t.id)",
        )?;
        let counted: Vec<(String, Option<String>, String)> = stmt
            .query_map(params![refund, DONATIONS], |r| r.try_into())?
            .collect::<rusqlite::Result<_>>()?;
        for (date, donor, code) in counted {
            self.change(conn, &code, month_of(&date)?, donor.as_deref(), -1, 0)?;
        }
        Ok(())
    }

    /// Changes one donor's month by `gifts` and `credits`, writing out what is held first
    /// when it is full.
    fn change(
        &mut self,
        conn: &Connection,
        code: &str,
        month: Month,
        donor: Option<&str>,
        gifts: i64,
        credits: i64,
    ) -> Result<()> {
        if self.changes.groups.len() >= PENDING_ROWS_MAX {
            self.write_changes(conn)?;
        }
        let group = self.changes.group(code, month, donor);
        group.gifts += gifts;
        group.credits = checked(group.credits, credits, code)?;
        Ok(())
    }

    /// Every row is recomputed at commit: counterparties were rewritten.
    pub(super) fn touch_all(&mut self) {
        self.all = true;
        self.changes = Grouped::default();
        self.touched.clear();
    }

    fn write_changes(&mut self, conn: &Connection) -> Result<()> {
        let mut add = conn.prepare_cached(
            "INSERT INTO gift_month_donors (currency, month, donor_key, gift_count, total_minor)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (currency, month, donor_key) DO UPDATE
                 SET gift_count = gift_count + excluded.gift_count,
                     total_minor = total_minor + excluded.total_minor",
        )?;
        // Written as held, not sorted first: a sorted copy would double what is held.
        let Grouped {
            currencies,
            keys,
            groups,
            ..
        } = &mut self.changes;
        for group in groups.drain() {
            let (code, month, key, gifts, total_minor) = row(currencies, keys, &group)?;
            add.execute(params![code, month, key, gifts, total_minor])
                .map_err(super::kept_total_error(
                    "the months' gifts kept for the public page",
                ))?;
            self.touched.insert((group.0 .0, group.0 .1));
        }
        self.changes.forget_names();
        Ok(())
    }

    /// Writes out what this write changed, and each changed month's figures; starts again
    /// from nothing.
    pub(super) fn flush(&mut self, conn: &Connection) -> Result<()> {
        if std::mem::take(&mut self.all) {
            return rebuild(conn);
        }
        self.write_changes(conn)?;
        let mut clear = conn.prepare_cached(
            "DELETE FROM gift_month_donors
             WHERE currency = ?1 AND month = ?2 AND gift_count = 0 AND total_minor = 0",
        )?;
        for (code, month) in std::mem::take(&mut self.touched) {
            let (code, month) = (self.changes.currencies.text(code), month_text(&month)?);
            clear.execute(params![code, month])?;
            refigure(conn, Some((code, month)))?;
        }
        Ok(())
    }
}

/// Recomputes `gift_months` from `gift_month_donors`: one month's row (through the key),
/// or every row.
fn refigure(conn: &Connection, month: Option<(&str, &str)>) -> Result<()> {
    const FIGURES: &str =
        "INSERT INTO gift_months (currency, month, giving, gift_count, total_minor, largest_minor)
         SELECT currency, month, count(*) FILTER (WHERE total_minor > 0), sum(gift_count),
                sum(total_minor), max(total_minor)
         FROM gift_month_donors";
    match month {
        Some((code, month)) => {
            conn.prepare_cached("DELETE FROM gift_months WHERE currency = ?1 AND month = ?2")?
                .execute(params![code, month])?;
            conn.prepare_cached(&format!(
                "{FIGURES} WHERE currency = ?1 AND month = ?2 GROUP BY currency, month"
            ))?
            .execute(params![code, month])?;
        }
        None => {
            conn.execute("DELETE FROM gift_months", [])?;
            conn.execute(&format!("{FIGURES} GROUP BY currency, month"), [])?;
        }
    }
    Ok(())
}

/// Fills both tables afresh from the transactions: after migrating an older ledger, and
/// when a write rewrote counterparties.
pub(super) fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM gift_month_donors", [])?;
    let mut expected = Expected::default();
    super::accountability::for_each_gift(conn, &Filter::default(), None, |gift| expected.add(&gift))?;
    let mut insert = conn.prepare(
        "INSERT INTO gift_month_donors (currency, month, donor_key, gift_count, total_minor)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let groups = expected.sorted();
    for group in &groups {
        let (code, month, key, gifts, total_minor) = expected.row(group)?;
        insert.execute(params![code, month, key, gifts, total_minor])?;
    }
    refigure(conn, None)
}

/// Both tables as the gifts make them, recomputed for `verify` from every live gift.
#[derive(Default)]
pub(crate) struct Expected(Grouped);

/// A row of `gift_month_donors` as read, owned.
type StoredRow = (String, String, String, i64, i64);

impl Expected {
    pub(crate) fn add(&mut self, gift: &Gift<'_>) -> Result<()> {
        self.0.add(gift)
    }

    /// The groups with something in them, in the table's order.
    fn sorted(&mut self) -> Vec<((u32, Month, u32), Summed)> {
        let mut groups = self.0.take_sorted();
        groups.retain(|(_, s)| s.gifts != 0 || s.credits != 0);
        groups
    }

    fn row<'a>(&'a self, group: &'a ((u32, Month, u32), Summed)) -> Result<Row<'a>> {
        row(&self.0.currencies, &self.0.keys, group)
    }

    /// What differs between the two tables kept and the gifts. Counted, not named:
    /// `verify`'s output goes into audit packs.
    pub(crate) fn problems(mut self, conn: &Connection) -> Result<Vec<String>> {
        let groups = self.sorted();
        let expected = || groups.iter().map(|group| self.row(group));
        let mut figures: Vec<Figures> = Vec::new();
        for row in expected() {
            add_to_figures(&mut figures, &row?)?;
        }
        let mut stmt = conn.prepare(
            "SELECT currency, month, donor_key, gift_count, total_minor FROM gift_month_donors
             ORDER BY currency, month, donor_key",
        )?;
        // Compared row by row as read; counted, which copies every row, only when one differs.
        let rows_differing = if stored_as(&mut stmt, expected())? {
            0
        } else {
            let owned = |(c, m, k, g, t): Row<'_>| (c.to_string(), m.to_string(), k.to_string(), g, t);
            let stored = stmt
                .query_map([], |r| r.try_into())?
                .map(|r| r.map_err(Error::from));
            differing(
                expected().map(|r| r.map(owned)),
                stored,
                |x: &StoredRow, y: &StoredRow| (&x.0, &x.1, &x.2).cmp(&(&y.0, &y.1, &y.2)),
            )?
        };
        let mut stmt = conn.prepare(
            "SELECT currency, month, giving, gift_count, total_minor, largest_minor FROM gift_months
             ORDER BY currency, month",
        )?;
        let stored = stmt
            .query_map([], |r| r.try_into())?
            .map(|r| r.map_err(Error::from));
        let months_differing = differing(figures.into_iter().map(Ok), stored, |x: &Figures, y: &Figures| {
            (&x.0, &x.1).cmp(&(&y.0, &y.1))
        })?;
        let mut out = Vec::new();
        for (differing, what) in [(rows_differing, "gifts per donor"), (months_differing, "figures")] {
            if differing > 0 {
                out.push(format!(
                    "the months' {what} kept for the public page hold {differing} row(s) that differ from the gifts (changed outside fondo)"
                ));
            }
        }
        Ok(out)
    }
}

/// Whether the rows `stmt` reads are `expected`, one for one.
fn stored_as<'a>(
    stmt: &mut rusqlite::Statement<'_>,
    expected: impl Iterator<Item = Result<Row<'a>>>,
) -> Result<bool> {
    let mut rows = stmt.query([])?;
    for row in expected {
        let (code, month, key, gifts, total) = row?;
        let Some(r) = rows.next()? else {
            return Ok(false);
        };
        let text = |i: usize| -> Result<Option<&str>> { Ok(r.get_ref(i)?.as_str().ok()) };
        let same = text(0)? == Some(code)
            && text(1)? == Some(month)
            && text(2)? == Some(key)
            && r.get::<_, i64>(3)? == gifts
            && r.get::<_, i64>(4)? == total;
        if !same {
            return Ok(false);
        }
    }
    Ok(rows.next()?.is_none())
}

/// How many rows differ between two lists in the order of their keys (`by_key` orders two
/// rows): a row in one only, or under the same key in both with other figures.
fn differing<T: PartialEq>(
    mut a: impl Iterator<Item = Result<T>>,
    mut b: impl Iterator<Item = Result<T>>,
    by_key: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Result<usize> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let mut count = 0;
    let (mut x, mut y) = (a.next().transpose()?, b.next().transpose()?);
    loop {
        let order = match (&x, &y) {
            (None, None) => return Ok(count),
            (Some(x), Some(y)) => by_key(x, y),
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
        };
        if order != Equal || x != y {
            count += 1;
        }
        if order != Greater {
            x = a.next().transpose()?;
        }
        if order != Less {
            y = b.next().transpose()?;
        }
    }
}

/// Adds a donor's row to its month's figures; the rows come in the table's order.
fn add_to_figures(figures: &mut Vec<Figures>, (code, month, _, gifts, total): &Row<'_>) -> Result<()> {
    if !figures.last().is_some_and(|m| m.0 == *code && m.1 == *month) {
        figures.push((code.to_string(), month.to_string(), 0, 0, 0, *total));
    }
    if let Some(m) = figures.last_mut() {
        m.2 += i64::from(*total > 0);
        m.3 += gifts;
        m.4 = checked(m.4, *total, code)?;
        m.5 = m.5.max(*total);
    }
    Ok(())
}

/// The months a period of whole months covers, from and to (`YYYY-MM`); every month for
/// an open end.
fn months_of(filter: &Filter) -> (String, String) {
    let month = |d: Option<chrono::NaiveDate>, open: &str| {
        d.map_or_else(
            || open.to_string(),
            |d| super::hash::date_text(d)[..7].to_string(),
        )
    };
    (month(filter.from, "0000-01"), month(filter.to, "9999-12"))
}

/// Each currency's gifts in a period of whole months taken together, each person's sum
/// apart (gifts not counted): read from the kept months in the period, or, for a period of
/// most months, from the donors' whole totals less the months outside it.
pub fn scopes(conn: &Connection, filter: &Filter) -> Result<Vec<GiftGroup>> {
    let (from, to) = months_of(filter);
    let currencies: Vec<(String, i64, i64)> = conn
        .prepare(
            "SELECT currency, sum(month >= ?1 AND month <= ?2), count(*) FROM gift_months
             GROUP BY currency ORDER BY currency",
        )?
        .query_map(params![from, to], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    let mut ids = DonorIds::default();
    let mut scopes = Vec::new();
    for (code, inside, months) in currencies {
        let mut scope = GiftGroup::new("scope", currency(&code)?);
        if inside * 2 <= months {
            let mut stmt = conn.prepare_cached(
                "SELECT donor_key, 0, total_minor FROM gift_month_donors
                 WHERE currency = ?1 AND month >= ?2 AND month <= ?3",
            )?;
            add_donor_rows(&mut scope, stmt.query(params![code, from, to])?, 1, &mut ids)?;
        } else {
            add_whole_totals(conn, &mut scope, &mut ids)?;
            // Before and after, each a range of the key (one condition with OR reads them all).
            let mut stmt = conn.prepare_cached(
                "SELECT donor_key, 0, total_minor FROM gift_month_donors
                 WHERE currency = ?1 AND month < ?2
                 UNION ALL
                 SELECT donor_key, 0, total_minor FROM gift_month_donors
                 WHERE currency = ?1 AND month > ?3",
            )?;
            add_donor_rows(&mut scope, stmt.query(params![code, from, to])?, -1, &mut ids)?;
        }
        if !scope.donors.is_empty() {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

/// Adds every person's whole total in the group's currency: each donor's (by their key) and
/// the gifts without a donor's.
fn add_whole_totals(conn: &Connection, scope: &mut GiftGroup, ids: &mut DonorIds) -> Result<()> {
    let code = scope.currency.code();
    let mut stmt = conn.prepare_cached("SELECT donor, total_minor FROM donor_totals WHERE currency = ?1")?;
    let mut rows = stmt.query([code])?;
    while let Some(r) = rows.next()? {
        let name: String = r.get(0)?;
        let id = ids.id_of_key(&donor_key(Some(&name)));
        scope.add(id, Sum::from_minor(r.get(1)?, scope.currency), 0)?;
    }
    let mut stmt = conn.prepare_cached("SELECT total_minor FROM unnamed_gift_totals WHERE currency = ?1")?;
    let mut rows = stmt.query([code])?;
    while let Some(r) = rows.next()? {
        scope.add(ids.id_of_key(""), Sum::from_minor(r.get(0)?, scope.currency), 0)?;
    }
    Ok(())
}

/// Adds rows of `gift_month_donors` (key, gifts, total) to `group`, each times `sign`.
fn add_donor_rows(
    group: &mut GiftGroup,
    mut rows: rusqlite::Rows<'_>,
    sign: i64,
    ids: &mut DonorIds,
) -> Result<()> {
    while let Some(r) = rows.next()? {
        let key = r
            .get_ref(0)?
            .as_str()
            .map_err(|e| Error::Corrupt(format!("a donor key is not text: {e}")))?;
        let (gifts, total): (i64, i64) = (r.get(1)?, r.get(2)?);
        let total = total
            .checked_mul(sign)
            .ok_or_else(|| overflow(group.currency.code()))?;
        group.add(
            ids.id_of_key(key),
            Sum::from_minor(total, group.currency),
            gifts * sign,
        )?;
    }
    Ok(())
}

/// Each month's figures in a period (whole months), per currency in month order.
pub fn tallies(conn: &Connection, filter: &Filter) -> Result<Vec<Tally>> {
    let mut stmt = conn.prepare(
        "SELECT currency, month, giving, gift_count, total_minor, largest_minor FROM gift_months
         WHERE month >= ?1 AND month <= ?2 ORDER BY currency, month",
    )?;
    let (from, to) = months_of(filter);
    let mut rows = stmt.query(params![from, to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let code = currency(&r.get::<_, String>(0)?)?;
        out.push(Tally {
            label: r.get(1)?,
            currency: code,
            giving: r.get(2)?,
            gifts: r.get(3)?,
            total: Sum::from_minor(r.get(4)?, code),
            largest_minor: r.get(5)?,
        });
    }
    Ok(out)
}

/// One month's gifts in `currency`, each donor's sum apart, numbered by `ids`.
pub fn month_donors(
    conn: &Connection,
    currency: Currency,
    month: &str,
    ids: &mut DonorIds,
) -> Result<GiftGroup> {
    let mut group = GiftGroup::new(month, currency);
    let mut stmt = conn.prepare_cached(
        "SELECT donor_key, gift_count, total_minor FROM gift_month_donors WHERE currency = ?1 AND month = ?2",
    )?;
    add_donor_rows(&mut group, stmt.query(params![currency.code(), month])?, 1, ids)?;
    Ok(group)
}
