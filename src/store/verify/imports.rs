//! Import batches: the transactions and import keys each batch's entry recorded.

use std::collections::HashMap;

use rusqlite::Connection;

use super::walk::BatchRecord;
use super::Problems;
use crate::error::Result;
use crate::store::chain::{self, ImportKeys};
use crate::store::hash;

/// Checks that the transactions naming each import batch are the ones its entry recorded,
/// and that the import keys are the ones it wrote (a deleted key would let a re-import
/// record the same gifts twice): `keys` are their [`key_digests`].
pub(super) fn check_import_batches(
    conn: &Connection,
    batches: &[BatchRecord],
    runs: &[(i64, i64, i64)],
    keys: KeyDigests,
    problems: &mut Problems,
) -> Result<()> {
    check_batch_runs(batches, runs, problems);
    check_keys_replaced_alone(conn, problems)?;
    let KeyDigests { digests, stray } = keys;
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
pub(super) struct KeyDigests {
    digests: Vec<ImportKeys>,
    stray: u64,
}

/// Digests each batch's import keys as stored. It needs nothing from the walk but the
/// batches, so on a file it runs beside it.
pub(super) fn key_digests(conn: &Connection, batches: &[BatchRecord]) -> Result<KeyDigests> {
    let replaced = replaced_keys(conn)?;
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
    Ok(KeyDigests { digests, stray })
}
