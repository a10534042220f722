//! The questions of `fondo add`: each knows the name a script gives its answer
//! (`donor=Ana Pérez`), how it is put to the treasurer, what answer it takes, and the option
//! of the command line that answer becomes.

use super::kind::Kind;
use super::AddSession;
use crate::cli::prompt::Prompt;
use crate::cli::record::parse_posting;
use crate::domain::builders::require_positive;
use crate::domain::identity::{likeness, why_alike, Likeness};
use crate::domain::money::parse_decimal;
use crate::domain::names::{
    closest, confirmed_in_time, escape_controls, is_ahead, name_problem, nfc, parse_date, text_problem,
    AccountType, GENERAL_FUND, UNION_SLUG,
};
use crate::domain::{Amount, Currency, Field};
use crate::error::{Error, Result};
use crate::store::accountability::{self, GrantLine};
use crate::store::donors;
use crate::store::read::{self, Filter};

/// A question `add` may ask. Declared in the order their options are written on the
/// command line the answers amount to (`Kind::command_line` sorts by it); the questions that
/// become an argument, or no part of it, come last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Question {
    Date,
    Donor,
    Currency,
    Fund,
    Into,
    From,
    Fee,
    Account,
    To,
    ToCurrency,
    Description,
    Counterparty,
    Ref,
    Receipt,
    Note,
    Memo,
    Rate,
    Posting,
    NewDonor,
    Amount,
    Recipient,
    Commune,
    NewCommune,
    State,
    Grant,
}

use Question as Q;

/// What a check says of an answer: the value as it will be used, or what is wrong with it.
type Checked = std::result::Result<String, String>;

/// Questions asked only in some cases, and when (for `fondo add --help`).
pub(super) const CONDITIONAL: [(Question, &str); 3] = [
    (Q::NewDonor, "only when the donor has not given before"),
    (Q::NewCommune, "only when the commune is not known"),
    (Q::State, "only when a new commune is being added"),
];

impl Question {
    /// The name a script gives its answer.
    pub(super) fn key(self) -> &'static str {
        match self {
            Q::Date => "date",
            Q::Donor => "donor",
            Q::Currency => "currency",
            Q::Fund => "fund",
            Q::Into => "into",
            Q::From => "from",
            Q::Fee => "fee",
            Q::Account => "account",
            Q::To => "to",
            Q::ToCurrency => "to_currency",
            Q::Description => "description",
            Q::Counterparty => "counterparty",
            Q::Ref => "ref",
            Q::Receipt => "receipt",
            Q::Note => "note",
            Q::Memo => "memo",
            Q::Rate => "rate",
            Q::Posting => "posting",
            Q::NewDonor => "new_donor",
            Q::Amount => "amount",
            Q::Recipient => "recipient",
            Q::Commune => "commune",
            Q::NewCommune => "new_commune",
            Q::State => "state",
            Q::Grant => "grant",
        }
    }

    /// The name of the command-line option its answer becomes in an entry of `kind`, if it
    /// becomes one (an amount, a commune or a grant is an argument of the command).
    fn option_name(self, kind: Kind) -> Option<&'static str> {
        match self {
            Q::Currency if kind == Kind::Exchange => None,
            Q::Date | Q::Donor | Q::Currency | Q::Fund | Q::Into | Q::From | Q::Fee | Q::Account => {
                Some(self.key())
            }
            Q::To | Q::Counterparty | Q::Ref | Q::Note | Q::Memo | Q::Rate | Q::Posting => Some(self.key()),
            Q::ToCurrency => Some("to"),
            Q::Description => Some("desc"),
            Q::Receipt => Some("ref"),
            Q::NewDonor | Q::Amount | Q::Recipient | Q::Commune | Q::NewCommune | Q::State | Q::Grant => None,
        }
    }

    /// The option an answer `value` becomes in an entry of `kind`, if any. `--name=value`
    /// keeps a value that starts with `-` from reading as an option.
    pub(super) fn option(self, kind: Kind, value: &str) -> Option<String> {
        let name = self.option_name(kind).filter(|_| !value.is_empty())?;
        Some(match value.strip_prefix('=') {
            // A rate given as `=AMOUNT` is what was received.
            Some(received) if self == Q::Rate => format!("--received={received}"),
            _ => format!("--{name}={value}"),
        })
    }

    /// The question of `kind` whose answer an option named `field` (in an error from the
    /// builders) came from.
    pub(super) fn of_field(field: Field, kind: Kind) -> Option<Question> {
        let field = field.word();
        kind.questions().iter().copied().find(|q| {
            field == q.key()
                || q.option_name(kind) == Some(field)
                || (*q == Q::Rate && field == "received")
                || (*q == Q::Posting && field.starts_with("posting"))
        })
    }

    /// The question, as put to the treasurer in `s`, with its default from the answers so
    /// far and the most recent similar transaction (the donor's last gift, the commune's
    /// last grant).
    pub(super) fn prompt(self, s: &AddSession<'_>) -> Result<Prompt> {
        Ok(Prompt {
            key: self.key(),
            text: self.text(s)?,
            help: self.help(s.kind).into(),
            default: self.default(s)?,
            suggestions: self.suggestions(s)?,
            commits: false,
        })
    }

    fn text(self, s: &AddSession<'_>) -> Result<String> {
        Ok(match self {
            Q::Date => "Date".into(),
            Q::Donor => "Donor".into(),
            Q::Currency => "Currency".into(),
            Q::Fund => "Fund".into(),
            Q::Into => "Received into".into(),
            Q::From => "From account".into(),
            Q::Fee => "Fee (blank for none)".into(),
            Q::Account => "Account".into(),
            Q::To => "To account".into(),
            Q::ToCurrency => "Exchanged into currency".into(),
            Q::Description => "Description".into(),
            Q::Counterparty => "Counterparty (blank for none)".into(),
            Q::Ref => "Reference (blank for none)".into(),
            Q::Receipt => "The commune's receipt reference (blank for none)".into(),
            Q::Note => "Note (blank for none)".into(),
            Q::Memo => "Memo (blank for none)".into(),
            Q::Rate => {
                let (from, to) = (s.answers.get(Q::Currency), s.answers.get(Q::ToCurrency));
                format!(
                    "Rate ({} per {}), or =AMOUNT received",
                    to.unwrap_or_default(),
                    from.unwrap_or_default()
                )
            }
            Q::Posting => {
                let n = s.answers.postings().len() + 1;
                let done = if n > 2 { " (blank when done)" } else { "" };
                format!("Posting {n}: ACCOUNT AMOUNT [CUR] [FUND]{done}")
            }
            Q::NewDonor => new_donor_text(s)?,
            Q::Amount if s.answers.has(Q::Donor) => "Amount given (before any fee)".into(),
            Q::Amount => "Amount".into(),
            Q::Recipient => "Passed on to".into(),
            Q::Commune => "Commune".into(),
            Q::NewCommune => new_commune_text(s),
            Q::State => "The new commune's state".into(),
            Q::Grant => "Which grant arrived (#id)".into(),
        })
    }

    fn help(self, kind: Kind) -> &'static str {
        match self {
            Q::Date => "YYYY-MM-DD, today or yesterday",
            Q::Donor => "who gave; known donors complete",
            Q::Currency => "ISO 4217, e.g. USD or VES",
            Q::Fund => "the earmark; general for none",
            Q::Into => "the account the money reached",
            Q::From => "the account the money leaves",
            Q::Fee => "what the bank or processor kept",
            Q::Account => "where the exchange happens",
            Q::ToCurrency => "e.g. VES",
            Q::Description if kind == Kind::Fee => "blank for the default",
            Q::Ref => "a receipt, bank or processor id",
            Q::Rate => "the rate must give whole cents; otherwise give what arrived",
            Q::Posting => "positive debits, negative credits",
            Q::NewDonor => "n goes back to the donor",
            Q::Amount => "e.g. 100.00",
            Q::Recipient => "a commune, or union for its own programmes",
            Q::Commune => "known communes complete",
            Q::NewCommune => "n goes back to the commune",
            Q::State => "e.g. Lara",
            Q::Grant => "an allocation or direct send",
            Q::To | Q::Description | Q::Counterparty | Q::Receipt | Q::Note | Q::Memo => "",
        }
    }

    fn default(self, s: &AddSession<'_>) -> Result<Option<String>> {
        let conn = s.ledger.conn();
        let gift = |s: &AddSession<'_>| match s.answers.get(Q::Donor) {
            Some(donor) => accountability::last_gift(conn, donor),
            None => Ok(None),
        };
        let grant = |s: &AddSession<'_>| -> Result<Option<GrantLine>> {
            match s.answers.commune().and_then(|c| s.known.commune(c)) {
                Some(c) => Ok(accountability::grant_lines(conn, &Filter::default(), Some(&c.slug))?.pop()),
                None => Ok(None),
            }
        };
        Ok(match self {
            Q::Date => Some(s.ctx.today.to_string()),
            Q::Amount => match gift(s)? {
                Some((_, _, amount)) => Some(amount.to_decimal().to_string()),
                None => grant(s)?.map(|g| g.amount.to_decimal().to_string()),
            },
            Q::Currency => Some(
                gift(s)?
                    .map_or(s.ledger.currency(), |(_, _, a)| a.currency())
                    .to_string(),
            ),
            Q::Fund => Some(match gift(s)? {
                Some((fund, _, _)) => fund,
                None => grant(s)?.map_or_else(|| GENERAL_FUND.to_string(), |g| g.fund),
            }),
            Q::Into => Some(
                gift(s)?
                    .map(|(_, into, _)| into)
                    .filter(|into| !into.is_empty())
                    .unwrap_or_else(|| "assets:bank".into()),
            ),
            Q::From | Q::Account => Some("assets:bank".into()),
            Q::NewDonor => Some(new_donor_default(s)?.into()),
            Q::NewCommune => Some("n".into()),
            Q::Donor | Q::Fee | Q::To | Q::ToCurrency | Q::Description | Q::Counterparty | Q::Ref => None,
            Q::Receipt | Q::Note | Q::Memo | Q::Rate | Q::Posting | Q::Recipient | Q::Commune => None,
            Q::State | Q::Grant => None,
        })
    }

    /// Known names to complete the answer from.
    fn suggestions(self, s: &AddSession<'_>) -> Result<Vec<String>> {
        let known = &s.known;
        Ok(match self {
            Q::Donor => known.donors.clone(),
            Q::Fund => known.funds.clone(),
            Q::Into | Q::Account => known.accounts_of(&[AccountType::Assets]),
            Q::From | Q::To => known.accounts_of(&[AccountType::Assets, AccountType::Liabilities]),
            Q::Recipient => std::iter::once(UNION_SLUG.to_string())
                .chain(known.commune_names())
                .collect(),
            Q::Commune => known.commune_names(),
            Q::Grant => unconfirmed_grants(s)?
                .iter()
                .map(|g| format!("#{} {} {} {}", g.txn, g.date, g.commune, g.amount))
                .collect(),
            Q::Posting => {
                let mut accounts: Vec<String> = known.accounts.iter().map(|(a, _)| a.clone()).collect();
                accounts.sort();
                accounts
            }
            Q::Date | Q::Currency | Q::Fee | Q::ToCurrency | Q::Description | Q::Counterparty | Q::Ref => {
                vec![]
            }
            Q::Receipt | Q::Note | Q::Memo | Q::Rate | Q::NewDonor | Q::Amount | Q::NewCommune => vec![],
            Q::State => vec![],
        })
    }

    /// Whether `add` must ask it next: it has no answer yet, and its case arose.
    pub(super) fn needed(self, s: &AddSession<'_>) -> bool {
        let unanswered = !s.answers.has(self);
        match self {
            // A blank posting ends the postings.
            Q::Posting => s.answers.postings().last().is_none_or(|last| !last.is_empty()),
            Q::NewDonor => {
                let donor = s.answers.get(Q::Donor);
                unanswered && donor.is_some_and(|d| !s.known.donors.iter().any(|k| k == d))
            }
            Q::NewCommune => {
                let commune = s.answers.commune();
                unanswered && commune.is_some_and(|c| c != UNION_SLUG && s.known.commune(c).is_none())
            }
            Q::State => unanswered && s.answers.yes(Q::NewCommune),
            Q::Date | Q::Donor | Q::Currency | Q::Fund | Q::Into | Q::From | Q::Fee | Q::Account => {
                unanswered
            }
            Q::To | Q::ToCurrency | Q::Description | Q::Counterparty | Q::Ref | Q::Receipt | Q::Note => {
                unanswered
            }
            Q::Memo | Q::Rate | Q::Amount | Q::Recipient | Q::Commune | Q::Grant => unanswered,
        }
    }

    /// Checks an answer; returns it as it will be used, or what is wrong with it.
    pub(super) fn check(self, text: &str, s: &AddSession<'_>) -> Checked {
        let required = |what: &str| {
            if text.is_empty() {
                Err(format!("{what} is needed"))
            } else {
                Ok(())
            }
        };
        match self {
            Q::Date => check_date(text, s),
            Q::Fee if text.is_empty() => Ok(String::new()),
            Q::Amount | Q::Fee => check_amount(text, s),
            Q::Currency | Q::ToCurrency => Currency::parse(text).map(|c| c.to_string()),
            Q::Description if text.is_empty() => Ok(String::new()),
            Q::Description => answer(text_problem(text), text),
            Q::Donor | Q::State => {
                required("an answer")?;
                answer(name_problem(text), text)
            }
            Q::NewDonor | Q::NewCommune => yes_no(text),
            Q::Fund => check_fund(text, s),
            Q::Into | Q::Account => check_account(text, s, &[AccountType::Assets]),
            Q::From | Q::To => check_account(text, s, &[AccountType::Assets, AccountType::Liabilities]),
            Q::Recipient | Q::Commune => {
                required("a commune")?;
                let name = answer(name_problem(text), text)?;
                Ok(s.known.commune(&name).map_or(name, |c| c.slug.clone()))
            }
            Q::Grant => check_grant(text),
            Q::Rate => parse_decimal(text.strip_prefix('=').unwrap_or(text)).map(|_| text.to_string()),
            Q::Posting => check_posting(text, s),
            Q::Counterparty | Q::Ref | Q::Receipt | Q::Note | Q::Memo if text.is_empty() => Ok(String::new()),
            Q::Counterparty => answer(name_problem(text), text),
            Q::Ref | Q::Receipt | Q::Note | Q::Memo => answer(text_problem(text), text),
        }
    }
}

/// An answer as it is recorded (in NFC), or what is wrong with it.
fn answer(problem: Option<String>, text: &str) -> Checked {
    match problem {
        Some(problem) => Err(problem),
        None => Ok(nfc(text)),
    }
}

/// What is wrong with an answer, without the field an error names.
fn problem(e: Error) -> String {
    match e {
        Error::Invalid { problem, .. } => problem,
        other => other.to_string(),
    }
}

pub(super) fn yes_no(text: &str) -> Checked {
    match text.to_lowercase().as_str() {
        "y" | "yes" => Ok("y".into()),
        "n" | "no" => Ok("n".into()),
        _ => Err("answer y or n".into()),
    }
}

/// A date that has happened, and for a confirmation not before the grant it confirms: both
/// refused here, not after every question with a flag `add` does not take.
fn check_date(text: &str, s: &AddSession<'_>) -> Checked {
    let today = s.ctx.today;
    let date = parse_date(Field::DATE, text, today).map_err(problem)?;
    if is_ahead(date, today) {
        return Err(format!(
            "{date} is more than a day after today ({today}); `fondo add` records what has happened: a payment scheduled ahead is recorded with its one-line command and --future"
        ));
    }
    let grant = s.answers.get(Q::Grant).and_then(|g| g.parse::<i64>().ok());
    let made = grant.and_then(|id| read::transaction(s.ledger.conn(), id).ok());
    match made {
        Some(t) if !confirmed_in_time(t.date, date) => Err(format!(
            "grant #{} is of {}; the commune cannot have confirmed it before it was sent",
            t.id, t.date
        )),
        _ => Ok(date.to_string()),
    }
}

fn check_amount(text: &str, s: &AddSession<'_>) -> Checked {
    let currency = s
        .answers
        .get(Q::Currency)
        .and_then(|c| Currency::parse(c).ok())
        .unwrap_or(s.known.currency);
    let amount = Amount::parse(text, currency)?;
    require_positive(Field::AMOUNT, amount).map_err(problem)?;
    Ok(text.to_string())
}

fn check_fund(text: &str, s: &AddSession<'_>) -> Checked {
    let funds = &s.known.funds;
    if funds.iter().any(|f| f == text) {
        return Ok(text.to_string());
    }
    Err(match closest(text, funds.iter().map(String::as_str)) {
        Some(n) => format!("unknown fund `{text}` (did you mean `{n}`?)"),
        None => format!("unknown fund `{text}`; add it with `fondo fund add`"),
    })
}

/// One of the ledger's accounts, of one of these types.
fn check_account(text: &str, s: &AddSession<'_>, types: &[AccountType]) -> Checked {
    if text.is_empty() {
        return Err("an account is needed".into());
    }
    let accounts = &s.known.accounts;
    match accounts.iter().find(|(name, _)| name == text) {
        Some((_, t)) if types.iter().any(|k| k.as_str() == t) => Ok(text.to_string()),
        Some((_, t)) => Err(format!(
            "`{text}` is a {t} account; this needs one of our own accounts"
        )),
        None => Err(match closest(text, accounts.iter().map(|(a, _)| a.as_str())) {
            Some(n) => format!("unknown account `{text}` (did you mean `{n}`?)"),
            None => format!("unknown account `{text}`; add it with `fondo account add`"),
        }),
    }
}

/// A grant's number, as `8`, `#8`, or a completed line (`#8 2026-03-02 ...`).
fn check_grant(text: &str) -> Checked {
    let id = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_start_matches('#');
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(|id| id.to_string())
        .ok_or_else(|| "give the grant's number, e.g. 8 or #8".into())
}

/// A posting; a blank one ends the postings, once there are two.
fn check_posting(text: &str, s: &AddSession<'_>) -> Checked {
    if text.is_empty() {
        return match s.answers.postings().len() {
            0 | 1 => Err("a transaction needs at least two postings".into()),
            _ => Ok(String::new()),
        };
    }
    parse_posting(text, s.known.currency)
        .map(|_| text.to_string())
        .map_err(problem)
}

fn unconfirmed_grants(s: &AddSession<'_>) -> Result<Vec<GrantLine>> {
    Ok(
        accountability::grant_lines(s.ledger.conn(), &Filter::default(), None)?
            .into_iter()
            .filter(|g| g.live && g.confirmed.is_none())
            .collect(),
    )
}

/// A new donor's name, and the known donor it looks like or is nearest to.
struct Resemblance {
    donor: String,
    look_alike: Option<(String, Likeness)>,
    near: Option<String>,
}

impl Resemblance {
    fn of(s: &AddSession<'_>) -> Result<Resemblance> {
        let donor = s.answers.get(Q::Donor).unwrap_or_default().to_string();
        Ok(Resemblance {
            near: closest(&donor, s.known.donors.iter().map(String::as_str)),
            look_alike: donors::look_alikes(s.ledger.conn(), &donor)?.into_iter().next(),
            donor,
        })
    }
}

fn new_donor_text(s: &AddSession<'_>) -> Result<String> {
    let Resemblance {
        donor,
        look_alike,
        near,
    } = Resemblance::of(s)?;
    Ok(match (look_alike, near) {
        (Some((existing, likeness)), _) => format!(
            "`{donor}` looks like the existing donor `{}` ({}). Record a different person? (y/n)",
            escape_controls(&existing),
            why_alike(&donor, &existing, likeness)
        ),
        (None, Some(n)) => {
            format!("`{donor}` has not given before (did you mean `{n}`?). Record a new donor? (y/n)")
        }
        (None, None) => format!("`{donor}` has not given before. Record a new donor? (y/n)"),
    })
}

/// No when the name looks like a known donor's, for a likely slip not to become a person.
fn new_donor_default(s: &AddSession<'_>) -> Result<&'static str> {
    let Resemblance { look_alike, near, .. } = Resemblance::of(s)?;
    Ok(if look_alike.is_some() || near.is_some() {
        "n"
    } else {
        "y"
    })
}

fn new_commune_text(s: &AddSession<'_>) -> String {
    let name = s.answers.commune().unwrap_or_default();
    let communes = &s.known.communes;
    let near = closest(name, communes.iter().map(|c| c.slug.as_str()));
    let look_alike = communes
        .iter()
        .find_map(|c| likeness(name, &c.name).map(|how| (&c.name, how)));
    match (look_alike, near) {
        (Some((existing, how)), _) => format!(
            "`{name}` is not a known commune, but looks like the commune `{}` ({}). Add it as a different commune? (y/n)",
            escape_controls(existing),
            why_alike(name, existing, how)
        ),
        (None, Some(n)) => format!("`{name}` is not a known commune (did you mean `{n}`?). Add it? (y/n)"),
        (None, None) => format!("`{name}` is not a known commune. Add it? (y/n)"),
    }
}
