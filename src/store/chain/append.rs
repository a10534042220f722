use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};

use super::entry::Entry;
use super::rows::{Change, Row, Stamp, Stored};
use super::seal::seal;
use crate::error::{Error, Result};
use crate::store::hash::{self, GENESIS};

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
pub(crate) fn adopt(conn: &Connection, head: &Head, entry: &Entry, stamp: &Stamp<'_>) -> Result<Head> {
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
