//! The ledger's settings: its currency, its name, the disclosure rules.

use rusqlite::{Connection, OptionalExtension};

use super::currency;
use crate::domain::Currency;
use crate::error::{Error, Result};

pub(crate) fn default_currency(conn: &Connection) -> Result<Currency> {
    let code: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'currency'", [], |r| r.get(0))
        .optional()?;
    currency(&code.ok_or_else(|| Error::Corrupt("no default currency".into()))?)
}

/// A value of the ledger's settings (`org`, `currency`).
pub fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// The settings keys of the disclosure rules.
pub const MIN_DONORS_KEY: &str = "disclosure_min_donors";

pub const MAX_SHARE_KEY: &str = "disclosure_max_share_percent";

/// The disclosure rules the ledger's settings give (the defaults when none were set).
pub fn disclosure(conn: &Connection) -> Result<crate::domain::privacy::Disclosure> {
    let default = crate::domain::privacy::Disclosure::default();
    let setting = |key: &str, default: i64| -> Result<i64> {
        meta(conn, key)?.map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| Error::Corrupt(format!("the setting {key} is `{v}`, not a number")))
        })
    };
    crate::domain::privacy::Disclosure::new(
        setting(MIN_DONORS_KEY, default.min_donors)?,
        setting(MAX_SHARE_KEY, default.max_share_percent)?,
    )
    .map_err(|problem| Error::Corrupt(format!("the disclosure settings break the floor: {problem}")))
}
