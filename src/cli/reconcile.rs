//! `fondo reconcile`: match a bank statement to an account, and save the result.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::Context;
use crate::domain::{Amount, Currency};
use crate::error::{Error, Result};
use crate::io::statement::Mapping;
use crate::render;
use crate::report::reconcile::{self, ReconcileOptions, DAYS_DEFAULT};
use crate::store::reconcile as saved;

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// The account the statement is of, e.g. assets:bank
    account: String,
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
    #[arg(long, value_name = "CUR")]
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
}

pub fn reconcile(ctx: &Context, args: ReconcileArgs, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    let Some(statement) = args.statement.as_deref().filter(|_| !args.list) else {
        let list = saved::reconciliations(ledger.conn(), &args.account)?;
        render::reconciliation_list_table(&list).write(ctx.format, out)?;
        return Ok(());
    };
    let mapping = args.mapping.as_deref().map(Mapping::load).transpose()?;
    let currency = args
        .currency
        .as_deref()
        .map(|c| Currency::parse_field("--currency", c))
        .transpose()?;
    let balance_currency = mapping
        .as_ref()
        .map(|m| m.currency(ledger.currency()))
        .or(currency)
        .unwrap_or(ledger.currency());
    let balance = args
        .balance
        .as_deref()
        .map(|b| Amount::parse_field("--balance", b, balance_currency))
        .transpose()?;
    let options = ReconcileOptions {
        account: &args.account,
        statement,
        mapping,
        currency,
        days: args.days,
        balance,
    };
    let reconciled = reconcile::reconcile(&ledger, &options)?;
    let strict_failed = args.strict && !reconciled.tied_out();
    let saved = if args.mark && !strict_failed {
        Some(reconcile::mark(&mut ledger, &reconciled, args.force)?)
    } else {
        None
    };
    render::write_reconciled(&reconciled, saved, ctx.format, out)?;
    if strict_failed {
        return Err(Error::CheckFailed(format!(
            "{} does not reconcile with {}: {} only in the statement, {} only in the ledger{}",
            args.account,
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
    #[arg(long, value_name = "ACCOUNT")]
    account: Option<String>,
}

pub fn close(ctx: &Context, args: CloseArgs, out: &mut dyn Write) -> Result<()> {
    let through = ctx.date("--through", &args.through)?;
    let mut ledger = ctx.open()?;
    let lock = ledger.write(false, |w| {
        w.close_period(through, args.account.as_deref(), ctx.today)
    })?;
    let books = match &args.account {
        Some(account) => format!("the books of {account}"),
        None => "the books".to_string(),
    };
    writeln!(out, "closed {books} through {through} (lock {lock})")?;
    Ok(())
}
