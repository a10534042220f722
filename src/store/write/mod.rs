//! Everything that writes to the ledger, inside one open SQL transaction: the [`Writer`]
//! and its chain head here; recording a transaction, the chart, imports, voids, dates and the
//! totals each in a file of its own.

mod chart;
mod dates;
mod import;
mod names;
mod overdraft;
mod plans;
mod rates;
mod record;
mod refund;
mod totals;
mod void;

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};

use crate::domain::names::check_text;
use crate::domain::Field;
use crate::error::Result;
use crate::store::chain::{self, Entry, Head, Stamp};
use crate::store::locks::{DateRules, Locks};
use crate::store::{read, recheck};
use import::{ImportProgress, Signature};
use record::AccountRow;
use totals::PendingTotals;

pub use chart::{Restriction, UNKNOWN_STATE};
pub use import::{Batch, ImportIdentity};
pub(super) use names::check_no_twin;
pub use names::NameRules;
pub use overdraft::Overdraft;
pub use plans::NewPledge;
pub(super) use totals::TotalKey;
pub use void::{Confirmation, Confirmed};

/// A write in progress. Dropped without [`Writer::commit`], it leaves the ledger unchanged.
pub struct Writer<'l> {
    /// The inserts every recorded transaction runs, prepared once a write (before `tx`:
    /// fields drop in order, so they are finalized before the transaction rolls back).
    inserts: Inserts<'l>,
    tx: rusqlite::Transaction<'l>,
    actor: &'l str,
    entered_at: String,
    accounts: HashMap<String, AccountRow>,
    funds: HashMap<String, i64>,
    /// The import in progress, whose batch the transactions recorded now belong to.
    import: Option<ImportProgress>,
    /// The chain's head, once read: each transaction or entry extends the chain from it.
    head: Option<Head>,
    /// What this write adds to the maintained totals, written once at commit rather than
    /// per posting (half of an import's time went to per-posting upserts).
    totals: PendingTotals,
    /// What this write changes in the donors' totals, written at commit.
    donor_totals: crate::store::donor_totals::PendingDonorTotals,
    gift_months: crate::store::gift_months::PendingGiftMonths,
    /// Today (UTC), for the check on dates in the future.
    today: NaiveDate,
    /// What the treasurer allowed: future dates, a closed period with a reason.
    date_rules: DateRules,
    /// What the treasurer said of names that look like existing ones.
    name_rules: NameRules,
    /// The closed periods, once read.
    locks: Option<Locks>,
    /// A rebuild records text as an earlier ledger left it, erasures' placeholders included.
    placeholders_allowed: bool,
    /// The imported transactions an erasure changed, by what they moved, once read.
    forgotten: Option<HashMap<Signature, i64>>,
    /// The first transaction this write recorded: its postings and those after it are
    /// checked again, as stored, before the write commits.
    first_recorded: Option<i64>,
    /// Donors this write found in `donor_names` or put there: a gift from one of them needs
    /// neither the look-alike check nor a look-up (they were a third of an import's queries).
    known_donors: std::collections::HashSet<String>,
    /// The salts of the transactions and import keys this write records.
    salts: crate::store::hash::RandomPool,
}

/// The statements every recorded transaction runs, held for the whole write: rusqlite's
/// statement cache hashes a statement's text when it is taken and again when it is given
/// back, which was a fifteenth of an import's time.
pub(super) struct Inserts<'l> {
    conn: &'l rusqlite::Connection,
    transaction: Option<rusqlite::Statement<'l>>,
    posting: Option<rusqlite::Statement<'l>>,
    import_key: Option<rusqlite::Statement<'l>>,
}

/// Which of the held inserts.
#[derive(Clone, Copy)]
pub(super) enum Insert {
    Transaction,
    Posting,
    ImportKey,
}

impl<'l> Inserts<'l> {
    /// The statement, prepared the first time it is asked for.
    pub(super) fn get(&mut self, which: Insert) -> Result<&mut rusqlite::Statement<'l>> {
        let (slot, sql) = match which {
            Insert::Transaction => (&mut self.transaction, record::INSERT_TRANSACTION),
            Insert::Posting => (&mut self.posting, record::INSERT_POSTING),
            Insert::ImportKey => (&mut self.import_key, import::INSERT_IMPORT_KEY),
        };
        if slot.is_none() {
            *slot = Some(self.conn.prepare(sql)?);
        }
        slot.as_mut()
            .ok_or_else(|| crate::error::Error::Internal("a held statement was not prepared".into()))
    }
}

impl<'l> Writer<'l> {
    /// A write on `conn` inside `tx`, a transaction open on it.
    pub(super) fn new(
        conn: &'l rusqlite::Connection,
        tx: rusqlite::Transaction<'l>,
        actor: &'l str,
    ) -> Writer<'l> {
        let now = Utc::now();
        Writer {
            tx,
            inserts: Inserts {
                conn,
                transaction: None,
                posting: None,
                import_key: None,
            },
            actor,
            entered_at: now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            today: now.date_naive(),
            date_rules: DateRules::default(),
            name_rules: NameRules::default(),
            locks: None,
            placeholders_allowed: false,
            forgotten: None,
            accounts: HashMap::new(),
            funds: HashMap::new(),
            import: None,
            head: None,
            totals: PendingTotals::default(),
            donor_totals: Default::default(),
            gift_months: Default::default(),
            first_recorded: None,
            known_donors: std::collections::HashSet::new(),
            salts: crate::store::hash::RandomPool::default(),
        }
    }

    pub(super) fn commit(mut self) -> Result<()> {
        self.totals.flush(&self.tx)?;
        self.donor_totals.flush(&self.tx)?;
        self.gift_months.flush(&self.tx)?;
        if let Some(first) = self.first_recorded {
            recheck::check_written(&self.tx, first, &mut self.totals.before)?;
        }
        drop(self.inserts);
        self.tx.commit()?;
        Ok(())
    }

    fn head(&mut self) -> Result<Head> {
        match self.head.take() {
            Some(head) => Ok(head),
            None => chain::head(&self.tx),
        }
    }

    /// Records `entry` in the chain and writes the rows it implies: the only way the tables
    /// it projects to change.
    pub(super) fn append(&mut self, entry: &Entry) -> Result<()> {
        let actor = self.actor;
        self.append_by(entry, actor)
    }

    /// Records `entry` now, as entered by `entered_by`: an erasure whose own author is the
    /// donor it erases is recorded as entered by its placeholder.
    pub(super) fn append_by(&mut self, entry: &Entry, entered_by: &str) -> Result<()> {
        let entered_at = self.entered_at.clone();
        let stamp = Stamp {
            entered_at: &entered_at,
            entered_by,
        };
        self.append_as(entry, &stamp)
    }

    /// Who is recorded as entering what this write records.
    pub(super) fn actor(&self) -> &str {
        self.actor
    }

    /// What the treasurer allowed for the transactions this write records: dates in the
    /// future, or in a closed period with a reason (recorded as an entry for each).
    pub fn set_date_rules(&mut self, mut rules: DateRules) -> Result<()> {
        rules.force_reason = rules
            .force_reason
            .map(|reason| check_text(Field::REASON, &reason))
            .transpose()?;
        self.date_rules = rules;
        Ok(())
    }

    /// What the treasurer said of the new names this write records that look like names
    /// the ledger has (`--new-donor`, `--allow-confusable`).
    pub fn set_name_rules(&mut self, rules: NameRules) {
        self.name_rules = rules;
    }

    /// Records `entry` as someone else recorded it, when: a rebuild replaying a pack.
    pub(super) fn append_as(&mut self, entry: &Entry, stamp: &Stamp<'_>) -> Result<()> {
        if matches!(entry, Entry::PeriodClosed { .. } | Entry::Reconciled { .. }) {
            self.locks = None;
        }
        let head = self.head()?;
        self.head = Some(chain::append(&self.tx, &head, entry, stamp)?);
        if let Entry::Refunded { txn_id, .. } = entry {
            self.donor_totals.note_refund(&self.tx, *txn_id)?;
            self.gift_months.note_refund(&self.tx, *txn_id)?;
        }
        Ok(())
    }

    /// Lets the transactions recorded next carry an erasure's placeholder as their reference:
    /// a rebuild replaying a journal in which a donor was forgotten.
    pub(super) fn allow_placeholders(&mut self) {
        self.placeholders_allowed = true;
    }

    /// The id after the largest in `table`.
    fn next_id(&self, table: &str) -> Result<i64> {
        Ok(self.tx.query_row(
            &format!("SELECT coalesce(max(id), 0) + 1 FROM {table}"),
            [],
            |r| r.get(0),
        )?)
    }

    /// Read access to the ledger as this write sees it, for the store's own modules: the
    /// rest of fondo asks through the methods below, and never sees SQL.
    pub(super) fn conn(&self) -> &rusqlite::Connection {
        &self.tx
    }

    /// A transaction as this write sees it (one it recorded included).
    pub fn transaction(&self, id: i64) -> Result<read::StoredTransaction> {
        read::transaction(&self.tx, id)
    }

    /// The last transaction recorded, 0 in an empty ledger.
    pub fn last_transaction_id(&self) -> Result<i64> {
        read::last_transaction_id(&self.tx)
    }

    /// The transaction a reference names, if any.
    pub fn transaction_by_reference(&self, reference: &str) -> Result<Option<i64>> {
        read::transaction_by_reference(&self.tx, reference)
    }

    /// Every account's name, and every fund's code.
    pub fn account_names(&self) -> Result<Vec<String>> {
        read::account_names(&self.tx)
    }

    pub fn fund_codes(&self) -> Result<Vec<String>> {
        read::fund_codes(&self.tx)
    }

    /// Whether the ledger has this account (or fund); an unknown one is the error that names
    /// the nearest.
    pub fn check_account(&self, name: &str) -> Result<()> {
        read::account_id(&self.tx, name).map(drop)
    }

    pub fn check_fund(&self, code: &str) -> Result<()> {
        read::fund_id(&self.tx, code).map(drop)
    }

    pub(super) fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.append(&Entry::Setting {
            key: key.to_string(),
            value: value.to_string(),
        })
    }

    /// Records new disclosure rules (checked against their floor when they were made).
    pub fn set_disclosure(&mut self, rules: crate::domain::privacy::Disclosure) -> Result<()> {
        self.set_meta(read::MIN_DONORS_KEY, &rules.min_donors.to_string())?;
        self.set_meta(read::MAX_SHARE_KEY, &rules.max_share_percent.to_string())
    }

    /// Records one line of the organisation block donor statements print (empty: not set).
    pub fn set_organisation(&mut self, key: read::OrgKey, value: &str) -> Result<()> {
        self.set_meta(key.key(), value)
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::builders::{donation, Donation, Header};
    use crate::domain::{Amount, Currency, NewTransaction};
    use crate::error::Error;
    use crate::store::{Ledger, WriteMode};

    fn gift(minor: i64) -> NewTransaction {
        let usd = Currency::parse("USD").unwrap();
        let d = Donation {
            amount: Amount::from_minor(minor, usd).unwrap(),
            fee: None,
            donor: "Ana".into(),
            fund: "general".into(),
            into: "assets:bank".into(),
            fee_to: Default::default(),
        };
        donation(
            d,
            Header::default(),
            chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
        )
        .unwrap()
    }

    /// What `record` checks before writing is checked again, as stored, before a write
    /// commits: a posting that slipped in unbalancing a transaction (a bug, or someone
    /// else's trigger) stops the whole write, and nothing of it is kept.
    #[test]
    fn a_write_that_stored_an_unbalanced_transaction_is_not_committed() {
        let mut ledger = Ledger::create_in_memory(Currency::parse("USD").unwrap(), "test").unwrap();
        ledger
            .write(WriteMode::Commit, |w| w.record(&gift(500), "test"))
            .unwrap();
        let result = ledger.write(WriteMode::Commit, |w| {
            let id = w.record(&gift(700), "test")?;
            w.conn().execute(
                "INSERT INTO postings (txn_id, line, account_id, fund_id, currency, amount_minor)
                 SELECT ?1, 9, account_id, fund_id, currency, 1 FROM postings WHERE txn_id = ?1 LIMIT 1",
                [id],
            )?;
            Ok(())
        });
        match result {
            Err(Error::Internal(why)) => {
                assert_eq!(
                    why,
                    "transaction #2 was stored unbalanced in USD by 1 minor units"
                )
            }
            other => panic!("{other:?}"),
        }
        let last = ledger
            .write(WriteMode::DryRun, |w| w.last_transaction_id())
            .unwrap();
        assert_eq!(last, 1, "the failed write was kept");
    }

    /// The maintained totals must move by exactly the postings a write recorded: a total
    /// changed by anything else in the same write (a bug, a stray trigger) stops it.
    #[test]
    fn a_write_whose_totals_moved_by_more_than_its_postings_is_not_committed() {
        let mut ledger = Ledger::create_in_memory(Currency::parse("USD").unwrap(), "test").unwrap();
        ledger
            .write(WriteMode::Commit, |w| w.record(&gift(500), "test"))
            .unwrap();
        for table in ["balances", "daily_totals"] {
            let result = ledger.write(WriteMode::Commit, |w| {
                w.record(&gift(700), "test")?;
                w.conn().execute(
                    &format!("UPDATE {table} SET credit_minor = credit_minor + 1 WHERE credit_minor > 0"),
                    [],
                )?;
                Ok(())
            });
            match result {
                Err(Error::Internal(why)) => assert!(
                    why.starts_with("the maintained totals of account ")
                        && why.ends_with("but this write's postings moved them by (0, 700)"),
                    "{table}: {why}"
                ),
                other => panic!("{table}: {other:?}"),
            }
        }
        let balance = ledger
            .write(WriteMode::DryRun, |w| {
                Ok(w.conn()
                    .query_row("SELECT sum(credit_minor) FROM balances", [], |r| {
                        r.get::<_, i64>(0)
                    })?)
            })
            .unwrap();
        assert_eq!(balance, 500, "a failed write was kept");
    }
}
