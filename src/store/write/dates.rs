//! Dates a transaction may not take without saying why (see [`crate::store::locks`]), and
//! closing the books through a date.

use chrono::NaiveDate;

use super::record::ResolvedPosting;
use super::Writer;
use crate::domain::{Field, NewTransaction};
use crate::error::{Error, Result};
use crate::store::chain::Entry;
use crate::store::hash;
use crate::store::locks::{self, Locks};
use crate::store::read;

impl Writer<'_> {
    /// Refuses a date more than a day ahead, or in a closed period, unless the date rules
    /// allow it; returns the lock and the reason to record when a closed period was forced.
    pub(super) fn check_date(
        &mut self,
        txn: &NewTransaction,
        resolved: &[ResolvedPosting],
    ) -> Result<Option<(NaiveDate, String)>> {
        locks::check_future(txn.date, self.today, &self.date_rules)?;
        if self.locks.is_none() {
            self.locks = Some(Locks::read(&self.tx)?);
        }
        let lock = self
            .locks
            .as_ref()
            .and_then(|l| l.covering(txn.date, resolved.iter().map(|r| r.account_id)));
        match (lock, &self.date_rules.force_reason) {
            (None, _) => Ok(None),
            (Some(lock), Some(reason)) => Ok(Some((lock.through, reason.clone()))),
            (Some(lock), None) => Err(locks::locked(txn.date, lock)),
        }
    }

    /// Closes the books through `through` (or one account's, with `account`): no later
    /// transaction may be dated on or before it without a recorded reason. Returns the
    /// lock's number.
    pub fn close_period(
        &mut self,
        through: NaiveDate,
        account: Option<&str>,
        today: NaiveDate,
    ) -> Result<i64> {
        if through > today {
            return Err(Error::invalid(
                Field::THROUGH,
                through.to_string(),
                format!("is after today ({today}); a period can be closed once it has ended"),
            ));
        }
        let account_id = account.map(|a| read::account_id(self.conn(), a)).transpose()?;
        let locks = Locks::read(self.conn())?;
        if let Some(lock) = locks.covering(through, account_id) {
            return Err(Error::Refused(format!(
                "the books are already closed through {} ({})",
                lock.through, lock.why
            )));
        }
        let id: i64 =
            self.conn()
                .query_row("SELECT coalesce(max(id), 0) + 1 FROM period_locks", [], |r| {
                    r.get(0)
                })?;
        self.append(&Entry::PeriodClosed {
            id,
            through: hash::date_text(through),
            account_id,
        })?;
        Ok(id)
    }
}
