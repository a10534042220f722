use serde::{Deserialize, Serialize};

use super::tables::ATTACHMENTS;
use super::tables::PLEDGES;
use super::tables::{
    Table, CONFIRMATIONS, ERASURES, IMPORT_BATCHES, LOCK_OVERRIDES, PERIOD_LOCKS, RATES, RECONCILIATIONS,
};
use crate::error::{Error, Result};
use crate::store::hash;

/// One change to the ledger's state other than a transaction. Its dates are text as
/// [`hash::date_text`] writes them: the entry is hashed as it is serialized, and `verify`
/// reads back exactly what was stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case", deny_unknown_fields)]
pub enum Entry {
    /// The first entry of every chain, recorded when the ledger came to this design (at
    /// `init`, or when an older ledger was migrated). The `adopted` entries after it record
    /// what the older schema kept outside the chain, as it stood.
    Schema {
        version: i64,
        #[serde(default)]
        adopted: i64,
    },
    /// A ledger setting (`currency`, `org`).
    Setting { key: String, value: String },
    AccountAdded {
        id: i64,
        name: String,
        #[serde(rename = "type")]
        account_type: String,
        /// An asset account that may go below zero (a credit line).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        allow_negative: bool,
    },
    FundAdded {
        id: i64,
        code: String,
        name: String,
        target_minor: Option<i64>,
        target_currency: Option<String>,
        restricted: bool,
    },
    CommuneAdded {
        id: i64,
        slug: String,
        name: String,
        state: String,
        account_id: i64,
    },
    /// `fund edit`: the fund's name, target and whether it is closed, as they are now.
    FundChanged {
        id: i64,
        name: String,
        target_minor: Option<i64>,
        target_currency: Option<String>,
        closed: bool,
    },
    /// `commune edit`: its name and state as they are now.
    CommuneChanged { id: i64, name: String, state: String },
    /// `account close`: no transaction may post to it any more.
    AccountClosed { id: i64 },
    /// `reconcile undo`: reconciliation `id` stays on record, its postings open again.
    ReconciliationUndone { id: i64 },
    /// `close --through DATE`: no transaction dated on or before `through` (in one account,
    /// or anywhere) without a recorded reason.
    PeriodClosed {
        id: i64,
        through: String,
        account_id: Option<i64>,
    },
    /// Transaction `txn_id` was recorded into a closed period, forced, for `reason`.
    LockOverridden {
        txn_id: i64,
        through: String,
        reason: String,
    },
    /// A commune's acknowledgement that grant `txn_id` reached it.
    Confirmed {
        id: i64,
        txn_id: i64,
        date: String,
        reference: Option<String>,
        note: Option<String>,
    },
    /// A saved bank reconciliation; `matched` lists (transaction, posting line, statement line).
    Reconciled {
        id: i64,
        account_id: i64,
        currency: String,
        statement_date: String,
        statement_balance_minor: Option<i64>,
        ledger_balance_minor: i64,
        file_name: String,
        file_sha256: String,
        matched: Vec<(i64, i64, i64)>,
        /// Saved with `--force` though it did not tie out.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        forced: bool,
    },
    /// One `fondo import`: its transactions are `first_txn..=last_txn`, and the import keys
    /// it wrote hash, in transaction order, to `keys_sha256` (see [`ImportKeys`]): through a
    /// salted commitment per key where `salted_keys` (imports since schema 9), so that an
    /// erasure can replace a key and no stored value confirms a guess at what it hashed.
    ImportBatch {
        id: i64,
        file_name: String,
        file_sha256: String,
        format: String,
        row_count: i64,
        added_count: i64,
        skipped_count: i64,
        first_txn: Option<i64>,
        last_txn: Option<i64>,
        key_count: i64,
        keys_sha256: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        salted_keys: bool,
    },
    /// One `donor forget`; it names no one.
    Erasure {
        id: i64,
        placeholder: String,
        erased: Vec<ErasedFields>,
        /// The import keys of the rows it erased, replaced by random tokens.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        keys: Vec<ErasedKey>,
        /// The private texts of sealed entries it replaced by its placeholder.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        entry_texts: Vec<ErasedEntryText>,
        /// The fields of transactions it erased since schema 10 (`erased` holds those of
        /// transactions an earlier form of erasure changed).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        revised: Vec<Revision>,
        /// The SHA-256 of each attached file it deleted: an erasure recorded before schema 12
        /// (the attachment keeps its digest).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        blobs: Vec<String>,
        /// The attachments whose file it deleted, since schema 12: their digests are among
        /// the `entry_texts` it replaced (an attachment recorded before keeps its digest).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<i64>,
    },
    /// `donor rename` / `donor merge`: the counterparty of each transaction in `revised` was
    /// given a new text (whose salted digest it records); it names no one.
    DonorRenamed { revised: Vec<Revision> },
    /// `fondo attach`: a file attached to a transaction or a confirmation (`target`), whose
    /// bytes are kept in `blobs` under their SHA-256. Since schema 12 the digest is a private
    /// text (`private_sha256`), which an erasure of the file replaces by zeros; before, the
    /// body holds it as it is.
    Attached {
        id: i64,
        target: String,
        target_id: i64,
        sha256: String,
        size: i64,
        media_type: Option<String>,
        file_name: String,
        note: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        private_sha256: bool,
    },
    /// `rate add`: units of `to` per unit of `from` on `date`, as the exact decimal text
    /// given; `corrects` names the rate of the same pair and day it replaces.
    RateAdded {
        id: i64,
        from: String,
        to: String,
        rate: String,
        date: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        corrects: Option<i64>,
    },
    /// `refund`: transaction `txn_id`, recorded in the same write, returns (part of) gift
    /// `gift_id`, or records the processor's chargeback of it.
    Refunded {
        txn_id: i64,
        gift_id: i64,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        chargeback: bool,
    },
    /// `budget set`: fund `fund_id` plans `amount_minor` for `period` (`YYYY` or `YYYY-MM`),
    /// replacing an earlier budget for the same fund and period.
    BudgetSet {
        fund_id: i64,
        period: String,
        amount_minor: i64,
        currency: String,
    },
    /// `pledge add`: `donor` means to give `amount_minor` every month from `from` (`YYYY-MM`)
    /// through `to`, or with no end.
    PledgeAdded {
        id: i64,
        donor: String,
        amount_minor: i64,
        currency: String,
        fund_id: Option<i64>,
        from: String,
        to: Option<String>,
    },
    /// `pledge end`: pledge `id`'s last month is `to`.
    PledgeEnded { id: i64, to: String },
    /// `donor rename`/`merge`: pledge `id`'s donor is now recorded as `donor`.
    PledgeDonorChanged { id: i64, donor: String },
}

/// One field of one transaction's private text that an erasure or a rename changed. It holds
/// no text and no salt, so that nothing a later erasure cannot reach keeps a copy of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub txn_id: i64,
    /// One of [`hash::PRIVATE_FIELDS`].
    pub field: String,
    /// The digest the transaction's hash covers for this field, from before any change.
    pub hash_digest: String,
    /// A rename's: the salted digest of the field's text now (its salt is kept apart, in
    /// `revision_salts`). An erasure has none: the field reads exactly its placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_digest: Option<String>,
}

/// What an erasure left of one transaction's private text: its fields in
/// [`hash::PRIVATE_FIELDS`] order, the first three for a transaction recorded before schema 9
/// (whose reference, author and source its hash covers as they are), all six since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasedFields {
    pub txn_id: i64,
    /// The digests the transaction's hash covers, from before its first erasure.
    pub digests: Vec<Option<String>>,
    /// The text left in each field.
    pub texts: Vec<Option<String>>,
    /// Each field's own salt (hex) where the field was kept: its text must still match its
    /// digest. An erased field has none, and its text must be a placeholder — except in a
    /// transaction recorded before the chain's schema entry, whose fields shared one salt,
    /// so that a field kept there is proven by this entry alone.
    pub salts: Vec<Option<String>>,
}

impl ErasedFields {
    /// How many fields it covers: three or six, the same for digests, texts and salts.
    pub fn field_count(&self) -> Result<usize> {
        let n = self.digests.len();
        if (n == 3 || n == hash::PRIVATE_FIELDS.len()) && self.texts.len() == n && self.salts.len() == n {
            Ok(n)
        } else {
            Err(Error::Corrupt(format!(
                "an erasure lists {} digests, {} texts and {} salts for transaction #{}; fondo writes 3 or 6 of each",
                n,
                self.texts.len(),
                self.salts.len(),
                self.txn_id
            )))
        }
    }
}

/// An import key an erasure replaced: the commitment its batch's digest covers (its salt is
/// gone, so it confirms no guess), and the random token that now stands in its place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasedKey {
    pub txn_id: i64,
    pub commitment: String,
    pub token: String,
}

/// The private texts of one sealed entry that an erasure replaced: each now reads as
/// [`erased_value`], in `entry_texts` and in the row the entry wrote, and has no salt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasedEntryText {
    pub entry_id: i64,
    pub fields: Vec<String>,
}

/// What an erasure leaves in a private field of an entry: its placeholder, or for a file's
/// fingerprint or an attachment's digest (which must stay 64 hex digits) zeros.
pub fn erased_value(field: &str, erasure_id: i64) -> String {
    if field == "file_sha256" || field == "sha256" {
        "0".repeat(64)
    } else {
        crate::domain::privacy::placeholder(erasure_id)
    }
}

impl Entry {
    /// What kind of entry this is, as its body names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::Schema { .. } => "schema",
            Entry::Setting { .. } => "setting",
            Entry::AccountAdded { .. } => "account_added",
            Entry::FundAdded { .. } => "fund_added",
            Entry::CommuneAdded { .. } => "commune_added",
            Entry::FundChanged { .. } => "fund_changed",
            Entry::CommuneChanged { .. } => "commune_changed",
            Entry::AccountClosed { .. } => "account_closed",
            Entry::ReconciliationUndone { .. } => "reconciliation_undone",
            Entry::PeriodClosed { .. } => "period_closed",
            Entry::LockOverridden { .. } => "lock_overridden",
            Entry::Confirmed { .. } => "confirmed",
            Entry::Reconciled { .. } => "reconciled",
            Entry::ImportBatch { .. } => "import_batch",
            Entry::Erasure { .. } => "erasure",
            Entry::DonorRenamed { .. } => "donor_renamed",
            Entry::Attached { .. } => "attached",
            Entry::RateAdded { .. } => "rate_added",
            Entry::Refunded { .. } => "refunded",
            Entry::BudgetSet { .. } => "budget_set",
            Entry::PledgeAdded { .. } => "pledge_added",
            Entry::PledgeEnded { .. } => "pledge_ended",
            Entry::PledgeDonorChanged { .. } => "pledge_donor_changed",
        }
    }

    /// The private text of its own a sealed entry keeps apart (`entered_by` aside, which
    /// every entry has): field name and text, in a fixed order.
    pub fn private_texts(&self) -> Vec<(&'static str, Option<String>)> {
        match self {
            Entry::Confirmed { reference, note, .. } => {
                vec![("reference", reference.clone()), ("note", note.clone())]
            }
            Entry::Reconciled { file_name, .. } => vec![("file_name", Some(file_name.clone()))],
            Entry::ImportBatch {
                file_name,
                file_sha256,
                ..
            } => vec![
                ("file_name", Some(file_name.clone())),
                ("file_sha256", Some(file_sha256.clone())),
            ],
            Entry::LockOverridden { reason, .. } => vec![("reason", Some(reason.clone()))],
            Entry::Attached {
                file_name,
                note,
                sha256,
                private_sha256,
                ..
            } => {
                let mut texts = vec![("file_name", Some(file_name.clone())), ("note", note.clone())];
                if *private_sha256 {
                    texts.push(("sha256", Some(sha256.clone())));
                }
                texts
            }
            Entry::PledgeAdded { donor, .. } | Entry::PledgeDonorChanged { donor, .. } => {
                vec![("donor", Some(donor.clone()))]
            }
            _ => Vec::new(),
        }
    }

    /// Sets one of its [`Entry::private_texts`]; `None` blanks a text that must be there.
    pub(super) fn set_private_text(&mut self, field: &str, value: Option<String>) {
        let text = |slot: &mut String| *slot = value.clone().unwrap_or_default();
        match (self, field) {
            (Entry::Confirmed { reference, .. }, "reference") => *reference = value,
            (Entry::Confirmed { note, .. }, "note") => *note = value,
            (Entry::Reconciled { file_name, .. }, "file_name")
            | (Entry::ImportBatch { file_name, .. }, "file_name") => text(file_name),
            (Entry::ImportBatch { file_sha256, .. }, "file_sha256") => text(file_sha256),
            (Entry::LockOverridden { reason, .. }, "reason") => text(reason),
            (Entry::Attached { file_name, .. }, "file_name") => text(file_name),
            (Entry::Attached { note, .. }, "note") => *note = value,
            (Entry::Attached { sha256, .. }, "sha256") => text(sha256),
            (Entry::PledgeAdded { donor, .. }, "donor")
            | (Entry::PledgeDonorChanged { donor, .. }, "donor") => text(donor),
            _ => {}
        }
    }

    /// The projected row that holds this entry's private texts (who entered it included),
    /// which an erasure of them rewrites: its table and key.
    pub fn text_row(&self) -> Option<(&'static Table, i64)> {
        match self {
            Entry::Confirmed { id, .. } => Some((&CONFIRMATIONS, *id)),
            Entry::Reconciled { id, .. } => Some((&RECONCILIATIONS, *id)),
            Entry::ImportBatch { id, .. } => Some((&IMPORT_BATCHES, *id)),
            Entry::LockOverridden { txn_id, .. } => Some((&LOCK_OVERRIDES, *txn_id)),
            Entry::PeriodClosed { id, .. } => Some((&PERIOD_LOCKS, *id)),
            Entry::Erasure { id, .. } => Some((&ERASURES, *id)),
            Entry::Attached { id, .. } => Some((&ATTACHMENTS, *id)),
            Entry::RateAdded { id, .. } => Some((&RATES, *id)),
            Entry::PledgeAdded { id, .. } | Entry::PledgeDonorChanged { id, .. } => Some((&PLEDGES, *id)),
            _ => None,
        }
    }
}
