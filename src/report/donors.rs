//! Donors (private): per donor and currency, how many gifts, how much, first and last; the
//! total ties out against `income:donations`. `--anonymize` shows pseudonyms instead.

use super::net;
use crate::domain::{Currency, Sum, Totals};
use crate::error::Result;
use crate::store::accountability::{self, DonorTotal};
use crate::store::donor_totals;
use crate::store::read::{self, Filter};
use crate::store::Ledger;

/// Per currency: gifts with a donor, gifts without one, voided gifts and their voids, and
/// the net credit to `income:donations`; the first three add up to the last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonationTotals {
    pub currency: Currency,
    pub from_donors: Sum,
    pub without_donor: Sum,
    pub voided: Sum,
    pub income_donations: Sum,
    /// The donors' rows add up to `from_donors`.
    pub rows_total: Sum,
}

impl DonationTotals {
    pub fn tied_out(&self) -> bool {
        let live_and_voided = self
            .from_donors
            .plus(self.without_donor)
            .and_then(|s| s.plus(self.voided));
        self.rows_total == self.from_donors && live_and_voided.is_ok_and(|s| s == self.income_donations)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonorsReport {
    pub rows: Vec<DonorTotal>,
    pub totals: Vec<DonationTotals>,
}

impl DonorsReport {
    pub fn tied_out(&self) -> bool {
        self.totals.iter().all(DonationTotals::tied_out)
    }
}

pub fn donors(ledger: &Ledger, filter: &Filter, anonymize: bool) -> Result<DonorsReport> {
    let conn = ledger.conn();
    read::check_filter(conn, filter)?;
    // The whole ledger's rows are kept on write; a period or a fund reads its gifts.
    let whole = filter.from.is_none() && filter.to.is_none() && filter.fund.is_none();
    let (mut rows, sums) = if whole {
        let rows = donor_totals::read(conn)?;
        let sums = donor_totals::donation_sums(conn, &rows)?;
        (rows, sums)
    } else {
        (
            accountability::donor_totals(conn, filter)?,
            accountability::donation_sums(conn, filter)?,
        )
    };
    if anonymize {
        let pseudonyms = read::pseudonyms(conn)?;
        for row in &mut rows {
            if let Some(p) = pseudonyms.get(&row.donor) {
                row.donor = p.to_string();
            }
        }
    }
    let mut rows_total = Totals::new();
    for row in &rows {
        rows_total.add(row.total)?;
    }
    let mut income = Totals::new();
    for line in read::balance_lines(conn, filter)? {
        if line.account == "income:donations" {
            income.sub(net(&line)?)?;
        }
    }
    let totals = sums
        .into_iter()
        .map(|(currency, from_donors, without_donor, voided)| DonationTotals {
            currency,
            from_donors: Sum::from_minor(from_donors, currency),
            without_donor: Sum::from_minor(without_donor, currency),
            voided: Sum::from_minor(voided, currency),
            income_donations: income.get(currency),
            rows_total: rows_total.get(currency),
        })
        .collect();
    Ok(DonorsReport { rows, totals })
}
