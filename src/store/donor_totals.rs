//! Each donor's live gifts per currency (`donor_totals`) and the live gifts without a donor
//! (`unnamed_gift_totals`), kept so that `report donors` reads one row per donor rather
//! than every gift (issue 17). Derived from the transactions alone, as `donor_names` is: a
//! write notes the donors its transactions touch and recomputes their rows at commit from
//! their gifts, through the index by counterparty ([`PendingDonorTotals`]); a rename or an
//! erasure, which rewrite counterparties, recomputes every row; `verify` recomputes both
//! tables and compares ([`problems`]). Rows are keyed by the name as recorded, as in
//! `donor_names`: an erasure's recomputation deletes the forgotten name's rows with it.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension};

use super::accountability::{self, DonorTotal};
use super::read::{currency, stored_date, Filter};
use crate::domain::names::DONATIONS;
use crate::domain::{Currency, NewTransaction, Sum};
use crate::error::{Error, Result};

/// The most donors a write recomputes one by one; past it, it recomputes every row once.
const TOUCHED_DONORS_MAX: usize = 50_000;

/// What a write changes in the donors' totals, written out at commit.
#[derive(Default)]
pub(super) struct PendingDonorTotals {
    /// The donors whose gifts (or whose gifts' voids) this write recorded.
    touched: HashSet<String>,
    /// Every row is recomputed: after a rename or an erasure, or past [`TOUCHED_DONORS_MAX`].
    all: bool,
    /// What this write adds to the live gifts without a donor, per currency.
    unnamed: HashMap<&'static str, i64>,
}

impl PendingDonorTotals {
    /// Notes what recording `txn` changes: its donor's rows, or (without one) the unnamed
    /// gifts' sum; a void also takes the transaction it voids out of them.
    pub(super) fn note(&mut self, conn: &Connection, txn: &NewTransaction) -> Result<()> {
        let gift = txn.postings.iter().any(|p| p.account == DONATIONS);
        match (&txn.counterparty, txn.voids) {
            (Some(donor), _) if gift => self.touch(donor),
            (None, None) if gift => {
                for p in txn.postings.iter().filter(|p| p.account == DONATIONS) {
                    self.add_unnamed(p.amount.currency().code(), -p.amount.minor())?;
                }
            }
            _ => {}
        }
        match txn.voids {
            Some(voided) => self.note_voided(conn, voided),
            None => Ok(()),
        }
    }

    /// A voided transaction is no longer live: its donor's rows are recomputed, or its
    /// credits to `income:donations` leave the unnamed gifts' sum.
    fn note_voided(&mut self, conn: &Connection, voided: i64) -> Result<()> {
        let counterparty: Option<Option<String>> = conn
            .prepare_cached("SELECT counterparty FROM transactions WHERE id = ?1")?
            .query_row([voided], |r| r.get(0))
            .optional()?;
        match counterparty.flatten() {
            Some(donor) => self.touch(&donor),
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

    fn touch(&mut self, donor: &str) {
        if self.all || self.touched.contains(donor) {
            return;
        }
        if self.touched.len() >= TOUCHED_DONORS_MAX {
            self.touch_all();
        } else {
            self.touched.insert(donor.to_string());
        }
    }

    /// Every donor's rows are recomputed at commit: counterparties were rewritten.
    pub(super) fn touch_all(&mut self) {
        self.all = true;
        self.touched.clear();
    }

    fn add_unnamed(&mut self, code: &'static str, minor: i64) -> Result<()> {
        let sum = self.unnamed.entry(code).or_default();
        *sum = sum.checked_add(minor).ok_or_else(|| Error::Overflow {
            what: format!("the gifts without a donor in {code}"),
        })?;
        Ok(())
    }

    /// Writes the touched donors' rows afresh and adds to the unnamed gifts' sums; starts
    /// again from nothing.
    pub(super) fn flush(&mut self, conn: &Connection) -> Result<()> {
        if self.all {
            rebuild(conn)?;
        } else if !self.touched.is_empty() {
            let donors: Vec<String> = self.touched.drain().collect();
            let mut delete = conn.prepare_cached("DELETE FROM donor_totals WHERE donor = ?1")?;
            for donor in &donors {
                delete.execute([donor])?;
            }
            insert(conn, &accountability::donor_totals_of(conn, &Filter::default(), Some(&donors))?)?;
        }
        let mut add = conn.prepare_cached(
            "INSERT INTO unnamed_gift_totals (currency, total_minor) VALUES (?1, ?2)
             ON CONFLICT (currency) DO UPDATE SET total_minor = total_minor + excluded.total_minor",
        )?;
        // Not when every row was rebuilt: the rebuild counted this write's gifts already.
        let rebuilt = self.all;
        for (code, minor) in self.unnamed.drain().filter(|_| !rebuilt) {
            add.execute(params![code, minor])?;
        }
        self.all = false;
        Ok(())
    }
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
        let date = |i: usize| -> Result<_> { r.get::<_, Option<String>>(i)?.as_deref().map(stored_date).transpose() };
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

/// What differs between the two tables and the gifts they are derived from. Counted, not
/// named: `verify`'s output goes into audit packs.
pub fn problems(conn: &Connection) -> Result<Vec<String>> {
    let key = |t: &DonorTotal| (t.donor.clone(), t.total.currency().code());
    let mut recomputed: HashMap<_, _> = accountability::donor_totals(conn, &Filter::default())?
        .into_iter()
        .map(|t| (key(&t), t))
        .collect();
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
    for (code, _, actual, _) in accountability::donation_sums(conn, &Filter::default())? {
        let kept = stored.remove(code.code()).unwrap_or(0);
        if kept != actual {
            out.push(format!(
                "the total of gifts without a donor kept in {code} is {kept} minor units, but those gifts add up to {actual} (changed outside fondo)"
            ));
        }
    }
    for (code, kept) in stored.into_iter().filter(|(_, kept)| *kept != 0) {
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
