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

/// A line of the organisation block that donor statements print, set with `fondo settings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgKey {
    /// The organisation's name (`init --org`).
    Name,
    Address,
    TaxId,
    /// The sentence that no goods or services were given in exchange for the gifts.
    NoGoods,
}

impl OrgKey {
    /// Its key in the settings; `org` is the one `init` has always written.
    pub fn key(self) -> &'static str {
        match self {
            OrgKey::Name => "org",
            OrgKey::Address => "org_address",
            OrgKey::TaxId => "org_tax_id",
            OrgKey::NoGoods => "org_no_goods",
        }
    }
}

/// The organisation block of donor statements: each line as set, `None` when not set (or
/// set to nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Organisation {
    pub name: Option<String>,
    pub address: Option<String>,
    pub tax_id: Option<String>,
    pub no_goods: Option<String>,
}

pub fn organisation(conn: &Connection) -> Result<Organisation> {
    let get =
        |key: OrgKey| -> Result<Option<String>> { Ok(meta(conn, key.key())?.filter(|v| !v.is_empty())) };
    Ok(Organisation {
        name: get(OrgKey::Name)?,
        address: get(OrgKey::Address)?,
        tax_id: get(OrgKey::TaxId)?,
        no_goods: get(OrgKey::NoGoods)?,
    })
}
