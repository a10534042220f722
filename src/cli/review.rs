//! Looking at the books: `show`, `report`, `verify` and `demo`.

use std::io::Write;

use clap::{Args, Subcommand};

use super::{parse_txn_id, Context};
use crate::domain::Field;
use crate::error::{Error, Result};
use crate::render;
use crate::report::aging::Aging;
use crate::report::balance::{self, BalanceOptions};
use crate::report::{campaign, communes, donors, funds, register, union};
use crate::store::read::{self, Filter};
use crate::store::{verify, Ledger};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The transaction, e.g. 42 or #42
    #[arg(value_parser = parse_txn_id)]
    id: i64,
}

pub fn show(ctx: &Context, args: ShowArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ctx.open()?;
    let txn = read::transaction(ledger.conn(), args.id)?;
    render::write_transaction(&txn, ctx.format, out).map_err(Error::Output)?;
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
    #[arg(long, value_name = "FUND", add = super::complete::funds())]
    fund: Option<String>,
}

impl ReportArgs {
    pub(super) fn filter(&self, ctx: &Context) -> Result<Filter> {
        let from = self
            .from
            .as_deref()
            .map(|d| ctx.date(Field::FROM, d))
            .transpose()?;
        let to = self.to.as_deref().map(|d| ctx.date(Field::TO, d)).transpose()?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(Error::invalid(
                    Field::TO,
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
    #[command(after_help = "Example:\n  fondo report balance --by-fund --to 2026-03-31")]
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
    #[command(after_help = "Example:\n  fondo report register assets:bank --from 2026-03-01")]
    Register {
        /// Only this account and the accounts below it (e.g. expenses:grants)
        #[arg(add = super::complete::accounts())]
        account: Option<String>,
        /// Only the first N lines (a page), from --from on
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        #[command(flatten)]
        period: ReportArgs,
    },
    /// Per fund: opening, raised, fees, granted, moved, closing, where the money sits, target
    #[command(after_help = "Example:\n  fondo report funds --from 2026-01-01 --to 2026-03-31")]
    Funds {
        #[command(flatten)]
        period: ReportArgs,
    },
    /// Per fund: sent to the union, allocated onward, still held, and for how long
    #[command(after_help = "Example:\n  fondo report union --stale-days 60")]
    Union {
        /// Flag money the union has held longer than this many days
        #[arg(long, value_name = "N", default_value_t = union::STALE_DAYS_DEFAULT)]
        stale_days: u32,
        #[command(flatten)]
        period: ReportArgs,
    },
    /// Per commune: received directly and via the union, confirmed, last grant
    #[command(after_help = "Example:\n  fondo report communes --commune el-maizal")]
    Communes {
        /// One commune's statement, grant by grant
        #[arg(long, value_name = "NAME", add = super::complete::communes())]
        commune: Option<String>,
        #[command(flatten)]
        period: ReportArgs,
    },
    /// Statement of activities: gifts, fees, grants and programmes without and with donor
    /// restrictions, net assets released from restriction, opening and closing net assets
    #[command(after_help = "Example:\n  fondo report activities --from 2026-01-01 --to 2026-03-31")]
    Activities {
        #[command(flatten)]
        period: ReportArgs,
    },
    /// Statement of financial position: assets by account, liabilities, net assets without and
    /// with donor restrictions (per restricted fund)
    #[command(after_help = "Example:\n  fondo report position --at 2026-03-31")]
    Position {
        /// The day the position is taken at the end of: YYYY-MM-DD [default: everything recorded]
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
    },
    /// Budgets against actuals: per fund and period, budgeted vs raised and granted, variance, %
    #[command(after_help = "Example:\n  fondo report budget --period 2026\n\n\
        A fund with a year's budget and a month's shows both rows; the total line is what the\n\
        budgeted funds raised and granted over the report's dates (as `report funds` shows).")]
    Budget(super::plans::BudgetReportArgs),
    /// Pledges: per pledge and month, expected vs received (the donor's gifts), missed months
    #[command(after_help = "Example:\n  fondo report pledges --from 2026-01 --to 2026-06")]
    Pledges(super::plans::PledgesReportArgs),
    /// Grants not yet confirmed, per commune and fund, by age (0–30, 31–60, 61–90, > 90 days)
    #[command(after_help = "Example:\n  fondo report aging --strict --days 60")]
    Aging {
        /// With --strict: how old a grant may be before the check fails
        #[arg(long, value_name = "N", default_value_t = 90, requires = "strict")]
        days: i64,
        /// Exit 1 when a grant has waited longer than --days
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        period: ReportArgs,
    },
    /// Funds with targets: raised, granted, target, percent and a progress bar
    #[command(after_help = "Example:\n  fondo report campaign")]
    Campaign {
        #[command(flatten)]
        period: ReportArgs,
    },
    /// The public page: totals, funds, the money's journey to communes, charts; no donors
    #[command(
        after_help = "Example:\n  fondo report transparency -o transparency.html\n  fondo --format md report transparency"
    )]
    Transparency {
        /// Write to this file (.md for Markdown) instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// Replace FILE if it exists (never the ledger, an SQLite file or a directory)
        #[arg(long, requires = "output")]
        force: bool,
        #[command(flatten)]
        period: ReportArgs,
    },
    /// Private: per donor, number of gifts, total, first and last gift
    #[command(after_help = "Example:\n  fondo report donors --anonymize --format csv")]
    Donors {
        /// Show stable pseudonyms (donor-0001) instead of names
        #[arg(long)]
        anonymize: bool,
        #[command(flatten)]
        period: ReportArgs,
    },
}

/// A report that did not tie out is a failed check (exit 1), after it was printed.
fn tie_out(tied: bool, report: &str) -> Result<()> {
    if tied {
        Ok(())
    } else {
        Err(Error::CheckFailed(format!(
            "the {report} report does not tie out; run `fondo verify`"
        )))
    }
}

pub fn report(ctx: &Context, cmd: ReportCommand, out: &mut dyn Write) -> Result<()> {
    let ledger = ctx.open()?;
    // The page names the head in its own footer.
    let page = matches!(cmd, ReportCommand::Transparency { .. });
    let printed = print_report(ctx, &ledger, cmd, out);
    // Under a printed report, also one whose check failed (`--strict`); not after a refusal.
    let shown = matches!(printed, Ok(()) | Err(Error::CheckFailed(_)));
    if ctx.format == crate::render::Format::Table && !page && shown {
        print_head(&ledger, out)?;
    }
    printed
}

fn transparency_page(
    ctx: &Context,
    ledger: &Ledger,
    output: Option<&std::path::Path>,
    force: bool,
    period: &ReportArgs,
    out: &mut dyn Write,
) -> Result<()> {
    use crate::render::transparency::{write_transparency, PageFormat};
    if ctx.format != crate::render::Format::Table {
        return Err(Error::Usage(
            "report transparency writes a page: use --format html (the default) or md".into(),
        ));
    }
    let page = crate::report::transparency::transparency(ledger, &period.filter(ctx)?, ctx.today)?;
    let by_extension = output
        .and_then(|p| p.extension())
        .filter(|e| e.eq_ignore_ascii_case("md"))
        .map(|_| PageFormat::Markdown);
    let format = ctx.page_format.or(by_extension).unwrap_or(PageFormat::Html);
    match output {
        None => write_transparency(&page, format, out),
        Some(path) => {
            let dest = crate::files::Destination {
                path,
                ledger: ledger.path(),
                existing: crate::files::Existing::from_force(force),
            };
            crate::files::write_file(&dest, crate::files::PUBLIC, |file| {
                write_transparency(&page, format, file)
            })?;
            ledger.note_output("report transparency", path);
            writeln!(out, "wrote {}", crate::files::shown(path)).map_err(Error::Output)?;
            Ok(())
        }
    }
}

/// Names the chain head under a report, so an auditor can note it and later check with
/// `fondo verify --head` that nothing behind the report has changed.
pub(super) fn print_head(ledger: &Ledger, out: &mut dyn Write) -> Result<()> {
    match read::chain_head(ledger.conn())? {
        Some((id, hash)) => writeln!(out, "chain head #{id} {hash}").map_err(Error::Output)?,
        None => writeln!(out, "chain head: (empty ledger)").map_err(Error::Output)?,
    }
    Ok(())
}

fn print_report(ctx: &Context, ledger: &Ledger, cmd: ReportCommand, out: &mut dyn Write) -> Result<()> {
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
            let report = balance::balance(ledger, &options)?;
            print_table(ctx, render::balance_table(&report, by_fund), out)?;
            tie_out(report.tied_out(), "trial balance")
        }
        ReportCommand::Register {
            account,
            limit,
            period,
        } => {
            let rows = register::register(ledger, account.as_deref(), &period.filter(ctx)?, limit)?;
            print_table(ctx, render::register_table(&rows), out)?;
            Ok(())
        }
        ReportCommand::Funds { period } => {
            let report = funds::funds(ledger, &period.filter(ctx)?)?;
            print_table(ctx, render::funds_report_table(&report), out)?;
            tie_out(report.tied_out(), "funds")
        }
        ReportCommand::Union { stale_days, period } => {
            let report = union::union(ledger, &period.filter(ctx)?, stale_days, ctx.today)?;
            render::write_union(&report, ctx.format, out).map_err(Error::Output)?;
            tie_out(report.tied_out(), "union")
        }
        ReportCommand::Communes { commune, period } => print_communes(ctx, ledger, commune, &period, out),
        ReportCommand::Activities { period } => {
            let report = crate::report::activities::activities(ledger, &period.filter(ctx)?)?;
            print_table(ctx, render::activities_table(&report), out)?;
            tie_out(report.currencies.iter().all(|(_, a)| a.tied_out()), "activities")
        }
        ReportCommand::Position { at } => {
            let at = at.as_deref().map(|d| ctx.date(Field::AT, d)).transpose()?;
            let report = crate::report::position::position(ledger, at)?;
            print_table(ctx, render::position_table(&report), out)?;
            tie_out(report.currencies.iter().all(|(_, p)| p.tied_out()), "position")
        }
        ReportCommand::Aging { days, strict, period } => {
            let report = crate::report::aging::aging(ledger, &period.filter(ctx)?, ctx.today)?;
            print_table(ctx, render::aging_table(&report), out)?;
            tie_out(report.tied_out(), "aging")?;
            waited_too_long(&report, days, strict)
        }
        ReportCommand::Budget(args) => {
            let tied = super::plans::budget_report(ctx, ledger, &args, out)?;
            tie_out(tied, "budget")
        }
        ReportCommand::Pledges(args) => {
            let tied = super::plans::pledges_report(ctx, ledger, &args, out)?;
            tie_out(tied, "pledges")
        }
        ReportCommand::Campaign { period } => {
            let rows = campaign::campaign(ledger, &period.filter(ctx)?)?;
            print_table(ctx, render::campaign_table(&rows), out)?;
            tie_out(rows.iter().all(|r| r.tied_out), "campaign")
        }
        ReportCommand::Transparency {
            output,
            force,
            period,
        } => transparency_page(ctx, ledger, output.as_deref(), force, &period, out),
        ReportCommand::Donors { anonymize, period } => {
            let report = donors::donors(ledger, &period.filter(ctx)?, anonymize)?;
            print_table(ctx, render::donors_table(&report), out)?;
            tie_out(report.tied_out(), "donors")
        }
    }
}

/// `fondo report communes`: one commune's statement, or every commune's totals.
fn print_communes(
    ctx: &Context,
    ledger: &Ledger,
    commune: Option<String>,
    period: &ReportArgs,
    out: &mut dyn Write,
) -> Result<()> {
    match commune {
        Some(name) => {
            let rows = communes::commune_statement(ledger, &name, &period.filter(ctx)?)?;
            print_table(ctx, render::commune_statement_table(&rows), out)
        }
        None => {
            let report = communes::communes(ledger, &period.filter(ctx)?)?;
            print_table(ctx, render::communes_report_table(&report), out)?;
            tie_out(report.tied_out(), "communes")
        }
    }
}

/// With `--strict`: fails when a grant has waited longer than `--days` for its confirmation.
fn waited_too_long(report: &Aging, days: i64, strict: bool) -> Result<()> {
    match report.oldest() {
        Some((date, age)) if strict && age > days => Err(Error::CheckFailed(format!(
            "a grant of {date} has waited {age} days for its confirmation, more than --days {days}"
        ))),
        _ => Ok(()),
    }
}

/// A report's table in the format asked for.
fn print_table(ctx: &Context, table: render::Tabular, out: &mut dyn Write) -> Result<()> {
    table.write(ctx.format, out).map_err(Error::Output)
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
    render::write_verify(&outcome, ctx.format, out).map_err(Error::Output)?;
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
    if ctx.db_given && path.exists() {
        return Err(Error::Refused(format!(
            "{} already exists; `fondo demo` builds the sample in a new file and never writes into an existing one (give another --db, or none for a temporary ledger)",
            crate::files::shown(&path)
        )));
    }
    let (ledger, outcome) = crate::demo::build(&path, &ctx.actor)?;
    let built = format!("from ledger.sample.csv ({} transactions)", outcome.added);
    if ctx.db_given {
        writeln!(
            out,
            "Sample ledger built at {} {built}",
            crate::files::shown(&path)
        )
        .map_err(Error::Output)?;
    } else {
        writeln!(
            out,
            "Sample ledger built {built} in a temporary file, removed when the demo ends; give --db PATH to keep it"
        ).map_err(Error::Output)?;
    }
    // Reports run to the sample's last day, so what the demo prints does not change with the date.
    let last = read::last_date(ledger.conn())?.map(|d| d.to_string());
    writeln!(out, "Reports to {}", last.as_deref().unwrap_or("today")).map_err(Error::Output)?;
    let all = |fund| ReportArgs {
        from: None,
        to: last.clone(),
        fund,
    };
    let reports = [
        (
            "Trial balance",
            ReportCommand::Balance {
                by_fund: false,
                depth: None,
                period: all(None),
            },
        ),
        ("Funds", ReportCommand::Funds { period: all(None) }),
        (
            "The union",
            ReportCommand::Union {
                stale_days: union::STALE_DAYS_DEFAULT,
                period: all(None),
            },
        ),
        (
            "Communes",
            ReportCommand::Communes {
                commune: None,
                period: all(None),
            },
        ),
        ("Campaign", ReportCommand::Campaign { period: all(None) }),
    ];
    for (title, report) in reports {
        writeln!(out, "\n{title}").map_err(Error::Output)?;
        print_report(ctx, &ledger, report, out)?;
    }
    Ok(())
}
