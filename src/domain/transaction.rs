//! A transaction before it is recorded, and the rule every transaction obeys: at least two
//! non-zero postings, summing to exactly zero for each (currency, fund).

use std::borrow::Cow;

use chrono::NaiveDate;

use super::field::Field;
use super::money::{format_minor, Amount, Currency, Sum};
use super::names::checked;
use crate::error::{Error, Result};

/// The most postings one transaction may have. Each amount is at most 999,999,999,999 in
/// its currency, so at most about 10^15 minor units (three decimals): a thousand of them sum
/// to at most 10^18, within an `i64` — any sum of one transaction's postings is exact.
pub const POSTINGS_MAX: usize = 1_000;

/// One line of a transaction: an amount (positive = debit) to an account, in a fund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPosting {
    pub account: String,
    pub fund: String,
    pub amount: Amount,
}

/// A transaction as a command or an import row describes it, not yet recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTransaction {
    pub date: NaiveDate,
    pub description: String,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    pub memo: Option<String>,
    /// The transaction this one reverses, for a void.
    pub voids: Option<i64>,
    pub postings: Vec<NewPosting>,
}

impl NewTransaction {
    /// Checks the text fields and that the postings balance per currency and fund. Returns
    /// the transaction as it is recorded: its text in NFC ([`check_text`](super::names::check_text)), borrowed when it
    /// already was.
    pub fn check<'t>(&'t self) -> Result<Cow<'t, NewTransaction>> {
        let description = checked(Field::DESCRIPTION_COLUMN, &self.description, false)?;
        let optional =
            |field: Field, value: &'t Option<String>, name: bool| -> Result<Option<Cow<'t, str>>> {
                value.as_deref().map(|v| checked(field, v, name)).transpose()
            };
        let counterparty = optional(Field::COUNTERPARTY, &self.counterparty, true)?;
        let reference = optional(Field::REFERENCE, &self.reference, false)?;
        let memo = optional(Field::MEMO_COLUMN, &self.memo, false)?;
        if self.postings.len() < 2 {
            return Err(Error::Refused(format!(
                "a transaction needs at least two postings; this one has {}",
                self.postings.len()
            )));
        }
        if self.postings.len() > POSTINGS_MAX {
            return Err(Error::Refused(format!(
                "a transaction has at most {POSTINGS_MAX} postings; this one has {} (split it into several)",
                self.postings.len()
            )));
        }
        if let Some(p) = self.postings.iter().find(|p| p.amount.is_zero()) {
            return Err(Error::invalid(
                Field::POSTING_AMOUNT_COLUMN,
                format!("{} {}", p.account, p.amount),
                "a posting must move money; leave out postings of zero",
            ));
        }
        check_balanced(&self.postings)?;
        let same = description == self.description.as_str()
            && counterparty.as_deref() == self.counterparty.as_deref()
            && reference.as_deref() == self.reference.as_deref()
            && memo.as_deref() == self.memo.as_deref();
        Ok(if same {
            Cow::Borrowed(self)
        } else {
            Cow::Owned(NewTransaction {
                description: description.into_owned(),
                counterparty: counterparty.map(Cow::into_owned),
                reference: reference.map(Cow::into_owned),
                memo: memo.map(Cow::into_owned),
                ..self.clone()
            })
        })
    }
}

/// Every (currency, fund) group must sum to zero; the error shows the arithmetic.
fn check_balanced(postings: &[NewPosting]) -> Result<()> {
    // Summed in a short list, not a map of lists: every row of an import passes here, and
    // most have one group.
    let mut groups: Vec<((Currency, &str), Sum)> = Vec::new();
    for p in postings {
        let key = (p.amount.currency(), p.fund.as_str());
        let at = match groups.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                groups.push((key, Sum::zero(key.0)));
                groups.len() - 1
            }
        };
        groups[at].1.add(p.amount).map_err(|_| Error::Overflow {
            what: format!("the sum of the {} postings in fund `{}`", key.0, key.1),
        })?;
    }
    groups.sort_by_key(|(key, _)| *key);
    match groups.into_iter().find(|(_, sum)| !sum.is_zero()) {
        None => Ok(()),
        Some(((currency, fund), sum)) => {
            let amounts: Vec<Amount> = postings
                .iter()
                .filter(|p| p.amount.currency() == currency && p.fund == fund)
                .map(|p| p.amount)
                .collect();
            Err(Error::Unbalanced {
                currency: currency.code().to_string(),
                fund: fund.to_string(),
                arithmetic: format!("{} = {}", signed_sum_text(&amounts), sum.to_decimal()),
            })
        }
    }
}

/// `100.00 - 90.00 + 5.00`
fn signed_sum_text(amounts: &[Amount]) -> String {
    let mut text = String::new();
    for (i, a) in amounts.iter().enumerate() {
        let magnitude = format_minor(a.minor().abs(), a.currency());
        match (i, a.is_negative()) {
            (0, false) => text.push_str(&magnitude),
            (0, true) => text.push_str(&format!("-{magnitude}")),
            (_, false) => text.push_str(&format!(" + {magnitude}")),
            (_, true) => text.push_str(&format!(" - {magnitude}")),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posting(account: &str, fund: &str, minor: i64, code: &str) -> NewPosting {
        NewPosting {
            account: account.into(),
            fund: fund.into(),
            amount: Amount::from_minor(minor, Currency::parse(code).unwrap()).unwrap(),
        }
    }

    fn txn(postings: Vec<NewPosting>) -> NewTransaction {
        NewTransaction {
            date: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            description: "test".into(),
            counterparty: None,
            reference: None,
            memo: None,
            voids: None,
            postings,
        }
    }

    #[test]
    fn postings_are_limited_so_that_their_sums_are_exact() {
        // The largest amounts, in a currency of three decimals, as many as allowed: balanced.
        let most = 999_999_999_999_000;
        let half = POSTINGS_MAX / 2;
        let mut postings: Vec<NewPosting> = (0..half)
            .map(|_| posting("assets:bank", "general", most, "BHD"))
            .collect();
        postings.extend((0..half).map(|_| posting("equity:opening", "general", -most, "BHD")));
        assert!(txn(postings.clone()).check().is_ok());
        postings.push(posting("assets:bank", "general", most, "BHD"));
        postings.push(posting("equity:opening", "general", -most, "BHD"));
        let refused = txn(postings).check().unwrap_err().to_string();
        assert!(
            refused.contains("at most 1000 postings; this one has 1002"),
            "{refused}"
        );
    }

    #[test]
    fn balanced_per_currency_and_fund() {
        let ok = txn(vec![
            posting("assets:bank", "general", 10_000, "USD"),
            posting("income:donations", "general", -10_000, "USD"),
            posting("assets:bank", "tires", 500, "VES"),
            posting("income:donations", "tires", -500, "VES"),
        ]);
        assert!(ok.check().is_ok());
    }

    #[test]
    fn unbalanced_cases_show_the_arithmetic() {
        let cases = [
            (
                vec![
                    posting("assets:bank", "general", 10_000, "USD"),
                    posting("income:donations", "general", -9_000, "USD"),
                ],
                "does not balance in USD for fund `general`: 100.00 - 90.00 = 10.00",
            ),
            (
                // Balanced in total but not per fund: money cannot silently change earmark.
                vec![
                    posting("assets:bank", "general", 10_000, "USD"),
                    posting("income:donations", "tires", -10_000, "USD"),
                ],
                "for fund `general`: 100.00 = 100.00",
            ),
            (
                // Balanced in number but not per currency.
                vec![
                    posting("assets:bank", "general", 10_000, "USD"),
                    posting("income:donations", "general", -10_000, "VES"),
                ],
                "does not balance in USD",
            ),
            (
                vec![posting("assets:bank", "general", 10_000, "USD")],
                "at least two postings",
            ),
            (
                vec![
                    posting("assets:bank", "general", 0, "USD"),
                    posting("income:donations", "general", 0, "USD"),
                ],
                "leave out postings of zero",
            ),
        ];
        for (postings, expected) in cases {
            let err = txn(postings).check().unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn text_fields_are_checked() {
        let mut t = txn(vec![
            posting("assets:bank", "general", 1, "USD"),
            posting("income:donations", "general", -1, "USD"),
        ]);
        t.memo = Some("escape \u{1b}[2J".into());
        assert!(t.check().unwrap_err().to_string().contains("invalid memo"));
        t.memo = Some("one\ntwo".into());
        t.counterparty = Some("Ana\nPérez".into());
        assert!(t
            .check()
            .unwrap_err()
            .to_string()
            .contains("invalid counterparty"));
    }

    #[test]
    fn text_is_recorded_composed() {
        let mut t = txn(vec![
            posting("assets:bank", "general", 1, "USD"),
            posting("income:donations", "general", -1, "USD"),
        ]);
        assert!(matches!(t.check().unwrap(), Cow::Borrowed(_)));
        t.counterparty = Some("Ana Pe\u{301}rez".into());
        t.memo = Some("cafe\u{301}".into());
        let checked = t.check().unwrap();
        assert_eq!(checked.counterparty.as_deref(), Some("Ana P\u{e9}rez"));
        assert_eq!(checked.memo.as_deref(), Some("caf\u{e9}"));
        assert_eq!(checked.postings, t.postings);
    }
}
