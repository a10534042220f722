//! New names that look like names the ledger has (a donor, a fund, a commune): refused
//! unless the treasurer said they are meant.

use super::Writer;
use crate::domain::identity::{likeness, Likeness};
use crate::domain::Field;
use crate::error::{Error, LookAlike, Result};
use crate::store::{donors, read};

/// What the treasurer said about new names that look like names the ledger has, and how the
/// command names the donor and the flag in its messages.
#[derive(Clone, Copy, Debug)]
pub struct NameRules {
    /// A donor spelled like an existing one but for case, accents or spaces is someone else.
    pub new_donor: bool,
    /// A name that can be mistaken for an existing one is meant (`--allow-confusable`).
    pub confusable: bool,
    /// How the command names the donor: `--donor`, `counterparty`.
    pub donor_field: Field,
    /// The flag that says a look-alike donor is someone else: `--new-donor`.
    pub new_donor_flag: Field,
}

impl Default for NameRules {
    fn default() -> Self {
        NameRules {
            new_donor: false,
            confusable: false,
            donor_field: Field::COUNTERPARTY,
            new_donor_flag: Field::NEW_DONOR,
        }
    }
}

impl NameRules {
    /// Every name as it comes: for replaying books whose names were accepted before.
    pub fn accept_all() -> NameRules {
        NameRules {
            new_donor: true,
            confusable: true,
            ..NameRules::default()
        }
    }
}

/// Refuses a commune name that is another commune's but for case, so that `--to NAME` is
/// never ambiguous.
pub(in crate::store) fn check_no_twin(others: &[read::CommuneInfo], name: &str) -> Result<()> {
    match others.iter().find(|c| c.name.to_lowercase() == name.to_lowercase()) {
        Some(twin) => Err(Error::Refused(format!(
            "a commune named `{}` already exists (`{}`); names must differ so that `--to NAME` is never ambiguous",
            twin.name, twin.slug
        ))),
        None => Ok(()),
    }
}

/// The most donor names a write keeps in memory (a few MiB); past it, a donor is looked up.
const KNOWN_DONORS_MAX: usize = 50_000;

impl Writer<'_> {
    /// Refuses a gift's donor whose name looks like an existing donor's (see
    /// [`donors::look_alikes`]), unless the name rules say it is someone else.
    pub(super) fn check_donor(&self, name: &str) -> Result<()> {
        if self.known_donors.contains(name) {
            return Ok(());
        }
        self.check_donor_but(self.name_rules.donor_field, name, None)
    }

    /// Notes a gift's donor in `donor_names`, once a write.
    pub(super) fn remember_donor(&mut self, name: &str) -> Result<()> {
        if self.known_donors.contains(name) {
            return Ok(());
        }
        donors::remember(&self.tx, name)?;
        if self.known_donors.len() < KNOWN_DONORS_MAX {
            self.known_donors.insert(name.to_string());
        }
        Ok(())
    }

    /// Fills `donor_names` afresh (and the donors' totals at commit), after a rename or an erasure changed the names it holds.
    pub(in crate::store) fn rebuild_donors(&mut self) -> Result<()> {
        self.known_donors.clear();
        self.donor_totals.touch_all();
        self.gift_months.touch_all();
        donors::rebuild(&self.tx)
    }

    /// [`Writer::check_donor`] for `field`, leaving out the donor `but` (the one a rename
    /// gives `name` to).
    pub(in crate::store) fn check_donor_but(
        &self,
        field: Field,
        name: &str,
        but: Option<&str>,
    ) -> Result<()> {
        let rules = self.name_rules;
        if rules.new_donor && rules.confusable {
            return Ok(());
        }
        for (existing, likeness) in donors::look_alikes_but(&self.tx, name, but)? {
            let flag = match likeness {
                Likeness::SameKey if !rules.new_donor => rules.new_donor_flag,
                Likeness::Confusable if !rules.confusable => Field::ALLOW_CONFUSABLE,
                _ => continue,
            };
            return Err(Error::LookAlike(Box::new(LookAlike {
                field,
                name: name.to_string(),
                what: "donor",
                existing,
                likeness,
                flag,
            })));
        }
        Ok(())
    }

    /// Refuses `name` for a `what` (a fund, a commune) if it looks like one of `others`'
    /// names — the same but for case, accents or spaces, or confusable — unless the
    /// treasurer allowed it.
    pub(in crate::store) fn check_look_alike(
        &self,
        field: Field,
        what: &'static str,
        name: &str,
        others: impl IntoIterator<Item = String>,
    ) -> Result<()> {
        if self.name_rules.confusable {
            return Ok(());
        }
        for existing in others {
            if let Some(likeness) = likeness(name, &existing) {
                return Err(Error::LookAlike(Box::new(LookAlike {
                    field,
                    name: name.to_string(),
                    what,
                    existing,
                    likeness,
                    flag: Field::ALLOW_CONFUSABLE,
                })));
            }
        }
        Ok(())
    }
}
