//! Corrections to master data — a fund's name, target or closing, a commune's name or state,
//! closing an unused account — each recorded as an entry in the chain (who, when, the new
//! state; the old one is the entry before it), never an edit in place. Reports show the
//! current names; transactions keep what they recorded.

use rusqlite::{params, OptionalExtension};

use super::chain::Entry;
use super::read;
use super::write::Writer;
use crate::domain::money::format_minor;
use crate::domain::names::{check_name, GENERAL_FUND, GRANTS_PREFIX, STANDARD_ACCOUNTS};
use crate::domain::Amount;
use crate::domain::Field;
use crate::error::{Error, Result};

/// What `fund edit` changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct FundEdit {
    pub name: Option<String>,
    /// `Some(None)` removes the target.
    pub target: Option<Option<Amount>>,
    pub close: bool,
}

/// One field a correction changed: its name, and the old and new values as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub field: &'static str,
    pub from: String,
    pub to: String,
}

fn changed(field: &'static str, from: String, to: String) -> Option<Changed> {
    (from != to).then_some(Changed { field, from, to })
}

fn target_text(target: Option<(i64, String)>) -> Result<String> {
    target.map_or(Ok("none".to_string()), |(minor, code)| {
        Ok(format!("{} {code}", format_minor(minor, read::currency(&code)?)))
    })
}

/// A fund as `fund edit` reads it: id, name, target (minor units, currency), closed.
type FundRow = (i64, String, Option<i64>, Option<String>, bool);

impl Writer<'_> {
    /// Renames a fund, changes or removes its target, or closes it (only once it holds
    /// nothing in any asset account, and never `general`).
    pub fn edit_fund(&mut self, code: &str, edit: &FundEdit) -> Result<Vec<Changed>> {
        let row: Option<FundRow> = self
            .conn()
            .query_row(
                "SELECT id, name, target_minor, target_currency, closed FROM funds WHERE code = ?1",
                [code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((id, name, target_minor, target_currency, closed)) = row else {
            return Err(read::unknown_fund(self.conn(), code));
        };
        let new_name = match &edit.name {
            Some(new_name) => {
                let new_name = check_name(Field::NAME, new_name)?;
                let others = read::funds(self.conn())?
                    .into_iter()
                    .filter(|f| f.code != code)
                    .map(|f| f.name);
                self.check_look_alike(Field::NAME, "fund", &new_name, others)?;
                new_name
            }
            None => name.clone(),
        };
        if let Some(Some(target)) = edit.target.filter(|t| t.is_some_and(|t| !t.is_positive())) {
            return Err(Error::invalid(
                Field::TARGET,
                target.to_string(),
                "must be greater than zero",
            ));
        }
        if edit.close {
            self.check_fund_empty(id, code)?;
        }
        let old_target = target_minor.zip(target_currency);
        let new_target = match edit.target {
            Some(target) => target.map(|t| (t.minor(), t.currency().code().to_string())),
            None => old_target.clone(),
        };
        let changes: Vec<Changed> = [
            changed("name", name, new_name.clone()),
            changed(
                "target",
                target_text(old_target)?,
                target_text(new_target.clone())?,
            ),
            changed("closed", closed.to_string(), (closed || edit.close).to_string()),
        ]
        .into_iter()
        .flatten()
        .collect();
        if changes.is_empty() {
            return Err(Error::invalid(
                Field::FUND_EDIT,
                code,
                "changes nothing: give --name, --target, --no-target or --close with a new value",
            ));
        }
        let (target_minor, target_currency) = new_target.unzip();
        self.append(&Entry::FundChanged {
            id,
            name: new_name,
            target_minor,
            target_currency,
            closed: closed || edit.close,
        })?;
        Ok(changes)
    }

    fn check_fund_empty(&self, id: i64, code: &str) -> Result<()> {
        if code == GENERAL_FUND {
            return Err(Error::Refused(
                "`general` holds the money with no earmark and cannot be closed".into(),
            ));
        }
        let held: Option<(String, String, i64)> = self
            .conn()
            .query_row(
                "SELECT a.name, b.currency, b.debit_minor - b.credit_minor FROM balances b
                 JOIN accounts a ON a.id = b.account_id
                 WHERE b.fund_id = ?1 AND a.type = 'assets' AND b.debit_minor <> b.credit_minor
                 ORDER BY a.name, b.currency LIMIT 1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        match held {
            Some((account, code_cur, minor)) => Err(Error::Refused(format!(
                "fund `{code}` still holds {} {code_cur} in {account}; grant or move it (`fondo fund move`) before closing the fund",
                format_minor(minor, read::currency(&code_cur)?)
            ))),
            None => Ok(()),
        }
    }

    /// Corrects a commune's name or state (its slug and account stay).
    pub fn edit_commune(
        &mut self,
        wanted: &str,
        name: Option<&str>,
        state: Option<&str>,
    ) -> Result<Vec<Changed>> {
        let commune = read::commune(self.conn(), wanted)?;
        let new_name = match name {
            Some(name) => {
                let name = check_name(Field::NAME, name)?;
                let others: Vec<_> = read::communes(self.conn())?
                    .into_iter()
                    .filter(|c| c.slug != commune.slug)
                    .collect();
                read::check_commune_unique(self.conn(), &commune.slug, &name, Some(&commune.slug))?;
                super::write::check_no_twin(&others, &name)?;
                self.check_look_alike(Field::NAME, "commune", &name, others.into_iter().map(|c| c.name))?;
                name
            }
            None => commune.name.clone(),
        };
        let new_state = match state {
            Some(state) => check_name(Field::STATE, state)?,
            None => commune.state.clone(),
        };
        let changes: Vec<Changed> = [
            changed("name", commune.name.clone(), new_name.clone()),
            changed("state", commune.state.clone(), new_state.clone()),
        ]
        .into_iter()
        .flatten()
        .collect();
        if changes.is_empty() {
            return Err(Error::invalid(
                Field::COMMUNE_EDIT,
                wanted,
                "changes nothing: give --name or --state with a new value",
            ));
        }
        let id: i64 =
            self.conn()
                .query_row("SELECT id FROM communes WHERE slug = ?1", [&commune.slug], |r| {
                    r.get(0)
                })?;
        self.append(&Entry::CommuneChanged {
            id,
            name: new_name,
            state: new_state,
        })?;
        Ok(changes)
    }

    /// Closes an account no transaction may post to any more: one that holds nothing, and
    /// is neither an account fondo's own commands post to nor a commune's grants account.
    pub fn close_account(&mut self, name: &str) -> Result<()> {
        if STANDARD_ACCOUNTS.contains(&name) || name.starts_with(GRANTS_PREFIX) {
            return Err(Error::Refused(format!(
                "`{name}` is one of the accounts fondo's commands post to; only an account added with `fondo account add` can be closed"
            )));
        }
        let id = read::account_id(self.conn(), name)?;
        let closed: bool = self
            .conn()
            .query_row("SELECT closed FROM accounts WHERE id = ?1", [id], |r| r.get(0))?;
        if closed {
            return Err(Error::Refused(format!("account `{name}` is already closed")));
        }
        let held: Option<(String, String, i64)> = self
            .conn()
            .query_row(
                "SELECT f.code, b.currency, b.debit_minor - b.credit_minor FROM balances b
                 JOIN funds f ON f.id = b.fund_id
                 WHERE b.account_id = ?1 AND b.debit_minor <> b.credit_minor
                 ORDER BY f.code, b.currency LIMIT 1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((fund, code, minor)) = held {
            return Err(Error::Refused(format!(
                "account `{name}` still has a balance of {} {code} in fund `{fund}`; move it out before closing the account",
                format_minor(minor, read::currency(&code)?)
            )));
        }
        self.append(&Entry::AccountClosed { id })
    }
}
