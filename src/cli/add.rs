//! `fondo add`: records a transaction by asking only the questions its kind needs. The
//! answers are composed into the same command line a treasurer could type (shown with the
//! preview), parsed by the same definitions and built by the same code, so `add` can do
//! nothing the commands could not. Nothing is written until the treasurer confirms.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};

use clap::{Args, Parser};

use super::prompt::{Lines, Prompter, Question, Reply, Terminal};
use super::record::{parse_posting, write_transaction, Recording};
use super::{Cli, Command, Context};
use crate::domain::identity::{likeness, why_alike, Likeness};
use crate::domain::money::parse_decimal;
use crate::domain::names::{
    check_name, check_text, closest, escape_controls, parse_date, AccountType, GENERAL_FUND, UNION_SLUG,
};
use crate::domain::Currency;
use crate::error::{Error, Result};
use crate::render::{self, Format, Recorded};
use crate::store::donors;
use crate::store::flows::{self, GrantLine};
use crate::store::read::{self, CommuneInfo, Filter};
use crate::store::Ledger;
use crate::store::WriteMode;

/// A kind of transaction `add` knows: the word that picks it, what it is, and its questions
/// in the order they are asked.
struct Kind {
    word: &'static str,
    what: &'static str,
    keys: &'static [&'static str],
}

const KINDS: [Kind; 9] = [
    Kind {
        word: "donation",
        what: "a gift received",
        keys: &[
            "date",
            "donor",
            "new_donor",
            "currency",
            "amount",
            "fund",
            "into",
            "fee",
            "ref",
            "memo",
        ],
    },
    Kind {
        word: "union",
        what: "money sent to the Communard Union",
        keys: &["date", "currency", "amount", "fund", "from", "fee", "ref", "memo"],
    },
    Kind {
        word: "allocation",
        what: "the union's report that it passed money on",
        keys: &[
            "date",
            "recipient",
            "new_commune",
            "state",
            "currency",
            "amount",
            "fund",
            "ref",
            "memo",
        ],
    },
    Kind {
        word: "direct",
        what: "money sent straight to a commune",
        keys: &[
            "date",
            "commune",
            "new_commune",
            "state",
            "currency",
            "amount",
            "fund",
            "from",
            "fee",
            "ref",
            "memo",
        ],
    },
    Kind {
        word: "confirmation",
        what: "a commune's confirmation that a grant arrived",
        keys: &["grant", "date", "receipt", "note"],
    },
    Kind {
        word: "fee",
        what: "a fee charged on its own",
        keys: &[
            "date",
            "currency",
            "amount",
            "from",
            "fund",
            "description",
            "ref",
            "memo",
        ],
    },
    Kind {
        word: "transfer",
        what: "a move between two of our own accounts",
        keys: &["date", "currency", "amount", "from", "to", "fund", "ref", "memo"],
    },
    Kind {
        word: "exchange",
        what: "a currency exchange",
        keys: &[
            "date",
            "currency",
            "amount",
            "to_currency",
            "rate",
            "account",
            "fund",
            "ref",
            "memo",
        ],
    },
    Kind {
        word: "entry",
        what: "any balanced transaction, posting by posting",
        keys: &["date", "description", "posting", "counterparty", "ref", "memo"],
    },
];

/// Questions asked only in some cases, and when.
const CONDITIONAL: [(&str, &str); 3] = [
    ("new_donor", "only when the donor has not given before"),
    ("new_commune", "only when the commune is not known"),
    ("state", "only when a new commune is being added"),
];

/// `fondo add --help`: the order of the answers, for scripts.
/// The script `fondo add --help` and the README show, one answer a line.
const EXAMPLE_SCRIPT: [&str; 12] = [
    "donation",
    "2026-03-02",
    "Ana Pérez",
    "y",
    "",
    "100",
    "tires",
    "assets:processor",
    "3.20",
    "",
    "",
    "y",
];

fn answer_order() -> String {
    // Paragraphs are single lines, for clap to wrap at the terminal's width; the lists are
    // wrapped here, under their own indent.
    let mut text = String::from(
        "When standard input is not a terminal, fondo add reads the answers one a line, in this \
         order: first the kind, then its questions, then y to record. A blank line takes the \
         default, `<` goes back a question. Postings of an entry end with a blank line.\n\n\
         Or name them, one a line in any order, starting with the kind (kind=donation, \
         donor=Ana Pérez, amount=100, record=y, ...): a question not named takes its default, so \
         a skipped question never shifts the others; a name that is no question of the entry, \
         or no record=y, stops it. A refused answer stops the entry; nothing is written.\n\n",
    );
    for kind in &KINDS {
        text.push_str(&render::hanging(
            &format!("  {:<13}", kind.word),
            &kind.keys.join(", "),
            78,
        ));
    }
    text.push('\n');
    for (key, when) in CONDITIONAL {
        text.push_str(&render::hanging(&format!("  {key}: "), when, 78));
    }
    text.push_str("\nExample:\n  fondo add <<'EOF'\n");
    for answer in EXAMPLE_SCRIPT {
        text.push_str(&format!("  {answer}\n"));
    }
    text.push_str("  EOF");
    text
}

#[derive(Debug, Args)]
#[command(after_help = answer_order())]
pub struct AddArgs {
    /// Check the answers and show the postings, but write nothing
    #[arg(long)]
    dry_run: bool,
}

/// What the ledger knows, for defaults, completion and checks.
struct Known {
    currency: Currency,
    donors: Vec<String>,
    communes: Vec<CommuneInfo>,
    accounts: Vec<(String, String)>,
    funds: Vec<String>,
}

impl Known {
    fn of(ledger: &Ledger) -> Result<Known> {
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
    fn accounts_of(&self, types: &[AccountType]) -> Vec<String> {
        self.accounts
            .iter()
            .filter(|(_, t)| types.iter().any(|k| k.as_str() == t))
            .map(|(name, _)| name.clone())
            .collect()
    }

    fn commune(&self, wanted: &str) -> Option<&CommuneInfo> {
        self.communes
            .iter()
            .find(|c| c.slug == wanted || c.name.to_lowercase() == wanted.to_lowercase())
    }

    fn commune_names(&self) -> Vec<String> {
        self.communes.iter().map(|c| c.slug.clone()).collect()
    }
}

/// The answers so far, in the order given.
#[derive(Default)]
struct Answers(Vec<(&'static str, String)>);

impl Answers {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn postings(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| *k == "posting")
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn yes(&self, key: &str) -> bool {
        self.get(key) == Some("y")
    }
}

/// The question to ask next, or None when every question of the kind is answered.
fn next_key(kind: &Kind, answers: &Answers, known: &Known) -> Option<&'static str> {
    for &key in kind.keys {
        let needed = match key {
            "posting" => match answers.postings().last() {
                Some(last) => !last.is_empty(),
                None => true,
            },
            "new_donor" => {
                answers
                    .get("donor")
                    .is_some_and(|d| !known.donors.iter().any(|k| k == d))
                    && !answers.has(key)
            }
            "new_commune" => {
                let named = answers.get("commune").or(answers.get("recipient"));
                named.is_some_and(|c| c != UNION_SLUG && known.commune(c).is_none()) && !answers.has(key)
            }
            "state" => answers.yes("new_commune") && !answers.has(key),
            _ => !answers.has(key),
        };
        if needed {
            return Some(key);
        }
    }
    None
}

fn yes_no(text: &str) -> std::result::Result<String, String> {
    match text.to_lowercase().as_str() {
        "y" | "yes" => Ok("y".into()),
        "n" | "no" => Ok("n".into()),
        _ => Err("answer y or n".into()),
    }
}

/// A question, with its default from the answers so far and the most recent similar
/// transaction (the same donor's last gift, the same commune's last grant).
fn question(key: &str, ctx: &Context, ledger: &Ledger, known: &Known, answers: &Answers) -> Result<Question> {
    let conn = ledger.conn();
    let donor_last = match answers.get("donor") {
        Some(d) => flows::last_gift(conn, d)?,
        None => None,
    };
    let commune_last = match answers
        .get("commune")
        .or(answers.get("recipient"))
        .and_then(|c| known.commune(c))
    {
        Some(c) => flows::grant_lines(conn, &Filter::default(), Some(&c.slug))?.pop(),
        None => None,
    };
    let q = |prompt: &str, help: &str, default: Option<String>, suggestions: Vec<String>| Question {
        key: "",
        prompt: prompt.to_string(),
        help: help.to_string(),
        default,
        suggestions,
        commits: false,
    };
    let own = known.accounts_of(&[AccountType::Assets]);
    Ok(match key {
        "date" => q(
            "Date",
            "YYYY-MM-DD, today or yesterday",
            Some(ctx.today.to_string()),
            vec![],
        ),
        "donor" => q(
            "Donor",
            "who gave; known donors complete",
            None,
            known.donors.clone(),
        ),
        "new_donor" => {
            let donor = answers.get("donor").unwrap_or_default();
            let near = closest(donor, known.donors.iter().map(String::as_str));
            let look_alike = donors::look_alikes(conn, donor)?.into_iter().next();
            let prompt = match (&look_alike, &near) {
                (Some((existing, likeness)), _) => format!(
                    "`{donor}` looks like the existing donor `{}` ({}). Record a different person? (y/n)",
                    escape_controls(existing),
                    why_alike(donor, existing, *likeness)
                ),
                (None, Some(n)) => {
                    format!("`{donor}` has not given before (did you mean `{n}`?). Record a new donor? (y/n)")
                }
                (None, None) => format!("`{donor}` has not given before. Record a new donor? (y/n)"),
            };
            let default = if look_alike.is_some() || near.is_some() {
                "n"
            } else {
                "y"
            };
            q(&prompt, "n goes back to the donor", Some(default.into()), vec![])
        }
        "amount" => {
            let default = donor_last
                .as_ref()
                .map(|(_, _, a)| a.to_decimal().to_string())
                .or_else(|| commune_last.as_ref().map(|g| g.amount.to_decimal().to_string()));
            let prompt = if answers.has("donor") {
                "Amount given (before any fee)"
            } else {
                "Amount"
            };
            q(prompt, "e.g. 100.00", default, vec![])
        }
        "currency" => {
            let default = donor_last
                .as_ref()
                .map(|(_, _, a)| a.currency())
                .unwrap_or(ledger.currency());
            q(
                "Currency",
                "ISO 4217, e.g. USD or VES",
                Some(default.to_string()),
                vec![],
            )
        }
        "fund" => {
            let default = donor_last
                .as_ref()
                .map(|(f, _, _)| f.clone())
                .or_else(|| commune_last.as_ref().map(|g| g.fund.clone()))
                .unwrap_or_else(|| GENERAL_FUND.to_string());
            q(
                "Fund",
                "the earmark; general for none",
                Some(default),
                known.funds.clone(),
            )
        }
        "into" => {
            let default = donor_last
                .as_ref()
                .map(|(_, into, _)| into.clone())
                .filter(|i| !i.is_empty())
                .unwrap_or_else(|| "assets:bank".into());
            q(
                "Received into",
                "the account the money reached",
                Some(default),
                own,
            )
        }
        "fee" => q(
            "Fee (blank for none)",
            "what the bank or processor kept",
            None,
            vec![],
        ),
        "from" => q(
            "From account",
            "the account the money leaves",
            Some("assets:bank".into()),
            known.accounts_of(&[AccountType::Assets, AccountType::Liabilities]),
        ),
        "to" => q(
            "To account",
            "",
            None,
            known.accounts_of(&[AccountType::Assets, AccountType::Liabilities]),
        ),
        "account" => q(
            "Account",
            "where the exchange happens",
            Some("assets:bank".into()),
            own,
        ),
        "recipient" => {
            let mut names = vec![UNION_SLUG.to_string()];
            names.extend(known.commune_names());
            q(
                "Passed on to",
                "a commune, or union for its own programmes",
                None,
                names,
            )
        }
        "commune" => q("Commune", "known communes complete", None, known.commune_names()),
        "new_commune" => {
            let name = answers
                .get("commune")
                .or(answers.get("recipient"))
                .unwrap_or_default();
            let near = closest(name, known.communes.iter().map(|c| c.slug.as_str()));
            let look_alike = known
                .communes
                .iter()
                .find_map(|c| likeness(name, &c.name).map(|how| (&c.name, how)));
            let prompt = match (look_alike, near) {
                (Some((existing, how)), _) => format!(
                    "`{name}` is not a known commune, but looks like the commune `{}` ({}). Add it as a different commune? (y/n)",
                    escape_controls(existing),
                    why_alike(name, existing, how)
                ),
                (None, Some(n)) => format!("`{name}` is not a known commune (did you mean `{n}`?). Add it? (y/n)"),
                (None, None) => format!("`{name}` is not a known commune. Add it? (y/n)"),
            };
            q(&prompt, "n goes back to the commune", Some("n".into()), vec![])
        }
        "state" => q("The new commune's state", "e.g. Lara", None, vec![]),
        "grant" => {
            let open: Vec<String> = unconfirmed_grants(ledger)?
                .iter()
                .map(|g| format!("#{} {} {} {}", g.txn, g.date, g.commune, g.amount))
                .collect();
            q(
                "Which grant arrived (#id)",
                "an allocation or direct send",
                None,
                open,
            )
        }
        "receipt" => q(
            "The commune's receipt reference (blank for none)",
            "",
            None,
            vec![],
        ),
        "note" => q("Note (blank for none)", "", None, vec![]),
        "to_currency" => q("Exchanged into currency", "e.g. VES", None, vec![]),
        "rate" => {
            let (from, to) = (
                answers.get("currency").unwrap_or_default(),
                answers.get("to_currency").unwrap_or_default(),
            );
            q(
                &format!("Rate ({to} per {from}), or =AMOUNT received"),
                "the rate must give whole cents; otherwise give what arrived",
                None,
                vec![],
            )
        }
        "description" => {
            let help = if answers.get("kind") == Some("fee") {
                "blank for the default"
            } else {
                ""
            };
            q("Description", help, None, vec![])
        }
        "posting" => {
            let n = answers.postings().len() + 1;
            let done = if n > 2 { " (blank when done)" } else { "" };
            let mut accounts: Vec<String> = known.accounts.iter().map(|(a, _)| a.clone()).collect();
            accounts.sort();
            q(
                &format!("Posting {n}: ACCOUNT AMOUNT [CUR] [FUND]{done}"),
                "positive debits, negative credits",
                None,
                accounts,
            )
        }
        "counterparty" => q("Counterparty (blank for none)", "", None, vec![]),
        "ref" => q(
            "Reference (blank for none)",
            "a receipt, bank or processor id",
            None,
            vec![],
        ),
        "memo" => q("Memo (blank for none)", "", None, vec![]),
        _ => q(key, "", None, vec![]),
    })
}

fn unconfirmed_grants(ledger: &Ledger) -> Result<Vec<GrantLine>> {
    Ok(flows::grant_lines(ledger.conn(), &Filter::default(), None)?
        .into_iter()
        .filter(|g| g.live && g.confirmed.is_none())
        .collect())
}

/// Checks one answer; returns it as it will be used, or what is wrong with it.
fn check(
    key: &str,
    text: &str,
    ctx: &Context,
    known: &Known,
    answers: &Answers,
) -> std::result::Result<String, String> {
    let problem = |e: Error| match e {
        Error::Invalid { problem, .. } => problem,
        other => other.to_string(),
    };
    let required = |what: &str| -> std::result::Result<(), String> {
        if text.is_empty() {
            Err(format!("{what} is needed"))
        } else {
            Ok(())
        }
    };
    let account = |types: &[AccountType]| -> std::result::Result<String, String> {
        required("an account")?;
        match known.accounts.iter().find(|(name, _)| name == text) {
            Some((_, t)) if types.iter().any(|k| k.as_str() == t) => Ok(text.to_string()),
            Some((_, t)) => Err(format!(
                "`{text}` is a {t} account; this needs one of our own accounts"
            )),
            None => Err(
                match closest(text, known.accounts.iter().map(|(a, _)| a.as_str())) {
                    Some(n) => format!("unknown account `{text}` (did you mean `{n}`?)"),
                    None => format!("unknown account `{text}`; add it with `fondo account add`"),
                },
            ),
        }
    };
    match key {
        "date" => match parse_date("date", text, ctx.today).map_err(problem)? {
            // Refused here, not after every question with a flag `add` does not take.
            d if d > ctx.today + chrono::Days::new(1) => Err(format!(
                "{d} is more than a day after today ({}); `fondo add` records what has happened: a payment scheduled ahead is recorded with its one-line command and --future",
                ctx.today
            )),
            d => Ok(d.to_string()),
        },
        "amount" | "fee" if key == "fee" && text.is_empty() => Ok(String::new()),
        "amount" | "fee" => {
            let currency = answers
                .get("currency")
                .and_then(|c| Currency::parse(c).ok())
                .unwrap_or(known.currency);
            match crate::domain::Amount::parse(text, currency) {
                Ok(a) if a.is_positive() => Ok(text.to_string()),
                Ok(_) => Err("must be greater than zero".into()),
                Err(p) => Err(p),
            }
        }
        "currency" | "to_currency" => Currency::parse(text).map(|c| c.to_string()),
        "donor" | "state" | "description" if key == "description" && text.is_empty() => Ok(String::new()),
        "donor" | "state" | "description" => {
            required("an answer")?;
            match key {
                "description" => check_text(key, text).map_err(problem),
                _ => check_name(key, text).map_err(problem),
            }
        }
        "new_donor" | "new_commune" => yes_no(text),
        "fund" => match known.funds.iter().any(|f| f == text) {
            true => Ok(text.to_string()),
            false => Err(match closest(text, known.funds.iter().map(String::as_str)) {
                Some(n) => format!("unknown fund `{text}` (did you mean `{n}`?)"),
                None => format!("unknown fund `{text}`; add it with `fondo fund add`"),
            }),
        },
        "into" | "account" => account(&[AccountType::Assets]),
        "from" | "to" => account(&[AccountType::Assets, AccountType::Liabilities]),
        "recipient" | "commune" => {
            required("a commune")?;
            let name = check_name(key, text).map_err(problem)?;
            Ok(known.commune(&name).map_or(name, |c| c.slug.clone()))
        }
        "grant" => {
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
        "rate" => {
            let number = text.strip_prefix('=').unwrap_or(text);
            parse_decimal(number).map(|_| text.to_string())
        }
        "posting" => {
            if text.is_empty() {
                return match answers.postings().len() {
                    0 | 1 => Err("a transaction needs at least two postings".into()),
                    _ => Ok(String::new()),
                };
            }
            parse_posting(text, known.currency)
                .map(|_| text.to_string())
                .map_err(problem)
        }
        _ if text.is_empty() => Ok(String::new()),
        "counterparty" => check_name(key, text).map_err(problem),
        _ => check_text(key, text).map_err(problem),
    }
}

/// The command line the answers amount to.
fn command_line(kind: &Kind, answers: &Answers) -> Vec<String> {
    let a = |key: &str| answers.get(key).unwrap_or_default().to_string();
    let mut words: Vec<String> = match kind.word {
        "donation" => vec!["donation".into(), a("amount")],
        "union" => vec!["send".into(), a("amount"), "--to=union".into()],
        "allocation" => vec!["allocate".into(), a("amount"), format!("--to={}", a("recipient"))],
        "direct" => vec!["send".into(), a("amount"), format!("--to={}", a("commune"))],
        "confirmation" => vec!["confirm".into(), a("grant")],
        "fee" => vec!["fee".into(), a("amount")],
        "transfer" => vec!["transfer".into(), a("amount")],
        "exchange" => vec!["exchange".into(), a("amount"), a("currency")],
        _ => vec!["entry".into()],
    };
    let exchange = kind.word == "exchange";
    let options = [
        ("date", "date"),
        ("donor", "donor"),
        ("currency", if exchange { "" } else { "currency" }),
        ("fund", "fund"),
        ("into", "into"),
        ("from", "from"),
        ("fee", "fee"),
        ("account", "account"),
        ("to", if exchange { "to_currency" } else { "to" }),
        ("desc", "description"),
        ("counterparty", "counterparty"),
        (
            "ref",
            if kind.word == "confirmation" {
                "receipt"
            } else {
                "ref"
            },
        ),
        ("note", "note"),
        ("memo", "memo"),
    ];
    for (name, key) in options {
        let value = a(key);
        if !key.is_empty() && !value.is_empty() {
            // `--name=value` keeps a value that starts with `-` from reading as an option.
            words.push(format!("--{name}={value}"));
        }
    }
    match answers.get("rate") {
        Some(r) if r.starts_with('=') => words.push(format!("--received={}", &r[1..])),
        Some(r) => words.push(format!("--rate={r}")),
        None => {}
    }
    for posting in answers.postings().into_iter().filter(|p| !p.is_empty()) {
        words.push(format!("--posting={posting}"));
    }
    words
}

/// The question a problem with the whole transaction sends the treasurer back to.
fn key_of(error: &Error, kind: &Kind) -> &'static str {
    let named = match error {
        Error::Invalid { field, .. } => match field.trim_start_matches('-') {
            "received" | "rate" => "rate",
            "desc" | "description" => "description",
            "to" if kind.word == "exchange" => "to_currency",
            f if f.starts_with("posting") => "posting",
            f => kind.keys.iter().copied().find(|k| *k == f).unwrap_or(""),
        },
        Error::UnknownFund { .. } => "fund",
        Error::UnknownCommune { .. } => "commune",
        Error::InsufficientFunds(_) | Error::Overflow { .. } => "amount",
        Error::Unbalanced { .. } => "posting",
        Error::DuplicateReference { .. } => "ref",
        Error::LookAlike(l) => {
            let keys = match l.what {
                "donor" => ["donor", "counterparty"],
                _ => ["commune", "recipient"],
            };
            keys.into_iter().find(|k| kind.keys.contains(k)).unwrap_or("")
        }
        _ => "",
    };
    kind.keys
        .iter()
        .copied()
        .find(|k| *k == named)
        .unwrap_or(kind.keys[0])
}

/// Asks everything, previews, and records on confirmation.
pub fn add(ctx: &Context, args: AddArgs, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    if std::io::stdin().is_terminal() {
        run(ctx, &mut ledger, &mut Terminal, args.dry_run, out)
    } else {
        run(
            ctx,
            &mut ledger,
            &mut Lines::new(std::io::stdin().lock()),
            args.dry_run,
            out,
        )
    }
}

fn run(
    ctx: &Context,
    ledger: &mut Ledger,
    p: &mut dyn Prompter,
    dry_run: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let words: Vec<String> = KINDS.iter().map(|k| k.word.to_string()).collect();
    let kind = loop {
        let question = Question {
            key: "kind",
            prompt: format!("What are you recording? ({})", words.join(", ")),
            help: KINDS
                .iter()
                .map(|k| format!("{}: {}", k.word, k.what))
                .collect::<Vec<_>>()
                .join("; "),
            default: None,
            suggestions: words.clone(),
            commits: false,
        };
        match p.ask(&question)? {
            Reply::Answer(word) => match KINDS.iter().find(|k| k.word == word.to_lowercase()) {
                Some(kind) => break kind,
                None => p.refuse(
                    &question,
                    &format!("`{word}` is not a kind; answer one of: {}", words.join(", ")),
                )?,
            },
            Reply::Back => p.say("  (this is the first question)"),
        }
    };
    let mut answers = Answers::default();
    answers.0.push(("kind", kind.word.to_string()));
    // Answers taken back by `<` or by a problem are offered again as defaults.
    let mut earlier: HashMap<&'static str, String> = HashMap::new();
    loop {
        let known = Known::of(ledger)?;
        while let Some(key) = next_key(kind, &answers, &known) {
            let mut question = question(key, ctx, ledger, &known, &answers)?;
            question.key = key;
            if let Some(value) = earlier.remove(key).filter(|v| !v.is_empty()) {
                question.default = Some(value);
            }
            match p.ask(&question)? {
                Reply::Back => {
                    if answers.0.len() > 1 {
                        if let Some((k, v)) = answers.0.pop() {
                            earlier.insert(k, v);
                        }
                    } else {
                        p.say("  (this is the first question)");
                    }
                }
                Reply::Answer(text) => match check(key, &text, ctx, &known, &answers)
                    .and_then(|value| after_its_grant(ledger, key, &answers, value))
                {
                    Ok(value) if (key == "new_donor" || key == "new_commune") && value == "n" => {
                        // Back to the name, to choose a known one: at a terminal it is asked
                        // again; a script, whose next line was written for the next
                        // question, stops here.
                        let what = if key == "new_donor" { "donor" } else { "commune" };
                        p.refuse(
                            &question,
                            &format!("so that name is not taken: give the {what}'s name as recorded"),
                        )?;
                        answers.0.pop();
                    }
                    Ok(value) => answers.0.push((key, value)),
                    Err(problem) => p.refuse(&question, &problem)?,
                },
            }
        }
        match preview_and_record(ctx, ledger, p, kind, &answers, dry_run, out) {
            Ok(()) => return Ok(()),
            Err(e @ Error::Cancelled(_)) => return Err(e),
            Err(e) => {
                let key = key_of(&e, kind);
                let asked = Question {
                    key,
                    prompt: format!("the answers together ({key})"),
                    ..Question::default()
                };
                // The builders speak of command-line flags, which `add` does not take.
                p.refuse(&asked, &e.to_string().replace("invalid --", "invalid "))?;
                let at = answers.0.iter().position(|(k, _)| *k == key).unwrap_or(1).max(1);
                for (k, v) in answers.0.drain(at..) {
                    earlier.entry(k).or_insert(v);
                }
            }
        }
    }
}

/// A confirmation's date, refused at its question when it comes before the grant it confirms
/// (it was refused only after every question, naming `--date`, a flag no one had typed).
fn after_its_grant(
    ledger: &Ledger,
    key: &str,
    answers: &Answers,
    value: String,
) -> std::result::Result<String, String> {
    let grant = answers.get("grant").and_then(|g| g.parse::<i64>().ok());
    let (Some(id), "date") = (grant, key) else {
        return Ok(value);
    };
    match read::transaction(ledger.conn(), id) {
        Ok(t) if value < t.date.to_string() => Err(format!(
            "grant #{id} is of {}; the commune cannot have confirmed it before it was sent",
            t.date
        )),
        _ => Ok(value),
    }
}

/// Builds the transaction the answers describe, shows it, and records it if confirmed.
fn preview_and_record(
    ctx: &Context,
    ledger: &mut Ledger,
    p: &mut dyn Prompter,
    kind: &Kind,
    answers: &Answers,
    dry_run: bool,
    out: &mut dyn Write,
) -> Result<()> {
    // A new commune is added in the same write as the transaction, so nothing is written
    // before the treasurer says yes (nor on a dry run).
    let with_commune;
    let ctx = if answers.yes("new_commune") {
        let name = answers
            .get("commune")
            .or(answers.get("recipient"))
            .unwrap_or_default();
        let state = answers.get("state").unwrap_or_default();
        with_commune = Context {
            new_commune: Some((name.to_string(), state.to_string())),
            ..ctx.clone()
        };
        p.say(&format!(
            "  with it, the new commune {} ({}, {})",
            crate::domain::names::slugify(name),
            escape_controls(name),
            escape_controls(state)
        ));
        &with_commune
    } else {
        ctx
    };
    let mut words = vec!["fondo".to_string()];
    words.extend(command_line(kind, answers));
    // The question named the donor this one looks like; `y` said it is someone else.
    if answers.yes("new_donor") {
        let donor = answers.get("donor").unwrap_or_default();
        for (_, likeness) in donors::look_alikes(ledger.conn(), donor)? {
            words.push(match likeness {
                Likeness::SameKey => "--new-donor".into(),
                Likeness::Confusable => "--allow-confusable".into(),
            });
        }
    }
    let parsed = Cli::try_parse_from(&words)
        .map_err(|e| Error::Refused(e.to_string().lines().next().unwrap_or_default().to_string()))?;
    let shell = |words: &[String]| {
        words
            .iter()
            .map(|w| {
                let w = escape_controls(w);
                if w.contains([' ', '\'']) || w.is_empty() {
                    format!("'{}'", w.replace('\'', "'\\''"))
                } else {
                    w
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    // A commune added with the entry is part of the command line that does the same.
    let shown = match &ctx.new_commune {
        Some((name, state)) => {
            let add = [
                "fondo",
                "commune",
                "add",
                name.as_str(),
                "--state",
                state.as_str(),
            ]
            .map(String::from);
            format!("{} && {}", shell(&add), shell(&words))
        }
        None => shell(&words),
    };
    if let Command::Confirm(args) = &parsed.command {
        return confirm(ctx, ledger, p, args, &shown, Closing { dry_run, kind }, out);
    }
    let recording: &dyn Recording = match &parsed.command {
        Command::Donation(a) => a,
        Command::Send(a) => a,
        Command::Allocate(a) => a,
        Command::Fee(a) => a,
        Command::Transfer(a) => a,
        Command::Exchange(a) => a,
        Command::Entry(a) => a,
        _ => return Err(Error::Refused(format!("`{shown}` is not a recording command"))),
    };
    let txn = recording.transaction(ctx, ledger)?;
    let names = recording.name_rules();
    let preview = write_transaction(
        ledger,
        &txn,
        true,
        Default::default(),
        names,
        ctx.new_commune.as_ref(),
    )?;
    let mut table = Vec::new();
    render::write_recorded(&preview, Recorded::Preview, Format::Table, &mut table)?;
    p.say(&String::from_utf8_lossy(&table));
    p.say(&format!("  the same as: {shown}"));
    if !confirmed(p, Closing { dry_run, kind })? {
        // A dry run asked for CSV or JSON gets the preview in it, as `donation --dry-run` does.
        if dry_run && ctx.format != Format::Table {
            render::write_recorded(&preview, Recorded::Preview, ctx.format, out)?;
        }
        p.say("nothing was written");
        return Ok(());
    }
    let recorded = write_transaction(
        ledger,
        &txn,
        false,
        Default::default(),
        names,
        ctx.new_commune.as_ref(),
    )?;
    render::write_recorded(&recorded, Recorded::Written, ctx.format, out)?;
    Ok(())
}

/// How an entry ends: recorded on a yes, or only shown (a dry run).
#[derive(Clone, Copy)]
struct Closing<'k> {
    dry_run: bool,
    kind: &'k Kind,
}

/// Whether to record: the treasurer's yes (never on a dry run, which asks nothing), once
/// every answer a script gave has been used — but for questions of the kind that this
/// entry did not need (`new_donor` for a returning donor), so that one script serves both.
fn confirmed(p: &mut dyn Prompter, closing: Closing<'_>) -> Result<bool> {
    const RECORD: &str = "record";
    let mut unasked: Vec<&str> = closing.kind.keys.to_vec();
    if closing.dry_run {
        unasked.push(RECORD);
        p.finish(&unasked)?;
        return Ok(false);
    }
    let question = Question {
        key: RECORD,
        prompt: "Record this? (y/n)".into(),
        help: String::new(),
        default: Some("y".into()),
        suggestions: vec![],
        commits: true,
    };
    loop {
        match p.ask(&question)? {
            Reply::Answer(text) => match yes_no(&text) {
                Ok(answer) => {
                    if answer == "y" {
                        p.finish(&unasked)?;
                    }
                    return Ok(answer == "y");
                }
                Err(problem) => p.refuse(&question, &problem)?,
            },
            Reply::Back => return Err(Error::Cancelled("cancelled; nothing was written".into())),
        }
    }
}

fn confirm(
    ctx: &Context,
    ledger: &mut Ledger,
    p: &mut dyn Prompter,
    args: &super::record::ConfirmArgs,
    shown: &str,
    closing: Closing<'_>,
    out: &mut dyn Write,
) -> Result<()> {
    let (id, confirmation) = args.confirmation(ctx)?;
    let grant = read::transaction(ledger.conn(), id)?;
    let would_be = ledger.write(WriteMode::DryRun, |w| w.confirm(id, &confirmation, ctx.today))?;
    p.say(&format!(
        "  confirmation of #{id} {} {} on {}",
        grant.date,
        escape_controls(&grant.description),
        confirmation.date.unwrap_or(ctx.today)
    ));
    p.say(&format!("  the same as: {shown}"));
    if !confirmed(p, closing)? {
        if closing.dry_run && ctx.format != Format::Table {
            super::record::write_confirmation(ctx, id, would_be, &confirmation, true, out)?;
        }
        p.say("nothing was written");
        return Ok(());
    }
    let confirmation_id = ledger.write(WriteMode::Commit, |w| w.confirm(id, &confirmation, ctx.today))?;
    super::record::write_confirmation(ctx, id, confirmation_id, &confirmation, false, out)
}
