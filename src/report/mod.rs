//! Reports as plain data: each function reads the ledger through the store and returns
//! structs; rendering them is `render`'s job.

pub mod activities;
pub mod aging;
pub mod balance;
pub mod campaign;
pub mod communes;
pub mod donor_list;
pub mod donors;
pub mod funds;
pub mod position;
pub mod reconcile;
pub mod register;
pub mod transparency;
pub mod union;

use std::collections::BTreeMap;

use crate::domain::Currency;
use crate::error::{Error, Result};

/// Adds `minor` into the running sum kept for `key`, refusing to overflow.
pub(crate) fn add_into<K: Ord>(
    sums: &mut BTreeMap<K, i64>,
    key: K,
    minor: i64,
    what: impl FnOnce() -> String,
) -> Result<()> {
    let sum = sums.entry(key).or_insert(0);
    *sum = sum
        .checked_add(minor)
        .ok_or_else(|| Error::Overflow { what: what() })?;
    Ok(())
}

/// `debit - credit`, refusing to overflow.
pub(crate) fn difference(debit_minor: i64, credit_minor: i64, currency: Currency) -> Result<i64> {
    debit_minor
        .checked_sub(credit_minor)
        .ok_or_else(|| Error::Overflow {
            what: format!("a {currency} balance"),
        })
}
