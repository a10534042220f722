//! `fondo import`: reads a file in one streaming pass inside one write. Every row is parsed
//! and recorded; any problem in any row is collected and the whole write rolled back, so a
//! file is imported entirely or not at all. A row already imported (same reference, or same
//! content and occurrence in the file) is skipped, so importing again adds nothing.

use std::borrow::Cow;
use std::path::Path;
use std::sync::mpsc::SyncSender;

use serde::Serialize;

use super::journal::{self, JournalReader};
use super::simple::{self, SimpleReader};
use super::source::{self, Encoding, Text};
use super::statement::{Mapping, StatementReader};
use super::{ParsedTxn, PayoutLine, Problems, Records, Rejected, RowError};
use crate::domain::names::nfc;
use crate::domain::Field;
use crate::domain::{builders, Amount, Currency, NewPosting, NewTransaction, Sum};
use crate::error::{Error, Result};
use crate::store::hash;
use crate::store::read::{StoredPosting, StoredTransaction};
use crate::store::write::Batch;
use crate::store::WriteMode;
use crate::store::{Ledger, Writer};

/// The three formats `import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    Simple,
    Journal,
    Statement,
}

impl InputFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Simple => "simple",
            InputFormat::Journal => "journal",
            InputFormat::Statement => "statement",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Detected from the header (or the mapping) when not given.
    pub format: Option<InputFormat>,
    pub mapping: Option<std::path::PathBuf>,
    pub dry_run: bool,
    pub create_missing: bool,
    /// With `create_missing`: create a name even when it is close to an existing one.
    pub allow_similar: bool,
    /// Future dates and closed periods the treasurer allowed.
    pub date_rules: crate::store::locks::DateRules,
    /// Donors and names that look like existing ones the treasurer allowed.
    pub name_rules: crate::store::write::NameRules,
}

/// What an import did (or, on a dry run, would do).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ImportOutcome {
    pub file: String,
    pub file_sha256: String,
    pub format: &'static str,
    pub dry_run: bool,
    /// Transactions read from the file.
    pub rows: i64,
    pub added: i64,
    pub skipped_duplicates: i64,
    pub batch: i64,
    /// Accounts, funds and communes `--create-missing` created.
    pub created: Vec<String>,
}

enum Reader {
    Simple(SimpleReader<Text>),
    Journal(JournalReader<Text>),
    Statement(Box<StatementReader<Text>>),
}

impl Reader {
    fn next_txn(&mut self) -> Result<Option<std::result::Result<ParsedTxn, Rejected>>> {
        match self {
            Reader::Simple(r) => r.next_txn(),
            Reader::Journal(r) => r.next_txn(),
            Reader::Statement(r) => r.next_txn(),
        }
    }
}

/// Imports `path` into the ledger.
pub fn import(ledger: &mut Ledger, path: &Path, options: &ImportOptions) -> Result<ImportOutcome> {
    let shown = path.display().to_string();
    let (file_sha256, size) = source::fingerprint(path)?;
    let (reader, format) = match open_reader(path, size, options, ledger.currency())? {
        Ok(opened) => opened,
        Err(e) => {
            let mut problems = Problems::default();
            problems.add(e);
            return Err(problems.into_error(&shown));
        }
    };
    let file_name = path
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    ledger.write(WriteMode::dry_run_if(options.dry_run), |w| {
        w.set_date_rules(options.date_rules.clone())?;
        w.set_name_rules(options.name_rules);
        let batch = w.begin_import()?;
        let mut run = Run::new(&file_name, options, w.last_transaction_id()?);
        let rows = std::thread::scope(|scope| -> Result<i64> {
            let (send, received) = std::sync::mpsc::sync_channel(READ_BATCHES_AHEAD);
            scope.spawn(move || read_rows(reader, format, &send));
            let mut rows = 0;
            // A refused row stops nothing (every problem is collected); an error returned
            // here drops `received`, which stops the reading thread.
            for batch in received {
                for row in batch? {
                    rows += 1;
                    run.take(w, row)?;
                }
            }
            Ok(rows)
        })?;
        if !run.problems.is_empty() {
            return Err(run.problems.into_error(&shown));
        }
        w.finish_import(&Batch {
            file_name: &file_name,
            file_sha256: &file_sha256,
            format: format.as_str(),
            row_count: rows,
            added_count: run.added,
            skipped_count: run.skipped,
        })?;
        Ok(ImportOutcome {
            file: shown.clone(),
            file_sha256: file_sha256.clone(),
            format: format.as_str(),
            dry_run: options.dry_run,
            rows,
            added: run.added,
            skipped_duplicates: run.skipped,
            batch,
            created: run.created,
        })
    })
}

/// How many rows the reading thread hands over at a time, and how many such batches it may
/// be ahead of the write: about a thousand rows in memory.
const READ_BATCH_ROWS: usize = 256;
const READ_BATCHES_AHEAD: usize = 4;

/// A row of the file as the reading thread hands it over.
struct ReadRow {
    item: std::result::Result<ParsedTxn, Rejected>,
    /// For a row that parsed, what needs no ledger, worked out ahead.
    ahead: Option<Ahead>,
}

/// What the reading thread works out for a parsed row beside the write, which needs only the
/// row: a quarter of an import's time was parsing, checking and hashing rows.
struct Ahead {
    /// The counterparty is not an erasure's placeholder.
    not_placeholder: Result<()>,
    /// The row as recorded, its text in NFC (`None`: as read), or why it cannot be.
    checked: Result<Option<NewTransaction>>,
    /// Its content's key (`hash::content_key`) as recorded, unless it voids a transaction of
    /// the file, whose number here the write knows.
    content: Option<[u8; 32]>,
}

impl Ahead {
    fn of(parsed: &ParsedTxn) -> Ahead {
        let not_placeholder = match &parsed.txn.counterparty {
            Some(counterparty) => {
                crate::domain::privacy::check_not_placeholder(Field::COUNTERPARTY, counterparty)
            }
            None => Ok(()),
        };
        let checked = parsed.txn.check().map(|form| match form {
            Cow::Owned(changed) => Some(changed),
            Cow::Borrowed(_) => None,
        });
        let content = match (&checked, parsed.source_voids) {
            (Ok(form), None) => Some(hash::content_key(form.as_ref().unwrap_or(&parsed.txn))),
            _ => None,
        };
        Ahead {
            not_placeholder,
            checked,
            content,
        }
    }
}

/// Reads the file on a thread of its own, beside the write: the rows in the order they are
/// recorded (see [`read_ahead`]), each parsed and worked out as far as it can be without the
/// ledger, handed over in batches. Stops at the first error, or when the write stops
/// listening.
fn read_rows(mut reader: Reader, format: InputFormat, send: &SyncSender<Result<Vec<ReadRow>>>) {
    let head = match read_ahead(&mut reader, format) {
        Ok(head) => head,
        Err(e) => {
            let _ = send.send(Err(e));
            return;
        }
    };
    let mut batch = Vec::with_capacity(READ_BATCH_ROWS);
    let mut rest = std::iter::from_fn(|| reader.next_txn().transpose());
    for item in head.into_iter().map(Ok).chain(&mut rest) {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                // The rows before it are taken first, as they would have been.
                let _ = send
                    .send(Ok(std::mem::take(&mut batch)))
                    .and_then(|()| send.send(Err(e)));
                return;
            }
        };
        let ahead = item.as_ref().ok().map(Ahead::of);
        batch.push(ReadRow { item, ahead });
        if batch.len() == READ_BATCH_ROWS
            && send
                .send(Ok(std::mem::replace(
                    &mut batch,
                    Vec::with_capacity(READ_BATCH_ROWS),
                )))
                .is_err()
        {
            return;
        }
    }
    let _ = send.send(Ok(batch));
}

/// The first rows of a file, read ahead: a short file that is not oldest first (a bank's
/// newest-first export, say) is put in date order first, so a payment is checked after the
/// gift that funds it; a journal keeps its order, which its transaction numbers and voids
/// follow.
fn read_ahead(
    reader: &mut Reader,
    format: InputFormat,
) -> Result<Vec<std::result::Result<ParsedTxn, Rejected>>> {
    let mut head = Vec::new();
    if format != InputFormat::Journal {
        // One row past the most, to know whether the file ends within them.
        while head.len() <= REORDER_ROWS_MAX {
            match reader.next_txn()? {
                Some(item) => head.push(item),
                None => {
                    in_date_order(&mut head);
                    break;
                }
            }
        }
    }
    Ok(head)
}

/// Refuses to create a name the ledger lacks that is a letter or two from one it has
/// (`assets:bnak`, `tire`): most likely a typo, which `--create-missing` would otherwise
/// turn into a new account or fund for good.
fn refuse_near_typo(w: &Writer<'_>, what: &'static str, name: &str) -> Result<()> {
    let existing = match what {
        "account" => w.account_names()?,
        _ => w.fund_codes()?,
    };
    if existing.iter().any(|e| e == name) {
        return Ok(());
    }
    // Names under the same parent whose last parts are one edit apart (two for long ones),
    // counting a swap of two letters as one: `assets:bnak` and `assets:bank`, `tire` and
    // `tires` — not `ataroa` and `autana`.
    let (parent, leaf) = name.rsplit_once(':').unwrap_or(("", name));
    // Names of a numbered series (`commune-20`, `commune-21`; `phase-1`, `phase-2`) differ only
    // in their digits: they are meant, not typos.
    let shape = |text: &str| -> String {
        text.to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    let near = existing.iter().find(|other| {
        let (other_parent, other_leaf) = other.rsplit_once(':').unwrap_or(("", other.as_str()));
        let allowed = if leaf.chars().count() >= 8 { 2 } else { 1 };
        other_parent == parent
            && shape(leaf) != shape(other_leaf)
            && strsim::damerau_levenshtein(&leaf.to_lowercase(), &other_leaf.to_lowercase()) <= allowed
    });
    match near {
        Some(near) => Err(Error::invalid(
            match what {
                "account" => Field::ACCOUNT_ARG,
                _ => Field::FUND_ARG,
            },
            name,
            format!("is not in the ledger but is close to `{near}`: a typo? fix the file, or give --allow-similar to create it"),
        )),
        None => Ok(()),
    }
}

/// A format's columns, and how many of them a file must have: a spreadsheet may leave out
/// the optional columns at the end (a simple file's currency, fund, counterparty and
/// reference; a journal's last three, which describe the ledger it came from).
fn columns(format: InputFormat) -> (&'static [&'static str], usize) {
    match format {
        InputFormat::Journal => (&journal::HEADER, journal::HEADER.len() - 3),
        _ => (&simple::HEADER, 5),
    }
}

/// Whether a header names `format`'s columns in order, in any case, with only optional
/// ones left out at the end.
fn header_fits(found: &[&str], format: InputFormat) -> bool {
    let (expected, required) = columns(format);
    (required..=expected.len()).contains(&found.len())
        && found.iter().zip(expected).all(|(f, e)| f.eq_ignore_ascii_case(e))
}

/// The most rows of a file that import puts in date order before recording them; a longer
/// file is recorded in its own order, which must then be oldest first.
const REORDER_ROWS_MAX: usize = 10_000;

/// Puts a whole short file's rows in date order: a file whose dates only go down (newest
/// first) is reversed, so rows of one day keep their order relative to each other as the
/// bank listed them, reversed; any other order is sorted by date, rows of one day keeping
/// the file's order. A file with a bad row keeps its order: it is refused anyway, by line.
fn in_date_order(rows: &mut [std::result::Result<ParsedTxn, Rejected>]) {
    let dates: Option<Vec<chrono::NaiveDate>> =
        rows.iter().map(|r| r.as_ref().ok().map(|p| p.txn.date)).collect();
    let Some(dates) = dates else {
        return;
    };
    if dates.windows(2).all(|w| w[0] <= w[1]) {
        return;
    }
    if dates.windows(2).all(|w| w[0] >= w[1]) {
        rows.reverse();
    } else {
        rows.sort_by_key(|r| r.as_ref().ok().map(|p| p.txn.date));
    }
}

/// Opens the file and picks its reader: a statement when a mapping is given, otherwise the
/// format whose header the file starts with.
fn open_reader(
    path: &Path,
    size: u64,
    options: &ImportOptions,
    currency: Currency,
) -> Result<std::result::Result<(Reader, InputFormat), RowError>> {
    let wanted = match (options.format, &options.mapping) {
        (Some(InputFormat::Statement), None) => {
            return Err(Error::Usage(
                "a statement import needs a mapping file: --mapping FILE (see the README)".into(),
            ))
        }
        (Some(InputFormat::Simple | InputFormat::Journal), Some(_)) => {
            return Err(Error::Usage("--mapping is for statement files only".into()))
        }
        (format, Some(mapping)) => {
            let mapping = Mapping::load(mapping)?;
            debug_assert!(format.is_none_or(|f| f == InputFormat::Statement));
            let encoding = mapping.encoding_kind().map_err(Error::Refused)?;
            let text = source::open(path, size, encoding)?;
            return Ok(StatementReader::new(text, mapping, currency, path)?
                .map(|r| (Reader::Statement(Box::new(r)), InputFormat::Statement)));
        }
        (format, None) => format,
    };
    let mut records = Records::new(source::open(path, size, Encoding::Utf8)?, b',', path);
    let (line, header) = match records.next_record()? {
        None => {
            return Ok(Err(RowError::new(
                1,
                "header",
                format!(
                    "the file is empty; a simple file starts with `{}`, a journal with `{}`",
                    simple::HEADER.join(","),
                    journal::HEADER.join(",")
                ),
            )))
        }
        Some(Err(e)) => return Ok(Err(e)),
        Some(Ok((line, header))) => (line, header.clone()),
    };
    let found: Vec<&str> = header.iter().map(str::trim).collect();
    let format = match wanted {
        Some(format) => format,
        None if header_fits(&found, InputFormat::Journal) => InputFormat::Journal,
        None if header_fits(&found, InputFormat::Simple) => InputFormat::Simple,
        None => {
            let delimiter = match found.as_slice() {
                [only] if only.contains(';') => Some("`;`"),
                [only] if only.contains('\t') => Some("tabs"),
                _ => None,
            };
            let hint = match delimiter {
                Some(d) => format!(
                    "the file separates cells with {d}, not commas: save it as comma-separated, or import it as a statement whose mapping says its delimiter"
                ),
                None => "for a bank or platform export give --mapping FILE".to_string(),
            };
            return Ok(Err(RowError::value(
                line,
                "header",
                format!(
                    "not a simple header (`{}`) nor a journal header (`{}`); {hint}",
                    simple::HEADER.join(","),
                    journal::HEADER.join(",")
                ),
                &found.join(","),
            )));
        }
    };
    if !header_fits(&found, format) {
        let (expected, required) = columns(format);
        return Ok(Err(RowError::value(
            line,
            "header",
            format!(
                "expected `{}` (names in any case; the last {} may be left out)",
                expected.join(","),
                expected.len() - required
            ),
            &found.join(","),
        )));
    }
    Ok(Ok(match format {
        InputFormat::Journal => (
            Reader::Journal(JournalReader::new(records, currency).with_columns(found.len())),
            format,
        ),
        _ => (
            Reader::Simple(SimpleReader::new(records, currency).with_columns(found.len())),
            InputFormat::Simple,
        ),
    }))
}

/// The state of one import as it goes.
struct Run<'a> {
    file_name: &'a str,
    create_missing: bool,
    allow_similar: bool,
    problems: Problems,
    /// Names `--create-missing` has already made sure of.
    ensured: std::collections::HashSet<(&'static str, String)>,
    /// The accounts and the funds found in the ledger so far.
    found_accounts: std::collections::HashSet<String>,
    found_funds: std::collections::HashSet<String>,
    added: i64,
    skipped: i64,
    created: Vec<String>,
    /// The last transaction recorded before this import: later ones are this file's rows.
    last_before: i64,
}

impl<'a> Run<'a> {
    fn new(file_name: &'a str, options: &ImportOptions, last_before: i64) -> Run<'a> {
        Run {
            last_before,
            file_name,
            create_missing: options.create_missing,
            allow_similar: options.allow_similar,
            problems: Problems::default(),
            ensured: std::collections::HashSet::new(),
            found_accounts: std::collections::HashSet::new(),
            found_funds: std::collections::HashSet::new(),
            added: 0,
            skipped: 0,
            created: Vec::new(),
        }
    }
}

impl Run<'_> {
    /// Checks the names of one row read from the file and, when the ledger has them all,
    /// records it; a problem is noted against its row.
    fn take(&mut self, w: &mut Writer<'_>, row: ReadRow) -> Result<()> {
        match row.item {
            Err(rejected) => {
                self.problems.extend(rejected.errors);
                // The names it holds are checked all the same: every problem of a row.
                for n in &rejected.names {
                    for e in self.name_problems(w, [(n.what, n.name.as_str())])? {
                        self.add_problem(n.line, &n.column, &e);
                    }
                }
            }
            Ok(parsed) => {
                // Every name the ledger lacks, not only the row's first.
                let names = parsed
                    .txn
                    .postings
                    .iter()
                    .flat_map(|p| [("account", p.account.as_str()), ("fund", p.fund.as_str())]);
                let mut problems = self.name_problems(w, names)?;
                if let (true, Some(ahead)) = (problems.is_empty(), row.ahead) {
                    problems.extend(self.import_one(w, &parsed, ahead).err());
                }
                for e in problems {
                    self.add_problem(parsed.line, &parsed.column_of(&e), &e);
                }
            }
        }
        Ok(())
    }

    /// Notes a problem of the row on `line`. A name the ledger lacks (or, with
    /// `--create-missing`, one too close to a name it has) is listed once, on the first row
    /// that names it, with the other rows that do: a file names the same few on every row.
    fn add_problem(&mut self, line: u64, column: &str, e: &Error) {
        let (what, name, problem) = match e {
            Error::UnknownAccount { name, .. } => {
                ("account", name, format!("{e}, or import with --create-missing"))
            }
            Error::UnknownFund { code, .. } => {
                ("fund", code, format!("{e}, or import with --create-missing"))
            }
            Error::Invalid { field, value, .. } if *field == Field::ACCOUNT_ARG => {
                ("account", value, e.to_string())
            }
            Error::Invalid { field, value, .. } if *field == Field::FUND_ARG => {
                ("fund", value, e.to_string())
            }
            _ => return self.problems.add(RowError::new(line, column, e.to_string())),
        };
        self.problems
            .add_for_name(what, name, RowError::new(line, column, problem));
    }

    /// What is wrong with these account and fund names of a row, each once: the ones the
    /// ledger lacks, or with `--create-missing` the ones a letter or two from a name it has
    /// (unless `--allow-similar`), so that a row names all of them rather than the first.
    fn name_problems<'n>(
        &mut self,
        w: &Writer<'_>,
        names: impl IntoIterator<Item = (&'static str, &'n str)>,
    ) -> Result<Vec<Error>> {
        let mut problems = Vec::new();
        let mut seen = Vec::new();
        for (what, name) in names {
            // Each name is looked up once an import: a file names the same few on every row.
            if self.found_names(what).contains(name) || seen.contains(&(what, name)) {
                continue;
            }
            seen.push((what, name));
            let found = match what {
                "account" => w.check_account(name),
                _ => w.check_fund(name),
            };
            match found {
                Ok(()) => {
                    self.found_names(what).insert(name.to_string());
                }
                Err(_) if self.create_missing && self.allow_similar => {}
                Err(e @ (Error::UnknownAccount { .. } | Error::UnknownFund { .. })) => {
                    if !self.create_missing {
                        problems.push(e);
                    } else if let Err(near) = refuse_near_typo(w, what, name) {
                        problems.push(near);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(problems)
    }

    /// The accounts (`what`: `account`) or the funds found in the ledger so far.
    fn found_names(&mut self, what: &str) -> &mut std::collections::HashSet<String> {
        match what {
            "account" => &mut self.found_accounts,
            _ => &mut self.found_funds,
        }
    }

    /// Records one transaction, or skips it as already imported.
    fn import_one(&mut self, w: &mut Writer<'_>, parsed: &ParsedTxn, ahead: Ahead) -> Result<()> {
        let mut txn = Cow::Borrowed(&parsed.txn);
        ahead.not_placeholder?;
        if let Some(source_id) = parsed.source_id {
            if !w.see_source(source_id)? {
                return Err(Error::invalid(
                    Field::TXN_COLUMN,
                    source_id.to_string(),
                    "appears again after other transactions; the rows of one transaction must be together",
                ));
            }
        }
        if let Some(voided) = parsed.source_voids {
            let target = w.mapped_source(voided)?.ok_or_else(|| {
                Error::invalid(
                    Field::VOIDS_COLUMN,
                    voided.to_string(),
                    "names a transaction that does not come earlier in this file",
                )
            })?;
            txn.to_mut().voids = Some(target);
        }
        if self.create_missing {
            // Near typos were refused with the row's other names (name_problems).
            for p in &txn.postings {
                if self.ensured.insert(("account", p.account.clone())) {
                    self.created.extend(w.ensure_account(&p.account)?);
                }
                if self.ensured.insert(("fund", p.fund.clone())) {
                    self.created.extend(w.ensure_fund(&p.fund)?);
                }
            }
        }
        // The row as it is recorded: its text in NFC. `as_read` is kept only for text that
        // was not, by which a row imported before fondo normalised text is recognised.
        let checked = match ahead.checked? {
            Some(changed) => Some(NewTransaction {
                voids: txn.voids,
                ..changed
            }),
            None => None,
        };
        let as_read = checked.is_some().then_some(txn.as_ref());
        let txn = checked.as_ref().unwrap_or(txn.as_ref());
        let source = format!("import:{}:{}", self.file_name, parsed.line);
        let id = match &txn.reference {
            Some(reference) => match w.transaction_by_reference(reference)? {
                Some(existing) => {
                    let stored = w.transaction(existing)?;
                    let by_fund = parsed.payout.is_none();
                    same_content(&stored, txn, by_fund, self.last_before)?;
                    self.skipped += 1;
                    existing
                }
                None => self.record_new(w, parsed, txn, &source)?,
            },
            None => {
                let content = ahead.content.unwrap_or_else(|| hash::content_key(txn));
                let identity = w.import_identity(txn.date, content)?;
                let mut imported = w.imported(&identity)?;
                if let (None, Some(as_read)) = (imported, as_read) {
                    let legacy = w.import_identity(as_read.date, hash::content_key(as_read))?;
                    imported = w.imported(&legacy)?;
                }
                match imported {
                    Some(existing) => {
                        self.skipped += 1;
                        existing
                    }
                    None => {
                        let id = self.record_new(w, parsed, txn, &source)?;
                        w.remember_import(&identity, id)?;
                        id
                    }
                }
            }
        };
        if let Some(source_id) = parsed.source_id {
            w.map_source(source_id, id)?;
        }
        Ok(())
    }

    /// Records a row the ledger does not have yet. A void of a transaction already voided is
    /// refused here rather than on reading it: a void the ledger has (a journal imported
    /// again) is skipped like any row it has.
    fn record_new(
        &mut self,
        w: &mut Writer<'_>,
        parsed: &ParsedTxn,
        txn: &NewTransaction,
        source: &str,
    ) -> Result<i64> {
        if let (Some(voided), Some(target)) = (parsed.source_voids, txn.voids) {
            if let Some(by) = w.transaction(target)?.voided_by {
                return Err(Error::invalid(
                    Field::VOIDS_COLUMN,
                    voided.to_string(),
                    format!("that transaction (#{target} here) is already voided by #{by}"),
                ));
            }
        }
        let recorded = recorded_form(w, txn, parsed.payout.as_ref())?;
        not_forgotten(w, &recorded)?;
        let id = w.record(&recorded, source)?;
        self.added += 1;
        Ok(id)
    }
}

/// Refuses a row that is like an imported gift whose donor was forgotten: `donor forget`
/// replaced its import key and reference, so re-importing the file would record the gift a
/// second time and bring the name back.
fn not_forgotten(w: &mut Writer<'_>, txn: &NewTransaction) -> Result<()> {
    match w.like_forgotten(txn)? {
        None => Ok(()),
        Some(like) => Err(Error::Refused(format!(
            "this row is like #{like}, an imported row `donor forget` erased: it is not imported again, so that the forgotten name does not come back and the money is not counted twice; take the row out of the file (it names someone who asked to be forgotten), or if it is a new gift, record it with `fondo donation`"
        ))),
    }
}

/// What is recorded for a parsed transaction: itself, or for a payout line the lump split
/// across the funds by what each holds at the payer now, in this same write.
fn recorded_form<'t>(
    w: &mut Writer<'_>,
    txn: &'t NewTransaction,
    payout: Option<&PayoutLine>,
) -> Result<Cow<'t, NewTransaction>> {
    let Some(p) = payout else {
        return Ok(Cow::Borrowed(txn));
    };
    let split = builders::Payout {
        amount: p.amount,
        fee: p.fee,
        holdings: w.holdings(&p.from, p.amount.currency(), txn.date)?,
        from: p.from.clone(),
        to: p.to.clone(),
        fee_to: builders::FeeTo {
            account: Some(p.fee_account.clone()),
            fund: None,
        },
    };
    let header = builders::Header {
        date: Some(txn.date),
        description: Some(txn.description.clone()),
        reference: txn.reference.clone(),
        memo: txn.memo.clone(),
    };
    let mut recorded = builders::payout(split, header, txn.date)?;
    recorded.counterparty = txn.counterparty.clone();
    Ok(Cow::Owned(recorded))
}

/// A row whose reference is already in the ledger must say the same thing; the error names
/// the first field that differs. A payout's split depends on what the funds held when it was
/// recorded, so it is compared by account, its funds taken together (`by_fund` false).
fn same_content(
    stored: &StoredTransaction,
    txn: &NewTransaction,
    by_fund: bool,
    last_before: i64,
) -> Result<()> {
    // A row earlier in this very file is not in the ledger yet (the import is all or nothing).
    let holder = if stored.id > last_before {
        "on an earlier row of this file".to_string()
    } else {
        format!("already #{} in the ledger", stored.id)
    };
    // The reference is what is wrong: the row's other fields may be exactly as meant.
    let differs = |field: &str, before: String, now: String| -> Result<()> {
        if before == now {
            return Ok(());
        }
        Err(Error::invalid(
            Field::REFERENCE,
            txn.reference.as_deref().unwrap_or_default(),
            format!(
                "is {holder}, whose {field} is `{before}` where this row has `{now}`; a reference names one transaction (a row the same as the one recorded is skipped as imported before): give this row its own reference"
            ),
        ))
    };
    // Text recorded before fondo normalised it is compared in NFC, as the row's now is.
    let text = |v: &Option<String>| nfc(v.as_deref().unwrap_or_default());
    if stored.date != txn.date {
        differs("date", stored.date.to_string(), txn.date.to_string())?;
    }
    differs("description", nfc(&stored.description), txn.description.clone())?;
    differs(
        "counterparty",
        text(&stored.counterparty),
        text(&txn.counterparty),
    )?;
    differs("memo", text(&stored.memo), text(&txn.memo))?;
    let stored_postings: Vec<NewPosting> = stored.postings.iter().map(StoredPosting::to_new).collect();
    let (before_postings, now_postings) = if by_fund {
        (stored_postings, txn.postings.clone())
    } else {
        (by_account(&stored_postings)?, by_account(&txn.postings)?)
    };
    differs(
        "postings",
        before_postings.len().to_string(),
        now_postings.len().to_string(),
    )?;
    for (before, now) in before_postings.iter().zip(&now_postings) {
        differs("account", before.account.clone(), now.account.clone())?;
        differs("fund", before.fund.clone(), now.fund.clone())?;
        differs(
            "currency",
            before.amount.currency().to_string(),
            now.amount.currency().to_string(),
        )?;
        differs("amount", before.amount.to_string(), now.amount.to_string())?;
    }
    Ok(())
}

/// Postings summed per account and currency, their funds taken together, in account order.
fn by_account(postings: &[NewPosting]) -> Result<Vec<NewPosting>> {
    let mut sums: std::collections::BTreeMap<(String, Currency), Sum> = std::collections::BTreeMap::new();
    for p in postings {
        let currency = p.amount.currency();
        sums.entry((p.account.clone(), currency))
            .or_insert(Sum::zero(currency))
            .add(p.amount)
            .map_err(|_| Error::Overflow {
                what: "a payout's postings".into(),
            })?;
    }
    sums.into_iter()
        .filter(|(_, sum)| !sum.is_zero())
        .map(|((account, currency), sum)| {
            Ok(NewPosting {
                account,
                fund: String::new(),
                amount: Amount::from_minor(sum.minor(), currency)?,
            })
        })
        .collect()
}
