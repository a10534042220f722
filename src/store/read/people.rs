//! Who gave and who entered: the lists pseudonyms are made from.

use rusqlite::Connection;

use super::strings;
use crate::error::{Error, Result};

/// Stable pseudonyms for everyone who has given.
pub fn pseudonyms(conn: &Connection) -> Result<crate::domain::privacy::Pseudonyms> {
    labelled(donors(conn)?, "donor")
}

/// Everyone who entered a transaction or an entry (`--by`, else the login name), as
/// `user-0001`, ... in the order they first did: the treasurer is often a donor too.
pub fn people(conn: &Connection) -> Result<crate::domain::privacy::Pseudonyms> {
    let people = strings(
        conn,
        "SELECT entered_by FROM (SELECT entered_by, entered_at FROM transactions
                                 UNION ALL
                                 -- A sealed entry keeps who entered it among its texts
                                 -- (its own `entered_by` is empty).
                                 SELECT CASE e.entered_by WHEN '' THEN coalesce(t.text, '') ELSE e.entered_by END,
                                        e.entered_at FROM entries e
                                 LEFT JOIN entry_texts t ON t.entry_id = e.id AND t.field = 'entered_by')
         GROUP BY entered_by ORDER BY min(entered_at), entered_by",
    )?;
    labelled(people, "user")
}

fn labelled(names: Vec<String>, prefix: &str) -> Result<crate::domain::privacy::Pseudonyms> {
    let count = names.len();
    crate::domain::privacy::Pseudonyms::labelled(names, prefix).map_err(|e| {
        Error::Refused(format!(
            "invalid {prefix} names `{count} names`: too many to pseudonymise at once ({e})"
        ))
    })
}

/// Everyone who has given, in the order of their first gift: the counterparties of
/// transactions that credit `income:donations`. The order makes pseudonyms stable.
pub fn donors(conn: &Connection) -> Result<Vec<String>> {
    strings(
        conn,
        "SELECT t.counterparty FROM transactions t
         WHERE t.counterparty IS NOT NULL AND EXISTS (
             SELECT 1 FROM postings p JOIN accounts a ON a.id = p.account_id
             WHERE p.txn_id = t.id AND a.name = 'income:donations')
         GROUP BY t.counterparty ORDER BY min(t.id)",
    )
}
