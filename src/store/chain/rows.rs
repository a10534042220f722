use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::append::posting_id;
use super::entry::{erased_value, Entry, ErasedEntryText, ErasedFields, ErasedKey, Revision};
use super::seal::parse_body;
use super::tables::REFUNDS;
use super::tables::{
    Table, ACCOUNTS, COMMUNES, CONFIRMATIONS, ERASED_ENTRY_TEXTS, ERASED_KEYS, ERASED_TEXT, ERASURES, FUNDS,
    IMPORT_BATCHES, LOCK_OVERRIDES, META, PERIOD_LOCKS, RATES, RECONCILED_POSTINGS, RECONCILIATIONS,
    TEXT_REVISIONS,
};
use super::tables::{ATTACHMENTS, ERASED_ATTACHMENTS, ERASED_BLOBS};
use super::tables::{BUDGETS, PLEDGES};
use crate::error::{Error, Result};
use crate::store::hash;

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
            | Entry::ImportBatch { .. }
            | Entry::Refunded { .. } => self.recorded_rows(&rows)?,
            Entry::Reconciled { .. } => self.reconciled_rows(&rows, lookup)?,
            Entry::DonorRenamed { revised } => {
                revision_rows(revised, None, &|table, values| rows.add(table, values))?
            }
            Entry::Erasure { .. } => self.erasure_rows(&rows, lookup)?,
            Entry::Attached { .. } => self.attached_rows(&rows)?,
            Entry::RateAdded { .. } => self.rate_rows(&rows)?,
            Entry::BudgetSet { .. }
            | Entry::PledgeAdded { .. }
            | Entry::PledgeEnded { .. }
            | Entry::PledgeDonorChanged { .. } => self.plan_rows(&rows)?,
        })
    }

    /// The row a budget or a pledge entry writes or changes (another kind is a bug).
    fn plan_rows(&self, rows: &EntryRows) -> Result<Vec<Row>> {
        Ok(match self {
            Entry::BudgetSet {
                fund_id,
                period,
                amount_minor,
                currency,
            } => {
                let mut values = vec![
                    Value::Integer(*fund_id),
                    text(period),
                    text(currency),
                    Value::Integer(*amount_minor),
                    rows.at.clone(),
                ];
                values.push(rows.entry_id.clone());
                vec![Row {
                    table: &BUDGETS,
                    change: Change::Replace(values),
                }]
            }
            Entry::PledgeAdded {
                id,
                donor,
                amount_minor,
                currency,
                fund_id,
                from,
                to,
            } => vec![rows.add(
                &PLEDGES,
                vec![
                    Value::Integer(*id),
                    text(donor),
                    Value::Integer(*amount_minor),
                    text(currency),
                    optional_int(*fund_id),
                    text(from),
                    optional_text(to.as_deref()),
                    rows.at.clone(),
                    rows.by.clone(),
                ],
            )],
            Entry::PledgeEnded { id, to } => vec![rows.update(&PLEDGES, *id, vec![("to_month", text(to))])],
            Entry::PledgeDonorChanged { id, donor } => {
                vec![rows.update(&PLEDGES, *id, vec![("donor", text(donor))])]
            }
            other => return Err(misplaced(other)),
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

    /// The row a closed period, a lock override, a confirmation, an import batch or a refund adds,
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
            Entry::Refunded {
                txn_id,
                gift_id,
                chargeback,
            } => vec![rows.add(
                &REFUNDS,
                vec![
                    Value::Integer(*txn_id),
                    Value::Integer(*gift_id),
                    Value::Integer(i64::from(*chargeback)),
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
            blobs,
            attachments,
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
        all.extend(
            blobs
                .iter()
                .map(|sha256| rows.add(&ERASED_BLOBS, vec![text(sha256), Value::Integer(*id)])),
        );
        all.extend(attachments.iter().map(|attachment| {
            rows.add(
                &ERASED_ATTACHMENTS,
                vec![Value::Integer(*attachment), Value::Integer(*id)],
            )
        }));
        Ok(all)
    }

    /// An attachment's row (another kind is a bug).
    fn attached_rows(&self, rows: &EntryRows) -> Result<Vec<Row>> {
        let Entry::Attached {
            id,
            target,
            target_id,
            sha256,
            size,
            media_type,
            file_name,
            note,
            private_sha256: _,
        } = self
        else {
            return Err(misplaced(self));
        };
        Ok(vec![rows.add(
            &ATTACHMENTS,
            vec![
                Value::Integer(*id),
                text(target),
                Value::Integer(*target_id),
                text(sha256),
                Value::Integer(*size),
                optional_text(media_type.as_deref()),
                text(file_name),
                optional_text(note.as_deref()),
                rows.at.clone(),
                rows.by.clone(),
            ],
        )])
    }
}

impl Entry {
    /// The row a rate adds, stamped with who recorded it (another kind is a bug).
    fn rate_rows(&self, rows: &EntryRows) -> Result<Vec<Row>> {
        let Entry::RateAdded {
            id,
            from,
            to,
            rate,
            date,
            corrects,
        } = self
        else {
            return Err(misplaced(self));
        };
        Ok(vec![rows.add(
            &RATES,
            vec![
                Value::Integer(*id),
                text(from),
                text(to),
                text(rate),
                text(date),
                optional_int(*corrects),
                rows.at.clone(),
                rows.by.clone(),
            ],
        )])
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
pub(super) struct Stored<'c>(pub(super) &'c Connection);

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
