//! Attached files: recording one (its bytes in `blobs` under their SHA-256, an `attached`
//! entry in the chain that seals the digest as a private text), reading them back, what an
//! erasure deletes, and what `verify` checks of the bytes. The entry's row (`attachments`) is
//! written by the chain like any other projection; an erasure replaces its digest by zeros.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::chain::Entry;
use super::write::Writer;
use super::{read, Ledger};
use crate::domain::erasure::content_names;
use crate::domain::evidence::{media_type, Target, ATTACHMENT_BYTES_MAX};
use crate::domain::names::check_text;
use crate::domain::Field;
use crate::error::{Error, Result};

/// One attachment as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: i64,
    pub target: Target,
    /// `None` once an erasure deleted its file: the digest would confirm a guess at it.
    pub sha256: Option<String>,
    pub size: i64,
    pub media_type: Option<String>,
    pub file_name: String,
    pub note: Option<String>,
    pub entered_at: String,
    pub entered_by: String,
    /// The erasure that deleted its file, if one did.
    pub erased_by: Option<i64>,
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::encode::hex(&Sha256::digest(bytes))
}

impl Writer<'_> {
    /// Attaches a file (`file_name`, its `bytes`) to `target`, storing its bytes once however
    /// often it is attached; returns the attachment as recorded.
    pub fn attach(
        &mut self,
        target: Target,
        file_name: &str,
        bytes: &[u8],
        note: Option<&str>,
    ) -> Result<AttachmentInfo> {
        let file_name = check_text(Field::FILE_ARG, file_name)?;
        let note = note.map(|n| check_text(Field::NOTE, n)).transpose()?;
        check_target(self.conn(), target)?;
        if bytes.is_empty() {
            return Err(Error::Refused(format!(
                "{file_name} is empty; an attachment is a file with something in it"
            )));
        }
        if bytes.len() as u64 > ATTACHMENT_BYTES_MAX {
            return Err(too_large(&file_name, bytes.len() as u64));
        }
        let sha256 = sha256_hex(bytes);
        let twin: Option<i64> = self
            .conn()
            .query_row(
                "SELECT id FROM attachments WHERE target = ?1 AND target_id = ?2 AND sha256 = ?3",
                params![target.kind(), target.id(), sha256],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(twin) = twin {
            return Err(Error::Refused(format!(
                "{file_name} is already attached to {target} (attachment {twin}, the same bytes)"
            )));
        }
        self.conn().execute(
            "INSERT INTO blobs (sha256, bytes) VALUES (?1, ?2) ON CONFLICT (sha256) DO NOTHING",
            params![sha256, bytes],
        )?;
        let id = self.next_attachment_id()?;
        self.append(&Entry::Attached {
            id,
            target: target.kind().to_string(),
            target_id: target.id(),
            sha256,
            size: bytes.len() as i64,
            media_type: media_type(&file_name).map(str::to_string),
            file_name,
            note,
            private_sha256: true,
        })?;
        attachment(self.conn(), id)
    }

    fn next_attachment_id(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT coalesce(max(id), 0) + 1 FROM attachments", [], |r| {
                r.get(0)
            })?)
    }

    /// Stores the bytes of a file a rebuild's pack carries, for the entry replayed next.
    pub(super) fn restore_blob(&mut self, sha256: &str, bytes: &[u8]) -> Result<()> {
        if sha256_hex(bytes) != sha256 {
            return Err(Error::Refused(format!(
                "the pack's file evidence/{sha256} does not hash to its name; it was changed after the export"
            )));
        }
        self.conn().execute(
            "INSERT INTO blobs (sha256, bytes) VALUES (?1, ?2) ON CONFLICT (sha256) DO NOTHING",
            params![sha256, bytes],
        )?;
        Ok(())
    }
}

/// The refusal of a file over [`ATTACHMENT_BYTES_MAX`]: in bytes when its size in MiB would
/// read as the limit itself ("20.0 MiB; may be at most 20 MiB").
pub fn too_large(file: &str, size: u64) -> Error {
    use crate::domain::evidence::shown_size;
    let limit = shown_size(ATTACHMENT_BYTES_MAX).replace(".0", "");
    let bytes = |n: u64| format!("{} bytes", crate::render::group_thousands(&n.to_string()));
    Error::Refused(if shown_size(size) == shown_size(ATTACHMENT_BYTES_MAX) {
        format!(
            "{file} is {}; an attachment may be at most {limit} ({})",
            bytes(size),
            bytes(ATTACHMENT_BYTES_MAX)
        )
    } else {
        format!(
            "{file} is {}; an attachment may be at most {limit}",
            shown_size(size)
        )
    })
}

/// Refuses a target the ledger does not have.
fn check_target(conn: &Connection, target: Target) -> Result<()> {
    match target {
        Target::Transaction(id) => read::transaction(conn, id).map(drop),
        Target::Confirmation(id) => {
            let found: Option<i64> = conn
                .query_row("SELECT id FROM confirmations WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            let last: i64 =
                conn.query_row("SELECT coalesce(max(id), 0) FROM confirmations", [], |r| r.get(0))?;
            match found {
                Some(_) => Ok(()),
                None if last == 0 => Err(Error::Refused(format!(
                    "no confirmation {id} in this ledger (it has none yet; `fondo confirm TXN` records one)"
                ))),
                None => Err(Error::Refused(format!(
                    "no confirmation {id} in this ledger (confirmations run from 1 to {last}; `fondo show TXN` names a grant's)"
                ))),
            }
        }
    }
}

/// An attachment's row and the erasure that deleted its file: one that lists it (since schema
/// 12), or one that listed its digest (before), unless the same bytes were attached again.
const SELECT: &str =
    "SELECT id, target, target_id, sha256, size, media_type, file_name, note, entered_at, entered_by,
            coalesce((SELECT x.erasure_id FROM erased_attachments x WHERE x.attachment_id = a.id),
                     (SELECT e.erasure_id FROM erased_blobs e
                      WHERE e.sha256 = a.sha256
                        AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = a.sha256)))
     FROM attachments a";

fn attachment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(AttachmentInfo, String)> {
    let kind: String = r.get(1)?;
    let target_id: i64 = r.get(2)?;
    let erased_by: Option<i64> = r.get(10)?;
    Ok((
        AttachmentInfo {
            id: r.get(0)?,
            target: Target::Transaction(target_id),
            sha256: if erased_by.is_some() {
                None
            } else {
                Some(r.get(3)?)
            },
            size: r.get(4)?,
            media_type: r.get(5)?,
            file_name: r.get(6)?,
            note: r.get(7)?,
            entered_at: r.get(8)?,
            entered_by: r.get(9)?,
            erased_by,
        },
        kind,
    ))
}

fn query(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<AttachmentInfo>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(args, attachment_row)?;
    let mut out = Vec::new();
    for row in rows {
        let (mut info, kind) = row?;
        info.target = Target::from_stored(&kind, info.target.id())
            .ok_or_else(|| Error::Corrupt(format!("attachment {} names a target `{kind}`", info.id)))?;
        out.push(info);
    }
    Ok(out)
}

/// Every attachment, in the order they were recorded.
pub fn attachments(conn: &Connection) -> Result<Vec<AttachmentInfo>> {
    query(conn, &format!("{SELECT} ORDER BY id"), [])
}

/// The attachments of transaction `txn_id` and of its confirmation.
pub fn attachments_of(conn: &Connection, txn_id: i64) -> Result<Vec<AttachmentInfo>> {
    query(
        conn,
        &format!(
            "{SELECT} WHERE (target = 'transaction' AND target_id = ?1)
                 OR (target = 'confirmation' AND target_id IN (SELECT id FROM confirmations WHERE txn_id = ?1))
             ORDER BY id"
        ),
        [txn_id],
    )
}

/// Attachment `id`, or the error that says which there are.
pub fn attachment(conn: &Connection, id: i64) -> Result<AttachmentInfo> {
    if let Some(found) = query(conn, &format!("{SELECT} WHERE id = ?1"), [id])?.pop() {
        return Ok(found);
    }
    let last: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM attachments", [], |r| r.get(0))?;
    Err(Error::Refused(if last == 0 {
        format!("no attachment {id} in this ledger (it has none yet; `fondo attach TXN FILE` adds one)")
    } else {
        format!("no attachment {id} in this ledger (attachments run from 1 to {last}; `fondo attachment list` lists them)")
    }))
}

/// The bytes stored under `sha256`, if they are still there.
pub fn blob(conn: &Connection, sha256: &str) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row("SELECT bytes FROM blobs WHERE sha256 = ?1", [sha256], |r| {
            r.get(0)
        })
        .optional()?)
}

impl Ledger {
    /// The bytes of attachment `id`: an erasure may have deleted them, which is said.
    pub fn attachment_bytes(&self, id: i64) -> Result<(AttachmentInfo, Vec<u8>)> {
        let info = attachment(self.conn(), id)?;
        let bytes = match &info.sha256 {
            Some(sha256) => blob(self.conn(), sha256)?,
            None => None,
        };
        match (bytes, info.erased_by) {
            (Some(bytes), _) => Ok((info, bytes)),
            (None, Some(erasure)) => Err(Error::Refused(format!(
                "attachment {id}'s file was deleted by erasure {erasure}"
            ))),
            (None, None) => Err(Error::Refused(format!(
                "attachment {id}'s file is missing from the ledger; run `fondo verify`"
            ))),
        }
    }
}

/// A stored file an erasure deletes: the attachments about the donor that hold it, and the
/// others that share its bytes (a file is stored once per content) and lose it too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasedFile {
    pub sha256: String,
    /// The attachments about the donor, each with why it is.
    pub about: Vec<(AttachmentInfo, WhyErased)>,
    pub shared: Vec<AttachmentInfo>,
    /// Whether an attachment recorded before schema 12 holds it: its entry keeps the digest,
    /// which the chain's hash covers.
    pub digest_kept: bool,
}

impl ErasedFile {
    /// Every attachment that loses the file.
    pub fn attachments(&self) -> impl Iterator<Item = &AttachmentInfo> {
        self.about.iter().map(|(a, _)| a).chain(&self.shared)
    }
}

/// Why an erasure takes an attachment to be about the donor, as `donor forget` tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhyErased {
    /// It is attached to a gift of theirs (or to its confirmation).
    OfTheirGift,
    /// Its file name or note names them.
    NamedInNameOrNote,
    /// Its bytes hold the name.
    NamedInContent,
}

impl std::fmt::Display for WhyErased {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WhyErased::OfTheirGift => "of their gift",
            WhyErased::NamedInNameOrNote => "its name or note names them",
            WhyErased::NamedInContent => "its content holds the name",
        })
    }
}

/// The stored files an erasure of a donor deletes: those attached to the transactions `txns`
/// it changes (or to their confirmations), those whose file name or note names the donor
/// (`names_donor(field, text)`), as a receipt of theirs may be attached anywhere, and those
/// whose bytes hold `name` ([`content_names`]).
pub(super) fn files_to_erase(
    conn: &Connection,
    txns: &[i64],
    name: &str,
    names_donor: &dyn Fn(&str, &str) -> bool,
) -> Result<Vec<ErasedFile>> {
    let mut about = BTreeMap::new();
    for txn in txns {
        about.extend(
            attachments_of(conn, *txn)?
                .into_iter()
                .map(|a| (a.id, WhyErased::OfTheirGift)),
        );
    }
    let all = attachments(conn)?;
    // Each stored file read once, however many attachments share it.
    let mut content_named: HashMap<&str, bool> = HashMap::new();
    for a in &all {
        if about.contains_key(&a.id) {
            continue;
        }
        if names_donor("file_name", &a.file_name) || a.note.as_deref().is_some_and(|n| names_donor("note", n))
        {
            about.insert(a.id, WhyErased::NamedInNameOrNote);
            continue;
        }
        let Some(sha256) = a.sha256.as_deref() else {
            continue;
        };
        let named = match content_named.get(sha256) {
            Some(named) => *named,
            None => {
                let named = blob(conn, sha256)?.is_some_and(|bytes| content_names(&bytes, name));
                content_named.insert(sha256, named);
                named
            }
        };
        if named {
            about.insert(a.id, WhyErased::NamedInContent);
        }
    }
    let mut files: Vec<ErasedFile> = Vec::new();
    for a in all.iter().filter(|a| about.contains_key(&a.id)) {
        let Some(sha256) = &a.sha256 else { continue };
        if !files.iter().any(|f| f.sha256 == *sha256) && blob(conn, sha256)?.is_some() {
            files.push(ErasedFile {
                sha256: sha256.clone(),
                about: Vec::new(),
                shared: Vec::new(),
                digest_kept: conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = ?1
                       AND NOT EXISTS (SELECT 1 FROM entry_texts t
                                       WHERE t.entry_id = a.entry_id AND t.field = 'sha256'))",
                    [sha256],
                    |r| r.get(0),
                )?,
            });
        }
    }
    for a in all {
        if let Some(file) = files.iter_mut().find(|f| a.sha256.as_ref() == Some(&f.sha256)) {
            if let Some(why) = about.get(&a.id) {
                file.about.push((a, *why));
            } else {
                file.shared.push(a);
            }
        }
    }
    files.sort_by(|x, y| x.sha256.cmp(&y.sha256));
    Ok(files)
}

/// Deletes the files an erasure just recorded (its `erased_attachments` rows allow it).
pub(super) fn delete_blobs(conn: &Connection, digests: &[String]) -> Result<()> {
    let mut delete = conn.prepare("DELETE FROM blobs WHERE sha256 = ?1")?;
    for sha256 in digests {
        delete.execute([sha256])?;
    }
    Ok(())
}

/// What `verify` finds wrong with the stored files: each attachment's bytes must hash to the
/// digest its entry recorded, unless an erasure deleted them (listed in `notes`); a stored
/// file no attachment records is a problem too.
pub(super) fn blob_problems(conn: &Connection, notes: &mut Vec<String>) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut recorded = HashSet::new();
    for a in attachments(conn)? {
        let place = format!("attachment {} (of {})", a.id, a.target);
        let Some(sha256) = a.sha256 else {
            if let Some(erasure) = a.erased_by {
                notes.push(format!("{place}: its file was deleted by erasure {erasure}"));
            }
            continue;
        };
        match blob(conn, &sha256)? {
            Some(bytes) if sha256_hex(&bytes) != sha256 => problems.push(format!(
                "{place}: its file's bytes changed since it was attached (they no longer hash to {sha256})"
            )),
            Some(bytes) if bytes.len() as i64 != a.size => problems.push(format!(
                "{place}: its file has {} bytes, its entry records {}",
                bytes.len(),
                a.size
            )),
            Some(_) => {}
            None => problems.push(format!(
                "{place}: its file is missing (SHA-256 {sha256}), and no erasure deleted it"
            )),
        }
        recorded.insert(sha256);
    }
    let mut stmt = conn.prepare("SELECT sha256 FROM blobs ORDER BY sha256")?;
    for sha256 in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let sha256 = sha256?;
        if !recorded.contains(&sha256) {
            problems.push(format!(
                "a stored file (SHA-256 {sha256}) belongs to no attachment"
            ));
        }
    }
    Ok(problems)
}

/// A file attached to a grant (or to its confirmation), as the public page may count and,
/// when asked, publish it: no file name and no note, which may name someone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantFile {
    pub attachment: i64,
    pub media_type: Option<String>,
    /// Its SHA-256 while its bytes are stored; `None` once an erasure deleted them.
    pub stored: Option<String>,
}

/// A commune's evidence: the files attached to its grants dated in the period, or to their
/// confirmations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommuneEvidence {
    pub commune: String,
    pub state: String,
    pub files: Vec<GrantFile>,
}

/// Each commune's evidence, by name; communes with none are left out. Only grants count: a
/// grant is a transaction that debits the commune's account (in `filter`'s fund, when it
/// names one), whose counterparty is no donor (`donor_names`, which `verify` recomputes from
/// the transactions) and that posts nothing to `income:donations`. A gift in kind booked straight to a commune names its donor and is
/// never here (docs/transparency.md).
pub fn commune_evidence(conn: &Connection, filter: &read::Filter) -> Result<Vec<CommuneEvidence>> {
    let mut stmt = conn.prepare(
        "SELECT c.name, c.state, a.id, a.media_type,
                (SELECT b.sha256 FROM blobs b WHERE b.sha256 = a.sha256
                  AND NOT EXISTS (SELECT 1 FROM erased_attachments x WHERE x.attachment_id = a.id))
         FROM attachments a
         JOIN transactions t ON t.id = CASE a.target WHEN 'transaction' THEN a.target_id
                                      ELSE (SELECT txn_id FROM confirmations WHERE id = a.target_id) END
         JOIN communes c ON EXISTS (SELECT 1 FROM postings p JOIN funds f ON f.id = p.fund_id
                                    WHERE p.txn_id = t.id AND p.account_id = c.account_id AND p.amount_minor > 0
                                      AND (?3 IS NULL OR f.code = ?3))
         WHERE (?1 IS NULL OR t.date >= ?1) AND (?2 IS NULL OR t.date <= ?2)
           AND (t.counterparty IS NULL OR t.counterparty NOT IN (SELECT name FROM donor_names))
           AND NOT EXISTS (SELECT 1 FROM postings p JOIN accounts d ON d.id = p.account_id
                           WHERE p.txn_id = t.id AND d.name = ?4)
         ORDER BY c.name, a.id",
    )?;
    let date = |d: Option<chrono::NaiveDate>| d.map(super::hash::date_text);
    let rows = stmt.query_map(
        params![
            date(filter.from),
            date(filter.to),
            filter.fund,
            crate::domain::names::DONATIONS
        ],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                GrantFile {
                    attachment: r.get(2)?,
                    media_type: r.get(3)?,
                    stored: r.get(4)?,
                },
            ))
        },
    )?;
    let mut out: Vec<CommuneEvidence> = Vec::new();
    for row in rows {
        let (commune, state, file) = row?;
        match out.last_mut() {
            Some(last) if last.commune == commune => last.files.push(file),
            _ => out.push(CommuneEvidence {
                commune,
                state,
                files: vec![file],
            }),
        }
    }
    Ok(out)
}
