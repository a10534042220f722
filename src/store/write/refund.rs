//! Refunding a gift: the returning transaction and the `refunded` entry that links it to
//! the gift, in one write, so that the chain covers the link.

use chrono::NaiveDate;

use super::Writer;
use crate::domain::builders::{self, Header, RefundAsked};
use crate::domain::privacy::looks_like_placeholder;
use crate::error::Result;
use crate::store::chain::Entry;
use crate::store::read;

impl Writer<'_> {
    /// Records the refund of (part of) gift `gift_id` and its link to the gift; returns the
    /// refund's id. The rules are [`builders::refund`]'s; the transaction is checked as any
    /// other (overdraft, closed periods).
    pub fn refund(
        &mut self,
        gift_id: i64,
        asked: RefundAsked,
        header: Header,
        today: NaiveDate,
    ) -> Result<i64> {
        let gift = read::transaction(&self.tx, gift_id)?;
        let postings: Vec<_> = gift.postings.iter().map(|p| p.to_new()).collect();
        let chargeback = asked.chargeback;
        let refund = builders::Refund {
            gift_id,
            gift_date: gift.date,
            gift_postings: &postings,
            donor: gift.counterparty,
            gift_voids: gift.voids,
            gift_voided_by: gift.voided_by,
            gift_refund_of: gift.refund_links.refund_of,
            refunded_minor: read::refunded_minor(&self.tx, gift_id)?,
            asked,
        };
        let txn = builders::refund(refund, header, today)?;
        // A forgotten donor's gift is returned to its placeholder: the ledger's own text,
        // which the treasurer could not type.
        let forgotten = txn.counterparty.as_deref().is_some_and(looks_like_placeholder);
        let id = if forgotten && !self.placeholders_allowed {
            if let Some(reference) = &txn.reference {
                super::record::check_reference(reference)?;
            }
            self.placeholders_allowed = true;
            let recorded = self.record(&txn, "cli");
            self.placeholders_allowed = false;
            recorded?
        } else {
            self.record(&txn, "cli")?
        };
        self.append(&Entry::Refunded {
            txn_id: id,
            gift_id,
            chargeback,
        })?;
        Ok(id)
    }
}
