//! `donor list` (private): every donor's name exactly as the gifts record it, with how many
//! live gifts, how much in each currency, first and last; and, for each name, the other
//! names that share its identity key (the same but for case, accents and spaces), so a
//! treasurer sees which donors are probably one person written several ways. Names that
//! share a key are listed together.

use std::collections::BTreeMap;

use crate::domain::identity::identity_key;
use crate::error::Result;
use crate::store::accountability::{self, DonorTotal};
use crate::store::read::Filter;
use crate::store::Ledger;

/// One donor's name in one currency, with the other spellings of the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonorListRow {
    pub gifts: DonorTotal,
    /// Other names with the same identity key, in order; empty for most donors.
    pub other_spellings: Vec<String>,
}

/// Every donor with live gifts, grouped by identity key (keys in order), then by name and
/// currency.
pub fn donor_list(ledger: &Ledger) -> Result<Vec<DonorListRow>> {
    let totals = accountability::donor_totals(ledger.conn(), &Filter::default())?;
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
                gifts,
                other_spellings: other_spellings.clone(),
            }));
        }
    }
    Ok(out)
}
