//! Setting up the books: `init`, and adding and listing accounts, funds and communes.

use std::io::Write;

use clap::{Args, Subcommand};

use super::{record, Context};
use crate::domain::names::escape_controls;
use crate::domain::{Amount, Currency};
use crate::error::Result;
use crate::render;
use crate::store::{read, Ledger};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The ledger's default currency (ISO 4217)
    #[arg(long, default_value = "USD", value_name = "CUR")]
    currency: String,
    /// The organisation keeping the books, shown on reports
    #[arg(long, value_name = "NAME")]
    org: Option<String>,
}

pub fn init(ctx: &Context, args: InitArgs, out: &mut dyn Write) -> Result<()> {
    let currency = Currency::parse_field("--currency", &args.currency)?;
    if let Some(org) = &args.org {
        crate::domain::names::check_text("--org", org)?;
    }
    let ledger = Ledger::create(&ctx.db, currency, args.org.as_deref(), &ctx.actor)?;
    writeln!(
        out,
        "created ledger {} (default currency {currency})",
        crate::files::shown(ledger.path())
    )?;
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account, e.g. `assets:bank:banesco` or `liabilities:loans`
    #[command(after_help = "Example:\n  fondo account add liabilities:loans")]
    Add {
        /// Colon-separated name starting with assets, liabilities, equity, income or expenses
        name: String,
    },
    /// List the chart of accounts
    #[command(after_help = "Example:\n  fondo account list --format csv")]
    List,
}

pub fn account(ctx: &Context, cmd: AccountCommand, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    match cmd {
        AccountCommand::Add { name } => {
            ledger.write(false, |w| w.add_account(&name))?;
            writeln!(out, "added account {name}")?;
        }
        AccountCommand::List => {
            render::account_list_table(&read::accounts(ledger.conn())?).write(ctx.format, out)?;
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum FundCommand {
    /// Add a fund (an earmark); restricted unless --unrestricted
    #[command(
        after_help = "Example:\n  fondo fund add macadamia --name \"Macadamia drying machine\" --target 1000"
    )]
    Add {
        /// Short code, e.g. `lara-cheese` (lower-case letters, digits, `-`, `_`)
        code: String,
        /// A readable name [default: the code]
        #[arg(long)]
        name: Option<String>,
        /// Fundraising target, e.g. `500.00` or `500.00 EUR`
        #[arg(long, value_name = "AMOUNT [CUR]", allow_negative_numbers = true)]
        target: Option<String>,
        /// Money in this fund carries no donor restriction (it may go below zero)
        #[arg(long)]
        unrestricted: bool,
    },
    /// List funds with their targets
    #[command(after_help = "Example:\n  fondo fund list")]
    List,
    /// Move money from one fund to another (four postings through equity:transfers)
    #[command(after_help = "Example:\n  fondo fund move 25.00 --from general --to tires")]
    Move(record::FundMoveArgs),
}

pub fn fund(ctx: &Context, cmd: FundCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        FundCommand::Add {
            code,
            name,
            target,
            unrestricted,
        } => {
            let mut ledger = ctx.open()?;
            let target = target
                .map(|t| amount_with_currency("--target", &t, &ledger))
                .transpose()?;
            ledger.write(false, |w| {
                w.add_fund(&code, name.as_deref(), target, !unrestricted)
            })?;
            let kind = if unrestricted {
                "unrestricted"
            } else {
                "restricted"
            };
            match target {
                Some(t) => writeln!(out, "added {kind} fund {code} (target {t})")?,
                None => writeln!(out, "added {kind} fund {code}")?,
            }
        }
        FundCommand::List => {
            let ledger = ctx.open()?;
            render::fund_list_table(&read::funds(ledger.conn())?).write(ctx.format, out)?;
        }
        FundCommand::Move(args) => record::record(ctx, &args, out)?,
    }
    Ok(())
}

/// Parses `500.00` (the ledger's currency) or `500.00 EUR`.
fn amount_with_currency(field: &str, text: &str, ledger: &Ledger) -> Result<Amount> {
    let mut parts = text.split_whitespace();
    let (number, code) = (parts.next().unwrap_or(""), parts.next());
    if parts.next().is_some() {
        return Err(crate::error::Error::invalid(
            field,
            text,
            "write an amount and optionally a currency, e.g. `500.00 USD`",
        ));
    }
    let currency = match code {
        Some(code) => Currency::parse_field(field, code)?,
        None => ledger.currency(),
    };
    Amount::parse_field(field, number, currency)
}

#[derive(Debug, Subcommand)]
pub enum CommuneCommand {
    /// Register a commune; creates its account expenses:grants:<slug>
    #[command(
        after_help = "Example:\n  fondo commune add \"Comuna El Maizal\" --state Lara --slug el-maizal"
    )]
    Add {
        /// The commune's name, e.g. "Comuna El Maizal"
        name: String,
        /// The Venezuelan state it is in, e.g. Lara
        #[arg(long)]
        state: String,
        /// Short code used in commands and accounts [default: made from the name]
        #[arg(long)]
        slug: Option<String>,
    },
    /// List communes
    #[command(after_help = "Example:\n  fondo commune list")]
    List,
}

pub fn commune(ctx: &Context, cmd: CommuneCommand, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    match cmd {
        CommuneCommand::Add { name, state, slug } => {
            let slug = ledger.write(false, |w| w.add_commune(&name, &state, slug.as_deref()))?;
            writeln!(
                out,
                "added commune {slug} ({}, {}) with account expenses:grants:{slug}",
                escape_controls(&name),
                escape_controls(&state)
            )?;
        }
        CommuneCommand::List => {
            render::commune_list_table(&read::communes(ledger.conn())?).write(ctx.format, out)?;
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum DonorCommand {
    /// Erase a donor's name from the ledger for good; their gifts stay, under a placeholder
    #[command(after_help = "Example:\n  fondo donor forget \"Ana Pérez\"\n\n\
        Every description, counterparty and memo that names the donor is rewritten to\n\
        `forgotten donor N`, the memos of their own gifts are dropped, and the erasure is\n\
        recorded (without the name). Amounts, dates, accounts and the hash chain are\n\
        unchanged. Backups and exports made before keep the name: replace them.")]
    Forget {
        /// The donor's name exactly as recorded (see `fondo report donors`)
        name: String,
    },
}

pub fn donor(ctx: &Context, cmd: DonorCommand, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    let DonorCommand::Forget { name } = cmd;
    let erasure = ledger.forget_donor(&name)?;
    let ids: Vec<String> = erasure.transactions.iter().map(|id| format!("#{id}")).collect();
    writeln!(
        out,
        "erasure {}: the donor is now `{}` in {} transaction(s): {}",
        erasure.id,
        erasure.placeholder,
        ids.len(),
        ids.join(", ")
    )?;
    Ok(())
}
