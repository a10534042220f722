//! `verify`: re-checks everything the store maintains against what it was derived from —
//! SQLite's own integrity, foreign keys, the one hash chain of transactions and entries,
//! that every transaction balances, that the maintained totals equal totals recomputed from
//! the postings, that every table projected from the entries equals their replay, that
//! erased text is what erasures may leave, that import batches and keys are the ones
//! their entries recorded, and that refunds keep to the rules of `refund`.

mod imports;
mod postings;
mod refunds;
mod sealed;
mod sqlite;
mod totals;
mod transactions;
mod txn_row;
mod walk;

use std::collections::{BTreeMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use self::imports::{check_import_batches, key_digests};
use self::refunds::check_refunds;
use self::sqlite::{check_schema, check_sqlite, joined, kept_totals_problems, spawn_sqlite_checks, OneView};
use self::totals::{check_maintained_totals, Recomputed};
use self::transactions::check_transactions;
use self::walk::{batch_records, head_problem, Walk};
use super::chain::{self, StoredEntry};
// Named here for the checks in this module's files, which call `super::migrate`.
use super::migrate;
use super::read::Names;
use super::Ledger;
use crate::domain::Field;
use crate::error::{Error, Result};

/// What `verify` found. `ok` is true only when `problems` is empty.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct VerifyOutcome {
    pub ok: bool,
    pub transactions: i64,
    /// Entries of the chain: changes to settings, accounts, funds, communes, confirmations,
    /// reconciliations, import batches and erasures.
    pub entries: i64,
    /// The hash of the chain's last link: what an auditor writes down for `--head`.
    pub head: Option<String>,
    /// With `--head`: what was recorded after that head (appending is what fondo does, so
    /// it passes; this is the list to review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since_head: Option<SinceHead>,
    pub problems: Vec<String>,
    /// What it accepted that a reader should know of: attached files an erasure deleted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The links recorded after the head an auditor gave.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct SinceHead {
    pub transactions: i64,
    /// Entries by kind (`confirmed`, `fund_added`, …).
    pub entries: BTreeMap<&'static str, i64>,
}

/// Problems listed in full before the rest are only counted.
const PROBLEMS_LISTED: usize = 50;

#[derive(Default)]
struct Problems {
    listed: Vec<String>,
    more: usize,
}

impl Problems {
    /// Adds another set of problems after these.
    fn extend(&mut self, other: Problems) {
        for problem in other.listed {
            self.push(problem);
        }
        self.more += other.more;
    }

    fn push(&mut self, problem: String) {
        if self.listed.len() < PROBLEMS_LISTED {
            self.listed.push(problem);
        } else {
            self.more += 1;
        }
    }
}

/// Verifies the ledger; `expected_head` is a hash an auditor wrote down earlier, which must
/// still be in the chain with everything up to it intact.
pub fn verify(ledger: &Ledger, expected_head: Option<&str>) -> Result<VerifyOutcome> {
    let conn = ledger.conn();
    if let Some(head) = expected_head {
        check_head_form(head)?;
    }
    let mut problems = Problems::default();
    let mut view = OneView::begin(ledger)?;
    let entries = chain::entries(conn)?;
    let batches = batch_records(&entries);
    let sqlite_checks = spawn_sqlite_checks(&view);
    let keys_beside = {
        let batches = batches.clone();
        view.beside(move |own| key_digests(own, &batches))
    };
    let donors_beside = view.beside(kept_totals_problems);
    view.release();
    if sqlite_checks.is_none() {
        check_sqlite(conn, &mut problems)?;
    }
    let (chain, walked) = walk(conn, entries, expected_head)?;
    if let Some(handle) = sqlite_checks {
        problems.extend(joined(handle, "the integrity check")?);
    }
    problems.extend(walked);
    let donor_totals = match donors_beside {
        Some(handle) => joined(handle, "the kept totals' check")?,
        None => kept_totals_problems(conn)?,
    };
    for problem in donor_totals {
        problems.push(problem);
    }
    let Walk {
        replay,
        batch_runs,
        summary,
        adopted_through,
        shared_salts_through,
        ..
    } = chain;
    for problem in replay.differences(conn)? {
        problems.push(problem);
    }
    let keys = match keys_beside {
        Some(handle) => joined(handle, "the digest of import keys")?,
        None => key_digests(conn, &batches)?,
    };
    check_import_batches(conn, &batches, &batch_runs, keys, &mut problems)?;
    let mut notes = Vec::new();
    for problem in super::evidence::blob_problems(conn, &mut notes)? {
        problems.push(problem);
    }
    check_refunds(conn, &mut problems)?;
    for problem in super::erase::erasure_history_problems(conn, adopted_through, shared_salts_through)? {
        problems.push(problem);
    }
    // Last: with every trigger dropped they are many, and the problems above say more.
    check_schema(conn, &mut problems)?;
    if let Some(problem) = expected_head.and_then(|head| head_problem(head, &summary)) {
        problems.push(problem);
    }
    let chain = summary;
    if problems.more > 0 {
        problems
            .listed
            .push(format!("... and {} more problems", problems.more));
    }
    Ok(VerifyOutcome {
        ok: problems.listed.is_empty(),
        transactions: chain.transactions,
        entries: chain.entries,
        head: chain.head,
        since_head: chain.since_head,
        problems: problems.listed,
        notes,
    })
}

/// Refuses a head that is not the 64 lower-case hex digits `fondo verify` prints.
fn check_head_form(head: &str) -> Result<()> {
    if head.len() != 64
        || !head
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(Error::invalid(
            Field::HEAD,
            head,
            "a head is the 64 lower-case hex digits `fondo verify` prints",
        ));
    }
    Ok(())
}

/// Walks the chain of transactions and entries, and checks what the walk recomputes: the
/// maintained totals and the donors' names.
fn walk<'c>(
    conn: &'c Connection,
    entries: Vec<StoredEntry>,
    expected_head: Option<&'c str>,
) -> Result<(Walk<'c>, Problems)> {
    let names = Names::read(conn)?;
    let mut recomputed = Recomputed::default();
    let mut donors = HashSet::new();
    let mut walked = Problems::default();
    let mut chain = Walk::new(conn, entries, expected_head)?;
    check_transactions(
        conn,
        &names,
        &mut chain,
        &mut recomputed,
        &mut donors,
        &mut walked,
    )?;
    check_maintained_totals(conn, &names, recomputed, &mut walked)?;
    for problem in super::donors::problems(conn, donors)? {
        walked.push(problem);
    }
    Ok((chain, walked))
}
