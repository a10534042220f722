//! `donor list` (private): every donor's name exactly as the gifts record it, with how many
//! live gifts, how much in each currency, first and last; and, for each name, the other
//! names that share its identity key (the same but for case, accents and spaces), so a
//! treasurer sees which donors are probably one person written several ways. Names that
//! share a key are listed together. A donor who has only pledged so far (`pledge add
//! --new-donor`) is listed too, with no gift, in each currency of her pledges.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::identity::identity_key;
use crate::domain::Sum;
use crate::error::Result;
use crate::store::accountability::{self, DonorTotal};
use crate::store::read::{self, Filter};
use crate::store::Ledger;

/// One donor's name in one currency, with the other spellings of the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonorListRow {
    pub gifts: DonorTotal,
    /// A donor who has pledged but not given yet: no gift, no first or last date.
    pub pledged_only: bool,
    /// Other names with the same identity key, in order; empty for most donors.
    pub other_spellings: Vec<String>,
}

/// Every donor with live gifts or pledges, grouped by identity key (keys in order), then by
/// name and currency.
pub fn donor_list(ledger: &Ledger) -> Result<Vec<DonorListRow>> {
    let mut totals = accountability::donor_totals(ledger.conn(), &Filter::default())?;
    let givers: BTreeSet<String> = totals.iter().map(|t| t.donor.clone()).collect();
    let pledged_only: BTreeSet<_> = read::pledges(ledger.conn())?
        .into_iter()
        .filter(|p| !givers.contains(&p.donor))
        .map(|p| (p.donor, p.amount.currency()))
        .collect();
    totals.extend(pledged_only.into_iter().map(|(donor, currency)| DonorTotal {
        donor,
        count: 0,
        total: Sum::zero(currency),
        first_date: None,
        last_date: None,
    }));
    let mut by_key: BTreeMap<String, BTreeMap<String, Vec<DonorTotal>>> = BTreeMap::new();
    for row in totals {
        by_key
            .entry(identity_key(&row.donor))
            .or_default()
            .entry(row.donor.clone())
            .or_default()
            .push(row);
    }
    let mut out = Vec::new();
    for names in by_key.into_values() {
        let spellings: Vec<&String> = names.keys().collect();
        for (name, mut rows) in names.iter().map(|(n, r)| (n, r.clone())) {
            rows.sort_by_key(|r| r.total.currency());
            let other_spellings: Vec<String> = spellings
                .iter()
                .filter(|s| **s != name)
                .map(|s| s.to_string())
                .collect();
            out.extend(rows.into_iter().map(|gifts| DonorListRow {
                pledged_only: !givers.contains(&gifts.donor),
                gifts,
                other_spellings: other_spellings.clone(),
            }));
        }
    }
    Ok(out)
}
