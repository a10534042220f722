//! Budgets and pledges (issue 16, items 6 and 7), each recorded as a chain entry.

use super::Writer;
use crate::domain::names::{check_name, closest};
use crate::domain::plans::{Month, Period};
use crate::domain::privacy::check_not_placeholder;
use crate::domain::{Amount, Field};
use crate::error::{Error, Result};
use crate::store::chain::Entry;
use crate::store::{donors, read};

/// What `fondo pledge add` records.
#[derive(Clone, Debug)]
pub struct NewPledge {
    pub donor: String,
    pub amount: Amount,
    pub fund: Option<String>,
    pub from: Month,
    pub to: Option<Month>,
}

impl Writer<'_> {
    /// Sets `fund`'s budget for `period`, replacing the one it had; returns that one.
    pub fn set_budget(
        &mut self,
        fund: &str,
        period: Period,
        amount: Amount,
    ) -> Result<Option<read::BudgetInfo>> {
        let fund_id = read::fund_id(self.conn(), fund)?;
        crate::domain::builders::require_positive(Field::AMOUNT, amount)?;
        let replaced = read::budgets(self.conn())?
            .into_iter()
            .find(|b| b.fund == fund && b.period == period);
        self.append(&Entry::BudgetSet {
            fund_id,
            period: period.to_string(),
            amount_minor: amount.minor(),
            currency: amount.currency().code().to_string(),
        })?;
        Ok(replaced)
    }

    /// Records a monthly pledge; returns its number. The donor must have given or pledged before, unless
    /// the name rules say it is a new donor (`--new-donor`; then it is checked as a gift's is).
    pub fn add_pledge(&mut self, pledge: &NewPledge) -> Result<i64> {
        let donor = check_name(Field::DONOR, &pledge.donor)?;
        check_not_placeholder(Field::DONOR, &donor)?;
        if self.name_rules.new_donor {
            self.check_donor(&donor)?;
        } else if !donors::gives_or_pledges(self.conn(), &donor)? {
            let names = read::donors(self.conn())?;
            let suggestion = closest(&donor, names.iter().map(String::as_str))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(Error::invalid(
                Field::DONOR,
                donor,
                format!(
                    "no donor has exactly this name{suggestion}; `fondo donor list` lists them, and --new-donor records a pledge of someone who has not given yet"
                ),
            ));
        }
        let amount = pledge.amount;
        crate::domain::builders::require_positive(Field::AMOUNT, amount)?;
        let fund_id = pledge
            .fund
            .as_deref()
            .map(|f| read::fund_id(self.conn(), f))
            .transpose()?;
        check_months(pledge.from, pledge.to)?;
        let id = self.next_id("pledges")?;
        self.append(&Entry::PledgeAdded {
            id,
            donor,
            amount_minor: amount.minor(),
            currency: amount.currency().code().to_string(),
            fund_id,
            from: pledge.from.to_string(),
            to: pledge.to.map(|m| m.to_string()),
        })?;
        Ok(id)
    }

    /// Ends pledge `id` with month `to`.
    pub fn end_pledge(&mut self, id: i64, to: Month) -> Result<()> {
        let pledges = read::pledges(self.conn())?;
        let Some(pledge) = pledges.iter().find(|p| p.id == id) else {
            return Err(Error::invalid(
                Field::PLEDGE_ID,
                id.to_string(),
                format!(
                    "no pledge has this number; `fondo pledge list` lists them ({} recorded)",
                    pledges.len()
                ),
            ));
        };
        check_months(pledge.from, Some(to))?;
        self.append(&Entry::PledgeEnded {
            id,
            to: to.to_string(),
        })
    }

    /// Every pledge's donor as it reads now: what [`Writer::keep_pledge_donors`] compares.
    pub(in crate::store) fn pledge_donors(&self) -> Result<Vec<(i64, String)>> {
        Ok(read::pledges(self.conn())?
            .into_iter()
            .map(|p| (p.id, p.donor))
            .collect())
    }

    /// After `donor forget NAME` (`before` as [`Writer::pledge_donors`] read it first): an
    /// erasure of a spelling a rename replaced erases it from the pledge's first entry, and
    /// so rewrites the pledge's row with its placeholder though the donor now has another
    /// name, which nothing erased. That name is recorded again.
    pub(in crate::store) fn keep_pledge_donors(
        &mut self,
        before: &[(i64, String)],
        name: &str,
    ) -> Result<()> {
        let name = name.to_lowercase();
        for pledge in read::pledges(self.conn())? {
            let was = before.iter().find(|(id, _)| *id == pledge.id).map(|(_, d)| d);
            if let Some(was) = was.filter(|w| **w != pledge.donor && !w.to_lowercase().contains(&name)) {
                self.append(&Entry::PledgeDonorChanged {
                    id: pledge.id,
                    donor: was.clone(),
                })?;
            }
        }
        Ok(())
    }

    /// After a rename or merge erased `from` from the pledges' entries (`before` as
    /// [`Writer::pledge_donors`] read it first): every pledge of `from` is given `to`, and a
    /// pledge of another donor whose row the erasure rewrote (an entry of it recorded `from`
    /// before an earlier rename) gets its donor back.
    pub(in crate::store) fn follow_pledges(
        &mut self,
        before: &[(i64, String)],
        from: &str,
        to: &str,
    ) -> Result<()> {
        let now = self.pledge_donors()?;
        for (id, was) in before {
            let is = now.iter().find(|(p, _)| p == id).map(|(_, d)| d);
            let donor = if was == from {
                to
            } else if is != Some(was) {
                was.as_str()
            } else {
                continue;
            };
            self.append(&Entry::PledgeDonorChanged {
                id: *id,
                donor: donor.to_string(),
            })?;
        }
        Ok(())
    }
}

/// Refuses a last month before the first.
fn check_months(from: Month, to: Option<Month>) -> Result<()> {
    match to {
        Some(to) if to < from => Err(Error::invalid(
            Field::TO,
            to.to_string(),
            format!("is before --from {from}; a pledge ends in its first month or later"),
        )),
        _ => Ok(()),
    }
}
