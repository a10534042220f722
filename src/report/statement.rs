//! Donor statements: for each donor, the gifts of one year — the gifts the donors report
//! counts, read by the same query ([`accountability::gift_lines`]) — with the year's total
//! per currency, and the organisation block the settings hold. A forgotten donor (an
//! erasure's placeholder) gets no statement. Private: nothing here goes into a public output.

use chrono::NaiveDate;

use crate::domain::privacy::PLACEHOLDER_PREFIX;
use crate::domain::{Field, Sum, Totals};
use crate::error::{Error, Result};
use crate::store::accountability::{self, GiftLine};
use crate::store::read::{self, Filter, Organisation};
use crate::store::{donors, Ledger};

/// One donor's statement for a year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letter {
    pub donor: String,
    pub year: i32,
    /// In date order; a refund is a negative line.
    pub gifts: Vec<GiftLine>,
    /// Per currency, the gifts net of refunds.
    pub totals: Vec<Sum>,
}

impl Letter {
    /// How many gifts it lists, as the donors report counts them: refunds are not gifts.
    pub fn gift_count(&self) -> usize {
        let mut gifts: Vec<i64> = self
            .gifts
            .iter()
            .filter(|g| g.refund_of.is_none())
            .map(|g| g.txn)
            .collect();
        gifts.dedup();
        gifts.len()
    }
}

/// The statements of a year, and what ties them to the donors report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statements {
    pub year: i32,
    pub org: Organisation,
    pub letters: Vec<Letter>,
    /// The gifts of forgotten donors in the year, who get no letter.
    pub forgotten: Totals,
    /// Refunds in the year of earlier years' gifts, to donors with no gift in the year: no
    /// letter thanks a donor for a refund alone.
    pub refunds_only: Totals,
    /// For every donor's statements: the donors report's total of the year (`report donors
    /// --from .. --to ..`). One donor's letter has nothing to tie to.
    pub donors_report: Option<Totals>,
}

impl Statements {
    /// The letters, the forgotten donors' gifts and the refunds without a letter add up to
    /// the donors report's total.
    pub fn tied_out(&self) -> Result<bool> {
        let Some(report) = &self.donors_report else {
            return Ok(true);
        };
        let mut sum = self.forgotten.clone();
        for total in self.refunds_only.iter() {
            sum.add(total)?;
        }
        for total in self.letters.iter().flat_map(|l| &l.totals) {
            sum.add(*total)?;
        }
        // Compared currency by currency: a currency may be in one only with a sum of zero.
        let same = sum
            .iter()
            .chain(report.iter())
            .all(|s| sum.get(s.currency()) == report.get(s.currency()));
        Ok(same)
    }
}

/// The first and last day of `year`, checked: a year of four digits.
pub fn year_period(text: &str) -> Result<(i32, Filter)> {
    let bad = || Error::invalid(Field::YEAR, text, "write a year of four digits, e.g. 2026");
    let year: i32 = text.trim().parse().map_err(|_| bad())?;
    if !(1000..=9999).contains(&year) {
        return Err(bad());
    }
    let day = |m, d| NaiveDate::from_ymd_opt(year, m, d).ok_or_else(bad);
    let filter = Filter {
        from: Some(day(1, 1)?),
        to: Some(day(12, 31)?),
        fund: None,
    };
    Ok((year, filter))
}

/// The statements of `year` (`text` as typed): every donor's, or only `donor`'s, who must
/// be a donor of record, not forgotten, with gifts in that year. A donor whose only line in
/// the year is a refund of an earlier year's gift gets no letter.
pub fn statements(ledger: &Ledger, year_text: &str, donor: Option<&str>) -> Result<Statements> {
    let conn = ledger.conn();
    let (year, filter) = year_period(year_text)?;
    if let Some(name) = donor {
        check_donor(ledger, name)?;
    }
    let mut letters = Vec::new();
    let mut forgotten = Totals::new();
    let mut refunds_only = Totals::new();
    let lines = accountability::gift_lines(conn, &filter, donor)?;
    for gifts in lines.chunk_by(|a, b| a.donor == b.donor) {
        let mut totals = Totals::new();
        for gift in gifts {
            totals.add(gift.amount)?;
        }
        if gifts[0].donor.starts_with(PLACEHOLDER_PREFIX) {
            for total in totals.iter() {
                forgotten.add(total)?;
            }
            continue;
        }
        let letter = Letter {
            donor: gifts[0].donor.clone(),
            year,
            gifts: gifts.to_vec(),
            totals: totals.iter().collect(),
        };
        if letter.gift_count() == 0 {
            for total in totals.iter() {
                refunds_only.add(total)?;
            }
            continue;
        }
        letters.push(letter);
    }
    if letters.is_empty() {
        let problem = match donor {
            Some(name) if refunds_only.iter().next().is_some() => format!(
                "`{}` gave nothing in {year}: the refund of an earlier year's gift is in `fondo report donors --from {year}-01-01 --to {year}-12-31`",
                crate::domain::names::escape_controls(name)
            ),
            Some(name) => format!(
                "`{}` gave nothing in {year}; `fondo report donors` shows each donor's first and last gift",
                crate::domain::names::escape_controls(name)
            ),
            None => format!("no donor gave in {year}; `fondo report donors` shows who gave when"),
        };
        return Err(Error::invalid(Field::YEAR, year_text, problem));
    }
    let donors_report = match donor {
        Some(_) => None,
        None => {
            let mut report = Totals::new();
            for row in accountability::donor_totals(conn, &filter)? {
                report.add(row.total)?;
            }
            Some(report)
        }
    };
    Ok(Statements {
        year,
        org: read::organisation(conn)?,
        letters,
        forgotten,
        refunds_only,
        donors_report,
    })
}

/// A donor a statement can be written for: one a gift records by exactly this name, and
/// not an erasure's placeholder (a forgotten donor has no name to write to).
fn check_donor(ledger: &Ledger, name: &str) -> Result<()> {
    let conn = ledger.conn();
    if name.starts_with(PLACEHOLDER_PREFIX) || !donors::is_donor(conn, name)? {
        return Err(Error::invalid(
            Field::DONOR,
            name,
            format!(
                "no donor has exactly this name{}; `fondo donor list` lists them as recorded",
                donors::did_you_mean(conn, name)?
            ),
        ));
    }
    Ok(())
}
