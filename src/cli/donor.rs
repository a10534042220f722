//! `fondo donor`: the donors' names as recorded — listing them, putting right the mess of
//! several spellings (`rename`, `merge`), and erasing one for good (`forget`).

use std::io::Write;

use clap::Subcommand;

use super::record::LookAlikeArgs;
use super::Context;
use crate::domain::names::escape_controls;
use crate::domain::Field;
use crate::error::{Error, Result};
use crate::render;
use crate::store::erase::ForgetPreview;
use crate::store::outputs::Holding;
use crate::store::rename::RenameArgs;

#[derive(Debug, Subcommand)]
pub enum DonorCommand {
    /// List every donor's name as recorded, with their gifts, flagging names that differ
    /// only in case, accents or spaces
    #[command(after_help = "Example:\n  fondo donor list --format csv")]
    List,
    /// Give a donor a new name: their gifts, and every report, read the new one
    #[command(after_help = "Example:\n  fondo donor rename \"ana perez\" \"Ana Pérez\"\n\n\
        Each of the donor's transactions gets the new name as its counterparty, and where the\n\
        old name stands as a whole word in their description or memo, the new one there too.\n\
        Other text that names the donor (other transactions, references, file names) stays as\n\
        recorded. The rename is recorded in the chain without either name, so `donor forget`\n\
        can still erase the new one completely. To join two donors who are one person, use\n\
        `fondo donor merge`.")]
    Rename {
        /// The donor's name exactly as recorded (see `fondo donor list`)
        #[arg(add = super::complete::donors())]
        old: String,
        /// The name to give them; it must not be another donor's
        new: String,
        #[command(flatten)]
        look_alike: LookAlikeArgs,
        /// Show what would change, and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Record that two donors are one person: A's gifts are recorded under B's name
    #[command(
        after_help = "Example:\n  fondo donor merge \"ana perez\" \"Ana Pérez\" --dry-run\n  \
        fondo donor merge \"ana perez\" \"Ana Pérez\" --yes\n\n\
        A's transactions get B's name as their counterparty (and in their description or memo\n\
        where A's name stands as a whole word), as `donor rename` does; from then on every\n\
        report counts them as one donor. A merge cannot be told apart afterwards, so it shows\n\
        what it will change and asks first."
    )]
    Merge {
        /// The donor whose gifts move, exactly as recorded
        #[arg(add = super::complete::donors())]
        a: String,
        /// The donor they are, exactly as recorded
        #[arg(add = super::complete::donors())]
        b: String,
        /// Show what would change, and change nothing
        #[arg(long)]
        dry_run: bool,
        /// Merge without asking (for scripts); without it, fondo asks at a terminal
        #[arg(long, conflicts_with = "dry_run")]
        yes: bool,
    },
    /// Erase a donor's name from the ledger for good; their gifts stay, under a placeholder
    #[command(
        after_help = "Example:\n  fondo donor forget \"Ana Pérez\" --dry-run\n  fondo donor forget \"Ana Pérez\" --yes\n\n\
        Every description, counterparty, memo, reference, entered-by name and source that\n\
        names the donor, the memos and references of their own gifts, and the receipts,\n\
        notes, file names and reasons of other records that name them now read exactly\n\
        `forgotten donor N`, and the erasure is recorded in the chain (without the name).\n\
        Text recorded before fondo could erase it is listed, not erased. Amounts, dates,\n\
        accounts and the hash chain are unchanged. Backups and exports made before keep the\n\
        name: replace them. It shows what it will erase and asks first; it cannot be undone."
    )]
    Forget {
        /// The donor's name exactly as recorded (see `fondo donor list`), or a name that
        /// no gift records any more but text still holds (a spelling before a rename)
        #[arg(add = super::complete::donors())]
        name: String,
        /// Show what would be erased, and erase nothing
        #[arg(long)]
        dry_run: bool,
        /// Erase without asking (for scripts); without it, fondo asks at a terminal
        #[arg(long, conflicts_with = "dry_run")]
        yes: bool,
        /// NAME is no donor's name now but a former spelling (before a rename): erase it
        /// wherever text still holds it
        #[arg(long)]
        former_name: bool,
    },
}

impl DonorCommand {
    /// The names the command was given.
    fn names(&self) -> Vec<&str> {
        match self {
            DonorCommand::List => Vec::new(),
            DonorCommand::Rename { old, new, .. } => vec![old, new],
            DonorCommand::Merge { a, b, .. } => vec![a, b],
            DonorCommand::Forget { name, .. } => vec![name],
        }
    }
}

pub fn donor(ctx: &Context, cmd: DonorCommand, out: &mut dyn Write) -> Result<()> {
    // Names are stored in NFC: a name typed or pasted in another form is the same name. A
    // name longer than any fondo records names no one (and would be slow to search for).
    for name in cmd.names() {
        if name.chars().count() > crate::domain::names::MAX_TEXT_LEN {
            return Err(crate::error::Error::invalid(
                Field::NAME_ARG,
                name,
                format!(
                    "is longer than any name fondo records ({} characters)",
                    crate::domain::names::MAX_TEXT_LEN
                ),
            ));
        }
    }
    let nfc = |name: String| crate::domain::names::nfc(&name);
    match cmd {
        DonorCommand::List => {
            let ledger = ctx.open()?;
            let rows = crate::report::donor_list::donor_list(&ledger)?;
            render::donor_list_table(&rows)
                .write(ctx.format, out)
                .map_err(Error::Output)?;
            Ok(())
        }
        DonorCommand::Rename {
            old,
            new,
            look_alike,
            dry_run,
        } => {
            let (old, new) = (nfc(old), nfc(new));
            let args = RenameArgs {
                from: &old,
                to: &new,
                merge: false,
            };
            rename(
                ctx,
                &args,
                look_alike.rules(Field::NEW_ARG),
                Ask::No { dry_run },
                out,
            )
        }
        DonorCommand::Merge { a, b, dry_run, yes } => {
            let (a, b) = (nfc(a), nfc(b));
            let args = RenameArgs {
                from: &a,
                to: &b,
                merge: true,
            };
            let ask = if dry_run || yes {
                Ask::No { dry_run }
            } else {
                Ask::AtTerminal
            };
            rename(ctx, &args, Default::default(), ask, out)
        }
        DonorCommand::Forget {
            name,
            dry_run,
            yes,
            former_name,
        } => forget(
            ctx,
            &nfc(name),
            Forget {
                dry_run,
                yes,
                former_name,
            },
            out,
        ),
    }
}

/// Whether a command that changes names asks first.
enum Ask {
    No { dry_run: bool },
    AtTerminal,
}

fn rename(
    ctx: &Context,
    args: &RenameArgs<'_>,
    rules: crate::store::write::NameRules,
    ask: Ask,
    out: &mut dyn Write,
) -> Result<()> {
    let mut ledger = ctx.open()?;
    let write = |ledger: &mut crate::store::Ledger, dry_run: bool| ledger.rename_donor(args, rules, dry_run);
    let from = escape_controls(args.from);
    // The pledges the rename moves: `from`'s, counted before they follow the new name.
    let pledges = crate::store::read::pledges(ledger.conn())?
        .iter()
        .filter(|p| p.donor == args.from)
        .count();
    let say = |renamed: &crate::store::rename::Renamed, out: &mut dyn Write, dry_run: bool| -> Result<()> {
        let done = match (args.merge, dry_run) {
            (false, false) => "is now",
            (false, true) => "would become",
            (true, false) => "is merged into",
            (true, true) => "would be merged into",
        };
        let [descriptions, counterparties, memos] = renamed.fields;
        writeln!(
            out,
            "donor `{from}` {done} `{}`: {}; {counterparties} counterparty field(s), {descriptions} description(s), {memos} memo(s)",
            escape_controls(&renamed.name),
            what_moved(&renamed.transactions, pledges)
        ).map_err(Error::Output)?;
        if let Some(why) = &renamed.not_rebuilt {
            eprintln!(
                "warning: the file could not be rebuilt yet ({why}); the next rename or erasure rebuilds it"
            );
        }
        Ok(())
    };
    match ask {
        Ask::No { dry_run: true } => {
            let renamed = write(&mut ledger, true)?;
            say(&renamed, out, true)?;
            writeln!(out, "dry run: nothing was changed").map_err(Error::Output)?;
        }
        Ask::No { dry_run: false } => {
            let renamed = write(&mut ledger, false)?;
            say(&renamed, out, false)?;
            note_old_name_left(&mut ledger, args.from)?;
        }
        Ask::AtTerminal => {
            let preview = write(&mut ledger, true)?;
            say(&preview, out, true)?;
            let question = format!(
                "Merge `{from}` into `{}`? Their gifts cannot be told apart afterwards. [y/N] ",
                escape_controls(args.to)
            );
            if !confirmed_at_terminal(&question)? {
                return Err(Error::Refused(
                    "nothing was merged: `donor merge` cannot be told apart afterwards, so it needs a yes at a terminal, or --yes (see what it would change with --dry-run)".into(),
                ));
            }
            let renamed = write(&mut ledger, false)?;
            say(&renamed, out, false)?;
            note_old_name_left(&mut ledger, args.from)?;
        }
    }
    Ok(())
}

/// What a rename or merge moved: `2 transaction(s) (#1, #4), 1 pledge(s)`, naming only what
/// it moved (a donor who only pledged has no transaction).
fn what_moved(transactions: &[i64], pledges: usize) -> String {
    let mut moved = Vec::new();
    if !transactions.is_empty() || pledges == 0 {
        let ids: Vec<String> = transactions.iter().map(|id| format!("#{id}")).collect();
        moved.push(match ids.is_empty() {
            true => "0 transaction(s)".to_string(),
            false => format!("{} transaction(s) ({})", ids.len(), ids.join(", ")),
        });
    }
    if pledges > 0 {
        moved.push(format!("{pledges} pledge(s)"));
    }
    moved.join(", ")
}

/// After a rename, says where the old name still stands (text of other records, which a
/// rename leaves as recorded), and how to erase it there.
fn note_old_name_left(ledger: &mut crate::store::Ledger, old: &str) -> Result<()> {
    let Ok(preview) = ledger.forget_preview(old) else {
        return Ok(());
    };
    let places = preview.erasure.transactions.len()
        + preview.erasure.fields[6..].iter().map(|(_, n)| n).sum::<usize>();
    let files = preview.erasure.files.len();
    if places + files > 0 {
        let old = escape_controls(old);
        let in_files = match files {
            0 => String::new(),
            n => format!(" and in {n} stored file(s) (their names, notes or content)"),
        };
        eprintln!(
            "note: `{old}` still stands in the text of {places} other record(s) (references, memos, file names, notes){in_files}; `fondo donor forget \"{old}\" --former-name --dry-run` shows where (without --dry-run, it erases it there)"
        );
    }
    Ok(())
}

/// How `donor forget` was asked to run.
struct Forget {
    dry_run: bool,
    yes: bool,
    former_name: bool,
}

fn forget(ctx: &Context, name: &str, how: Forget, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    if name.trim().is_empty() {
        return Err(Error::invalid(Field::NAME_ARG, name, "must not be empty"));
    }
    let is_placeholder = name.starts_with(crate::domain::privacy::PLACEHOLDER_PREFIX);
    // A word that is no donor's name ("donation") would be erased from every text: that is
    // only meant for a spelling a rename replaced, and must be said.
    let former = !is_placeholder && !crate::store::donors::is_donor(ledger.conn(), name)?;
    // A donor who pledged (`fondo pledge add --new-donor`) but has not given yet is a donor.
    let former = former
        && !crate::store::read::pledges(ledger.conn())?
            .iter()
            .any(|p| p.donor == name);
    if former && !how.former_name && !how.dry_run {
        return Err(Error::invalid(
            Field::NAME_ARG,
            name,
            format!(
                "no gift records this name{}; to erase it wherever text holds it, as a former spelling of a donor, add --former-name (see what that would erase with --dry-run --former-name)",
                crate::store::donors::did_you_mean(ledger.conn(), name)?
            ),
        ));
    }
    if former && how.former_name {
        refuse_a_name_the_books_use(&ledger, name)?;
    }
    if !is_placeholder && !preview_and_confirm(&mut ledger, name, &how, out)? {
        return Ok(());
    }
    let outputs = earlier_outputs(&ledger, name)?;
    let erasure = ledger.forget_donor(name)?;
    if let Some(line) = outputs {
        eprintln!("warning: {line}");
    }
    let ids: Vec<String> = erasure.transactions.iter().map(|id| format!("#{id}")).collect();
    let where_ = match ids.len() {
        0 => "in no transaction (only where else the name stood: pledges, notes, texts)".to_string(),
        n => format!("in {n} transaction(s): {}", ids.join(", ")),
    };
    writeln!(
        out,
        "erasure {}: the donor is now `{}` {where_}",
        erasure.id, erasure.placeholder
    )
    .map_err(Error::Output)?;
    Ok(())
}

/// `--former-name` erases a text wherever it stands: never one that is, or is part of, the
/// name of a commune, a fund or an account, which would rewrite the record of grants.
fn refuse_a_name_the_books_use(ledger: &crate::store::Ledger, name: &str) -> Result<()> {
    use crate::store::read;
    let conn = ledger.conn();
    let text = name.to_lowercase();
    let mut used: Vec<(&str, String)> = Vec::new();
    for c in read::communes(conn)? {
        used.push(("commune", c.name));
        used.push(("commune", c.slug));
    }
    for f in read::funds(conn)? {
        used.push(("fund", f.name));
        used.push(("fund", f.code));
    }
    for a in read::accounts(conn)? {
        used.push(("account", a.name));
    }
    match used.into_iter().find(|(_, n)| n.to_lowercase().contains(&text)) {
        Some((kind, n)) => Err(Error::invalid(
            Field::NAME_ARG,
            name,
            format!("the {kind} `{n}` holds this text; --former-name erases a donor's former spelling, never a name the books use for a {kind}"),
        )),
        None => Ok(()),
    }
}

/// Shows what forgetting `name` would erase (with --yes only what it leaves alone, as
/// notes) and asks for a yes unless given one; whether to go on: not after a dry run.
fn preview_and_confirm(
    ledger: &mut crate::store::Ledger,
    name: &str,
    how: &Forget,
    out: &mut dyn Write,
) -> Result<bool> {
    let preview = match ledger.forget_preview(name) {
        Ok(preview) => preview,
        Err(e) => {
            // Nothing in the ledger names them (a spelling a rename replaced), but files
            // made before may.
            if let Some(line) = earlier_outputs(ledger, name)? {
                eprintln!("warning: {line}");
            }
            return Err(e);
        }
    };
    let said = preview_lines(ledger, name, &preview, how.yes)?;
    if how.yes {
        for note in &said[1..] {
            eprintln!("note: {note}");
        }
    } else {
        for line in &said {
            writeln!(out, "{line}").map_err(Error::Output)?;
        }
    }
    if how.dry_run {
        writeln!(out, "dry run: nothing was erased").map_err(Error::Output)?;
        return Ok(false);
    }
    let question = format!(
        "Erase `{}` from the ledger for good? This cannot be undone. [y/N] ",
        escape_controls(name)
    );
    if !how.yes && !confirmed_at_terminal(&question)? {
        return Err(Error::Refused(
            "nothing was erased: `donor forget` cannot be undone, so it needs a yes at a terminal, or --yes (see what it would erase with --dry-run)".into(),
        ));
    }
    Ok(true)
}

/// What `donor forget` says before it erases: what it would erase first, then what it
/// cannot or leaves alone.
fn preview_lines(
    ledger: &crate::store::Ledger,
    name: &str,
    preview: &ForgetPreview,
    yes: bool,
) -> Result<Vec<String>> {
    let mut said: Vec<String> = Vec::new();
    // The first three kinds always, the others where there are any.
    let fields: Vec<String> = preview
        .erasure
        .fields
        .iter()
        .enumerate()
        .filter(|(i, (_, count))| *i < 3 || *count > 0)
        .map(|(_, (label, count))| format!("{count} {label}"))
        .collect();
    let who = match preview.gifts {
        0 => format!("`{}` (no gift records this name)", escape_controls(name)),
        gifts => format!("donor `{}`: {gifts} gift(s)", escape_controls(name)),
    };
    said.push(format!(
        "{who}; {} transaction(s) name them: {} would read `{}`",
        preview.erasure.transactions.len(),
        fields.join(", "),
        preview.erasure.placeholder
    ));
    if !preview.erasure.not_erased.is_empty() {
        let places: Vec<String> = preview
            .erasure
            .not_erased
            .iter()
            .map(|(place, field)| format!("{place} {field}"))
            .collect();
        said.push(format!(
            "cannot erase: {} name them, but were recorded before fondo could erase such text (their hash covers it as written)",
            places.join(", ")
        ));
    }
    said.extend(file_lines(&preview.erasure.files));
    if !yes {
        // With --yes it comes after the erasure, as a warning.
        said.extend(earlier_outputs(ledger, name)?);
    }
    // Forgotten one by one, two spellings of one person become two placeholders, which the
    // public page's rules would count as two people.
    for (other, gifts) in &preview.other_spellings {
        said.push(format!(
            "not touched: `{}` ({gifts} gift(s)), spelled differently; if it is the same person, merge the two first (`fondo donor merge`) and forget once: forgotten one by one, they would count as two people on the public page",
            escape_controls(other)
        ));
    }
    Ok(said)
}

/// What `donor forget` says of the stored files it deletes: which attachments are about the
/// donor, and every other attachment that shares those bytes and loses its file with them.
fn file_lines(files: &[crate::store::evidence::ErasedFile]) -> Vec<String> {
    if files.is_empty() {
        return Vec::new();
    }
    let named = |list: &[crate::store::evidence::AttachmentInfo]| -> Vec<String> {
        list.iter()
            .map(|a| format!("attachment {} (of {})", a.id, a.target))
            .collect()
    };
    let about: Vec<String> = files
        .iter()
        .flat_map(|f| &f.about)
        .map(|(a, why)| format!("attachment {} (of {}: {why})", a.id, a.target))
        .collect();
    let kept = files.iter().filter(|f| f.digest_kept).count();
    let left = if kept == 0 {
        ", with their SHA-256".to_string()
    } else {
        format!("; the chain keeps the SHA-256 of {kept} of them, attached before fondo sealed the digests (schema 12)")
    };
    let mut said = vec![format!(
        "deletes {} stored file(s), of {}{left}",
        files.len(),
        about.join(", ")
    )];
    let shared: Vec<String> = files.iter().flat_map(|f| named(&f.shared)).collect();
    if !shared.is_empty() {
        said.push(format!(
            "also deletes the file of {}: the same bytes are attached there too (a file is stored once per content), and privacy wins",
            shared.join(", ")
        ));
    }
    said
}

/// The files fondo wrote before (exports, packs, pages, backups) that still hold `name`: the
/// erasure cannot reach them.
fn earlier_outputs(ledger: &crate::store::Ledger, name: &str) -> Result<Option<String>> {
    let outputs = ledger.outputs_holding(name)?;
    if outputs.is_empty() {
        return Ok(None);
    }
    // Shown as typed where it is under the current directory, as the treasurer knows it.
    let here = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    let listed: Vec<String> = outputs
        .iter()
        .map(|(o, holding)| {
            let path = here
                .as_deref()
                .and_then(|here| o.path.strip_prefix(here).ok())
                .unwrap_or(&o.path);
            let unread = match holding {
                Holding::Holds => String::new(),
                Holding::Unreadable(why) => format!("; could not be read, so it may: {why}"),
            };
            format!(
                "{} ({}, {}{unread})",
                crate::files::shown(path),
                o.kind,
                o.written_at
            )
        })
        .collect();
    Ok(Some(format!(
        "{} earlier export(s) still contain this name, and the erasure cannot reach them: {}; replace or delete them",
        outputs.len(),
        listed.join(", ")
    )))
}

/// Asks `question` when standard input is a terminal; `false` otherwise or on anything but
/// yes.
fn confirmed_at_terminal(question: &str) -> Result<bool> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    eprint!("{question}");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).map_err(Error::io(
        "read the answer",
        std::path::Path::new("standard input"),
    ))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}
