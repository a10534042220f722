//! `verify`: re-checks everything the store maintains against what it was derived from —
//! SQLite's own integrity, foreign keys, the one hash chain of transactions and entries,
//! that every transaction balances, that the maintained totals equal totals recomputed from
//! the postings, that every table projected from the entries equals their replay, that
//! erased text is what erasures may leave, and that import batches and keys are the ones
//! their entries recorded.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use super::chain::{self, Entry, ImportKeys, Replay, StoredEntry};
use super::erase::placeholder as erase_placeholder;
use super::hash::{
    self, PostingContent, PrivateText, TextForm, TxnContent, FIELD_SALT_LEN, GENESIS, PRIVATE_FIELDS,
};
use super::read::Names;
use super::revise;
use super::Ledger;
use crate::domain::names::DONATIONS;
use crate::domain::Field;
use crate::domain::{Amount, Currency};
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
    let sqlite_checks = spawn_sqlite_checks(ledger);
    if sqlite_checks.is_none() {
        check_sqlite(conn, &mut problems)?;
    }
    let (chain, walked) = walk(conn, expected_head)?;
    if let Some(handle) = sqlite_checks {
        let found = handle
            .join()
            .map_err(|_| Error::Internal("the integrity check stopped unexpectedly".into()))??;
        problems.extend(found);
    }
    problems.extend(walked);
    let Walk {
        replay,
        batches,
        batch_runs,
        summary,
        adopted_through,
        shared_salts_through,
        ..
    } = chain;
    for problem in replay.differences(conn)? {
        problems.push(problem);
    }
    check_import_batches(conn, &batches, &batch_runs, &mut problems)?;
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

/// SQLite's own checks read every page but need nothing from the walk: on a file, they run
/// on a second connection in another thread while the walk runs (`None` in memory).
fn spawn_sqlite_checks(ledger: &Ledger) -> Option<std::thread::JoinHandle<Result<Problems>>> {
    let path = ledger.path();
    (path != std::path::Path::new(":memory:")).then(|| {
        let path = path.to_path_buf();
        std::thread::spawn(move || -> Result<Problems> {
            let own = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let mut found = Problems::default();
            check_sqlite(&own, &mut found)?;
            Ok(found)
        })
    })
}

/// Walks the chain of transactions and entries, and checks what the walk recomputes: the
/// maintained totals and the donors' names.
fn walk<'c>(conn: &'c Connection, expected_head: Option<&'c str>) -> Result<(Walk<'c>, Problems)> {
    let names = Names::read(conn)?;
    let mut recomputed = Recomputed::default();
    let mut donors = HashSet::new();
    let mut walked = Problems::default();
    let mut chain = Walk::new(conn, chain::entries(conn)?, expected_head)?;
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

/// What is wrong with the head an auditor gave, as the walk found it.
fn head_problem(head: &str, summary: &ChainSummary) -> Option<String> {
    match &summary.head_found_at {
        None => Some(format!(
            "head {head} is not in this ledger's chain: what was recorded up to it was changed, removed or reordered"
        )),
        Some((at, link)) if summary.first_bad.is_some_and(|bad| bad <= *at) => Some(format!(
            "head {head} is {link}, but the chain is broken before it"
        )),
        Some(_) => None,
    }
}

fn check_sqlite(conn: &Connection, problems: &mut Problems) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for row in rows {
        let line = row?;
        if line != "ok" {
            problems.push(format!("sqlite integrity check: {line}"));
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    for row in rows {
        let (table, rowid, parent): (String, Option<i64>, String) = row?;
        problems.push(format!(
            "row {} of {table} points to a missing row of {parent}",
            rowid.map_or("?".to_string(), |r| r.to_string())
        ));
    }
    Ok(())
}

struct ChainSummary {
    transactions: i64,
    entries: i64,
    head: Option<String>,
    /// Where the expected head is: the link's position in the chain and what it is.
    head_found_at: Option<(u64, String)>,
    /// The position of the first link that is not as recorded.
    first_bad: Option<u64>,
    since_head: Option<SinceHead>,
}

/// An import batch as its entry recorded it.
struct BatchRecord {
    id: i64,
    txns: Option<(i64, i64)>,
    key_count: i64,
    keys_sha256: String,
    /// Its digest covers each key's salted commitment (imports since schema 9).
    salted_keys: bool,
}

/// The walk along the one chain: transactions come from the caller's stream, entries from
/// here, each entry after the transaction it names.
struct Walk<'c> {
    conn: &'c Connection,
    entries: chain::Interleave<std::vec::IntoIter<StoredEntry>>,
    expected_head: Option<&'c str>,
    prev_hash: String,
    prev_txn: i64,
    prev_entry: i64,
    position: u64,
    replay: Replay,
    batches: Vec<BatchRecord>,
    /// Runs of consecutive transactions that name the same import batch: (first, last, batch).
    batch_runs: Vec<(i64, i64, i64)>,
    problems: Problems,
    summary: ChainSummary,
    /// Entries up to this one were adopted from a schema-5 ledger by its migration.
    adopted_through: i64,
    /// Transactions up to this one were recorded with one salt shared by their text fields.
    shared_salts_through: i64,
    /// The row each entry walked so far wrote its private texts to, for an erasure of them.
    text_rows: HashMap<i64, Option<(&'static chain::Table, i64)>>,
    /// Which erasure replaced each private text of a sealed entry: (entry, field) → erasure,
    /// as `erased_entry_texts` holds it (which the replay checks in turn).
    erased_texts: HashMap<(i64, String), i64>,
}

/// What the replay of an entry looks up: postings in the ledger, earlier entries in the walk.
struct WalkLookup<'w> {
    conn: &'w Connection,
    text_rows: &'w HashMap<i64, Option<(&'static chain::Table, i64)>>,
}

impl chain::Lookup for WalkLookup<'_> {
    fn posting_id(&mut self, txn: i64, line: i64) -> Result<i64> {
        chain::posting_id(self.conn, txn, line)
    }

    fn text_row(&mut self, entry_id: i64) -> Result<Option<(&'static chain::Table, i64)>> {
        self.text_rows.get(&entry_id).copied().ok_or_else(|| {
            Error::Corrupt(format!(
                "it erases text of entry {entry_id}, which is not recorded before it"
            ))
        })
    }
}

/// What is wrong with a sealed entry's private texts: each must be the one its body's digest
/// was made of (through its own salt), or, once an erasure replaced it, exactly the value that
/// erasure writes, without a salt; none may be missing or added.
fn sealed_text_problems(
    e: &StoredEntry,
    entry: &Entry,
    digests: &chain::Digests,
    erased: &HashMap<(i64, String), i64>,
) -> Vec<String> {
    let mut bad = Vec::new();
    let expected: Vec<&str> = std::iter::once("entered_by")
        .chain(entry.private_texts().into_iter().map(|(field, _)| field))
        .collect();
    let mut fields: Vec<&str> = digests.keys().map(String::as_str).collect();
    fields.sort_unstable();
    let mut wanted = expected.clone();
    wanted.sort_unstable();
    if fields != wanted {
        bad.push(format!(
            "its body seals {} but fondo seals {} in a {}",
            fields.join(", "),
            wanted.join(", "),
            entry.kind()
        ));
    }
    if !e.entered_by.is_empty() {
        bad.push("a sealed entry names who entered it outside its texts".to_string());
    }
    for (field, digest) in digests {
        let digest = digest.as_str();
        let Some(t) = e.texts.iter().find(|t| t.field == *field) else {
            bad.push(format!("its {field} is missing (deleted outside fondo)"));
            continue;
        };
        let problem = match (&t.salt, erased.get(&(e.id, field.clone()))) {
            (Some(salt), _) => {
                let zeros = salt.iter().all(|b| *b == 0);
                if hash::private_digest(salt, field, t.text.as_deref()).as_deref() != digest {
                    Some(format!(
                        "its {field} no longer matches its digest (changed outside fondo)"
                    ))
                } else if t.text.is_none() && !zeros {
                    Some(format!("the salt of its empty {field} was changed"))
                } else {
                    None
                }
            }
            (None, None) => Some(format!("its {field} lost its salt, but no erasure records it")),
            (None, Some(erasure)) => (digest.is_none()
                || t.text.as_deref() != Some(chain::erased_value(field, *erasure).as_str()))
            .then(|| format!("erasure {erasure} wrote text other than its placeholder into its {field}")),
        };
        bad.extend(problem);
    }
    for t in e.texts.iter().filter(|t| !digests.contains_key(&t.field)) {
        bad.push(format!(
            "its {} was not recorded with it (added outside fondo)",
            t.field
        ));
    }
    bad
}

impl<'c> Walk<'c> {
    fn new(
        conn: &'c Connection,
        entries: Vec<StoredEntry>,
        expected_head: Option<&'c str>,
    ) -> Result<Walk<'c>> {
        let mut erased_texts = HashMap::new();
        let mut stmt = conn.prepare("SELECT erased_entry, field, erasure_id FROM erased_entry_texts")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            erased_texts.insert((r.get(0)?, r.get(1)?), r.get(2)?);
        }
        // Read ahead: erasures the schema entry adopted are checked by its rules. Whether it
        // is as recorded is checked when the walk reaches it.
        let (adopted_through, shared_salts_through) = match entries.first() {
            Some(first) => match first.entry() {
                Ok(Entry::Schema { adopted, .. }) => (1 + adopted, first.after_txn),
                _ => (0, 0),
            },
            None => (0, 0),
        };
        Ok(Walk {
            text_rows: HashMap::new(),
            erased_texts,
            shared_salts_through,
            adopted_through,
            conn,
            entries: chain::Interleave::new(entries),
            expected_head,
            prev_hash: GENESIS.to_string(),
            prev_txn: 0,
            prev_entry: 0,
            position: 0,
            replay: Replay::default(),
            batches: Vec::new(),
            batch_runs: Vec::new(),
            problems: Problems::default(),
            summary: ChainSummary {
                transactions: 0,
                entries: 0,
                head: None,
                head_found_at: None,
                first_bad: None,
                since_head: None,
            },
        })
    }

    /// Advances past one link whose stored hash is `hash`; `bad` lists what is wrong with it.
    /// `kind` is an entry's kind, `None` for a transaction.
    fn link(&mut self, what: String, kind: Option<&'static str>, hash: String, bad: Vec<String>) {
        self.position += 1;
        if let Some(since) = &mut self.summary.since_head {
            match kind {
                Some(kind) => *since.entries.entry(kind).or_default() += 1,
                None => since.transactions += 1,
            }
        }
        if !bad.is_empty() {
            self.summary.first_bad.get_or_insert(self.position);
            self.problems.push(format!("{what}: {}", bad.join("; ")));
        }
        if self.expected_head == Some(hash.as_str()) {
            self.summary.head_found_at = Some((self.position, what));
            self.summary.since_head = Some(SinceHead::default());
        }
        self.prev_hash = hash;
        self.summary.head = Some(self.prev_hash.clone());
    }

    /// Walks the entries recorded before transaction `next_txn`.
    fn entries_before(&mut self, next_txn: i64) {
        while let Some(e) = self.entries.next_before(next_txn) {
            self.entry(e);
        }
    }

    /// Walks the entries recorded after the last transaction.
    fn entries_after_last(&mut self) {
        while let Some(e) = self.entries.next_after_last() {
            self.entry(e);
        }
    }

    /// Checks one entry against the link before it and replays it.
    fn entry(&mut self, e: StoredEntry) {
        let mut bad = Vec::new();
        if e.id != self.prev_entry + 1 {
            bad.push(format!(
                "follows entry {}: entries are missing or out of order",
                self.prev_entry
            ));
        }
        if e.after_txn != self.prev_txn {
            bad.push(format!(
                "says it follows #{} but stands after #{}",
                e.after_txn, self.prev_txn
            ));
        }
        if e.prev_hash != self.prev_hash {
            bad.push("does not link to what was recorded before it".to_string());
        }
        if chain::entry_hash(&e.prev_hash, e.id, e.after_txn, &e.body, &e.stamp()) != e.hash {
            bad.push("stored content no longer matches its hash (changed after it was recorded)".to_string());
        }
        let mut kind = None;
        match e.open() {
            Ok((entry, digests)) => {
                kind = Some(entry.kind());
                match &digests {
                    Some(digests) => {
                        bad.extend(sealed_text_problems(&e, &entry, digests, &self.erased_texts))
                    }
                    // Its text is in its body: texts beside it would pass for it.
                    None if !e.texts.is_empty() => {
                        bad.push("texts were added beside it (outside fondo)".to_string())
                    }
                    None => {}
                }
                if (e.id == 1) != matches!(entry, Entry::Schema { .. }) {
                    bad.push(
                        "the schema entry must be the chain's first entry, and only the first".to_string(),
                    );
                }
                self.replay_entry(&e, &entry, &mut bad);
            }
            Err(why) => bad.push(why),
        }
        self.summary.entries += 1;
        self.prev_entry = e.id;
        self.link(
            format!("entry {}", e.id),
            Some(kind.unwrap_or("unreadable")),
            e.hash,
            bad,
        );
    }

    fn replay_entry(&mut self, stored: &StoredEntry, entry: &Entry, bad: &mut Vec<String>) {
        let mut lookup = WalkLookup {
            conn: self.conn,
            text_rows: &self.text_rows,
        };
        let stamp = chain::Stamp {
            entered_at: &stored.entered_at,
            entered_by: stored.author(),
        };
        let rows = entry.rows(stored.id, &stamp, &mut lookup);
        self.text_rows.insert(stored.id, entry.text_row());
        match rows {
            Ok(rows) => {
                if let Err(why) = self.replay.apply(rows) {
                    bad.push(why);
                }
            }
            Err(e) => bad.push(format!("cannot be replayed: {e}")),
        }
        if let Entry::Erasure { id, placeholder, .. } = entry {
            if *placeholder != erase_placeholder(*id) {
                bad.push(format!(
                    "erasure {id} names its placeholder `{placeholder}`; fondo writes `{}`",
                    erase_placeholder(*id)
                ));
            }
        }
        if let Entry::ImportBatch {
            id,
            first_txn,
            last_txn,
            key_count,
            keys_sha256,
            salted_keys,
            ..
        } = entry
        {
            self.batches.push(BatchRecord {
                id: *id,
                txns: first_txn.zip(*last_txn),
                key_count: *key_count,
                keys_sha256: keys_sha256.clone(),
                salted_keys: *salted_keys,
            });
        }
    }

    /// Notes that transaction `id` names import batch `batch`.
    fn in_batch(&mut self, id: i64, batch: Option<i64>) {
        let Some(batch) = batch else { return };
        match self.batch_runs.last_mut() {
            Some((_, last, b)) if *b == batch && *last + 1 == id => *last = id,
            _ => self.batch_runs.push((id, id, batch)),
        }
    }
}

/// Debits and credits recomputed from the postings, keyed by account id, fund id, currency
/// and (for the daily totals) date.
type Sums<K> = HashMap<K, (i64, i64)>;

/// A currency code or a date as fixed bytes, so keying millions of sums allocates nothing.
/// Text of another length (possible only in a damaged file) is cut or padded, and then
/// differs from what the store holds, which is reported.
fn bytes<const N: usize>(text: &str) -> [u8; N] {
    let mut out = [b'?'; N];
    for (o, b) in out.iter_mut().zip(text.bytes()) {
        *o = b;
    }
    out
}

fn text<const N: usize>(bytes: &[u8; N]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What the walk recomputes, to compare with what the store maintains.
#[derive(Default)]
struct Recomputed {
    totals: Sums<(i64, i64, [u8; 3])>,
    daily: Sums<(i64, i64, [u8; 3], [u8; 10])>,
}

impl Recomputed {
    fn add(&mut self, p: &PostingRow, date: [u8; 10]) -> Option<()> {
        let (debit, credit) = (p.amount_minor.max(0), p.amount_minor.checked_neg()?.max(0));
        let total = self
            .totals
            .entry((p.account_id, p.fund_id, p.currency))
            .or_default();
        total.0 = total.0.checked_add(debit)?;
        total.1 = total.1.checked_add(credit)?;
        let day = self
            .daily
            .entry((p.account_id, p.fund_id, p.currency, date))
            .or_default();
        day.0 = day.0.checked_add(debit)?;
        day.1 = day.1.checked_add(credit)?;
        Some(())
    }
}

/// Every transaction with what its latest erasure left, in the order they were written.
const TRANSACTIONS_SQL: &str = "SELECT t.id, t.date, t.description, t.counterparty, t.reference, t.memo, t.voids, t.entered_at,
                t.entered_by, t.source, t.prev_hash, t.hash, coalesce(t.text_salts, t.field_salts, t.pii_salt),
                e.description_digest, e.counterparty_digest, e.memo_digest,
                e.reference_digest, e.entered_by_digest, e.source_digest,
                e.description, e.counterparty, e.memo, e.reference, e.entered_by, e.source,
                e.txn_id IS NOT NULL, t.batch_id,
                (t.text_salts IS NOT NULL) + 2 * (t.field_salts IS NOT NULL) + 4 * (t.pii_salt IS NOT NULL)
         FROM transactions t
         -- The few erased transactions, each with what its latest erasure left.
         LEFT JOIN (SELECT txn_id, description_digest, counterparty_digest, memo_digest,
                           reference_digest, entered_by_digest, source_digest,
                           description, counterparty, memo, reference, entered_by, source,
                           max(erasure_id)
                    FROM erased_text GROUP BY txn_id) e ON e.txn_id = t.id
         ORDER BY t.rowid";

/// Walks transactions and their postings in the order they were written (rowid order, so no
/// index is needed), in two streams merged by transaction id. A posting out of that order in
/// a damaged file shows up as an orphan and as a hash mismatch of its transaction. Collects
/// the donors' names (the counterparties of gifts) into `donors` on the way.
fn check_transactions(
    conn: &Connection,
    names: &Names,
    chain: &mut Walk<'_>,
    recomputed: &mut Recomputed,
    donors: &mut HashSet<String>,
    problems: &mut Problems,
) -> Result<()> {
    let donations = names.account_id(DONATIONS);
    let mut txns = conn.prepare(TRANSACTIONS_SQL)?;
    let mut postings = conn.prepare(
        "SELECT txn_id, line, account_id, fund_id, currency, amount_minor FROM postings ORDER BY rowid",
    )?;
    let posting_rows = postings.query([])?;
    // The few transactions whose text was revised since schema 10, with their revisions.
    let revised = revise::all(conn)?;
    // Up to which transaction an empty field of the three-salt form may keep the random salt
    // that fondo gave it before commit 3d7f2d4, as its migration recorded (migrate.rs).
    let (salted_empty_through, record_problems) = super::migrate::salted_empty_fields_through(conn)?;
    for problem in record_problems {
        problems.push(problem);
    }
    let mut postings = PostingStream::start(posting_rows)?;
    let mut checks = TxnChecks {
        names,
        donations,
        revised,
        salted_empty_through,
        currencies: HashMap::new(),
        recomputed,
        donors,
    };
    let mut rows = txns.query([])?;
    while let Some(r) = rows.next()? {
        checks.check(TxnRow::read(r)?, chain, &mut postings)?;
    }
    chain.entries_after_last();
    postings.orphans_before(None, &mut chain.problems)?;
    problems.extend(std::mem::take(&mut chain.problems));
    Ok(())
}

/// A transaction's row as `check_transactions` reads it.
struct TxnRow<'r> {
    id: i64,
    batch_id: Option<i64>,
    date: Option<&'r str>,
    description: Option<&'r str>,
    counterparty: Option<&'r str>,
    reference: Option<&'r str>,
    memo: Option<&'r str>,
    entered_at: Option<&'r str>,
    entered_by: Option<&'r str>,
    source: Option<&'r str>,
    stored_prev: Option<&'r str>,
    voids: Option<i64>,
    stored_hash: String,
    salt: Option<&'r [u8]>,
    was_erased: bool,
    /// The digests its latest erasure kept, in [`PRIVATE_FIELDS`] order.
    kept: [Option<&'r str>; 6],
    /// Which salt columns hold salts: 1 the six-field form's, 2 the three-field, 4 the shared.
    salt_columns: i64,
    /// The texts its latest erasure left, in [`PRIVATE_FIELDS`] order.
    left: [Option<&'r str>; 6],
}

impl<'r> TxnRow<'r> {
    fn read(r: &'r rusqlite::Row<'_>) -> Result<Self> {
        let id: i64 = r.get(0)?;
        // Borrowed from the row: no allocation per field of a million transactions.
        let field = |i: usize| -> Result<Option<&'r str>> {
            Ok(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => None,
                value => Some(
                    value
                        .as_str()
                        .map_err(|_| Error::Corrupt(format!("non-text in transaction #{id}")))?,
                ),
            })
        };
        let batch_id = r.get(26)?;
        let (date, description, counterparty, reference, memo) =
            (field(1)?, field(2)?, field(3)?, field(4)?, field(5)?);
        let (entered_at, entered_by, source, stored_prev) = (field(7)?, field(8)?, field(9)?, field(10)?);
        let (voids, stored_hash) = (r.get(6)?, r.get(11)?);
        let salt = r
            .get_ref(12)?
            .as_blob_or_null()
            .map_err(|_| Error::Corrupt(format!("a salt that is not bytes in transaction #{id}")))?;
        let was_erased = r.get(25)?;
        let kept = [
            field(13)?,
            field(14)?,
            field(15)?,
            field(16)?,
            field(17)?,
            field(18)?,
        ];
        let salt_columns = r.get(27)?;
        let left = [
            field(19)?,
            field(20)?,
            field(21)?,
            field(22)?,
            field(23)?,
            field(24)?,
        ];
        Ok(TxnRow {
            id,
            batch_id,
            date,
            description,
            counterparty,
            reference,
            memo,
            entered_at,
            entered_by,
            source,
            stored_prev,
            voids,
            stored_hash,
            salt,
            was_erased,
            kept,
            salt_columns,
            left,
        })
    }

    /// Its private texts, in [`PRIVATE_FIELDS`] order.
    fn texts(&self) -> [Option<&'r str>; 6] {
        [
            self.description,
            self.counterparty,
            self.memo,
            self.reference,
            self.entered_by,
            self.source,
        ]
    }

    /// How many digests its erasure kept. A transaction recorded with six salts has a source
    /// digest (its source is never empty); one recorded before, three digests.
    fn kept_count(&self) -> usize {
        if self.kept[5].is_some() {
            6
        } else {
            3
        }
    }

    /// How its private text enters its hash.
    fn private_text<'a>(
        &'a self,
        revisions: &[revise::Revised],
        revised: &'a [Option<String>; 6],
    ) -> PrivateText<'a> {
        match (self.salt, self.was_erased) {
            (Some(salt), _) if !revisions.is_empty() => PrivateText::Revised(salt, revised),
            (Some(salt), _) => PrivateText::Salted(salt),
            (None, false) => PrivateText::Plain,
            (None, true) => PrivateText::Erased(&self.kept[..self.kept_count()]),
        }
    }

    fn revision_problems(&self, revisions: &[revise::Revised]) -> Vec<String> {
        let texts = self.texts();
        match self.salt {
            _ if revisions.is_empty() => Vec::new(),
            None => vec![
                "its text was revised, but it has no salts (they were removed outside fondo)".to_string(),
            ],
            Some(salts) => (0..PRIVATE_FIELDS.len())
                .flat_map(|i| {
                    let of_field: Vec<&revise::Revised> = revisions.iter().filter(|r| r.field == i).collect();
                    revise::field_problems(texts[i], salts, &of_field, i)
                })
                .collect(),
        }
    }

    /// Whether an empty field's salt is not the zeros fondo gives it; up to
    /// `salted_empty_through`, the three-field form may keep the random salt it once had.
    fn empty_salted(&self, private: PrivateText<'_>, salted_empty_through: i64) -> bool {
        match private {
            PrivateText::Salted(salts) | PrivateText::Revised(salts, _) => match TextForm::of_salts(salts) {
                Some(TextForm::ThreeFields) if self.id <= salted_empty_through => false,
                Some(form @ (TextForm::ThreeFields | TextForm::SixFields)) => self
                    .texts()
                    .iter()
                    .take(form.fields().len())
                    .zip(salts.chunks(FIELD_SALT_LEN))
                    .any(|(text, slot)| text.is_none() && slot.iter().any(|b| *b != 0)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Each form's salts have a column of their own: the column must be the one fondo
    /// writes for their length, and only one may hold salts.
    fn misplaced_salts(&self) -> bool {
        match self.salt.map(TextForm::of_salts) {
            None => self.salt_columns != 0,
            Some(Some(TextForm::SixFields)) => self.salt_columns != 1,
            Some(Some(TextForm::ThreeFields)) => self.salt_columns != 2,
            Some(Some(TextForm::Shared)) => self.salt_columns != 4,
            Some(None) => true,
        }
    }

    fn erased_problem(&self) -> Option<String> {
        let count = self.kept_count();
        (self.was_erased && self.texts()[..count] != self.left[..count])
            .then(|| "its text differs from what its erasure left (changed after `donor forget`)".to_string())
    }
}

/// The postings in the order they were written, taken a transaction's at a time.
struct PostingStream<'s> {
    rows: rusqlite::Rows<'s>,
    pending: Option<PostingRow>,
    own: Vec<PostingRow>,
}

impl<'s> PostingStream<'s> {
    fn start(mut rows: rusqlite::Rows<'s>) -> Result<Self> {
        let pending = rows.next()?.map(posting_of).transpose()?;
        Ok(PostingStream {
            rows,
            pending,
            own: Vec::new(),
        })
    }

    fn advance(&mut self) -> Result<()> {
        self.pending = self.rows.next()?.map(posting_of).transpose()?;
        Ok(())
    }

    /// Transaction `id`'s postings, after naming the ones before them as orphans.
    fn take(&mut self, id: i64, problems: &mut Problems) -> Result<&[PostingRow]> {
        self.orphans_before(Some(id), problems)?;
        self.own.clear();
        while let Some(p) = self.pending.take_if(|p| p.txn_id == id) {
            self.own.push(p);
            self.advance()?;
        }
        Ok(&self.own)
    }

    /// Postings of transactions that no longer exist are orphans: those before transaction
    /// `id`, or with `None` all that are left.
    fn orphans_before(&mut self, id: Option<i64>, problems: &mut Problems) -> Result<()> {
        while let Some(p) = self
            .pending
            .as_ref()
            .filter(|p| id.is_none_or(|id| p.txn_id < id))
        {
            problems.push(format!(
                "posting {} of #{} belongs to no transaction",
                p.line, p.txn_id
            ));
            self.advance()?;
        }
        Ok(())
    }
}

/// What checking each transaction needs, and what it collects.
struct TxnChecks<'a> {
    names: &'a Names,
    donations: Option<i64>,
    /// The few transactions whose text was revised since schema 10, with their revisions.
    revised: HashMap<i64, Vec<revise::Revised>>,
    salted_empty_through: i64,
    currencies: HashMap<[u8; 3], Option<Currency>>,
    recomputed: &'a mut Recomputed,
    donors: &'a mut HashSet<String>,
}

impl TxnChecks<'_> {
    /// Checks one transaction and links it into the chain.
    fn check(
        &mut self,
        row: TxnRow<'_>,
        chain: &mut Walk<'_>,
        postings: &mut PostingStream<'_>,
    ) -> Result<()> {
        let id = row.id;
        chain.entries_before(id);
        chain.in_batch(id, row.batch_id);
        let prev_id = chain.prev_txn;
        let linked = row.stored_prev == Some(chain.prev_hash.as_str());
        let own = postings.take(id, &mut chain.problems)?;
        self.collect(&row, own)?;
        let mut bad = Vec::new();
        if id != prev_id + 1 {
            bad.push(format!(
                "follows #{prev_id}: transactions are missing or out of order"
            ));
        }
        if !linked {
            bad.push("does not link to what was recorded before it".to_string());
        }
        bad.extend(self.content_problems(&row, own));
        if let Some(problem) = balance_problem(own, self.names, &mut self.currencies) {
            bad.push(problem);
        }
        chain.summary.transactions += 1;
        chain.prev_txn = id;
        chain.link(format!("transaction #{id}"), None, row.stored_hash, bad);
        Ok(())
    }

    /// Adds a gift's donor to the donors, and the postings to the recomputed totals.
    fn collect(&mut self, row: &TxnRow<'_>, own: &[PostingRow]) -> Result<()> {
        if let Some(donor) = row.counterparty.filter(|d| !self.donors.contains(*d)) {
            if own.iter().any(|p| Some(p.account_id) == self.donations) {
                self.donors.insert(donor.to_string());
            }
        }
        let day = bytes(row.date.unwrap_or_default());
        for p in own {
            self.recomputed.add(p, day).ok_or_else(|| Error::Overflow {
                what: "the totals recomputed by verify".into(),
            })?;
        }
        Ok(())
    }

    /// What is wrong with a transaction's content: its hash, the text its erasure left, its
    /// revisions and its salts.
    fn content_problems(&self, row: &TxnRow<'_>, own: &[PostingRow]) -> Vec<String> {
        let revisions = self.revised.get(&row.id).map(Vec::as_slice).unwrap_or_default();
        let mut revised_digests: [Option<String>; 6] = Default::default();
        for r in revisions {
            revised_digests[r.field] = Some(r.hash_digest.clone());
        }
        let private = row.private_text(revisions, &revised_digests);
        let mut bad = Vec::new();
        if self.hash_of(row, private, own) != row.stored_hash {
            bad.push("stored content no longer matches its hash (changed after it was recorded)".to_string());
        }
        bad.extend(row.erased_problem());
        bad.extend(row.revision_problems(revisions));
        if row.misplaced_salts() {
            bad.push("its salts are not in the column fondo writes them to".to_string());
        }
        if row.empty_salted(private, self.salted_empty_through) {
            bad.push("the salt of an empty text field was changed".to_string());
        }
        bad
    }

    /// The hash of a transaction as recomputed from its content and postings.
    fn hash_of(&self, row: &TxnRow<'_>, private: PrivateText<'_>, own: &[PostingRow]) -> String {
        let content = TxnContent {
            id: row.id,
            date: row.date.unwrap_or_default(),
            description: row.description.unwrap_or_default(),
            counterparty: row.counterparty,
            reference: row.reference,
            memo: row.memo,
            private,
            voids: row.voids,
            entered_at: row.entered_at.unwrap_or_default(),
            entered_by: row.entered_by.unwrap_or_default(),
            source: row.source.unwrap_or_default(),
        };
        hash::transaction_hash(
            row.stored_prev.unwrap_or_default(),
            &content,
            own.iter().map(|p| PostingContent {
                line: p.line,
                account: self.names.account(p.account_id),
                fund: self.names.fund(p.fund_id),
                currency: std::str::from_utf8(&p.currency).unwrap_or("?"),
                amount_minor: p.amount_minor,
            }),
        )
    }
}

/// Compares the file's schema — tables, indexes and above all triggers, which guard the
/// tables — with the one this build's migrations make: a trigger dropped, added or changed
/// outside fondo (one that copies text an erasure removes, say) is named.
fn check_schema(conn: &Connection, problems: &mut Problems) -> Result<()> {
    type Objects = BTreeMap<(String, String), Option<String>>;
    let objects = |c: &Connection| -> Result<Objects> {
        let mut stmt = c.prepare(
            "SELECT type, name, sql FROM main.sqlite_master
             WHERE NOT (name GLOB 'sqlite_autoindex_*' OR name IN ('sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4'))
             ORDER BY type, name",
        )?;
        let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let mut fresh = Connection::open_in_memory()?;
    super::migrate::migrate(&mut fresh, 0)?;
    let expected = objects(&fresh)?;
    let mut found = objects(conn)?;
    for ((kind, name), sql) in &expected {
        match found.remove(&(kind.clone(), name.clone())) {
            None => problems.push(format!(
                "schema: {kind} `{name}` is missing (dropped outside fondo)"
            )),
            Some(stored) if stored != *sql => {
                problems.push(format!("schema: {kind} `{name}` was changed outside fondo"))
            }
            Some(_) => {}
        }
    }
    for (kind, name) in found.keys() {
        problems.push(format!(
            "schema: {kind} `{name}` is not fondo's (added outside fondo)"
        ));
    }
    Ok(())
}

/// Checks that the transactions naming each import batch are the ones its entry recorded,
/// and that the import keys are the ones it wrote (a deleted key would let a re-import
/// record the same gifts twice).
fn check_import_batches(
    conn: &Connection,
    batches: &[BatchRecord],
    runs: &[(i64, i64, i64)],
    problems: &mut Problems,
) -> Result<()> {
    check_batch_runs(batches, runs, problems);
    let replaced = replaced_keys(conn)?;
    check_keys_replaced_alone(conn, problems)?;
    let (digests, stray) = key_digests(conn, batches, &replaced)?;
    if stray > 0 {
        problems.push(format!(
            "{stray} import key(s) belong to no import batch the chain recorded (added outside fondo)"
        ));
    }
    for (batch, keys) in batches.iter().zip(digests) {
        let count = keys.count;
        if count != batch.key_count || keys.finish() != batch.keys_sha256 {
            problems.push(format!(
                "import batch {}: its import keys are not the {} it wrote ({count} found, or changed): a re-import could record its rows twice",
                batch.id, batch.key_count
            ));
        }
    }
    Ok(())
}

/// Compares the runs of transactions that name each batch with the ones the chain recorded.
fn check_batch_runs(batches: &[BatchRecord], runs: &[(i64, i64, i64)], problems: &mut Problems) {
    let mut expected: Vec<(i64, i64, i64)> = batches
        .iter()
        .filter_map(|b| b.txns.map(|(first, last)| (first, last, b.id)))
        .collect();
    expected.sort_unstable();
    for run in runs.iter().filter(|run| !expected.contains(run)) {
        problems.push(format!(
            "transactions #{} to #{} name import batch {}, which the chain did not record them in",
            run.0, run.1, run.2
        ));
    }
    for batch in expected.iter().filter(|b| !runs.contains(b)) {
        problems.push(format!(
            "import batch {}: the chain recorded transactions #{} to #{} in it, but they no longer name it",
            batch.2, batch.0, batch.1
        ));
    }
}

/// The keys erasures replaced: the commitment each kept, and the token in its place.
fn replaced_keys(conn: &Connection) -> Result<HashMap<i64, (String, Vec<u8>)>> {
    let mut replaced = HashMap::new();
    let mut stmt = conn.prepare("SELECT txn_id, commitment, token FROM erased_keys")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        replaced.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
    }
    Ok(replaced)
}

/// A key is replaced only by an erasure that changed its row's text too: one that only
/// replaced keys (forged) would let a re-import record the rows again.
fn check_keys_replaced_alone(conn: &Connection, problems: &mut Problems) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT k.txn_id, k.erasure_id FROM erased_keys k
         WHERE NOT EXISTS (SELECT 1 FROM erased_transactions e WHERE e.txn_id = k.txn_id AND e.erasure_id = k.erasure_id)
         ORDER BY k.txn_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (txn, erasure): (i64, i64) = (r.get(0)?, r.get(1)?);
        problems.push(format!(
            "transaction #{txn}: erasure {erasure} replaced its import key but left its text as it was"
        ));
    }
    Ok(())
}

/// The digest of each batch's import keys as stored, and how many keys belong to no batch.
fn key_digests(
    conn: &Connection,
    batches: &[BatchRecord],
    replaced: &HashMap<i64, (String, Vec<u8>)>,
) -> Result<(Vec<ImportKeys>, u64)> {
    let mut digests: Vec<ImportKeys> = batches.iter().map(|_| ImportKeys::default()).collect();
    // (first, last, index into batches), by first transaction, to find a key's batch.
    let mut ranges: Vec<(i64, i64, usize)> = batches
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.txns.map(|(first, last)| (first, last, i)))
        .collect();
    ranges.sort_unstable();
    let mut stray = 0_u64;
    let mut stmt = conn.prepare(
        "SELECT txn_id, date, content_sha256, occurrence, key_salt FROM import_keys ORDER BY txn_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let txn: i64 = r.get(0)?;
        let batch = ranges
            .partition_point(|(first, ..)| *first <= txn)
            .checked_sub(1)
            .map(|at| ranges[at])
            .filter(|(_, last, _)| txn <= *last)
            .map(|(.., i)| i);
        let Some(i) = batch else {
            stray += 1;
            continue;
        };
        let date = r.get_ref(1)?.as_str().unwrap_or("?");
        let content = r.get_ref(2)?.as_blob().unwrap_or_default();
        let occurrence: i64 = r.get(3)?;
        let salt = r.get_ref(4)?.as_blob_or_null().unwrap_or_default();
        match (batches[i].salted_keys, salt) {
            (false, None) => digests[i].add(txn, date, content, occurrence),
            (true, Some(salt)) => {
                digests[i].add_commitment(&chain::key_commitment(salt, txn, date, content, occurrence))
            }
            // A key an erasure replaced counts by the commitment it kept, if it is the token
            // the erasure wrote; anything else (a salt where none belongs, say) cannot match.
            (true, None) => {
                let kept = replaced
                    .get(&txn)
                    .filter(|(_, token)| token == content)
                    .and_then(|(commitment, _)| hash::unhex(commitment))
                    .and_then(|c| <[u8; 32]>::try_from(c).ok());
                digests[i].add_commitment(&kept.unwrap_or_default());
            }
            (false, Some(_)) => digests[i].add_commitment(&[0; 32]),
        }
    }
    Ok((digests, stray))
}

struct PostingRow {
    txn_id: i64,
    line: i64,
    account_id: i64,
    fund_id: i64,
    currency: [u8; 3],
    amount_minor: i64,
}

fn posting_of(r: &rusqlite::Row<'_>) -> Result<PostingRow> {
    Ok(PostingRow {
        txn_id: r.get(0)?,
        line: r.get(1)?,
        account_id: r.get(2)?,
        fund_id: r.get(3)?,
        currency: bytes(r.get_ref(4)?.as_str().unwrap_or("?")),
        amount_minor: r.get(5)?,
    })
}

fn balance_problem(
    postings: &[PostingRow],
    names: &Names,
    currencies: &mut HashMap<[u8; 3], Option<Currency>>,
) -> Option<String> {
    if postings.len() < 2 {
        return Some(format!(
            "has {} posting(s); a transaction needs at least two",
            postings.len()
        ));
    }
    let mut sums: BTreeMap<([u8; 3], i64), i128> = BTreeMap::new();
    for p in postings {
        // Each code is parsed once, not once a posting.
        let currency = *currencies.entry(p.currency).or_insert_with(|| {
            std::str::from_utf8(&p.currency)
                .ok()
                .and_then(|c| Currency::parse(c).ok())
        });
        if currency.is_none_or(|c| Amount::from_minor(p.amount_minor, c).is_err()) {
            return Some(format!("posting {} holds an invalid amount or currency", p.line));
        }
        // An exact accumulator on purpose: a damaged file may hold postings whose i64 sum
        // overflows, and verify must still say which transaction fails to balance.
        *sums.entry((p.currency, p.fund_id)).or_default() += i128::from(p.amount_minor);
    }
    sums.into_iter()
        .find(|(_, sum)| *sum != 0)
        .map(|((currency, fund), sum)| {
            format!(
                "does not balance: {} in fund `{}` sums to {sum} minor units",
                text(&currency),
                names.fund(fund)
            )
        })
}

/// Compares what the store maintains (`balances`, `daily_totals`) with what the walk
/// recomputed from the postings.
fn check_maintained_totals(
    conn: &Connection,
    names: &Names,
    recomputed: Recomputed,
    problems: &mut Problems,
) -> Result<()> {
    let Recomputed {
        mut totals,
        mut daily,
    } = recomputed;
    let mut report =
        |account: i64, fund: i64, currency: &str, when: &str, stored: (i64, i64), actual: (i64, i64)| {
            if stored != actual {
                problems.push(format!(
                    "maintained total of {} / {} / {currency}{when} differs from its postings \
                 (debits off by {}, credits off by {} minor units)",
                    names.account(account),
                    names.fund(fund),
                    stored.0 - actual.0,
                    stored.1 - actual.1
                ));
            }
        };
    let mut stmt =
        conn.prepare("SELECT account_id, fund_id, currency, debit_minor, credit_minor FROM balances")?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    for row in rows {
        let (account, fund, currency, debit, credit): (i64, i64, String, i64, i64) = row?;
        let actual = totals
            .remove(&(account, fund, bytes(&currency)))
            .unwrap_or_default();
        report(account, fund, &currency, "", (debit, credit), actual);
    }
    let mut stmt = conn
        .prepare("SELECT account_id, fund_id, currency, date, debit_minor, credit_minor FROM daily_totals")?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    for row in rows {
        let (account, fund, currency, date, debit, credit): (i64, i64, String, String, i64, i64) = row?;
        let actual = daily
            .remove(&(account, fund, bytes(&currency), bytes(&date)))
            .unwrap_or_default();
        report(
            account,
            fund,
            &currency,
            &format!(" on {date}"),
            (debit, credit),
            actual,
        );
    }
    for ((account, fund, currency), actual) in totals {
        report(account, fund, &text(&currency), "", (0, 0), actual);
    }
    for ((account, fund, currency, date), actual) in daily {
        report(
            account,
            fund,
            &text(&currency),
            &format!(" on {}", text(&date)),
            (0, 0),
            actual,
        );
    }
    Ok(())
}
