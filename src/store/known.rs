//! The names a ledger knows, read for shell completion: opened read-only, so completing a
//! command line never changes or creates a file; any problem gives no names.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

/// Which names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    /// Funds not closed.
    Funds,
    /// Accounts not closed.
    Accounts,
    /// Communes' slugs.
    Communes,
    Donors,
    /// The ledger's currency and those it has recorded.
    Currencies,
}

/// The names of `what` in the ledger at `path`, sorted; none if it cannot be read.
pub fn names(path: &Path, what: Known) -> Vec<String> {
    let sql = match what {
        Known::Funds => "SELECT code FROM funds WHERE NOT closed ORDER BY code",
        Known::Accounts => "SELECT name FROM accounts WHERE NOT closed ORDER BY name",
        Known::Communes => "SELECT slug FROM communes ORDER BY slug",
        Known::Donors => "SELECT name FROM donor_names ORDER BY name",
        Known::Currencies => {
            "SELECT value FROM meta WHERE key = 'currency' UNION SELECT currency FROM balances ORDER BY 1"
        }
    };
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return Vec::new();
    };
    let Ok(mut stmt) = conn.prepare(sql) else {
        return Vec::new();
    };
    let Ok(rows) = stmt.query_map([], |r| r.get::<_, String>(0)) else {
        return Vec::new();
    };
    rows.filter_map(std::result::Result::ok).collect()
}
