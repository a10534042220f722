//! Looking at the books: `show`, `report`, `verify` and `demo`.

use std::io::Write;

use clap::{Args, Subcommand};

use super::{parse_txn_id, Context};
use crate::domain::Field;
use crate::error::{Error, Result};
use crate::render;
use crate::report::aging::Aging;
use crate::report::balance::{self, BalanceOptions};
use crate::report::{activities, campaign, communes, donors, funds, register, union, value};
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
    let attachments = crate::store::evidence::attachments_of(ledger.conn(), args.id)?;
    render::write_transaction(&txn, &attachments, ctx.format, out).map_err(Error::Output)?;
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

/// `--from` and `--to` as given, refused when `--to` comes before `--from`.
pub(super) fn in_order<T: PartialOrd + std::fmt::Display>(
    from: Option<T>,
    to: Option<T>,
) -> Result<(Option<T>, Option<T>)> {
    match (from, to) {
        (Some(from), Some(to)) if to < from => Err(Error::invalid(
            Field::TO,
            to.to_string(),
            format!("is before --from {from}"),
        )),
        (from, to) => Ok((from, to)),
    }
}

/// `--from` and `--to` read as dates, in order.
pub(super) fn dates(
    ctx: &Context,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)> {
    let from = from.map(|d| ctx.date(Field::FROM, d)).transpose()?;
    let to = to.map(|d| ctx.date(Field::TO, d)).transpose()?;
    in_order(from, to)
}

impl ReportArgs {
    pub(super) fn filter(&self, ctx: &Context) -> Result<Filter> {
        let (from, to) = dates(ctx, self.from.as_deref(), self.to.as_deref())?;
        Ok(Filter {
            from,
            to,
            fund: self.fund.clone(),
        })
    }
}

/// `--value CUR`: a report's totals also valued in one currency.
#[derive(Debug, Args)]
pub struct ValueArgs {
    /// Also value the totals in this currency (e.g. USD), at the rate on or before the
    /// report's date (--to or --at, else today): see `fondo rate`. Tables print the report,
    /// then the values; csv and json give the values, with each amount and rate used
    #[arg(long, value_name = "CUR", add = super::complete::currencies())]
    value: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Trial balance: debits, credits and balance per account and currency
    #[command(
        after_help = "Example:\n  fondo report balance --by-fund --to 2026-03-31\n  fondo report balance --value USD"
    )]
    Balance {
        /// One row per account and fund
        #[arg(long)]
        by_fund: bool,
        /// Roll accounts up to N levels (1: assets, expenses, ...)
        #[arg(long, value_name = "N")]
        depth: Option<usize>,
        #[command(flatten)]
        period: ReportArgs,
        #[command(flatten)]
        value: ValueArgs,
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
    #[command(
        after_help = "Example:\n  fondo report funds --from 2026-01-01 --to 2026-03-31\n  fondo report funds --value USD --to 2026-03-31"
    )]
    Funds {
        #[command(flatten)]
        period: ReportArgs,
        #[command(flatten)]
        value: ValueArgs,
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
    #[command(
        after_help = "Example:\n  fondo report activities --from 2026-01-01 --to 2026-03-31\n  fondo report activities --quarterly --from 2026-01-01 --to 2026-12-31\n  fondo report activities --value USD"
    )]
    Activities {
        /// One statement per month of the period, then the whole period's; the months add up
        #[arg(long, conflicts_with_all = ["quarterly", "value"])]
        monthly: bool,
        /// One statement per quarter of the period, then the whole period's
        #[arg(long, conflicts_with = "value")]
        quarterly: bool,
        #[command(flatten)]
        period: ReportArgs,
        #[command(flatten)]
        value: ValueArgs,
    },
    /// Statement of financial position: assets by account, liabilities, net assets without and
    /// with donor restrictions (per restricted fund)
    #[command(
        after_help = "Example:\n  fondo report position --at 2026-03-31\n  fondo report position --at 2026-03-31 --value USD"
    )]
    Position {
        /// The day the position is taken at the end of: YYYY-MM-DD [default: everything recorded]
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
        #[command(flatten)]
        value: ValueArgs,
    },
    /// Budgets against actuals: per fund and period, budgeted vs raised and granted, variance, %
    #[command(after_help = "Example:\n  fondo report budget --period 2026\n\n\
        A fund with a year's budget and a month's shows both rows; the total line is what the\n\
        budgeted funds raised and granted over the report's dates (as `report funds` shows).")]
    Budget(super::plans::BudgetReportArgs),
    /// Pledges: per pledge and month, expected vs received (the donor's gifts), missed months
    #[command(after_help = "Example:\n  fondo report pledges --from 2026-01 --to 2026-06")]
    Pledges(super::plans::PledgesReportArgs),
    /// Grants not yet confirmed, per commune and fund, and money held by the union, per fund,
    /// by age (0–30, 31–60, 61–90, > 90 days)
    #[command(after_help = "Example:\n  fondo report aging --strict --days 60")]
    Aging {
        /// With --strict: how old a grant or the union's held money may be before the check fails
        #[arg(long, value_name = "N", default_value_t = 90, requires = "strict",
              allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(0..))]
        days: i64,
        /// Exit 1 when a grant has waited longer than --days, or money held by the union
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        period: ReportArgs,
    },
    /// Funds with targets: raised, granted, target, percent and a progress bar
    #[command(after_help = "Example:\n  fondo report campaign\n  fondo report campaign --value USD")]
    Campaign {
        #[command(flatten)]
        period: ReportArgs,
        #[command(flatten)]
        value: ValueArgs,
    },
    /// The public page: totals, funds, the money's journey to communes, charts; no donors
    #[command(
        after_help = "Example:\n  fondo report transparency -o transparency.html\n  fondo --format md report transparency\n  fondo report transparency --value USD -o transparency.html"
    )]
    Transparency {
        /// Write to this file (.md for Markdown); without it, or with `-`, to standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// Replace FILE if it exists (never the ledger, an SQLite file or a directory)
        #[arg(long, requires = "output")]
        force: bool,
        /// Also publish the files attached to grants (never to donations) in FILE-evidence/
        /// beside the page, linked from it, e.g. -o page.html --public-evidence
        #[arg(long, requires = "output")]
        public_evidence: bool,
        #[command(flatten)]
        period: ReportArgs,
        #[command(flatten)]
        value: ValueArgs,
    },
    /// Private: one donor's statement of a year's gifts, or every donor's into a directory
    #[command(
        after_help = "Example:\n  fondo report statement --donor \"Ana Pérez\" --year 2026\n  \
        fondo --format html report statement --all --year 2026 -o letters-2026\n\n\
        A letter lists each gift of the year (date, amount, fund, reference), the year's total\n\
        per currency and a thank-you text, under the organisation block `fondo settings` holds.\n\
        Formats: md (the default), html, or csv (the gifts and totals only). --template FILE\n\
        replaces the thank-you text; its placeholders are {donor}, {year}, {total}, {gifts}\n\
        and {org} ({{ and }} for a brace). Letters are written readable by you only (0600);\n\
        a directory -o makes is 0700. A forgotten donor gets no letter."
    )]
    Statement(super::statement::StatementArgs),
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
    let ledger = ctx.open_to_read()?;
    // The page names the head in its own footer; a letter is for a donor, not an auditor.
    let page = matches!(
        cmd,
        ReportCommand::Transparency { .. } | ReportCommand::Statement(_)
    );
    let printed = print_report(ctx, &ledger, cmd, out);
    // Under a printed report, also one whose check failed (`--strict`); not after a refusal.
    let shown = matches!(printed, Ok(()) | Err(Error::CheckFailed(_)));
    if ctx.format == crate::render::Format::Table && !page && shown {
        print_head(&ledger, out)?;
    }
    printed
}

/// Where `report transparency` writes its page, and whether the grants' files go beside it.
struct PageOutput<'a> {
    path: Option<&'a std::path::Path>,
    force: bool,
    public_evidence: bool,
}

fn transparency_page(
    ctx: &Context,
    ledger: &Ledger,
    page_output: &PageOutput<'_>,
    period: &ReportArgs,
    value: &ValueArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let (output, force) = (page_output.path, page_output.force);
    if output.is_some_and(crate::files::is_stdout) && page_output.public_evidence {
        return Err(Error::Usage(
            "--public-evidence writes the grants' files in a directory beside the page: give -o a file name, not -".into(),
        ));
    }
    let output = output.filter(|path| !crate::files::is_stdout(path));
    use crate::render::transparency::{write_transparency, PageFormat};
    if ctx.format != crate::render::Format::Table {
        return Err(Error::Usage(
            "report transparency writes a page: use --format html (the default) or md".into(),
        ));
    }
    let filter = period.filter(ctx)?;
    let mut page = crate::report::transparency::transparency(ledger, &filter, ctx.today)?;
    if let Some(code) = &value.value {
        let currency = crate::domain::Currency::parse_field(Field::VALUE, code)?;
        let lines = value::transparency_lines(&page)?;
        let date = filter.to.unwrap_or(ctx.today);
        let valued = value::value(ledger, currency, date, lines)?;
        page.together = Some(crate::report::transparency::Together::Valued(valued));
    }
    if let (Some(path), true) = (output, page_output.public_evidence) {
        page.evidence_dir = Some(super::evidence::publish_grant_files(
            ledger,
            path,
            force,
            &page.evidence,
            out,
        )?);
    }
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
            value,
        } => {
            let options = BalanceOptions {
                filter: period.filter(ctx)?,
                by_fund,
                depth,
            };
            print_balance(ctx, ledger, &options, &value, out)
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
        ReportCommand::Funds { period, value } => {
            let filter = period.filter(ctx)?;
            let report = funds::funds(ledger, &filter)?;
            let (table, lines) = (render::funds_report_table(&report), value::funds_lines(&report));
            let valued = print_valued(ctx, ledger, &value, filter.to, table, lines, out)?;
            tie_out(report.tied_out() && valued, "funds")
        }
        ReportCommand::Union { stale_days, period } => {
            let report = union::union(ledger, &period.filter(ctx)?, stale_days, ctx.today)?;
            render::write_union(&report, ctx.format, out).map_err(Error::Output)?;
            tie_out(report.tied_out(), "union")
        }
        ReportCommand::Communes { commune, period } => print_communes(ctx, ledger, commune, &period, out),
        ReportCommand::Activities {
            monthly,
            quarterly,
            period,
            value,
        } => {
            let step = match (monthly, quarterly) {
                (true, _) => Some(activities::Step::Month),
                (_, true) => Some(activities::Step::Quarter),
                _ => None,
            };
            print_activities(ctx, ledger, step, &period, &value, out)
        }
        ReportCommand::Position { at, value } => {
            let at = at.as_deref().map(|d| ctx.date(Field::AT, d)).transpose()?;
            print_position(ctx, ledger, at, &value, out)
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
        ReportCommand::Campaign { period, value } => {
            print_campaign(ctx, ledger, &period.filter(ctx)?, &value, out)
        }
        ReportCommand::Transparency {
            output,
            force,
            public_evidence,
            period,
            value,
        } => {
            let page = PageOutput {
                path: output.as_deref(),
                force,
                public_evidence,
            };
            transparency_page(ctx, ledger, &page, &period, &value, out)
        }
        ReportCommand::Statement(args) => super::statement::statement(ctx, ledger, args, out),
        ReportCommand::Donors { anonymize, period } => {
            let report = donors::donors(ledger, &period.filter(ctx)?, anonymize)?;
            print_table(ctx, render::donors_table(&report), out)?;
            tie_out(report.tied_out(), "donors")
        }
    }
}

/// `fondo report balance`: the trial balance, valued with `--value`.
fn print_balance(
    ctx: &Context,
    ledger: &Ledger,
    options: &BalanceOptions,
    value: &ValueArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let report = balance::balance(ledger, options)?;
    let table = render::balance_table(&report, options.by_fund);
    let lines = value::balance_lines(&report);
    let valued = print_valued(ctx, ledger, value, options.filter.to, table, lines, out)?;
    tie_out(report.tied_out() && valued, "trial balance")
}

/// `fondo report position`: the statement of financial position at `at`, valued with `--value`.
fn print_position(
    ctx: &Context,
    ledger: &Ledger,
    at: Option<chrono::NaiveDate>,
    value: &ValueArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let report = crate::report::position::position(ledger, at)?;
    let (table, lines) = (render::position_table(&report), value::position_lines(&report));
    let valued = print_valued(ctx, ledger, value, at, table, lines, out)?;
    let tied = report.currencies.iter().all(|(_, p)| p.tied_out());
    tie_out(tied && valued, "position")
}

/// `fondo report campaign`: each fund against its target, valued with `--value`.
fn print_campaign(
    ctx: &Context,
    ledger: &Ledger,
    filter: &Filter,
    value: &ValueArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let rows = campaign::campaign(ledger, filter)?;
    let (table, lines) = (render::campaign_table(&rows), value::campaign_lines(&rows));
    let valued = print_valued(ctx, ledger, value, filter.to, table, lines, out)?;
    tie_out(rows.iter().all(|r| r.tied_out) && valued, "campaign")
}

/// `fondo report activities`: the period's statement (valued with `--value`), or one per
/// month or quarter (`step`) and the whole period's.
fn print_activities(
    ctx: &Context,
    ledger: &Ledger,
    step: Option<activities::Step>,
    period: &ReportArgs,
    value: &ValueArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let filter = period.filter(ctx)?;
    if let Some(step) = step {
        let report = activities::activities_by_period(ledger, &filter, step)?;
        print_table(ctx, render::activities_by_period_table(&report), out)?;
        return tie_out(report.tied_out(), "activities");
    }
    let report = activities::activities(ledger, &filter)?;
    let (table, lines) = (
        render::activities_table(&report),
        value::activities_lines(&report),
    );
    let valued = print_valued(ctx, ledger, value, filter.to, table, lines, out)?;
    tie_out(
        report.currencies.iter().all(|(_, a)| a.tied_out()) && valued,
        "activities",
    )
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

/// With `--strict`: fails when a grant has waited longer than `--days` for its confirmation,
/// or the union has held money longer than that without allocating it.
fn waited_too_long(report: &Aging, days: i64, strict: bool) -> Result<()> {
    match (report.oldest(), report.oldest_held()) {
        (Some((date, age)), _) if strict && age > days => Err(Error::CheckFailed(format!(
            "a grant of {date} has waited {age} days for its confirmation, more than --days {days}"
        ))),
        (_, Some((date, age))) if strict && age > days => Err(Error::CheckFailed(format!(
            "the union has held money sent on {date} for {age} days without allocating it, more than --days {days}"
        ))),
        _ => Ok(()),
    }
}

/// A report's table, and with `--value CUR` its totals valued at the rates on `date` (else
/// today): a table prints both, csv and json the values alone (each with its amount and
/// rate). Valued before anything is printed, so a missing rate prints nothing. Returns
/// whether the values tie out.
fn print_valued(
    ctx: &Context,
    ledger: &Ledger,
    value: &ValueArgs,
    date: Option<chrono::NaiveDate>,
    table: render::Tabular,
    lines: value::Lines,
    out: &mut dyn Write,
) -> Result<bool> {
    let Some(code) = &value.value else {
        print_table(ctx, table, out)?;
        return Ok(true);
    };
    let currency = crate::domain::Currency::parse_field(Field::VALUE, code)?;
    let valuation = value::value(ledger, currency, date.unwrap_or(ctx.today), lines)?;
    if ctx.format == render::Format::Table {
        print_table(ctx, table, out)?;
        writeln!(out).map_err(Error::Output)?;
    }
    print_table(ctx, render::valuation_table(&valuation), out)?;
    Ok(valuation.tied_out())
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
    let ledger = ctx.open_to_read()?;
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
                value: ValueArgs { value: None },
            },
        ),
        (
            "Funds",
            ReportCommand::Funds {
                period: all(None),
                value: ValueArgs { value: None },
            },
        ),
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
        (
            "Campaign",
            ReportCommand::Campaign {
                period: all(None),
                value: ValueArgs { value: None },
            },
        ),
    ];
    for (title, report) in reports {
        writeln!(out, "\n{title}").map_err(Error::Output)?;
        print_report(ctx, &ledger, report, out)?;
    }
    Ok(())
}
