//! Reports as plain data: each function reads the ledger through the store and returns
//! structs; rendering them is `render`'s job.

pub mod activities;
pub mod aging;
pub mod balance;
pub mod budget;
pub mod campaign;
pub mod communes;
pub mod donor_list;
pub mod donors;
pub mod funds;
pub mod pledges;
pub mod position;
pub mod reconcile;
pub mod register;
pub mod statement;
pub mod transparency;
pub mod union;
pub mod value;

use crate::domain::Sum;
use crate::error::Result;
use crate::store::read::BalanceLine;

/// A balance line's debits less its credits.
pub(crate) fn net(line: &BalanceLine) -> Result<Sum> {
    Sum::from_minor(line.debit_minor, line.currency).minus(Sum::from_minor(line.credit_minor, line.currency))
}
