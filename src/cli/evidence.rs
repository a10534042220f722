//! `fondo attach` (a file to a transaction or a confirmation) and `fondo attachment list|get`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{parse_txn_id, Context};
use crate::domain::evidence::{Target, ATTACHMENT_BYTES_MAX};
use crate::error::{Error, Result};
use crate::io::source::{read_at_most, Oversized};
use crate::render;
use crate::store::evidence::{self, too_large};
use crate::store::WriteMode;

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The transaction (42 or #42), or with --confirmation the confirmation's id
    #[arg(value_parser = parse_txn_id, value_name = "ID")]
    id: i64,
    /// The file to keep in the ledger (at most 20 MiB; an empty file is refused)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// ID names a confirmation (`fondo show TXN` gives a grant's), not a transaction
    #[arg(long)]
    confirmation: bool,
    /// A note kept with the attachment
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// Check the file and the target without writing anything
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum AttachmentCommand {
    /// List attachments: all, or one transaction's and its confirmation's
    #[command(after_help = "Example:\n  fondo attachment list 8")]
    List {
        /// Only this transaction's (42 or #42)
        #[arg(value_parser = parse_txn_id, value_name = "TXN")]
        txn: Option<i64>,
    },
    /// Write an attached file back out, readable by its owner only (0600)
    #[command(after_help = "Example:\n  fondo attachment get 1 -o receipt-em-014.pdf")]
    Get {
        /// The attachment's id, as `fondo show` or `fondo attachment list` gives it
        id: i64,
        /// Where to write the file; `-` writes it to standard output (to pipe it into
        /// `sha256sum`, say)
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Replace a file already at FILE
        #[arg(long)]
        force: bool,
    },
}

pub fn attach(ctx: &Context, args: AttachArgs, out: &mut dyn Write) -> Result<()> {
    let target = if args.confirmation {
        Target::Confirmation(args.id)
    } else {
        Target::Transaction(args.id)
    };
    let shown = crate::files::shown(&args.file);
    let bytes = match read_at_most(&args.file, ATTACHMENT_BYTES_MAX) {
        Ok(bytes) => bytes,
        Err(Oversized::Over(size)) => return Err(too_large(&shown, size)),
        Err(Oversized::Failed(e)) => return Err(e),
    };
    let file_name = file_name(&args.file)?;
    let mut ledger = ctx.open()?;
    let attached = ledger.write(WriteMode::dry_run_if(args.dry_run), |w| {
        w.attach(target, &file_name, &bytes, args.note.as_deref())
    })?;
    render::evidence::write_attached(&attached, args.dry_run, ctx.format, out).map_err(Error::Output)
}

/// The name a file is kept under: its last component, without the directories.
fn file_name(path: &Path) -> Result<String> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            Error::Refused(format!(
                "{} names no file; attach a file",
                crate::files::shown(path)
            ))
        })
}

pub fn attachment(ctx: &Context, cmd: AttachmentCommand, out: &mut dyn Write) -> Result<()> {
    let ledger = ctx.open()?;
    match cmd {
        AttachmentCommand::List { txn } => {
            let list = match txn {
                Some(id) => {
                    crate::store::read::transaction(ledger.conn(), id)?;
                    evidence::attachments_of(ledger.conn(), id)?
                }
                None => evidence::attachments(ledger.conn())?,
            };
            render::evidence::write_attachments(&list, ctx.format, out).map_err(Error::Output)
        }
        AttachmentCommand::Get { id, output, force } => {
            let (info, bytes) = ledger.attachment_bytes(id)?;
            if crate::files::is_stdout(&output) {
                return out.write_all(&bytes).map_err(Error::Output);
            }
            let dest = crate::files::Destination {
                path: &output,
                ledger: ledger.path(),
                existing: crate::files::Existing::from_force(force),
            };
            crate::files::write_file(&dest, crate::files::PRIVATE, |file| {
                file.write_all(&bytes).map_err(Error::io("write", &output))
            })?;
            writeln!(
                out,
                "wrote {} ({}, attachment {id} of {})",
                crate::files::shown(&output),
                crate::domain::evidence::shown_size(info.size.unsigned_abs()),
                info.target
            )
            .map_err(Error::Output)
        }
    }
}

/// Writes the stored files of `evidence` (grants' files only) into `<page stem>-evidence/`
/// beside the public page, readable by anyone; returns the directory's name, for the links.
pub(super) fn publish_grant_files(
    ledger: &crate::store::Ledger,
    page: &Path,
    force: bool,
    evidence: &[evidence::CommuneEvidence],
    out: &mut dyn Write,
) -> Result<String> {
    let stem = page
        .file_stem()
        .map_or_else(|| "page".to_string(), |s| s.to_string_lossy().into_owned());
    let dir_name = format!("{stem}-evidence");
    let dir = page.with_file_name(&dir_name);
    let files: Vec<(String, &str)> = evidence
        .iter()
        .flat_map(|e| &e.files)
        .filter_map(|f| {
            let name = crate::domain::evidence::published_name(f.attachment, f.media_type.as_deref());
            Some((name, f.stored.as_deref()?))
        })
        .collect();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let dest = crate::files::Destination {
        path: &dir,
        ledger: ledger.path(),
        existing: crate::files::Existing::from_force(force),
    };
    use crate::files::{PUBLIC, PUBLIC_DIR};
    crate::files::write_directory(&dest, &names, PUBLIC_DIR, PUBLIC, |d| {
        for (name, sha256) in &files {
            let bytes = evidence::blob(ledger.conn(), sha256)?
                .ok_or_else(|| Error::Internal(format!("the file of {name} went missing while published")))?;
            d.file(name, |w| w.write_all(&bytes).map_err(Error::Output))?;
        }
        Ok(())
    })?;
    // A grant's file may name a donor, whom `donor forget` must then tell about this copy.
    ledger.note_output("report transparency --public-evidence", &dir);
    let count = files.len();
    let plural = if count == 1 { "" } else { "s" };
    writeln!(out, "wrote {} ({count} file{plural})", crate::files::shown(&dir)).map_err(Error::Output)?;
    Ok(dir_name)
}
