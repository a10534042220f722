//! Bank reconciliation: matches a statement's lines to the account's postings that no saved
//! reconciliation covers yet — same amount, dates at most `days` apart, and the same
//! reference when both have one — and compares the statement's balance with the ledger's.
//!
//! Matching is deterministic: every acceptable pair is ranked (agreeing references first,
//! then the closest dates, then the earlier statement line, then the lowest transaction id)
//! and taken in that order, each line and each posting at most once, so two equal amounts
//! on the same day match one to one.

use chrono::NaiveDate;

use crate::domain::{Amount, Currency, Field, Sum};
use crate::error::{Error, Result};
use crate::io::statement::{Statement, StatementLine};
use crate::store::reconcile::{self, LedgerEntry, NewReconciliation};
use crate::store::Ledger;
use crate::store::WriteMode;

/// Statement and ledger dates may differ by this many days unless `--days` says otherwise.
pub const DAYS_DEFAULT: u32 = 3;

#[derive(Clone, Debug)]
pub struct ReconcileOptions<'a> {
    pub account: &'a str,
    pub days: u32,
    /// The statement's closing balance, when the file does not carry one.
    pub balance: Option<Amount>,
    /// Statement lines paired with transactions by hand: (line, transaction).
    pub matches: &'a [(u64, i64)],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciled {
    pub account: String,
    pub currency: Currency,
    /// The last date the statement covers.
    pub statement_date: Option<NaiveDate>,
    pub matched: Vec<(StatementLine, LedgerEntry)>,
    /// Transactions that net to zero in the account — a fund move, a payment and its void —
    /// cleared without a statement line.
    pub cleared: Vec<LedgerEntry>,
    pub only_in_statement: Vec<StatementLine>,
    /// Postings up to the statement date that it does not show.
    pub only_in_ledger: Vec<LedgerEntry>,
    pub statement_balance: Option<Sum>,
    /// The account's balance at the end of the statement date.
    pub ledger_balance: Sum,
    pub file_name: String,
    pub file_sha256: String,
    /// This very statement (by SHA-256) was saved before: the reconciliation, its statement
    /// date and the lines it matched.
    pub saved_before: Option<(i64, String, Vec<i64>)>,
    /// Pairs of the same amount left unmatched only because their dates are too far apart.
    pub hints: Vec<String>,
}

impl Reconciled {
    /// Statement balance − ledger balance, when the statement's balance is known.
    pub fn difference(&self) -> Option<Sum> {
        self.statement_balance
            .and_then(|s| s.minus(self.ledger_balance).ok())
    }

    /// Everything matched and the balances agree (when the statement gives one).
    pub fn tied_out(&self) -> bool {
        self.only_in_statement.is_empty()
            && self.only_in_ledger.is_empty()
            && self.difference().is_none_or(Sum::is_zero)
    }

    /// The record `--mark` saves: each posting and the statement line it matched (0 for
    /// a posting cleared without one).
    pub fn record(&self) -> Option<(NaiveDate, Vec<(i64, u64)>)> {
        let statement_date = self.statement_date?;
        let matched = self
            .matched
            .iter()
            .map(|(s, l)| (l, s.line))
            .chain(self.cleared.iter().map(|e| (e, 0)))
            .flat_map(|(l, line)| l.posting_ids.iter().map(move |id| (*id, line)))
            .collect();
        Some((statement_date, matched))
    }
}

/// Matches a statement, read by [`crate::io::statement::read`], against the ledger; writes
/// nothing.
pub fn reconcile(
    ledger: &Ledger,
    statement: &Statement,
    options: &ReconcileOptions<'_>,
) -> Result<Reconciled> {
    let conn = ledger.conn();
    let (lines, currency) = (&statement.lines, statement.currency);
    if let Some(balance) = options.balance.filter(|b| b.currency() != currency) {
        return Err(Error::invalid(
            Field::BALANCE,
            balance.to_string(),
            format!("the statement is in {currency}"),
        ));
    }
    let statement_date = lines.iter().map(|l| l.date).max();
    let (mut cleared, entries) = clear_net_zero(reconcile::unreconciled(conn, options.account, currency)?);
    cleared.retain(|e| statement_date.is_some_and(|d| e.date <= d));
    let fixed = manual_pairs(lines, &entries, options)?;
    let pairs = match_lines(lines, &entries, i64::from(options.days), &fixed);
    let mut used = vec![false; entries.len()];
    let mut matched = Vec::new();
    let mut only_in_statement = Vec::new();
    for (line, pair) in lines.iter().zip(&pairs) {
        match pair {
            Some(i) => {
                used[*i] = true;
                matched.push((line.clone(), entries[*i].clone()));
            }
            None => only_in_statement.push(line.clone()),
        }
    }
    let only_in_ledger: Vec<LedgerEntry> = entries
        .into_iter()
        .zip(used)
        .filter(|(e, used)| !used && statement_date.is_some_and(|d| e.date <= d))
        .map(|(e, _)| e)
        .collect();
    let hints = far_apart(&only_in_statement, &only_in_ledger, options.days);
    let statement_balance = match options.balance {
        Some(b) => Some(Sum::from(b)),
        None => closing_balance(lines)?.map(Sum::from),
    };
    let ledger_balance = match statement_date {
        Some(d) => Sum::from_minor(
            reconcile::balance_on(conn, options.account, currency, d)?,
            currency,
        ),
        None => Sum::zero(currency),
    };
    Ok(Reconciled {
        account: options.account.to_string(),
        currency,
        statement_date,
        matched,
        cleared,
        only_in_statement,
        only_in_ledger,
        statement_balance,
        ledger_balance,
        file_name: statement.file_name.clone(),
        saved_before: reconcile::saved_from(conn, options.account, &statement.file_sha256)?,
        file_sha256: statement.file_sha256.clone(),
        hints,
    })
}

/// The balance after the statement's last movement: the last line's when the file runs
/// oldest first, the first line's when it runs newest first (as many banks export). A file
/// in neither order has no last line to trust, so `--balance` must say it.
fn closing_balance(lines: &[StatementLine]) -> Result<Option<Amount>> {
    let with_balance: Vec<&StatementLine> = lines.iter().filter(|l| l.balance.is_some()).collect();
    let oldest_first = with_balance.windows(2).all(|w| w[0].date <= w[1].date);
    let newest_first = with_balance.windows(2).all(|w| w[0].date >= w[1].date);
    let closing = match (oldest_first, newest_first) {
        (true, _) => with_balance.last(),
        (false, true) => with_balance.first(),
        (false, false) => {
            return Err(Error::Refused(
                "the statement's lines are in neither date order, so which balance is the closing one cannot be told; give it with --balance".into(),
            ))
        }
    };
    Ok(closing.and_then(|l| l.balance))
}

/// Hints for a statement line and a transaction of the same amount, both unmatched, whose
/// dates are further apart than `days`: the `--days` that would match them.
fn far_apart(lines: &[StatementLine], entries: &[LedgerEntry], days: u32) -> Vec<String> {
    let mut hints = Vec::new();
    for line in lines {
        if let Some(e) = entries.iter().find(|e| e.amount == line.amount) {
            let apart = (line.date - e.date).num_days().abs();
            hints.push(format!(
                "line {} ({}, {}) and #{} ({}) have the same amount {apart} days apart (more than --days {days}); --days {apart} would match them",
                line.line, line.date, line.amount, e.txn, e.date
            ));
        }
    }
    hints
}

/// Saves a reconciliation so its postings are never offered again; returns its id. One that
/// does not tie out is saved only when `force` says so, which the record keeps; a statement
/// saved before is not saved again.
pub fn mark(ledger: &mut Ledger, reconciled: &Reconciled, force: bool) -> Result<i64> {
    let (statement_date, matched) = reconciled
        .record()
        .ok_or_else(|| Error::Refused("the statement has no lines, so there is nothing to save".into()))?;
    if let Some((id, date, _)) = &reconciled.saved_before {
        return Err(Error::Refused(format!(
            "{} was saved before, as reconciliation {id} (statement of {date}); it is not saved twice",
            reconciled.file_name
        )));
    }
    if !reconciled.tied_out() && !force {
        return Err(Error::Refused(format!(
            "{} does not tie out with {}: {} only in the statement, {} only in the ledger, difference {}; --mark saves it only with --force (which the record keeps)",
            reconciled.account,
            reconciled.file_name,
            reconciled.only_in_statement.len(),
            reconciled.only_in_ledger.len(),
            reconciled
                .difference()
                .map_or_else(|| "unknown".to_string(), |d| d.to_string())
        )));
    }
    ledger.write(WriteMode::Commit, |w| {
        w.save_reconciliation(&NewReconciliation {
            account: &reconciled.account,
            currency: reconciled.currency,
            statement_date,
            statement_balance_minor: reconciled.statement_balance.map(Sum::minor),
            ledger_balance_minor: reconciled.ledger_balance.minor(),
            file_name: &reconciled.file_name,
            file_sha256: &reconciled.file_sha256,
            matched: &matched,
            forced: !reconciled.tied_out(),
        })
    })
}

/// Splits off what clears without a statement line: transactions that net to zero in the
/// account, and a transaction with its void when both are still open (they cancel out).
fn clear_net_zero(entries: Vec<LedgerEntry>) -> (Vec<LedgerEntry>, Vec<LedgerEntry>) {
    let open: std::collections::HashMap<i64, i64> =
        entries.iter().map(|e| (e.txn, e.amount.minor())).collect();
    let voided: std::collections::HashSet<i64> = entries
        .iter()
        .filter_map(|e| e.voids.filter(|v| open.get(v) == Some(&-e.amount.minor())))
        .collect();
    entries.into_iter().partition(|e| {
        e.amount.minor() == 0
            || voided.contains(&e.txn)
            || e.voids
                .is_some_and(|v| voided.contains(&v) && open.get(&v) == Some(&-e.amount.minor()))
    })
}

/// The (line, entry) indices of the pairs given by hand, each of equal amounts.
fn manual_pairs(
    lines: &[StatementLine],
    entries: &[LedgerEntry],
    options: &ReconcileOptions<'_>,
) -> Result<Vec<(usize, usize)>> {
    let mut fixed = Vec::new();
    for (line_no, txn) in options.matches {
        let given = format!("{line_no}=#{txn}");
        let s = lines.iter().position(|l| l.line == *line_no).ok_or_else(|| {
            Error::invalid(
                Field::MATCH,
                &given,
                format!("the statement has no line {line_no}"),
            )
        })?;
        let l = entries.iter().position(|e| e.txn == *txn).ok_or_else(|| {
            Error::invalid(
                Field::MATCH,
                &given,
                format!(
                    "#{txn} has nothing open in {} (not in it, or already reconciled)",
                    options.account
                ),
            )
        })?;
        if lines[s].amount != entries[l].amount {
            return Err(Error::invalid(
                Field::MATCH,
                &given,
                format!(
                    "line {line_no} is {} but #{txn} is {} in {}; only equal amounts match",
                    lines[s].amount, entries[l].amount, options.account
                ),
            ));
        }
        if fixed.iter().any(|(fs, fl)| *fs == s || *fl == l) {
            return Err(Error::invalid(
                Field::MATCH,
                &given,
                "pairs a line or a transaction twice",
            ));
        }
        fixed.push((s, l));
    }
    Ok(fixed)
}

/// For each statement line, the index of the ledger entry it matches: the `fixed` pairs
/// first, then the rest by the rules above.
pub fn match_lines(
    lines: &[StatementLine],
    entries: &[LedgerEntry],
    days: i64,
    fixed: &[(usize, usize)],
) -> Vec<Option<usize>> {
    let mut pairs = Vec::new();
    for (s, line) in lines.iter().enumerate() {
        for (l, entry) in entries.iter().enumerate() {
            let distance = (line.date - entry.date).num_days().abs();
            let references = match (&line.reference, &entry.reference) {
                (Some(a), Some(b)) if a != b => continue,
                (Some(_), Some(_)) => 0,
                _ => 1,
            };
            if entry.amount == line.amount && distance <= days {
                pairs.push((references, distance, s, entry.txn, l));
            }
        }
    }
    pairs.sort_unstable();
    let mut result = vec![None; lines.len()];
    let mut taken = vec![false; entries.len()];
    for (s, l) in fixed {
        result[*s] = Some(*l);
        taken[*l] = true;
    }
    for (_, _, s, _, l) in pairs {
        if result[s].is_none() && !taken[l] {
            result[s] = Some(l);
            taken[l] = true;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(minor: i64) -> Amount {
        Amount::from_minor(minor, Currency::parse("USD").unwrap()).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn line(n: u64, d: u32, minor: i64, reference: Option<&str>) -> StatementLine {
        StatementLine {
            line: n,
            date: day(d),
            description: format!("line {n}"),
            amount: usd(minor),
            fee: None,
            reference: reference.map(str::to_string),
            counterparty: None,
            balance: None,
            cells: Vec::new(),
        }
    }

    fn entry(txn: i64, d: u32, minor: i64, reference: Option<&str>) -> LedgerEntry {
        LedgerEntry {
            posting_ids: vec![txn * 10],
            txn,
            voids: None,
            date: day(d),
            description: format!("txn {txn}"),
            reference: reference.map(str::to_string),
            amount: usd(minor),
        }
    }

    #[test]
    fn exact_and_tolerant_matches() {
        let lines = [
            line(2, 5, 1_000, None),
            line(3, 9, -500, None),
            line(4, 20, 700, None),
        ];
        let entries = [
            entry(1, 5, 1_000, None),
            entry(2, 6, -500, None),
            entry(3, 10, 700, None),
        ];
        // The third is ten days off: too far for the default of three.
        assert_eq!(match_lines(&lines, &entries, 3, &[]), [Some(0), Some(1), None]);
        assert_eq!(
            match_lines(&lines, &entries, 10, &[]),
            [Some(0), Some(1), Some(2)]
        );
    }

    #[test]
    fn equal_amounts_on_one_day_match_one_to_one_by_lowest_id() {
        let lines = [line(2, 5, 1_000, None), line(3, 5, 1_000, None)];
        let entries = [
            entry(7, 5, 1_000, None),
            entry(4, 5, 1_000, None),
            entry(9, 5, 1_000, None),
        ];
        assert_eq!(match_lines(&lines, &entries, 3, &[]), [Some(1), Some(0)]);
    }

    #[test]
    fn closest_date_wins_then_references_decide() {
        let lines = [line(2, 10, 1_000, None)];
        let entries = [entry(1, 8, 1_000, None), entry(2, 11, 1_000, None)];
        assert_eq!(match_lines(&lines, &entries, 3, &[]), [Some(1)]);
        // Agreeing references beat a closer date; disagreeing ones never match.
        let lines = [line(2, 10, 1_000, Some("R-1")), line(3, 10, 1_000, Some("R-3"))];
        let entries = [
            entry(1, 10, 1_000, Some("R-2")),
            entry(2, 12, 1_000, Some("R-1")),
            entry(3, 10, 1_000, None),
        ];
        assert_eq!(match_lines(&lines, &entries, 3, &[]), [Some(1), Some(2)]);
    }
}
