/// A table that is a projection of the entries: its key columns and every column the
/// entries determine (all of them).
pub struct Table {
    pub name: &'static str,
    pub key: &'static [&'static str],
    pub columns: &'static [&'static str],
}

pub(super) const META: Table = Table {
    name: "meta",
    key: &["key"],
    columns: &["key", "value", "entry_id"],
};
pub(super) const ACCOUNTS: Table = Table {
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
pub(super) const FUNDS: Table = Table {
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
pub(super) const COMMUNES: Table = Table {
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
pub(super) const CONFIRMATIONS: Table = Table {
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
pub(super) const RECONCILIATIONS: Table = Table {
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
pub(super) const RECONCILED_POSTINGS: Table = Table {
    name: "reconciled_postings",
    key: &["posting_id", "reconciliation_id"],
    columns: &["posting_id", "reconciliation_id", "statement_line", "entry_id"],
};
pub(super) const IMPORT_BATCHES: Table = Table {
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
pub(super) const ERASURES: Table = Table {
    name: "erasures",
    key: &["id"],
    columns: &["id", "placeholder", "entered_at", "entered_by", "entry_id"],
};
pub(super) const ERASED_TEXT: Table = Table {
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
pub(super) const ERASED_ENTRY_TEXTS: Table = Table {
    name: "erased_entry_texts",
    key: &["erased_entry", "field"],
    columns: &["erased_entry", "field", "erasure_id", "entry_id"],
};

pub(super) const TEXT_REVISIONS: Table = Table {
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

pub(super) const ERASED_KEYS: Table = Table {
    name: "erased_keys",
    key: &["txn_id"],
    columns: &["txn_id", "erasure_id", "commitment", "token", "entry_id"],
};

pub(super) const PERIOD_LOCKS: Table = Table {
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
pub(super) const LOCK_OVERRIDES: Table = Table {
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

pub(super) const ATTACHMENTS: Table = Table {
    name: "attachments",
    key: &["id"],
    columns: &[
        "id",
        "target",
        "target_id",
        "sha256",
        "size",
        "media_type",
        "file_name",
        "note",
        "entered_at",
        "entered_by",
        "entry_id",
    ],
};
/// `refund`: which gift each refund returns.
pub(super) const REFUNDS: Table = Table {
    name: "refunds",
    key: &["txn_id"],
    columns: &[
        "txn_id",
        "gift_id",
        "chargeback",
        "entered_at",
        "entered_by",
        "entry_id",
    ],
};
pub(super) const RATES: Table = Table {
    name: "rates",
    key: &["id"],
    columns: &[
        "id",
        "from_currency",
        "to_currency",
        "rate",
        "date",
        "corrects",
        "entered_at",
        "entered_by",
        "entry_id",
    ],
};
pub(super) const ERASED_BLOBS: Table = Table {
    name: "erased_blobs",
    key: &["sha256"],
    columns: &["sha256", "erasure_id", "entry_id"],
};
/// Since schema 12: the attachments whose file each erasure deleted.
pub(super) const ERASED_ATTACHMENTS: Table = Table {
    name: "erased_attachments",
    key: &["attachment_id"],
    columns: &["attachment_id", "erasure_id", "entry_id"],
};

pub(super) const BUDGETS: Table = Table {
    name: "budgets",
    key: &["fund_id", "period"],
    columns: &[
        "fund_id",
        "period",
        "currency",
        "amount_minor",
        "entered_at",
        "entry_id",
    ],
};
pub(super) const PLEDGES: Table = Table {
    name: "pledges",
    key: &["id"],
    columns: &[
        "id",
        "donor",
        "amount_minor",
        "currency",
        "fund_id",
        "from_month",
        "to_month",
        "entered_at",
        "entered_by",
        "entry_id",
    ],
};

/// Every projected table, in the order `verify` reports them.
pub const TABLES: [&Table; 22] = [
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
    &ATTACHMENTS,
    &ERASED_BLOBS,
    &ERASED_ATTACHMENTS,
    &RATES,
    &REFUNDS,
    &BUDGETS,
    &PLEDGES,
];
