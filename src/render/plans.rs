//! Budgets and pledges (issue 16, items 6 and 7) as tables: the lists, and the budget and
//! pledges reports with their tie-out notes.

use rust_decimal::Decimal;

use super::accountability::ok;
use super::reports::sum;
use super::{col, machine_col, optional_col, Cell, Tabular};
use crate::domain::Sum;
use crate::report::budget::BudgetReport;
use crate::report::pledges::PledgesReport;
use crate::store::read::{BudgetInfo, PledgeInfo};

fn percent(p: Decimal) -> Cell {
    Cell::Money(format!("{p:.1}"))
}

pub fn budget_list_table(budgets: &[BudgetInfo]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("fund", "Fund"),
        col("period", "Period"),
        col("currency", "Cur"),
        col("budget", "Budget"),
    ]);
    for b in budgets {
        t.rows.push(vec![
            b.fund.as_str().into(),
            b.period.to_string().into(),
            b.amount.currency().code().into(),
            sum(b.amount),
        ]);
    }
    t
}

pub fn pledge_list_table(pledges: &[PledgeInfo]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("id", "ID"),
        col("donor", "Donor"),
        col("currency", "Cur"),
        col("monthly", "Monthly"),
        col("fund", "Fund"),
        col("from", "From"),
        col("to", "To"),
    ]);
    for p in pledges {
        t.rows.push(vec![
            Cell::Int(p.id),
            p.donor.as_str().into(),
            p.amount.currency().code().into(),
            sum(p.amount),
            p.fund.clone().into(),
            p.from.to_string().into(),
            p.to.map(|m| m.to_string()).into(),
        ]);
    }
    t
}

/// Per fund and period: budget, raised, granted, variance and percentages; then per
/// currency what the budgeted funds raised and granted over the report's dates.
pub fn budget_table(report: &BudgetReport) -> Tabular {
    let mut t = Tabular::new(vec![
        machine_col("row"),
        col("fund", "Fund"),
        col("period", "Period"),
        col("currency", "Cur"),
        col("budget", "Budget"),
        col("raised", "Raised"),
        optional_col("raised_percent", "Raised %"),
        col("granted", "Granted"),
        optional_col("granted_percent", "Granted %"),
        col("variance", "Variance"),
        machine_col("tied_out"),
    ]);
    for r in &report.rows {
        t.rows.push(vec![
            "budget".into(),
            r.fund.as_str().into(),
            r.period.to_string().into(),
            r.budget.currency().code().into(),
            sum(r.budget),
            sum(r.raised),
            percent(r.raised_percent),
            sum(r.granted),
            percent(r.granted_percent),
            sum(r.variance),
            Cell::Empty,
        ]);
    }
    let dates = report
        .dates
        .map(|(from, to)| format!("{from} to {to}"))
        .unwrap_or_default();
    // The dates are the note's: in the table they would widen the period column.
    for total in &report.totals {
        let c = total.currency;
        t.rows.push(vec![
            "total".into(),
            "total".into(),
            Cell::Empty,
            c.code().into(),
            Cell::Empty,
            sum(total.raised),
            Cell::Empty,
            sum(total.granted),
            Cell::Empty,
            Cell::Empty,
            Cell::Bool(total.tied_out()),
        ]);
        t.notes.push(format!(
            "tie-out {c}: budgeted funds raised {} and granted {} from {dates} = the funds report's {} and {}: {}",
            total.raised.to_decimal(),
            total.granted.to_decimal(),
            total.funds_raised.to_decimal(),
            total.funds_granted.to_decimal(),
            ok(total.tied_out())
        ));
    }
    if report.rows.is_empty() {
        t.notes.push(
            "no budget in these dates; set one with `fondo budget set FUND AMOUNT --period 2026`".into(),
        );
    }
    t
}

/// Per pledge and month: expected, received, missed; a total row per pledge, and a note
/// listing each pledge's missed months.
pub fn pledges_table(report: &PledgesReport) -> Tabular {
    let mut t = Tabular::new(vec![
        machine_col("row"),
        col("pledge", "ID"),
        col("donor", "Donor"),
        col("month", "Month"),
        col("currency", "Cur"),
        col("expected", "Expected"),
        col("received", "Received"),
        col("missed", "Missed"),
    ]);
    for r in &report.rows {
        let p = &r.pledge;
        let line = |kind: &str, month: String, expected: Sum, received: Sum, missed: Cell| {
            vec![
                kind.into(),
                Cell::Int(p.id),
                p.donor.as_str().into(),
                month.into(),
                p.amount.currency().code().into(),
                sum(expected),
                sum(received),
                missed,
            ]
        };
        for m in &r.months {
            let missed = if m.missed() { "missed".into() } else { Cell::Empty };
            t.rows
                .push(line("month", m.month.to_string(), m.expected, m.received, missed));
        }
        let missed = r.missed();
        t.rows.push(line(
            "pledge",
            "total".into(),
            r.expected,
            r.received,
            Cell::Int(missed.len() as i64),
        ));
        if !missed.is_empty() {
            let listed: Vec<String> = missed.iter().map(ToString::to_string).collect();
            t.notes.push(format!(
                "pledge {} ({}) missed {}",
                p.id,
                p.donor,
                listed.join(", ")
            ));
        }
    }
    for d in report.tie_outs.iter().filter(|d| !d.tied_out()) {
        t.notes.push(format!(
            "tie-out: {}'s gifts add up to {} month by month, but to {} in the donors report: {}",
            d.donor,
            d.by_month.to_decimal(),
            d.donors_report.to_decimal(),
            ok(false)
        ));
    }
    if !report.rows.is_empty() && report.tied_out() {
        t.notes.push(format!(
            "tie-out: the pledging donors' gifts month by month = the donors report's totals: {}",
            ok(true)
        ));
    }
    if report.rows.is_empty() {
        t.notes
            .push("no pledge in these months; record one with `fondo pledge add --donor NAME AMOUNT --monthly --from YYYY-MM`".into());
    }
    t
}
