//! Voiding a transaction (recording its reversal) and confirming that a grant arrived.

use chrono::NaiveDate;

use super::Writer;
use crate::domain::builders::{self, Header};
use crate::domain::names::{check_text, confirmed_in_time, GRANTS_PREFIX};
use crate::domain::Field;
use crate::error::{Error, Result};
use crate::store::chain::Entry;
use crate::store::hash;
use crate::store::{read, reconcile};

pub use crate::domain::builders::Confirmed;

/// What `fondo confirm` records.
#[derive(Clone, Debug, Default)]
pub struct Confirmation {
    pub date: Option<NaiveDate>,
    pub reference: Option<String>,
    pub note: Option<String>,
}

impl Writer<'_> {
    /// Records a reversal of transaction `id`. A void cannot be voided, nor can a transaction
    /// twice; a grant the commune confirmed needs [`Confirmed::VoidAnyway`], which the void's
    /// memo records.
    pub fn void(
        &mut self,
        id: i64,
        reason: &str,
        header: Header,
        today: NaiveDate,
        confirmed: Confirmed,
    ) -> Result<i64> {
        check_text(Field::REASON, reason)?;
        let original = read::transaction(&self.tx, id)?;
        let mut reasons_to_keep = Vec::new();
        if let Some(c) = &original.confirmation {
            reasons_to_keep.push(format!(
                "#{id} was confirmed received by the commune on {}{}",
                c.date,
                c.reference
                    .as_deref()
                    .map(|r| format!(" (receipt {r})"))
                    .unwrap_or_default()
            ));
        }
        if let Some((reconciliation, date)) = reconcile::covering(&self.tx, id)? {
            reasons_to_keep.push(format!(
                "#{id} is covered by saved reconciliation {reconciliation} (statement of {date})"
            ));
        }
        let postings: Vec<_> = original.postings.iter().map(|p| p.to_new()).collect();
        let refunded_by = read::live_refunds(&self.tx, id)?;
        let void = builders::Void {
            original_id: id,
            original_date: original.date,
            original_postings: &postings,
            original_voids: original.voids,
            voided_by: original.voided_by,
            refunded_by: &refunded_by,
            reasons_to_keep,
            confirmed,
            reason,
        };
        let txn = builders::void(void, header, today)?;
        self.record(&txn, "cli")
    }

    /// Records a commune's acknowledgement that grant `txn_id` reached it.
    pub fn confirm(&mut self, txn_id: i64, confirmation: &Confirmation, today: NaiveDate) -> Result<i64> {
        let text =
            |field: Field, value: &Option<String>| value.as_deref().map(|v| check_text(field, v)).transpose();
        let (reference, note) = (
            text(Field::REF, &confirmation.reference)?,
            text(Field::NOTE, &confirmation.note)?,
        );
        let txn = read::transaction(&self.tx, txn_id)?;
        let grant = txn
            .postings
            .iter()
            .find(|p| p.account.starts_with(GRANTS_PREFIX) && p.amount.is_positive());
        if grant.is_none() || txn.voids.is_some() {
            return Err(Error::Refused(format!(
                "#{txn_id} is not a grant (an allocation or a direct send to a recipient), so there is nothing to confirm"
            )));
        }
        if let Some(by) = txn.voided_by {
            return Err(Error::Refused(format!(
                "#{txn_id} was voided by #{by}; a voided grant cannot be confirmed"
            )));
        }
        if let Some(c) = &txn.confirmation {
            return Err(Error::Refused(format!(
                "#{txn_id} was already confirmed on {} (confirmation {})",
                c.date, c.id
            )));
        }
        let grant_date = txn.date;
        let date = confirmation.date.unwrap_or(today);
        if !confirmed_in_time(grant_date, date) {
            return Err(Error::invalid(
                Field::DATE,
                date.to_string(),
                format!("a commune cannot confirm a grant before it was made (#{txn_id}, {grant_date})"),
            ));
        }
        let id = self.next_id("confirmations")?;
        self.append(&Entry::Confirmed {
            id,
            txn_id,
            date: hash::date_text(date),
            reference,
            note,
        })?;
        Ok(id)
    }
}
