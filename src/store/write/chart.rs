//! Adding to the chart: accounts, funds (earmarks) and communes, each an entry in the chain.

use super::names::check_no_twin;
use super::overdraft::Overdraft;
use super::Writer;
use crate::domain::names::{
    check_account_name, check_name, check_slug, AccountType, GRANTS_PREFIX, UNION_SLUG,
};
use crate::domain::{Amount, Field};
use crate::error::{Error, Result};
use crate::store::chain::Entry;
use crate::store::read;

/// Whether a fund's money may only be spent for its purpose (see the README's funds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restriction {
    Restricted,
    Unrestricted,
}

/// The state recorded for a commune that `import --create-missing` registered.
pub const UNKNOWN_STATE: &str = "unknown";

impl Writer<'_> {
    pub(in crate::store) fn insert_account(&mut self, name: &str, account_type: AccountType) -> Result<i64> {
        self.insert_account_with(name, account_type, Overdraft::Refused)
    }

    fn insert_account_with(
        &mut self,
        name: &str,
        account_type: AccountType,
        overdraft: Overdraft,
    ) -> Result<i64> {
        let id = self.next_id("accounts")?;
        self.append(&Entry::AccountAdded {
            id,
            name: name.to_string(),
            account_type: account_type.as_str().to_string(),
            allow_negative: overdraft == Overdraft::Allowed,
        })?;
        Ok(id)
    }

    pub(in crate::store) fn insert_fund(
        &mut self,
        code: &str,
        name: &str,
        target: Option<Amount>,
        restricted: bool,
    ) -> Result<()> {
        let id = self.next_id("funds")?;
        self.append(&Entry::FundAdded {
            id,
            code: code.to_string(),
            name: name.to_string(),
            target_minor: target.map(Amount::minor),
            target_currency: target.map(|t| t.currency().code().to_string()),
            restricted,
        })
    }

    /// Adds an account to the chart. Grants accounts come with their commune instead. An
    /// asset account that may go below zero (a credit line) says so with `overdraft`.
    pub fn add_account(&mut self, name: &str, overdraft: Overdraft) -> Result<()> {
        let account_type =
            check_account_name(name).map_err(|problem| Error::invalid(Field::ACCOUNT_NAME, name, problem))?;
        if name.starts_with(GRANTS_PREFIX) {
            return Err(Error::Refused(format!(
                "`{name}` is a grants account; they are created with their recipient: `fondo commune add NAME --state STATE`"
            )));
        }
        if read::account_exists(&self.tx, name)? {
            return Err(Error::AlreadyExists {
                what: "account",
                name: name.to_string(),
            });
        }
        if overdraft == Overdraft::Allowed && account_type != AccountType::Assets {
            return Err(Error::invalid(
                Field::ALLOW_NEGATIVE,
                name,
                "only an asset account can be allowed to go below zero (a credit line); other accounts are never checked",
            ));
        }
        self.insert_account_with(name, account_type, overdraft)?;
        Ok(())
    }

    /// Adds a fund (earmark). Every fund but `general` is restricted unless said otherwise.
    pub fn add_fund(
        &mut self,
        code: &str,
        name: Option<&str>,
        target: Option<Amount>,
        restriction: Restriction,
    ) -> Result<()> {
        let restricted = restriction == Restriction::Restricted;
        check_slug(code).map_err(|problem| Error::invalid(Field::FUND_CODE, code, problem))?;
        let name = match name {
            Some(name) => check_name(Field::NAME, name)?,
            None => code.to_string(),
        };
        if let Some(target) = target.filter(|t| !t.is_positive()) {
            return Err(Error::invalid(
                Field::TARGET,
                target.to_string(),
                "must be greater than zero",
            ));
        }
        if read::fund_exists(&self.tx, code)? {
            return Err(Error::AlreadyExists {
                what: "fund",
                name: code.to_string(),
            });
        }
        let others = read::funds(&self.tx)?.into_iter().map(|f| f.name);
        self.check_look_alike(Field::NAME, "fund", &name, others)?;
        self.insert_fund(code, &name, target, restricted)
    }

    /// Registers a commune and creates its grants account; returns the slug.
    pub fn add_commune(&mut self, name: &str, state: &str, slug: Option<&str>) -> Result<String> {
        let name = &check_name(Field::COMMUNE_NAME, name)?;
        let state = &check_name(Field::STATE, state)?;
        // A look-alike name first, as it would often make the same slug; a name the same
        // but for case is refused below, as ambiguous for `--to NAME`.
        let communes = read::communes(&self.tx)?;
        let others = communes
            .iter()
            .filter(|c| c.name.to_lowercase() != name.to_lowercase())
            .map(|c| c.name.clone());
        self.check_look_alike(Field::COMMUNE_NAME, "commune", name, others)?;
        let slug = match slug {
            Some(s) => {
                check_slug(s).map_err(|problem| Error::invalid(Field::SLUG, s, problem))?;
                s.to_string()
            }
            None => {
                let derived = crate::domain::names::slugify(name);
                check_slug(&derived).map_err(|_| {
                    Error::invalid(
                        Field::COMMUNE_NAME,
                        name,
                        "has no letters or digits to make a slug from; give one with --slug",
                    )
                })?;
                derived
            }
        };
        if slug == UNION_SLUG {
            return Err(Error::invalid(
                Field::SLUG,
                slug,
                "`union` is reserved for the Communard Union itself",
            ));
        }
        if read::commune_exists(&self.tx, &slug)? {
            return Err(Error::AlreadyExists {
                what: "commune",
                name: slug,
            });
        }
        read::check_commune_unique(&self.tx, &slug, name, None)?;
        check_no_twin(&communes, name)?;
        let account = format!("{GRANTS_PREFIX}{slug}");
        if read::account_exists(&self.tx, &account)? {
            return Err(Error::AlreadyExists {
                what: "account",
                name: account,
            });
        }
        let account_id = self.insert_account(&account, AccountType::Expenses)?;
        let id = self.next_id("communes")?;
        self.append(&Entry::CommuneAdded {
            id,
            slug: slug.clone(),
            name: name.to_string(),
            state: state.to_string(),
            account_id,
        })?;
        Ok(slug)
    }

    /// Creates the account if it does not exist yet (a grants account registers its
    /// commune, named by its slug). Returns what was created, for the treasurer to review.
    pub fn ensure_account(&mut self, name: &str) -> Result<Vec<String>> {
        if read::account_exists(&self.tx, name)? {
            return Ok(Vec::new());
        }
        match name.strip_prefix(GRANTS_PREFIX) {
            Some(slug) if !slug.contains(':') => {
                let slug = self.add_commune(slug, UNKNOWN_STATE, Some(slug))?;
                Ok(vec![
                    format!("account {name}"),
                    format!(
                        "commune {slug} (state unknown: set it with `fondo commune edit {slug} --state STATE`)"
                    ),
                ])
            }
            _ => {
                let account_type = check_account_name(name)
                    .map_err(|problem| Error::invalid(Field::ACCOUNT_ARG, name, problem))?;
                self.insert_account(name, account_type)?;
                Ok(vec![format!("account {name}")])
            }
        }
    }

    /// Creates the fund if it does not exist yet (restricted, like every fund but `general`).
    pub fn ensure_fund(&mut self, code: &str) -> Result<Vec<String>> {
        if read::fund_exists(&self.tx, code)? {
            return Ok(Vec::new());
        }
        self.add_fund(code, None, None, Restriction::Restricted)?;
        Ok(vec![format!("fund {code} (restricted)")])
    }
}
