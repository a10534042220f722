//! Each list and report as a [`Tabular`], and the views of one transaction.

use std::collections::BTreeSet;
use std::io::Write;

use serde::Serialize;

use super::{col, machine_col, optional_col, write_json_value, Cell, Format, Tabular};
use crate::domain::money::format_minor;
use crate::domain::{Currency, Sum};
use crate::report::balance::BalanceReport;
use crate::report::donor_list::DonorListRow;
use crate::report::register::RegisterRow;
use crate::store::read::{
    AccountInfo, CommuneInfo, FundInfo, ImportBatchInfo, StoredPosting, StoredTransaction,
};
use crate::store::verify::VerifyOutcome;

pub(super) fn money(minor: i64, currency: Currency) -> Cell {
    Cell::Money(format_minor(minor, currency))
}

/// A sum or an amount as a cell, with its currency's decimals.
pub(super) fn sum(part: impl Into<Sum>) -> Cell {
    let part = part.into();
    money(part.minor(), part.currency())
}

pub fn balance_table(report: &BalanceReport, by_fund: bool) -> Tabular {
    let mut columns = vec![machine_col("row"), col("account", "Account")];
    if by_fund {
        columns.push(col("fund", "Fund"));
    }
    columns.push(col("currency", "Cur"));
    if report.has_opening {
        columns.push(col("opening", "Opening"));
    }
    columns.extend([col("debit", "Debit"), col("credit", "Credit")]);
    if report.has_opening {
        // Over a period the balance is the closing one; `balance` stays for scripts.
        columns.extend([col("closing", "Closing"), machine_col("balance")]);
    } else {
        columns.push(col("balance", "Balance"));
    }
    columns.push(machine_col("tied_out"));
    let mut t = Tabular::new(columns);
    let amounts = |opening: Option<Sum>, debit: Sum, credit: Sum, balance: Sum| {
        let mut cells = Vec::with_capacity(5);
        if report.has_opening {
            cells.push(sum(opening.unwrap_or(Sum::zero(balance.currency()))));
        }
        cells.extend([sum(debit), sum(credit), sum(balance)]);
        if report.has_opening {
            cells.push(sum(balance));
        }
        cells
    };
    for r in &report.rows {
        let mut row = vec![Cell::from("account"), Cell::from(r.account.as_str())];
        if by_fund {
            row.push(Cell::from(r.fund.clone()));
        }
        row.push(Cell::from(r.currency.code()));
        row.extend(amounts(r.opening, r.debit, r.credit, r.balance));
        row.push(Cell::Empty);
        t.rows.push(row);
    }
    for total in &report.totals {
        let mut row = vec![Cell::from("total"), Cell::from("total")];
        if by_fund {
            row.push(Cell::Empty);
        }
        row.push(Cell::from(total.currency.code()));
        row.extend(amounts(total.opening, total.debit, total.credit, total.balance));
        row.push(Cell::Bool(total.tied_out));
        t.rows.push(row);
        let (debits, credits) = (total.debit.to_decimal(), total.credit.to_decimal());
        t.notes.push(if total.tied_out {
            format!(
                "tie-out {}: debits {debits} = credits {credits}: ok",
                total.currency
            )
        } else {
            format!(
                "tie-out {}: debits {debits} ≠ credits {credits}: DOES NOT TIE OUT, run `fondo verify`",
                total.currency
            )
        });
    }
    t
}

pub fn register_table(rows: &[RegisterRow]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("txn", "Txn"),
        col("date", "Date"),
        col("description", "Description"),
        col("account", "Account"),
        optional_col("fund", "Fund"),
        col("amount", "Amount"),
        col("currency", "Cur"),
        col("running_balance", "Running"),
    ]);
    for RegisterRow { line, running } in rows {
        let currency = line.amount.currency();
        t.rows.push(vec![
            Cell::Int(line.txn),
            line.date.to_string().into(),
            line.description.as_str().into(),
            line.account.as_str().into(),
            line.fund.as_str().into(),
            sum(line.amount),
            currency.code().into(),
            sum(*running),
        ]);
    }
    t
}

pub fn account_list_table(accounts: &[AccountInfo]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("account", "Account"),
        col("type", "Type"),
        col("allow_negative", "May go below zero"),
        col("closed", "Closed"),
    ]);
    for a in accounts {
        t.rows.push(vec![
            a.name.as_str().into(),
            a.account_type.as_str().into(),
            Cell::Bool(a.allow_negative),
            Cell::Bool(a.closed),
        ]);
    }
    t
}

pub fn import_batch_table(batches: &[ImportBatchInfo]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("batch", "Batch"),
        col("file", "File"),
        col("file_sha256", "SHA-256"),
        col("format", "Format"),
        col("rows", "Rows"),
        col("added", "Added"),
        col("skipped", "Skipped"),
        col("entered_at", "Entered at"),
        col("entered_by", "By"),
    ]);
    for b in batches {
        t.rows.push(vec![
            Cell::Int(b.id),
            b.file_name.as_str().into(),
            b.file_sha256.as_str().into(),
            b.format.as_str().into(),
            Cell::Int(b.rows),
            Cell::Int(b.added),
            Cell::Int(b.skipped),
            b.entered_at.as_str().into(),
            b.entered_by.as_str().into(),
        ]);
    }
    t
}

pub fn fund_list_table(funds: &[FundInfo]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("fund", "Fund"),
        col("name", "Name"),
        col("restricted", "Restricted"),
        col("target", "Target"),
        col("target_currency", "Cur"),
        col("closed", "Closed"),
    ]);
    for f in funds {
        t.rows.push(vec![
            f.code.as_str().into(),
            f.name.as_str().into(),
            Cell::Bool(f.restricted),
            f.target.map_or(Cell::Empty, |a| money(a.minor(), a.currency())),
            f.target.map_or(Cell::Empty, |a| a.currency().code().into()),
            Cell::Bool(f.closed),
        ]);
    }
    t
}

pub fn commune_list_table(communes: &[CommuneInfo]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("commune", "Commune"),
        col("name", "Name"),
        col("state", "State"),
        col("account", "Account"),
    ]);
    for c in communes {
        t.rows.push(vec![
            c.slug.as_str().into(),
            c.name.as_str().into(),
            c.state.as_str().into(),
            c.account.as_str().into(),
        ]);
    }
    t
}

/// `donor list`: a row per donor's name and currency; `other_spellings` names the donors
/// whose names share its identity key (`;`-separated), blank for most.
pub fn donor_list_table(rows: &[DonorListRow]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("donor", "Donor"),
        col("currency", "Cur"),
        col("gifts", "Gifts"),
        col("total", "Total"),
        col("first_date", "First"),
        col("last_date", "Last"),
        col("other_spellings", "Same name as"),
    ]);
    for r in rows {
        let g = &r.gifts;
        t.rows.push(vec![
            g.donor.as_str().into(),
            g.total.currency().code().into(),
            Cell::Int(g.count),
            sum(g.total),
            g.first_date.map(|d| d.to_string()).into(),
            g.last_date.map(|d| d.to_string()).into(),
            match r.other_spellings.is_empty() {
                true => Cell::Empty,
                false => r.other_spellings.join("; ").into(),
            },
        ]);
    }
    let pledged_only: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.pledged_only)
        .map(|r| r.gifts.donor.as_str())
        .collect();
    if !pledged_only.is_empty() {
        t.notes.push(format!(
            "pledged but not given yet (no gift, no dates): {}",
            pledged_only.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let flagged = rows.iter().filter(|r| !r.other_spellings.is_empty()).count();
    if flagged > 0 {
        t.notes.push(
            "names in \"Same name as\" differ only in case, accents or spaces: probably one person written several ways"
                .to_string(),
        );
    }
    t
}

fn postings_table(txn: i64, postings: &[StoredPosting]) -> Tabular {
    let mut t = Tabular::new(vec![
        col("txn", "Txn"),
        col("line", "Line"),
        col("account", "Account"),
        col("fund", "Fund"),
        col("amount", "Amount"),
        col("currency", "Cur"),
    ]);
    for p in postings {
        t.rows.push(vec![
            Cell::Int(txn),
            Cell::Int(p.line),
            p.account.as_str().into(),
            p.fund.as_str().into(),
            money(p.amount.minor(), p.amount.currency()),
            p.amount.currency().code().into(),
        ]);
    }
    t
}

#[derive(Serialize)]
struct PostingJson<'a> {
    line: i64,
    account: &'a str,
    fund: &'a str,
    amount: String,
    currency: &'static str,
}

fn postings_json(postings: &[StoredPosting]) -> Vec<PostingJson<'_>> {
    postings
        .iter()
        .map(|p| PostingJson {
            line: p.line,
            account: &p.account,
            fund: &p.fund,
            amount: format_minor(p.amount.minor(), p.amount.currency()),
            currency: p.amount.currency().code(),
        })
        .collect()
}

/// Whether a transaction shown was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    Written,
    /// `--dry-run`: checked and rolled back.
    DryRun,
    /// Shown to the treasurer before they confirm it.
    Preview,
}

impl Recorded {
    pub fn from_dry_run(dry_run: bool) -> Recorded {
        if dry_run {
            Recorded::DryRun
        } else {
            Recorded::Written
        }
    }
}

/// What a recording command prints: the new id first, then the postings it recorded.
pub fn write_recorded(
    txn: &StoredTransaction,
    recorded: Recorded,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let dry_run = recorded != Recorded::Written;
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct RecordedJson<'a> {
                txn: i64,
                dry_run: bool,
                date: String,
                description: &'a str,
                postings: Vec<PostingJson<'a>>,
            }
            write_json_value(
                &RecordedJson {
                    txn: txn.id,
                    dry_run,
                    date: txn.date.to_string(),
                    description: &txn.description,
                    postings: postings_json(&txn.postings),
                },
                out,
            )
        }
        Format::Csv => postings_table(txn.id, &txn.postings).write(format, out),
        Format::Table => {
            let verb = match recorded {
                Recorded::Written => "recorded",
                Recorded::DryRun => "dry run, nothing written: would record",
                Recorded::Preview => "about to record",
            };
            writeln!(
                out,
                "{verb} #{} {} {}",
                txn.id,
                txn.date,
                super::escape_controls(&txn.description)
            )?;
            postings_table(txn.id, &txn.postings).write(format, out)
        }
    }
}

#[derive(Serialize)]
struct ConfirmationJson<'a> {
    id: i64,
    date: String,
    reference: Option<&'a str>,
    note: Option<&'a str>,
    entered_at: &'a str,
    entered_by: &'a str,
}

/// `fondo show ID` in JSON.
#[derive(Serialize)]
struct TransactionJson<'a> {
    txn: i64,
    date: String,
    description: &'a str,
    counterparty: Option<&'a str>,
    reference: Option<&'a str>,
    memo: Option<&'a str>,
    voids: Option<i64>,
    voided_by: Option<i64>,
    entered_at: &'a str,
    entered_by: &'a str,
    source: &'a str,
    prev_hash: &'a str,
    hash: &'a str,
    confirmation: Option<ConfirmationJson<'a>>,
    batch: Option<i64>,
    batch_file: Option<&'a str>,
    /// A gift's refunds; the gift a refund returns.
    refunded_by: &'a [i64],
    refund_of: Option<i64>,
    postings: Vec<PostingJson<'a>>,
}

fn transaction_json(txn: &StoredTransaction) -> TransactionJson<'_> {
    TransactionJson {
        txn: txn.id,
        date: txn.date.to_string(),
        description: &txn.description,
        counterparty: txn.counterparty.as_deref(),
        reference: txn.reference.as_deref(),
        memo: txn.memo.as_deref(),
        voids: txn.voids,
        voided_by: txn.voided_by,
        entered_at: &txn.entered_at,
        entered_by: &txn.entered_by,
        source: &txn.source,
        prev_hash: &txn.prev_hash,
        hash: &txn.hash,
        confirmation: txn.confirmation.as_ref().map(|c| ConfirmationJson {
            id: c.id,
            date: c.date.to_string(),
            reference: c.reference.as_deref(),
            note: c.note.as_deref(),
            entered_at: &c.entered_at,
            entered_by: &c.entered_by,
        }),
        batch: txn.batch.as_ref().map(|(id, _)| *id),
        batch_file: txn.batch.as_ref().map(|(_, file)| file.as_str()),
        refunded_by: &txn.refund_links.refunds,
        refund_of: txn.refund_links.refund_of,
        postings: postings_json(&txn.postings),
    }
}

/// `fondo show ID`: the transaction, its postings, and every audit field.
pub fn write_transaction(
    txn: &StoredTransaction,
    attachments: &[crate::store::evidence::AttachmentInfo],
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if format == Format::Json {
        let mut value = serde_json::to_value(transaction_json(txn))?;
        if let Some(fields) = value.as_object_mut() {
            fields.insert(
                "attachments".into(),
                serde_json::to_value(super::evidence::attachments_table(attachments).json_rows())?,
            );
        }
        return write_json_value(&value, out);
    }
    if format == Format::Csv {
        return postings_table(txn.id, &txn.postings).write(format, out);
    }
    let width = super::text_width();
    for (key, value) in transaction_fields(txn) {
        let value = super::escape_controls(&value);
        match width {
            Some(width) => write!(out, "{}", super::hanging(&format!("{key:>12}: "), &value, width))?,
            None => writeln!(out, "{key:>12}: {value}")?,
        }
    }
    postings_table(txn.id, &txn.postings).write(format, out)?;
    if format == Format::Table && !attachments.is_empty() {
        writeln!(out, "\nattachments:")?;
        super::evidence::attachments_table(attachments).write(format, out)?;
    }
    Ok(())
}

/// The fields `fondo show ID` prints above the postings, each with its label; a field the
/// transaction does not have is left out.
fn transaction_fields(txn: &StoredTransaction) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&str, String)> = vec![
        ("transaction", format!("#{}", txn.id)),
        ("date", txn.date.to_string()),
        ("description", txn.description.clone()),
    ];
    let optional = [
        ("counterparty", txn.counterparty.clone()),
        ("reference", txn.reference.clone()),
        ("memo", txn.memo.clone()),
        ("voids", txn.voids.map(|id| format!("#{id}"))),
        ("voided by", txn.voided_by.map(|id| format!("#{id}"))),
        (
            "confirmed",
            txn.confirmation.as_ref().map(|c| {
                let mut text = format!("{} (confirmation {}", c.date, c.id);
                if let Some(r) = &c.reference {
                    text.push_str(&format!(", receipt {r}"));
                }
                if let Some(n) = &c.note {
                    text.push_str(&format!(", {n}"));
                }
                text + ")"
            }),
        ),
        ("refund of", txn.refund_links.refund_of.map(|id| format!("#{id}"))),
        ("refunded by", refunded_by(&txn.refund_links.refunds)),
    ];
    fields.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    fields.extend([
        ("entered", format!("{} by {}", txn.entered_at, txn.entered_by)),
        ("source", txn.source.clone()),
    ]);
    if let Some((id, file)) = &txn.batch {
        fields.push(("batch", format!("{id} (import of {file})")));
    }
    fields.extend([("hash", txn.hash.clone())]);
    fields
}

/// A gift's refunds, `#9, #12`, if it has any.
fn refunded_by(refunds: &[i64]) -> Option<String> {
    let ids: Vec<_> = refunds.iter().map(|id| format!("#{id}")).collect();
    (!ids.is_empty()).then(|| ids.join(", "))
}

/// `fondo verify`: one object in JSON; in a table, `ok` or the problems, then the head.
pub fn write_verify(outcome: &VerifyOutcome, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Json => write_json_value(outcome, out),
        Format::Csv => {
            let mut t = Tabular::new(vec![
                col("ok", "ok"),
                col("transactions", "transactions"),
                col("head", "head"),
                col("problem", "problem"),
            ]);
            let base = [
                Cell::Bool(outcome.ok),
                Cell::Int(outcome.transactions),
                Cell::from(outcome.head.clone()),
            ];
            if outcome.problems.is_empty() {
                t.rows.push(base.iter().cloned().chain([Cell::Empty]).collect());
            }
            for p in &outcome.problems {
                t.rows
                    .push(base.iter().cloned().chain([Cell::from(p.as_str())]).collect());
            }
            t.write(format, out)
        }
        Format::Table => {
            let head = outcome.head.as_deref().unwrap_or("(empty ledger)");
            if outcome.ok {
                writeln!(out, "ok: {} transactions verified", outcome.transactions)?;
            } else {
                writeln!(
                    out,
                    "FAILED: {} problem(s) in {} transactions",
                    outcome.problems.len(),
                    outcome.transactions
                )?;
                for p in &outcome.problems {
                    // A problem may quote what a tampered file holds.
                    writeln!(out, "  - {}", super::escape_controls(p))?;
                }
            }
            for note in &outcome.notes {
                writeln!(out, "note: {}", super::escape_controls(note))?;
            }
            if let Some(since) = &outcome.since_head {
                let entries: i64 = since.entries.values().sum();
                let kinds: Vec<String> = since.entries.iter().map(|(k, n)| format!("{n} {k}")).collect();
                writeln!(
                    out,
                    "recorded after the head you gave: {} transaction(s), {entries} entr{}{}",
                    since.transactions,
                    if entries == 1 { "y" } else { "ies" },
                    if kinds.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", kinds.join(", "))
                    }
                )?;
            }
            writeln!(out, "head: {head}")
        }
    }
}
