//! Moving books in and out: `import` and `export journal`.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::review::ReportArgs;
use super::Context;
use crate::domain::Field;
use crate::error::{Error, Result};
use crate::files::{shown, Destination, Existing};
use crate::io::export::{self, ExportOptions};
use crate::io::import::{self, ImportOptions};
use crate::render::{self, Format};
use crate::store::write::NameRules;
use crate::store::Ledger;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file
    file: PathBuf,
    /// How to read a bank's or platform's export (TOML; see the README)
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Check every row and show what would be added, writing nothing
    #[arg(long)]
    dry_run: bool,
    /// Create accounts, funds and communes the file names that the ledger lacks
    #[arg(long)]
    create_missing: bool,
    /// With --create-missing: create a name even when it is a letter or two from one the
    /// ledger has (otherwise refused as a likely typo)
    #[arg(long, requires = "create_missing")]
    allow_similar: bool,
    /// Record donors whose names look like existing donors' (the same but for case, accents
    /// or spaces) as new donors, rather than refusing the file
    #[arg(long)]
    new_donors: bool,
    /// Accept names that can be mistaken for existing ones (letters of another script that
    /// look the same)
    #[arg(long)]
    allow_confusable: bool,
    #[command(flatten)]
    dates: super::record::DateArgs,
}

pub fn import(ctx: &Context, args: ImportArgs, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    let options = ImportOptions {
        format: ctx.input_format,
        mapping: args.mapping,
        dry_run: args.dry_run,
        create_missing: args.create_missing,
        allow_similar: args.allow_similar,
        date_rules: args.dates.rules(),
        name_rules: NameRules {
            new_donor: args.new_donors,
            confusable: args.allow_confusable,
            donor_field: Field::COUNTERPARTY,
            new_donor_flag: Field::NEW_DONORS,
        },
    };
    let outcome = import::import(&mut ledger, &args.file, &options)?;
    render::write_import_outcome(&outcome, ctx.format, out).map_err(Error::Output)
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Every posting as one CSV row, in the journal format import reads back
    #[command(after_help = "Example:\n  fondo export journal -o journal.csv --from 2026-01-01")]
    Journal {
        /// Write to this file (mode 0600); without it, or with `-`, to standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace FILE if it exists (never the ledger, an SQLite file or a directory)
        #[arg(long, requires = "output")]
        force: bool,
        /// Replace donors and the people who entered rows with stable pseudonyms (donor-0001,
        /// user-0001, ...) and drop references and donors' memos
        #[arg(long)]
        anonymize: bool,
        /// With --anonymize and -o: make FILE readable by every user (mode 0644)
        #[arg(long, requires_all = ["anonymize", "output"])]
        public: bool,
        #[command(flatten)]
        period: ReportArgs,
    },
    /// A directory for auditors: journal, lists, every report as CSV, verify, a README
    /// and a script that re-adds the totals
    #[command(after_help = "Example:\n  fondo export audit audit-2026 --anonymize")]
    Audit {
        /// The directory to create (it must not exist yet, unless --force)
        dir: PathBuf,
        /// Donors and the people who entered rows as pseudonyms, without references, notes
        /// or file names: for an auditor who must not see them
        #[arg(long)]
        anonymize: bool,
        /// With --anonymize: make the pack readable by every user (0755/0644)
        #[arg(long, requires = "anonymize")]
        public: bool,
        /// Replace DIR if it holds an earlier audit pack and nothing else
        #[arg(long)]
        force: bool,
    },
}

pub fn export(ctx: &Context, cmd: ExportCommand, out: &mut dyn Write) -> Result<()> {
    let (output, force, anonymize, public, period) = match cmd {
        ExportCommand::Journal {
            output,
            force,
            anonymize,
            public,
            period,
        } => (output, force, anonymize, public, period),
        ExportCommand::Audit {
            dir,
            anonymize,
            public,
            force,
        } => return export_audit(ctx, &dir, (anonymize, public), force, out),
    };
    if ctx.format == Format::Json {
        return Err(Error::Usage(
            "export journal writes CSV, the form auditors re-add; leave out --format json".into(),
        ));
    }
    let ledger = ctx.open_to_read()?;
    let options = ExportOptions {
        filter: period.filter(ctx)?,
        anonymize,
        public,
    };
    match output.filter(|path| !crate::files::is_stdout(path)) {
        Some(path) => {
            let dest = Destination {
                path: &path,
                ledger: ledger.path(),
                existing: Existing::from_force(force),
            };
            let rows = export::write_journal_file(&ledger, &options, &dest)?;
            ledger.note_output("export journal", &path);
            write!(out, "wrote {rows} rows to {}; ", shown(&path)).map_err(Error::Output)?;
            super::review::print_head(&ledger, out)?;
        }
        None => {
            export::write_journal(&ledger, &options, out)?;
        }
    }
    Ok(())
}

fn export_audit(
    ctx: &Context,
    dir: &std::path::Path,
    (anonymize, public): (bool, bool),
    force: bool,
    out: &mut dyn Write,
) -> Result<()> {
    crate::files::refuse_stdout(dir, "the audit pack's DIR")?;
    let ledger = ctx.open_to_read()?;
    let options = super::audit::AuditOptions {
        anonymize,
        public,
        today: ctx.today,
    };
    let dest = Destination {
        path: dir,
        ledger: ledger.path(),
        existing: Existing::from_force(force),
    };
    let files = super::audit::write_audit_pack(&ledger, &options, &dest)?;
    ledger.note_output("export audit", dir);
    write!(out, "wrote {} files to {}; ", files.len(), shown(dir)).map_err(Error::Output)?;
    super::review::print_head(&ledger, out)?;
    writeln!(
        out,
        "re-add the totals with: python3 {}",
        shown(&dir.join("check_totals.py"))
    )
    .map_err(Error::Output)?;
    Ok(())
}

/// `fondo rebuild PACK`: a new ledger at `--db` from an audit pack, verified, and checked
/// against the pack's own reports; a ledger that does not match them is removed again.
pub fn rebuild(ctx: &Context, pack: &std::path::Path, out: &mut dyn Write) -> Result<()> {
    let contents = crate::io::rebuild::read_pack(pack)?;
    let ledger = Ledger::rebuild(&ctx.db, contents, &ctx.actor)?;
    let outcome = crate::store::verify::verify(&ledger, None)?;
    let mismatch = if outcome.ok {
        super::audit::differs_from_pack(&ledger, pack)?
    } else {
        Some(format!("it does not verify: {}", outcome.problems.join("; ")))
    };
    if let Some(why) = mismatch {
        drop(ledger);
        for suffix in ["", "-wal", "-shm"] {
            let mut name = ctx.db.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(std::path::Path::new(&name));
        }
        return Err(Error::CheckFailed(format!(
            "the books rebuilt from {} are not the ones the pack reports ({why}); nothing was kept at {}",
            shown(pack),
            shown(&ctx.db)
        )));
    }
    writeln!(
        out,
        "rebuilt {} from {}: {} transactions and {} entries, verified against the pack's reports; chain head {}",
        shown(&ctx.db),
        shown(pack),
        outcome.transactions,
        outcome.entries,
        outcome.head.as_deref().unwrap_or("(empty ledger)")
    ).map_err(Error::Output)?;
    Ok(())
}
