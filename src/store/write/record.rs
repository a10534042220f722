//! Recording a transaction: its accounts and funds resolved, every check run, then its row,
//! its postings and the totals they move, extending the chain.

use rusqlite::{params, OptionalExtension};

use super::totals::PENDING_DAYS_LIMIT;
use super::{Insert, Writer};
use crate::domain::names::{closest, AccountType, DONATIONS};
use crate::domain::{Field, NewTransaction};
use crate::error::{Error, Result};
use crate::store::chain::{Entry, Head};
use crate::store::hash::{self, PostingContent, PrivateText, TxnContent, FIELD_SALT_LEN, PRIVATE_FIELDS};
use crate::store::read;

/// Refuses a reference that starts like an erasure's placeholder (`forgotten donor N`), which
/// is what `donor forget` leaves in place of a reference: several transactions may then share
/// it, so it must never name one.
pub(super) fn check_reference(reference: &str) -> Result<()> {
    if crate::domain::privacy::looks_like_placeholder(reference) {
        return Err(Error::invalid(
            Field::REFERENCE,
            reference,
            "references that read as `forgotten donor N` are what `donor forget` leaves in place of one, and are reserved",
        ));
    }
    Ok(())
}

pub(super) const INSERT_TRANSACTION: &str =
    "INSERT INTO transactions (id, date, description, counterparty, reference, memo, voids,
                          entered_at, entered_by, source, prev_hash, hash, batch_id, text_salts)
 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

pub(super) const INSERT_POSTING: &str =
    "INSERT INTO postings (txn_id, line, account_id, fund_id, currency, amount_minor)
 VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// What a write needs to know of an account: its id, its type, and whether it may go below
/// zero.
#[derive(Clone, Copy)]
pub(super) struct AccountRow {
    id: i64,
    account_type: AccountType,
    allow_negative: bool,
}

/// A posting's account and fund, resolved to their rows.
pub(super) struct ResolvedPosting {
    pub(super) account_id: i64,
    pub(super) account_type: AccountType,
    pub(super) allow_negative: bool,
    pub(super) fund_id: i64,
}

impl Writer<'_> {
    fn account(&mut self, name: &str) -> Result<AccountRow> {
        if let Some(found) = self.accounts.get(name) {
            return Ok(*found);
        }
        let row: Option<(i64, String, bool, bool)> = self
            .tx
            .query_row(
                "SELECT id, type, allow_negative, closed FROM accounts WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((id, type_text, allow_negative, closed)) = row else {
            return Err(Error::UnknownAccount {
                name: name.to_string(),
                suggestion: closest(name, read::account_names(&self.tx)?.iter().map(String::as_str)),
            });
        };
        let account_type = AccountType::of(&type_text)
            .ok_or_else(|| Error::Corrupt(format!("account `{name}` of unknown type `{type_text}`")))?;
        if closed {
            return Err(Error::Refused(format!(
                "account `{name}` is closed (`fondo account close`); no transaction may post to it"
            )));
        }
        let found = AccountRow {
            id,
            account_type,
            allow_negative,
        };
        self.accounts.insert(name.to_string(), found);
        Ok(found)
    }

    fn fund(&mut self, code: &str) -> Result<i64> {
        if let Some(found) = self.funds.get(code) {
            return Ok(*found);
        }
        let row: Option<(i64, bool)> = self
            .tx
            .query_row("SELECT id, closed FROM funds WHERE code = ?1", [code], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let (found, closed) = row.ok_or_else(|| read::unknown_fund(&self.tx, code))?;
        if closed {
            return Err(Error::Refused(format!(
                "fund `{code}` is closed (`fondo fund edit {code} --close`); record this in another fund"
            )));
        }
        self.funds.insert(code.to_string(), found);
        Ok(found)
    }

    /// Records a transaction and returns its id. Every check (balance, names, restricted funds
    /// and union holdings, reference) runs before anything is written, so a refused
    /// transaction leaves the open write untouched and a long import can go on to the next row.
    pub fn record(&mut self, txn: &NewTransaction, source: &str) -> Result<i64> {
        let checked = txn.check()?;
        let txn = checked.as_ref();
        let resolved = self.resolve(txn)?;
        let lock_override = self.check_date(txn, &resolved)?;
        self.check_no_overdraft(txn, &resolved)?;
        let donor = self.check_parties(txn)?;
        let head = self.head()?;
        let (id, prev_hash) = (head.last_txn + 1, head.hash);
        self.first_recorded.get_or_insert(id);
        let hash = self.insert_transaction(txn, id, &prev_hash, source)?;
        self.insert_postings(txn, id, &resolved)?;
        self.donor_totals.note(&self.tx, txn)?;
        self.gift_months.note(&self.tx, txn)?;
        if let Some(donor) = donor {
            self.remember_donor(donor)?;
        }
        if self.totals.day_count >= PENDING_DAYS_LIMIT {
            self.totals.flush(&self.tx)?;
        }
        self.head = Some(Head {
            last_txn: id,
            last_entry: head.last_entry,
            hash,
        });
        if let Some(import) = &mut self.import {
            import.first_txn.get_or_insert(id);
            import.last_txn = Some(id);
        }
        if let Some((through, reason)) = lock_override {
            self.append(&Entry::LockOverridden {
                txn_id: id,
                through: hash::date_text(through),
                reason,
            })?;
        }
        Ok(id)
    }

    /// Each posting's account and fund, as rows; an unknown or closed one is refused.
    fn resolve(&mut self, txn: &NewTransaction) -> Result<Vec<ResolvedPosting>> {
        let mut resolved = Vec::with_capacity(txn.postings.len());
        for p in &txn.postings {
            let account = self.account(&p.account)?;
            resolved.push(ResolvedPosting {
                account_id: account.id,
                account_type: account.account_type,
                allow_negative: account.allow_negative,
                fund_id: self.fund(&p.fund)?,
            });
        }
        Ok(resolved)
    }

    /// Refuses a placeholder for a counterparty or reference, a reference already used, and a
    /// gift's donor that looks like another; returns the gift's donor, if it is a gift.
    fn check_parties<'t>(&self, txn: &'t NewTransaction) -> Result<Option<&'t str>> {
        // No counterparty either, whoever it is: a placeholder always means an erasure.
        if let Some(counterparty) = txn.counterparty.as_deref().filter(|_| !self.placeholders_allowed) {
            crate::domain::privacy::check_not_placeholder(Field::COUNTERPARTY, counterparty)?;
        }
        if let Some(reference) = &txn.reference {
            if !self.placeholders_allowed {
                check_reference(reference)?;
            }
            if let Some(existing) = read::transaction_by_reference(&self.tx, reference)? {
                return Err(Error::DuplicateReference {
                    reference: reference.clone(),
                    txn: existing,
                });
            }
        }
        // A gift's counterparty is its donor.
        let donor = txn
            .counterparty
            .as_deref()
            .filter(|_| txn.postings.iter().any(|p| p.account == DONATIONS));
        if let Some(donor) = donor {
            self.check_donor(donor)?;
        }
        Ok(donor)
    }

    /// Writes the transaction's row, its private texts salted, chained to `prev_hash`;
    /// returns its hash.
    fn insert_transaction(
        &mut self,
        txn: &NewTransaction,
        id: i64,
        prev_hash: &str,
        source: &str,
    ) -> Result<String> {
        let date = hash::date_text(txn.date);
        let content = TxnContent {
            id,
            date: &date,
            description: &txn.description,
            counterparty: txn.counterparty.as_deref(),
            reference: txn.reference.as_deref(),
            memo: txn.memo.as_deref(),
            private: PrivateText::Plain,
            voids: txn.voids,
            entered_at: &self.entered_at,
            entered_by: self.actor,
            source,
        };
        let mut salt = self.salts.take::<{ FIELD_SALT_LEN * PRIVATE_FIELDS.len() }>()?;
        // An empty field has no digest; its salt is zeros, so that no byte of the row is
        // left that the hash does not pin down (verify checks them).
        for (slot, text) in salt.chunks_mut(FIELD_SALT_LEN).zip(content.private_texts()) {
            if text.is_none() {
                slot.fill(0);
            }
        }
        let content = TxnContent {
            private: PrivateText::Salted(&salt),
            ..content
        };
        let hash = hash::transaction_hash(
            prev_hash,
            &content,
            txn.postings.iter().zip(1..).map(|(p, line)| PostingContent {
                line,
                account: &p.account,
                fund: &p.fund,
                currency: p.amount.currency().code(),
                amount_minor: p.amount.minor(),
            }),
        );
        let batch = self.import.as_ref().map(|i| i.batch);
        self.inserts.get(Insert::Transaction)?.execute(params![
            id,
            date,
            txn.description,
            txn.counterparty,
            txn.reference,
            txn.memo,
            txn.voids,
            self.entered_at,
            self.actor,
            source,
            prev_hash,
            hash,
            batch,
            &salt[..]
        ])?;
        Ok(hash)
    }

    /// Writes the postings, adding each to the pending totals.
    fn insert_postings(&mut self, txn: &NewTransaction, id: i64, resolved: &[ResolvedPosting]) -> Result<()> {
        for ((p, r), line) in txn.postings.iter().zip(resolved).zip(1_i64..) {
            // Added to the pending totals first: they note the stored totals before this
            // posting can change them, for the check at commit.
            self.totals
                .add(&self.tx, r.account_id, r.fund_id, txn.date, p.amount)?;
            self.inserts.get(Insert::Posting)?.execute(params![
                id,
                line,
                r.account_id,
                r.fund_id,
                p.amount.currency().code(),
                p.amount.minor()
            ])?;
        }
        Ok(())
    }
}
