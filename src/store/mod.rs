//! The SQLite ledger: the only code that speaks SQL. Opening refuses anything that is not a
//! fondo ledger without touching it; every write runs in one `BEGIN IMMEDIATE` transaction
//! through a [`Writer`], so a command records everything it was asked to, or nothing.

pub mod accountability;
pub mod backup;
pub mod chain;
pub mod donor_totals;
pub mod donors;
pub mod erase;
pub mod evidence;
pub mod gift_months;
pub mod hash;
mod keyed;
pub mod known;
pub mod locks;
pub mod master;
mod migrate;
pub mod outputs;
pub mod pack;
pub mod read;
mod recheck;
pub mod reconcile;
pub mod rename;
mod revise;
mod schema;
pub mod verify;
pub mod write;

use std::fs::OpenOptions;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::domain::names::{AccountType, GENERAL_FUND, STANDARD_ACCOUNTS};
use crate::domain::Currency;
use crate::error::{Error, Result, BUSY_TIMEOUT_SECONDS};
pub use schema::SCHEMA_VERSION;
pub use write::Writer;

/// Whether a write is kept: [`Ledger::write`] commits, or checks everything and rolls back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    Commit,
    DryRun,
}

impl WriteMode {
    /// From a command's `--dry-run`.
    pub fn dry_run_if(dry_run: bool) -> WriteMode {
        if dry_run {
            WriteMode::DryRun
        } else {
            WriteMode::Commit
        }
    }
}

/// An open ledger file.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    currency: Currency,
    actor: String,
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Ledger {
    /// Creates a new ledger at `path`, which must not exist; the file is made mode 0600.
    pub fn create(path: &Path, currency: Currency, org: Option<&str>, actor: &str) -> Result<Ledger> {
        Ledger::create_with(path, currency, actor, |w| standard_start(w, currency, org))
    }

    /// Creates a new ledger at `path` as [`Ledger::create`] does, with `populate` writing
    /// its first state instead of the standard accounts and settings (a rebuild).
    pub(crate) fn create_with(
        path: &Path,
        currency: Currency,
        actor: &str,
        populate: impl FnOnce(&mut Writer<'_>) -> Result<()>,
    ) -> Result<Ledger> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(Error::io("create the directory", parent))?;
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => Error::LedgerExists {
                path: path.to_path_buf(),
            },
            _ => Error::io("create", path)(source),
        })?;
        let created = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(Error::from)
            .and_then(|conn| Ledger::initialize(conn, path, currency, actor, populate));
        if created.is_err() {
            // Only the empty file we just made is removed: init never leaves half a ledger.
            let _ = std::fs::remove_file(path);
        }
        let ledger = created?;
        ledger.conn.pragma_update(None, "journal_mode", "WAL")?;
        Ok(ledger)
    }

    /// A new ledger that lives in memory, for tests and examples.
    pub fn create_in_memory(currency: Currency, actor: &str) -> Result<Ledger> {
        Ledger::initialize(
            Connection::open_in_memory()?,
            Path::new(":memory:"),
            currency,
            actor,
            |w| standard_start(w, currency, None),
        )
    }

    /// Opens an existing ledger. A missing path, a file that is not SQLite, an SQLite file of
    /// another program, or a ledger of a newer schema is refused and left untouched.
    pub fn open(path: &Path, actor: &str) -> Result<Ledger> {
        let (conn, found) = connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let mut conn = configure(conn)?;
        if found < SCHEMA_VERSION {
            migrate::refuse_pre_release(&conn, found, path)?;
            migrate::migrate(&mut conn, found)?;
        } else {
            migrate::complete_current(&mut conn)?;
        }
        // A ledger restored from a backup (a single file) goes back to WAL, which lets a
        // reader and a writer work at once.
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        let currency = read::default_currency(&conn)?;
        Ok(Ledger {
            conn,
            path: path.to_path_buf(),
            currency,
            actor: actor.to_string(),
        })
    }

    /// Lets SQLite read the file through a memory map, for a command that reads much of a
    /// large ledger (a report, verify, an export): it reads pages all over the file, and
    /// copying each out of the page cache was a third of a report's time. Not for imports and
    /// recordings, which read little per row and whose resident memory would then count
    /// every page of the file they touched.
    pub fn read_mapped(&self) -> Result<()> {
        self.conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        Ok(())
    }

    /// Opens a ledger to read it only, changing nothing in the file (not its journal mode, not
    /// its schema): a copy being checked. A ledger of another schema version is refused.
    pub fn open_read_only(path: &Path, actor: &str) -> Result<Ledger> {
        let (conn, found) = connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        if found < SCHEMA_VERSION {
            return Err(Error::Refused(format!(
                "{} has an older schema (version {found}); open it once with `fondo --db {} verify` to upgrade it",
                path.display(),
                path.display()
            )));
        }
        let conn = configure(conn)?;
        let currency = read::default_currency(&conn)?;
        Ok(Ledger {
            conn,
            path: path.to_path_buf(),
            currency,
            actor: actor.to_string(),
        })
    }

    fn initialize(
        conn: Connection,
        path: &Path,
        currency: Currency,
        actor: &str,
        populate: impl FnOnce(&mut Writer<'_>) -> Result<()>,
    ) -> Result<Ledger> {
        let mut conn = configure(conn)?;
        conn.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
        migrate::migrate(&mut conn, 0)?;
        let mut ledger = Ledger {
            conn,
            path: path.to_path_buf(),
            currency,
            actor: actor.to_string(),
        };
        ledger.write(WriteMode::Commit, populate)?;
        Ok(ledger)
    }

    /// Runs `f` in one immediate write transaction: committed when `f` succeeds and `mode`
    /// is [`WriteMode::Commit`], rolled back otherwise, so a failed or dry-run command
    /// changes nothing.
    pub fn write<T>(&mut self, mode: WriteMode, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        // Unchecked only in that it takes the connection shared: `&mut self` keeps this the
        // only transaction on it, and the writer holds statements on the connection itself.
        let conn = &self.conn;
        let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let mut writer = Writer::new(conn, tx, &self.actor);
        let value = f(&mut writer)?;
        if mode == WriteMode::Commit {
            writer.commit()?;
        }
        Ok(value)
    }

    /// The ledger's default currency, set by `init`.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who is recorded as entering new transactions.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// What `init` records: the settings, the standard accounts and the `general` fund.
fn standard_start(w: &mut Writer<'_>, currency: Currency, org: Option<&str>) -> Result<()> {
    w.set_meta("currency", currency.code())?;
    if let Some(org) = org {
        w.set_meta("org", org)?;
    }
    for name in STANDARD_ACCOUNTS {
        w.insert_account(
            name,
            AccountType::of(name).ok_or_else(|| Error::Corrupt(name.into()))?,
        )?;
    }
    w.insert_fund(GENERAL_FUND, "General (no earmark)", None, false)
}

/// Opens a fondo ledger file with `flags` and returns its schema version; a file that is not
/// a ledger, or one of a newer schema, is refused untouched.
fn connect(path: &Path, flags: OpenFlags) -> Result<(Connection, i64)> {
    check_header(path)?;
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok((conn, found))
}

/// SQLite's page cache per connection, in KiB: enough for the indexes of a large import,
/// within the memory a treasurer's laptop can spare.
const CACHE_KIB: i64 = 32 * 1024;

/// How much of the file SQLite reads through a memory map rather than a copy per page read
/// (see [`Ledger::read_mapped`]; SQLite caps it at its own maximum, 2 GiB).
const MMAP_BYTES: i64 = 1 << 31;

/// Sets what every connection needs: a busy timeout so concurrent commands wait for each
/// other, foreign keys, and a full sync on every commit.
fn configure(conn: Connection) -> Result<Connection> {
    conn.busy_timeout(Duration::from_secs(BUSY_TIMEOUT_SECONDS))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // A larger page cache (negative: KiB) keeps index pages in memory during big imports.
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    Ok(conn)
}

/// Reads the SQLite header directly, so that nothing is written to a file that is not a
/// fondo ledger (SQLite itself might create a journal or change the journal mode).
fn check_header(path: &Path) -> Result<()> {
    let not_a_ledger = |why: &str| Error::NotALedger {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::LedgerMissing {
                path: path.to_path_buf(),
            })
        }
        Err(source) => return Err(Error::io("open", path)(source)),
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(not_a_ledger("it is a directory"));
    }
    let mut header = [0_u8; 100];
    let mut filled = 0;
    while filled < header.len() {
        match file.read(&mut header[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(source) => return Err(Error::io("read", path)(source)),
        }
    }
    if filled < header.len() || &header[..16] != SQLITE_MAGIC {
        return Err(not_a_ledger("not an SQLite database"));
    }
    let application_id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    if application_id != schema::APPLICATION_ID {
        return Err(not_a_ledger("an SQLite database of another program"));
    }
    Ok(())
}

/// What a write says when adding to a total kept beside the transactions (`what`) fails on
/// the value stored, as a count at its largest, which no write of fondo's leaves: the table
/// was changed outside fondo. Other failures (a busy or full disk) are what they are.
fn kept_total_error(what: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => {
            Error::Corrupt(format!("{what} that a write cannot add to ({e})"))
        }
        _ => e.into(),
    }
}
