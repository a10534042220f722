//! `fondo rate add`: a rate between two currencies on a day, recorded in the chain.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::Writer;
use crate::domain::{Currency, Field};
use crate::error::{Error, Result};
use crate::store::chain::Entry;
use crate::store::{hash, read};

impl Writer<'_> {
    /// Records that one `from` was worth `rate` units of `to` on `date`; returns the rate's
    /// number. A pair has one rate a day: another for the same day is refused, unless
    /// `correct`, when it corrects the one in force (which stays on record).
    pub fn add_rate(
        &mut self,
        from: Currency,
        to: Currency,
        rate: Decimal,
        date: NaiveDate,
        correct: bool,
    ) -> Result<i64> {
        if from == to {
            return Err(Error::invalid(
                Field::RATE_TO,
                to.code(),
                format!("must differ from FROM ({from}): a rate is between two currencies"),
            ));
        }
        let in_force = read::rate_on(self.conn(), from, to, date)?;
        let corrects = match (in_force, correct) {
            (Some((id, old)), false) => {
                return Err(Error::Refused(format!(
                    "a rate from {from} to {to} on {date} is already recorded (rate #{id}: {old}); give --correct to replace it, the old one stays on record"
                )))
            }
            (None, true) => {
                return Err(Error::invalid(
                    Field::CORRECT,
                    format!("{from} {to} {date}"),
                    "there is no rate for this pair and day to correct; leave out --correct",
                ))
            }
            (found, _) => found.map(|(id, _)| id),
        };
        let id = self.next_id("rates")?;
        self.append(&Entry::RateAdded {
            id,
            from: from.code().to_string(),
            to: to.code().to_string(),
            rate: rate.to_string(),
            date: hash::date_text(date),
            corrects,
        })?;
        Ok(id)
    }
}
