//! Each donor's live gifts per currency (`donor_totals`) and the live gifts without a donor
//! (`unnamed_gift_totals`), kept so that `report donors` reads one row per donor rather
//! than every gift (issue 17). Derived from the transactions alone, as `donor_names` is: a
//! write adds its gifts to their donors' rows at commit, and recomputes from their gifts,
//! through the index by counterparty, the rows of donors whose gift it voided or refunded
//! ([`PendingDonorTotals`]); a rename or an
//! erasure, which rewrite counterparties, recomputes every row; `verify` recomputes both
//! tables and compares ([`problems`]). Rows are keyed by the name as recorded, as in
//! `donor_names`: an erasure's recomputation deletes the forgotten name's rows with it.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use super::accountability::{self, DonorTotal};
use super::read::{currency, stored_date, Filter};
use crate::domain::names::DONATIONS;
use crate::domain::{Currency, NewTransaction, Sum};
use crate::error::{Error, Result};

/// The most donors a write holds the gifts of, or recomputes one by one: past it, the gifts
/// are written out, or every row is recomputed once.
const PENDING_DONORS_MAX: usize = 50_000;

/// What a write's gifts add to one donor's row in one currency.
struct Added {
    count: i64,
    total_minor: i64,
    first: NaiveDate,
    last: NaiveDate,
}

/// What a write changes in the donors' totals, written out at commit: a gift adds to its
/// donor's row, as the per-account totals are added to; a void or a refund, after which
/// the first and last gift or the count may be another's, has its donor's rows recomputed.
#[derive(Default)]
pub(super) struct PendingDonorTotals {
    /// What this write's live gifts add, per donor and currency (a donor gives in one or
    /// two: a list costs less than a key per currency).
    added: HashMap<String, Vec<(&'static str, Added)>>,
    /// The donors whose rows are recomputed: a gift (or a refund) of theirs was voided, or
    /// a refund recorded.
    recomputed: HashSet<String>,
    /// Every row is recomputed: after a rename or an erasure, or past [`PENDING_DONORS_MAX`].
    all: bool,
    /// What this write adds to the live gifts without a donor, per currency.
    unnamed: HashMap<&'static str, i64>,
}

impl PendingDonorTotals {
    /// Notes what recording `txn` changes: what a gift adds to its donor's rows, or (without
    /// one) to the unnamed gifts' sum; a void also takes the transaction it voids out.
    pub(super) fn note(&mut self, conn: &Connection, txn: &NewTransaction) -> Result<()> {
        let credits = donation_credits(txn)?;
        match (&txn.counterparty, txn.voids) {
            (Some(donor), None) => self.add_gift(conn, donor, txn.date, &credits)?,
            (None, None) => {
                for (code, minor) in credits {
                    self.add_unnamed(code, minor)?;
                }
            }
            (_, Some(voided)) => self.note_voided(conn, voided)?,
        }
        Ok(())
    }

    fn add_gift(
        &mut self,
        conn: &Connection,
        donor: &str,
        date: NaiveDate,
        credits: &[(&'static str, i64)],
    ) -> Result<()> {
        if self.all || credits.is_empty() {
            return Ok(());
        }
        if self.added.len() >= PENDING_DONORS_MAX {
            self.write_added(conn)?;
        }
        // Looked up by the name first: a donor who gave before in this write costs no copy.
        let per_currency = match self.added.get_mut(donor) {
            Some(found) => found,
            None => self.added.entry(donor.to_string()).or_default(),
        };
        for &(code, minor) in credits {
            let at = match per_currency.iter().position(|(c, _)| *c == code) {
                Some(at) => at,
                None => {
                    let nothing = Added {
                        count: 0,
                        total_minor: 0,
                        first: date,
                        last: date,
                    };
                    per_currency.push((code, nothing));
                    per_currency.len() - 1
                }
            };
            let added = &mut per_currency[at].1;
            added.count += 1;
            added.total_minor = checked(added.total_minor, minor, code)?;
            added.first = added.first.min(date);
            added.last = added.last.max(date);
        }
        Ok(())
    }

    /// A voided transaction is no longer live: its donor's rows are recomputed, or its
    /// credits to `income:donations` leave the unnamed gifts' sum.
    fn note_voided(&mut self, conn: &Connection, voided: i64) -> Result<()> {
        let counterparty: Option<Option<String>> = conn
            .prepare_cached("SELECT counterparty FROM transactions WHERE id = ?1")?
            .query_row([voided], |r| r.get(0))
            .optional()?;
        match counterparty.flatten() {
            Some(donor) => self.recompute(&donor),
            None => {
                let mut credits = conn.prepare_cached(
                    "SELECT p.currency, p.amount_minor FROM postings p JOIN accounts a ON a.id = p.account_id
                     WHERE p.txn_id = ?1 AND a.name = ?2",
                )?;
                let mut rows = credits.query(params![voided, DONATIONS])?;
                while let Some(r) = rows.next()? {
                    let code = currency(&r.get::<_, String>(0)?)?.code();
                    self.add_unnamed(code, r.get(1)?)?;
                }
            }
        }
        Ok(())
    }

    /// Transaction `refund` returns a gift: it is no gift of its own, so its donor's rows
    /// are recomputed rather than added to.
    pub(super) fn note_refund(&mut self, conn: &Connection, refund: i64) -> Result<()> {
        let counterparty: Option<Option<String>> = conn
            .prepare_cached("SELECT counterparty FROM transactions WHERE id = ?1")?
            .query_row([refund], |r| r.get(0))
            .optional()?;
        if let Some(donor) = counterparty.flatten() {
            self.recompute(&donor);
        }
        Ok(())
    }

    fn recompute(&mut self, donor: &str) {
        if self.all || self.recomputed.contains(donor) {
            return;
        }
        if self.recomputed.len() >= PENDING_DONORS_MAX {
            self.touch_all();
        } else {
            self.recomputed.insert(donor.to_string());
        }
    }

    /// Every donor's rows are recomputed at commit: counterparties were rewritten.
    pub(super) fn touch_all(&mut self) {
        self.all = true;
        self.added.clear();
        self.recomputed.clear();
    }

    fn add_unnamed(&mut self, code: &'static str, minor: i64) -> Result<()> {
        let sum = self.unnamed.entry(code).or_default();
        *sum = checked(*sum, minor, code)?;
        Ok(())
    }

    /// Adds the gifts held to their donors' rows (but those recomputed at commit anyway).
    fn write_added(&mut self, conn: &Connection) -> Result<()> {
        let mut add = conn.prepare_cached(
            "INSERT INTO donor_totals (donor, currency, gift_count, total_minor, first_date, last_date)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (donor, currency) DO UPDATE
                 SET gift_count = gift_count + excluded.gift_count,
                     total_minor = total_minor + excluded.total_minor,
                     first_date = min(coalesce(first_date, ?5), ?5),
                     last_date = max(coalesce(last_date, ?6), ?6)",
        )?;
        for (donor, per_currency) in self.added.drain() {
            if self.recomputed.contains(&donor) {
                continue;
            }
            for (code, added) in per_currency {
                let (first, last) = (added.first.to_string(), added.last.to_string());
                add.execute(params![donor, code, added.count, added.total_minor, first, last])
                    .map_err(super::kept_total_error(
                        "the donors' totals kept for `report donors`",
                    ))?;
            }
        }
        Ok(())
    }

    /// Writes out what this write changed: the gifts added, the rows recomputed, the
    /// unnamed gifts' sums; starts again from nothing.
    pub(super) fn flush(&mut self, conn: &Connection) -> Result<()> {
        if self.all {
            rebuild(conn)?;
            self.all = false;
            self.unnamed.clear();
            return Ok(());
        }
        self.write_added(conn)?;
        if !self.recomputed.is_empty() {
            let donors: Vec<String> = self.recomputed.drain().collect();
            let mut delete = conn.prepare_cached("DELETE FROM donor_totals WHERE donor = ?1")?;
            for donor in &donors {
                delete.execute([donor])?;
            }
            insert(
                conn,
                &accountability::donor_totals_of(conn, &Filter::default(), Some(&donors))?,
            )?;
        }
        let mut add = conn.prepare_cached(
            "INSERT INTO unnamed_gift_totals (currency, total_minor) VALUES (?1, ?2)
             ON CONFLICT (currency) DO UPDATE SET total_minor = total_minor + excluded.total_minor",
        )?;
        for (code, minor) in self.unnamed.drain() {
            add.execute(params![code, minor])
                .map_err(super::kept_total_error(
                    "the gifts without a donor kept for `report donors`",
                ))?;
        }
        Ok(())
    }
}

/// Per currency, what `txn` credits to `income:donations` (a currency it posts to there
/// at all is listed, even when its postings there add up to nothing).
pub(super) fn donation_credits(txn: &NewTransaction) -> Result<Vec<(&'static str, i64)>> {
    let mut credits: Vec<(&'static str, i64)> = Vec::new();
    for p in txn.postings.iter().filter(|p| p.account == DONATIONS) {
        let code = p.amount.currency().code();
        match credits.iter_mut().find(|(c, _)| *c == code) {
            Some((_, sum)) => *sum = checked(*sum, -p.amount.minor(), code)?,
            None => credits.push((code, -p.amount.minor())),
        }
    }
    Ok(credits)
}

fn checked(sum: i64, minor: i64, code: &str) -> Result<i64> {
    sum.checked_add(minor).ok_or_else(|| Error::Overflow {
        what: format!("the donors' totals in {code}"),
    })
}

/// Fills both tables afresh from the transactions: after migrating an older ledger, and
/// when a write rewrote counterparties.
pub(super) fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM donor_totals", [])?;
    conn.execute("DELETE FROM unnamed_gift_totals", [])?;
    insert(conn, &accountability::donor_totals(conn, &Filter::default())?)?;
    let mut add = conn.prepare("INSERT INTO unnamed_gift_totals (currency, total_minor) VALUES (?1, ?2)")?;
    for (code, _, unnamed, _) in accountability::donation_sums(conn, &Filter::default())? {
        add.execute(params![code.code(), unnamed])?;
    }
    Ok(())
}

fn insert(conn: &Connection, rows: &[DonorTotal]) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO donor_totals (donor, currency, gift_count, total_minor, first_date, last_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for row in rows {
        insert.execute(params![
            row.donor,
            row.total.currency().code(),
            row.count,
            row.total.minor(),
            row.first_date.map(|d| d.to_string()),
            row.last_date.map(|d| d.to_string())
        ])?;
    }
    Ok(())
}

/// Every donor's live gifts per currency, as [`accountability::donor_totals`] gives them
/// for the whole ledger: the largest total first, then by name.
pub fn read(conn: &Connection) -> Result<Vec<DonorTotal>> {
    let mut stmt = conn.prepare(
        "SELECT donor, currency, gift_count, total_minor, first_date, last_date FROM donor_totals
         ORDER BY total_minor DESC, donor, currency",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let date = |i: usize| -> Result<_> {
            r.get::<_, Option<String>>(i)?
                .as_deref()
                .map(stored_date)
                .transpose()
        };
        out.push(DonorTotal {
            donor: r.get(0)?,
            total: Sum::from_minor(r.get(3)?, currency(&r.get::<_, String>(1)?)?),
            count: r.get(2)?,
            first_date: date(4)?,
            last_date: date(5)?,
        });
    }
    Ok(out)
}

/// The live gifts without a donor, per currency (a currency absent has none).
pub fn unnamed(conn: &Connection) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare("SELECT currency, total_minor FROM unnamed_gift_totals")?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The live gifts without a donor per currency, summed as every gift is read: each
/// currency any gift was in, with zero where none of them is live and without a donor.
#[derive(Default)]
pub(crate) struct UnnamedSums(BTreeMap<String, i64>);

impl UnnamedSums {
    pub(crate) fn add(&mut self, gift: &accountability::Gift<'_>) -> Result<()> {
        let code = gift.currency;
        let sum = match self.0.get_mut(code) {
            Some(sum) => sum,
            None => self.0.entry(code.to_string()).or_default(),
        };
        if gift.live && gift.donor.is_none() {
            *sum = checked(*sum, -gift.minor, code)?;
        }
        Ok(())
    }
}

/// What differs between the two tables and the gifts they are derived from, `recomputed`
/// from them ([`accountability::donor_totals`] of the whole ledger, and the unnamed gifts).
/// Counted, not named: `verify`'s output goes into audit packs.
pub(crate) fn problems(
    conn: &Connection,
    recomputed: Vec<DonorTotal>,
    unnamed_recomputed: UnnamedSums,
) -> Result<Vec<String>> {
    let key = |t: &DonorTotal| (t.donor.clone(), t.total.currency().code());
    let mut recomputed: HashMap<_, _> = recomputed.into_iter().map(|t| (key(&t), t)).collect();
    let mut differing = 0;
    for stored in read(conn)? {
        if recomputed.remove(&key(&stored)).as_ref() != Some(&stored) {
            differing += 1;
        }
    }
    differing += recomputed.len();
    let mut out = Vec::new();
    if differing > 0 {
        out.push(format!(
            "the donors' totals kept for `report donors` hold {differing} row(s) that differ from the donors' gifts (changed outside fondo)"
        ));
    }
    let mut stored = unnamed(conn)?;
    for (code, actual) in unnamed_recomputed.0 {
        let kept = stored.remove(&code).unwrap_or(0);
        if kept != actual {
            out.push(format!(
                "the total of gifts without a donor kept in {code} is {kept} minor units, but those gifts add up to {actual} (changed outside fondo)"
            ));
        }
    }
    // A row for a currency no gift is in was never written by fondo, whatever it holds (a
    // zero shows a currency's tie-out in `report donors`); listed in the currencies' order.
    let mut foreign: Vec<_> = stored.into_iter().collect();
    foreign.sort();
    for (code, kept) in foreign {
        out.push(format!(
            "the total of gifts without a donor kept in {code} is {kept} minor units, but no gift is in {code} (changed outside fondo)"
        ));
    }
    Ok(out)
}

/// [`accountability::donation_sums`] of the whole ledger, from the kept totals: the donors'
/// rows, the unnamed gifts' sums, and the few transactions that were voided or are voids.
pub fn donation_sums(conn: &Connection, rows: &[DonorTotal]) -> Result<Vec<(Currency, i64, i64, i64)>> {
    let mut sums: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    let mut currencies = conn.prepare(
        "SELECT DISTINCT b.currency FROM accounts a CROSS JOIN balances b ON b.account_id = a.id WHERE a.name = ?1",
    )?;
    for code in currencies.query_map([DONATIONS], |r| r.get::<_, String>(0))? {
        sums.insert(code?, (0, 0, 0));
    }
    let overflow = || Error::Overflow {
        what: "the donors' totals".into(),
    };
    for row in rows {
        let sum = sums.entry(row.total.currency().code().to_string()).or_default();
        sum.0 = sum.0.checked_add(row.total.minor()).ok_or_else(overflow)?;
    }
    for (code, minor) in unnamed(conn)? {
        sums.entry(code).or_default().1 = minor;
    }
    let mut not_live = conn.prepare(
        "SELECT p.currency, -SUM(p.amount_minor)
         FROM transactions t CROSS JOIN postings p ON p.txn_id = t.id JOIN accounts a ON a.id = p.account_id
         WHERE a.name = ?1 AND t.id IN (SELECT id FROM transactions WHERE voids IS NOT NULL
                                        UNION SELECT voids FROM transactions WHERE voids IS NOT NULL)
         GROUP BY p.currency",
    )?;
    let mut rows = not_live.query([DONATIONS])?;
    while let Some(r) = rows.next()? {
        sums.entry(r.get(0)?).or_default().2 = r.get(1)?;
    }
    sums.into_iter()
        .map(|(code, (named, unnamed, not_live))| Ok((currency(&code)?, named, unnamed, not_live)))
        .collect()
}
