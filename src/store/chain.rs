//! The ledger's one hash chain. Transactions and *entries* — every change to the state a
//! report or a guard reads besides transactions: settings, accounts, funds, communes,
//! confirmations, reconciliations, import batches, erasures — are links of a single chain,
//! so one head proves all of it.
//!
//! An entry is a JSON body (an [`Entry`]) in the `entries` table. The tables a report reads
//! (`funds`, `communes`, …) are projections of the entries: the only code that writes them
//! is [`append`], which records the entry and then writes the rows it implies (the table
//! triggers refuse any other write), and `verify` replays every entry into memory and
//! reports each row of those tables that differs from the replay. State outside the chain
//! therefore cannot pass `verify`.
//!
//! Personal text: an entry recorded since schema 9 is *sealed*. Who entered it, and the
//! text of its own that may name a person (a confirmation's receipt and note, an import's or
//! a reconciliation's file name, an import's file fingerprint, a forced date's reason) are
//! kept in `entry_texts`, each field with a salt of its own, and its body holds their salted
//! digests instead (under `digests`). Its hash covers the body as stored, so `donor forget`
//! can replace such a text with its placeholder and drop the salt, as it does for a
//! transaction's, without breaking the chain. Entries recorded before hold their text in
//! their body, which their hash covers as it is.
//!
//! Order: entries sit between transactions. An entry's `after_txn` is the last
//! transaction recorded before it, so the chain is transaction 1, the entries after it,
//! transaction 2, …; each link's `prev_hash` is the hash of the link before it of either kind.

use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::hash::{self, GENESIS};
use crate::error::{Error, Result};

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
    },
    /// `donor rename` / `donor merge`: the counterparty of each transaction in `revised` was
    /// given a new text (whose salted digest it records); it names no one.
    DonorRenamed { revised: Vec<Revision> },
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
/// fingerprint (which must stay 64 hex digits) zeros.
pub fn erased_value(field: &str, erasure_id: i64) -> String {
    if field == "file_sha256" {
        "0".repeat(64)
    } else {
        crate::domain::privacy::placeholder(erasure_id)
    }
}

/// A table that is a projection of the entries: its key columns and every column the
/// entries determine (all of them).
pub struct Table {
    pub name: &'static str,
    pub key: &'static [&'static str],
    pub columns: &'static [&'static str],
}

const META: Table = Table {
    name: "meta",
    key: &["key"],
    columns: &["key", "value", "entry_id"],
};
const ACCOUNTS: Table = Table {
    name: "accounts",
    key: &["id"],
    columns: &[
        "id",
        "name",
        "type",
        "allow_negative",
        "closed",
        "created_at",
        "entry_id",
    ],
};
const FUNDS: Table = Table {
    name: "funds",
    key: &["id"],
    columns: &[
        "id",
        "code",
        "name",
        "target_minor",
        "target_currency",
        "restricted",
        "closed",
        "created_at",
        "entry_id",
    ],
};
const COMMUNES: Table = Table {
    name: "communes",
    key: &["id"],
    columns: &[
        "id",
        "slug",
        "name",
        "state",
        "account_id",
        "created_at",
        "entry_id",
    ],
};
const CONFIRMATIONS: Table = Table {
    name: "confirmations",
    key: &["id"],
    columns: &[
        "id",
        "txn_id",
        "date",
        "reference",
        "note",
        "entered_at",
        "entered_by",
        "entry_id",
    ],
};
const RECONCILIATIONS: Table = Table {
    name: "reconciliations",
    key: &["id"],
    columns: &[
        "id",
        "account_id",
        "currency",
        "statement_date",
        "statement_balance_minor",
        "ledger_balance_minor",
        "file_name",
        "file_sha256",
        "matched_count",
        "entered_at",
        "entered_by",
        "forced",
        "undone",
        "entry_id",
    ],
};
const RECONCILED_POSTINGS: Table = Table {
    name: "reconciled_postings",
    key: &["posting_id", "reconciliation_id"],
    columns: &["posting_id", "reconciliation_id", "statement_line", "entry_id"],
};
const IMPORT_BATCHES: Table = Table {
    name: "import_batches",
    key: &["id"],
    columns: &[
        "id",
        "file_name",
        "file_sha256",
        "format",
        "row_count",
        "added_count",
        "skipped_count",
        "entered_at",
        "entered_by",
        "entry_id",
    ],
};
const ERASURES: Table = Table {
    name: "erasures",
    key: &["id"],
    columns: &["id", "placeholder", "entered_at", "entered_by", "entry_id"],
};
const ERASED_TEXT: Table = Table {
    name: "erased_text",
    key: &["txn_id", "erasure_id"],
    columns: &[
        "txn_id",
        "erasure_id",
        "description_digest",
        "counterparty_digest",
        "memo_digest",
        "description",
        "counterparty",
        "memo",
        "description_salt",
        "counterparty_salt",
        "memo_salt",
        "reference_digest",
        "entered_by_digest",
        "source_digest",
        "reference",
        "entered_by",
        "source",
        "reference_salt",
        "entered_by_salt",
        "source_salt",
        "entry_id",
    ],
};
const ERASED_ENTRY_TEXTS: Table = Table {
    name: "erased_entry_texts",
    key: &["erased_entry", "field"],
    columns: &["erased_entry", "field", "erasure_id", "entry_id"],
};

const TEXT_REVISIONS: Table = Table {
    name: "text_revisions",
    key: &["txn_id", "field", "entry_id"],
    columns: &[
        "txn_id",
        "field",
        "erasure_id",
        "hash_digest",
        "new_digest",
        "entry_id",
    ],
};

const ERASED_KEYS: Table = Table {
    name: "erased_keys",
    key: &["txn_id"],
    columns: &["txn_id", "erasure_id", "commitment", "token", "entry_id"],
};

const PERIOD_LOCKS: Table = Table {
    name: "period_locks",
    key: &["id"],
    columns: &[
        "id",
        "through",
        "account_id",
        "entered_at",
        "entered_by",
        "entry_id",
    ],
};
const LOCK_OVERRIDES: Table = Table {
    name: "lock_overrides",
    key: &["txn_id"],
    columns: &[
        "txn_id",
        "through",
        "reason",
        "entered_at",
        "entered_by",
        "entry_id",
    ],
};

/// Every projected table, in the order `verify` reports them.
pub const TABLES: [&Table; 15] = [
    &META,
    &ACCOUNTS,
    &FUNDS,
    &COMMUNES,
    &CONFIRMATIONS,
    &RECONCILIATIONS,
    &RECONCILED_POSTINGS,
    &IMPORT_BATCHES,
    &ERASURES,
    &ERASED_TEXT,
    &ERASED_KEYS,
    &ERASED_ENTRY_TEXTS,
    &TEXT_REVISIONS,
    &PERIOD_LOCKS,
    &LOCK_OVERRIDES,
];

/// One row an entry writes.
pub struct Row {
    pub table: &'static Table,
    pub change: Change,
}

/// How an entry changes a row.
pub enum Change {
    /// A new row, a value for every column; an entry that adds an existing key is refused.
    Add(Vec<Value>),
    /// A row that may replace the one with the same key (a setting), every column.
    Replace(Vec<Value>),
    /// Some columns of an existing row (the entry's id is set too); the key's values first.
    Update {
        key: Vec<Value>,
        set: Vec<(&'static str, Value)>,
    },
}

/// Who recorded an entry, and when.
pub struct Stamp<'a> {
    pub entered_at: &'a str,
    pub entered_by: &'a str,
}

fn text(value: &str) -> Value {
    Value::Text(value.to_string())
}

fn optional_text(value: Option<&str>) -> Value {
    value.map_or(Value::Null, text)
}

fn optional_int(value: Option<i64>) -> Value {
    value.map_or(Value::Null, Value::Integer)
}

fn optional_blob(hex_text: Option<&str>) -> Result<Value> {
    hex_text.map_or(Ok(Value::Null), |h| {
        hash::unhex(h)
            .map(Value::Blob)
            .ok_or_else(|| Error::Corrupt(format!("a salt in an erasure entry is not hex: `{h}`")))
    })
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
            _ => Vec::new(),
        }
    }

    /// Sets one of its [`Entry::private_texts`]; `None` blanks a text that must be there.
    fn set_private_text(&mut self, field: &str, value: Option<String>) {
        let text = |slot: &mut String| *slot = value.clone().unwrap_or_default();
        match (self, field) {
            (Entry::Confirmed { reference, .. }, "reference") => *reference = value,
            (Entry::Confirmed { note, .. }, "note") => *note = value,
            (Entry::Reconciled { file_name, .. }, "file_name")
            | (Entry::ImportBatch { file_name, .. }, "file_name") => text(file_name),
            (Entry::ImportBatch { file_sha256, .. }, "file_sha256") => text(file_sha256),
            (Entry::LockOverridden { reason, .. }, "reason") => text(reason),
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
            _ => None,
        }
    }

    /// The rows this entry writes, with what they need looked up.
    pub fn rows(&self, entry_id: i64, stamp: &Stamp<'_>, lookup: &mut dyn Lookup) -> Result<Vec<Row>> {
        let rows = EntryRows {
            entry_id: Value::Integer(entry_id),
            at: text(stamp.entered_at),
            by: text(stamp.entered_by),
        };
        Ok(match self {
            Entry::Schema { .. } => Vec::new(),
            Entry::Setting { key, value } => vec![Row {
                table: &META,
                change: Change::Replace(vec![text(key), text(value), rows.entry_id.clone()]),
            }],
            Entry::AccountAdded { .. } | Entry::FundAdded { .. } | Entry::CommuneAdded { .. } => {
                self.added_rows(&rows)?
            }
            Entry::FundChanged { .. }
            | Entry::CommuneChanged { .. }
            | Entry::AccountClosed { .. }
            | Entry::ReconciliationUndone { .. } => self.changed_rows(&rows)?,
            Entry::PeriodClosed { .. }
            | Entry::LockOverridden { .. }
            | Entry::Confirmed { .. }
            | Entry::ImportBatch { .. } => self.recorded_rows(&rows)?,
            Entry::Reconciled { .. } => self.reconciled_rows(&rows, lookup)?,
            Entry::DonorRenamed { revised } => {
                revision_rows(revised, None, &|table, values| rows.add(table, values))?
            }
            Entry::Erasure { .. } => self.erasure_rows(&rows, lookup)?,
        })
    }

    /// The row an account, fund or commune entry adds ([`Entry::rows`] sends each kind to its
    /// own; another is a bug).
    fn added_rows(&self, rows: &EntryRows) -> Result<Vec<Row>> {
        Ok(match self {
            Entry::AccountAdded {
                id,
                name,
                account_type,
                allow_negative,
            } => vec![rows.add(
                &ACCOUNTS,
                vec![
                    Value::Integer(*id),
                    text(name),
                    text(account_type),
                    Value::Integer(i64::from(*allow_negative)),
                    Value::Integer(0),
                    rows.at.clone(),
                ],
            )],
            Entry::FundAdded {
                id,
                code,
                name,
                target_minor,
                target_currency,
                restricted,
            } => vec![rows.add(
                &FUNDS,
                vec![
                    Value::Integer(*id),
                    text(code),
                    text(name),
                    optional_int(*target_minor),
                    optional_text(target_currency.as_deref()),
                    Value::Integer(i64::from(*restricted)),
                    Value::Integer(0),
                    rows.at.clone(),
                ],
            )],
            Entry::CommuneAdded {
                id,
                slug,
                name,
                state,
                account_id,
            } => vec![rows.add(
                &COMMUNES,
                vec![
                    Value::Integer(*id),
                    text(slug),
                    text(name),
                    text(state),
                    Value::Integer(*account_id),
                    rows.at.clone(),
                ],
            )],
            other => return Err(misplaced(other)),
        })
    }

    /// The change to a fund, commune, account or reconciliation an entry makes (another kind
    /// is a bug).
    fn changed_rows(&self, rows: &EntryRows) -> Result<Vec<Row>> {
        Ok(match self {
            Entry::FundChanged {
                id,
                name,
                target_minor,
                target_currency,
                closed,
            } => vec![rows.update(
                &FUNDS,
                *id,
                vec![
                    ("name", text(name)),
                    ("target_minor", optional_int(*target_minor)),
                    ("target_currency", optional_text(target_currency.as_deref())),
                    ("closed", Value::Integer(i64::from(*closed))),
                ],
            )],
            Entry::CommuneChanged { id, name, state } => {
                vec![rows.update(&COMMUNES, *id, vec![("name", text(name)), ("state", text(state))])]
            }
            Entry::AccountClosed { id } => {
                vec![rows.update(&ACCOUNTS, *id, vec![("closed", Value::Integer(1))])]
            }
            Entry::ReconciliationUndone { id } => {
                vec![rows.update(&RECONCILIATIONS, *id, vec![("undone", Value::Integer(1))])]
            }
            other => return Err(misplaced(other)),
        })
    }

    /// The row a closed period, a lock override, a confirmation or an import batch adds,
    /// stamped with who recorded it (another kind is a bug).
    fn recorded_rows(&self, rows: &EntryRows) -> Result<Vec<Row>> {
        let (at, by) = (rows.at.clone(), rows.by.clone());
        Ok(match self {
            Entry::PeriodClosed {
                id,
                through,
                account_id,
            } => vec![rows.add(
                &PERIOD_LOCKS,
                vec![
                    Value::Integer(*id),
                    text(through),
                    optional_int(*account_id),
                    at,
                    by,
                ],
            )],
            Entry::LockOverridden {
                txn_id,
                through,
                reason,
            } => vec![rows.add(
                &LOCK_OVERRIDES,
                vec![Value::Integer(*txn_id), text(through), text(reason), at, by],
            )],
            Entry::Confirmed {
                id,
                txn_id,
                date,
                reference,
                note,
            } => vec![rows.add(
                &CONFIRMATIONS,
                vec![
                    Value::Integer(*id),
                    Value::Integer(*txn_id),
                    text(date),
                    optional_text(reference.as_deref()),
                    optional_text(note.as_deref()),
                    at,
                    by,
                ],
            )],
            Entry::ImportBatch {
                id,
                file_name,
                file_sha256,
                format,
                row_count,
                added_count,
                skipped_count,
                ..
            } => vec![rows.add(
                &IMPORT_BATCHES,
                vec![
                    Value::Integer(*id),
                    text(file_name),
                    text(file_sha256),
                    text(format),
                    Value::Integer(*row_count),
                    Value::Integer(*added_count),
                    Value::Integer(*skipped_count),
                    at,
                    by,
                ],
            )],
            other => return Err(misplaced(other)),
        })
    }

    /// A reconciliation's row, then a row for each posting it matched (another kind is a bug).
    fn reconciled_rows(&self, rows: &EntryRows, lookup: &mut dyn Lookup) -> Result<Vec<Row>> {
        let Entry::Reconciled {
            id,
            account_id,
            currency,
            statement_date,
            statement_balance_minor,
            ledger_balance_minor,
            file_name,
            file_sha256,
            matched,
            forced,
        } = self
        else {
            return Err(misplaced(self));
        };
        let mut all = vec![rows.add(
            &RECONCILIATIONS,
            vec![
                Value::Integer(*id),
                Value::Integer(*account_id),
                text(currency),
                text(statement_date),
                optional_int(*statement_balance_minor),
                Value::Integer(*ledger_balance_minor),
                text(file_name),
                text(file_sha256),
                Value::Integer(matched.len() as i64),
                rows.at.clone(),
                rows.by.clone(),
                Value::Integer(i64::from(*forced)),
                Value::Integer(0),
            ],
        )];
        for (txn, line, statement_line) in matched {
            all.push(rows.add(
                &RECONCILED_POSTINGS,
                vec![
                    Value::Integer(lookup.posting_id(*txn, *line)?),
                    Value::Integer(*id),
                    Value::Integer(*statement_line),
                ],
            ));
        }
        Ok(all)
    }

    /// An erasure's row, then its text revisions, the texts it erased, the import keys it
    /// replaced and the entry texts it erased (another kind is a bug).
    fn erasure_rows(&self, rows: &EntryRows, lookup: &mut dyn Lookup) -> Result<Vec<Row>> {
        let Entry::Erasure {
            id,
            placeholder,
            erased,
            keys,
            entry_texts,
            revised,
        } = self
        else {
            return Err(misplaced(self));
        };
        let mut all = vec![rows.add(
            &ERASURES,
            vec![
                Value::Integer(*id),
                text(placeholder),
                rows.at.clone(),
                rows.by.clone(),
            ],
        )];
        all.extend(revision_rows(revised, Some(*id), &|table, values| {
            rows.add(table, values)
        })?);
        all.extend(erased_text_rows(rows, *id, erased)?);
        all.extend(erased_key_rows(rows, *id, keys)?);
        all.extend(erased_entry_text_rows(rows, lookup, *id, entry_texts)?);
        Ok(all)
    }
}

/// What every row an entry writes shares: the entry's id, and when and by whom it was
/// entered (the columns that hold them differ by table).
struct EntryRows {
    entry_id: Value,
    at: Value,
    by: Value,
}

impl EntryRows {
    /// A new row of `table`: its `values`, then the entry's id.
    fn add(&self, table: &'static Table, mut values: Vec<Value>) -> Row {
        values.push(self.entry_id.clone());
        Row {
            table,
            change: Change::Add(values),
        }
    }

    /// Sets columns of `table`'s row `id`, and its entry's id.
    fn update(&self, table: &'static Table, id: i64, mut set: Vec<(&'static str, Value)>) -> Row {
        set.push(("entry_id", self.entry_id.clone()));
        Row {
            table,
            change: Change::Update {
                key: vec![Value::Integer(id)],
                set,
            },
        }
    }
}

/// The `erased_text` rows of erasure `erasure_id`: a transaction's digests, texts and salts.
fn erased_text_rows(rows: &EntryRows, erasure_id: i64, erased: &[ErasedFields]) -> Result<Vec<Row>> {
    let mut all = Vec::new();
    for e in erased {
        e.field_count()?;
        let mut values = vec![Value::Integer(e.txn_id), Value::Integer(erasure_id)];
        // The first three fields' columns, then the three schema 9 added.
        for fields in [0..3, 3..6] {
            for i in fields.clone() {
                values.push(optional_text(e.digests.get(i).cloned().flatten().as_deref()));
            }
            for i in fields.clone() {
                values.push(optional_text(e.texts.get(i).cloned().flatten().as_deref()));
            }
            for i in fields {
                values.push(optional_blob(e.salts.get(i).cloned().flatten().as_deref())?);
            }
        }
        all.push(rows.add(&ERASED_TEXT, values));
    }
    Ok(all)
}

/// The `erased_keys` rows of erasure `erasure_id`: the commitment each replaced key kept and
/// the token in its place.
fn erased_key_rows(rows: &EntryRows, erasure_id: i64, keys: &[ErasedKey]) -> Result<Vec<Row>> {
    let mut all = Vec::new();
    for k in keys {
        let token = hash::unhex(&k.token).ok_or_else(|| {
            Error::Corrupt(format!("a token in an erasure entry is not hex: `{}`", k.token))
        })?;
        all.push(rows.add(
            &ERASED_KEYS,
            vec![
                Value::Integer(k.txn_id),
                Value::Integer(erasure_id),
                text(&k.commitment),
                Value::Blob(token),
            ],
        ));
    }
    Ok(all)
}

/// The `erased_entry_texts` rows of erasure `erasure_id`, each entry's followed by the
/// change to the row that entry wrote.
fn erased_entry_text_rows(
    rows: &EntryRows,
    lookup: &mut dyn Lookup,
    erasure_id: i64,
    entry_texts: &[ErasedEntryText],
) -> Result<Vec<Row>> {
    let mut all = Vec::new();
    for e in entry_texts {
        for field in &e.fields {
            all.push(rows.add(
                &ERASED_ENTRY_TEXTS,
                vec![
                    Value::Integer(e.entry_id),
                    text(field),
                    Value::Integer(erasure_id),
                ],
            ));
        }
        // The row the entry wrote holds the same texts: one change for all of them.
        if let Some((table, key)) = lookup.text_row(e.entry_id)? {
            let set: Vec<(&'static str, Value)> = table
                .columns
                .iter()
                .filter(|c| e.fields.iter().any(|f| f == *c))
                .map(|c| (*c, text(&erased_value(c, erasure_id))))
                .collect();
            if !set.is_empty() {
                all.push(rows.update(table, key, set));
            }
        }
    }
    Ok(all)
}

/// An entry handed to the rows of another kind: a bug in [`Entry::rows`], stopped before
/// anything is written rather than projected as nothing.
fn misplaced(entry: &Entry) -> Error {
    Error::Internal(format!("no rows are made here for a `{}` entry", entry.kind()))
}

/// The `text_revisions` rows of an erasure (`erasure_id`) or a rename; a rename's each
/// have a new digest, an erasure's none.
fn revision_rows(
    revised: &[Revision],
    erasure_id: Option<i64>,
    row: &dyn Fn(&'static Table, Vec<Value>) -> Row,
) -> Result<Vec<Row>> {
    revised
        .iter()
        .map(|r| {
            if !hash::PRIVATE_FIELDS.contains(&r.field.as_str()) {
                return Err(Error::Corrupt(format!(
                    "a revision of transaction #{} names a field fondo does not have: `{}`",
                    r.txn_id, r.field
                )));
            }
            if erasure_id.is_some() == r.new_digest.is_some() {
                return Err(Error::Corrupt(format!(
                    "a revision of transaction #{}'s {} gives it {} new digest, but an {} does {}",
                    r.txn_id,
                    r.field,
                    if r.new_digest.is_some() { "a" } else { "no" },
                    if erasure_id.is_some() { "erasure" } else { "rename" },
                    if erasure_id.is_some() { "not" } else { "so" }
                )));
            }
            Ok(row(
                &TEXT_REVISIONS,
                vec![
                    Value::Integer(r.txn_id),
                    text(&r.field),
                    optional_int(erasure_id),
                    text(&r.hash_digest),
                    optional_text(r.new_digest.as_deref()),
                ],
            ))
        })
        .collect()
}

/// What an entry's rows need looked up: a posting's row id, and the row an earlier entry
/// wrote (an erasure of its texts rewrites it).
pub trait Lookup {
    fn posting_id(&mut self, txn: i64, line: i64) -> Result<i64>;
    fn text_row(&mut self, entry_id: i64) -> Result<Option<(&'static Table, i64)>>;
}

/// Looks up in the ledger itself.
struct Stored<'c>(&'c Connection);

impl Lookup for Stored<'_> {
    fn posting_id(&mut self, txn: i64, line: i64) -> Result<i64> {
        posting_id(self.0, txn, line)
    }

    fn text_row(&mut self, entry_id: i64) -> Result<Option<(&'static Table, i64)>> {
        let body: Option<String> = self
            .0
            .prepare_cached("SELECT body FROM entries WHERE id = ?1")?
            .query_row([entry_id], |r| r.get(0))
            .optional()?;
        let Some(body) = body else {
            return Err(Error::Corrupt(format!(
                "an erasure names entry {entry_id}, which does not exist"
            )));
        };
        let (entry, _) = parse_body(&body).map_err(Error::Corrupt)?;
        Ok(entry.text_row())
    }
}

/// The digests a sealed entry's body holds in place of its private texts.
pub type Digests = serde_json::Map<String, serde_json::Value>;

/// An entry's body as stored: the entry (a sealed one's private texts blank) and, if it is
/// sealed, the digests of its private texts.
fn parse_body(body: &str) -> std::result::Result<(Entry, Option<Digests>), String> {
    let mut value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| format!("its body is not an entry fondo writes ({e})"))?;
    let digests = match value.as_object_mut().and_then(|o| o.remove("digests")) {
        None => None,
        Some(serde_json::Value::Object(digests)) => Some(digests),
        Some(_) => return Err("its body's digests are not an object".to_string()),
    };
    let entry =
        serde_json::from_value(value).map_err(|e| format!("its body is not an entry fondo writes ({e})"))?;
    Ok((entry, digests))
}

/// One private text of a sealed entry, as `entry_texts` holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryText {
    pub field: String,
    pub text: Option<String>,
    /// Zeros for an empty field; `None` once an erasure replaced the text.
    pub salt: Option<Vec<u8>>,
}

/// Seals `entry` entered by `entered_by`: the body to store (its private texts blank, their
/// digests under `digests`), and each text with its new random salt.
fn seal(entry: &Entry, entered_by: &str) -> Result<(String, Vec<EntryText>)> {
    let mut blank = entry.clone();
    let mut texts = Vec::new();
    let mut digests = Digests::new();
    let private = std::iter::once(("entered_by", Some(entered_by.to_string()))).chain(entry.private_texts());
    for (field, text) in private {
        blank.set_private_text(field, None);
        let salt = match text {
            Some(_) => hash::random::<{ hash::FIELD_SALT_LEN }>()?,
            None => [0_u8; hash::FIELD_SALT_LEN],
        };
        let digest = hash::private_digest(&salt, field, text.as_deref());
        digests.insert(
            field.to_string(),
            digest.map_or(serde_json::Value::Null, serde_json::Value::String),
        );
        texts.push(EntryText {
            field: field.to_string(),
            text,
            salt: Some(salt.to_vec()),
        });
    }
    let mut value = serde_json::to_value(&blank)
        .map_err(|e| Error::Internal(format!("an entry could not be written as JSON: {e}")))?;
    value
        .as_object_mut()
        .ok_or_else(|| Error::Internal("an entry is not a JSON object".into()))?
        .insert("digests".to_string(), serde_json::Value::Object(digests));
    Ok((value.to_string(), texts))
}

/// Where the chain ends: the last transaction, the last entry, and the hash a new link
/// chains to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub last_txn: i64,
    pub last_entry: i64,
    pub hash: String,
}

/// The chain's head as stored.
pub fn head(conn: &Connection) -> Result<Head> {
    let txn: Option<(i64, String)> = conn
        .prepare_cached("SELECT id, hash FROM transactions ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let entry: Option<(i64, i64, String)> = conn
        .prepare_cached("SELECT id, after_txn, hash FROM entries ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (last_txn, txn_hash) = txn.unwrap_or((0, GENESIS.to_string()));
    Ok(match entry {
        Some((last_entry, after_txn, hash)) if after_txn >= last_txn => Head {
            last_txn,
            last_entry,
            hash,
        },
        Some((last_entry, ..)) => Head {
            last_txn,
            last_entry,
            hash: txn_hash,
        },
        None => Head {
            last_txn,
            last_entry: 0,
            hash: txn_hash,
        },
    })
}

/// The hash of an entry, chained to the link before it. It covers the entry as stored: its
/// body and its `entered_by` column (empty for a sealed entry, whose body holds the digest).
pub fn entry_hash(prev_hash: &str, id: i64, after_txn: i64, body: &str, stamp: &Stamp<'_>) -> String {
    hash::Canonical::default()
        .text("entry")
        .int(id)
        .int(after_txn)
        .text(body)
        .text(stamp.entered_at)
        .text(stamp.entered_by)
        .chained_hash(prev_hash)
}

/// Records `entry` after `head` and writes the rows it implies; returns the new head.
pub fn append(conn: &Connection, head: &Head, entry: &Entry, stamp: &Stamp<'_>) -> Result<Head> {
    append_rows(conn, head, entry, stamp, false)
}

/// Like [`append`], but the rows replace any with the same key: a migration adopting into
/// the chain what an older schema kept outside it.
pub(super) fn adopt(conn: &Connection, head: &Head, entry: &Entry, stamp: &Stamp<'_>) -> Result<Head> {
    append_rows(conn, head, entry, stamp, true)
}

fn append_rows(
    conn: &Connection,
    head: &Head,
    entry: &Entry,
    stamp: &Stamp<'_>,
    replace: bool,
) -> Result<Head> {
    let id = head.last_entry + 1;
    let (body, texts) = seal(entry, stamp.entered_by)?;
    let stored = Stamp {
        entered_at: stamp.entered_at,
        entered_by: "",
    };
    let hash = entry_hash(&head.hash, id, head.last_txn, &body, &stored);
    conn.prepare_cached(
        "INSERT INTO entries (id, after_txn, body, entered_at, entered_by, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        head.last_txn,
        body,
        stamp.entered_at,
        stored.entered_by,
        head.hash,
        hash
    ])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO entry_texts (entry_id, field, text, salt) VALUES (?1, ?2, ?3, ?4)")?;
    for t in &texts {
        insert.execute(params![id, t.field, t.text, t.salt])?;
    }
    drop(insert);
    for mut row in entry.rows(id, stamp, &mut Stored(conn))? {
        if let (true, Change::Add(values)) = (replace, &mut row.change) {
            row.change = Change::Replace(std::mem::take(values));
        }
        write_row(conn, &row)?;
    }
    Ok(Head {
        last_txn: head.last_txn,
        last_entry: id,
        hash,
    })
}

fn write_row(conn: &Connection, row: &Row) -> Result<()> {
    let t = row.table;
    let numbered = |n: usize| (1..=n).map(|i| format!("?{i}")).collect::<Vec<_>>();
    let (sql, values): (String, Vec<&Value>) = match &row.change {
        Change::Add(values) | Change::Replace(values) => {
            let mut sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                t.name,
                t.columns.join(", "),
                numbered(t.columns.len()).join(", ")
            );
            if matches!(row.change, Change::Replace(_)) {
                let updates: Vec<String> = t
                    .columns
                    .iter()
                    .filter(|c| !t.key.contains(c))
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect();
                sql.push_str(&format!(
                    " ON CONFLICT ({}) DO UPDATE SET {}",
                    t.key.join(", "),
                    updates.join(", ")
                ));
            }
            (sql, values.iter().collect())
        }
        Change::Update { key, set } => {
            let assignments: Vec<String> = set
                .iter()
                .zip(1..)
                .map(|((c, _), i)| format!("{c} = ?{i}"))
                .collect();
            let conditions: Vec<String> = t
                .key
                .iter()
                .zip(set.len() + 1..)
                .map(|(c, i)| format!("{c} = ?{i}"))
                .collect();
            let sql = format!(
                "UPDATE {} SET {} WHERE {}",
                t.name,
                assignments.join(", "),
                conditions.join(" AND ")
            );
            (sql, set.iter().map(|(_, v)| v).chain(key).collect())
        }
    };
    let changed = conn
        .prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    if changed != 1 {
        return Err(Error::Internal(format!(
            "an entry changed {changed} rows of {}",
            t.name
        )));
    }
    Ok(())
}

/// The row id of a transaction's posting, as a reconciliation names it.
pub(crate) fn posting_id(conn: &Connection, txn: i64, line: i64) -> Result<i64> {
    conn.prepare_cached("SELECT id FROM postings WHERE txn_id = ?1 AND line = ?2")?
        .query_row([txn, line], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::Corrupt(format!("transaction #{txn} has no posting {line}")))
}

/// The (transaction, line) of a posting row.
pub(crate) fn posting_line(conn: &Connection, posting_id: i64) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT txn_id, line FROM postings WHERE id = ?1",
        [posting_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// One stored entry, as the chain walk reads it.
pub struct StoredEntry {
    pub id: i64,
    pub after_txn: i64,
    pub body: String,
    pub entered_at: String,
    /// As stored: empty for a sealed entry, whose author is among its `texts`.
    pub entered_by: String,
    pub prev_hash: String,
    pub hash: String,
    /// A sealed entry's private texts, as `entry_texts` holds them.
    pub texts: Vec<EntryText>,
    /// Whether its body is sealed (holds digests of private texts kept apart).
    pub sealed: bool,
}

impl StoredEntry {
    /// Who entered it and when, as stored: what its hash covers.
    pub fn stamp(&self) -> Stamp<'_> {
        Stamp {
            entered_at: &self.entered_at,
            entered_by: &self.entered_by,
        }
    }

    /// Who entered it: a sealed entry's text as it stands (a placeholder once erased).
    pub fn author(&self) -> &str {
        self.texts
            .iter()
            .filter(|_| self.sealed)
            .find(|t| t.field == "entered_by")
            .and_then(|t| t.text.as_deref())
            .unwrap_or(&self.entered_by)
    }

    /// The entry, a sealed one's private texts filled in as they stand, and a sealed one's
    /// digests of them.
    pub fn open(&self) -> std::result::Result<(Entry, Option<Digests>), String> {
        let (mut entry, digests) = parse_body(&self.body)?;
        if digests.is_some() {
            for t in &self.texts {
                entry.set_private_text(&t.field, t.text.clone());
            }
        }
        Ok((entry, digests))
    }

    pub fn entry(&self) -> std::result::Result<Entry, String> {
        self.open().map(|(entry, _)| entry)
    }
}

/// An entry's place in the chain: after the transaction it names and before the next one.
pub trait Placed {
    /// The last transaction recorded before the entry.
    fn after_txn(&self) -> i64;
}

impl Placed for StoredEntry {
    fn after_txn(&self) -> i64 {
        self.after_txn
    }
}

impl<T: Placed> Placed for &T {
    fn after_txn(&self) -> i64 {
        (*self).after_txn()
    }
}

/// Entries in chain order, handed to a walk along the transactions as it reaches them: the
/// walk takes the entries before each transaction, then the rest after the last one.
pub struct Interleave<I: Iterator> {
    entries: std::iter::Peekable<I>,
}

impl<I> Interleave<I>
where
    I: Iterator,
    I::Item: Placed,
{
    /// `entries` must be in chain order (by id).
    pub fn new(entries: impl IntoIterator<IntoIter = I>) -> Interleave<I> {
        Interleave {
            entries: entries.into_iter().peekable(),
        }
    }

    /// The next entry recorded before transaction `txn`.
    pub fn next_before(&mut self, txn: i64) -> Option<I::Item> {
        self.entries.next_if(|e| e.after_txn() < txn)
    }

    /// The next entry left once every transaction is walked.
    pub fn next_after_last(&mut self) -> Option<I::Item> {
        self.entries.next()
    }
}

/// Every entry, in chain order, with a sealed entry's private texts.
pub fn entries(conn: &Connection) -> Result<Vec<StoredEntry>> {
    let mut stmt = conn.prepare(
        "SELECT id, after_txn, body, entered_at, entered_by, prev_hash, hash FROM entries ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredEntry {
            id: r.get(0)?,
            after_txn: r.get(1)?,
            body: r.get(2)?,
            entered_at: r.get(3)?,
            entered_by: r.get(4)?,
            prev_hash: r.get(5)?,
            hash: r.get(6)?,
            texts: Vec::new(),
            sealed: false,
        })
    })?;
    let mut entries: Vec<StoredEntry> = rows.collect::<rusqlite::Result<_>>()?;
    for e in &mut entries {
        e.sealed = matches!(parse_body(&e.body), Ok((_, Some(_))));
    }
    let mut stmt = conn.prepare("SELECT entry_id, field, text, salt FROM entry_texts ORDER BY entry_id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let entry_id: i64 = r.get(0)?;
        let text = EntryText {
            field: r.get(1)?,
            text: r.get(2)?,
            salt: r.get(3)?,
        };
        // Texts of no entry are left out here; verify's foreign key check names them.
        if let Ok(at) = entries.binary_search_by_key(&entry_id, |e| e.id) {
            entries[at].texts.push(text);
        }
    }
    Ok(entries)
}

/// Every entry as a reader (an audit pack, a rebuild) takes it: a sealed entry's body is the
/// entry with its private texts as they stand, and who entered it is filled in. Its hash is
/// the stored one, which covers the sealed body.
pub fn opened_entries(conn: &Connection) -> Result<Vec<StoredEntry>> {
    let mut out = entries(conn)?;
    for e in &mut out {
        if let Ok((entry, Some(_))) = e.open() {
            e.body = serde_json::to_string(&entry)
                .map_err(|err| Error::Internal(format!("an entry could not be written as JSON: {err}")))?;
            e.entered_by = e.author().to_string();
            e.texts.clear();
        }
    }
    Ok(out)
}

/// The projected tables as the entries say they should be: table → key → row.
#[derive(Default)]
pub struct Replay {
    tables: BTreeMap<&'static str, BTreeMap<String, Vec<Value>>>,
}

fn key_of(table: &Table, values: &[Value]) -> String {
    let key: Vec<&Value> = table
        .key
        .iter()
        .filter_map(|k| values.get(table.columns.iter().position(|c| c == k)?))
        .collect();
    show_key(table, key)
}

fn show_key<'v>(table: &Table, key: impl IntoIterator<Item = &'v Value>) -> String {
    table
        .key
        .iter()
        .zip(key)
        .map(|(k, v)| format!("{k} {}", show(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => r.to_string(),
        Value::Text(t) => format!("`{t}`"),
        Value::Blob(b) => format!("x'{}'", hash::hex(b)),
    }
}

impl Replay {
    /// Applies an entry's rows; an entry that adds a row that exists already is refused,
    /// as the write would have been.
    pub fn apply(&mut self, rows: Vec<Row>) -> std::result::Result<(), String> {
        for row in rows {
            let t = row.table;
            let table = self.tables.entry(t.name).or_default();
            match row.change {
                Change::Add(values) => {
                    let key = key_of(t, &values);
                    if table.contains_key(&key) {
                        return Err(format!("adds {} ({key}), which an earlier entry added", t.name));
                    }
                    table.insert(key, values);
                }
                Change::Replace(values) => {
                    table.insert(key_of(t, &values), values);
                }
                Change::Update { key, set } => {
                    let key = show_key(t, &key);
                    let Some(values) = table.get_mut(&key) else {
                        return Err(format!("changes {} ({key}), which no entry added", t.name));
                    };
                    for (column, value) in set {
                        let at = t.columns.iter().position(|c| *c == column).ok_or_else(|| {
                            format!("changes {} column `{column}`, which it does not have", t.name)
                        })?;
                        values[at] = value;
                    }
                }
            }
        }
        Ok(())
    }

    /// Compares every projected table with the replay; one line per row that differs.
    pub fn differences(mut self, conn: &Connection) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        for table in TABLES {
            let mut expected = self.tables.remove(table.name).unwrap_or_default();
            let mut stmt = conn.prepare(&format!(
                "SELECT {} FROM {} ORDER BY {}",
                table.columns.join(", "),
                table.name,
                table.key.join(", ")
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let values = (0..table.columns.len())
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let key = key_of(table, &values);
                match expected.remove(&key) {
                    None => problems.push(format!(
                        "{} ({key}): this row was not recorded in the chain (added outside fondo)",
                        table.name
                    )),
                    Some(chained) if chained != values => {
                        let changed: Vec<String> = table
                            .columns
                            .iter()
                            .zip(values.iter().zip(&chained))
                            .filter(|(_, (stored, chained))| stored != chained)
                            .map(|(c, (stored, chained))| {
                                format!("{c} is {} but the chain recorded {}", show(stored), show(chained))
                            })
                            .collect();
                        problems.push(format!(
                            "{} ({key}): changed outside fondo: {}",
                            table.name,
                            changed.join("; ")
                        ));
                    }
                    Some(_) => {}
                }
            }
            for key in expected.keys() {
                problems.push(format!(
                    "{} ({key}): a row the chain recorded is missing (deleted outside fondo)",
                    table.name
                ));
            }
        }
        Ok(problems)
    }
}

/// The import keys a batch wrote, hashed in the order of their transactions, so that a key
/// deleted, added or changed afterwards shows in `verify`. A batch recorded before schema 9
/// hashes the keys themselves ([`ImportKeys::add`]); since, each key's salted commitment
/// ([`key_commitment`]), which an erasure keeps when it replaces the key and deletes its salt.
#[derive(Default)]
pub struct ImportKeys {
    hasher: sha2::Sha256,
    pub count: i64,
}

/// The canonical form of one import key.
fn key_canonical(txn_id: i64, date: &str, content: &[u8], occurrence: i64) -> hash::Canonical {
    hash::Canonical::default()
        .int(txn_id)
        .text(date)
        .text(&hash::hex(content))
        .int(occurrence)
}

/// What a batch's digest covers of one key since schema 9: SHA-256 of the key's random salt
/// and the key. Without the salt, which an erasure deletes, it confirms no guess.
pub fn key_commitment(salt: &[u8], txn_id: i64, date: &str, content: &[u8], occurrence: i64) -> [u8; 32] {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(salt);
    hasher.update(key_canonical(txn_id, date, content, occurrence).bytes());
    hasher.finalize().into()
}

impl ImportKeys {
    /// Adds a key as a batch recorded before schema 9 covers it: the key itself.
    pub fn add(&mut self, txn_id: i64, date: &str, content: &[u8], occurrence: i64) {
        use sha2::Digest;
        self.hasher
            .update(key_canonical(txn_id, date, content, occurrence).bytes());
        self.count += 1;
    }

    /// Adds a key as a batch since schema 9 covers it: its [`key_commitment`].
    pub fn add_commitment(&mut self, commitment: &[u8; 32]) {
        use sha2::Digest;
        self.hasher.update(commitment);
        self.count += 1;
    }

    pub fn finish(self) -> String {
        use sha2::Digest;
        hash::hex(&self.hasher.finalize())
    }
}
