//! The ledger's SQL schema as numbered migrations keyed on `PRAGMA user_version`.
//! Migration N takes a ledger from version N-1 to N; a released migration is never edited.

/// Marks a SQLite file as a fondo ledger (`FOND` in ASCII), at byte 68 of the header.
pub const APPLICATION_ID: i32 = 0x464F_4E44;

/// The migrations, in order. `MIGRATIONS.len()` is the schema version this build writes.
/// Migration 6 also has a step in code (`migrate::adopt_into_chain`) that records the
/// state the earlier schemas kept outside the chain as entries in it.
pub const MIGRATIONS: &[&str] = &[
    V1_CORE,
    V2_IMPORT,
    V3_RECONCILE,
    V4_ERASURE,
    V5_TOTALS_AT_COMMIT,
    V6_ONE_CHAIN,
    V7_MASTER_DATA,
    V8_DONOR_NAMES,
    V9_ERASABLE_TEXT,
    V10_TEXT_REVISIONS,
    V11_STATEMENTS,
    V12_PRIVATE_DIGESTS,
    V13_COUNTERPARTY_INDEX,
    V14_COVERING_POSTINGS_BY_ACCOUNT,
    V15_DONOR_TOTALS,
    V16_GIFT_MONTHS,
];

/// The schema version this build of fondo writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const V1_CORE: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 3 AND 400 AND name GLOB '[a-z]*:*'),
    type       TEXT NOT NULL CHECK (type IN ('assets', 'liabilities', 'equity', 'income', 'expenses')),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE funds (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),
    name            TEXT NOT NULL CHECK (length(name) > 0),
    target_minor    INTEGER CHECK (target_minor IS NULL OR target_minor > 0),
    target_currency TEXT CHECK ((target_minor IS NULL) = (target_currency IS NULL)),
    restricted      INTEGER NOT NULL CHECK (restricted IN (0, 1)),
    created_at      TEXT NOT NULL
) STRICT;

CREATE TABLE communes (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 64),
    name       TEXT NOT NULL CHECK (length(name) > 0),
    state      TEXT NOT NULL CHECK (length(state) > 0),
    account_id INTEGER NOT NULL UNIQUE REFERENCES accounts (id),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE transactions (
    id           INTEGER PRIMARY KEY CHECK (id > 0),
    date         TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    description  TEXT NOT NULL CHECK (length(description) > 0),
    counterparty TEXT,
    reference    TEXT,
    memo         TEXT,
    voids        INTEGER REFERENCES transactions (id),
    entered_at   TEXT NOT NULL,
    entered_by   TEXT NOT NULL,
    source       TEXT NOT NULL,
    prev_hash    TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash         TEXT NOT NULL CHECK (length(hash) = 64)
) STRICT;
CREATE INDEX transactions_by_date ON transactions (date, id);
-- Partial, so the many transactions without a reference or a void cost no index entry.
CREATE UNIQUE INDEX transactions_by_reference ON transactions (reference) WHERE reference IS NOT NULL;
CREATE UNIQUE INDEX transactions_by_voids ON transactions (voids) WHERE voids IS NOT NULL;

CREATE TABLE postings (
    id           INTEGER PRIMARY KEY,
    txn_id       INTEGER NOT NULL REFERENCES transactions (id),
    line         INTEGER NOT NULL CHECK (line >= 1),
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    fund_id      INTEGER NOT NULL REFERENCES funds (id),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0 AND abs(amount_minor) <= 999999999999999),
    UNIQUE (txn_id, line)
) STRICT;
CREATE INDEX postings_by_account ON postings (account_id, txn_id);

-- Debits and credits per account, fund and currency, maintained in the same SQL transaction
-- as every posting (TigerBeetle's debits_posted/credits_posted), so balances and the
-- restricted-fund check cost O(1). `verify` recomputes them from the postings.
CREATE TABLE balances (
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    fund_id      INTEGER NOT NULL REFERENCES funds (id),
    currency     TEXT NOT NULL,
    debit_minor  INTEGER NOT NULL CHECK (debit_minor >= 0),
    credit_minor INTEGER NOT NULL CHECK (credit_minor >= 0),
    PRIMARY KEY (account_id, fund_id, currency)
) STRICT, WITHOUT ROWID;

-- The same per day, so a report over any period sums days, not postings.
CREATE TABLE daily_totals (
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    fund_id      INTEGER NOT NULL REFERENCES funds (id),
    currency     TEXT NOT NULL,
    date         TEXT NOT NULL,
    debit_minor  INTEGER NOT NULL CHECK (debit_minor >= 0),
    credit_minor INTEGER NOT NULL CHECK (credit_minor >= 0),
    PRIMARY KEY (account_id, fund_id, currency, date)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER postings_maintain_balances AFTER INSERT ON postings
BEGIN
    INSERT INTO balances (account_id, fund_id, currency, debit_minor, credit_minor)
    VALUES (NEW.account_id, NEW.fund_id, NEW.currency,
            max(NEW.amount_minor, 0), max(-NEW.amount_minor, 0))
    ON CONFLICT (account_id, fund_id, currency) DO UPDATE
        SET debit_minor = debit_minor + excluded.debit_minor,
            credit_minor = credit_minor + excluded.credit_minor;
    INSERT INTO daily_totals (account_id, fund_id, currency, date, debit_minor, credit_minor)
    VALUES (NEW.account_id, NEW.fund_id, NEW.currency,
            (SELECT date FROM transactions WHERE id = NEW.txn_id),
            max(NEW.amount_minor, 0), max(-NEW.amount_minor, 0))
    ON CONFLICT (account_id, fund_id, currency, date) DO UPDATE
        SET debit_minor = debit_minor + excluded.debit_minor,
            credit_minor = credit_minor + excluded.credit_minor;
END;

-- A commune's acknowledgement that a grant reached it: a record of its own, never an edit.
CREATE TABLE confirmations (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    txn_id     INTEGER NOT NULL UNIQUE REFERENCES transactions (id),
    date       TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    reference  TEXT,
    note       TEXT,
    entered_at TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash       TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;

CREATE TRIGGER transactions_immutable_update BEFORE UPDATE ON transactions
BEGIN SELECT RAISE(ABORT, 'recorded transactions are immutable; record a void instead'); END;
CREATE TRIGGER transactions_immutable_delete BEFORE DELETE ON transactions
BEGIN SELECT RAISE(ABORT, 'recorded transactions are immutable; record a void instead'); END;
CREATE TRIGGER postings_immutable_update BEFORE UPDATE ON postings
BEGIN SELECT RAISE(ABORT, 'recorded postings are immutable; record a void instead'); END;
CREATE TRIGGER postings_immutable_delete BEFORE DELETE ON postings
BEGIN SELECT RAISE(ABORT, 'recorded postings are immutable; record a void instead'); END;
CREATE TRIGGER confirmations_immutable_update BEFORE UPDATE ON confirmations
BEGIN SELECT RAISE(ABORT, 'recorded confirmations are immutable'); END;
CREATE TRIGGER confirmations_immutable_delete BEFORE DELETE ON confirmations
BEGIN SELECT RAISE(ABORT, 'recorded confirmations are immutable'); END;
CREATE TRIGGER accounts_immutable_update BEFORE UPDATE ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts cannot be renamed or changed'); END;
CREATE TRIGGER accounts_immutable_delete BEFORE DELETE ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts cannot be deleted'); END;
CREATE TRIGGER funds_immutable_delete BEFORE DELETE ON funds
BEGIN SELECT RAISE(ABORT, 'funds cannot be deleted'); END;
CREATE TRIGGER communes_immutable_delete BEFORE DELETE ON communes
BEGIN SELECT RAISE(ABORT, 'communes cannot be deleted'); END;
CREATE TRIGGER balances_no_delete BEFORE DELETE ON balances
BEGIN SELECT RAISE(ABORT, 'maintained balances cannot be deleted'); END;
CREATE TRIGGER daily_totals_no_delete BEFORE DELETE ON daily_totals
BEGIN SELECT RAISE(ABORT, 'maintained totals cannot be deleted'); END;
"#;

const V2_IMPORT: &str = r#"
-- One row per `fondo import` that wrote (a re-import that added nothing is recorded too).
CREATE TABLE import_batches (
    id            INTEGER PRIMARY KEY CHECK (id > 0),
    file_name     TEXT NOT NULL,
    file_sha256   TEXT NOT NULL CHECK (length(file_sha256) = 64),
    format        TEXT NOT NULL CHECK (format IN ('simple', 'journal', 'statement')),
    row_count     INTEGER NOT NULL CHECK (row_count >= 0),
    added_count   INTEGER NOT NULL CHECK (added_count >= 0),
    skipped_count INTEGER NOT NULL CHECK (skipped_count >= 0 AND added_count + skipped_count = row_count),
    entered_at    TEXT NOT NULL,
    entered_by    TEXT NOT NULL
) STRICT;

-- The identity of an imported transaction without a reference: the SHA-256 of its content
-- and which occurrence of that content in its file it was (SPEC section 4). The date (part
-- of the content) leads the key so that chronological imports insert near each other.
CREATE TABLE import_keys (
    date           TEXT NOT NULL,
    content_sha256 BLOB NOT NULL CHECK (length(content_sha256) = 32),
    occurrence     INTEGER NOT NULL CHECK (occurrence >= 1),
    txn_id         INTEGER NOT NULL REFERENCES transactions (id),
    PRIMARY KEY (date, content_sha256, occurrence)
) STRICT, WITHOUT ROWID;

-- The batch row is written when the import finishes, so the reference is checked at commit.
ALTER TABLE transactions ADD COLUMN batch_id INTEGER
    REFERENCES import_batches (id) DEFERRABLE INITIALLY DEFERRED;

CREATE TRIGGER import_batches_immutable_update BEFORE UPDATE ON import_batches
BEGIN SELECT RAISE(ABORT, 'import batches are immutable'); END;
CREATE TRIGGER import_batches_immutable_delete BEFORE DELETE ON import_batches
BEGIN SELECT RAISE(ABORT, 'import batches are immutable'); END;
CREATE TRIGGER import_keys_immutable_update BEFORE UPDATE ON import_keys
BEGIN SELECT RAISE(ABORT, 'import keys are immutable'); END;
CREATE TRIGGER import_keys_immutable_delete BEFORE DELETE ON import_keys
BEGIN SELECT RAISE(ABORT, 'import keys are immutable'); END;
"#;

const V3_RECONCILE: &str = r#"
-- A saved bank reconciliation: a record of its own, never an edit to postings.
CREATE TABLE reconciliations (
    id                      INTEGER PRIMARY KEY CHECK (id > 0),
    account_id              INTEGER NOT NULL REFERENCES accounts (id),
    currency                TEXT NOT NULL CHECK (length(currency) = 3),
    statement_date          TEXT NOT NULL CHECK (statement_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    statement_balance_minor INTEGER,
    ledger_balance_minor    INTEGER NOT NULL,
    file_name               TEXT NOT NULL,
    file_sha256             TEXT NOT NULL CHECK (length(file_sha256) = 64),
    matched_count           INTEGER NOT NULL CHECK (matched_count >= 0),
    entered_at              TEXT NOT NULL,
    entered_by              TEXT NOT NULL
) STRICT;

-- The postings a reconciliation matched to its statement's lines; never offered again.
CREATE TABLE reconciled_postings (
    posting_id        INTEGER PRIMARY KEY REFERENCES postings (id),
    reconciliation_id INTEGER NOT NULL REFERENCES reconciliations (id),
    statement_line    INTEGER NOT NULL CHECK (statement_line >= 1)
) STRICT;
CREATE INDEX reconciled_postings_by_reconciliation ON reconciled_postings (reconciliation_id);

CREATE TRIGGER reconciliations_immutable_update BEFORE UPDATE ON reconciliations
BEGIN SELECT RAISE(ABORT, 'saved reconciliations are immutable'); END;
CREATE TRIGGER reconciliations_immutable_delete BEFORE DELETE ON reconciliations
BEGIN SELECT RAISE(ABORT, 'saved reconciliations are immutable'); END;
CREATE TRIGGER reconciled_postings_immutable_update BEFORE UPDATE ON reconciled_postings
BEGIN SELECT RAISE(ABORT, 'saved reconciliations are immutable'); END;
CREATE TRIGGER reconciled_postings_immutable_delete BEFORE DELETE ON reconciled_postings
BEGIN SELECT RAISE(ABORT, 'saved reconciliations are immutable'); END;
"#;

const V4_ERASURE: &str = r#"
-- Each transaction's random salt for the digests of its free text in its hash
-- (hash::PrivateText). NULL for transactions recorded before this migration (their hash
-- covers the text itself) and for those whose text was erased.
ALTER TABLE transactions ADD COLUMN pii_salt BLOB CHECK (pii_salt IS NULL OR length(pii_salt) = 16);

-- One `donor forget`: a record in a chain of its own. It names no one.
CREATE TABLE erasures (
    id          INTEGER PRIMARY KEY CHECK (id > 0),
    placeholder TEXT NOT NULL UNIQUE,
    entered_at  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    prev_hash   TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash        TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;

-- Each transaction an erasure changed: the digests its hash covered before any erasure
-- (the same in every row of a transaction), and the text the erasure left, which later
-- edits must match.
CREATE TABLE erased_text (
    txn_id              INTEGER NOT NULL REFERENCES transactions (id),
    erasure_id          INTEGER NOT NULL REFERENCES erasures (id),
    description_digest  TEXT NOT NULL CHECK (length(description_digest) = 64),
    counterparty_digest TEXT CHECK (length(counterparty_digest) = 64),
    memo_digest         TEXT CHECK (length(memo_digest) = 64),
    description         TEXT NOT NULL,
    counterparty        TEXT,
    memo                TEXT,
    PRIMARY KEY (txn_id, erasure_id)
) STRICT;
CREATE INDEX erased_text_by_erasure ON erased_text (erasure_id);

-- Recorded transactions stay immutable, except that the latest erasure may replace the
-- free text (and drop the salt) of a transaction, with exactly the text it recorded.
DROP TRIGGER transactions_immutable_update;
CREATE TRIGGER transactions_immutable_update BEFORE UPDATE ON transactions
WHEN NEW.id IS NOT OLD.id OR NEW.date IS NOT OLD.date OR NEW.reference IS NOT OLD.reference
  OR NEW.voids IS NOT OLD.voids OR NEW.entered_at IS NOT OLD.entered_at
  OR NEW.entered_by IS NOT OLD.entered_by OR NEW.source IS NOT OLD.source
  OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
  OR NEW.batch_id IS NOT OLD.batch_id OR NEW.pii_salt IS NOT NULL
  OR NOT EXISTS (SELECT 1 FROM erased_text e
                 WHERE e.txn_id = OLD.id AND e.erasure_id = (SELECT max(id) FROM erasures)
                   AND e.description IS NEW.description AND e.counterparty IS NEW.counterparty
                   AND e.memo IS NEW.memo)
BEGIN SELECT RAISE(ABORT, 'recorded transactions are immutable; record a void instead'); END;

CREATE TRIGGER erasures_immutable_update BEFORE UPDATE ON erasures
BEGIN SELECT RAISE(ABORT, 'erasures are immutable'); END;
CREATE TRIGGER erasures_immutable_delete BEFORE DELETE ON erasures
BEGIN SELECT RAISE(ABORT, 'erasures are immutable'); END;
CREATE TRIGGER erased_text_immutable_update BEFORE UPDATE ON erased_text
BEGIN SELECT RAISE(ABORT, 'erasures are immutable'); END;
CREATE TRIGGER erased_text_immutable_delete BEFORE DELETE ON erased_text
BEGIN SELECT RAISE(ABORT, 'erasures are immutable'); END;
"#;

// The maintained totals are added once per write, at commit (store::write::totals::PendingTotals),
// instead of by a trigger per posting; `verify` still recomputes them from the postings.
const V5_TOTALS_AT_COMMIT: &str = "DROP TRIGGER postings_maintain_balances;";

/// Drops what schema 5 kept outside the chain — the confirmations' and erasures' chains of
/// their own — and makes every table a report reads a projection of the chain's entries
/// (store::chain). The projections' write guards are added by `migrate::guard_projections`.
pub const V6_ONE_CHAIN: &str = r#"
CREATE TABLE entries (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    after_txn  INTEGER NOT NULL CHECK (after_txn >= 0),
    body       TEXT NOT NULL CHECK (json_valid(body)),
    entered_at TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash       TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;
CREATE TRIGGER entries_immutable_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'recorded entries are immutable'); END;
CREATE TRIGGER entries_immutable_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'recorded entries are immutable'); END;

-- A salt per field (hash::field_salt), so that erasing one field leaves the others provable.
ALTER TABLE transactions ADD COLUMN field_salts BLOB
    CHECK (field_salts IS NULL OR length(field_salts) = 48);

DROP TRIGGER accounts_immutable_update;
DROP TRIGGER accounts_immutable_delete;
DROP TRIGGER funds_immutable_delete;
DROP TRIGGER communes_immutable_delete;
DROP TRIGGER confirmations_immutable_update;
DROP TRIGGER confirmations_immutable_delete;
DROP TRIGGER import_batches_immutable_update;
DROP TRIGGER import_batches_immutable_delete;
DROP TRIGGER reconciliations_immutable_update;
DROP TRIGGER reconciliations_immutable_delete;
DROP TRIGGER reconciled_postings_immutable_update;
DROP TRIGGER reconciled_postings_immutable_delete;
DROP TRIGGER erasures_immutable_update;
DROP TRIGGER erasures_immutable_delete;
DROP TRIGGER erased_text_immutable_update;
DROP TRIGGER erased_text_immutable_delete;
DROP TRIGGER transactions_immutable_update;

ALTER TABLE meta ADD COLUMN entry_id INTEGER REFERENCES entries (id);
ALTER TABLE accounts ADD COLUMN entry_id INTEGER REFERENCES entries (id);
ALTER TABLE funds ADD COLUMN entry_id INTEGER REFERENCES entries (id);
ALTER TABLE communes ADD COLUMN entry_id INTEGER REFERENCES entries (id);
ALTER TABLE import_batches ADD COLUMN entry_id INTEGER REFERENCES entries (id);
ALTER TABLE reconciliations ADD COLUMN entry_id INTEGER REFERENCES entries (id);
ALTER TABLE reconciled_postings ADD COLUMN entry_id INTEGER REFERENCES entries (id);

DROP TABLE erased_text;
DROP TABLE erasures;
DROP TABLE confirmations;

CREATE TABLE confirmations (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    txn_id     INTEGER NOT NULL UNIQUE REFERENCES transactions (id),
    date       TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    reference  TEXT,
    note       TEXT,
    entered_at TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entry_id   INTEGER NOT NULL REFERENCES entries (id)
) STRICT;

CREATE TABLE erasures (
    id          INTEGER PRIMARY KEY CHECK (id > 0),
    placeholder TEXT NOT NULL UNIQUE,
    entered_at  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    entry_id    INTEGER NOT NULL REFERENCES entries (id)
) STRICT;

-- What each erasure left of a transaction's free text. The digests are the ones its hash
-- covers (from before its first erasure); a field kept keeps its own salt, so its text
-- stays provable; an erased field has none and must read as a placeholder.
CREATE TABLE erased_text (
    txn_id              INTEGER NOT NULL REFERENCES transactions (id),
    erasure_id          INTEGER NOT NULL REFERENCES erasures (id),
    description_digest  TEXT NOT NULL CHECK (length(description_digest) = 64),
    counterparty_digest TEXT CHECK (length(counterparty_digest) = 64),
    memo_digest         TEXT CHECK (length(memo_digest) = 64),
    description         TEXT NOT NULL,
    counterparty        TEXT,
    memo                TEXT,
    description_salt    BLOB CHECK (length(description_salt) = 16),
    counterparty_salt   BLOB CHECK (length(counterparty_salt) = 16),
    memo_salt           BLOB CHECK (length(memo_salt) = 16),
    entry_id            INTEGER NOT NULL REFERENCES entries (id),
    PRIMARY KEY (txn_id, erasure_id)
) STRICT;
CREATE INDEX erased_text_by_erasure ON erased_text (erasure_id);

-- Recorded transactions stay immutable, except that the latest erasure may replace the
-- free text (and drop the salts) of a transaction, with exactly the text it recorded.
CREATE TRIGGER transactions_immutable_update BEFORE UPDATE ON transactions
WHEN NEW.id IS NOT OLD.id OR NEW.date IS NOT OLD.date OR NEW.reference IS NOT OLD.reference
  OR NEW.voids IS NOT OLD.voids OR NEW.entered_at IS NOT OLD.entered_at
  OR NEW.entered_by IS NOT OLD.entered_by OR NEW.source IS NOT OLD.source
  OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
  OR NEW.batch_id IS NOT OLD.batch_id OR NEW.pii_salt IS NOT NULL OR NEW.field_salts IS NOT NULL
  OR NOT EXISTS (SELECT 1 FROM erased_text e
                 WHERE e.txn_id = OLD.id AND e.erasure_id = (SELECT max(id) FROM erasures)
                   AND e.description IS NEW.description AND e.counterparty IS NEW.counterparty
                   AND e.memo IS NEW.memo)
BEGIN SELECT RAISE(ABORT, 'recorded transactions are immutable; record a void instead'); END;
"#;

/// Every asset account is kept from going below zero, except one declared a credit line;
/// a finished fund and an unused account can be closed (by a chain entry) against new postings.
/// Edited after its first builds, which `migrate::SCHEMA_7_PIECES` makes up for.
pub(super) const V7_MASTER_DATA: &str = "
ALTER TABLE accounts ADD COLUMN allow_negative INTEGER NOT NULL DEFAULT 0 CHECK (allow_negative IN (0, 1));
ALTER TABLE accounts ADD COLUMN closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1));
ALTER TABLE funds ADD COLUMN closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1));

-- `fondo close --through DATE`: the books (or one account's) take no transaction dated on or
-- before `through`, unless forced with a reason, which `lock_overrides` keeps.
CREATE TABLE period_locks (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    through    TEXT NOT NULL CHECK (through GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    account_id INTEGER REFERENCES accounts (id),
    entered_at TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entry_id   INTEGER NOT NULL REFERENCES entries (id)
) STRICT;

-- A reconciliation saved though it did not tie out (`reconcile --mark --force`).
ALTER TABLE reconciliations ADD COLUMN forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1));
-- `reconcile undo ID`: the reconciliation stays on record; its postings are offered again.
ALTER TABLE reconciliations ADD COLUMN undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1));

-- A posting a reconciliation cleared without a statement line (it nets to zero in the
-- account, like a fund move or a payment and its void) is saved with statement line 0.
-- After an undo, a posting can be matched by a later reconciliation too.
CREATE TABLE reconciled_postings_v7 (
    posting_id        INTEGER NOT NULL REFERENCES postings (id),
    reconciliation_id INTEGER NOT NULL REFERENCES reconciliations (id),
    statement_line    INTEGER NOT NULL CHECK (statement_line >= 0),
    entry_id          INTEGER REFERENCES entries (id),
    PRIMARY KEY (posting_id, reconciliation_id)
) STRICT;
INSERT INTO reconciled_postings_v7 SELECT posting_id, reconciliation_id, statement_line, entry_id
    FROM reconciled_postings;
DROP TABLE reconciled_postings;
ALTER TABLE reconciled_postings_v7 RENAME TO reconciled_postings;
CREATE INDEX reconciled_postings_by_reconciliation ON reconciled_postings (reconciliation_id);

CREATE TABLE lock_overrides (
    txn_id     INTEGER PRIMARY KEY REFERENCES transactions (id),
    through    TEXT NOT NULL,
    reason     TEXT NOT NULL CHECK (length(reason) > 0),
    entered_at TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entry_id   INTEGER NOT NULL REFERENCES entries (id)
) STRICT;
";

/// Every donor's name as recorded (the counterparty of a gift), with its identity key and
/// confusable skeleton (`domain::identity`), so that recording a gift finds a look-alike
/// of its donor through an index instead of reading every transaction. Derived from the
/// transactions alone: each write adds its donors, `donor forget` rebuilds it, `verify`
/// recomputes it. Filled for an older ledger by `store::donors::rebuild` after migrating.
const V8_DONOR_NAMES: &str = "
CREATE TABLE donor_names (
    name         TEXT PRIMARY KEY,
    identity_key TEXT NOT NULL,
    skeleton     TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX donor_names_by_key ON donor_names (identity_key);
CREATE INDEX donor_names_by_skeleton ON donor_names (skeleton);
";
/// Everything personal a transaction recorded from now on holds can be erased: its reference,
/// who entered it and its source (an import's file name) are covered by salted digests like
/// its description, counterparty and memo (hash::TextForm::SixFields). Transactions recorded
/// before keep their form, and their hashes. An import key (a digest of a row's text) of an
/// import recorded from now on can be replaced by a random token when its row is erased: its
/// batch's entry covers it through a salted commitment (chain::ImportKeys). An entry recorded
/// from now on is sealed: who entered it and the text of its own that may name a person are
/// kept apart, in `entry_texts`, and its body holds their salted digests (chain::seal).
const V9_ERASABLE_TEXT: &str = r#"
-- One salt per private field (hash::PRIVATE_FIELDS), for transactions recorded from now on;
-- NULL for those recorded before (they keep field_salts or pii_salt) and once erased.
ALTER TABLE transactions ADD COLUMN text_salts BLOB
    CHECK (text_salts IS NULL OR length(text_salts) = 96);

-- What an erasure left of the three fields that only such transactions can have erased:
-- NULL in every row of a transaction recorded before (its `source_digest` says which).
ALTER TABLE erased_text ADD COLUMN reference_digest TEXT CHECK (length(reference_digest) = 64);
ALTER TABLE erased_text ADD COLUMN entered_by_digest TEXT CHECK (length(entered_by_digest) = 64);
ALTER TABLE erased_text ADD COLUMN source_digest TEXT CHECK (length(source_digest) = 64);
ALTER TABLE erased_text ADD COLUMN reference TEXT;
ALTER TABLE erased_text ADD COLUMN entered_by TEXT;
ALTER TABLE erased_text ADD COLUMN source TEXT;
ALTER TABLE erased_text ADD COLUMN reference_salt BLOB CHECK (length(reference_salt) = 16);
ALTER TABLE erased_text ADD COLUMN entered_by_salt BLOB CHECK (length(entered_by_salt) = 16);
ALTER TABLE erased_text ADD COLUMN source_salt BLOB CHECK (length(source_salt) = 16);

-- An erased reference reads `forgotten donor N`, which several transactions may share; no
-- new reference may start so (write::check_reference), so a reference still names one
-- transaction.
DROP INDEX transactions_by_reference;
CREATE UNIQUE INDEX transactions_by_reference ON transactions (reference)
    WHERE reference IS NOT NULL AND reference NOT GLOB 'forgotten donor *';

-- Recorded transactions stay immutable, except that the latest erasure may replace the
-- private text (and drop the salts) of a transaction, with exactly the text it recorded:
-- all six fields for one recorded with six salts, the first three for one recorded before.
DROP TRIGGER transactions_immutable_update;
CREATE TRIGGER transactions_immutable_update BEFORE UPDATE ON transactions
WHEN NEW.id IS NOT OLD.id OR NEW.date IS NOT OLD.date
  OR NEW.voids IS NOT OLD.voids OR NEW.entered_at IS NOT OLD.entered_at
  OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
  OR NEW.batch_id IS NOT OLD.batch_id OR NEW.pii_salt IS NOT NULL OR NEW.field_salts IS NOT NULL
  OR NEW.text_salts IS NOT NULL
  OR NOT EXISTS (SELECT 1 FROM erased_text e
                 WHERE e.txn_id = OLD.id AND e.erasure_id = (SELECT max(id) FROM erasures)
                   AND e.description IS NEW.description AND e.counterparty IS NEW.counterparty
                   AND e.memo IS NEW.memo
                   AND CASE WHEN e.source_digest IS NULL
                       THEN NEW.reference IS OLD.reference AND NEW.entered_by IS OLD.entered_by
                            AND NEW.source IS OLD.source
                       ELSE e.reference IS NEW.reference AND e.entered_by IS NEW.entered_by
                            AND e.source IS NEW.source END)
BEGIN SELECT RAISE(ABORT, 'recorded transactions are immutable; record a void instead'); END;

-- Each key's salt, which its batch's commitment covers; NULL for keys of imports recorded
-- before, and once an erasure replaced the key.
ALTER TABLE import_keys ADD COLUMN key_salt BLOB CHECK (key_salt IS NULL OR length(key_salt) = 16);

-- Each import key an erasure replaced by a random token: the commitment its batch's digest
-- covered, and the token that now stands in the key's place.
CREATE TABLE erased_keys (
    txn_id     INTEGER PRIMARY KEY REFERENCES transactions (id),
    erasure_id INTEGER NOT NULL REFERENCES erasures (id),
    commitment TEXT NOT NULL CHECK (length(commitment) = 64),
    token      BLOB NOT NULL CHECK (length(token) = 32),
    entry_id   INTEGER NOT NULL REFERENCES entries (id)
) STRICT;

-- Import keys stay as written, except that the latest erasure may replace one by the token
-- it recorded, dropping its salt.
DROP TRIGGER import_keys_immutable_update;
CREATE TRIGGER import_keys_immutable_update BEFORE UPDATE ON import_keys
WHEN NEW.txn_id IS NOT OLD.txn_id OR NEW.date IS NOT OLD.date OR NEW.occurrence IS NOT OLD.occurrence
  OR NEW.key_salt IS NOT NULL
  OR NOT EXISTS (SELECT 1 FROM erased_keys k
                 WHERE k.txn_id = OLD.txn_id AND k.erasure_id = (SELECT max(id) FROM erasures)
                   AND k.token IS NEW.content_sha256)
BEGIN SELECT RAISE(ABORT, 'import keys are immutable'); END;

-- The private texts of a sealed entry (chain::seal): who entered it and the text of its own
-- that may name a person, each with a salt of its own, whose digest its body holds. Written
-- with the entry; an erasure may replace a text by exactly the value it recorded and drop
-- the salt; nothing else changes them.
CREATE TABLE entry_texts (
    entry_id INTEGER NOT NULL REFERENCES entries (id),
    field    TEXT NOT NULL,
    text     TEXT,
    salt     BLOB CHECK (salt IS NULL OR length(salt) = 16),
    PRIMARY KEY (entry_id, field)
) STRICT, WITHOUT ROWID;

-- Each private text of a sealed entry that an erasure replaced.
CREATE TABLE erased_entry_texts (
    erased_entry INTEGER NOT NULL REFERENCES entries (id),
    field        TEXT NOT NULL,
    erasure_id   INTEGER NOT NULL REFERENCES erasures (id),
    entry_id     INTEGER NOT NULL REFERENCES entries (id),
    PRIMARY KEY (erased_entry, field)
) STRICT;

CREATE TRIGGER entry_texts_recorded_insert BEFORE INSERT ON entry_texts
WHEN NEW.entry_id IS NOT (SELECT max(id) FROM entries)
BEGIN SELECT RAISE(ABORT, 'entry texts are written only with their entry'); END;
CREATE TRIGGER entry_texts_erased_update BEFORE UPDATE ON entry_texts
WHEN NEW.entry_id IS NOT OLD.entry_id OR NEW.field IS NOT OLD.field OR NEW.salt IS NOT NULL
  OR NOT EXISTS (SELECT 1 FROM erased_entry_texts x
                 WHERE x.erased_entry = OLD.entry_id AND x.field = OLD.field
                   AND x.erasure_id = (SELECT max(id) FROM erasures))
  OR NEW.text IS NOT (CASE OLD.field WHEN 'file_sha256' THEN printf('%064d', 0)
                      ELSE 'forgotten donor ' || (SELECT max(id) FROM erasures) END)
BEGIN SELECT RAISE(ABORT, 'entry texts are immutable, but for an erasure'); END;
CREATE TRIGGER entry_texts_immutable_delete BEFORE DELETE ON entry_texts
BEGIN SELECT RAISE(ABORT, 'entry texts are immutable, but for an erasure'); END;
"#;

/// A transaction's private text is revised field by field, and nothing an erasure or a
/// rename records holds text or a salt: `donor forget` zeroes the erased field's salt in the
/// transaction itself and `text_revisions` keeps the digest its hash covers, so the other
/// fields keep their own salts where they were and no record holds a copy of them that a
/// later erasure could not reach. `donor rename` / `donor merge` give the counterparty a new
/// text whose salted digest the chain records, its salt kept apart (erasable in turn).
/// Transactions erased before keep the `erased_text` form. Edited after its first builds,
/// which `migrate::SCHEMA_10_PIECES` makes up for.
const V10_TEXT_REVISIONS: &str = r#"
-- One field of one transaction that an erasure (`erasure_id`) or a rename (`new_digest`, the
-- salted digest of its text now) changed: the digest its hash covers, from before any change.
CREATE TABLE text_revisions (
    txn_id      INTEGER NOT NULL REFERENCES transactions (id),
    field       TEXT NOT NULL CHECK (field IN ('description', 'counterparty', 'memo',
                                               'reference', 'entered_by', 'source')),
    erasure_id  INTEGER REFERENCES erasures (id),
    hash_digest TEXT NOT NULL CHECK (length(hash_digest) = 64),
    new_digest  TEXT CHECK (length(new_digest) = 64),
    entry_id    INTEGER NOT NULL REFERENCES entries (id),
    CHECK ((erasure_id IS NULL) <> (new_digest IS NULL)),
    PRIMARY KEY (txn_id, field, entry_id)
) STRICT;

-- The salt of a renamed field's text, kept apart from the chain so that an erasure can
-- delete it; written with its rename, deleted only by a later rename or an erasure of the
-- same field (an earlier spelling must not stay confirmable).
CREATE TABLE revision_salts (
    txn_id   INTEGER NOT NULL,
    field    TEXT NOT NULL,
    entry_id INTEGER NOT NULL,
    salt     BLOB NOT NULL CHECK (length(salt) = 16),
    PRIMARY KEY (txn_id, field, entry_id),
    FOREIGN KEY (txn_id, field, entry_id) REFERENCES text_revisions (txn_id, field, entry_id)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER revision_salts_recorded_insert BEFORE INSERT ON revision_salts
WHEN NEW.entry_id IS NOT (SELECT max(id) FROM entries)
BEGIN SELECT RAISE(ABORT, 'revision salts are written only with their rename'); END;
CREATE TRIGGER revision_salts_immutable_update BEFORE UPDATE ON revision_salts
BEGIN SELECT RAISE(ABORT, 'revision salts are immutable'); END;
CREATE TRIGGER revision_salts_erased_delete BEFORE DELETE ON revision_salts
WHEN OLD.entry_id = (SELECT max(id) FROM entries)
  OR NOT EXISTS (SELECT 1 FROM text_revisions r
                 WHERE r.txn_id = OLD.txn_id AND r.field = OLD.field
                   AND r.entry_id = (SELECT max(id) FROM entries))
BEGIN SELECT RAISE(ABORT, 'revision salts are deleted only by a later rename or an erasure'); END;

-- The files fondo wrote at paths it was given (`export journal -o`, `export audit`, `report
-- transparency -o`, `backup`), so that `donor forget` can say which of them still hold the
-- name. Not part of the chain: no report reads it. An erasure deletes the rows whose path
-- names the donor.
CREATE TABLE outputs (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    path       TEXT NOT NULL,
    written_at TEXT NOT NULL
) STRICT;

-- Every transaction an erasure changed, in either form.
CREATE VIEW erased_transactions AS
    SELECT txn_id, erasure_id FROM erased_text
    UNION SELECT txn_id, erasure_id FROM text_revisions WHERE erasure_id IS NOT NULL;

-- Recorded transactions stay immutable, except that the entry recorded in the same write may
-- revise their private text: a revision of `text_revisions` (its salts keep their column;
-- verify checks every field against the revision), or an erasure of the earlier form.
DROP TRIGGER transactions_immutable_update;
CREATE TRIGGER transactions_immutable_update BEFORE UPDATE ON transactions
WHEN NEW.id IS NOT OLD.id OR NEW.date IS NOT OLD.date
  OR NEW.voids IS NOT OLD.voids OR NEW.entered_at IS NOT OLD.entered_at
  OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
  OR NEW.batch_id IS NOT OLD.batch_id
  OR CASE WHEN EXISTS (SELECT 1 FROM text_revisions r
                       WHERE r.txn_id = OLD.id AND r.entry_id = (SELECT max(id) FROM entries))
     THEN (OLD.text_salts IS NULL) <> (NEW.text_salts IS NULL)
       OR (OLD.field_salts IS NULL) <> (NEW.field_salts IS NULL)
       OR (OLD.pii_salt IS NULL) <> (NEW.pii_salt IS NULL)
     ELSE NEW.pii_salt IS NOT NULL OR NEW.field_salts IS NOT NULL OR NEW.text_salts IS NOT NULL
       OR NOT EXISTS (SELECT 1 FROM erased_text e
                      WHERE e.txn_id = OLD.id AND e.erasure_id = (SELECT max(id) FROM erasures)
                        AND e.description IS NEW.description AND e.counterparty IS NEW.counterparty
                        AND e.memo IS NEW.memo
                        AND CASE WHEN e.source_digest IS NULL
                            THEN NEW.reference IS OLD.reference AND NEW.entered_by IS OLD.entered_by
                                 AND NEW.source IS OLD.source
                            ELSE e.reference IS NEW.reference AND e.entered_by IS NEW.entered_by
                                 AND e.source IS NEW.source END)
     END
BEGIN SELECT RAISE(ABORT, 'recorded transactions are immutable; record a void instead'); END;
"#;

/// What the statements of issue 16 record beside the transactions: each table is a projection
/// of chain entries, like the others since schema 6.
const V11_STATEMENTS: &str = r#"
-- (tables of the statements, one block per feature)

-- evidence (issue 16, item 8): files attached to a transaction or a confirmation. The bytes
-- sit once per content in `blobs`, keyed by their SHA-256, which the `attached` entry records;
-- `verify` re-hashes each. Only an erasure deletes a blob (`erased_blobs` says which).
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    bytes  BLOB NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TRIGGER blobs_immutable_update BEFORE UPDATE ON blobs
BEGIN SELECT RAISE(ABORT, 'stored files are immutable'); END;
CREATE TRIGGER blobs_erased_delete BEFORE DELETE ON blobs
WHEN NOT EXISTS (SELECT 1 FROM erased_blobs e WHERE e.sha256 = OLD.sha256)
BEGIN SELECT RAISE(ABORT, 'stored files are deleted only by an erasure'); END;

CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY CHECK (id > 0),
    target      TEXT NOT NULL CHECK (target IN ('transaction', 'confirmation')),
    target_id   INTEGER NOT NULL CHECK (target_id > 0),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size > 0),
    media_type  TEXT,
    file_name   TEXT NOT NULL,
    note        TEXT,
    entered_at  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    entry_id    INTEGER NOT NULL REFERENCES entries (id)
) STRICT;
CREATE INDEX attachments_by_target ON attachments (target, target_id);

CREATE TABLE erased_blobs (
    sha256     TEXT NOT NULL,
    erasure_id INTEGER NOT NULL REFERENCES erasures (id),
    entry_id   INTEGER NOT NULL REFERENCES entries (id),
    PRIMARY KEY (sha256)
) STRICT;
-- rates: `fondo rate add FROM TO RATE --date D`, units of `to_currency` per unit of
-- `from_currency` on `date`, kept as the exact decimal text it was given (never REAL). A
-- second rate for the same pair and day is a correction (`--correct`): it names the rate it
-- corrects, which stays on record; the latest for a pair and day is the one in force.
CREATE TABLE rates (
    id            INTEGER PRIMARY KEY CHECK (id > 0),
    from_currency TEXT NOT NULL CHECK (length(from_currency) = 3),
    to_currency   TEXT NOT NULL CHECK (length(to_currency) = 3 AND to_currency <> from_currency),
    rate          TEXT NOT NULL CHECK (rate GLOB '[0-9]*' AND rate NOT GLOB '*[^0-9.]*'),
    date          TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    corrects      INTEGER UNIQUE REFERENCES rates (id),
    entered_at    TEXT NOT NULL,
    entered_by    TEXT NOT NULL,
    entry_id      INTEGER NOT NULL REFERENCES entries (id)
) STRICT;
CREATE INDEX rates_by_pair ON rates (from_currency, to_currency, date, id);
-- refunds: `fondo refund GIFT`: transaction `txn_id` returns (part of) gift `gift_id` to its
-- donor, or records the processor's chargeback of it.
CREATE TABLE refunds (
    txn_id     INTEGER PRIMARY KEY REFERENCES transactions (id),
    gift_id    INTEGER NOT NULL REFERENCES transactions (id) CHECK (gift_id < txn_id),
    chargeback INTEGER NOT NULL CHECK (chargeback IN (0, 1)),
    entered_at TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entry_id   INTEGER NOT NULL REFERENCES entries (id)
) STRICT;
CREATE INDEX refunds_by_gift ON refunds (gift_id);
-- budgets (issue 16, item 6): `fondo budget set FUND AMOUNT --period P`, P a year (`2026`)
-- or a month (`2026-03`). Setting one again for the same fund and period replaces the row;
-- the chain keeps every `budget_set` entry.
CREATE TABLE budgets (
    fund_id      INTEGER NOT NULL REFERENCES funds (id),
    period       TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]'
                                      OR period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0 AND amount_minor <= 999999999999999),
    entered_at   TEXT NOT NULL,
    entry_id     INTEGER NOT NULL REFERENCES entries (id),
    PRIMARY KEY (fund_id, period)
) STRICT;

-- pledges (issue 16, item 7): `fondo pledge add --donor NAME AMOUNT --monthly --from YYYY-MM`.
-- `donor` is private text: `donor forget` erases it, `donor rename`/`merge` follow it.
CREATE TABLE pledges (
    id           INTEGER PRIMARY KEY CHECK (id > 0),
    donor        TEXT NOT NULL CHECK (length(donor) > 0),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0 AND amount_minor <= 999999999999999),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    fund_id      INTEGER REFERENCES funds (id),
    from_month   TEXT NOT NULL CHECK (from_month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    to_month     TEXT CHECK (to_month IS NULL
                             OR (to_month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]' AND to_month >= from_month)),
    entered_at   TEXT NOT NULL,
    entered_by   TEXT NOT NULL,
    entry_id     INTEGER NOT NULL REFERENCES entries (id)
) STRICT;
"#;

/// An attached file's SHA-256 is a private text of its `attached` entry (sealed, like an
/// import's fingerprint), so that once `donor forget` deletes the file nothing left confirms
/// a guess at its bytes: the erasure replaces the digest by zeros and lists the attachment,
/// not the digest. Attachments and erasures recorded before keep their digests (their
/// entries' hashes cover them) and `erased_blobs`.
const V12_PRIVATE_DIGESTS: &str = r#"
-- Each attachment whose file an erasure (since schema 12) deleted.
CREATE TABLE erased_attachments (
    attachment_id INTEGER PRIMARY KEY REFERENCES attachments (id),
    erasure_id    INTEGER NOT NULL REFERENCES erasures (id),
    entry_id      INTEGER NOT NULL REFERENCES entries (id)
) STRICT;

-- A stored file is deleted only in the write of an erasure that deleted files, and only
-- when no attachment still names it: each that did was erased (its digest is zeros now, or
-- it is listed, for one recorded before schema 12), or lost the file to an erasure before
-- schema 12 (which listed the digest).
DROP TRIGGER blobs_erased_delete;
CREATE TRIGGER blobs_erased_delete BEFORE DELETE ON blobs
WHEN NOT EXISTS (SELECT 1 FROM erased_attachments x WHERE x.entry_id = (SELECT max(id) FROM entries))
  OR EXISTS (SELECT 1 FROM attachments a
             WHERE a.sha256 = OLD.sha256
               AND a.id NOT IN (SELECT attachment_id FROM erased_attachments)
               AND a.sha256 NOT IN (SELECT sha256 FROM erased_blobs))
BEGIN SELECT RAISE(ABORT, 'stored files are deleted only by an erasure'); END;

-- An erased attachment digest reads as zeros, as an erased import fingerprint does.
DROP TRIGGER entry_texts_erased_update;
CREATE TRIGGER entry_texts_erased_update BEFORE UPDATE ON entry_texts
WHEN NEW.entry_id IS NOT OLD.entry_id OR NEW.field IS NOT OLD.field OR NEW.salt IS NOT NULL
  OR NOT EXISTS (SELECT 1 FROM erased_entry_texts x
                 WHERE x.erased_entry = OLD.entry_id AND x.field = OLD.field
                   AND x.erasure_id = (SELECT max(id) FROM erasures))
  OR NEW.text IS NOT (CASE WHEN OLD.field IN ('file_sha256', 'sha256') THEN printf('%064d', 0)
                      ELSE 'forgotten donor ' || (SELECT max(id) FROM erasures) END)
BEGIN SELECT RAISE(ABORT, 'entry texts are immutable, but for an erasure'); END;
"#;

/// An index the reports read by (issue 17: every report within 0.1 s on a million
/// transactions).
const V13_COUNTERPARTY_INDEX: &str = r#"
-- a donor's transactions by the name they record: the pledges report and a donor's statement
-- read a few donors' gifts from here rather than every posting to income:donations.
CREATE INDEX transactions_by_counterparty ON transactions (counterparty) WHERE counterparty IS NOT NULL;
"#;

/// The postings by account with every column the accountability reports read (union,
/// communes, aging; issue 17): they read the few postings of the union's and the communes'
/// accounts, and a lookup of each posting's row, on a page of its own, cost as much as the
/// rest of the report.
const V14_COVERING_POSTINGS_BY_ACCOUNT: &str = r#"
DROP INDEX postings_by_account;
CREATE INDEX postings_by_account ON postings (account_id, txn_id, line, fund_id, currency, amount_minor);
"#;

/// Each donor's live gifts per currency, and the live gifts without a donor, kept on write
/// (issue 17: `report donors` within 0.1 s on a million transactions rather than reading
/// every gift). Derived from the transactions alone, as `donor_names` is: a write recomputes
/// the rows of the donors it touched at commit (`store::donor_totals`), `donor rename`,
/// `merge` and `forget` recompute them all, `verify` recomputes and compares them. Keyed by
/// the name as recorded, as `donor_names` is: an erasure deletes the row with the name.
const V15_DONOR_TOTALS: &str = "
CREATE TABLE donor_totals (
    donor       TEXT NOT NULL,
    currency    TEXT NOT NULL,
    gift_count  INTEGER NOT NULL CHECK (gift_count >= 0),
    total_minor INTEGER NOT NULL,
    first_date  TEXT,
    last_date   TEXT,
    PRIMARY KEY (donor, currency)
) STRICT, WITHOUT ROWID;
CREATE TABLE unnamed_gift_totals (
    currency    TEXT PRIMARY KEY,
    total_minor INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
";

/// Each month's live gifts per currency and donor, and each month's figures the disclosure
/// rules read, kept on write (issue 17: the public page within 0.1 s on a million
/// transactions rather than reading every gift; `store::gift_months`). Donors are people by
/// their identity key, as the rules count them; gifts without a donor have the key `''`.
/// Derived from the transactions alone: `verify` recomputes and compares both tables, and
/// `donor rename`, `merge` and `forget` recompute them.
const V16_GIFT_MONTHS: &str = "
CREATE TABLE gift_month_donors (
    currency    TEXT NOT NULL,
    month       TEXT NOT NULL,
    donor_key   TEXT NOT NULL,
    gift_count  INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    PRIMARY KEY (currency, month, donor_key)
) STRICT, WITHOUT ROWID;
CREATE TABLE gift_months (
    currency      TEXT NOT NULL,
    month         TEXT NOT NULL,
    giving        INTEGER NOT NULL,
    gift_count    INTEGER NOT NULL,
    total_minor   INTEGER NOT NULL,
    largest_minor INTEGER NOT NULL,
    PRIMARY KEY (currency, month)
) STRICT, WITHOUT ROWID;
";
