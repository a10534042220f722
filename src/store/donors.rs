//! The donors' names as recorded, each with its identity key and confusable skeleton
//! ([`identity`](crate::domain::identity)), in `donor_names`: how recording a gift finds an
//! existing donor its name looks like through an index, in O(log n), rather than by reading
//! every transaction. The table is derived from the transactions alone (a donor is the
//! counterparty of a transaction that posts to `income:donations`, as
//! [`read::donors`](super::read::donors) says): each write adds its donors, `donor forget`
//! rebuilds it from the transactions, and `verify` recomputes it, so no report or guard
//! trusts a row the chain cannot prove.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension};

use super::read;
use crate::domain::identity::{identity_key, likeness, skeleton, Likeness};
use crate::error::Result;

/// Remembers `name` as a donor's (nothing if it is already known).
pub(super) fn remember(conn: &Connection, name: &str) -> Result<()> {
    let known = conn
        .prepare_cached("SELECT 1 FROM donor_names WHERE name = ?1")?
        .exists([name])?;
    if !known {
        conn.prepare_cached("INSERT INTO donor_names (name, identity_key, skeleton) VALUES (?1, ?2, ?3)")?
            .execute(params![name, identity_key(name), skeleton(name)])?;
    }
    Ok(())
}

/// The existing donors `name` looks like, if it is not a known donor's name itself: at most
/// one with the same identity key, then at most one with the same skeleton. Three index
/// look-ups, whatever the size of the ledger.
pub fn look_alikes(conn: &Connection, name: &str) -> Result<Vec<(String, Likeness)>> {
    look_alikes_but(conn, name, None)
}

/// [`look_alikes`], leaving out the donor `but` (the one a rename gives `name` to).
pub fn look_alikes_but(conn: &Connection, name: &str, but: Option<&str>) -> Result<Vec<(String, Likeness)>> {
    if gives_or_pledges(conn, name)? {
        return Ok(Vec::new());
    }
    let mut candidates = Vec::new();
    for (column, value) in [("identity_key", identity_key(name)), ("skeleton", skeleton(name))] {
        let other: Option<String> = conn
            .prepare_cached(&format!(
                "SELECT name FROM donor_names WHERE {column} = ?1 AND name IS NOT ?2 ORDER BY name LIMIT 1"
            ))?
            .query_row(rusqlite::params![&value, but], |r| r.get(0))
            .optional()?;
        candidates.extend(other);
    }
    // Donors who have only pledged are in no gift, so not in `donor_names`: the few pledges
    // are compared one by one.
    let mut pledging =
        conn.prepare_cached("SELECT DISTINCT donor FROM pledges WHERE donor IS NOT ?1 ORDER BY donor")?;
    for donor in pledging.query_map([but], |r| r.get::<_, String>(0))? {
        candidates.push(donor?);
    }
    let mut found: Vec<(String, Likeness)> = Vec::new();
    // A stored name's likeness is worked out again: it may meet by both.
    for (other, how) in candidates
        .into_iter()
        .filter_map(|o| likeness(name, &o).map(|how| (o, how)))
    {
        if !found.iter().any(|(_, h)| *h == how) {
            found.push((other, how));
        }
    }
    Ok(found)
}

/// Whether a gift records `name` as its donor, exactly.
pub fn is_donor(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM donor_names WHERE name = ?1")?
        .exists([name])?)
}

/// Whether `name` is a donor's as recorded: one who gave, or one who only pledged so far
/// (`pledge add`), whom `donor rename`, `merge` and `forget` take as well.
pub fn gives_or_pledges(conn: &Connection, name: &str) -> Result<bool> {
    Ok(is_donor(conn, name)?
        || conn
            .prepare_cached("SELECT 1 FROM pledges WHERE donor = ?1")?
            .exists([name])?)
}

/// ` (did you mean \`Ana Pérez\`?)` when `name` is not a donor's but looks like one, else
/// nothing: for messages about a name typed as recorded.
pub fn did_you_mean(conn: &Connection, name: &str) -> Result<String> {
    Ok(look_alikes(conn, name)?
        .into_iter()
        .next()
        .map(|(existing, _)| format!(" (did you mean `{existing}`?)"))
        .unwrap_or_default())
}

/// Fills the table afresh from the transactions: after migrating an older ledger, and after
/// `donor forget` or `donor rename` changed the names its transactions hold.
pub(super) fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM donor_names", [])?;
    for name in read::donors(conn)? {
        remember(conn, &name)?;
    }
    Ok(())
}

/// What is wrong with the table, given the donors' names the transactions hold: rows for
/// names no gift records, gifts' names it lacks, keys that are not the names'. Counted, not
/// named: `verify`'s output goes into audit packs.
pub(super) fn problems(conn: &Connection, mut recorded: HashSet<String>) -> Result<Vec<String>> {
    let (mut extra, mut wrong) = (0, 0);
    let mut stmt = conn.prepare("SELECT name, identity_key, skeleton FROM donor_names")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let name: String = r.get(0)?;
        if !recorded.remove(&name) {
            extra += 1;
        } else if r.get::<_, String>(1)? != identity_key(&name) || r.get::<_, String>(2)? != skeleton(&name) {
            wrong += 1;
        }
    }
    let missing = recorded.len();
    let mut out = Vec::new();
    for (count, what) in [
        (extra, "name(s) that no gift records"),
        (missing, "fewer names than the gifts record: donor(s) missing"),
        (wrong, "name(s) whose identity key or skeleton is not the name's"),
    ] {
        if count > 0 {
            out.push(format!(
                "the donors' names kept for finding look-alikes hold {count} {what} (changed outside fondo)"
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::builders::{donation, Donation, Header};
    use crate::domain::{Amount, Currency, NewTransaction};
    use crate::store::{Ledger, WriteMode};

    fn gift(donor: &str) -> NewTransaction {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let d = Donation {
            amount: Amount::from_minor(100, Currency::parse("USD").unwrap()).unwrap(),
            fee: None,
            donor: donor.into(),
            fund: "general".into(),
            into: "assets:bank".into(),
            fee_to: Default::default(),
        };
        donation(d, Header::default(), day).unwrap()
    }

    #[test]
    fn look_alikes_are_found_by_key_and_by_skeleton() {
        let mut ledger = Ledger::create_in_memory(Currency::parse("USD").unwrap(), "test").unwrap();
        ledger
            .write(WriteMode::Commit, |w| w.record(&gift("Ana Pérez"), "cli"))
            .unwrap();
        let conn = ledger.conn();
        assert_eq!(look_alikes(conn, "Ana Pérez").unwrap(), vec![]);
        assert_eq!(
            look_alikes(conn, "ana  perez").unwrap(),
            vec![("Ana Pérez".to_string(), Likeness::SameKey)]
        );
        // A Cyrillic А.
        assert_eq!(
            look_alikes(conn, "\u{410}na Pérez").unwrap(),
            vec![("Ana Pérez".to_string(), Likeness::Confusable)]
        );
        assert_eq!(look_alikes(conn, "Ana Perea").unwrap(), vec![]);
        let mut names = HashSet::new();
        assert_eq!(problems(conn, names.clone()).unwrap().len(), 1);
        names.insert("Ana Pérez".to_string());
        assert!(problems(conn, names).unwrap().is_empty());
    }
}
