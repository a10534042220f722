//! `donor forget`: erases a donor's name from the ledger while every amount stays, and the
//! chain stays whole. A transaction's hash covers salted digests of its personal text
//! ([`hash::PrivateText`](super::hash::PrivateText)), one salt per field: since schema 9 its
//! description, counterparty, memo, reference, who entered it and its source; before, the
//! first three only. Erasing keeps those digests, replaces each field that named the donor
//! with exactly the placeholder `forgotten donor N` and deletes that field's salt, so the name
//! can no longer be read or confirmed by guessing; a field that did not name the donor keeps
//! its salt, so its text stays provable. Text whose record's hash covers it as it is (the
//! reference, author and source of a transaction recorded before schema 9) cannot be erased
//! without breaking the chain: it is listed, never silently left. The erasure is an entry in
//! the one chain, naming no one: a forged one can only turn text into a placeholder, never
//! into text of the forger's choosing.

use rusqlite::{params, Connection, OptionalExtension};

use super::chain::{
    self, erased_value, key_commitment, Entry, ErasedEntryText, ErasedFields, ErasedKey, Revision,
    StoredEntry,
};
use super::hash::{self, field_salt, TextForm, PRIVATE_FIELDS};
use super::read;
use super::revise;
use super::write::Writer;
use super::Ledger;
use super::WriteMode;
use crate::domain::erasure::FileNameMatch;
use crate::domain::privacy::NameMatch;
use crate::domain::Field;
use crate::error::{Error, Result};

/// What one erasure did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erasure {
    pub id: i64,
    /// What now stands where the name was: `forgotten donor N`.
    pub placeholder: String,
    /// The transactions whose text was changed.
    pub transactions: Vec<i64>,
    /// How many fields of each kind now read as the placeholder, as the treasurer is told:
    /// `("description(s)", 2)`, … in [`FIELD_LABELS`] order.
    pub fields: Vec<(&'static str, usize)>,
    /// Text that names the donor but cannot be erased, because the hash of the record holding
    /// it covers the text itself (recorded before fondo could erase it): where (`#12`) and
    /// which field.
    pub not_erased: Vec<(String, &'static str)>,
    /// The stored files it deletes, each with every attachment that loses it.
    pub files: Vec<super::evidence::ErasedFile>,
}

/// How the treasurer is told about each kind of field an erasure replaced: a transaction's,
/// in [`PRIVATE_FIELDS`] order (who entered an entry counts with who entered a transaction),
/// then the other private texts of entries ([`ENTRY_FIELDS`]).
pub const FIELD_LABELS: [&str; 11] = [
    "description(s)",
    "counterparty field(s)",
    "memo(s)",
    "reference(s)",
    "entered-by name(s)",
    "source(s)",
    "receipt(s)",
    "note(s)",
    "file name(s)",
    "file fingerprint(s)",
    "reason(s)",
];

/// The private texts of entries, each with its place in [`FIELD_LABELS`].
const ENTRY_FIELDS: [(&str, usize); 6] = [
    ("entered_by", 4),
    ("reference", 6),
    ("note", 7),
    ("file_name", 8),
    ("file_sha256", 9),
    ("reason", 10),
];

pub use crate::domain::privacy::placeholder;

/// A transaction whose text names the donor, as stored.
struct Affected {
    id: i64,
    /// Its private fields, in [`PRIVATE_FIELDS`] order.
    texts: [Option<String>; 6],
    /// Its salts: one per field (three or six), or one shared (schema 5 and older); none
    /// once erased.
    salts: Option<Vec<u8>>,
    /// What its latest earlier erasure of the form before schema 10 left, if any.
    earlier: Option<ErasedFields>,
    /// Each field's latest revision (since schema 10).
    latest: revise::Latest,
}

impl Affected {
    /// The form its hash was recorded in; `None` for text its hash covers as it is.
    fn form(&self) -> Option<TextForm> {
        match (&self.salts, &self.earlier) {
            (Some(salts), _) => TextForm::of_salts(salts),
            (None, Some(earlier)) => Some(TextForm::of_digests(earlier.digests.len())),
            (None, None) => None,
        }
    }
}

/// What `donor forget` would do, shown before it does it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForgetPreview {
    pub erasure: Erasure,
    /// Gifts recorded with the donor as counterparty.
    pub gifts: i64,
    /// Other donors whose names differ from this one only in case, accents or spaces, with
    /// their gifts: they are not touched.
    pub other_spellings: Vec<(String, i64)>,
}

impl Ledger {
    /// What forgetting `name` would erase, computed in a write that is then rolled back.
    pub fn forget_preview(&mut self, name: &str) -> Result<ForgetPreview> {
        let erasure = self.write(WriteMode::DryRun, |w| w.forget_donor(name))?;
        let gifts = |donor: &str| -> Result<i64> {
            Ok(self.conn().query_row(
                "SELECT count(*) FROM transactions WHERE counterparty = ?1",
                [donor],
                |r| r.get(0),
            )?)
        };
        let key = crate::domain::privacy::donor_key(Some(name));
        let mut other_spellings = Vec::new();
        for donor in read::donors(self.conn())? {
            if donor != name && crate::domain::privacy::donor_key(Some(&donor)) == key {
                other_spellings.push((donor.clone(), gifts(&donor)?));
            }
        }
        Ok(ForgetPreview {
            erasure,
            gifts: gifts(name)?,
            other_spellings,
        })
    }

    /// Forgets a donor (see [`Writer::forget_donor`]) so that the name is gone from the
    /// file itself, not only from its rows: SQLite leaves stale copies of rows in the free
    /// space of pages it has split or rewritten, so the file is rebuilt (VACUUM) and the
    /// write-ahead log that held the old pages is checkpointed and emptied.
    ///
    /// Naming a placeholder (`forgotten donor N`) only rebuilds the file again, for when
    /// the rebuild after an erasure could not run.
    pub fn forget_donor(&mut self, name: &str) -> Result<Erasure> {
        let erasure = match earlier_erasure(self.conn(), name)? {
            Some(erasure) => erasure,
            None => {
                self.conn().pragma_update(None, "secure_delete", true)?;
                self.write(WriteMode::Commit, |w| w.forget_donor(name))?
            }
        };
        if let Err(e) = self.wipe_free_space() {
            return Err(Error::Refused(format!(
                "erasure {} is recorded, but the file could not be rebuilt to wipe old copies of the text ({e}); when no other fondo command is using the ledger, run `fondo donor forget \"{}\"` to rebuild it",
                erasure.id, erasure.placeholder
            )));
        }
        Ok(erasure)
    }
}

impl Ledger {
    /// Rebuilds the file (VACUUM) and empties the write-ahead log, so that no stale copy of a
    /// rewritten row is left in free space; says why when it could not.
    pub(super) fn wipe_free_space(&self) -> std::result::Result<(), String> {
        // The checkpoint waits (up to the busy timeout) for readers of older snapshots,
        // which still see the old pages; it reports rather than fails when they stay.
        let rebuilt = self.conn().execute_batch("VACUUM").and_then(|()| {
            self.conn()
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0))
        });
        match rebuilt {
            Ok(0) => Ok(()),
            Ok(_) => Err("another process is still reading the old copy".to_string()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// The erasure whose placeholder `name` is, with the transactions it changed.
fn earlier_erasure(conn: &Connection, name: &str) -> Result<Option<Erasure>> {
    let id: Option<i64> = conn
        .query_row("SELECT id FROM erasures WHERE placeholder = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?;
    // Only a placeholder fondo wrote names an earlier erasure.
    let Some(id) = id.filter(|id| placeholder(*id) == name) else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare("SELECT txn_id FROM erased_transactions WHERE erasure_id = ?1 ORDER BY txn_id")?;
    let transactions = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(Erasure {
        id,
        placeholder: name.to_string(),
        transactions,
        fields: FIELD_LABELS.iter().map(|label| (*label, 0)).collect(),
        not_erased: Vec::new(),
        files: Vec::new(),
    }))
}

/// The donor an erasure forgets, how to find them in text, and what takes their place.
struct Forgotten<'n> {
    name: &'n str,
    /// Whether a gift records the name as its donor.
    is_donor: bool,
    in_text: NameMatch,
    files: FileNameMatch,
    id: i64,
    placeholder: String,
}

impl<'n> Forgotten<'n> {
    fn new(conn: &Connection, name: &'n str) -> Result<Forgotten<'n>> {
        if crate::domain::privacy::looks_like_placeholder(name) {
            return Err(Error::invalid(
                Field::NAME_ARG,
                name,
                "reads as an erasure's placeholder, and no erasure left this one; erasing it would erase text that is no donor's name",
            ));
        }
        // A name no gift records any more (a donor's spelling before `donor rename`) is
        // erased from the text that still holds it, as a donor's would be.
        let mut all_donors = read::donors(conn)?;
        let is_donor = all_donors.iter().any(|d| d == name);
        if !is_donor {
            all_donors.push(name.to_string());
        }
        let in_text = NameMatch::new(name, all_donors.iter().map(String::as_str));
        let files = FileNameMatch::new(name, all_donors.iter().map(String::as_str));
        let id = next_erasure_id(conn)?;
        Ok(Forgotten {
            name,
            is_donor,
            in_text,
            files,
            id,
            placeholder: placeholder(id),
        })
    }

    /// Which of a transaction's private fields name the donor.
    fn fields_naming(&self, txn: &Affected) -> [bool; 6] {
        let own = txn.texts[1].as_deref() == Some(self.name);
        let names_donor = |i: usize, text: &str| {
            // An import's file name may name its donor in any form ("Pérez, Ana.csv").
            (own && (matches!(i, 1..=3) || (i == 5 && text.starts_with("import:"))))
                || self.in_text.replace(text, &self.placeholder) != text
                || (i == 5 && self.files.names_donor_in_source(text))
        };
        std::array::from_fn(|i| txn.texts[i].as_deref().is_some_and(|t| names_donor(i, t)))
    }

    /// Whether an entry's private text `field` names the donor.
    fn names_donor_in_entry(&self, field: &str, text: &str) -> bool {
        self.in_text.replace(text, &self.placeholder) != text
            || (field == "file_name" && self.files.names_donor(text))
    }
}

/// What an erasure changes in transactions, gathered before it is recorded.
#[derive(Default)]
struct ErasedTransactions {
    /// Fields of transactions recorded before schema 10.
    erased: Vec<ErasedFields>,
    /// Fields of transactions recorded since, as revisions.
    revised: Vec<Revision>,
    /// The salts left to each revised transaction.
    revised_txns: Vec<(i64, Vec<u8>)>,
    revised_fields: Vec<(i64, String)>,
    changed: Vec<i64>,
    texts_now: Vec<(i64, [Option<String>; 6])>,
    counts: [usize; FIELD_LABELS.len()],
    not_erased: Vec<(String, &'static str)>,
    keys: Vec<ErasedKey>,
}

impl ErasedTransactions {
    /// Erases what names the donor in one transaction, or lists what it cannot.
    fn erase(&mut self, conn: &Connection, who: &Forgotten<'_>, txn: &Affected) -> Result<()> {
        let wanted = who.fields_naming(txn);
        let reach = txn.form().map_or(0, |form| form.fields().len());
        for (i, field) in PRIVATE_FIELDS.iter().enumerate().skip(reach) {
            if wanted[i] && !(i < 3 && txn.form().is_none()) {
                self.not_erased.push((format!("#{}", txn.id), *field));
            }
        }
        // A field an earlier erasure took stays as it left it.
        let erased_before = |i: usize| {
            txn.earlier
                .as_ref()
                .is_some_and(|e| e.salts.get(i).is_some_and(Option::is_none))
                || txn.latest[i].as_ref().is_some_and(|r| r.erasure_id.is_some())
        };
        let erase: [bool; 6] = std::array::from_fn(|i| i < reach.max(3) && wanted[i] && !erased_before(i));
        if !erase.contains(&true) {
            // It named a longer donor's name that contains this one, or only in text
            // this erasure cannot reach.
            return Ok(());
        }
        let now = match &txn.salts {
            Some(salts) => self.revise(txn, salts, erase, who.id)?,
            None => self.erase_unrevised(conn, txn, erase, &who.placeholder)?,
        };
        for (i, count) in self.counts.iter_mut().enumerate().take(PRIVATE_FIELDS.len()) {
            if now[i] != txn.texts[i] {
                *count += 1;
            }
        }
        match erased_key(conn, txn.id)? {
            KeyToErase::None => {}
            KeyToErase::Unsalted => self.not_erased.push((format!("#{}", txn.id), "import key")),
            KeyToErase::Salted(key) => self.keys.push(key),
        }
        self.changed.push(txn.id);
        self.texts_now.push((txn.id, now));
        Ok(())
    }

    /// Erases fields of a transaction that has its salts, as revisions; its texts now.
    fn revise(
        &mut self,
        txn: &Affected,
        salts: &[u8],
        erase: [bool; 6],
        erasure_id: i64,
    ) -> Result<[Option<String>; 6]> {
        let erased = revise::erase(txn.id, &txn.texts, salts, &txn.latest, erase, erasure_id)?;
        self.revised_fields
            .extend(erased.revisions.iter().map(|r| (r.txn_id, r.field.clone())));
        self.revised.extend(erased.revisions);
        self.revised_txns.push((txn.id, erased.salts));
        Ok(erased.texts)
    }

    /// Erases fields of a transaction an erasure of the form before schema 10 left; its
    /// texts now.
    fn erase_unrevised(
        &mut self,
        conn: &Connection,
        txn: &Affected,
        erase: [bool; 6],
        placeholder: &str,
    ) -> Result<[Option<String>; 6]> {
        let fields = erase_fields(txn, erase, placeholder)?;
        self.not_erased
            .extend(kept_by_earlier_erasures(conn, txn.id, erase)?);
        let now = std::array::from_fn(|i| {
            fields
                .texts
                .get(i)
                .cloned()
                .unwrap_or_else(|| txn.texts[i].clone())
        });
        self.erased.push(fields);
        Ok(now)
    }

    /// Counts the entries' private texts an erasure replaces, by kind.
    fn count_entry_texts(&mut self, entry_texts: &[ErasedEntryText]) {
        for e in entry_texts {
            for field in &e.fields {
                if let Some((_, at)) = ENTRY_FIELDS.iter().find(|(f, _)| f == field) {
                    self.counts[*at] += 1;
                }
            }
        }
    }
}

impl Writer<'_> {
    /// Replaces each private field that names `name` as a whole word (a source, also where
    /// its file name does in another spelling — see [`FileNameMatch`]), and the counterparty,
    /// memo and reference of the donor's own gifts, with the placeholder, and records the
    /// erasure. Fields it cannot erase are listed in [`Erasure::not_erased`].
    pub fn forget_donor(&mut self, name: &str) -> Result<Erasure> {
        let who = Forgotten::new(self.conn(), name)?;
        let mut txns = ErasedTransactions::default();
        for txn in affected(self.conn(), name, &who.files)? {
            txns.erase(self.conn(), &who, &txn)?;
        }
        let names_donor = |field: &str, text: &str| who.names_donor_in_entry(field, text);
        // A receipt attached to the donor's gift, or naming them (in its name, note or
        // content), is about them: its bytes go,
        // and so does the digest that would confirm a guess at them.
        let files = super::evidence::files_to_erase(self.conn(), &txns.changed, name, &names_donor)?;
        let erased_files = ErasedFiles::of(&files);
        let entry_texts = entry_texts_to_erase(
            self.conn(),
            &names_donor,
            &txns.changed,
            &erased_files,
            &mut txns.not_erased,
        )?;
        if !who.is_donor && txns.changed.is_empty() && entry_texts.is_empty() {
            return Err(Error::invalid(
                Field::NAME_ARG,
                name,
                format!(
                    "no donor has exactly this name, and no text names it{}; `fondo donor list` lists the donors as recorded",
                    super::donors::did_you_mean(self.conn(), name)?
                ),
            ));
        }
        txns.count_entry_texts(&entry_texts);
        let pledged = self.pledge_donors()?;
        let author = self.erasure_author(&who);
        self.append_by(
            &Entry::Erasure {
                id: who.id,
                placeholder: who.placeholder.clone(),
                erased: std::mem::take(&mut txns.erased),
                keys: txns.keys.clone(),
                entry_texts: entry_texts.clone(),
                revised: std::mem::take(&mut txns.revised),
                blobs: Vec::new(),
                attachments: erased_files.attachments.clone(),
            },
            &author,
        )?;
        write_erased_texts(self.conn(), who.id, &entry_texts, &txns)?;
        super::evidence::delete_blobs(self.conn(), &erased_files.digests)?;
        self.keep_pledge_donors(&pledged, name)?;
        // The donors' names follow the counterparties just replaced.
        self.rebuild_donors()?;
        super::outputs::forget_paths_naming(self.conn(), &who.files)?;
        Ok(Erasure {
            id: who.id,
            placeholder: who.placeholder,
            transactions: txns.changed,
            fields: FIELD_LABELS.iter().copied().zip(txns.counts).collect(),
            not_erased: txns.not_erased,
            files,
        })
    }

    /// Who the erasure's entry says entered it: the placeholder when the treasurer who
    /// forgets a donor is that donor (`--by`, FONDO_USER).
    fn erasure_author(&self, who: &Forgotten<'_>) -> String {
        let actor = self.actor().to_string();
        // Any spelling that names them: `Ana Pérez`, `anaperez` (a login), `Pérez, Ana`, `Аna`.
        let same_person = {
            use crate::domain::identity::{identity_key, skeleton};
            identity_key(&skeleton(&actor)) == identity_key(&skeleton(who.name))
                || who.files.names_donor(&actor)
        };
        if same_person || who.names_donor_in_entry("entered_by", &actor) {
            who.placeholder.clone()
        } else {
            actor
        }
    }
}

impl Writer<'_> {
    /// `donor rename` and `donor merge`: the old spelling `from` goes from the entries that
    /// record it as a pledge's donor, as `donor forget` erases an entry's text, in an erasure
    /// that changes nothing else; so neither text nor salt is left to confirm it. The caller
    /// records the pledge's donor again ([`Writer::follow_pledges`]).
    pub(super) fn erase_pledge_donor(&mut self, from: &str) -> Result<()> {
        let entry_texts: Vec<ErasedEntryText> = self
            .conn()
            .prepare(
                "SELECT entry_id FROM entry_texts
                 WHERE field = 'donor' AND text = ?1 AND salt IS NOT NULL ORDER BY entry_id",
            )?
            .query_map([from], |r| r.get(0))?
            .map(|entry_id| {
                Ok(ErasedEntryText {
                    entry_id: entry_id?,
                    fields: vec!["donor".to_string()],
                })
            })
            .collect::<rusqlite::Result<_>>()?;
        if entry_texts.is_empty() {
            return Ok(());
        }
        let id = next_erasure_id(self.conn())?;
        self.append(&Entry::Erasure {
            id,
            placeholder: placeholder(id),
            erased: Vec::new(),
            keys: Vec::new(),
            entry_texts: entry_texts.clone(),
            revised: Vec::new(),
            blobs: Vec::new(),
            attachments: Vec::new(),
        })?;
        write_erased_texts(self.conn(), id, &entry_texts, &ErasedTransactions::default())
    }
}

/// The number the next erasure takes.
fn next_erasure_id(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM erasures", [], |r| r.get(0))?)
}

/// Writes what an erasure replaced: entries' texts, import keys and transactions' fields.
fn write_erased_texts(
    conn: &Connection,
    erasure_id: i64,
    entry_texts: &[ErasedEntryText],
    txns: &ErasedTransactions,
) -> Result<()> {
    let mut replace_text =
        conn.prepare("UPDATE entry_texts SET text = ?3, salt = NULL WHERE entry_id = ?1 AND field = ?2")?;
    for e in entry_texts {
        for field in &e.fields {
            replace_text.execute(params![e.entry_id, field, erased_value(field, erasure_id)])?;
        }
    }
    let mut replace_key =
        conn.prepare("UPDATE import_keys SET content_sha256 = ?2, key_salt = NULL WHERE txn_id = ?1")?;
    for key in &txns.keys {
        let token =
            hash::unhex(&key.token).ok_or_else(|| Error::Internal("a token that is not hex".into()))?;
        replace_key.execute(params![key.txn_id, token])?;
    }
    let mut update = conn.prepare(
        "UPDATE transactions SET description = ?2, counterparty = ?3, memo = ?4, reference = ?5,
                                 entered_by = ?6, source = ?7, pii_salt = NULL, field_salts = NULL,
                                 text_salts = NULL
         WHERE id = ?1",
    )?;
    for (txn_id, now) in &txns.texts_now {
        match txns.revised_txns.iter().find(|(t, _)| t == txn_id) {
            Some((_, salts_now)) => revise::write(conn, *txn_id, now, salts_now)?,
            None => {
                update.execute(params![txn_id, now[0], now[1], now[2], now[3], now[4], now[5]])?;
            }
        }
    }
    // A rename's salt of an erased field goes with it.
    let mut drop_salt = conn.prepare("DELETE FROM revision_salts WHERE txn_id = ?1 AND field = ?2")?;
    for r in &txns.revised_fields {
        drop_salt.execute(params![r.0, r.1])?;
    }
    Ok(())
}

/// The stored files an erasure deletes: their digests, and every attachment that loses its
/// file (its own digest erased with it, where its entry seals it).
struct ErasedFiles {
    digests: Vec<String>,
    attachments: Vec<i64>,
}

impl ErasedFiles {
    fn of(files: &[super::evidence::ErasedFile]) -> ErasedFiles {
        let mut attachments: Vec<i64> = files.iter().flat_map(|f| f.attachments().map(|a| a.id)).collect();
        attachments.sort_unstable();
        ErasedFiles {
            digests: files.iter().map(|f| f.sha256.clone()).collect(),
            attachments,
        }
    }

    /// Whether `entry` attached a file this erasure deletes.
    fn holds(&self, entry: &Entry) -> bool {
        matches!(entry, Entry::Attached { id, .. } if self.attachments.contains(id))
    }
}

/// The private texts of entries that name the donor (`names_donor(field, text)`): those of
/// sealed entries, to erase, and those of entries recorded before, which their hash covers as
/// written, added to `not_erased`. An import's file fingerprint goes with the file name, and
/// wherever the import recorded a row this erasure changes (the file held the name, so its
/// SHA-256 would confirm a guess at it), and so does every import of the same file; so does
/// the digest of an attached file the erasure deletes (`files`).
fn entry_texts_to_erase(
    conn: &Connection,
    names_donor: &dyn Fn(&str, &str) -> bool,
    changed: &[i64],
    files: &ErasedFiles,
    not_erased: &mut Vec<(String, &'static str)>,
) -> Result<Vec<ErasedEntryText>> {
    let entries: Vec<(StoredEntry, Entry)> = chain::entries(conn)?
        .into_iter()
        .filter_map(|e| {
            let entry = e.entry().ok()?;
            Some((e, entry))
        })
        .collect();
    let mut fingerprints = std::collections::HashSet::new();
    for (_, entry) in &entries {
        if let Entry::ImportBatch {
            file_name,
            file_sha256,
            first_txn,
            last_txn,
            ..
        } = entry
        {
            let held = first_txn
                .zip(*last_txn)
                .is_some_and(|(first, last)| changed.iter().any(|t| (first..=last).contains(t)));
            if held || names_donor("file_name", file_name) {
                fingerprints.insert(file_sha256.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (stored, entry) in &entries {
        let texts =
            std::iter::once(("entered_by", Some(stored.author().to_string()))).chain(entry.private_texts());
        let mut fields = Vec::new();
        for (field, text) in texts {
            let Some(text) = text else { continue };
            let named = match field {
                "file_sha256" => fingerprints.contains(&text),
                "sha256" => files.holds(entry),
                // A file attached to a transaction the erasure changed is about the donor.
                "file_name" | "note" if attached_to(entry, changed) => true,
                _ => names_donor(field, &text),
            };
            if !named {
                continue;
            }
            let sealed = stored.texts.iter().find(|t| t.field == field);
            match sealed {
                // Erased before: it stays as that erasure left it.
                Some(t) if t.salt.is_none() => {}
                Some(_) => fields.push(field.to_string()),
                None => not_erased.push((place(entry, stored.id), field)),
            }
        }
        if !fields.is_empty() {
            out.push(ErasedEntryText {
                entry_id: stored.id,
                fields,
            });
        }
    }
    Ok(out)
}

/// Whether `entry` attached a file to one of the transactions `txns`.
fn attached_to(entry: &Entry, txns: &[i64]) -> bool {
    matches!(entry, Entry::Attached { target, target_id, .. }
        if target == "transaction" && txns.contains(target_id))
}

/// How the treasurer is told where an entry's text is.
fn place(entry: &Entry, entry_id: i64) -> String {
    match entry {
        Entry::Confirmed { id, .. } => format!("confirmation {id}"),
        Entry::ImportBatch { id, .. } => format!("import batch {id}"),
        Entry::Reconciled { id, .. } => format!("reconciliation {id}"),
        Entry::LockOverridden { txn_id, .. } => format!("the forced date of #{txn_id}"),
        Entry::Attached { id, .. } => format!("attachment {id}"),
        _ => format!("entry {entry_id}"),
    }
}

/// What an erasure does to the import key of a transaction it changed.
enum KeyToErase {
    /// It has none (not imported, imported with a reference, or replaced before).
    None,
    /// Its batch's digest covers the key itself (an import recorded before schema 9): it stays.
    Unsalted,
    /// Replaced by a random token; its batch's digest keeps the key's commitment.
    Salted(ErasedKey),
}

fn erased_key(conn: &Connection, txn_id: i64) -> Result<KeyToErase> {
    type Key = (String, Vec<u8>, i64, Option<Vec<u8>>, bool);
    let key: Option<Key> = conn
        .query_row(
            "SELECT date, content_sha256, occurrence, key_salt,
                    EXISTS (SELECT 1 FROM erased_keys e WHERE e.txn_id = k.txn_id)
             FROM import_keys k WHERE txn_id = ?1",
            [txn_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    Ok(match key {
        None | Some((.., true)) => KeyToErase::None,
        Some((_, _, _, None, false)) => KeyToErase::Unsalted,
        Some((date, content, occurrence, Some(salt), false)) => {
            let token = hash::random::<32>()?;
            KeyToErase::Salted(ErasedKey {
                txn_id,
                commitment: hash::hex(&key_commitment(&salt, txn_id, &date, &content, occurrence)),
                token: hash::hex(&token),
            })
        }
    })
}

/// What erasing the fields marked in `erase` leaves of a transaction.
fn erase_fields(txn: &Affected, erase: [bool; 6], placeholder: &str) -> Result<ErasedFields> {
    let Some(form) = txn.form() else {
        return Err(Error::Refused(format!(
            "transaction #{} was recorded before fondo could erase text (ledger schema 3 or older): its hash covers the text itself, so erasing it would break the chain",
            txn.id
        )));
    };
    let fields = form.fields();
    let texts = |erase: &dyn Fn(usize) -> bool| -> Vec<Option<String>> {
        (0..fields.len())
            .map(|i| match &txn.texts[i] {
                Some(_) if erase(i) => Some(placeholder.to_string()),
                text => text.clone(),
            })
            .collect()
    };
    match (&txn.salts, &txn.earlier) {
        (Some(salts), _) => {
            // A salt shared by the fields (recorded before fondo 0.2) would open the erased
            // fields too, so it goes entirely, and every field is erased: a field kept
            // without its salt could not be told from a forged one.
            let shared = form == TextForm::Shared;
            Ok(ErasedFields {
                txn_id: txn.id,
                digests: (0..fields.len())
                    .map(|i| hash::private_digest(field_salt(salts, i), fields[i], txn.texts[i].as_deref()))
                    .collect(),
                texts: texts(&|i| shared || erase[i]),
                salts: (0..fields.len())
                    .map(|i| (!shared && !erase[i]).then(|| hash::hex(field_salt(salts, i))))
                    .collect(),
            })
        }
        (None, Some(earlier)) => Ok(ErasedFields {
            txn_id: txn.id,
            digests: earlier.digests.clone(),
            texts: texts(&|i| erase[i]),
            salts: earlier
                .salts
                .iter()
                .enumerate()
                .map(|(i, salt)| salt.clone().filter(|_| !erase[i]))
                .collect(),
        }),
        (None, None) => Err(Error::Internal(format!(
            "transaction #{} has neither salts nor an erasure",
            txn.id
        ))),
    }
}

/// Every transaction that may name `name` in its private text (to be decided field by
/// field), or whose counterparty it is.
fn affected(conn: &Connection, name: &str, files: &FileNameMatch) -> Result<Vec<Affected>> {
    // Imports whose file name names the donor, in any spelling: their rows' sources hold it.
    let mut batches = Vec::new();
    let mut stmt = conn.prepare("SELECT id, file_name FROM import_batches")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let file_name: String = r.get(1)?;
        if files.names_donor(&file_name) {
            batches.push(r.get::<_, i64>(0)?);
        }
    }
    // Integers only, written by us: nothing a user typed goes into the statement's text.
    let batches: Vec<String> = batches.iter().map(i64::to_string).collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT t.id, t.description, t.counterparty, t.memo, t.reference, t.entered_by, t.source,
                coalesce(t.text_salts, t.field_salts, t.pii_salt)
         FROM transactions t
         WHERE t.counterparty = ?1 OR instr(t.description, ?1) > 0 OR instr(t.memo, ?1) > 0
            OR instr(t.reference, ?1) > 0 OR instr(t.entered_by, ?1) > 0 OR instr(t.source, ?1) > 0
            OR t.batch_id IN ({})
         ORDER BY t.id",
        batches.join(", ")
    ))?;
    let rows = stmt.query_map(params![name], |r| {
        Ok(Affected {
            id: r.get(0)?,
            texts: [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
            salts: r.get(7)?,
            earlier: None,
            latest: Default::default(),
        })
    })?;
    let mut out: Vec<Affected> = rows.collect::<rusqlite::Result<_>>()?;
    for txn in &mut out {
        match txn.salts {
            None => txn.earlier = latest_erased(conn, txn.id)?,
            Some(_) => txn.latest = revise::latest(conn, txn.id)?,
        }
    }
    Ok(out)
}

/// Where an erasure recorded before schema 10 kept a copy of text this one erases (of the
/// fields marked in `erase` of transaction `txn_id`): its entry holds the text as it was,
/// and its hash covers it, so that copy stays and is listed.
fn kept_by_earlier_erasures(
    conn: &Connection,
    txn_id: i64,
    erase: [bool; 6],
) -> Result<Vec<(String, &'static str)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT erasure_id, {} FROM erased_text WHERE txn_id = ?1 ORDER BY erasure_id",
        erased_select()
    ))?;
    let mut rows = stmt.query([txn_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let erasure: i64 = r.get(0)?;
        let (_, texts, _) = erased_values(r, 1)?;
        for (i, field) in PRIVATE_FIELDS.iter().enumerate() {
            let kept_text = texts.get(i).cloned().flatten();
            if erase[i]
                && kept_text.is_some_and(|t| !t.starts_with(crate::domain::privacy::PLACEHOLDER_PREFIX))
            {
                out.push((format!("erasure {erasure} of #{txn_id}"), *field));
            }
        }
    }
    Ok(out)
}

/// The columns of `erased_text` for field `i`'s digest, text and salt.
fn erased_columns(i: usize) -> [String; 3] {
    let field = PRIVATE_FIELDS[i];
    [
        format!("{field}_digest"),
        field.to_string(),
        format!("{field}_salt"),
    ]
}

/// `erased_text`'s digests, texts and salts, as one SELECT list in that order.
fn erased_select() -> String {
    (0..3)
        .flat_map(|k| (0..PRIVATE_FIELDS.len()).map(move |i| erased_columns(i)[k].clone()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Digests, texts and salts read from `erased_text` from column `at` on (see
/// [`erased_select`]): three fields for a transaction recorded before schema 9 (its
/// `source_digest` is NULL), six since.
type ErasedColumns = (Vec<Option<String>>, Vec<Option<String>>, Vec<Option<Vec<u8>>>);

fn erased_values(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<ErasedColumns> {
    let all = PRIVATE_FIELDS.len();
    let source_digest: Option<String> = r.get(at + all - 1)?;
    let n = if source_digest.is_some() { all } else { 3 };
    let digests = (0..n).map(|i| r.get(at + i)).collect::<rusqlite::Result<_>>()?;
    let texts = (0..n)
        .map(|i| r.get(at + all + i))
        .collect::<rusqlite::Result<_>>()?;
    let salts = (0..n)
        .map(|i| r.get(at + 2 * all + i))
        .collect::<rusqlite::Result<_>>()?;
    Ok((digests, texts, salts))
}

/// What the latest erasure of transaction `txn_id` left, if it was erased.
pub(crate) fn latest_erased(conn: &Connection, txn_id: i64) -> Result<Option<ErasedFields>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {} FROM erased_text WHERE txn_id = ?1 ORDER BY erasure_id DESC LIMIT 1",
            erased_select()
        ))?
        .query_row([txn_id], |r| {
            let (digests, texts, salts) = erased_values(r, 0)?;
            Ok(ErasedFields {
                txn_id,
                digests,
                texts,
                salts: salts.into_iter().map(|s| s.map(|b| hash::hex(&b))).collect(),
            })
        })
        .optional()?)
}

/// One row of `erased_text`, as the history check reads it.
struct ErasedRow {
    txn_id: i64,
    erasure_id: i64,
    digests: Vec<Option<String>>,
    texts: Vec<Option<String>>,
    salts: Vec<Option<Vec<u8>>>,
    entry_id: i64,
}

/// Checks what each erasure left of each transaction, erasure after erasure: a field kept
/// still matches its digest through its own salt; a field erased now reads exactly as this
/// erasure's placeholder (or stays empty if it was); a field erased before stays as it was
/// left and never gets its salt back. So an erasure, forged or not, can hide a name but never
/// write text of its own. Erasures adopted from a schema-5 ledger (`entry_id` up to
/// `adopted_through`) replaced names inside text, and are proven by their entries alone.
/// Transactions up to `shared_salts_through` had one salt for all their text: an erasure
/// keeps none of it (it would open the erased fields).
pub(crate) fn erasure_history_problems(
    conn: &Connection,
    adopted_through: i64,
    shared_salts_through: i64,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT txn_id, erasure_id, entry_id, {} FROM erased_text ORDER BY txn_id, erasure_id",
        erased_select()
    ))?;
    let rows = stmt.query_map([], |r| {
        let (digests, texts, salts) = erased_values(r, 3)?;
        Ok(ErasedRow {
            txn_id: r.get(0)?,
            erasure_id: r.get(1)?,
            entry_id: r.get(2)?,
            digests,
            texts,
            salts,
        })
    })?;
    let mut problems = Vec::new();
    let mut before: Option<ErasedRow> = None;
    for row in rows {
        let row = row?;
        let earlier = before.take().filter(|b| b.txn_id == row.txn_id);
        if earlier
            .as_ref()
            .is_some_and(|e| e.digests.len() != row.digests.len())
        {
            problems.push(format!(
                "transaction #{}: erasure {} covers other fields than the erasure before it",
                row.txn_id, row.erasure_id
            ));
        } else if row.entry_id > adopted_through {
            for (i, field) in PRIVATE_FIELDS.iter().enumerate().take(row.digests.len()) {
                let shared = row.txn_id <= shared_salts_through;
                if let Some(why) = field_problem(&row, earlier.as_ref(), i, shared) {
                    problems.push(format!(
                        "transaction #{}: erasure {} {why} its {field}",
                        row.txn_id, row.erasure_id
                    ));
                }
            }
        }
        before = Some(row);
    }
    Ok(problems)
}

/// What is wrong with field `i` of an erasure's row, given the erasure before it.
fn field_problem(
    row: &ErasedRow,
    earlier: Option<&ErasedRow>,
    i: usize,
    shared: bool,
) -> Option<&'static str> {
    let text = row.texts[i].as_deref();
    let erased_before = earlier.is_some_and(|e| e.salts[i].is_none());
    match &row.salts[i] {
        Some(_) if shared => Some("kept a salt shared with its erased fields in"),
        Some(_) if erased_before => Some("gave a salt back to"),
        Some(salt) => (hash::private_digest(salt, PRIVATE_FIELDS[i], text) != row.digests[i])
            .then_some("kept, but no longer matches the digest of,"),
        None if erased_before => (text != earlier.and_then(|e| e.texts[i].as_deref()))
            .then_some("changed what an earlier erasure left in"),
        None => {
            let expected = row.digests[i].as_ref().map(|_| placeholder(row.erasure_id));
            (text != expected.as_deref()).then_some("wrote text other than its placeholder into")
        }
    }
}
