use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::Connection;

use super::rows::{Change, Row};
use super::tables::{Table, TABLES};
use crate::error::Result;
use crate::store::hash;

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
