//! Dates a transaction may not take without saying why: a day in a closed period (`fondo
//! close --through`, or an account's saved reconciliation through its statement date), or
//! more than a day ahead. Closing is an entry in the chain; so is every forced exception,
//! with its reason.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;

use super::read;
use crate::domain::names::is_ahead;
use crate::domain::Field;
use crate::error::{Error, Result};

/// What the treasurer allowed for the transactions of one write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DateRules {
    /// `--future`: dates more than a day ahead are meant.
    pub future: bool,
    /// `--force --reason TEXT`: record into a closed period, and why.
    pub force_reason: Option<String>,
}

/// A closed period: through which date, and what closed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Lock {
    pub through: NaiveDate,
    pub why: String,
}

/// Every lock in force: the ledger's own and each account's.
#[derive(Clone, Debug, Default)]
pub(super) struct Locks {
    ledger: Option<Lock>,
    accounts: HashMap<i64, Lock>,
}

fn later(current: &mut Option<Lock>, candidate: Lock) {
    if current.as_ref().is_none_or(|c| candidate.through > c.through) {
        *current = Some(candidate);
    }
}

impl Locks {
    pub(super) fn read(conn: &Connection) -> Result<Locks> {
        let mut locks = Locks::default();
        let mut accounts: HashMap<i64, Option<Lock>> = HashMap::new();
        let mut stmt = conn.prepare("SELECT id, through, account_id FROM period_locks")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let lock = Lock {
                through: read::date_at(r, 1)?,
                why: format!("`fondo close`, lock {}", r.get::<_, i64>(0)?),
            };
            match r.get::<_, Option<i64>>(2)? {
                None => later(&mut locks.ledger, lock),
                Some(account) => later(accounts.entry(account).or_default(), lock),
            }
        }
        let mut stmt =
            conn.prepare("SELECT id, account_id, statement_date FROM reconciliations WHERE undone = 0")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let lock = Lock {
                through: read::date_at(r, 2)?,
                why: format!("saved reconciliation {}", r.get::<_, i64>(0)?),
            };
            later(accounts.entry(r.get(1)?).or_default(), lock);
        }
        locks.accounts = accounts.into_iter().filter_map(|(a, l)| Some((a, l?))).collect();
        Ok(locks)
    }

    /// The latest lock a transaction dated `date` posting to `accounts` falls in, if any.
    pub(super) fn covering(&self, date: NaiveDate, accounts: impl IntoIterator<Item = i64>) -> Option<&Lock> {
        std::iter::once(self.ledger.as_ref())
            .chain(accounts.into_iter().map(|a| self.accounts.get(&a)))
            .flatten()
            .filter(|lock| date <= lock.through)
            .max_by_key(|lock| lock.through)
    }
}

/// Refuses a date more than a day ahead of `today` unless the rules allow the future.
pub(super) fn check_future(date: NaiveDate, today: NaiveDate, rules: &DateRules) -> Result<()> {
    if rules.future || !is_ahead(date, today) {
        return Ok(());
    }
    Err(Error::invalid(
        Field::DATE_COLUMN,
        date.to_string(),
        format!("is more than a day after today ({today}); a transaction dated in the future needs --future"),
    ))
}

/// The error for a transaction dated inside a closed period without a reason.
pub(super) fn locked(date: NaiveDate, lock: &Lock) -> Error {
    Error::Refused(format!(
        "the books are closed through {} ({}); a transaction dated {date} needs --force --reason TEXT, and the reason is recorded",
        lock.through, lock.why
    ))
}
