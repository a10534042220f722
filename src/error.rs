//! The one error type of the library. Each variant carries what a treasurer needs to fix the
//! problem; `Display` is the one-line message shown after `error: `.

use std::path::PathBuf;

use crate::domain::field::Field;
use crate::domain::identity::{why_alike, Likeness};
use crate::domain::names::shown_value;

/// Everything that can go wrong in fondo, short of a bug.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An argument longer than any value fondo takes, refused before the command line is
    /// parsed: `argument` is the option it follows, or its place.
    #[error("invalid {argument} `{}`: {problem}", shown_value(.value))]
    LongArgument {
        argument: String,
        value: String,
        problem: String,
    },

    /// A value given on the command line or in a file that cannot be parsed or is out of range.
    #[error("{}", invalid(.field.flag(), .value, .problem))]
    Invalid {
        field: Field,
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

    /// A new name that looks like one the ledger has (see [`LookAlike`]).
    #[error("{0}")]
    LookAlike(Box<LookAlike>),

    #[error("{what} `{}` already exists", shown_value(.name))]
    AlreadyExists { what: &'static str, name: String },

    /// Postings of one currency and fund that do not sum to zero; `arithmetic` shows the sum.
    #[error("transaction does not balance in {currency} for fund `{fund}`: {arithmetic} (the postings of each currency and fund must sum to exactly zero)")]
    Unbalanced {
        currency: String,
        fund: String,
        arithmetic: String,
    },

    /// A fund would spend money it does not hold (see [`Shortfall`]).
    #[error("fund `{}` has only {} in {} on {}; this would take it to {} ({})", .0.fund, .0.available, .0.account, .0.date, .0.after, .0.why)]
    InsufficientFunds(Box<Shortfall>),

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

    /// A ledger of schema 1 to 3 written before schemas 1 and 2 took their present form
    /// (store::migrate::refuse_pre_release): no migration reads it.
    #[error("{} was written by a pre-release fondo (schema {found}) that this fondo cannot migrate; it was left untouched: re-create it in a new ledger (`fondo init`) from an export or the register of the fondo that wrote it", .path.display())]
    PreReleaseSchema { path: PathBuf, found: i64 },

    /// A path a command was asked to write that holds something fondo will not replace.
    #[error("{} {reason}", .path.display())]
    OutputRefused { path: PathBuf, reason: OutputRefusal },

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

    /// The treasurer stopped `fondo add` (Ctrl-C, Ctrl-D, Esc), or an answer from a script was
    /// refused: nothing was written, and there is nothing to ask again.
    #[error("{0}")]
    Cancelled(String),

    /// A report asked to value `from` in `to` on a day before which no rate was entered and
    /// no exchange between them was recorded.
    #[error("no rate from {from} to {to} on or before {date}: add one with `fondo rate add {from} {to} RATE --date D`")]
    NoRate {
        from: String,
        to: String,
        date: chrono::NaiveDate,
    },

    /// The public page's scope (`scope`: its period and fund) breaks the disclosure rules in
    /// `currency`: its totals would single out a donor.
    #[error("{}", page_refusal(.scope, *.currency, *.breach, .rules))]
    PageSinglesOut {
        scope: String,
        currency: crate::domain::Currency,
        breach: crate::domain::privacy::Breach,
        rules: crate::domain::privacy::Disclosure,
    },

    /// A check that ran and found problems (`verify`); the details were already printed.
    #[error("{0}")]
    CheckFailed(String),

    /// Data in the ledger file that fondo could not have written: a sign of damage or tampering.
    #[error("the ledger holds {0}; run `fondo verify` and restore from a backup")]
    Corrupt(String),

    /// Writing to the stream a function was given failed: standard output (a closed pipe is
    /// not reported as an error), or a file, which its writer names ([`Error::written_to`]).
    #[error("cannot write output: {0}")]
    Output(std::io::Error),

    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),

    /// A broken internal invariant: a bug in fondo, not a problem with the input.
    #[error("fondo hit a bug: {0}; nothing was written, please report it")]
    Internal(String),
}

/// Where and when a fund would go below zero. `available` and `after` are amounts with their
/// currency (`96.80 USD`) at the end of `date`, the day the fund's balance would be lowest.
#[derive(Debug)]
pub struct Shortfall {
    pub fund: String,
    pub account: String,
    pub date: String,
    pub available: String,
    pub after: String,
    pub why: &'static str,
}

/// A new name that meets an existing one: a new spelling of a known donor, or a name that
/// can be mistaken for another on a page. `flag` is what says it is someone (or something)
/// else; `what` names the kind (`donor`, `fund`, `commune`).
#[derive(Debug)]
pub struct LookAlike {
    pub field: Field,
    pub name: String,
    pub what: &'static str,
    pub existing: String,
    pub likeness: Likeness,
    pub flag: Field,
}

impl std::fmt::Display for LookAlike {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (name, existing) = (shown_value(&self.name), shown_value(&self.existing));
        let verb = match self.likeness {
            Likeness::SameKey => "looks like",
            Likeness::Confusable => "can be mistaken for",
        };
        let other = match self.what {
            "donor" => "a different person".to_string(),
            what => format!("a different {what}"),
        };
        write!(
            f,
            "{} `{name}` {verb} the existing {} `{existing}` ({}); did you mean `{existing}`? Give {} if this is {other}",
            self.field,
            self.what,
            why_alike(&self.name, &self.existing, self.likeness),
            self.flag
        )
    }
}

/// Why fondo will not write at a path: what is there, and what would be accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputRefusal {
    /// Something is there and `--force` was not given.
    Exists,
    /// Something is there, and `backup` has no `--force`.
    BackupExists,
    /// The ledger in use (or one of its journal files), by any name.
    Ledger,
    /// An SQLite database or journal: perhaps another ledger, or a backup.
    Database,
    /// A directory where a file was to be written.
    Directory,
    /// A device, a pipe or a socket where a file was to be written.
    NotAFile,
    /// A file where a directory was to be written.
    NotADirectory,
    /// A directory holding `entry`, which the command does not write.
    Foreign { entry: String },
}

impl std::fmt::Display for OutputRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputRefusal::Exists => write!(f, "already exists; pass --force to replace it"),
            OutputRefusal::BackupExists => write!(
                f,
                "already exists; a backup never overwrites a file (choose a new name)"
            ),
            OutputRefusal::Ledger => write!(
                f,
                "is the ledger in use; fondo never writes over it, not even with --force (choose another path)"
            ),
            OutputRefusal::Database => write!(
                f,
                "is an SQLite database (a ledger or a backup?); fondo never replaces one, not even with --force (choose another path)"
            ),
            OutputRefusal::Directory => write!(
                f,
                "is a directory; name a file to write (--force never replaces a directory)"
            ),
            OutputRefusal::NotAFile => write!(
                f,
                "is not a regular file; --force replaces only an ordinary file (choose another path)"
            ),
            OutputRefusal::NotADirectory => write!(
                f,
                "already exists and is not a directory; --force replaces only a directory fondo wrote (choose another path)"
            ),
            OutputRefusal::Foreign { entry } => write!(
                f,
                "already exists and holds `{entry}`, which fondo did not write there; --force replaces only a directory of fondo's own files (choose a new directory)"
            ),
        }
    }
}

/// How long a command waits for another fondo process to finish writing.
pub const BUSY_TIMEOUT_SECONDS: u64 = 30;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        // A value the store refused as it read a row (`store::read::date_at`) keeps its error.
        let e = match e {
            rusqlite::Error::FromSqlConversionFailure(column, kind, source) => {
                match source.downcast::<Error>() {
                    Ok(ours) => return *ours,
                    Err(source) => rusqlite::Error::FromSqlConversionFailure(column, kind, source),
                }
            }
            e => e,
        };
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

fn page_refusal(
    scope: &str,
    currency: crate::domain::Currency,
    breach: crate::domain::privacy::Breach,
    rules: &crate::domain::privacy::Disclosure,
) -> String {
    use crate::domain::privacy::Breach;
    let what = match breach {
        Breach::TooFew { giving: 0 } => "no gift left after refunds".to_string(),
        Breach::TooFew { giving: 1 } => "gifts from only 1 person".to_string(),
        Breach::TooFew { giving } => format!("gifts from only {giving} people"),
        Breach::NothingRaised => "more refunded than given".to_string(),
        Breach::Dominant => format!(
            "one person giving more than {}% of what was raised",
            rules.max_share_percent
        ),
    };
    format!(
        "the public page would single out a donor: {scope} has {what} in {currency} (a published total needs at least {} people, none over {}% of it); widen the period (--from/--to) or drop --fund",
        rules.min_donors, rules.max_share_percent
    )
}

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
        path: &'p (impl AsRef<std::path::Path> + ?Sized),
    ) -> impl FnOnce(std::io::Error) -> Error + 'p {
        move |source| Error::Io {
            action,
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// A value that failed to parse: `field` names where it came from (`--fee`, `amount`).
    /// An error writing to the stream a function was given ([`Error::Output`]) as an error
    /// writing the file at `path` that the stream was: what its caller knows and it did not.
    pub fn written_to(self, path: &std::path::Path) -> Error {
        match self {
            Error::Output(source) => Error::Io {
                action: "write",
                path: path.to_path_buf(),
                source,
            },
            other => other,
        }
    }

    /// The message as `fondo add` shows it: a value named by the word of its question,
    /// not by a flag `add` does not take.
    pub fn in_words(&self) -> String {
        match self {
            Error::Invalid {
                field,
                value,
                problem,
            } => invalid(field.word(), value, problem),
            other => other.to_string(),
        }
    }

    pub fn invalid(field: Field, value: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            value: value.into(),
            problem: problem.into(),
        }
    }
}

/// `invalid FIELD `VALUE`: PROBLEM`, the value shown safely.
fn invalid(field: &str, value: &str, problem: &str) -> String {
    format!("invalid {field} `{}`: {problem}", shown_value(value))
}
