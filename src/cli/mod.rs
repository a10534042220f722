//! The command line: clap definitions and one small run function per command. Commands parse
//! arguments, call the domain and the store, and hand results to `render`; they build no SQL.

mod entity;
mod reconcile;
mod record;
mod review;
mod transfer;

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::domain::names::parse_date;
use crate::domain::Currency;
use crate::error::{Error, Result};
use crate::io::import::InputFormat;
use crate::render::Format;
use crate::store::Ledger;

/// fondo: a double-entry ledger for a solidarity fundraiser.
///
/// Records donations, fees, money sent to the Communard Union and money that reaches each
/// commune, in one SQLite file, and prints reports that show where every dollar is.
#[derive(Debug, Parser)]
#[command(name = "fondo", version, arg_required_else_help = true)]
pub struct Cli {
    /// The ledger file [default: $FONDO_DB, else fondo.db in your data directory]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Output: table, csv or json [default: table]. For import, also the input format:
    /// simple, journal or statement [default: from the file's header]
    #[arg(long, global = true, value_name = "FORMAT", value_parser = parse_format, action = clap::ArgAction::Append)]
    pub format: Vec<FormatChoice>,

    /// Who is recorded as entering transactions [default: $FONDO_USER, else your login name]
    #[arg(long, global = true, value_name = "NAME")]
    pub by: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new ledger file (never overwrites one)
    Init(entity::InitArgs),
    /// The chart of accounts
    #[command(subcommand)]
    Account(entity::AccountCommand),
    /// Funds (earmarks): add, list, move money between them
    #[command(subcommand)]
    Fund(entity::FundCommand),
    /// Communes that receive grants
    #[command(subcommand)]
    Commune(entity::CommuneCommand),
    /// Record a donation: net into an account, the fee to expenses:fees
    Donation(record::DonationArgs),
    /// Record money sent to the union (held by it) or straight to a commune
    Send(record::SendArgs),
    /// Record the union's report that it passed money on to a commune
    Allocate(record::AllocateArgs),
    /// Record a commune's confirmation that a grant reached it
    Confirm(record::ConfirmArgs),
    /// Record a fee charged on its own
    Fee(record::FeeArgs),
    /// Record a move between two of our own accounts
    Transfer(record::TransferArgs),
    /// Record a currency exchange through equity:conversion
    Exchange(record::ExchangeArgs),
    /// Record any balanced transaction, posting by posting
    Entry(record::EntryArgs),
    /// Record the reversal of a transaction
    Void(record::VoidArgs),
    /// Import a CSV file: simple, journal (an export) or statement (with --mapping)
    Import(transfer::ImportArgs),
    /// Export the journal as CSV for auditors, one row per posting
    #[command(subcommand)]
    Export(transfer::ExportCommand),
    /// Show one transaction with its postings and audit fields
    Show(review::ShowArgs),
    /// Reports: balance, register, funds, union, communes, campaign, donors
    #[command(subcommand)]
    Report(review::ReportCommand),
    /// Match a bank statement to an account's postings; --mark saves the result
    Reconcile(reconcile::ReconcileArgs),
    /// Check the hash chain, balances, maintained totals and the file's integrity
    Verify(review::VerifyArgs),
    /// Build a sample ledger and print its reports
    Demo,
}

/// A value of `--format`: how to print, or (for `import`) how to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatChoice {
    Output(Format),
    Input(InputFormat),
}

fn parse_format(text: &str) -> std::result::Result<FormatChoice, String> {
    Ok(match text {
        "table" => FormatChoice::Output(Format::Table),
        "csv" => FormatChoice::Output(Format::Csv),
        "json" => FormatChoice::Output(Format::Json),
        "simple" => FormatChoice::Input(InputFormat::Simple),
        "journal" => FormatChoice::Input(InputFormat::Journal),
        "statement" => FormatChoice::Input(InputFormat::Statement),
        _ => return Err("use table, csv or json (and for import: simple, journal or statement)".into()),
    })
}

/// What every command knows: where the ledger is, how to print, who is working, and today.
pub struct Context {
    pub db: PathBuf,
    pub db_given: bool,
    pub format: Format,
    /// `--format simple|journal|statement`, which only `import` takes.
    pub input_format: Option<InputFormat>,
    pub actor: String,
    pub today: NaiveDate,
}

impl Context {
    fn from_cli(cli: &Cli) -> Result<Context> {
        let env_db = std::env::var_os("FONDO_DB")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let db = match cli.db.clone().or(env_db) {
            Some(path) => path,
            None => default_db_path()?,
        };
        let actor = match &cli.by {
            Some(by) => by.clone(),
            None => std::env::var("FONDO_USER")
                .ok()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(whoami::username),
        };
        crate::domain::names::check_text("--by", &actor)?;
        let choices = cli.format.iter().rev();
        let format = choices.clone().find_map(|c| match c {
            FormatChoice::Output(f) => Some(*f),
            FormatChoice::Input(_) => None,
        });
        let input_format = choices.clone().find_map(|c| match c {
            FormatChoice::Input(f) => Some(*f),
            FormatChoice::Output(_) => None,
        });
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
            actor,
            today: chrono::Local::now().date_naive(),
        })
    }

    fn open(&self) -> Result<Ledger> {
        Ledger::open(&self.db, &self.actor)
    }

    fn date(&self, field: &str, text: &str) -> Result<NaiveDate> {
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
    #[arg(long, value_name = "CUR")]
    currency: Option<String>,
}

impl CurrencyArg {
    fn resolve(&self, ledger: &Ledger) -> Result<Currency> {
        match &self.currency {
            Some(code) => Currency::parse_field("--currency", code),
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

/// Parses the command line. `--format` may be given both before the command (output) and
/// after it (an input format for import); clap keeps only the values after the command when
/// a global option is repeated there, so every value is collected from the arguments
/// themselves, after clap has checked them.
pub fn parse(args: Vec<std::ffi::OsString>) -> std::result::Result<Cli, clap::Error> {
    let mut cli = Cli::try_parse_from(&args)?;
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
    match cli.command {
        Command::Init(args) => entity::init(&ctx, args, out),
        Command::Account(cmd) => entity::account(&ctx, cmd, out),
        Command::Fund(cmd) => entity::fund(&ctx, cmd, out),
        Command::Commune(cmd) => entity::commune(&ctx, cmd, out),
        Command::Donation(args) => record::donation(&ctx, args, out),
        Command::Send(args) => record::send(&ctx, args, out),
        Command::Allocate(args) => record::allocate(&ctx, args, out),
        Command::Confirm(args) => record::confirm(&ctx, args, out),
        Command::Fee(args) => record::fee(&ctx, args, out),
        Command::Transfer(args) => record::transfer(&ctx, args, out),
        Command::Exchange(args) => record::exchange(&ctx, args, out),
        Command::Entry(args) => record::entry(&ctx, args, out),
        Command::Void(args) => record::void(&ctx, args, out),
        Command::Import(args) => transfer::import(&ctx, args, out),
        Command::Export(cmd) => transfer::export(&ctx, cmd, out),
        Command::Show(args) => review::show(&ctx, args, out),
        Command::Report(cmd) => review::report(&ctx, cmd, out),
        Command::Reconcile(args) => reconcile::reconcile(&ctx, args, out),
        Command::Verify(args) => review::verify(&ctx, args, out),
        Command::Demo => review::demo(&ctx, out),
    }
}
