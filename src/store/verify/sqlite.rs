//! SQLite's own checks of the file (integrity, foreign keys) and its schema against the one
//! this build's migrations make.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::Problems;
use crate::error::Result;
use crate::store::Ledger;

/// SQLite's own checks read every page but need nothing from the walk: on a file, they run
/// on a second connection in another thread while the walk runs (`None` in memory).
pub(super) fn spawn_sqlite_checks(view: &OneView<'_>) -> Option<Beside<Problems>> {
    view.beside(|own| {
        let mut found = Problems::default();
        check_sqlite(own, &mut found)?;
        Ok(found)
    })
}

/// Work running beside the walk, on a connection of its own.
pub(super) type Beside<T> = std::thread::JoinHandle<Result<T>>;

/// One state of the ledger for every check of a verify, though recordings go on beside it:
/// the walk and the work beside it each read on a connection of their own, and a check that
/// saw a recording another had not would report the difference as a change outside fondo.
/// Writers are held off (the file's write lock taken, as a recording takes it) until every
/// connection has begun reading, and each then reads the state it began with — milliseconds,
/// not the whole verify.
pub(super) struct OneView<'l> {
    conn: &'l Connection,
    path: Option<std::path::PathBuf>,
    /// Holds the write lock until [`OneView::release`].
    hold: Option<Connection>,
    /// Each connection beside the walk holds a copy until it has begun reading; the view's
    /// own is dropped at [`OneView::release`], which then waits for every copy to be gone.
    begun: Option<std::sync::mpsc::Sender<()>>,
    begun_by: std::sync::mpsc::Receiver<()>,
}

/// Begins a read on `conn`: the state it reads is fixed from here to its end.
fn begin_reading(conn: &Connection) -> Result<()> {
    conn.execute_batch("BEGIN")?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))?;
    Ok(())
}

impl<'l> OneView<'l> {
    /// Takes the write lock (on a file) and begins reading on the ledger's own connection.
    pub(super) fn begin(ledger: &'l Ledger) -> Result<OneView<'l>> {
        let path = ledger.path();
        let path = (path != std::path::Path::new(":memory:")).then(|| path.to_path_buf());
        let hold = match &path {
            Some(path) => {
                let hold = Connection::open(path)?;
                hold.busy_timeout(std::time::Duration::from_secs(crate::error::BUSY_TIMEOUT_SECONDS))?;
                hold.execute_batch("BEGIN IMMEDIATE")?;
                Some(hold)
            }
            None => None,
        };
        begin_reading(ledger.conn())?;
        let (begun, begun_by) = std::sync::mpsc::channel();
        Ok(OneView {
            conn: ledger.conn(),
            path,
            hold,
            begun: Some(begun),
            begun_by,
        })
    }

    /// Runs `work` in another thread on a read-only connection of its own, reading the same
    /// state as the walk; `None` in memory, where there is no second connection to the data.
    pub(super) fn beside<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Option<Beside<T>> {
        let path = self.path.clone()?;
        let begun = self.begun.clone()?;
        Some(std::thread::spawn(move || -> Result<T> {
            // One thread uses it: SQLite need not lock it on every call, as the ledger's own.
            let flags =
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let own = Connection::open_with_flags(&path, flags)?;
            own.pragma_update(None, "mmap_size", crate::store::MMAP_BYTES)?;
            begin_reading(&own)?;
            // Reading has begun: the walk need not wait for this thread any longer.
            drop(begun);
            work(&own)
        }))
    }

    /// Lets writers go on once every connection beside the walk has begun reading (or
    /// stopped before it could).
    pub(super) fn release(&mut self) {
        self.begun = None;
        // Ends with an error when the last copy of the sender is dropped.
        while self.begun_by.recv().is_ok() {}
        self.hold = None;
    }
}

impl Drop for OneView<'_> {
    /// Ends the walk's read (it only read: nothing to keep).
    fn drop(&mut self) {
        self.hold = None;
        let _ = self.conn.execute_batch("ROLLBACK");
    }
}

/// The donors' totals kept for `report donors` recomputed and compared: the problems, to be
/// listed after the walk's (damage the walk names, an edited amount or an invalid currency,
/// explains them); a recomputation that fails on damaged rows is one of them.
pub(super) fn kept_totals_problems(conn: &Connection) -> Result<Vec<String>> {
    Ok(recompute_kept_totals(conn).unwrap_or_else(|e| {
        vec![format!(
            "the totals kept for `report donors` and the public page (donors' totals, months' gifts) could not be recomputed: {e}"
        )]
    }))
}

/// Recomputes the donors' totals, the unnamed gifts' and the months' gifts from one read
/// of every gift, and compares them with those kept.
fn recompute_kept_totals(conn: &Connection) -> Result<Vec<String>> {
    use crate::store::{accountability, donor_totals, gift_months};
    let mut totals = accountability::DonorTotals::default();
    let mut unnamed = donor_totals::UnnamedSums::default();
    let mut months = gift_months::Expected::default();
    accountability::for_each_gift(conn, &crate::store::read::Filter::default(), None, |gift| {
        totals.add(&gift)?;
        unnamed.add(&gift)?;
        months.add(&gift)
    })?;
    let mut problems = donor_totals::problems(conn, totals.finish()?, unnamed)?;
    problems.extend(months.problems(conn)?);
    Ok(problems)
}

/// What work running [`beside`] the walk found.
pub(super) fn joined<T>(handle: Beside<T>, what: &str) -> Result<T> {
    handle
        .join()
        .map_err(|_| crate::error::Error::Internal(format!("{what} stopped unexpectedly")))?
}

pub(super) fn check_sqlite(conn: &Connection, problems: &mut Problems) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for row in rows {
        let line = row?;
        if line != "ok" {
            problems.push(format!("sqlite integrity check: {line}"));
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    for row in rows {
        let (table, rowid, parent): (String, Option<i64>, String) = row?;
        problems.push(format!(
            "row {} of {table} points to a missing row of {parent}",
            rowid.map_or("?".to_string(), |r| r.to_string())
        ));
    }
    Ok(())
}

/// Compares the file's schema — tables, indexes and above all triggers, which guard the
/// tables — with the one this build's migrations make: a trigger dropped, added or changed
/// outside fondo (one that copies text an erasure removes, say) is named.
pub(super) fn check_schema(conn: &Connection, problems: &mut Problems) -> Result<()> {
    type Objects = BTreeMap<(String, String), Option<String>>;
    let objects = |c: &Connection| -> Result<Objects> {
        let mut stmt = c.prepare(
            "SELECT type, name, sql FROM main.sqlite_master
             WHERE NOT (name GLOB 'sqlite_autoindex_*' OR name IN ('sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4'))
             ORDER BY type, name",
        )?;
        let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let mut fresh = Connection::open_in_memory()?;
    super::migrate::migrate(&mut fresh, 0)?;
    let expected = objects(&fresh)?;
    let mut found = objects(conn)?;
    for ((kind, name), sql) in &expected {
        match found.remove(&(kind.clone(), name.clone())) {
            None => problems.push(format!(
                "schema: {kind} `{name}` is missing (dropped outside fondo)"
            )),
            Some(stored) if stored != *sql => {
                problems.push(format!("schema: {kind} `{name}` was changed outside fondo"))
            }
            Some(_) => {}
        }
    }
    for (kind, name) in found.keys() {
        problems.push(format!(
            "schema: {kind} `{name}` is not fondo's (added outside fondo)"
        ));
    }
    Ok(())
}
