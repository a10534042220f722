//! The accountability reports as tables — funds, union, communes, campaign, donors — and
//! the statements that tie out against them: the aging of grants, the financial position and
//! the statement of activities. Each carries its tie-out: a note under the table, and
//! `row`/`tied_out` columns in CSV and JSON.

use std::io::Write;

use super::reports::sum;
use super::{col, flow_col, machine_col, optional_col, Cell, Column, Format, Tabular};
use crate::domain::{Currency, Sum};
use crate::report::activities::{ActivitiesByPeriod, ActivitiesReport};
use crate::report::aging::{Aging, AgingRow};
use crate::report::campaign::CampaignRow;
use crate::report::communes::{CommunesReport, Received, StatementRow};
use crate::report::donors::DonorsReport;
use crate::report::funds::{Flows, FundsReport};
use crate::report::position::{PositionLine, PositionReport};
use crate::report::union::UnionReport;

pub(super) fn ok(tied: bool) -> &'static str {
    if tied {
        "ok"
    } else {
        "DOES NOT TIE OUT, run `fondo verify`"
    }
}

fn date(d: Option<chrono::NaiveDate>) -> Cell {
    d.map_or(Cell::Empty, |d| Cell::Text(d.to_string()))
}

fn flow_cells(f: &Flows) -> [Cell; 11] {
    [
        sum(f.opening),
        sum(f.raised),
        sum(f.fees),
        sum(f.granted),
        sum(f.spent),
        sum(f.moved),
        sum(f.closing),
        sum(f.at_bank),
        sum(f.at_processor),
        sum(f.held_by_union),
        sum(f.at_other),
    ]
}

pub fn funds_report_table(report: &FundsReport) -> Tabular {
    let mut t = Tabular::new(vec![
        machine_col("row"),
        col("fund", "Fund"),
        col("currency", "Cur"),
        flow_col("opening", "Opening"),
        col("raised", "Raised"),
        flow_col("fees", "Fees"),
        col("granted", "Granted"),
        flow_col("spent", "Spent"),
        flow_col("moved", "Moved"),
        col("closing", "Closing"),
        optional_col("at_bank", "Bank"),
        optional_col("at_processor", "Processor"),
        optional_col("held_by_union", "Union"),
        optional_col("at_other", "Other"),
        optional_col("target", "Target"),
        machine_col("target_currency"),
        // Raised and moved in, to date: not "% raised", which the campaign report shows.
        col("percent", "% of target"),
        machine_col("restricted"),
        machine_col("overdrawn"),
        machine_col("tied_out"),
    ]);
    for r in &report.rows {
        let mut row = vec![
            Cell::from("fund"),
            r.fund.as_str().into(),
            r.currency.code().into(),
        ];
        row.extend(flow_cells(&r.flows));
        row.extend([
            r.target.map_or(Cell::Empty, sum),
            r.target.map_or(Cell::Empty, |a| a.currency().code().into()),
            r.percent.map_or(Cell::Empty, |p| Cell::Money(format!("{p:.1}"))),
            Cell::Bool(r.restricted),
            Cell::Bool(!r.overdrawn.is_empty()),
            Cell::Bool(r.flows.tied_out()),
        ]);
        t.rows.push(row);
        for account in &r.overdrawn {
            t.notes.push(format!(
                "OVERDRAWN: fund `{}` is below zero in {account} ({})",
                r.fund, r.currency
            ));
        }
    }
    for (c, f) in &report.totals {
        let mut row = vec![Cell::from("total"), Cell::from("total"), c.code().into()];
        row.extend(flow_cells(f));
        row.extend([
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Bool(f.tied_out()),
        ]);
        t.rows.push(row);
        let m = Sum::to_decimal;
        t.notes.push(format!(
            "tie-out {c}: opening {} + raised {} - fees {} - granted {} - spent {} + moved {} = closing {} = bank {} + processor {} + union {} + other {}: {}",
            m(f.opening), m(f.raised), m(f.fees), m(f.granted), m(f.spent), m(f.moved), m(f.closing),
            m(f.at_bank), m(f.at_processor), m(f.held_by_union), m(f.at_other), ok(f.tied_out())
        ));
    }
    t
}

/// The union report: in a table, the holdings and then the allocations by recipient; in CSV
/// and JSON, one list whose `row` says which.
pub fn write_union(report: &UnionReport, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    let mut t = union_holdings(report);
    if format == Format::Table {
        let mut allocations = Tabular::new(vec![
            col("fund", "Fund"),
            col("currency", "Cur"),
            col("recipient", "Recipient"),
            col("allocated", "Allocated"),
        ]);
        for a in &report.allocations {
            allocations.rows.push(vec![
                a.fund.as_str().into(),
                a.currency.code().into(),
                a.recipient.as_str().into(),
                sum(a.amount),
            ]);
        }
        writeln!(out, "Held by the union (ages as of {})", report.as_of)?;
        t.write(format, out)?;
        writeln!(out, "\nAllocated onward, by recipient")?;
        return allocations.write(format, out);
    }
    for a in &report.allocations {
        let mut row = vec![Cell::Empty; UNION_COLUMNS];
        row[0] = "allocation".into();
        row[1] = a.fund.as_str().into();
        row[2] = a.currency.code().into();
        row[5] = sum(a.amount);
        row[10] = a.recipient.as_str().into();
        t.rows.push(row);
    }
    t.write(format, out)
}

/// How many columns the union report's list has (see [`union_holdings`]).
const UNION_COLUMNS: usize = 12;

/// The union report's holdings, a row per fund and currency, with their tie-outs and the
/// money held too long.
fn union_holdings(report: &UnionReport) -> Tabular {
    let mut t = Tabular::new(vec![
        machine_col("row"),
        col("fund", "Fund"),
        col("currency", "Cur"),
        optional_col("opening", "Opening"),
        col("sent", "Sent"),
        col("allocated", "Allocated"),
        col("held", "Held"),
        optional_col("oldest_unallocated_date", "Oldest held"),
        optional_col("days_held", "Days"),
        optional_col("stale", "Stale"),
        machine_col("recipient"),
        machine_col("tied_out"),
    ]);
    for r in &report.rows {
        let c = r.currency;
        t.rows.push(vec![
            "fund".into(),
            r.fund.as_str().into(),
            c.code().into(),
            sum(r.opening),
            sum(r.sent),
            sum(r.allocated),
            sum(r.held),
            date(r.oldest_unallocated_date),
            r.days_held.map_or(Cell::Empty, Cell::Int),
            Cell::Bool(r.stale),
            Cell::Empty,
            Cell::Bool(r.tied_out()),
        ]);
        let m = Sum::to_decimal;
        t.notes.push(format!(
            "tie-out {} {c}: opening {} + sent {} - allocated {} = held {} = assets:union {}: {}",
            r.fund,
            m(r.opening),
            m(r.sent),
            m(r.allocated),
            m(r.held),
            m(r.union_balance),
            ok(r.tied_out())
        ));
        if r.stale {
            t.notes.push(format!(
                "STALE: the union has held {} money of fund `{}` since {} ({} days, more than {})",
                c,
                r.fund,
                r.oldest_unallocated_date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                r.days_held.unwrap_or(0),
                report.stale_days
            ));
        }
    }
    t
}

fn received_cells(r: &Received) -> [Cell; 6] {
    [
        sum(r.direct),
        sum(r.via_union),
        sum(r.total),
        sum(r.confirmed),
        sum(r.unconfirmed),
        date(r.last_date),
    ]
}

pub fn communes_report_table(report: &CommunesReport) -> Tabular {
    let mut t = Tabular::new(vec![
        machine_col("row"),
        col("commune", "Commune"),
        optional_col("state", "State"),
        col("fund", "Fund"),
        col("currency", "Cur"),
        col("direct", "Direct"),
        col("via_union", "Via union"),
        optional_col("total", "Total"),
        col("confirmed", "Confirmed"),
        optional_col("unconfirmed", "Unconfirmed"),
        optional_col("last_date", "Last grant"),
        machine_col("tied_out"),
    ]);
    for r in &report.rows {
        let (kind, fund) = match &r.fund {
            None => ("commune", Cell::from("(all)")),
            Some(f) => ("fund", Cell::from(f.as_str())),
        };
        let mut row = vec![
            kind.into(),
            r.commune.as_str().into(),
            r.state.as_str().into(),
            fund,
            r.currency.code().into(),
        ];
        row.extend(received_cells(&r.received));
        row.push(Cell::Empty);
        t.rows.push(row);
    }
    for (c, r, accounts) in &report.totals {
        let mut row = vec![
            "total".into(),
            "total".into(),
            Cell::Empty,
            Cell::Empty,
            c.code().into(),
        ];
        row.extend(received_cells(r));
        row.push(Cell::Bool(r.total == *accounts));
        t.rows.push(row);
        t.notes.push(format!(
            "tie-out {c}: received by communes {} = communes' grants accounts {}: {}",
            r.total.to_decimal(),
            accounts.to_decimal(),
            ok(r.total == *accounts)
        ));
    }
    t
}

pub fn commune_statement_table(rows: &[StatementRow]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("txn", "Txn"),
        col("date", "Date"),
        col("description", "Description"),
        col("fund", "Fund"),
        optional_col("via", "Via"),
        col("amount", "Amount"),
        col("currency", "Cur"),
        optional_col("running_total", "Running"),
        col("confirmed", "Confirmed"),
        optional_col("receipt", "Receipt"),
    ]);
    for r in rows {
        let l = &r.line;
        let c = l.amount.currency();
        t.rows.push(vec![
            Cell::Int(l.txn),
            l.date.to_string().into(),
            l.description.as_str().into(),
            l.fund.as_str().into(),
            if l.via_union { "union" } else { "direct" }.into(),
            sum(l.amount),
            c.code().into(),
            sum(r.running),
            l.confirmed.as_ref().map(|(d, _)| d.clone()).into(),
            l.confirmed.as_ref().and_then(|(_, r)| r.clone()).into(),
        ]);
    }
    t
}

/// A text progress bar: `[######--------------]`.
pub fn progress_bar(percent: rust_decimal::Decimal) -> String {
    const WIDTH: i64 = 20;
    let filled = (percent * rust_decimal::Decimal::from(WIDTH) / rust_decimal::Decimal::ONE_HUNDRED)
        .floor()
        .try_into()
        .unwrap_or(0_i64)
        .clamp(0, WIDTH);
    format!(
        "[{}{}]",
        "#".repeat(filled as usize),
        "-".repeat((WIDTH - filled) as usize)
    )
}

pub fn campaign_table(rows: &[CampaignRow]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("fund", "Fund"),
        col("name", "Name"),
        col("currency", "Cur"),
        col("raised", "Raised"),
        col("granted", "Granted"),
        optional_col("target", "Target"),
        col("percent", "%"),
        optional_col("progress", "Progress"),
        machine_col("tied_out"),
    ]);
    for r in rows {
        let c = r.target.currency();
        t.rows.push(vec![
            r.fund.as_str().into(),
            r.name.as_str().into(),
            c.code().into(),
            sum(r.raised),
            sum(r.granted),
            sum(r.target),
            Cell::Money(format!("{:.1}", r.percent)),
            progress_bar(r.percent).into(),
            Cell::Bool(r.tied_out),
        ]);
    }
    let tied = rows.iter().all(|r| r.tied_out);
    t.notes.push(format!(
        "tie-out: every fund's flows (see `fondo report funds`): {}",
        ok(tied)
    ));
    t
}

pub fn donors_table(report: &DonorsReport) -> Tabular {
    let mut t = Tabular::new(vec![
        machine_col("row"),
        col("donor", "Donor"),
        col("currency", "Cur"),
        col("count", "Gifts"),
        col("total", "Total"),
        col("first_date", "First"),
        col("last_date", "Last"),
        machine_col("tied_out"),
    ]);
    for r in &report.rows {
        t.rows.push(vec![
            "donor".into(),
            r.donor.as_str().into(),
            r.total.currency().code().into(),
            Cell::Int(r.count),
            sum(r.total),
            date(r.first_date),
            date(r.last_date),
            Cell::Empty,
        ]);
    }
    for d in &report.totals {
        let c = d.currency;
        t.rows.push(vec![
            "total".into(),
            "total".into(),
            c.code().into(),
            Cell::Empty,
            sum(d.rows_total),
            Cell::Empty,
            Cell::Empty,
            Cell::Bool(d.tied_out()),
        ]);
        let m = Sum::to_decimal;
        t.notes.push(format!(
            "tie-out {c}: donors {} + gifts without a donor {} + voided gifts {} = income:donations {}: {}",
            m(d.from_donors),
            m(d.without_donor),
            m(d.voided),
            m(d.income_donations),
            ok(d.tied_out())
        ));
    }
    t
}

/// Grants not yet confirmed and money held by the union, by how long they have waited.
pub fn aging_table(report: &Aging) -> Tabular {
    let mut t = Tabular::new(vec![
        machine_col("row"),
        col("commune", "Commune"),
        col("fund", "Fund"),
        col("currency", "Cur"),
        col("days_0_30", "0–30 days"),
        col("days_31_60", "31–60"),
        col("days_61_90", "61–90"),
        col("days_over_90", "> 90"),
        // Grants not yet confirmed, or money the union has not yet allocated.
        col("total", "Waiting"),
        // Grants, or sends to the union.
        optional_col("grants", "Count"),
        optional_col("oldest", "Oldest"),
        machine_col("tied_out"),
    ]);
    let cells = |kind: &str, r: &AgingRow, c: Currency, tied: Option<bool>| {
        let mut row = vec![
            Cell::Text(kind.into()),
            r.commune.as_str().into(),
            r.fund.as_str().into(),
            c.code().into(),
        ];
        row.extend(r.bands.iter().map(|m| sum(*m)));
        row.extend([
            sum(r.total),
            Cell::Int(r.grants),
            date(r.oldest),
            tied.map_or(Cell::Empty, Cell::Bool),
        ]);
        row
    };
    // Each total row, beside the report it ties out to: (kind, what it sums, that report's).
    let push_totals = |t: &mut Tabular, totals: &[(Currency, AgingRow, Sum)], names: [&str; 3]| {
        for (c, total, reported) in totals {
            let tied = total.total == *reported;
            t.rows.push(cells(names[0], total, *c, Some(tied)));
            t.notes.push(format!(
                "tie-out {c}: {} {} = {} {}: {}",
                names[1],
                total.total.to_decimal(),
                names[2],
                reported.to_decimal(),
                ok(tied)
            ));
        }
    };
    for r in &report.rows {
        t.rows.push(cells("commune", r, r.currency, None));
    }
    push_totals(
        &mut t,
        &report.totals,
        ["total", "waiting", "unconfirmed in the communes report"],
    );
    for r in &report.union_rows {
        t.rows.push(cells("union", r, r.currency, None));
    }
    push_totals(
        &mut t,
        &report.union_totals,
        [
            "union_total",
            "held by the union",
            "still held in the union report",
        ],
    );
    t.notes.push(match report.oldest() {
        Some((d, days)) => format!(
            "as of {}; the oldest unconfirmed grant is of {d}, {days} days ago",
            report.as_of
        ),
        None => format!("as of {}; every grant is confirmed", report.as_of),
    });
    if let Some((d, days)) = report.oldest_held() {
        t.notes.push(format!(
            "the union has held money sent on {d} for {days} days without allocating it"
        ));
    }
    t
}

/// The statement of financial position, section by section, per currency.
pub fn position_table(report: &PositionReport) -> Tabular {
    let mut t = Tabular::new(vec![
        col("section", "Section"),
        col("item", "Item"),
        col("currency", "Cur"),
        col("amount", "Amount"),
        machine_col("tied_out"),
    ]);
    for (c, p) in &report.currencies {
        let c = *c;
        let section = |name: &str, lines: &[PositionLine], total: Sum, t: &mut Tabular| {
            for l in lines {
                t.rows.push(vec![
                    name.into(),
                    l.name.as_str().into(),
                    c.code().into(),
                    sum(l.balance),
                    Cell::Empty,
                ]);
            }
            t.rows.push(vec![
                name.into(),
                "total".into(),
                c.code().into(),
                sum(total),
                Cell::Empty,
            ]);
        };
        section("Assets", &p.assets, p.assets_total, &mut t);
        section("Liabilities", &p.liabilities, p.liabilities_total, &mut t);
        section(
            "Net assets without donor restrictions",
            &p.unrestricted,
            p.unrestricted_total,
            &mut t,
        );
        section(
            "Net assets with donor restrictions",
            &p.restricted,
            p.restricted_total,
            &mut t,
        );
        let net = p.net_assets_total;
        t.rows.push(vec![
            "Net assets".into(),
            "total".into(),
            c.code().into(),
            sum(net),
            Cell::Bool(p.tied_out()),
        ]);
        t.notes.push(format!(
            "tie-out {c}: assets {} = liabilities {} + net assets {}; assets = the funds report's closing {}: {}",
            p.assets_total.to_decimal(),
            p.liabilities_total.to_decimal(),
            net.to_decimal(),
            p.funds_closing.to_decimal(),
            ok(p.tied_out())
        ));
    }
    if let Some(at) = report.at {
        t.notes.push(format!("at the end of {at}"));
    }
    t
}

/// The statement of activities: each line without and with donor restrictions, per currency.
pub fn activities_table(report: &ActivitiesReport) -> Tabular {
    let mut t = Tabular::new(activities_columns(vec![col("line", "Line")]));
    push_statement(&mut t, report, &[]);
    t.notes
        .extend(tie_out_notes(report, "").into_iter().map(|(_, note)| note));
    t
}

/// `--monthly` / `--quarterly`: each period's statement in turn, a block of rows named by its
/// period, then the whole period's; the tie-out says whether the periods chain and add up.
pub fn activities_by_period_table(report: &ActivitiesByPeriod) -> Tabular {
    let mut t = Tabular::new(activities_columns(vec![
        col("line", "Line"),
        col("period", "Period"),
        machine_col("period_from"),
        machine_col("period_to"),
    ]));
    for p in &report.periods {
        let period = [
            Cell::from(p.label.as_str()),
            Cell::from(p.from.to_string()),
            Cell::from(p.to.to_string()),
        ];
        push_statement(&mut t, &p.report, &period);
        // A period that ties out says so only in its rows' `tied_out`, or the notes would
        // run to two lines a month.
        let failed = tie_out_notes(&p.report, &p.label)
            .into_iter()
            .filter(|(tied, _)| !tied);
        t.notes.extend(failed.map(|(_, note)| note));
    }
    let period = [
        Cell::from("whole"),
        date(report.whole.from),
        date(report.whole.to),
    ];
    push_statement(&mut t, &report.whole, &period);
    t.notes
        .extend(tie_out_notes(&report.whole, "").into_iter().map(|(_, note)| note));
    for (c, _) in &report.whole.currencies {
        t.notes.push(format!(
            "tie-out {c}: {} periods, each opening where the one before closed, add up to the whole period: {}",
            report.periods.len(),
            ok(report.adds_up(*c))
        ));
    }
    t
}

/// The columns after the ones naming a row.
fn activities_columns(mut naming: Vec<Column>) -> Vec<Column> {
    naming.extend([
        col("currency", "Cur"),
        col("without_restrictions", "Without donor restrictions"),
        col("with_restrictions", "With donor restrictions"),
        // The two columns' sum: the first to go when a period's name needs the room.
        optional_col("total", "Total"),
        machine_col("tied_out"),
    ]);
    naming
}

/// One statement's rows, each its line's name, the cells naming its period (if any), the amounts.
fn push_statement(t: &mut Tabular, report: &ActivitiesReport, period: &[Cell]) {
    for (c, a) in &report.currencies {
        for (i, ((name, [without, with]), total)) in a.lines.iter().zip(&a.line_totals).enumerate() {
            let last = i + 1 == a.lines.len();
            let mut row = vec![Cell::from(*name)];
            row.extend(period.iter().cloned());
            row.extend([
                c.code().into(),
                sum(*without),
                sum(*with),
                sum(*total),
                if last {
                    Cell::Bool(a.tied_out())
                } else {
                    Cell::Empty
                },
            ]);
            t.rows.push(row);
        }
    }
}

/// Per currency: whether the statement ties out to the funds report, and the note saying so;
/// `label` names a month or quarter.
fn tie_out_notes(report: &ActivitiesReport, label: &str) -> Vec<(bool, String)> {
    let label = if label.is_empty() {
        String::new()
    } else {
        format!(" {label}")
    };
    report
        .currencies
        .iter()
        .map(|(c, a)| {
            let [end_without, end_with] = a.closing();
            let note = format!(
                "tie-out{label} {c}: net assets at the end {} without and {} with donor restrictions = the funds report's closing {} and {}: {}",
                end_without.to_decimal(),
                end_with.to_decimal(),
                a.funds_closing[0].to_decimal(),
                a.funds_closing[1].to_decimal(),
                ok(a.tied_out())
            );
            (a.tied_out(), note)
        })
        .collect()
}
