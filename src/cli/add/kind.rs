//! The kinds of transaction `fondo add` knows: the word that picks each, its questions in
//! the order they are asked, and the command its answers become.

use super::answers::Answers;
use super::question::Question as Q;

/// A kind of transaction `add` records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Donation,
    Union,
    Allocation,
    Direct,
    Confirmation,
    Fee,
    Transfer,
    Exchange,
    Entry,
}

impl Kind {
    /// Every kind, in the order `add` offers them.
    pub(super) const ALL: [Kind; 9] = [
        Kind::Donation,
        Kind::Union,
        Kind::Allocation,
        Kind::Direct,
        Kind::Confirmation,
        Kind::Fee,
        Kind::Transfer,
        Kind::Exchange,
        Kind::Entry,
    ];

    /// The word that picks it, which a script names as `kind=WORD`.
    pub(super) fn word(self) -> &'static str {
        match self {
            Kind::Donation => "donation",
            Kind::Union => "union",
            Kind::Allocation => "allocation",
            Kind::Direct => "direct",
            Kind::Confirmation => "confirmation",
            Kind::Fee => "fee",
            Kind::Transfer => "transfer",
            Kind::Exchange => "exchange",
            Kind::Entry => "entry",
        }
    }

    pub(super) fn what(self) -> &'static str {
        match self {
            Kind::Donation => "a gift received",
            Kind::Union => "money sent to the Communard Union",
            Kind::Allocation => "the union's report that it passed money on",
            Kind::Direct => "money sent straight to a commune",
            Kind::Confirmation => "a commune's confirmation that a grant arrived",
            Kind::Fee => "a fee charged on its own",
            Kind::Transfer => "a move between two of our own accounts",
            Kind::Exchange => "a currency exchange",
            Kind::Entry => "any balanced transaction, posting by posting",
        }
    }

    /// Its questions, in the order they are asked.
    pub(super) fn questions(self) -> &'static [Q] {
        match self {
            Kind::Donation => DONATION,
            Kind::Union => UNION,
            Kind::Allocation => ALLOCATION,
            Kind::Direct => DIRECT,
            Kind::Confirmation => CONFIRMATION,
            Kind::Fee => FEE,
            Kind::Transfer => TRANSFER,
            Kind::Exchange => EXCHANGE,
            Kind::Entry => ENTRY,
        }
    }

    /// The first question, which a problem no answer is to blame for sends the treasurer
    /// back to.
    pub(super) fn first(self) -> Q {
        self.questions()[0]
    }

    /// The command line the answers amount to: the command and its arguments, then each
    /// answer's option in the order the questions are declared.
    pub(super) fn command_line(self, answers: &Answers) -> Vec<String> {
        let a = |q: Q| answers.get(q).unwrap_or_default().to_string();
        let mut words: Vec<String> = match self {
            Kind::Donation => vec!["donation".into(), a(Q::Amount)],
            Kind::Union => vec!["send".into(), a(Q::Amount), "--to=union".into()],
            Kind::Allocation => vec![
                "allocate".into(),
                a(Q::Amount),
                format!("--to={}", a(Q::Recipient)),
            ],
            Kind::Direct => vec!["send".into(), a(Q::Amount), format!("--to={}", a(Q::Commune))],
            Kind::Confirmation => vec!["confirm".into(), a(Q::Grant)],
            Kind::Fee => vec!["fee".into(), a(Q::Amount)],
            Kind::Transfer => vec!["transfer".into(), a(Q::Amount)],
            Kind::Exchange => vec!["exchange".into(), a(Q::Amount), a(Q::Currency)],
            Kind::Entry => vec!["entry".into()],
        };
        let mut questions = self.questions().to_vec();
        questions.sort();
        for q in questions {
            if q == Q::Posting {
                words.extend(answers.postings().into_iter().filter_map(|p| q.option(self, p)));
            } else if let Some(option) = answers.get(q).and_then(|value| q.option(self, value)) {
                words.push(option);
            }
        }
        words
    }
}

/// Each kind's questions, in the order they are asked.
const DONATION: &[Q] = &[
    Q::Date,
    Q::Donor,
    Q::NewDonor,
    Q::Currency,
    Q::Amount,
    Q::Fund,
    Q::Into,
    Q::Fee,
    Q::Ref,
    Q::Memo,
];
const UNION: &[Q] = &[
    Q::Date,
    Q::Currency,
    Q::Amount,
    Q::Fund,
    Q::From,
    Q::Fee,
    Q::Ref,
    Q::Memo,
];
const ALLOCATION: &[Q] = &[
    Q::Date,
    Q::Recipient,
    Q::NewCommune,
    Q::State,
    Q::Currency,
    Q::Amount,
    Q::Fund,
    Q::Ref,
    Q::Memo,
];
const DIRECT: &[Q] = &[
    Q::Date,
    Q::Commune,
    Q::NewCommune,
    Q::State,
    Q::Currency,
    Q::Amount,
    Q::Fund,
    Q::From,
    Q::Fee,
    Q::Ref,
    Q::Memo,
];
const CONFIRMATION: &[Q] = &[Q::Grant, Q::Date, Q::Receipt, Q::Note];
const FEE: &[Q] = &[
    Q::Date,
    Q::Currency,
    Q::Amount,
    Q::From,
    Q::Fund,
    Q::Description,
    Q::Ref,
    Q::Memo,
];
const TRANSFER: &[Q] = &[
    Q::Date,
    Q::Currency,
    Q::Amount,
    Q::From,
    Q::To,
    Q::Fund,
    Q::Ref,
    Q::Memo,
];
const EXCHANGE: &[Q] = &[
    Q::Date,
    Q::Currency,
    Q::Amount,
    Q::ToCurrency,
    Q::Rate,
    Q::Account,
    Q::Fund,
    Q::Ref,
    Q::Memo,
];
const ENTRY: &[Q] = &[
    Q::Date,
    Q::Description,
    Q::Posting,
    Q::Counterparty,
    Q::Ref,
    Q::Memo,
];
