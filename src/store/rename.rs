//! `donor rename` and `donor merge`: a donor's name as recorded changes, in the chain, and
//! every report follows because the transactions themselves read the new name. What changes
//! is each of the donor's transactions' counterparty, and the name where it stands as a
//! whole word in any transaction's description or memo (`donation from ana perez`, as fondo
//! writes a description; "refund fee for Rosa"). Each is a revision (see
//! [`super::revise`]): the entry records the salted digest of the new text and no text, the
//! new text's salt is kept apart, and the old spelling's salt is zeroed where the field had
//! one of its own — so a renamed donor can still be forgotten completely. References,
//! import file names, who entered a record and an imported row's import key stay as
//! recorded (`donor forget --former-name` erases the old spelling there). A pledge's donor
//! follows in a `pledge_donor_changed` entry, and the old spelling goes from the pledge's
//! earlier entries in an erasure of its own (their text is not a transaction's field).

use rusqlite::{params, Connection};

use super::chain::{Entry, Revision};
use super::hash::{self, private_digest, TextForm, FIELD_SALT_LEN, PRIVATE_FIELDS};
use super::revise;
use super::write::{NameRules, Writer};
use super::WriteMode;
use super::{donors, read, Ledger};
use crate::domain::names::check_name;
use crate::domain::privacy::{check_not_placeholder, NameMatch, PLACEHOLDER_PREFIX};
use crate::domain::Field;
use crate::error::{Error, Result};

/// What one rename or merge did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renamed {
    /// The name now, as stored (NFC).
    pub name: String,
    /// The transactions whose text changed.
    pub transactions: Vec<i64>,
    /// How many fields changed, in [`PRIVATE_FIELDS`] order: descriptions, counterparties, memos.
    pub fields: [usize; 3],
    /// Why the file could not be rebuilt afterwards (another process reading it), if so.
    pub not_rebuilt: Option<String>,
}

/// How the command names its two donors, for errors.
pub struct RenameArgs<'a> {
    pub from: &'a str,
    pub to: &'a str,
    /// `donor merge`: `to` is an existing donor.
    pub merge: bool,
}

/// A transaction the rename may change, as stored.
struct Named {
    id: i64,
    texts: [Option<String>; 6],
    salts: Option<Vec<u8>>,
}

impl Ledger {
    /// Renames or merges (see [`Writer::rename_donor`]) under the name rules given, then
    /// wipes the old spelling from the file's free space, as `donor forget` does; a dry run
    /// only reports what it would change.
    pub fn rename_donor(
        &mut self,
        args: &RenameArgs<'_>,
        rules: NameRules,
        dry_run: bool,
    ) -> Result<Renamed> {
        if !dry_run {
            self.conn().pragma_update(None, "secure_delete", true)?;
        }
        let renamed = self.write(WriteMode::dry_run_if(dry_run), |w| {
            w.set_name_rules(rules);
            w.rename_donor(args)
        })?;
        let mut renamed = renamed;
        // The rename is recorded either way: a rebuild that must wait is said, not an error.
        // (secure_delete already zeroed the old rows in the file; the rebuild drops the
        // write-ahead log's copies.)
        if !dry_run {
            renamed.not_rebuilt = self.wipe_free_space().err();
        }
        Ok(renamed)
    }
}

impl Writer<'_> {
    /// Gives every transaction whose counterparty is `from` the counterparty `to` (and `to`
    /// for `from` as a whole word in their descriptions and memos), recorded in the chain.
    pub fn rename_donor(&mut self, args: &RenameArgs<'_>) -> Result<Renamed> {
        let to = self.checked_new_name(args)?;
        let from = args.from;
        // Wherever it stands as a whole word, in any transaction's description or memo: the
        // anonymiser hid the old name everywhere, and must not find it shown as written now.
        let named = named_transactions(self.conn(), from, true)?;
        refuse_fixed_text(&named, from)?;
        let in_text = read::pseudonyms(self.conn())?.matcher(from);
        let mut renaming = Renaming::default();
        // Another transaction recorded before fondo could change its text keeps it (listed
        // by the note after the rename).
        for txn in named.iter().filter(|t| t.salts.is_some()) {
            renaming.rename_in(self.conn(), txn, (from, &to), &in_text)?;
        }
        self.append(&Entry::DonorRenamed {
            revised: renaming.revised,
        })?;
        let entry_id: i64 = self
            .conn()
            .query_row("SELECT max(id) FROM entries", [], |r| r.get(0))?;
        write_renamed(self.conn(), entry_id, &renaming.changes)?;
        let pledged = self.pledge_donors()?;
        self.erase_pledge_donor(from)?;
        self.follow_pledges(&pledged, from, &to)?;
        self.rebuild_donors()?;
        Ok(Renamed {
            name: to,
            transactions: renaming.changes.iter().map(|c| c.txn_id).collect(),
            fields: renaming.fields,
            not_rebuilt: None,
        })
    }

    /// The new name of a rename or merge (NFC), once `from` is known to be a donor that can be
    /// renamed and the new name one it may take.
    fn checked_new_name(&self, args: &RenameArgs<'_>) -> Result<String> {
        let (old_field, new_field) = if args.merge {
            (Field::A_ARG, Field::B_ARG)
        } else {
            (Field::OLD_ARG, Field::NEW_ARG)
        };
        let from = args.from;
        if from.starts_with(PLACEHOLDER_PREFIX) {
            return Err(Error::invalid(
                old_field,
                from,
                "a forgotten donor keeps its placeholder; it cannot be renamed or merged",
            ));
        }
        if !donors::gives_or_pledges(self.conn(), from)? {
            return Err(Error::invalid(
                old_field,
                from,
                format!(
                    "no donor has exactly this name{}; `fondo donor list` lists them as recorded",
                    donors::did_you_mean(self.conn(), from)?
                ),
            ));
        }
        let to = check_name(new_field, args.to)?;
        check_not_placeholder(new_field, &to)?;
        if to == from {
            return Err(Error::invalid(
                new_field,
                &to,
                "is the name the donor has already",
            ));
        }
        match (args.merge, donors::gives_or_pledges(self.conn(), &to)?) {
            (true, false) => {
                return Err(Error::invalid(
                    new_field,
                    &to,
                    format!(
                        "no donor has exactly this name{}; to give the donor a new name, use `fondo donor rename`",
                        donors::did_you_mean(self.conn(), &to)?
                    ),
                ))
            }
            (false, true) => {
                return Err(Error::invalid(
                    new_field,
                    &to,
                    format!(
                        "is another donor's name already; if both are one person, use `fondo donor merge \"{from}\" \"{to}\"`"
                    ),
                ))
            }
            (false, false) => self.check_donor_but(new_field, &to, Some(from))?,
            (true, true) => {}
        }
        Ok(to)
    }
}

/// Refuses a rename when a transaction that has the donor as counterparty holds it in text
/// whose hash covers it as written.
fn refuse_fixed_text(named: &[Named], from: &str) -> Result<()> {
    let fixed: Vec<String> = named
        .iter()
        .filter(|t| t.salts.is_none() && t.texts[1].as_deref() == Some(from))
        .map(|t| format!("#{}", t.id))
        .collect();
    if !fixed.is_empty() {
        return Err(Error::Refused(format!(
            "cannot rename `{from}`: {} name the donor in text whose hash covers it as written (recorded before fondo 0.2, or erased before schema 10); nothing was changed",
            fixed.join(", ")
        )));
    }
    Ok(())
}

/// One transaction's text after a rename: its texts and salts now, and the new salt of each
/// field it changed (kept apart, in `revision_salts`).
struct Change {
    txn_id: i64,
    texts: [Option<String>; 6],
    salts: Vec<u8>,
    new_salts: Vec<(&'static str, [u8; FIELD_SALT_LEN])>,
}

/// What a rename changes, gathered before it is recorded.
#[derive(Default)]
struct Renaming {
    revised: Vec<Revision>,
    changes: Vec<Change>,
    /// How many fields changed, in [`PRIVATE_FIELDS`] order.
    fields: [usize; 3],
}

impl Renaming {
    /// Renames `from` to `to` in one transaction that has salts of its own.
    fn rename_in(
        &mut self,
        conn: &Connection,
        txn: &Named,
        (from, to): (&str, &str),
        in_text: &NameMatch,
    ) -> Result<()> {
        let own = txn.texts[1].as_deref() == Some(from);
        let salts = txn.salts.as_deref().unwrap_or_default();
        let form = TextForm::of_salts(salts)
            .ok_or_else(|| Error::Corrupt(format!("#{} has salts of no form fondo writes", txn.id)))?;
        let latest = revise::latest(conn, txn.id)?;
        let mut change = Change {
            txn_id: txn.id,
            texts: txn.texts.clone(),
            salts: salts.to_vec(),
            new_salts: Vec::new(),
        };
        for (i, field) in PRIVATE_FIELDS.into_iter().enumerate().take(3) {
            let Some(text) = txn.texts[i].as_deref() else {
                continue;
            };
            let new_text = match i {
                1 if own => to.to_string(),
                1 => continue,
                _ => in_text.replace(text, to),
            };
            if new_text == text {
                continue;
            }
            let salt = hash::random::<FIELD_SALT_LEN>()?;
            self.revised.push(Revision {
                txn_id: txn.id,
                field: field.to_string(),
                hash_digest: revise::hash_digest(salts, &latest, i, Some(text), txn.id)?,
                new_digest: private_digest(&salt, field, Some(&new_text)),
            });
            if form != TextForm::Shared {
                change.salts[i * FIELD_SALT_LEN..(i + 1) * FIELD_SALT_LEN].fill(0);
            }
            change.texts[i] = Some(new_text);
            change.new_salts.push((field, salt));
            self.fields[i] += 1;
        }
        if !change.new_salts.is_empty() {
            self.changes.push(change);
        }
        Ok(())
    }
}

/// Writes the renamed transactions' texts and salts, and keeps each new salt apart under
/// the rename's entry `entry_id`.
fn write_renamed(conn: &Connection, entry_id: i64, changes: &[Change]) -> Result<()> {
    let mut keep_salt =
        conn.prepare("INSERT INTO revision_salts (txn_id, field, entry_id, salt) VALUES (?1, ?2, ?3, ?4)")?;
    // An earlier rename's salt goes: the spelling it proved must not stay confirmable.
    let mut drop_salt =
        conn.prepare("DELETE FROM revision_salts WHERE txn_id = ?1 AND field = ?2 AND entry_id < ?3")?;
    for change in changes {
        revise::write(conn, change.txn_id, &change.texts, &change.salts)?;
        for (field, salt) in &change.new_salts {
            drop_salt.execute(params![change.txn_id, field, entry_id])?;
            keep_salt.execute(params![change.txn_id, field, entry_id, salt.as_slice()])?;
        }
    }
    Ok(())
}

/// Every transaction whose counterparty is `name`, and with `in_text` every one whose
/// description or memo may hold it (to be decided word by word).
fn named_transactions(conn: &rusqlite::Connection, name: &str, in_text: bool) -> Result<Vec<Named>> {
    let mut stmt = conn.prepare(
        "SELECT id, description, counterparty, memo, reference, entered_by, source,
                coalesce(text_salts, field_salts, pii_salt)
         FROM transactions
         WHERE counterparty = ?1 OR (?2 AND (instr(description, ?1) > 0 OR instr(memo, ?1) > 0))
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![name, in_text], |r| {
        Ok(Named {
            id: r.get(0)?,
            texts: [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
            salts: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
