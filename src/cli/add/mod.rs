//! `fondo add`: records a transaction by asking only the questions its kind needs. The
//! answers are composed into the same command line a treasurer could type (shown with the
//! preview), parsed by the same definitions and built by the same code, so `add` can do
//! nothing the commands could not. Nothing is written until the treasurer confirms.

mod answers;
mod kind;
mod preview;
mod question;

use std::collections::HashMap;
use std::io::{IsTerminal, Write};

use clap::Args;

use super::prompt::{Lines, Prompt, Prompter, Reply, Terminal};
use super::Context;
use crate::error::{Error, Result};
use crate::render;
use crate::store::Ledger;
use answers::{Answers, Known};
use kind::Kind;
use question::{Question, CONDITIONAL};

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

/// `fondo add --help`: the order of the answers, for scripts.
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
    for kind in Kind::ALL {
        let keys: Vec<&str> = kind.questions().iter().map(|q| q.key()).collect();
        text.push_str(&render::hanging(
            &format!("  {:<13}", kind.word()),
            &keys.join(", "),
            78,
        ));
    }
    text.push('\n');
    for (question, when) in CONDITIONAL {
        text.push_str(&render::hanging(&format!("  {}: ", question.key()), when, 78));
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

/// Asks everything, previews, and records on confirmation.
pub fn add(ctx: &Context, args: AddArgs, out: &mut dyn Write) -> Result<()> {
    let mut ledger = ctx.open()?;
    let (mut terminal, mut lines);
    let prompter: &mut dyn Prompter = if std::io::stdin().is_terminal() {
        terminal = Terminal;
        &mut terminal
    } else {
        lines = Lines::new(std::io::stdin().lock());
        &mut lines
    };
    let kind = ask_kind(prompter)?;
    let known = Known::of(&ledger)?;
    AddSession {
        ctx,
        ledger: &mut ledger,
        prompter,
        out,
        dry_run: args.dry_run,
        kind,
        known,
        answers: Answers::default(),
        earlier: HashMap::new(),
    }
    .run()
}

/// The name a script gives the kind of entry, its first answer.
const KIND_KEY: &str = "kind";

fn ask_kind(p: &mut dyn Prompter) -> Result<Kind> {
    let words: Vec<String> = Kind::ALL.iter().map(|k| k.word().to_string()).collect();
    let prompt = Prompt {
        key: KIND_KEY,
        text: format!("What are you recording? ({})", words.join(", ")),
        help: Kind::ALL
            .iter()
            .map(|k| format!("{}: {}", k.word(), k.what()))
            .collect::<Vec<_>>()
            .join("; "),
        suggestions: words.clone(),
        ..Prompt::default()
    };
    loop {
        match p.ask(&prompt)? {
            Reply::Answer(word) => match Kind::ALL.into_iter().find(|k| k.word() == word.to_lowercase()) {
                Some(kind) => return Ok(kind),
                None => p.refuse(
                    &prompt,
                    &format!("`{word}` is not a kind; answer one of: {}", words.join(", ")),
                )?,
            },
            Reply::Back => p.say("  (this is the first question)"),
        }
    }
}

/// One `fondo add`: the ledger, who is asked, and the answers so far.
struct AddSession<'a> {
    ctx: &'a Context,
    ledger: &'a mut Ledger,
    prompter: &'a mut dyn Prompter,
    out: &'a mut dyn Write,
    /// Shows the transaction but asks nothing more and writes nothing.
    dry_run: bool,
    kind: Kind,
    known: Known,
    answers: Answers,
    /// Answers taken back by `<` or by a problem, offered again as defaults.
    earlier: HashMap<Question, String>,
}

impl AddSession<'_> {
    /// Asks every question the entry needs, then previews and records; a problem with the
    /// answers together sends the treasurer back to the question it concerns.
    fn run(mut self) -> Result<()> {
        loop {
            self.known = Known::of(self.ledger)?;
            while let Some(question) = self.next_question() {
                self.ask(question)?;
            }
            match self.preview_and_record() {
                Ok(()) => return Ok(()),
                Err(e @ Error::Cancelled(_)) => return Err(e),
                Err(e) => self.back_to(&e)?,
            }
        }
    }

    /// The question to ask next, or None when every question of the kind is answered.
    fn next_question(&self) -> Option<Question> {
        self.kind.questions().iter().copied().find(|q| q.needed(self))
    }

    fn ask(&mut self, question: Question) -> Result<()> {
        let mut prompt = question.prompt(self)?;
        if let Some(value) = self.earlier.remove(&question).filter(|v| !v.is_empty()) {
            prompt.default = Some(value);
        }
        let text = match self.prompter.ask(&prompt)? {
            Reply::Answer(text) => text,
            Reply::Back => {
                match self.answers.pop() {
                    Some((q, v)) => {
                        self.earlier.insert(q, v);
                    }
                    None => self.prompter.say("  (this is the first question)"),
                }
                return Ok(());
            }
        };
        match question.check(&text, self) {
            Ok(value) if matches!(question, Question::NewDonor | Question::NewCommune) && value == "n" => {
                // Back to the name, to choose a known one: at a terminal it is asked again;
                // a script, whose next line was written for the next question, stops here.
                let what = if question == Question::NewDonor {
                    "donor"
                } else {
                    "commune"
                };
                self.prompter.refuse(
                    &prompt,
                    &format!("so that name is not taken: give the {what}'s name as recorded"),
                )?;
                self.answers.pop();
            }
            Ok(value) => self.answers.push(question, value),
            Err(problem) => self.prompter.refuse(&prompt, &problem)?,
        }
        Ok(())
    }

    /// A problem with the answers together: says it, and takes back the answer it concerns
    /// and every later one, to be asked again with them as defaults.
    fn back_to(&mut self, error: &Error) -> Result<()> {
        let question = question_of(error, self.kind);
        let key = question.key();
        let asked = Prompt {
            key,
            text: format!("the answers together ({key})"),
            ..Prompt::default()
        };
        self.prompter.refuse(&asked, &error.in_words())?;
        for (q, v) in self.answers.take_back_from(question) {
            self.earlier.entry(q).or_insert(v);
        }
        Ok(())
    }
}

/// The question of `kind` a problem with the whole transaction sends the treasurer back to.
fn question_of(error: &Error, kind: Kind) -> Question {
    let in_kind = |q: Question| kind.questions().contains(&q).then_some(q);
    let named = match error {
        Error::Invalid { field, .. } => Question::of_field(*field, kind),
        Error::UnknownFund { .. } => in_kind(Question::Fund),
        Error::UnknownCommune { .. } => in_kind(Question::Commune),
        Error::InsufficientFunds(_) | Error::Overflow { .. } => in_kind(Question::Amount),
        Error::Unbalanced { .. } => in_kind(Question::Posting),
        Error::DuplicateReference { .. } => in_kind(Question::Ref),
        Error::LookAlike(l) => match l.what {
            "donor" => in_kind(Question::Donor).or(in_kind(Question::Counterparty)),
            _ => in_kind(Question::Commune).or(in_kind(Question::Recipient)),
        },
        _ => None,
    };
    named.unwrap_or(kind.first())
}
