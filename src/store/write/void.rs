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

/// What `void` does with a grant the commune confirmed it received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmed {
    /// Refused: the money reached them.
    Refuse,
    /// `--force`: voided all the same, said in the void's memo.
    VoidAnyway,
}

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
        mut header: Header,
        today: NaiveDate,
        confirmed: Confirmed,
    ) -> Result<i64> {
        let force = confirmed == Confirmed::VoidAnyway;
        check_text(Field::REASON, reason)?;
        let original = read::transaction(&self.tx, id)?;
        if let Some(voided) = original.voids {
            return Err(Error::Refused(format!(
                "#{id} is itself the void of #{voided}; to restore #{voided}, record it again"
            )));
        }
        if let Some(by) = original.voided_by {
            return Err(Error::Refused(format!("#{id} was already voided by #{by}")));
        }
        let mut forced = Vec::new();
        if let Some(c) = &original.confirmation {
            forced.push(format!(
                "#{id} was confirmed received by the commune on {}{}",
                c.date,
                c.reference
                    .as_deref()
                    .map(|r| format!(" (receipt {r})"))
                    .unwrap_or_default()
            ));
        }
        if let Some((reconciliation, date)) = reconcile::covering(&self.tx, id)? {
            forced.push(format!(
                "#{id} is covered by saved reconciliation {reconciliation} (statement of {date})"
            ));
        }
        if let Some(first) = forced.first() {
            if !force {
                return Err(Error::Refused(format!(
                    "{first}; void it anyway with --force (recorded in the void's memo)"
                )));
            }
            let note = format!("forced: {}", forced.join("; "));
            header.memo = Some(match header.memo {
                Some(memo) => format!("{memo}; {note}"),
                None => note,
            });
        }
        let original_date = original.date;
        match header.date {
            Some(date) if date < original_date => {
                return Err(Error::invalid(
                    Field::DATE,
                    date.to_string(),
                    format!(
                        "a void cannot be dated before the transaction it reverses (#{id}, {original_date})"
                    ),
                ))
            }
            Some(_) => {}
            // A void of a transaction dated in the future takes that date, not today.
            None => header.date = Some(today.max(original_date)),
        }
        let postings: Vec<_> = original.postings.iter().map(|p| p.to_new()).collect();
        let void = builders::Void {
            original_id: id,
            original_postings: &postings,
            reason,
        };
        let txn = builders::void(void, header, today);
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
