//! The command line: clap definitions and one small run function per command. Commands parse
//! arguments, call the domain and the store, and hand results to `render`; they build no SQL.

mod add;
mod audit;
mod complete;
mod donor;
mod entity;
mod evidence;
mod plans;
mod prompt;
mod rate;
mod reconcile;
mod record;
mod refund;
mod review;
mod statement;
mod transfer;

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::domain::names::parse_date;
use crate::domain::Currency;
use crate::domain::Field;
use crate::error::{Error, Result};
use crate::io::import::InputFormat;
use crate::render::Format;
use crate::store::Ledger;

/// A double-entry ledger for a solidarity fundraiser.
///
/// Records donations, fees, money sent to the Communard Union and money that reaches each
/// commune, in one SQLite file, and prints reports that show where every dollar is.
#[derive(Debug, Parser)]
#[command(name = "fondo", version, arg_required_else_help = true)]
pub struct Cli {
    /// The ledger file [default: $FONDO_DB, else fondo.db in your data directory]
    #[arg(long, global = true, value_name = "PATH", help_heading = "Global options")]
    pub db: Option<PathBuf>,

    /// Output: table, csv or json [default: table]; for report transparency, html or md [default:
    /// html]; for report statement, md, html or csv [default: md]. For import, also the input
    /// format: simple, journal or statement [default: from the file's header]
    #[arg(long, global = true, value_name = "FORMAT", value_parser = parse_format, action = clap::ArgAction::Append, help_heading = "Global options", add = complete::formats())]
    pub format: Vec<FormatChoice>,

    /// Who is recorded as entering transactions [default: $FONDO_USER, else your login name]
    #[arg(long, global = true, value_name = "NAME", help_heading = "Global options")]
    pub by: Option<String>,

    /// Tables at full width: never shorten text or hide columns to fit the terminal
    #[arg(long, global = true, help_heading = "Global options")]
    pub wide: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new ledger file (never overwrites one)
    #[command(after_help = "Example:\n  fondo init --currency USD --org \"Communard Solidarity Fund\"")]
    Init(entity::InitArgs),
    /// The chart of accounts: add, list, close
    #[command(subcommand)]
    #[command(after_help = "Example:\n  fondo account add assets:bank:banesco")]
    Account(entity::AccountCommand),
    /// Funds (earmarks): add, edit, list, move money between them
    #[command(subcommand)]
    #[command(
        after_help = "Example:\n  fondo fund add tires --name \"Tires for the union's transport\" --target 250"
    )]
    Fund(entity::FundCommand),
    /// Communes that receive grants: add, edit, list
    #[command(subcommand)]
    #[command(after_help = "Example:\n  fondo commune add \"Comuna El Maizal\" --state Lara")]
    Commune(entity::CommuneCommand),
    /// Donors: list their names as recorded, rename or merge them, or erase one's name,
    /// keeping their gifts
    #[command(subcommand)]
    #[command(
        after_help = "Example:\n  fondo donor list\n  fondo donor merge \"ana perez\" \"Ana Pérez\"\n  fondo donor forget \"Ana Pérez\""
    )]
    Donor(donor::DonorCommand),
    /// Show the ledger's settings, or set the rules the public page follows for donors and
    /// the organisation block of donor statements
    #[command(after_help = "Example:\n  fondo settings --min-donors 6 --max-share 40\n  \
        fondo settings --address \"Calle 3, Barquisimeto\\nLara, Venezuela\" --tax-id J-40123456-7\n\n\
        A published figure about donors (a month on the public page) must cover at least\n\
        --min-donors different people, none of whom gave more than --max-share percent of it.\n\
        The rules can be made stricter than 5 and 50, never looser than 3 and 50; each change\n\
        is recorded in the chain. --org, --address, --tax-id and --no-goods set the block\n\
        `fondo report statement` prints on each letter (\"\" clears a line but the name).")]
    Settings(entity::SettingsArgs),
    /// Record a donation: net into an account, the fee to its kind of expenses:fees
    #[command(
        after_help = "Example:\n  fondo donation 100.00 --donor \"Ana Pérez\" --fund tires --into assets:processor --fee 3.20"
    )]
    Donation(record::DonationArgs),
    /// Record money sent to the union (held by it) or straight to a commune
    #[command(after_help = "Example:\n  fondo send 200.00 --to union --fee 5.00")]
    Send(record::SendArgs),
    /// Record the union's report that it passed money on to a commune
    #[command(after_help = "Example:\n  fondo allocate 150.00 --to el-maizal --date 2026-03-12")]
    Allocate(record::AllocateArgs),
    /// Record a commune's confirmation that a grant reached it
    #[command(after_help = "Example:\n  fondo confirm 8 --ref EM-2026-014 --date 2026-03-20")]
    Confirm(record::ConfirmArgs),
    /// Attach a file (a receipt, a wire confirmation, a photo) to a transaction or a
    /// confirmation; its bytes are kept in the ledger, its SHA-256 in the chain
    #[command(
        after_help = "Example:\n  fondo attach 8 receipt-em-014.pdf --note \"signed receipt\"\n  \
        fondo attach --confirmation 1 wire.pdf\n\n\
        A file may be at most 20 MiB; an empty file is refused. The same file attached twice is\n\
        stored once. Its name and note are private text: `fondo donor forget` erases them on\n\
        the donor's gifts, and deletes the files attached to those gifts."
    )]
    Attach(evidence::AttachArgs),
    /// Record a fee charged on its own
    #[command(after_help = "Example:\n  fondo fee 2.50 --from assets:bank --desc \"monthly bank charge\"")]
    Fee(record::FeeArgs),
    /// Record a move between two of our own accounts
    #[command(
        after_help = "Example:\n  fondo transfer 96.80 --from assets:processor --to assets:bank --fund tires"
    )]
    Transfer(record::TransferArgs),
    /// Record a processor's lump payout, split across funds oldest money first
    #[command(
        after_help = "Example:\n  fondo payout 145.05 --from assets:processor --to assets:bank --fee 1.00\n\n\
        The lump (what reached --to, plus --fee) is taken from the funds' money at --from\n\
        in the order it came in, oldest gift first, across every fund; the fee is shared\n\
        among the funds in proportion to their parts, to the cent."
    )]
    Payout(record::PayoutArgs),
    /// Record a currency exchange through equity:conversion
    #[command(after_help = "Example:\n  fondo exchange 100 USD --to VES --rate 36.50")]
    Exchange(record::ExchangeArgs),
    /// Rates between currencies, for reports valued in one currency (--value)
    #[command(subcommand)]
    #[command(after_help = "Example:\n  fondo rate add EUR USD 1.08 --date 2026-03-01\n  fondo rate list")]
    Rate(rate::RateCommand),
    /// Record any balanced transaction, posting by posting
    #[command(
        after_help = "Example:\n  fondo entry --desc \"opening balance\" -p \"assets:cash 20\" -p \"equity:opening -20\""
    )]
    Entry(record::EntryArgs),
    /// Record the reversal of a transaction
    #[command(after_help = "Example:\n  fondo void 3 --reason \"entered twice\"")]
    Void(record::VoidArgs),
    /// Return (part of) a gift to its donor, or record a processor's chargeback of it
    #[command(after_help = "Example:\n  fondo refund 2 50.00 --date 2026-03-10\n  \
        fondo refund 1 --chargeback --fee 15.00\n\n\
        Without AMOUNT, all that earlier refunds left of the gift is returned. The gift's\n\
        fund and income:donations give the amount back, the donor's totals are net of it,\n\
        and a void of the refund restores it; the gift itself can be voided only once its\n\
        refunds are.")]
    Refund(refund::RefundArgs),
    /// Import a CSV file: simple, journal (an export) or statement (with --mapping)
    #[command(after_help = "Example:\n  fondo import bank.csv --mapping bank.toml --dry-run")]
    Import(transfer::ImportArgs),
    /// Export for auditors: the journal as CSV (a row per posting), or the audit pack
    #[command(subcommand)]
    #[command(
        after_help = "Example:\n  fondo export journal -o journal.csv --anonymize\n  fondo export audit audit-2026"
    )]
    Export(transfer::ExportCommand),
    /// Build a new ledger from an audit pack: the same books, every report the same
    #[command(after_help = "Example:\n  fondo --db rebuilt.db rebuild audit-2026")]
    Rebuild {
        /// The audit pack's directory, made by `fondo export audit DIR` (without --anonymize)
        pack: PathBuf,
    },
    /// List attached files, or write one back out
    #[command(subcommand)]
    #[command(after_help = "Example:\n  fondo attachment list\n  fondo attachment get 1 -o receipt.pdf")]
    Attachment(evidence::AttachmentCommand),
    /// Show one transaction with its postings and audit fields
    #[command(after_help = "Example:\n  fondo show 42")]
    Show(review::ShowArgs),
    /// Reports: the trial balance, the accountability reports, the statements and the public page
    #[command(subcommand)]
    #[command(after_help = "Example:\n  fondo report funds --from 2026-01-01 --to 2026-03-31")]
    Report(review::ReportCommand),
    /// Match a bank statement to an account's postings; --mark saves the result
    #[command(after_help = "Example:\n  fondo reconcile assets:bank --statement march.csv --mark")]
    Reconcile(reconcile::ReconcileArgs),
    /// Budgets: set a fund's budget for a year or a month, list them (`report budget` compares)
    #[command(subcommand)]
    #[command(after_help = "Example:\n  fondo budget set general 12000 --period 2026")]
    Budget(plans::BudgetCommand),
    /// Pledges: a donor's monthly gift promised; add, list, end (`report pledges` compares)
    #[command(subcommand)]
    #[command(after_help = "Example:\n  fondo pledge add --donor \"Ana Pérez\" 25 --monthly --from 2026-01")]
    Pledge(plans::PledgeCommand),
    /// Close the books through a date: no later entry may be dated on or before it
    #[command(after_help = "Example:\n  fondo close --through 2026-03-31\n\n\
        A transaction dated in a closed period is refused unless given --force --reason TEXT;\n\
        the reason is recorded in the chain. A saved reconciliation closes its account\n\
        through its statement date the same way.")]
    Close(reconcile::CloseArgs),
    /// Check the one hash chain and everything it covers: transactions, entries, tables, schema
    #[command(after_help = "Example:\n  fondo verify --head 825a2133...")]
    Verify(review::VerifyArgs),
    /// Build a sample ledger and print its reports
    #[command(after_help = "Example:\n  fondo demo\n  fondo --db demo.db demo\n\n\
        The sample is built in a temporary file unless --db names a new one to keep; FONDO_DB\n\
        is not used, so the demo never comes near the ledger you keep.")]
    Demo,
    /// Record a transaction by answering questions (reads answers line by line from a pipe)
    Add(add::AddArgs),
    /// Copy the ledger safely, even while it is in use, and verify the copy
    #[command(after_help = "Example:\n  fondo backup /media/usb/fondo-2026-11-27.db")]
    Backup {
        /// The new file (never overwritten)
        dest: PathBuf,
    },
    /// Print shell completions
    #[command(
        after_help = "Example:\n  fondo completions bash > ~/.local/share/bash-completion/completions/fondo"
    )]
    Completions {
        /// bash, zsh, fish, powershell or elvish
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one per command to a directory
    #[command(after_help = "Example:\n  fondo man > fondo.1 && man ./fondo.1")]
    Man {
        /// Write fondo.1 and a fondo-COMMAND.1 for every command into DIR, instead of
        /// printing fondo.1
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// How `fondo --help` groups the commands: the way a treasurer thinks of the work.
const GROUPS: [(&str, &[&str]); 5] = [
    (
        "Record",
        &[
            "add", "donation", "send", "allocate", "confirm", "fee", "transfer", "payout", "exchange",
            "rate", "entry", "void", "refund", "attach",
        ],
    ),
    ("Review", &["report", "show", "attachment"]),
    ("Reconcile and check", &["reconcile", "close", "verify"]),
    ("Import and export", &["import", "export", "rebuild"]),
    (
        "Maintain",
        &[
            "init",
            "account",
            "fund",
            "commune",
            "donor",
            "settings",
            "budget",
            "pledge",
            "backup",
            "demo",
            "completions",
            "man",
        ],
    ),
];

/// The command line's definition, with the commands grouped in the help and the ledger
/// that `args` would use named under it.
pub fn command(args: &[std::ffi::OsString]) -> clap::Command {
    let cmd = <Cli as clap::CommandFactory>::command();
    let mut groups = String::new();
    for (heading, names) in GROUPS {
        groups.push_str(&format!("{heading}:\n"));
        for name in names {
            let about = cmd
                .find_subcommand(name)
                .and_then(|c| c.get_about())
                .map(|a| a.to_string())
                .unwrap_or_default();
            groups.push_str(&format!("  {name:<12} {about}\n"));
        }
        groups.push('\n');
    }
    let ledger = match ledger_from_args(args) {
        Ok((path, source)) => format!("The ledger in use: {} ({source})", crate::files::shown(&path)),
        Err(e) => format!("The ledger in use: unknown ({e})"),
    };
    cmd.help_template(format!(
        "{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{groups}Options:\n{{options}}\n{{after-help}}"
    ))
    .after_help(format!(
        "{ledger}\nRun `fondo COMMAND --help` for a command's options and an example."
    ))
}

/// The ledger the arguments name: `--db`, else `FONDO_DB`, else the default; and which.
fn ledger_from_args(args: &[std::ffi::OsString]) -> Result<(PathBuf, &'static str)> {
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy().into_owned());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if let Some(path) = word.strip_prefix("--db=") {
            return ledger_path(Some(PathBuf::from(path)));
        }
        if word == "--db" {
            if let Some(path) = words.next() {
                return ledger_path(Some(PathBuf::from(path)));
            }
        }
    }
    ledger_path(None)
}

/// The ledger file: `--db`, else `FONDO_DB`, else the default in the data directory; and
/// which of the three it was.
fn ledger_path(db_flag: Option<PathBuf>) -> Result<(PathBuf, &'static str)> {
    if let Some(path) = db_flag {
        crate::files::refuse_stdout(&path, "--db")?;
        return Ok((path, "from --db"));
    }
    match std::env::var_os("FONDO_DB").filter(|v| !v.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            crate::files::refuse_stdout(&path, "FONDO_DB")?;
            Ok((path, "from FONDO_DB"))
        }
        None => Ok((default_db_path()?, "the default; change it with --db or FONDO_DB")),
    }
}

/// A value of `--format`: how to print, or (for `import`) how to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatChoice {
    Output(Format),
    Input(InputFormat),
    /// `html` or `md`, which only `report transparency` writes.
    Page(crate::render::transparency::PageFormat),
}

fn parse_format(text: &str) -> std::result::Result<FormatChoice, String> {
    Ok(match text {
        "table" => FormatChoice::Output(Format::Table),
        "csv" => FormatChoice::Output(Format::Csv),
        "json" => FormatChoice::Output(Format::Json),
        "simple" => FormatChoice::Input(InputFormat::Simple),
        "journal" => FormatChoice::Input(InputFormat::Journal),
        "statement" => FormatChoice::Input(InputFormat::Statement),
        "html" => FormatChoice::Page(crate::render::transparency::PageFormat::Html),
        "md" => FormatChoice::Page(crate::render::transparency::PageFormat::Markdown),
        _ => {
            return Err(
                "use table, csv or json (for import: simple, journal or statement; for report transparency and report statement: html or md)"
                    .into(),
            )
        }
    })
}

/// What every command knows: where the ledger is, how to print, who is working, and today.
#[derive(Clone)]
pub struct Context {
    pub db: PathBuf,
    pub db_given: bool,
    pub format: Format,
    /// `--format simple|journal|statement`, which only `import` takes.
    pub input_format: Option<InputFormat>,
    /// `--format html|md`, which only `report transparency` takes.
    pub page_format: Option<crate::render::transparency::PageFormat>,
    pub actor: String,
    pub today: NaiveDate,
    /// A commune `fondo add` adds in the same write as the transaction that names it:
    /// (name, state). Nothing is written before the treasurer says yes.
    pub new_commune: Option<(String, String)>,
}

impl Context {
    fn from_cli(cli: &Cli) -> Result<Context> {
        let (db, _) = ledger_path(cli.db.clone())?;
        let actor = match &cli.by {
            Some(by) => by.clone(),
            None => std::env::var("FONDO_USER")
                .ok()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(whoami::username),
        };
        let actor = crate::domain::names::check_name(Field::BY, &actor)?;
        let choices = cli.format.iter().rev();
        let format = choices.clone().find_map(|c| match c {
            FormatChoice::Output(f) => Some(*f),
            _ => None,
        });
        let input_format = choices.clone().find_map(|c| match c {
            FormatChoice::Input(f) => Some(*f),
            _ => None,
        });
        let page_format = choices.clone().find_map(|c| match c {
            FormatChoice::Page(f) => Some(*f),
            _ => None,
        });
        let transparency = matches!(
            &cli.command,
            Command::Report(review::ReportCommand::Transparency { .. })
        );
        let statement = matches!(&cli.command, Command::Report(review::ReportCommand::Statement(_)));
        if page_format.is_some() && !transparency && !statement {
            return Err(Error::Usage(
                "--format html and md are for `fondo report transparency` and `fondo report statement`; other commands print table, csv or json".into(),
            ));
        }
        if let (Some(input), false) = (input_format, matches!(cli.command, Command::Import(_))) {
            return Err(Error::Usage(format!(
                "--format {} is an input format, which only `fondo import` takes",
                input.as_str()
            )));
        }
        Ok(Context {
            db,
            db_given: cli.db.is_some(),
            format: format.unwrap_or_default(),
            input_format,
            page_format,
            actor,
            today: chrono::Local::now().date_naive(),
            new_commune: None,
        })
    }

    fn open(&self) -> Result<Ledger> {
        Ledger::open(&self.db, &self.actor)
    }

    /// Opens the ledger for a command that reads much of it (see [`Ledger::read_mapped`]).
    fn open_to_read(&self) -> Result<Ledger> {
        let ledger = self.open()?;
        ledger.read_mapped()?;
        Ok(ledger)
    }

    fn date(&self, field: Field, text: &str) -> Result<NaiveDate> {
        parse_date(field, text, self.today)
    }
}

fn default_db_path() -> Result<PathBuf> {
    directories::ProjectDirs::from("", "", "fondo")
        .map(|dirs| dirs.data_dir().join("fondo.db"))
        .ok_or_else(|| {
            Error::Refused("cannot find your data directory; pass --db PATH or set FONDO_DB".into())
        })
}

/// `--currency`, for commands whose amounts may be in other than the ledger's currency.
#[derive(Debug, Args)]
pub struct CurrencyArg {
    /// Currency of the amounts (ISO 4217) [default: the ledger's]
    #[arg(long, value_name = "CUR", add = complete::currencies())]
    currency: Option<String>,
}

impl CurrencyArg {
    fn resolve(&self, ledger: &Ledger) -> Result<Currency> {
        match &self.currency {
            Some(code) => Currency::parse_field(Field::CURRENCY, code),
            None => Ok(ledger.currency()),
        }
    }
}

/// Parses `42` or `#42` as a transaction id.
fn parse_txn_id(text: &str) -> std::result::Result<i64, String> {
    text.strip_prefix('#')
        .unwrap_or(text)
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| format!("`{text}` is not a transaction id; write it as 42 or #42"))
}

/// Refuses an argument longer than any value fondo takes, before clap would echo it whole;
/// the error names the option it follows, if any.
pub fn check_lengths(args: &[std::ffi::OsString]) -> Result<()> {
    let words: Vec<std::borrow::Cow<'_, str>> = args.iter().map(|a| a.to_string_lossy()).collect();
    for (i, word) in words.iter().enumerate().skip(1) {
        if let Some(problem) = crate::domain::names::too_long(word) {
            let argument = match words[i - 1].as_ref() {
                option if option.starts_with('-') && i > 1 => option.to_string(),
                _ => format!("argument {i}"),
            };
            let value = word.to_string();
            return Err(Error::LongArgument {
                argument,
                value,
                problem,
            });
        }
    }
    Ok(())
}

/// Parses the command line. `--format` may be given both before the command (output) and
/// after it (an input format for import); clap keeps only the values after the command when
/// a global option is repeated there, so every value is collected from the arguments
/// themselves, after clap has checked them.
pub fn parse(args: Vec<std::ffi::OsString>) -> std::result::Result<Cli, clap::Error> {
    let matches = command(&args).try_get_matches_from(&args)?;
    let mut cli = <Cli as clap::FromArgMatches>::from_arg_matches(&matches)?;
    let mut formats = Vec::new();
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        let value = match word.as_ref() {
            "--" => break,
            "--format" => words.next().map(|v| v.into_owned()),
            other => other.strip_prefix("--format=").map(str::to_string),
        };
        if let Some(choice) = value.as_deref().and_then(|v| parse_format(v).ok()) {
            formats.push(choice);
        }
    }
    cli.format = formats;
    Ok(cli)
}

/// Runs a parsed command line, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<()> {
    let ctx = Context::from_cli(&cli)?;
    crate::render::set_wide(cli.wide);
    match cli.command {
        Command::Init(args) => entity::init(&ctx, args, out),
        Command::Account(cmd) => entity::account(&ctx, cmd, out),
        Command::Fund(cmd) => entity::fund(&ctx, cmd, out),
        Command::Commune(cmd) => entity::commune(&ctx, cmd, out),
        Command::Donor(cmd) => donor::donor(&ctx, cmd, out),
        Command::Settings(args) => entity::settings(&ctx, args, out),
        Command::Donation(args) => record::record(&ctx, &args, out),
        Command::Send(args) => record::record(&ctx, &args, out),
        Command::Allocate(args) => record::record(&ctx, &args, out),
        Command::Confirm(args) => record::confirm(&ctx, args, out),
        Command::Fee(args) => record::record(&ctx, &args, out),
        Command::Transfer(args) => record::record(&ctx, &args, out),
        Command::Payout(args) => record::record(&ctx, &args, out),
        Command::Exchange(args) => record::record(&ctx, &args, out),
        Command::Rate(cmd) => rate::rate(&ctx, cmd, out),
        Command::Entry(args) => record::record(&ctx, &args, out),
        Command::Void(args) => record::void(&ctx, args, out),
        Command::Refund(args) => refund::refund(&ctx, args, out),
        Command::Import(args) => transfer::import(&ctx, args, out),
        Command::Export(cmd) => transfer::export(&ctx, cmd, out),
        Command::Rebuild { pack } => transfer::rebuild(&ctx, &pack, out),
        Command::Show(args) => review::show(&ctx, args, out),
        Command::Attach(args) => evidence::attach(&ctx, args, out),
        Command::Attachment(cmd) => evidence::attachment(&ctx, cmd, out),
        Command::Report(cmd) => review::report(&ctx, cmd, out),
        Command::Reconcile(args) => reconcile::reconcile(&ctx, args, out),
        Command::Close(args) => reconcile::close(&ctx, args, out),
        Command::Budget(cmd) => plans::budget(&ctx, cmd, out),
        Command::Pledge(cmd) => plans::pledge(&ctx, cmd, out),
        Command::Verify(args) => review::verify(&ctx, args, out),
        Command::Demo => review::demo(&ctx, out),
        Command::Add(args) => add::add(&ctx, args, out),
        Command::Backup { dest } => {
            crate::files::refuse_stdout(&dest, "the backup's DEST")?;
            let ledger = ctx.open_to_read()?;
            let outcome = crate::store::backup::backup(&ledger, &dest, &ctx.actor)?;
            ledger.note_output("backup", &dest);
            writeln!(
                out,
                "backup written to {}: {} transactions verified, head {}",
                crate::files::shown(&dest),
                outcome.transactions,
                outcome.head.as_deref().unwrap_or("(empty ledger)")
            )
            .map_err(Error::Output)?;
            Ok(())
        }
        Command::Completions { shell } => {
            // clap_complete panics on a failed write (`| head -1` closes the pipe): write the
            // script to memory, then out, where a closed pipe is the reader's choice.
            let mut script = Vec::new();
            complete::registration(shell, &mut script).map_err(Error::Output)?;
            out.write_all(&script).map_err(Error::Output)?;
            Ok(())
        }
        Command::Man { dir } => man(dir.as_deref(), out),
    }
}

/// The manual pages: `fondo.1` with ENVIRONMENT and EXIT STATUS, and with `dir` a page
/// per command (`fondo-report-funds.1`), each written whole; existing pages are replaced
/// only by pages fondo wrote (a man directory holds nothing else of value to fondo).
fn man(dir: Option<&std::path::Path>, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = dir {
        crate::files::refuse_stdout(dir, "--dir")?;
    }
    // Not the ledger in use on this machine: a manual page is the same for everyone.
    let mut top = command(&[])
        .disable_help_subcommand(true)
        .after_help("Run `fondo COMMAND --help` for a command's options and an example.");
    // Built, every command knows its full name (`fondo-report-funds`), as its page needs.
    top.build();
    let Some(dir) = dir else {
        return man_page(&top, true, out).map_err(Error::Output);
    };
    std::fs::create_dir_all(dir).map_err(Error::io("create the directory", dir))?;
    let mut pages = vec![(top.clone(), true)];
    let mut stack: Vec<clap::Command> = top.get_subcommands().cloned().collect();
    while let Some(cmd) = stack.pop() {
        stack.extend(cmd.get_subcommands().cloned());
        pages.push((cmd, false));
    }
    for (cmd, top) in &pages {
        let file = dir.join(format!("{}.1", cmd.get_display_name().unwrap_or(cmd.get_name())));
        let mut page = Vec::new();
        man_page(cmd, *top, &mut page).map_err(Error::Output)?;
        std::fs::write(&file, page).map_err(Error::io("write the manual page", &file))?;
    }
    writeln!(
        out,
        "wrote {} manual pages to {}",
        pages.len(),
        crate::files::shown(dir)
    )
    .map_err(Error::Output)?;
    Ok(())
}

/// One manual page; the top one also says which environment variables fondo reads and
/// what its exit statuses mean.
fn man_page(cmd: &clap::Command, top: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(out)?;
    }
    if top {
        out.write_all(
            b".SH ENVIRONMENT\n\
.TP\n\\fBFONDO_DB\\fR\nThe ledger file, when \\fB\\-\\-db\\fR is not given.\n\
.TP\n\\fBFONDO_USER\\fR\nWho is recorded as entering transactions, when \\fB\\-\\-by\\fR is not given (else the login name).\n\
.TP\n\\fBNO_COLOR\\fR\nWhen set, tables are never coloured.\n\
.TP\n\\fBCOLUMNS\\fR\nThe width tables are fitted to, when the terminal does not say.\n\
.SH \"EXIT STATUS\"\n\
.TP\n0\nSuccess (also when a reader closes the output early).\n\
.TP\n1\nRefused input, a failed check (a report that does not tie out, verify), or an error; nothing was written.\n\
.TP\n2\nA command\\-line usage error.\n",
        )?;
    }
    if cmd.get_after_help().is_some() || cmd.get_after_long_help().is_some() {
        man.render_extra_section(out)?;
    }
    if cmd.get_version().is_some() || cmd.get_long_version().is_some() {
        man.render_version_section(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Every argument and option of every command says what it is.
    #[test]
    fn every_argument_has_a_description() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if ["help", "version"].contains(&id) {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::command(&[]), "fondo", &mut missing);
        assert_eq!(missing, Vec::<String>::new());
    }
}
