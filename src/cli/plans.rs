//! `fondo budget` and `fondo pledge` (issue 16, items 6 and 7), and the reports on them:
//! `report budget` and `report pledges`.

use std::io::Write;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::Context;
use crate::domain::plans::{Month, Period};
use crate::domain::{Amount, Currency, Field};
use crate::error::{Error, Result};
use crate::render::{self, Tabular};
use crate::store::read;
use crate::store::write::{NameRules, NewPledge};
use crate::store::{Ledger, WriteMode};

#[derive(Debug, Subcommand)]
pub enum BudgetCommand {
    /// Set a fund's budget for a year or a month (replaces the one it had for that period)
    #[command(after_help = "Example:\n  fondo budget set general 12000 --period 2026\n  \
        fondo budget set general 1500 --period 2026-03")]
    Set {
        /// The fund's code
        #[arg(add = super::complete::funds())]
        fund: String,
        /// The amount budgeted, e.g. 12000 or 1500.50
        #[arg(allow_negative_numbers = true)]
        amount: String,
        /// A year (YYYY) or a month (YYYY-MM)
        #[arg(long, value_name = "PERIOD")]
        period: String,
        /// The amount's currency [default: the ledger's]
        #[arg(long, value_name = "CODE")]
        currency: Option<String>,
    },
    /// List every fund's budgets
    #[command(after_help = "Example:\n  fondo budget list")]
    List,
}

#[derive(Debug, Subcommand)]
pub enum PledgeCommand {
    /// Record a donor's pledge to give an amount every month
    #[command(
        after_help = "Example:\n  fondo pledge add --donor \"Ana Pérez\" 25 --monthly --from 2026-01\n\n\
        The donor must have given before (their name exactly as `fondo donor list` shows it),\n\
        unless --new-donor says they have not yet."
    )]
    Add {
        /// The donor, exactly as recorded on their gifts
        #[arg(long, value_name = "NAME")]
        donor: String,
        /// The amount pledged each month
        #[arg(allow_negative_numbers = true)]
        amount: String,
        /// Every month (the only schedule fondo keeps)
        #[arg(long, required = true)]
        monthly: bool,
        /// The first month (YYYY-MM)
        #[arg(long, value_name = "MONTH")]
        from: String,
        /// The last month (YYYY-MM) [default: no end]
        #[arg(long, value_name = "MONTH")]
        to: Option<String>,
        /// Only gifts to this fund count toward it
        #[arg(long, value_name = "FUND", add = super::complete::funds())]
        fund: Option<String>,
        /// The amount's currency [default: the ledger's]
        #[arg(long, value_name = "CODE")]
        currency: Option<String>,
        /// The donor has not given yet: record the name as given
        #[arg(long)]
        new_donor: bool,
    },
    /// List the pledges
    #[command(after_help = "Example:\n  fondo pledge list")]
    List,
    /// End a pledge: its last month
    #[command(after_help = "Example:\n  fondo pledge end 3 --to 2026-06")]
    End {
        /// The pledge's number (`fondo pledge list`)
        id: i64,
        /// The last month the donor pledged (YYYY-MM)
        #[arg(long, value_name = "MONTH")]
        to: String,
    },
}

/// The amount given, in `--currency` or the ledger's.
fn amount(ledger: &Ledger, text: &str, currency: Option<&str>) -> Result<Amount> {
    let currency = match currency {
        Some(code) => Currency::parse_field(Field::CURRENCY, code)?,
        None => ledger.currency(),
    };
    Amount::parse_field(Field::AMOUNT, text, currency)
}

fn said(out: &mut dyn Write, text: &str) -> Result<()> {
    writeln!(out, "{text}").map_err(Error::Output)
}

fn print(ctx: &Context, table: Tabular, out: &mut dyn Write) -> Result<()> {
    table.write(ctx.format, out).map_err(Error::Output)
}

pub fn budget(ctx: &Context, cmd: BudgetCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        BudgetCommand::Set {
            fund,
            amount: text,
            period,
            currency,
        } => {
            let period = Period::parse(Field::PERIOD, &period)?;
            let mut ledger = ctx.open()?;
            let amount = amount(&ledger, &text, currency.as_deref())?;
            let replaced = ledger.write(WriteMode::Commit, |w| w.set_budget(&fund, period, amount))?;
            let replaces = replaced.map_or(String::new(), |b| {
                format!(
                    " (replaces {} {} set on {})",
                    b.amount.to_decimal(),
                    b.amount.currency(),
                    b.entered_at.get(..10).unwrap_or(&b.entered_at)
                )
            });
            said(
                out,
                &format!(
                    "budget of fund {fund} for {period}: {} {}{replaces}",
                    amount.to_decimal(),
                    amount.currency()
                ),
            )
        }
        BudgetCommand::List => {
            let ledger = ctx.open()?;
            print(
                ctx,
                render::budget_list_table(&read::budgets(ledger.conn())?),
                out,
            )
        }
    }
}

pub fn pledge(ctx: &Context, cmd: PledgeCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        PledgeCommand::Add {
            donor,
            amount: text,
            monthly: _,
            from,
            to,
            fund,
            currency,
            new_donor,
        } => {
            let from = Month::parse(Field::FROM, &from)?;
            let to = to.as_deref().map(|t| Month::parse(Field::TO, t)).transpose()?;
            let mut ledger = ctx.open()?;
            let pledge = NewPledge {
                donor,
                amount: amount(&ledger, &text, currency.as_deref())?,
                fund,
                from,
                to,
            };
            let id = ledger.write(WriteMode::Commit, |w| {
                w.set_name_rules(NameRules {
                    new_donor,
                    donor_field: Field::DONOR,
                    ..NameRules::default()
                });
                w.add_pledge(&pledge)
            })?;
            said(
                out,
                &format!(
                    "pledge {id} recorded: {} {} a month from {from}",
                    pledge.amount.to_decimal(),
                    pledge.amount.currency()
                ),
            )
        }
        PledgeCommand::List => {
            let ledger = ctx.open()?;
            print(
                ctx,
                render::pledge_list_table(&read::pledges(ledger.conn())?),
                out,
            )
        }
        PledgeCommand::End { id, to } => {
            let to = Month::parse(Field::TO, &to)?;
            let mut ledger = ctx.open()?;
            ledger.write(WriteMode::Commit, |w| w.end_pledge(id, to))?;
            said(out, &format!("pledge {id} ends with {to}"))
        }
    }
}

/// `report budget`'s dates: one period, or from and to.
#[derive(Debug, Args)]
pub struct BudgetReportArgs {
    /// Only budgets overlapping this year (YYYY) or month (YYYY-MM)
    #[arg(long, value_name = "PERIOD", conflicts_with_all = ["from", "to"])]
    period: Option<String>,
    /// Only budgets overlapping the days from this one (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Only budgets overlapping the days up to this one
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
}

impl BudgetReportArgs {
    fn dates(&self, ctx: &Context) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
        if let Some(period) = &self.period {
            let period = Period::parse(Field::PERIOD, period)?;
            return Ok((Some(period.first_day()), Some(period.last_day())));
        }
        super::review::dates(ctx, self.from.as_deref(), self.to.as_deref())
    }
}

/// `report pledges`'s months.
#[derive(Debug, Args)]
pub struct PledgesReportArgs {
    /// The first month (YYYY-MM) [default: each pledge's first]
    #[arg(long, value_name = "MONTH")]
    from: Option<String>,
    /// The last month (YYYY-MM) [default: the month of the latest transaction]
    #[arg(long, value_name = "MONTH")]
    to: Option<String>,
}

impl PledgesReportArgs {
    fn months(&self) -> Result<(Option<Month>, Option<Month>)> {
        let from = self
            .from
            .as_deref()
            .map(|m| Month::parse(Field::FROM, m))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|m| Month::parse(Field::TO, m))
            .transpose()?;
        super::review::in_order(from, to)
    }
}

/// `report budget`; false when it does not tie out.
pub(super) fn budget_report(
    ctx: &Context,
    ledger: &Ledger,
    args: &BudgetReportArgs,
    out: &mut dyn Write,
) -> Result<bool> {
    let (from, to) = args.dates(ctx)?;
    let report = crate::report::budget::budget(ledger, from, to)?;
    print(ctx, render::budget_table(&report), out)?;
    Ok(report.tied_out())
}

/// `report pledges`; false when it does not tie out.
pub(super) fn pledges_report(
    ctx: &Context,
    ledger: &Ledger,
    args: &PledgesReportArgs,
    out: &mut dyn Write,
) -> Result<bool> {
    let (from, to) = args.months()?;
    let report = crate::report::pledges::pledges(ledger, from, to)?;
    print(ctx, render::pledges_table(&report), out)?;
    Ok(report.tied_out())
}
