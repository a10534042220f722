//! The one error type of the library. Each variant carries what a treasurer needs to fix the
//! problem; `Display` is the one-line message shown after `error: `.

use std::path::PathBuf;

use crate::domain::names::shown_value;

/// Everything that can go wrong in fondo, short of a bug.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value given on the command line or in a file that cannot be parsed or is out of range.
    #[error("invalid {field} `{}`: {problem}", shown_value(.value))]
    Invalid {
        field: String,
        value: String,
        problem: String,
    },

    #[error("unknown account `{}`{}; list accounts with `fondo account list`, add one with `fondo account add NAME`", shown_value(.name), did_you_mean(.suggestion))]
    UnknownAccount {
        name: String,
        suggestion: Option<String>,
    },

    #[error("unknown fund `{}`{}; list funds with `fondo fund list`, add one with `fondo fund add CODE`", shown_value(.code), did_you_mean(.suggestion))]
    UnknownFund {
        code: String,
        suggestion: Option<String>,
    },

    #[error("unknown commune `{}`{}; list communes with `fondo commune list`, add one with `fondo commune add NAME --state STATE`", shown_value(.name), did_you_mean(.suggestion))]
    UnknownCommune {
        name: String,
        suggestion: Option<String>,
    },

    #[error("no transaction #{id} in this ledger (transactions run from #1 to #{last})")]
    UnknownTransaction { id: i64, last: i64 },

    #[error("{what} `{}` already exists", shown_value(.name))]
    AlreadyExists { what: &'static str, name: String },

    /// Postings of one currency and fund that do not sum to zero; `arithmetic` shows the sum.
    #[error("transaction does not balance in {currency} for fund `{fund}`: {arithmetic} (the postings of each currency and fund must sum to exactly zero)")]
    Unbalanced {
        currency: String,
        fund: String,
        arithmetic: String,
    },

    /// `available` and `after` are amounts with their currency (`96.80 USD`).
    #[error("fund `{fund}` has only {available} in {account}; this would take it to {after} ({why})")]
    InsufficientFunds {
        fund: String,
        account: String,
        available: String,
        after: String,
        why: &'static str,
    },

    #[error("reference `{}` is already used by transaction #{txn}; references must be unique", shown_value(.reference))]
    DuplicateReference { reference: String, txn: i64 },

    #[error("amount overflow: {what} exceeds what fondo can hold exactly")]
    Overflow { what: String },

    /// An operation the ledger's rules do not allow (voiding a void, confirming a fee, ...).
    #[error("{0}")]
    Refused(String),

    #[error("no ledger at {}; create one with `fondo init` (or point --db or FONDO_DB at an existing ledger)", .path.display())]
    LedgerMissing { path: PathBuf },

    #[error("{} already exists; `fondo init` never overwrites a file (choose another --db path)", .path.display())]
    LedgerExists { path: PathBuf },

    #[error("{} is not a fondo ledger ({why}); it was left untouched", .path.display())]
    NotALedger { path: PathBuf, why: String },

    #[error("{} was written by a newer fondo (schema version {found}, this fondo knows up to {supported}); upgrade fondo to use it", .path.display())]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("the ledger is busy: another fondo process kept it locked for {seconds} s; nothing was written, try again")]
    Busy { seconds: u64 },

    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    /// A file with bad rows: nothing was imported. `errors` lists the first problems, each as
    /// `FILE:LINE: COLUMN: problem`; `total` counts them all.
    #[error("{file} was rejected: {total} problem(s) found; nothing was written")]
    RowsRejected {
        file: String,
        errors: Vec<String>,
        total: usize,
    },

    /// A command line that parsed but does not make sense (exit code 2).
    #[error("{0}")]
    Usage(String),

    /// A check that ran and found problems (`verify`); the details were already printed.
    #[error("{0}")]
    CheckFailed(String),

    /// Data in the ledger file that fondo could not have written: a sign of damage or tampering.
    #[error("the ledger holds {0}; run `fondo verify` and restore from a backup")]
    Corrupt(String),

    /// Writing to standard output failed (a closed pipe is not reported as an error).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),

    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

/// How long a command waits for another fondo process to finish writing.
pub const BUSY_TIMEOUT_SECONDS: u64 = 30;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                Error::Busy {
                    seconds: BUSY_TIMEOUT_SECONDS,
                }
            }
            _ => Error::Sqlite(e),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

impl Error {
    /// A failed file operation: `action` is what fondo was doing (`create`, `read`).
    pub fn io<'p>(
        action: &'static str,
        path: &'p std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> Error + 'p {
        move |source| Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// A value that failed to parse: `field` names where it came from (`--fee`, `amount`).
    pub fn invalid(field: impl Into<String>, value: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            value: value.into(),
            problem: problem.into(),
        }
    }
}
