//! Revising a transaction's private text field by field (schema 10). A transaction keeps its
//! salts where it was recorded with them; an erasure replaces a field with its placeholder
//! and zeroes that field's salt (a salt shared by three fields takes all three), a rename
//! gives the counterparty a new text with a salt of its own, kept in `revision_salts`. Each
//! change is a `text_revisions` row recorded by the entry behind it, holding only the digest
//! the transaction's hash covers for the field and, for a rename, the salted digest of the
//! text now: no text and no salt, so no record keeps a copy of a name that a later erasure
//! could not reach.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::chain::{erased_value, Revision};
use super::hash::{self, field_salt, TextForm, PRIVATE_FIELDS};
use crate::error::{Error, Result};

/// One `text_revisions` row with its salt, as `verify` and the writers read it.
#[derive(Clone, Debug)]
pub struct Revised {
    pub field: usize,
    pub entry_id: i64,
    pub erasure_id: Option<i64>,
    pub hash_digest: String,
    pub new_digest: Option<String>,
    pub salt: Option<Vec<u8>>,
}

/// Each field's latest revision, in [`PRIVATE_FIELDS`] order.
pub type Latest = [Option<Revised>; 6];

const SELECT: &str = "SELECT r.txn_id, r.field, r.entry_id, r.erasure_id, r.hash_digest, r.new_digest, s.salt
     FROM text_revisions r
     LEFT JOIN revision_salts s ON s.txn_id = r.txn_id AND s.field = r.field AND s.entry_id = r.entry_id";

fn read_row(r: &rusqlite::Row<'_>) -> Result<(i64, Revised)> {
    let field: String = r.get(1)?;
    let at = PRIVATE_FIELDS
        .iter()
        .position(|f| *f == field)
        .ok_or_else(|| Error::Corrupt(format!("a text revision names an unknown field `{field}`")))?;
    Ok((
        r.get(0)?,
        Revised {
            field: at,
            entry_id: r.get(2)?,
            erasure_id: r.get(3)?,
            hash_digest: r.get(4)?,
            new_digest: r.get(5)?,
            salt: r.get(6)?,
        },
    ))
}

/// Every transaction's revisions, oldest first (there are few).
pub fn all(conn: &Connection) -> Result<HashMap<i64, Vec<Revised>>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY r.txn_id, r.entry_id"))?;
    let mut rows = stmt.query([])?;
    let mut out: HashMap<i64, Vec<Revised>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let (txn, revised) = read_row(r)?;
        out.entry(txn).or_default().push(revised);
    }
    Ok(out)
}

/// Each field's latest revision of one transaction.
pub fn latest(conn: &Connection, txn_id: i64) -> Result<Latest> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE r.txn_id = ?1 ORDER BY r.entry_id"))?;
    let mut rows = stmt.query([txn_id])?;
    let mut out: Latest = Default::default();
    while let Some(r) = rows.next()? {
        let (_, revised) = read_row(r)?;
        let at = revised.field;
        out[at] = Some(revised);
    }
    Ok(out)
}

/// The column a transaction's salts are kept in, by the form it was recorded in.
pub fn salts_column(form: TextForm) -> &'static str {
    match form {
        TextForm::Shared => "pii_salt",
        TextForm::ThreeFields => "field_salts",
        TextForm::SixFields => "text_salts",
    }
}

/// The digest a transaction's hash covers for field `i`: a revision's, else made from its
/// text and salt.
pub fn hash_digest(
    salts: &[u8],
    latest: &Latest,
    i: usize,
    text: Option<&str>,
    txn_id: i64,
) -> Result<String> {
    if let Some(r) = &latest[i] {
        return Ok(r.hash_digest.clone());
    }
    hash::private_digest(field_salt(salts, i), PRIVATE_FIELDS[i], text).ok_or_else(|| {
        Error::Internal(format!(
            "the empty {} of #{txn_id} cannot be revised",
            PRIVATE_FIELDS[i]
        ))
    })
}

/// Writes a revised transaction's text and salts, after the entry recording the revisions.
pub fn write(conn: &Connection, txn_id: i64, texts: &[Option<String>; 6], salts: &[u8]) -> Result<()> {
    let form = TextForm::of_salts(salts)
        .ok_or_else(|| Error::Internal(format!("#{txn_id} has salts of no form fondo writes")))?;
    conn.prepare_cached(&format!(
        "UPDATE transactions SET description = ?2, counterparty = ?3, memo = ?4, reference = ?5,
                                 entered_by = ?6, source = ?7, {} = ?8
         WHERE id = ?1",
        salts_column(form)
    ))?
    .execute(params![
        txn_id, texts[0], texts[1], texts[2], texts[3], texts[4], texts[5], salts
    ])?;
    Ok(())
}

/// What erasing fields of a transaction leaves: the revisions to record, its texts and its
/// salts now.
pub struct Erased {
    pub revisions: Vec<Revision>,
    pub texts: [Option<String>; 6],
    pub salts: Vec<u8>,
}

/// Erases the fields marked in `erase` of a transaction recorded with `salts`, as erasure
/// `erasure_id`. A salt shared by the first three fields goes, and every one of them with it.
pub fn erase(
    txn_id: i64,
    texts: &[Option<String>; 6],
    salts: &[u8],
    latest: &Latest,
    mut erase: [bool; 6],
    erasure_id: i64,
) -> Result<Erased> {
    let shared = TextForm::of_salts(salts) == Some(TextForm::Shared);
    if shared && erase.contains(&true) {
        for (i, slot) in erase.iter_mut().enumerate().take(3) {
            *slot = texts[i].is_some() && latest[i].as_ref().is_none_or(|r| r.erasure_id.is_none());
        }
    }
    let mut revisions = Vec::new();
    let mut now = texts.clone();
    let mut salts_now = salts.to_vec();
    for i in (0..PRIVATE_FIELDS.len()).filter(|i| erase[*i]) {
        revisions.push(Revision {
            txn_id,
            field: PRIVATE_FIELDS[i].to_string(),
            hash_digest: hash_digest(salts, latest, i, texts[i].as_deref(), txn_id)?,
            new_digest: None,
        });
        now[i] = Some(erased_value(PRIVATE_FIELDS[i], erasure_id));
        let slot = if shared {
            &mut salts_now[..]
        } else {
            &mut salts_now[i * hash::FIELD_SALT_LEN..(i + 1) * hash::FIELD_SALT_LEN]
        };
        slot.fill(0);
    }
    Ok(Erased {
        revisions,
        texts: now,
        salts: salts_now,
    })
}

/// What is wrong with a revised transaction's field `i` as it reads now (`text`, with the
/// transaction's `salts`), given its revisions oldest first: an erased field reads exactly
/// its placeholder, its salt zero and no rename's salt left; a renamed one matches the
/// digest its rename recorded through the salt kept for it; nothing revises a field after an
/// erasure took it.
pub fn field_problems(text: Option<&str>, salts: &[u8], revisions: &[&Revised], i: usize) -> Vec<String> {
    let mut bad = Vec::new();
    let field = PRIVATE_FIELDS[i];
    if let Some(pos) = revisions.iter().position(|r| r.erasure_id.is_some()) {
        if let Some(later) = revisions.get(pos + 1) {
            bad.push(format!(
                "entry {} revised its {field} after an erasure took it",
                later.entry_id
            ));
        }
    }
    let Some(last) = revisions.last() else {
        return bad;
    };
    match (last.erasure_id, &last.new_digest) {
        (Some(erasure), _) => {
            if text != Some(erased_value(field, erasure).as_str()) {
                bad.push(format!(
                    "erasure {erasure} wrote text other than its placeholder into its {field}"
                ));
            }
            if field_salt(salts, i).iter().any(|b| *b != 0) || revisions.iter().any(|r| r.salt.is_some()) {
                bad.push(format!("its erased {field} kept a salt"));
            }
        }
        (None, Some(digest)) => {
            let matches = last.salt.as_deref().is_some_and(|salt| {
                hash::private_digest(salt, field, text).as_deref() == Some(digest.as_str())
            });
            if !matches {
                bad.push(format!(
                    "its {field} is not the text its rename (entry {}) recorded",
                    last.entry_id
                ));
            }
        }
        (None, None) => bad.push(format!("a revision of its {field} says nothing")),
    }
    bad
}
