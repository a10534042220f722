//! Looking at the books: `show`, `report`, `verify` and `demo`.

use std::io::Write;

use clap::{Args, Subcommand};

use super::{parse_txn_id, Context};
use crate::error::{Error, Result};
use crate::render;
use crate::report::balance::{self, BalanceOptions};
use crate::report::register;
use crate::store::read::{self, Filter};
use crate::store::verify;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The transaction, e.g. 42 or #42
    #[arg(value_parser = parse_txn_id)]
    id: i64,
}

pub fn show(ctx: &Context, args: ShowArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ctx.open()?;
    let txn = read::transaction(ledger.conn(), args.id)?;
    render::write_transaction(&txn, ctx.format, out)?;
    Ok(())
}

/// The period and fund every report (and the export) can be narrowed to.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day included (YYYY-MM-DD, today, yesterday)
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day included
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Only this fund
    #[arg(long, value_name = "FUND")]
    fund: Option<String>,
}

impl ReportArgs {
    pub(super) fn filter(&self, ctx: &Context) -> Result<Filter> {
        let from = self.from.as_deref().map(|d| ctx.date("--from", d)).transpose()?;
        let to = self.to.as_deref().map(|d| ctx.date("--to", d)).transpose()?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(Error::invalid(
                    "--to",
                    to.to_string(),
                    format!("is before --from {from}"),
                ));
            }
        }
        Ok(Filter {
            from,
            to,
            fund: self.fund.clone(),
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Trial balance: debits, credits and balance per account and currency
    Balance {
        /// One row per account and fund
        #[arg(long)]
        by_fund: bool,
        /// Roll accounts up to N levels (1: assets, expenses, ...)
        #[arg(long, value_name = "N")]
        depth: Option<usize>,
        #[command(flatten)]
        period: ReportArgs,
    },
    /// Postings in date order with a running balance
    Register {
        /// Only this account and the accounts below it (e.g. expenses:grants)
        account: Option<String>,
        #[command(flatten)]
        period: ReportArgs,
    },
}

pub fn report(ctx: &Context, cmd: ReportCommand, out: &mut dyn Write) -> Result<()> {
    let ledger = ctx.open()?;
    match cmd {
        ReportCommand::Balance {
            by_fund,
            depth,
            period,
        } => {
            let options = BalanceOptions {
                filter: period.filter(ctx)?,
                by_fund,
                depth,
            };
            let report = balance::balance(&ledger, &options)?;
            render::balance_table(&report, by_fund).write(ctx.format, out)?;
            if !report.tied_out() {
                return Err(Error::CheckFailed(
                    "the trial balance does not tie out; run `fondo verify`".into(),
                ));
            }
        }
        ReportCommand::Register { account, period } => {
            let rows = register::register(&ledger, account.as_deref(), &period.filter(ctx)?)?;
            render::register_table(&rows).write(ctx.format, out)?;
        }
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A chain head written down earlier: check nothing up to it has changed
    #[arg(long, value_name = "HASH")]
    head: Option<String>,
}

pub fn verify(ctx: &Context, args: VerifyArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ctx.open()?;
    let outcome = verify::verify(&ledger, args.head.as_deref())?;
    render::write_verify(&outcome, ctx.format, out)?;
    if outcome.ok {
        Ok(())
    } else {
        Err(Error::CheckFailed(format!(
            "verify found {} problem(s) in {}",
            outcome.problems.len(),
            ctx.db.display()
        )))
    }
}

/// Builds the sample ledger (at --db, else in a temporary file) and prints its reports.
pub fn demo(ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let temp_dir;
    let path = if ctx.db_given {
        ctx.db.clone()
    } else {
        temp_dir = tempfile::tempdir().map_err(Error::io("create a directory in", &std::env::temp_dir()))?;
        temp_dir.path().join("demo.db")
    };
    let (ledger, outcome) = crate::demo::build(&path, &ctx.actor)?;
    writeln!(
        out,
        "Sample ledger built at {} from ledger.sample.csv ({} transactions)\n",
        path.display(),
        outcome.added
    )?;
    writeln!(out, "Trial balance")?;
    let report = balance::balance(&ledger, &BalanceOptions::default())?;
    render::balance_table(&report, false).write(ctx.format, out)?;
    Ok(())
}
