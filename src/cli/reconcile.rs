//! `fondo reconcile`: match a bank statement to an account, and save the result.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::Context;
use crate::domain::Field;
use crate::domain::{Amount, Currency};
use crate::error::{Error, Result};
use crate::io::statement::{self, Mapping};
use crate::render;
use crate::report::reconcile::{self, ReconcileOptions, DAYS_DEFAULT};
use crate::store::reconcile as saved;
use crate::store::WriteMode;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReconcileArgs {
    #[command(subcommand)]
    action: Option<ReconcileAction>,
    /// The account the statement is of, e.g. assets:bank
    #[arg(required = true, add = super::complete::accounts())]
    account: Option<String>,
    /// The statement: `date,description,amount` (+ optional `balance`, `reference`), or any
    /// bank format with --mapping
    #[arg(long, value_name = "FILE", required_unless_present = "list")]
    statement: Option<PathBuf>,
    /// Read the statement through a mapping file, as import does
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Statement and ledger dates may differ by this many days
    #[arg(long, value_name = "N", default_value_t = DAYS_DEFAULT)]
    days: u32,
    /// The statement's closing balance, if the file has no balance column
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    balance: Option<String>,
    /// The statement's currency, without a mapping [default: the ledger's]
    #[arg(long, value_name = "CUR", add = super::complete::currencies())]
    currency: Option<String>,
    /// Save the reconciliation so its matched postings are not offered again
    #[arg(long)]
    mark: bool,
    /// With --mark: save it even though it does not tie out (the record says so)
    #[arg(long, requires = "mark")]
    force: bool,
    /// Exit 1 if anything is unmatched or the balances differ (nothing is then saved)
    #[arg(long)]
    strict: bool,
    /// List the account's saved reconciliations instead
    #[arg(long, conflicts_with_all = ["statement", "mark", "strict"])]
    list: bool,
    /// Pair statement line LINE with transaction TXN by hand (repeatable), e.g. 7=42
    #[arg(long = "match", value_name = "LINE=TXN", value_parser = parse_match)]
    matches: Vec<(u64, i64)>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ReconcileAction {
    /// Undo a saved reconciliation: it stays on record, its postings are offered again
    #[command(after_help = "Example:\n  fondo reconcile undo 3")]
    Undo {
        /// The reconciliation's number (`fondo reconcile --list ACCOUNT`)
        id: i64,
    },
}

/// Parses `7=42` (or `7=#42`): statement line 7 is transaction #42.
fn parse_match(text: &str) -> std::result::Result<(u64, i64), String> {
    let (line, txn) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not LINE=TXN; write e.g. 7=42"))?;
    let line = line
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|l| *l >= 1)
        .ok_or_else(|| format!("`{line}` is not a statement line number"))?;
    Ok((line, super::parse_txn_id(txn.trim())?))
}

pub fn reconcile(ctx: &Context, args: ReconcileArgs, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    if let Some(ReconcileAction::Undo { id }) = &args.action {
        let account = ledger.write(WriteMode::Commit, |w| w.undo_reconciliation(*id))?;
        writeln!(
            out,
            "undid reconciliation {id} of {account}: its postings will be offered again (the undo is recorded)"
        ).map_err(Error::Output)?;
        return Ok(());
    }
    let account = args.account.clone().unwrap_or_default();
    let Some(path) = args.statement.as_deref().filter(|_| !args.list) else {
        let list = saved::reconciliations(ledger.conn(), &account)?;
        render::reconciliation_list_table(&list)
            .write(ctx.format, out)
            .map_err(Error::Output)?;
        return Ok(());
    };
    let mapping = args.mapping.as_deref().map(Mapping::load).transpose()?;
    let currency = args
        .currency
        .as_deref()
        .map(|c| Currency::parse_field(Field::CURRENCY, c))
        .transpose()?;
    let balance_currency = mapping
        .as_ref()
        .map(|m| m.currency(ledger.currency()))
        .or(currency)
        .unwrap_or(ledger.currency());
    let balance = args
        .balance
        .as_deref()
        .map(|b| Amount::parse_field(Field::BALANCE, b, balance_currency))
        .transpose()?;
    // An unknown account is named before the statement is read.
    saved::account_id(ledger.conn(), &account)?;
    let statement = statement::read(path, mapping, &account, currency.unwrap_or(ledger.currency()))?;
    let options = ReconcileOptions {
        account: &account,
        matches: &args.matches,
        days: args.days,
        balance,
    };
    let reconciled = reconcile::reconcile(&ledger, &statement, &options)?;
    let strict_failed = args.strict && !reconciled.tied_out();
    let saved = if args.mark && !strict_failed {
        Some(reconcile::mark(&mut ledger, &reconciled, args.force)?)
    } else {
        None
    };
    render::write_reconciled(&reconciled, saved, ctx.format, out).map_err(Error::Output)?;
    if strict_failed {
        return Err(Error::CheckFailed(format!(
            "{} does not reconcile with {}: {} only in the statement, {} only in the ledger{}",
            account,
            reconciled.file_name,
            reconciled.only_in_statement.len(),
            reconciled.only_in_ledger.len(),
            if args.mark { "; nothing was saved" } else { "" }
        )));
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The last day of the closed period: YYYY-MM-DD, today or yesterday
    #[arg(long, value_name = "DATE")]
    through: String,
    /// Close only this account's books [default: the whole ledger]
    #[arg(long, value_name = "ACCOUNT", add = super::complete::accounts())]
    account: Option<String>,
}

pub fn close(ctx: &Context, args: CloseArgs, out: &mut dyn Write) -> Result<()> {
    let through = ctx.date(Field::THROUGH, &args.through)?;
    let mut ledger = ctx.open()?;
    let lock = ledger.write(WriteMode::Commit, |w| {
        w.close_period(through, args.account.as_deref(), ctx.today)
    })?;
    let books = match &args.account {
        Some(account) => format!("the books of {account}"),
        None => "the books".to_string(),
    };
    writeln!(out, "closed {books} through {through} (lock {lock})").map_err(Error::Output)?;
    Ok(())
}
