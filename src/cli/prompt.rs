//! Asking the treasurer questions: at a terminal with inquire (completion from known names,
//! Esc or Ctrl-C to cancel), or one answer a line from standard input when it is not a
//! terminal, so scripts and tests can drive `fondo add`. In both, a blank answer takes the
//! default and `<` steps back a question.

use std::io::{BufRead, Read};

use inquire::autocompletion::{Autocomplete, Replacement};
use inquire::{CustomUserError, InquireError};

use crate::domain::names::{escape_controls, VALUE_BYTES_MAX};
use crate::error::{Error, Result};

/// One question of `fondo add`.
#[derive(Clone, Debug, Default)]
pub struct Question {
    pub prompt: String,
    pub help: String,
    pub default: Option<String>,
    /// Known names to complete from.
    pub suggestions: Vec<String>,
}

/// What the treasurer said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Answer(String),
    Back,
}

pub trait Prompter {
    fn ask(&mut self, question: &Question) -> Result<Reply>;
    /// Tells the treasurer something (a problem, a preview) without asking.
    fn say(&mut self, text: &str);
    /// The answer to `question` was refused for `problem`: at a terminal the question is
    /// asked again; from a script, whose next line was written for the next question, the
    /// whole entry stops before anything is written.
    fn refuse(&mut self, question: &Question, problem: &str) -> Result<()>;
}

/// The answer to `question` written as `text`: `<` steps back, blank takes the default.
fn reply(question: &Question, text: &str) -> Reply {
    match text.trim() {
        "<" => Reply::Back,
        "" => Reply::Answer(question.default.clone().unwrap_or_default()),
        answer => Reply::Answer(answer.to_string()),
    }
}

/// Answers read one a line, with each question echoed to stderr.
pub struct Lines<R: BufRead> {
    input: R,
    line: u64,
}

impl<R: BufRead> Lines<R> {
    pub fn new(input: R) -> Lines<R> {
        Lines { input, line: 0 }
    }
}

impl<R: BufRead> Prompter for Lines<R> {
    fn ask(&mut self, question: &Question) -> Result<Reply> {
        match &question.default {
            Some(d) if !d.is_empty() => eprint!("{} [{}]: ", question.prompt, escape_controls(d)),
            _ => eprint!("{}: ", question.prompt),
        }
        let mut text = String::new();
        // An answer is read only up to the longest value fondo takes, so that a stray
        // giant line is refused instead of held in memory.
        let limit = VALUE_BYTES_MAX as u64 + 2;
        let read = (&mut self.input)
            .take(limit)
            .read_line(&mut text)
            .map_err(|e| Error::Refused(format!("cannot read the answers: {e}")))?;
        if read as u64 == limit && !text.ends_with('\n') {
            eprintln!();
            return Err(Error::Refused(format!(
                "answer {} (to `{}`) is longer than {VALUE_BYTES_MAX} bytes (64 KiB), more than any value fondo takes; nothing was written",
                self.line + 1,
                question.prompt
            )));
        }
        if read == 0 {
            eprintln!();
            return Err(Error::Refused(format!(
                "the answers ended after line {} with `{}` unanswered; nothing was written",
                self.line, question.prompt
            )));
        }
        self.line += 1;
        eprintln!("{}", escape_controls(text.trim_end()));
        Ok(reply(question, text.trim_end_matches(['\n', '\r'])))
    }

    fn say(&mut self, text: &str) {
        eprintln!("{text}");
    }

    fn refuse(&mut self, question: &Question, problem: &str) -> Result<()> {
        Err(Error::Refused(format!(
            "line {} ({}): {}; nothing was written (answers from a script are not asked again: the next line was meant for the next question)",
            self.line,
            question.prompt,
            escape_controls(problem)
        )))
    }
}

/// Completes from known names that contain what was typed, ignoring case.
#[derive(Clone)]
struct Suggest(Vec<String>);

impl Autocomplete for Suggest {
    fn get_suggestions(&mut self, input: &str) -> std::result::Result<Vec<String>, CustomUserError> {
        let wanted = input.to_lowercase();
        Ok(self
            .0
            .iter()
            .filter(|s| s.to_lowercase().contains(&wanted))
            .take(8)
            .cloned()
            .collect())
    }

    fn get_completion(
        &mut self,
        input: &str,
        highlighted: Option<String>,
    ) -> std::result::Result<Replacement, CustomUserError> {
        Ok(highlighted.or_else(|| self.get_suggestions(input).ok()?.into_iter().next()))
    }
}

/// Questions at a terminal.
pub struct Terminal;

impl Prompter for Terminal {
    fn ask(&mut self, question: &Question) -> Result<Reply> {
        let help = match question.help.as_str() {
            "" => "< to go back · Esc to cancel".to_string(),
            help => format!("{help} · < to go back · Esc to cancel"),
        };
        let mut prompt = inquire::Text::new(&question.prompt).with_help_message(&help);
        if let Some(default) = question.default.as_deref().filter(|d| !d.is_empty()) {
            prompt = prompt.with_default(default);
        }
        if !question.suggestions.is_empty() {
            prompt = prompt.with_autocomplete(Suggest(question.suggestions.clone()));
        }
        match prompt.prompt() {
            Ok(text) => Ok(reply(question, &text)),
            Err(InquireError::OperationCanceled | InquireError::OperationInterrupted) => {
                Err(Error::Refused("cancelled; nothing was written".into()))
            }
            Err(e) => Err(Error::Refused(format!("cannot ask at this terminal: {e}"))),
        }
    }

    fn say(&mut self, text: &str) {
        eprintln!("{text}");
    }

    fn refuse(&mut self, _question: &Question, problem: &str) -> Result<()> {
        self.say(&format!("  ✗ {}", escape_controls(problem)));
        Ok(())
    }
}
