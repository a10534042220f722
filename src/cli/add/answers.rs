//! What `fondo add` works from: what the ledger knows, and the answers so far.

use super::question::Question;
use crate::domain::names::{commune_answers_to, AccountType};
use crate::domain::Currency;
use crate::error::Result;
use crate::store::read::{self, CommuneInfo};
use crate::store::Ledger;

/// What the ledger knows, for defaults, completion and checks.
pub(super) struct Known {
    pub(super) currency: Currency,
    pub(super) donors: Vec<String>,
    pub(super) communes: Vec<CommuneInfo>,
    pub(super) accounts: Vec<(String, String)>,
    pub(super) funds: Vec<String>,
}

impl Known {
    pub(super) fn of(ledger: &Ledger) -> Result<Known> {
        let conn = ledger.conn();
        Ok(Known {
            currency: ledger.currency(),
            donors: read::donors(conn)?,
            communes: read::communes(conn)?,
            accounts: read::accounts(conn)?
                .into_iter()
                .map(|a| (a.name, a.account_type))
                .collect(),
            funds: read::funds(conn)?.into_iter().map(|f| f.code).collect(),
        })
    }

    /// Accounts of these types, for completion.
    pub(super) fn accounts_of(&self, types: &[AccountType]) -> Vec<String> {
        self.accounts
            .iter()
            .filter(|(_, t)| types.iter().any(|k| k.as_str() == t))
            .map(|(name, _)| name.clone())
            .collect()
    }

    pub(super) fn commune(&self, wanted: &str) -> Option<&CommuneInfo> {
        self.communes
            .iter()
            .find(|c| commune_answers_to(&c.slug, &c.name, wanted))
    }

    pub(super) fn commune_names(&self) -> Vec<String> {
        self.communes.iter().map(|c| c.slug.clone()).collect()
    }
}

/// The answers so far, in the order given.
#[derive(Default)]
pub(super) struct Answers(Vec<(Question, String)>);

impl Answers {
    pub(super) fn get(&self, question: Question) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(q, _)| *q == question)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn has(&self, question: Question) -> bool {
        self.get(question).is_some()
    }

    pub(super) fn yes(&self, question: Question) -> bool {
        self.get(question) == Some("y")
    }

    pub(super) fn postings(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(q, _)| *q == Question::Posting)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The commune the entry names, as a grant's recipient or a direct send's commune.
    pub(super) fn commune(&self) -> Option<&str> {
        self.get(Question::Commune).or(self.get(Question::Recipient))
    }

    pub(super) fn push(&mut self, question: Question, value: String) {
        self.0.push((question, value));
    }

    pub(super) fn pop(&mut self) -> Option<(Question, String)> {
        self.0.pop()
    }

    /// Takes back `question`'s answer and every later one (all of them if it has none).
    pub(super) fn take_back_from(&mut self, question: Question) -> Vec<(Question, String)> {
        let at = self.0.iter().position(|(q, _)| *q == question).unwrap_or(0);
        self.0.drain(at..).collect()
    }
}
