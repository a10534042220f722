//! Everything that writes to the ledger, inside one open SQL transaction.

use crate::domain::Field;
use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};

use super::chain::{self, Entry, Head, ImportKeys, Stamp};
use super::hash::{self, PostingContent, PrivateText, TxnContent, FIELD_SALT_LEN, PRIVATE_FIELDS};
use super::locks::{self, DateRules, Locks};
use super::{donors, read, recheck};
use crate::domain::builders::{self, Header};
use crate::domain::identity::{likeness, Likeness};
use crate::domain::names::{
    check_account_name, check_name, check_slug, check_text, closest, confirmed_in_time, AccountType,
    DONATIONS, GRANTS_PREFIX, UNION_ACCOUNT, UNION_SLUG,
};
use crate::domain::{Amount, Currency, NewTransaction, Sum};
use crate::error::{Error, LookAlike, Result, Shortfall};

/// Refuses a reference that starts like an erasure's placeholder (`forgotten donor N`), which
/// is what `donor forget` leaves in place of a reference: several transactions may then share
/// it, so it must never name one.
fn check_reference(reference: &str) -> Result<()> {
    if crate::domain::privacy::looks_like_placeholder(reference) {
        return Err(Error::invalid(
            Field::REFERENCE,
            reference,
            "references that read as `forgotten donor N` are what `donor forget` leaves in place of one, and are reserved",
        ));
    }
    Ok(())
}

/// Whether a fund's money may only be spent for its purpose (see the README's funds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restriction {
    Restricted,
    Unrestricted,
}

/// What `void` does with a grant the commune confirmed it received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmed {
    /// Refused: the money reached them.
    Refuse,
    /// `--force`: voided all the same, said in the void's memo.
    VoidAnyway,
}

/// The state recorded for a commune that `import --create-missing` registered.
pub const UNKNOWN_STATE: &str = "unknown";

/// A write in progress. Dropped without [`Writer::commit`], it leaves the ledger unchanged.
pub struct Writer<'l> {
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
}

/// What a transaction moved, without its text: its date, and per account and currency the
/// sum of its postings (funds together, so a payout's split compares with its lump).
type Signature = (NaiveDate, Vec<(String, String, i64)>);

/// How many (account, fund, currency, day) sums a write holds before writing them out.
const PENDING_DAYS_LIMIT: usize = 8192;

/// An (account, fund, currency) whose totals are maintained.
pub(super) type TotalKey = (i64, i64, &'static str);

/// Debits and credits of one (account, fund, currency), apart, as the totals tables keep them.
#[derive(Clone, Copy)]
struct DebitsCredits {
    debit: Sum,
    credit: Sum,
}

impl DebitsCredits {
    fn zero(currency: Currency) -> DebitsCredits {
        DebitsCredits {
            debit: Sum::zero(currency),
            credit: Sum::zero(currency),
        }
    }

    /// Adds a posting: a debit if it is positive, a credit if it is negative.
    fn add(&mut self, amount: Amount) -> Result<()> {
        if amount.is_negative() {
            self.credit.add(amount.negated())
        } else {
            self.debit.add(amount)
        }
    }

    /// Debits less credits.
    fn net(self) -> Result<Sum> {
        self.debit.minus(self.credit)
    }
}

/// Debits and credits this write adds per (account, fund, currency), and per day as well.
#[derive(Default)]
struct PendingTotals {
    balances: HashMap<TotalKey, DebitsCredits>,
    /// Per day, in date order, so the overdraft check can walk the days after a date.
    days: HashMap<TotalKey, BTreeMap<NaiveDate, DebitsCredits>>,
    day_count: usize,
    /// The totals as they stood before this write, for the check at commit.
    before: recheck::TotalsBefore,
}

impl PendingTotals {
    fn add(
        &mut self,
        tx: &rusqlite::Transaction<'_>,
        account_id: i64,
        fund_id: i64,
        date: NaiveDate,
        amount: Amount,
    ) -> Result<()> {
        let currency = amount.currency();
        let key = (account_id, fund_id, currency.code());
        self.before.note(tx, key, date)?;
        let days = self.days.entry(key).or_default();
        if !days.contains_key(&date) {
            self.day_count += 1;
        }
        for pending in [
            self.balances.entry(key).or_insert(DebitsCredits::zero(currency)),
            days.entry(date).or_insert(DebitsCredits::zero(currency)),
        ] {
            pending.add(amount)?;
        }
        Ok(())
    }

    /// The net this write adds to one balance so far.
    fn net(&self, account_id: i64, fund_id: i64, currency: Currency) -> Result<Sum> {
        match self.balances.get(&(account_id, fund_id, currency.code())) {
            Some(pending) => pending.net(),
            None => Ok(Sum::zero(currency)),
        }
    }

    /// Writes the sums and starts again from zero: at commit, and whenever a long import
    /// has touched so many days that holding them would cost more memory than it saves.
    fn flush(&mut self, tx: &rusqlite::Transaction<'_>) -> Result<()> {
        let mut balance = tx.prepare_cached(
            "INSERT INTO balances (account_id, fund_id, currency, debit_minor, credit_minor)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (account_id, fund_id, currency) DO UPDATE
                 SET debit_minor = debit_minor + excluded.debit_minor,
                     credit_minor = credit_minor + excluded.credit_minor",
        )?;
        for ((account_id, fund_id, currency), pending) in &self.balances {
            let (debit, credit) = (pending.debit.minor(), pending.credit.minor());
            balance.execute(params![account_id, fund_id, currency, debit, credit])?;
        }
        let mut day = tx.prepare_cached(
            "INSERT INTO daily_totals (account_id, fund_id, currency, date, debit_minor, credit_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (account_id, fund_id, currency, date) DO UPDATE
                 SET debit_minor = debit_minor + excluded.debit_minor,
                     credit_minor = credit_minor + excluded.credit_minor",
        )?;
        for ((account_id, fund_id, currency), days) in &self.days {
            for (date, pending) in days {
                let (debit, credit) = (pending.debit.minor(), pending.credit.minor());
                day.execute(params![account_id, fund_id, currency, date, debit, credit])?;
            }
        }
        self.balances.clear();
        self.days.clear();
        self.day_count = 0;
        Ok(())
    }
}

/// Whether an asset account may go below zero: only a credit line should.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overdraft {
    #[default]
    Refused,
    Allowed,
}

/// What the treasurer said about new names that look like names the ledger has, and how the
/// command names the donor and the flag in its messages.
#[derive(Clone, Copy, Debug)]
pub struct NameRules {
    /// A donor spelled like an existing one but for case, accents or spaces is someone else.
    pub new_donor: bool,
    /// A name that can be mistaken for an existing one is meant (`--allow-confusable`).
    pub confusable: bool,
    /// How the command names the donor: `--donor`, `counterparty`.
    pub donor_field: Field,
    /// The flag that says a look-alike donor is someone else: `--new-donor`.
    pub new_donor_flag: Field,
}

impl Default for NameRules {
    fn default() -> Self {
        NameRules {
            new_donor: false,
            confusable: false,
            donor_field: Field::COUNTERPARTY,
            new_donor_flag: Field::NEW_DONOR,
        }
    }
}

impl NameRules {
    /// Every name as it comes: for replaying books whose names were accepted before.
    pub fn accept_all() -> NameRules {
        NameRules {
            new_donor: true,
            confusable: true,
            ..NameRules::default()
        }
    }
}

/// Refuses a commune name that is another commune's but for case, so that `--to NAME` is
/// never ambiguous.
pub(super) fn check_no_twin(others: &[read::CommuneInfo], name: &str) -> Result<()> {
    match others.iter().find(|c| c.name.to_lowercase() == name.to_lowercase()) {
        Some(twin) => Err(Error::Refused(format!(
            "a commune named `{}` already exists (`{}`); names must differ so that `--to NAME` is never ambiguous",
            twin.name, twin.slug
        ))),
        None => Ok(()),
    }
}

/// What a write needs to know of an account: its id, its type, and whether it may go below
/// zero.
#[derive(Clone, Copy)]
struct AccountRow {
    id: i64,
    account_type: AccountType,
    allow_negative: bool,
}

/// A posting's account and fund, resolved to their rows.
struct ResolvedPosting {
    account_id: i64,
    account_type: AccountType,
    allow_negative: bool,
    fund_id: i64,
}

/// What an import has recorded so far, for its batch entry.
struct ImportProgress {
    batch: i64,
    first_txn: Option<i64>,
    last_txn: Option<i64>,
    keys: ImportKeys,
}

/// Who an imported transaction without a reference is: its date and content, and which
/// occurrence of that content in its file it was. The date is the key's text as stored and
/// hashed (and as an audit pack lists it), so that a rebuild checks exactly those bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportIdentity {
    pub date: String,
    pub content: [u8; 32],
    pub occurrence: i64,
}

/// What `fondo import` records about one import.
#[derive(Clone, Debug)]
pub struct Batch<'a> {
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    pub format: &'a str,
    pub row_count: i64,
    pub added_count: i64,
    pub skipped_count: i64,
}

/// What `fondo confirm` records.
#[derive(Clone, Debug, Default)]
pub struct Confirmation {
    pub date: Option<NaiveDate>,
    pub reference: Option<String>,
    pub note: Option<String>,
}

impl<'l> Writer<'l> {
    pub(super) fn new(tx: rusqlite::Transaction<'l>, actor: &'l str) -> Writer<'l> {
        let now = Utc::now();
        Writer {
            tx,
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
            first_recorded: None,
        }
    }

    pub(super) fn commit(mut self) -> Result<()> {
        self.totals.flush(&self.tx)?;
        if let Some(first) = self.first_recorded {
            recheck::check_written(&self.tx, first, &self.totals.before)?;
        }
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

    /// Refuses a gift's donor whose name looks like an existing donor's (see
    /// [`donors::look_alikes`]), unless the name rules say it is someone else.
    fn check_donor(&self, name: &str) -> Result<()> {
        self.check_donor_but(self.name_rules.donor_field, name, None)
    }

    /// [`Writer::check_donor`] for `field`, leaving out the donor `but` (the one a rename
    /// gives `name` to).
    pub(super) fn check_donor_but(&self, field: Field, name: &str, but: Option<&str>) -> Result<()> {
        let rules = self.name_rules;
        if rules.new_donor && rules.confusable {
            return Ok(());
        }
        for (existing, likeness) in donors::look_alikes_but(&self.tx, name, but)? {
            let flag = match likeness {
                Likeness::SameKey if !rules.new_donor => rules.new_donor_flag,
                Likeness::Confusable if !rules.confusable => Field::ALLOW_CONFUSABLE,
                _ => continue,
            };
            return Err(Error::LookAlike(Box::new(LookAlike {
                field,
                name: name.to_string(),
                what: "donor",
                existing,
                likeness,
                flag,
            })));
        }
        Ok(())
    }

    /// Refuses `name` for a `what` (a fund, a commune) if it looks like one of `others`'
    /// names — the same but for case, accents or spaces, or confusable — unless the
    /// treasurer allowed it.
    pub(super) fn check_look_alike(
        &self,
        field: Field,
        what: &'static str,
        name: &str,
        others: impl IntoIterator<Item = String>,
    ) -> Result<()> {
        if self.name_rules.confusable {
            return Ok(());
        }
        for existing in others {
            if let Some(likeness) = likeness(name, &existing) {
                return Err(Error::LookAlike(Box::new(LookAlike {
                    field,
                    name: name.to_string(),
                    what,
                    existing,
                    likeness,
                    flag: Field::ALLOW_CONFUSABLE,
                })));
            }
        }
        Ok(())
    }

    /// Records `entry` as someone else recorded it, when: a rebuild replaying a pack.
    pub(super) fn append_as(&mut self, entry: &Entry, stamp: &Stamp<'_>) -> Result<()> {
        if matches!(entry, Entry::PeriodClosed { .. } | Entry::Reconciled { .. }) {
            self.locks = None;
        }
        let head = self.head()?;
        self.head = Some(chain::append(&self.tx, &head, entry, stamp)?);
        Ok(())
    }

    /// Lets the transactions recorded next carry an erasure's placeholder as their reference:
    /// a rebuild replaying a journal in which a donor was forgotten.
    pub(super) fn allow_placeholders(&mut self) {
        self.placeholders_allowed = true;
    }

    /// The import batch the transactions recorded next belong to, as a rebuild replays them
    /// (their batch's entry, replayed after them, records the batch itself).
    pub(super) fn set_batch(&mut self, batch: Option<i64>) {
        if self.import.as_ref().map(|i| i.batch) != batch {
            self.import = batch.map(|batch| ImportProgress {
                batch,
                first_txn: None,
                last_txn: None,
                keys: ImportKeys::default(),
            });
        }
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

    pub(super) fn insert_account(&mut self, name: &str, account_type: AccountType) -> Result<i64> {
        self.insert_account_with(name, account_type, Overdraft::Refused)
    }

    fn insert_account_with(
        &mut self,
        name: &str,
        account_type: AccountType,
        overdraft: Overdraft,
    ) -> Result<i64> {
        let id = self.next_id("accounts")?;
        self.append(&Entry::AccountAdded {
            id,
            name: name.to_string(),
            account_type: account_type.as_str().to_string(),
            allow_negative: overdraft == Overdraft::Allowed,
        })?;
        Ok(id)
    }

    pub(super) fn insert_fund(
        &mut self,
        code: &str,
        name: &str,
        target: Option<Amount>,
        restricted: bool,
    ) -> Result<()> {
        let id = self.next_id("funds")?;
        self.append(&Entry::FundAdded {
            id,
            code: code.to_string(),
            name: name.to_string(),
            target_minor: target.map(Amount::minor),
            target_currency: target.map(|t| t.currency().code().to_string()),
            restricted,
        })
    }

    /// Adds an account to the chart. Grants accounts come with their commune instead. An
    /// asset account that may go below zero (a credit line) says so with `overdraft`.
    pub fn add_account(&mut self, name: &str, overdraft: Overdraft) -> Result<()> {
        let account_type =
            check_account_name(name).map_err(|problem| Error::invalid(Field::ACCOUNT_NAME, name, problem))?;
        if name.starts_with(GRANTS_PREFIX) {
            return Err(Error::Refused(format!(
                "`{name}` is a grants account; they are created with their recipient: `fondo commune add NAME --state STATE`"
            )));
        }
        if read::account_exists(&self.tx, name)? {
            return Err(Error::AlreadyExists {
                what: "account",
                name: name.to_string(),
            });
        }
        if overdraft == Overdraft::Allowed && account_type != AccountType::Assets {
            return Err(Error::invalid(
                Field::ALLOW_NEGATIVE,
                name,
                "only an asset account can be allowed to go below zero (a credit line); other accounts are never checked",
            ));
        }
        self.insert_account_with(name, account_type, overdraft)?;
        Ok(())
    }

    /// Adds a fund (earmark). Every fund but `general` is restricted unless said otherwise.
    pub fn add_fund(
        &mut self,
        code: &str,
        name: Option<&str>,
        target: Option<Amount>,
        restriction: Restriction,
    ) -> Result<()> {
        let restricted = restriction == Restriction::Restricted;
        check_slug(code).map_err(|problem| Error::invalid(Field::FUND_CODE, code, problem))?;
        let name = match name {
            Some(name) => check_name(Field::NAME, name)?,
            None => code.to_string(),
        };
        if let Some(target) = target.filter(|t| !t.is_positive()) {
            return Err(Error::invalid(
                Field::TARGET,
                target.to_string(),
                "must be greater than zero",
            ));
        }
        if read::fund_exists(&self.tx, code)? {
            return Err(Error::AlreadyExists {
                what: "fund",
                name: code.to_string(),
            });
        }
        let others = read::funds(&self.tx)?.into_iter().map(|f| f.name);
        self.check_look_alike(Field::NAME, "fund", &name, others)?;
        self.insert_fund(code, &name, target, restricted)
    }

    /// Registers a commune and creates its grants account; returns the slug.
    pub fn add_commune(&mut self, name: &str, state: &str, slug: Option<&str>) -> Result<String> {
        let name = &check_name(Field::COMMUNE_NAME, name)?;
        let state = &check_name(Field::STATE, state)?;
        // A look-alike name first, as it would often make the same slug; a name the same
        // but for case is refused below, as ambiguous for `--to NAME`.
        let communes = read::communes(&self.tx)?;
        let others = communes
            .iter()
            .filter(|c| c.name.to_lowercase() != name.to_lowercase())
            .map(|c| c.name.clone());
        self.check_look_alike(Field::COMMUNE_NAME, "commune", name, others)?;
        let slug = match slug {
            Some(s) => {
                check_slug(s).map_err(|problem| Error::invalid(Field::SLUG, s, problem))?;
                s.to_string()
            }
            None => {
                let derived = crate::domain::names::slugify(name);
                check_slug(&derived).map_err(|_| {
                    Error::invalid(
                        Field::COMMUNE_NAME,
                        name,
                        "has no letters or digits to make a slug from; give one with --slug",
                    )
                })?;
                derived
            }
        };
        if slug == UNION_SLUG {
            return Err(Error::invalid(
                Field::SLUG,
                slug,
                "`union` is reserved for the Communard Union itself",
            ));
        }
        if read::commune_exists(&self.tx, &slug)? {
            return Err(Error::AlreadyExists {
                what: "commune",
                name: slug,
            });
        }
        read::check_commune_unique(&self.tx, &slug, name, None)?;
        check_no_twin(&communes, name)?;
        let account = format!("{GRANTS_PREFIX}{slug}");
        if read::account_exists(&self.tx, &account)? {
            return Err(Error::AlreadyExists {
                what: "account",
                name: account,
            });
        }
        let account_id = self.insert_account(&account, AccountType::Expenses)?;
        let id = self.next_id("communes")?;
        self.append(&Entry::CommuneAdded {
            id,
            slug: slug.clone(),
            name: name.to_string(),
            state: state.to_string(),
            account_id,
        })?;
        Ok(slug)
    }

    fn account(&mut self, name: &str) -> Result<AccountRow> {
        if let Some(found) = self.accounts.get(name) {
            return Ok(*found);
        }
        let row: Option<(i64, String, bool, bool)> = self
            .tx
            .query_row(
                "SELECT id, type, allow_negative, closed FROM accounts WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((id, type_text, allow_negative, closed)) = row else {
            return Err(Error::UnknownAccount {
                name: name.to_string(),
                suggestion: closest(name, read::account_names(&self.tx)?.iter().map(String::as_str)),
            });
        };
        let account_type = AccountType::of(&type_text)
            .ok_or_else(|| Error::Corrupt(format!("account `{name}` of unknown type `{type_text}`")))?;
        if closed {
            return Err(Error::Refused(format!(
                "account `{name}` is closed (`fondo account close`); no transaction may post to it"
            )));
        }
        let found = AccountRow {
            id,
            account_type,
            allow_negative,
        };
        self.accounts.insert(name.to_string(), found);
        Ok(found)
    }

    fn fund(&mut self, code: &str) -> Result<i64> {
        if let Some(found) = self.funds.get(code) {
            return Ok(*found);
        }
        let row: Option<(i64, bool)> = self
            .tx
            .query_row("SELECT id, closed FROM funds WHERE code = ?1", [code], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let (found, closed) = row.ok_or_else(|| read::unknown_fund(&self.tx, code))?;
        if closed {
            return Err(Error::Refused(format!(
                "fund `{code}` is closed (`fondo fund edit {code} --close`); record this in another fund"
            )));
        }
        self.funds.insert(code.to_string(), found);
        Ok(found)
    }

    /// Records a transaction and returns its id. Every check (balance, names, restricted funds
    /// and union holdings, reference) runs before anything is written, so a refused
    /// transaction leaves the open write untouched and a long import can go on to the next row.
    pub fn record(&mut self, txn: &NewTransaction, source: &str) -> Result<i64> {
        let checked = txn.check()?;
        let txn = checked.as_ref();
        let mut resolved = Vec::with_capacity(txn.postings.len());
        for p in &txn.postings {
            let account = self.account(&p.account)?;
            resolved.push(ResolvedPosting {
                account_id: account.id,
                account_type: account.account_type,
                allow_negative: account.allow_negative,
                fund_id: self.fund(&p.fund)?,
            });
        }
        let lock_override = self.check_date(txn, &resolved)?;
        self.check_no_overdraft(txn, &resolved)?;
        // No counterparty either, whoever it is: a placeholder always means an erasure.
        if let Some(counterparty) = txn.counterparty.as_deref().filter(|_| !self.placeholders_allowed) {
            crate::domain::privacy::check_not_placeholder(Field::COUNTERPARTY, counterparty)?;
        }
        if let Some(reference) = &txn.reference {
            if !self.placeholders_allowed {
                check_reference(reference)?;
            }
            if let Some(existing) = read::transaction_by_reference(&self.tx, reference)? {
                return Err(Error::DuplicateReference {
                    reference: reference.clone(),
                    txn: existing,
                });
            }
        }
        // A gift's counterparty is its donor.
        let donor = txn
            .counterparty
            .as_deref()
            .filter(|_| txn.postings.iter().any(|p| p.account == DONATIONS));
        if let Some(donor) = donor {
            self.check_donor(donor)?;
        }
        let head = self.head()?;
        let (id, prev_hash) = (head.last_txn + 1, head.hash);
        self.first_recorded.get_or_insert(id);
        let date = hash::date_text(txn.date);
        let content = TxnContent {
            id,
            date: &date,
            description: &txn.description,
            counterparty: txn.counterparty.as_deref(),
            reference: txn.reference.as_deref(),
            memo: txn.memo.as_deref(),
            private: PrivateText::Plain,
            voids: txn.voids,
            entered_at: &self.entered_at,
            entered_by: self.actor,
            source,
        };
        let mut salt = hash::random::<{ FIELD_SALT_LEN * PRIVATE_FIELDS.len() }>()?;
        // An empty field has no digest; its salt is zeros, so that no byte of the row is
        // left that the hash does not pin down (verify checks them).
        for (slot, text) in salt.chunks_mut(FIELD_SALT_LEN).zip(content.private_texts()) {
            if text.is_none() {
                slot.fill(0);
            }
        }
        let content = TxnContent {
            private: PrivateText::Salted(&salt),
            ..content
        };
        let hash = hash::transaction_hash(
            &prev_hash,
            &content,
            txn.postings.iter().zip(1..).map(|(p, line)| PostingContent {
                line,
                account: &p.account,
                fund: &p.fund,
                currency: p.amount.currency().code(),
                amount_minor: p.amount.minor(),
            }),
        );
        self.tx
            .prepare_cached(
                "INSERT INTO transactions (id, date, description, counterparty, reference, memo, voids,
                                           entered_at, entered_by, source, prev_hash, hash, batch_id, text_salts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                id,
                date,
                txn.description,
                txn.counterparty,
                txn.reference,
                txn.memo,
                txn.voids,
                self.entered_at,
                self.actor,
                source,
                prev_hash,
                hash,
                self.import.as_ref().map(|i| i.batch),
                &salt[..]
            ])?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO postings (txn_id, line, account_id, fund_id, currency, amount_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for ((p, r), line) in txn.postings.iter().zip(&resolved).zip(1_i64..) {
            // Added to the pending totals first: they note the stored totals before this
            // posting can change them, for the check at commit.
            self.totals
                .add(&self.tx, r.account_id, r.fund_id, txn.date, p.amount)?;
            insert.execute(params![
                id,
                line,
                r.account_id,
                r.fund_id,
                p.amount.currency().code(),
                p.amount.minor()
            ])?;
        }
        drop(insert);
        if let Some(donor) = donor {
            donors::remember(&self.tx, donor)?;
        }
        if self.totals.day_count >= PENDING_DAYS_LIMIT {
            self.totals.flush(&self.tx)?;
        }
        self.head = Some(Head {
            last_txn: id,
            last_entry: head.last_entry,
            hash,
        });
        if let Some(import) = &mut self.import {
            import.first_txn.get_or_insert(id);
            import.last_txn = Some(id);
        }
        if let Some((through, reason)) = lock_override {
            self.append(&Entry::LockOverridden {
                txn_id: id,
                through: hash::date_text(through),
                reason,
            })?;
        }
        Ok(id)
    }

    /// Refuses a date more than a day ahead, or in a closed period, unless the date rules
    /// allow it; returns the lock and the reason to record when a closed period was forced.
    fn check_date(
        &mut self,
        txn: &NewTransaction,
        resolved: &[ResolvedPosting],
    ) -> Result<Option<(NaiveDate, String)>> {
        locks::check_future(txn.date, self.today, &self.date_rules)?;
        if self.locks.is_none() {
            self.locks = Some(Locks::read(&self.tx)?);
        }
        let lock = self
            .locks
            .as_ref()
            .and_then(|l| l.covering(txn.date, resolved.iter().map(|r| r.account_id)));
        match (lock, &self.date_rules.force_reason) {
            (None, _) => Ok(None),
            (Some(lock), Some(reason)) => Ok(Some((lock.through, reason.clone()))),
            (Some(lock), None) => Err(locks::locked(txn.date, lock)),
        }
    }

    /// Before anything is written: no (asset account, fund, currency) this transaction takes
    /// money from may go below zero, at the end of its date or of any later day, unless the
    /// account was added with `--allow-negative` (a credit line). A back-dated payment is
    /// therefore refused if a later payment already spent the money it would take.
    fn check_no_overdraft(&self, txn: &NewTransaction, resolved: &[ResolvedPosting]) -> Result<()> {
        let mut outflows: BTreeMap<TotalKey, (Sum, usize)> = BTreeMap::new();
        for (i, (p, r)) in txn.postings.iter().zip(resolved).enumerate() {
            if r.account_type == AccountType::Assets && !r.allow_negative {
                let currency = p.amount.currency();
                outflows
                    .entry((r.account_id, r.fund_id, currency.code()))
                    .or_insert((Sum::zero(currency), i))
                    .0
                    .add(p.amount)?;
            }
        }
        for ((account_id, fund_id, _), (delta, i)) in outflows {
            if !delta.is_negative() {
                continue;
            }
            let (lowest, on) = self.lowest_balance_from(account_id, fund_id, delta.currency(), txn.date)?;
            let after = lowest.plus(delta)?;
            if after.is_negative() {
                let p = &txn.postings[i];
                let why = if p.account == UNION_ACCOUNT {
                    "the union cannot pass on more than it holds for a fund"
                } else {
                    "a fund cannot spend money it does not hold; an account that may go below zero, such as a credit line, is added with `--allow-negative`"
                };
                return Err(Error::InsufficientFunds(Box::new(Shortfall {
                    fund: p.fund.clone(),
                    account: p.account.clone(),
                    date: on.to_string(),
                    available: lowest.to_string(),
                    after: after.to_string(),
                    why,
                })));
            }
        }
        Ok(())
    }

    /// The lowest end-of-day balance of (account, fund, currency) on `date` or any later day
    /// recorded, and the day it falls on: what a payment dated `date` can take without
    /// leaving any later day below zero. Reads the days from `date` on, not the whole history.
    fn lowest_balance_from(
        &self,
        account_id: i64,
        fund_id: i64,
        currency: Currency,
        date: NaiveDate,
    ) -> Result<(Sum, NaiveDate)> {
        let code = currency.code();
        let total = Sum::from_minor(
            read::balance_minor(&self.tx, account_id, fund_id, code)?,
            currency,
        )
        .plus(self.totals.net(account_id, fund_id, currency)?)?;
        let mut later: BTreeMap<NaiveDate, Sum> = BTreeMap::new();
        let mut stmt = self.tx.prepare_cached(
            "SELECT date, debit_minor - credit_minor FROM daily_totals
             WHERE account_id = ?1 AND fund_id = ?2 AND currency = ?3 AND date >= ?4",
        )?;
        let mut rows = stmt.query(params![account_id, fund_id, code, date])?;
        while let Some(r) = rows.next()? {
            later.insert(read::date_at(r, 0)?, Sum::from_minor(r.get(1)?, currency));
        }
        if let Some(days) = self.totals.days.get(&(account_id, fund_id, code)) {
            for (day, pending) in days.range(date..) {
                later
                    .entry(*day)
                    .or_insert(Sum::zero(currency))
                    .add(pending.net()?)?;
            }
        }
        later.entry(date).or_insert(Sum::zero(currency));
        let after_date = later
            .values()
            .try_fold(Sum::zero(currency), |sum, net| sum.plus(*net))?;
        let mut balance = total.minus(after_date)?;
        let mut lowest: Option<(Sum, NaiveDate)> = None;
        for (day, net) in later {
            balance.add(net)?;
            if lowest.is_none_or(|(low, _)| balance.minor() < low.minor()) {
                lowest = Some((balance, day));
            }
        }
        lowest.ok_or_else(|| Error::Internal("no day to check the balance on".into()))
    }

    /// What each fund holds in `account` at the end of `date`, including what this write has
    /// recorded so far (its pending totals are written out first).
    pub fn holdings(
        &mut self,
        account: &str,
        currency: crate::domain::Currency,
        date: NaiveDate,
    ) -> Result<Vec<crate::domain::payout::Holding>> {
        self.totals.flush(&self.tx)?;
        read::holdings(&self.tx, account, currency, date)
    }

    /// Starts an import: transactions recorded from now on belong to the batch that
    /// [`Writer::finish_import`] writes. Returns the batch's id.
    pub fn begin_import(&mut self) -> Result<i64> {
        let id = self.next_id("import_batches")?;
        // Occurrences of each content in this file, on disk so memory does not grow with it.
        // Which source transaction numbers (journal) became which transactions here.
        self.tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS import_seen (
                 date TEXT NOT NULL, content_sha256 BLOB NOT NULL, count INTEGER NOT NULL,
                 PRIMARY KEY (date, content_sha256)) WITHOUT ROWID;
             CREATE TEMP TABLE IF NOT EXISTS import_sources (
                 source_id INTEGER PRIMARY KEY, txn_id INTEGER);
             DELETE FROM temp.import_seen;
             DELETE FROM temp.import_sources;",
        )?;
        self.import = Some(ImportProgress {
            batch: id,
            first_txn: None,
            last_txn: None,
            keys: ImportKeys::default(),
        });
        Ok(id)
    }

    /// Writes the batch record of the import begun with [`Writer::begin_import`].
    pub fn finish_import(&mut self, batch: &Batch<'_>) -> Result<()> {
        let import = self
            .import
            .take()
            .ok_or_else(|| Error::Internal("an import finished that had not begun".into()))?;
        self.append(&Entry::ImportBatch {
            id: import.batch,
            file_name: batch.file_name.to_string(),
            file_sha256: batch.file_sha256.to_string(),
            format: batch.format.to_string(),
            row_count: batch.row_count,
            added_count: batch.added_count,
            skipped_count: batch.skipped_count,
            first_txn: import.first_txn,
            last_txn: import.last_txn,
            key_count: import.keys.count,
            keys_sha256: import.keys.finish(),
            salted_keys: true,
        })
    }

    /// The identity of a transaction without a reference within the file being imported:
    /// its content hash and how many times that content has appeared in the file so far.
    pub fn import_identity(&mut self, txn: &NewTransaction) -> Result<ImportIdentity> {
        let date = hash::date_text(txn.date);
        let content = hash::content_key(txn);
        let occurrence = self
            .tx
            .prepare_cached(
                "INSERT INTO temp.import_seen (date, content_sha256, count) VALUES (?1, ?2, 1)
                 ON CONFLICT (date, content_sha256) DO UPDATE SET count = count + 1 RETURNING count",
            )?
            .query_row(params![date, &content[..]], |r| r.get(0))?;
        Ok(ImportIdentity {
            date,
            content,
            occurrence,
        })
    }

    /// The transaction an earlier import recorded for this identity, if any.
    pub fn imported(&self, identity: &ImportIdentity) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT txn_id FROM import_keys WHERE date = ?1 AND content_sha256 = ?2 AND occurrence = ?3",
            )?
            .query_row(
                params![identity.date, &identity.content[..], identity.occurrence],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Remembers that `txn_id` was imported under this identity, with a random salt for the
    /// commitment its batch's digest covers (so an erasure can replace the key).
    pub fn remember_import(&mut self, identity: &ImportIdentity, txn_id: i64) -> Result<()> {
        let salt = hash::random::<FIELD_SALT_LEN>()?;
        self.tx
            .prepare_cached(
                "INSERT INTO import_keys (date, content_sha256, occurrence, txn_id, key_salt)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                identity.date,
                &identity.content[..],
                identity.occurrence,
                txn_id,
                &salt[..]
            ])?;
        let import = self
            .import
            .as_mut()
            .ok_or_else(|| Error::Internal("an import key was written outside an import".into()))?;
        import.keys.add_commitment(&chain::key_commitment(
            &salt,
            txn_id,
            &identity.date,
            &identity.content,
            identity.occurrence,
        ));
        Ok(())
    }

    /// An imported transaction that an erasure changed and that `txn` is like — the same
    /// date, and the same amounts moved in the same accounts — if any. Its import key and
    /// reference are gone with the name, so that nothing stored confirms a guess at it; an
    /// import refuses a row like it rather than record the forgotten gift (and name) again.
    pub fn like_forgotten(&mut self, txn: &NewTransaction) -> Result<Option<i64>> {
        if self.forgotten.is_none() {
            let mut found: HashMap<Signature, i64> = HashMap::new();
            let mut stmt = self.tx.prepare(
                "SELECT t.id, t.date, a.name, p.currency, sum(p.amount_minor)
                 FROM transactions t JOIN postings p ON p.txn_id = t.id JOIN accounts a ON a.id = p.account_id
                 WHERE t.batch_id IS NOT NULL AND t.id IN (SELECT txn_id FROM erased_transactions)
                 GROUP BY t.id, a.name, p.currency ORDER BY t.id, a.name, p.currency",
            )?;
            let mut rows = stmt.query([])?;
            let mut current: Option<(i64, Signature)> = None;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                if current.as_ref().is_none_or(|(at, _)| *at != id) {
                    if let Some((at, signature)) = current.take() {
                        found.entry(signature).or_insert(at);
                    }
                    current = Some((id, (read::date_at(r, 1)?, Vec::new())));
                }
                let minor: i64 = r.get(4)?;
                if let Some((_, (_, moved))) = current.as_mut().filter(|_| minor != 0) {
                    moved.push((r.get(2)?, r.get(3)?, minor));
                }
            }
            if let Some((at, signature)) = current {
                found.entry(signature).or_insert(at);
            }
            self.forgotten = Some(found);
        }
        let mut moved: BTreeMap<(String, String), Sum> = BTreeMap::new();
        for p in &txn.postings {
            let currency = p.amount.currency();
            moved
                .entry((p.account.clone(), currency.code().to_string()))
                .or_insert(Sum::zero(currency))
                .add(p.amount)?;
        }
        let signature = (
            txn.date,
            moved
                .into_iter()
                .filter(|(_, sum)| !sum.is_zero())
                .map(|((account, currency), sum)| (account, currency, sum.minor()))
                .collect(),
        );
        Ok(self.forgotten.as_ref().and_then(|f| f.get(&signature).copied()))
    }

    /// A batch entry as a rebuild replays it: covering the keys this ledger wrote for the
    /// batch, each with a salt of its own.
    pub(super) fn replayed_batch(&mut self, entry: &Entry) -> Entry {
        let mut entry = entry.clone();
        if let Entry::ImportBatch {
            id,
            key_count,
            keys_sha256,
            salted_keys,
            ..
        } = &mut entry
        {
            let keys = match self.import.take() {
                Some(import) if import.batch == *id => import.keys,
                other => {
                    self.import = other;
                    ImportKeys::default()
                }
            };
            *key_count = keys.count;
            *keys_sha256 = keys.finish();
            *salted_keys = true;
        }
        entry
    }

    /// Notes that the file's transaction `source_id` has been read; false if it was before.
    pub fn see_source(&mut self, source_id: i64) -> Result<bool> {
        let inserted = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO temp.import_sources (source_id) VALUES (?1)")?
            .execute([source_id])?;
        Ok(inserted == 1)
    }

    /// Notes that the file's transaction `source_id` is transaction `txn_id` here.
    pub fn map_source(&mut self, source_id: i64, txn_id: i64) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE temp.import_sources SET txn_id = ?2 WHERE source_id = ?1")?
            .execute(params![source_id, txn_id])?;
        Ok(())
    }

    /// The transaction here that the file's transaction `source_id` became, if it was read
    /// and recorded (or found already recorded).
    pub fn mapped_source(&self, source_id: i64) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached("SELECT txn_id FROM temp.import_sources WHERE source_id = ?1")?
            .query_row([source_id], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Creates the account if it does not exist yet (a grants account registers its
    /// commune, named by its slug). Returns what was created, for the treasurer to review.
    pub fn ensure_account(&mut self, name: &str) -> Result<Vec<String>> {
        if read::account_exists(&self.tx, name)? {
            return Ok(Vec::new());
        }
        match name.strip_prefix(GRANTS_PREFIX) {
            Some(slug) if !slug.contains(':') => {
                let slug = self.add_commune(slug, UNKNOWN_STATE, Some(slug))?;
                Ok(vec![
                    format!("account {name}"),
                    format!(
                        "commune {slug} (state unknown: set it with `fondo commune edit {slug} --state STATE`)"
                    ),
                ])
            }
            _ => {
                let account_type = check_account_name(name)
                    .map_err(|problem| Error::invalid(Field::ACCOUNT_ARG, name, problem))?;
                self.insert_account(name, account_type)?;
                Ok(vec![format!("account {name}")])
            }
        }
    }

    /// Creates the fund if it does not exist yet (restricted, like every fund but `general`).
    pub fn ensure_fund(&mut self, code: &str) -> Result<Vec<String>> {
        if read::fund_exists(&self.tx, code)? {
            return Ok(Vec::new());
        }
        self.add_fund(code, None, None, Restriction::Restricted)?;
        Ok(vec![format!("fund {code} (restricted)")])
    }

    /// Records a reversal of transaction `id`. A void cannot be voided, nor can a transaction
    /// twice; a grant the commune confirmed needs [`Confirmed::VoidAnyway`], which the void's
    /// memo records.
    pub fn void(
        &mut self,
        id: i64,
        reason: &str,
        mut header: Header,
        today: NaiveDate,
        confirmed: Confirmed,
    ) -> Result<i64> {
        let force = confirmed == Confirmed::VoidAnyway;
        check_text(Field::REASON, reason)?;
        let original = read::transaction(&self.tx, id)?;
        if let Some(voided) = original.voids {
            return Err(Error::Refused(format!(
                "#{id} is itself the void of #{voided}; to restore #{voided}, record it again"
            )));
        }
        if let Some(by) = original.voided_by {
            return Err(Error::Refused(format!("#{id} was already voided by #{by}")));
        }
        let mut forced = Vec::new();
        if let Some(c) = &original.confirmation {
            forced.push(format!(
                "#{id} was confirmed received by the commune on {}{}",
                c.date,
                c.reference
                    .as_deref()
                    .map(|r| format!(" (receipt {r})"))
                    .unwrap_or_default()
            ));
        }
        if let Some((reconciliation, date)) = super::reconcile::covering(&self.tx, id)? {
            forced.push(format!(
                "#{id} is covered by saved reconciliation {reconciliation} (statement of {date})"
            ));
        }
        if let Some(first) = forced.first() {
            if !force {
                return Err(Error::Refused(format!(
                    "{first}; void it anyway with --force (recorded in the void's memo)"
                )));
            }
            let note = format!("forced: {}", forced.join("; "));
            header.memo = Some(match header.memo {
                Some(memo) => format!("{memo}; {note}"),
                None => note,
            });
        }
        let original_date = original.date;
        match header.date {
            Some(date) if date < original_date => {
                return Err(Error::invalid(
                    Field::DATE,
                    date.to_string(),
                    format!(
                        "a void cannot be dated before the transaction it reverses (#{id}, {original_date})"
                    ),
                ))
            }
            Some(_) => {}
            // A void of a transaction dated in the future takes that date, not today.
            None => header.date = Some(today.max(original_date)),
        }
        let postings: Vec<_> = original.postings.iter().map(|p| p.to_new()).collect();
        let void = builders::Void {
            original_id: id,
            original_postings: &postings,
            reason,
        };
        let txn = builders::void(void, header, today);
        self.record(&txn, "cli")
    }

    /// Records a commune's acknowledgement that grant `txn_id` reached it.
    pub fn confirm(&mut self, txn_id: i64, confirmation: &Confirmation, today: NaiveDate) -> Result<i64> {
        let text =
            |field: Field, value: &Option<String>| value.as_deref().map(|v| check_text(field, v)).transpose();
        let (reference, note) = (
            text(Field::REF, &confirmation.reference)?,
            text(Field::NOTE, &confirmation.note)?,
        );
        let txn = read::transaction(&self.tx, txn_id)?;
        let grant = txn
            .postings
            .iter()
            .find(|p| p.account.starts_with(GRANTS_PREFIX) && p.amount.is_positive());
        if grant.is_none() || txn.voids.is_some() {
            return Err(Error::Refused(format!(
                "#{txn_id} is not a grant (an allocation or a direct send to a recipient), so there is nothing to confirm"
            )));
        }
        if let Some(by) = txn.voided_by {
            return Err(Error::Refused(format!(
                "#{txn_id} was voided by #{by}; a voided grant cannot be confirmed"
            )));
        }
        if let Some(c) = &txn.confirmation {
            return Err(Error::Refused(format!(
                "#{txn_id} was already confirmed on {} (confirmation {})",
                c.date, c.id
            )));
        }
        let grant_date = txn.date;
        let date = confirmation.date.unwrap_or(today);
        if !confirmed_in_time(grant_date, date) {
            return Err(Error::invalid(
                Field::DATE,
                date.to_string(),
                format!("a commune cannot confirm a grant before it was made (#{txn_id}, {grant_date})"),
            ));
        }
        let id = self.next_id("confirmations")?;
        self.append(&Entry::Confirmed {
            id,
            txn_id,
            date: hash::date_text(date),
            reference,
            note,
        })?;
        Ok(id)
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
