//! Brings a ledger to the current schema: the SQL migrations in order, and for schema 6 the
//! step that records, as entries of the one chain, the state earlier schemas kept outside
//! it (settings, accounts, funds, communes, confirmations, reconciliations, import batches,
//! erasures). What the file holds then is adopted as it stands: migration cannot tell
//! whether it was edited before, which is why an auditor's kept head still matters.
//! Migrations edited after builds had written them are made up for here: a ledger of the
//! pre-release schemas 1 and 2 is refused, one of an early schema 7 or 10 is completed, and the
//! random salts early builds gave empty text fields are recorded as such for `verify`.

use rusqlite::{Connection, TransactionBehavior};

use super::chain::{self, Entry, ErasedFields, Head, ImportKeys, Stamp, TABLES};
use super::schema;
use crate::domain::names::{AccountType, STANDARD_ACCOUNTS};
use crate::error::{Error, Result};

/// Who the adopted entries of rows that never recorded their author are entered by.
const MIGRATION_ACTOR: &str = "fondo migration";

/// The schema version at which the chain's entries begin.
pub(super) const ONE_CHAIN_VERSION: usize = 6;

/// The schema version at which donors' names are kept with their identity keys.
const DONOR_NAMES_VERSION: i64 = 8;
/// The version that keeps each donor's totals (`store::donor_totals`).
const DONOR_TOTALS_VERSION: i64 = 15;
/// The version that keeps each month's gifts (`store::gift_months`).
const GIFT_MONTHS_VERSION: i64 = 16;

/// Every ledger of this schema or a later one has schemas 1 and 2 in their present form.
const V1_V2_SETTLED_BY: i64 = 4;

/// The schema version from which transactions have a salt per field (`field_salts`).
const FIELD_SALTS_VERSION: i64 = 6;

/// The setting a migration records when the ledger holds transactions whose empty text
/// fields have salts (see [`record_salted_empty_fields`]); its value is the last of them.
const SALTED_EMPTY_FIELDS_KEY: &str = "salted_empty_fields_through";

/// Applies the migrations after `version`, all in one transaction.
pub(super) fn migrate(conn: &mut Connection, version: i64) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if version > 0 {
        complete(&tx, version)?;
    }
    let mut legacy = None;
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
        if i + 1 == ONE_CHAIN_VERSION {
            legacy = Some(read_legacy(&tx)?);
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    // Every projected table there is now gets its guards, and the entries are written once
    // every table has the columns this build's entries fill.
    if version < schema::SCHEMA_VERSION {
        tx.execute_batch(&guard_projections())?;
    }
    if let Some(legacy) = legacy {
        adopt(&tx, legacy)?;
    }
    // A new ledger gets its accounts from `init`; an older one, those it does not have yet.
    if version > 0 && version < schema::SCHEMA_VERSION {
        add_standard_accounts(&tx)?;
    }
    // An older ledger's donors, as its transactions name them (which stay as recorded).
    if version > 0 && version < DONOR_NAMES_VERSION {
        super::donors::rebuild(&tx)?;
    }
    if version > 0 && version < DONOR_TOTALS_VERSION {
        super::donor_totals::rebuild(&tx)?;
    }
    if version > 0 && version < GIFT_MONTHS_VERSION {
        super::gift_months::rebuild(&tx)?;
    }
    if (FIELD_SALTS_VERSION..schema::SCHEMA_VERSION).contains(&version) {
        record_salted_empty_fields(&tx)?;
    }
    tx.commit()?;
    Ok(())
}

/// Refuses, before anything is written, a ledger whose schema 1 or 2 is of a form no
/// migration builds on: those two migrations were edited before any release (0d39f18 made the
/// unique indexes partial and put a date in the import keys, 4adaabe added `daily_totals`), so
/// a ledger that a build before those edits wrote (schema 1 to 3) lacks what later migrations
/// and the adoption into the chain read. No released fondo wrote one (0.1 wrote schema 5).
pub(super) fn refuse_pre_release(conn: &Connection, version: i64, path: &std::path::Path) -> Result<()> {
    if version == 0 || version >= V1_V2_SETTLED_BY {
        return Ok(());
    }
    let current_form: bool = conn.query_row(
        "SELECT (SELECT count(*) FROM sqlite_master
                 WHERE (type, name) IN (VALUES ('index', 'transactions_by_reference'),
                                               ('table', 'daily_totals'))) = 2",
        [],
        |r| r.get(0),
    )?;
    if current_form {
        return Ok(());
    }
    Err(Error::PreReleaseSchema {
        path: path.to_path_buf(),
        found: version,
    })
}

/// A part of a migration that was edited after builds had written it, which a ledger those
/// builds wrote lacks: the statements of the migration from the one starting with `first`
/// through the one starting with `last`, run when the ledger `lacks` what they make.
struct Piece {
    lacks: Lacks,
    first: &'static str,
    last: &'static str,
}

/// What a ledger may lack of a migration's final form.
enum Lacks {
    Column {
        table: &'static str,
        column: &'static str,
    },
    Table(&'static str),
    /// A table whose primary key has fewer columns than its final form's.
    KeyColumns {
        table: &'static str,
        count: i64,
    },
    /// A trigger in the exact form (`sql`) that an earlier build wrote: a trigger changed in
    /// any other way is left for `verify` to name.
    OldTrigger {
        name: &'static str,
        sql: &'static str,
    },
}

impl Lacks {
    fn found_in(&self, conn: &Connection) -> Result<bool> {
        let lacks = match self {
            Lacks::Column { table, column } => conn.query_row(
                "SELECT count(*) = 0 FROM pragma_table_info(?1) WHERE name = ?2",
                [table, column],
                |r| r.get(0),
            )?,
            Lacks::Table(name) => conn.query_row(
                "SELECT count(*) = 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |r| r.get(0),
            )?,
            Lacks::KeyColumns { table, count } => conn.query_row(
                "SELECT count(*) < ?2 FROM pragma_table_info(?1) WHERE pk > 0",
                rusqlite::params![table, count],
                |r| r.get(0),
            )?,
            Lacks::OldTrigger { name, sql } => conn.query_row(
                "SELECT count(*) = 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?1 AND sql = ?2",
                [name, sql],
                |r| r.get(0),
            )?,
        };
        Ok(lacks)
    }
}

/// What a ledger of schema 7 may lack: migration 7 was edited after builds had written it
/// (42b866f wrote only `allow_negative`; 3a7d6f0 added the `closed` columns, 7d12255 the
/// period locks, 6c8c5c3 and dcf84d5 rebuilt `reconciled_postings`, 3d7f2d4 and dcf84d5 added
/// `forced` and `undone`), and no later migration adds those.
const SCHEMA_7_PIECES: &[Piece] = &[
    Piece {
        lacks: Lacks::Column {
            table: "accounts",
            column: "closed",
        },
        first: "ALTER TABLE accounts ADD COLUMN closed",
        last: "ALTER TABLE accounts ADD COLUMN closed",
    },
    Piece {
        lacks: Lacks::Column {
            table: "funds",
            column: "closed",
        },
        first: "ALTER TABLE funds ADD COLUMN closed",
        last: "ALTER TABLE funds ADD COLUMN closed",
    },
    Piece {
        lacks: Lacks::Table("period_locks"),
        first: "CREATE TABLE period_locks",
        last: "CREATE TABLE period_locks",
    },
    Piece {
        lacks: Lacks::Column {
            table: "reconciliations",
            column: "forced",
        },
        first: "ALTER TABLE reconciliations ADD COLUMN forced",
        last: "ALTER TABLE reconciliations ADD COLUMN forced",
    },
    Piece {
        lacks: Lacks::Column {
            table: "reconciliations",
            column: "undone",
        },
        first: "ALTER TABLE reconciliations ADD COLUMN undone",
        last: "ALTER TABLE reconciliations ADD COLUMN undone",
    },
    Piece {
        lacks: Lacks::KeyColumns {
            table: "reconciled_postings",
            count: 2,
        },
        first: "CREATE TABLE reconciled_postings_v7",
        last: "CREATE INDEX reconciled_postings_by_reconciliation",
    },
    Piece {
        lacks: Lacks::Table("lock_overrides"),
        first: "CREATE TABLE lock_overrides",
        last: "CREATE TABLE lock_overrides",
    },
];

/// What a ledger of schema 10 may lack: 26c0bba to f6f57f9 (exclusive) wrote it without
/// `outputs`, and before 3168971 with a `revision_salts_erased_delete` that let only an
/// erasure delete a salt.
const SCHEMA_10_PIECES: &[Piece] = &[
    Piece {
        lacks: Lacks::OldTrigger {
            name: "revision_salts_erased_delete",
            sql: "CREATE TRIGGER revision_salts_erased_delete BEFORE DELETE ON revision_salts
WHEN NOT EXISTS (SELECT 1 FROM text_revisions r
                 WHERE r.txn_id = OLD.txn_id AND r.field = OLD.field AND r.erasure_id IS NOT NULL
                   AND r.entry_id = (SELECT max(id) FROM entries))
BEGIN SELECT RAISE(ABORT, 'revision salts are deleted only by an erasure'); END",
        },
        first: "CREATE TRIGGER revision_salts_erased_delete",
        last: "CREATE TRIGGER revision_salts_erased_delete",
    },
    Piece {
        lacks: Lacks::Table("outputs"),
        first: "CREATE TABLE outputs",
        last: "CREATE TABLE outputs",
    },
];

/// The migrations edited after builds had written them, with the pieces those builds lacked.
const EDITED: &[(i64, &[Piece])] = &[(7, SCHEMA_7_PIECES), (10, SCHEMA_10_PIECES)];

fn pieces_of(version: i64) -> &'static [Piece] {
    EDITED
        .iter()
        .find(|(v, _)| *v == version)
        .map_or(&[], |(_, pieces)| pieces)
}

/// Brings a ledger that an early build of schema `version` wrote to that schema's final form,
/// piece by piece in the order its migration builds them, so that the file ends as if the
/// final migration had made it (`verify` compares the schema with a fresh one). Columns it
/// adds take their defaults, as they would have.
fn complete(conn: &Connection, version: i64) -> Result<()> {
    let Some(sql) = schema::MIGRATIONS.get(version as usize - 1) else {
        return Ok(());
    };
    for piece in pieces_of(version) {
        if !piece.lacks.found_in(conn)? {
            continue;
        }
        // Each statement of a migration ends a line.
        let statements = sql.find(piece.first).and_then(|start| {
            let end = start + sql[start..].find(piece.last)?;
            Some(&sql[start..end + sql[end..].find(";\n")? + 1])
        });
        let statements = statements.ok_or_else(|| {
            Error::Internal(format!("migration {version} has no statement `{}`", piece.first))
        })?;
        if let Lacks::OldTrigger { name, .. } = piece.lacks {
            conn.execute_batch(&format!("DROP TRIGGER {name}"))?;
        }
        conn.execute_batch(statements)?;
    }
    Ok(())
}

/// Completes a ledger of the current schema that an early build of it wrote (see
/// [`EDITED`]); one of its final form is only read.
pub(super) fn complete_current(conn: &mut Connection) -> Result<()> {
    let mut lacking = false;
    for piece in pieces_of(schema::SCHEMA_VERSION) {
        lacking |= piece.lacks.found_in(conn)?;
    }
    if !lacking {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    complete(&tx, schema::SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Schema-6 builds, and schema-7 builds before commit 3d7f2d4, gave an empty text field
/// (counterparty, memo) a random salt; fondo now gives it zeros, which `verify` checks, since
/// the hash covers no digest of an empty field and so nothing else pins those bytes. When the
/// ledger holds such salts, the migration records in the chain, as a setting, the last
/// transaction recorded before it: `verify` accepts a salt in an empty field of a transaction
/// of the three-salt form up to it (see [`salted_empty_fields_through`]), and nowhere else.
fn record_salted_empty_fields(conn: &Connection) -> Result<()> {
    let salted: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM transactions WHERE field_salts IS NOT NULL
                        AND ((counterparty IS NULL AND substr(field_salts, 17, 16) <> zeroblob(16))
                          OR (memo IS NULL AND substr(field_salts, 33, 16) <> zeroblob(16))))",
        [],
        |r| r.get(0),
    )?;
    if !salted {
        return Ok(());
    }
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let stamp = Stamp {
        entered_at: &now,
        entered_by: MIGRATION_ACTOR,
    };
    let head = chain::head(conn)?;
    let entry = Entry::Setting {
        key: SALTED_EMPTY_FIELDS_KEY.to_string(),
        value: head.last_txn.to_string(),
    };
    chain::append(conn, &head, &entry, &stamp)?;
    Ok(())
}

/// The last transaction whose empty text fields may carry a salt (0 for none), as the chain
/// records it, and what is wrong with that record. The chain has no signature: anyone who can
/// write the file can append an entry, so the record is trusted only as a migration writes
/// it — the first of its kind, naming the transaction it stands after, and before any
/// transaction of the six-salt form (every fondo that writes that form zeroes empty fields'
/// salts). Its reach is transactions of the three-salt form, which no fondo writes any more:
/// a record appended later reaches nothing recorded after a migration. Whether the entry is
/// as recorded is checked by the walk of the chain.
pub(super) fn salted_empty_fields_through(conn: &Connection) -> Result<(i64, Vec<String>)> {
    let mut stmt = conn.prepare(
        "SELECT id, after_txn, json_extract(body, '$.value') FROM entries
         WHERE json_extract(body, '$.entry') = 'setting' AND json_extract(body, '$.key') = ?1
         ORDER BY id",
    )?;
    let records: Vec<(i64, i64, Option<String>)> = stmt
        .query_map([SALTED_EMPTY_FIELDS_KEY], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let Some((first, later)) = records.split_first() else {
        return Ok((0, Vec::new()));
    };
    let said = |(id, after_txn, value): &(i64, i64, Option<String>)| {
        let value = value.as_deref().unwrap_or("?");
        format!("entry {id}: says empty text fields may have salts through #{value} (it stands after #{after_txn})")
    };
    let mut problems: Vec<String> = later
        .iter()
        .map(|r| {
            format!(
                "{}, but a migration records that once, and it was recorded before",
                said(r)
            )
        })
        .collect();
    let (_, after_txn, value) = first;
    let six_salts: Option<i64> = conn.query_row(
        "SELECT min(id) FROM transactions WHERE text_salts IS NOT NULL AND id <= ?1",
        [after_txn],
        |r| r.get(0),
    )?;
    let through = if value.as_deref() != Some(after_txn.to_string().as_str()) {
        problems.push(format!(
            "{}, which is not the transaction it follows",
            said(first)
        ));
        0
    } else if let Some(txn) = six_salts {
        problems.push(format!(
            "{}, but #{txn} before it has six salts, written by a fondo that zeroes them",
            said(first)
        ));
        0
    } else {
        *after_txn
    };
    Ok((through, problems))
}

/// Triggers that let a projected table change only in the write that records the entry
/// behind the change (its `entry_id` is the newest entry), and never lose a row.
fn guard_projections() -> String {
    let mut sql = String::new();
    for t in TABLES {
        let name = t.name;
        let refuse = format!(
            "BEGIN SELECT RAISE(ABORT, '{name} change only through entries fondo records in the chain'); END;"
        );
        sql.push_str(&format!(
            "CREATE TRIGGER IF NOT EXISTS {name}_recorded_insert BEFORE INSERT ON {name}
             WHEN NEW.entry_id IS NOT (SELECT max(id) FROM entries) {refuse}
             CREATE TRIGGER IF NOT EXISTS {name}_recorded_update BEFORE UPDATE ON {name}
             WHEN NEW.entry_id IS NOT (SELECT max(id) FROM entries) OR NEW.entry_id IS OLD.entry_id {refuse}
             CREATE TRIGGER IF NOT EXISTS {name}_recorded_delete BEFORE DELETE ON {name} {refuse}\n"
        ));
    }
    sql
}

/// One entry to adopt, with who recorded the row and when.
struct Adopted {
    entry: Entry,
    entered_at: String,
    entered_by: String,
}

fn adopted(entry: Entry, entered_at: String, entered_by: Option<String>) -> Adopted {
    Adopted {
        entry,
        entered_at,
        entered_by: entered_by.unwrap_or_else(|| MIGRATION_ACTOR.to_string()),
    }
}

fn rows<T>(
    conn: &Connection,
    sql: &str,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let out = stmt.query_map([], f)?.collect::<rusqlite::Result<_>>()?;
    Ok(out)
}

/// Everything schema 5 kept outside the chain, as the entries that would have recorded it.
fn read_legacy(conn: &Connection) -> Result<Vec<Adopted>> {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut out = rows(conn, "SELECT key, value FROM meta ORDER BY key", |r| {
        Ok(adopted(
            Entry::Setting {
                key: r.get(0)?,
                value: r.get(1)?,
            },
            now.clone(),
            None,
        ))
    })?;
    out.extend(rows(
        conn,
        "SELECT id, name, type, created_at FROM accounts ORDER BY id",
        |r| {
            Ok(adopted(
                Entry::AccountAdded {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    account_type: r.get(2)?,
                    allow_negative: false,
                },
                r.get(3)?,
                None,
            ))
        },
    )?);
    out.extend(rows(
        conn,
        "SELECT id, code, name, target_minor, target_currency, restricted, created_at FROM funds ORDER BY id",
        |r| {
            Ok(adopted(
                Entry::FundAdded {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    name: r.get(2)?,
                    target_minor: r.get(3)?,
                    target_currency: r.get(4)?,
                    restricted: r.get(5)?,
                },
                r.get(6)?,
                None,
            ))
        },
    )?);
    out.extend(rows(
        conn,
        "SELECT id, slug, name, state, account_id, created_at FROM communes ORDER BY id",
        |r| {
            Ok(adopted(
                Entry::CommuneAdded {
                    id: r.get(0)?,
                    slug: r.get(1)?,
                    name: r.get(2)?,
                    state: r.get(3)?,
                    account_id: r.get(4)?,
                },
                r.get(5)?,
                None,
            ))
        },
    )?);
    out.extend(legacy_batches(conn)?);
    out.extend(rows(
        conn,
        "SELECT id, txn_id, date, reference, note, entered_at, entered_by FROM confirmations ORDER BY id",
        |r| {
            Ok(adopted(
                Entry::Confirmed {
                    id: r.get(0)?,
                    txn_id: r.get(1)?,
                    date: r.get(2)?,
                    reference: r.get(3)?,
                    note: r.get(4)?,
                },
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )?);
    for mut a in rows(
        conn,
        "SELECT id, account_id, currency, statement_date, statement_balance_minor, ledger_balance_minor,
                file_name, file_sha256, entered_at, entered_by
         FROM reconciliations ORDER BY id",
        |r| {
            Ok(adopted(
                Entry::Reconciled {
                    id: r.get(0)?,
                    account_id: r.get(1)?,
                    currency: r.get(2)?,
                    statement_date: r.get(3)?,
                    statement_balance_minor: r.get(4)?,
                    ledger_balance_minor: r.get(5)?,
                    file_name: r.get(6)?,
                    file_sha256: r.get(7)?,
                    matched: Vec::new(),
                    forced: false,
                },
                r.get(8)?,
                r.get(9)?,
            ))
        },
    )? {
        if let Entry::Reconciled { id, matched, .. } = &mut a.entry {
            let mut stmt = conn.prepare(
                "SELECT p.txn_id, p.line, r.statement_line FROM reconciled_postings r
                 JOIN postings p ON p.id = r.posting_id WHERE r.reconciliation_id = ?1 ORDER BY r.posting_id",
            )?;
            *matched = stmt
                .query_map([*id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
        }
        out.push(a);
    }
    out.extend(legacy_erasures(conn)?);
    Ok(out)
}

fn legacy_batches(conn: &Connection) -> Result<Vec<Adopted>> {
    let mut out = Vec::new();
    let batches = rows(
        conn,
        "SELECT b.id, b.file_name, b.file_sha256, b.format, b.row_count, b.added_count, b.skipped_count,
                b.entered_at, b.entered_by,
                (SELECT min(id) FROM transactions WHERE batch_id = b.id),
                (SELECT max(id) FROM transactions WHERE batch_id = b.id)
         FROM import_batches b ORDER BY b.id",
        |r| {
            Ok((
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                (r.get(4)?, r.get(5)?, r.get(6)?),
                (r.get(7)?, r.get(8)?),
                (r.get(9)?, r.get(10)?),
            ))
        },
    )?;
    let mut keys = conn.prepare(
        "SELECT k.txn_id, k.date, k.content_sha256, k.occurrence FROM import_keys k
         WHERE k.txn_id BETWEEN ?1 AND ?2 ORDER BY k.txn_id",
    )?;
    for ((id, file_name, file_sha256, format), (row_count, added_count, skipped_count), (at, by), range) in
        batches
    {
        let (first_txn, last_txn): (Option<i64>, Option<i64>) = range;
        let mut digest = ImportKeys::default();
        if let (Some(first), Some(last)) = (first_txn, last_txn) {
            let mut found = keys.query([first, last])?;
            while let Some(r) = found.next()? {
                let content: Vec<u8> = r.get(2)?;
                digest.add(r.get(0)?, &r.get::<_, String>(1)?, &content, r.get(3)?);
            }
        }
        out.push(adopted(
            Entry::ImportBatch {
                id,
                file_name,
                file_sha256,
                format,
                row_count,
                added_count,
                skipped_count,
                first_txn,
                last_txn,
                key_count: digest.count,
                keys_sha256: digest.finish(),
                salted_keys: false,
            },
            at,
            by,
        ));
    }
    Ok(out)
}

fn legacy_erasures(conn: &Connection) -> Result<Vec<Adopted>> {
    let mut out = rows(
        conn,
        "SELECT id, placeholder, entered_at, entered_by FROM erasures ORDER BY id",
        |r| {
            Ok(adopted(
                Entry::Erasure {
                    id: r.get(0)?,
                    placeholder: r.get(1)?,
                    erased: Vec::new(),
                    keys: Vec::new(),
                    entry_texts: Vec::new(),
                    revised: Vec::new(),
                    blobs: Vec::new(),
                    attachments: Vec::new(),
                },
                r.get(2)?,
                r.get(3)?,
            ))
        },
    )?;
    let mut texts = conn.prepare(
        "SELECT txn_id, description_digest, counterparty_digest, memo_digest, description, counterparty, memo
         FROM erased_text WHERE erasure_id = ?1 ORDER BY txn_id",
    )?;
    for a in &mut out {
        if let Entry::Erasure { id, erased, .. } = &mut a.entry {
            *erased = texts
                .query_map([*id], |r| {
                    Ok(ErasedFields {
                        txn_id: r.get(0)?,
                        digests: vec![r.get(1)?, r.get(2)?, r.get(3)?],
                        texts: vec![r.get(4)?, r.get(5)?, r.get(6)?],
                        salts: vec![None, None, None],
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
    }
    Ok(out)
}

/// Records the legacy state as entries after the last transaction, each row rewritten by
/// its entry (so it carries the entry's id).
fn adopt(conn: &Connection, legacy: Vec<Adopted>) -> Result<()> {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let schema = adopted(
        Entry::Schema {
            version: ONE_CHAIN_VERSION as i64,
            adopted: legacy.len() as i64,
        },
        now,
        None,
    );
    let mut head: Head = chain::head(conn)?;
    for a in std::iter::once(schema).chain(legacy) {
        let stamp = Stamp {
            entered_at: &a.entered_at,
            entered_by: &a.entered_by,
        };
        head = chain::adopt(conn, &head, &a.entry, &stamp)?;
    }
    Ok(())
}

/// Records the standard accounts an older ledger lacks (the fee kinds of fondo 0.2).
fn add_standard_accounts(conn: &Connection) -> Result<()> {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let stamp = Stamp {
        entered_at: &now,
        entered_by: MIGRATION_ACTOR,
    };
    let mut head = chain::head(conn)?;
    for name in STANDARD_ACCOUNTS {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if exists {
            continue;
        }
        let id: i64 = conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM accounts", [], |r| r.get(0))?;
        let account_type = AccountType::of(name)
            .ok_or_else(|| crate::error::Error::Internal(format!("standard account `{name}` has no type")))?;
        let entry = Entry::AccountAdded {
            id,
            name: name.to_string(),
            account_type: account_type.as_str().to_string(),
            allow_negative: false,
        };
        head = chain::append(conn, &head, &entry, &stamp)?;
    }
    Ok(())
}
