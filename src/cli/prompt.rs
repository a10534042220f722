//! Asking the treasurer questions: at a terminal with rustyline (readline's editing keys —
//! Ctrl-U, Ctrl-W, Ctrl-A, Ctrl-E, Ctrl-K —, a known name completed with Tab and hinted as
//! you type, Ctrl-C or Ctrl-D to cancel), or one answer a line from standard input when it
//! is not a terminal, so scripts and tests can drive `fondo add`. In both, a blank answer
//! takes the default and `<` steps back a question.

use std::io::{BufRead, Read};

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::Editor;

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

/// Completes from known names that contain what was typed, ignoring case, and hints the
/// rest of the first known name that starts with it.
struct Suggest(Vec<String>);

impl Completer for Suggest {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let wanted = line[..pos].to_lowercase();
        let found = self
            .0
            .iter()
            .filter(|s| s.to_lowercase().contains(&wanted))
            .take(8)
            .cloned()
            .collect();
        Ok((0, found))
    }
}

impl Hinter for Suggest {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _: &rustyline::Context<'_>) -> Option<String> {
        if line.is_empty() || pos < line.len() {
            return None;
        }
        let typed = line.to_lowercase();
        self.0
            .iter()
            .find(|s| s.len() > line.len() && s.to_lowercase().starts_with(&typed))
            .and_then(|s| s.get(line.len()..))
            .map(str::to_string)
    }
}

impl Highlighter for Suggest {}
impl Validator for Suggest {}
impl rustyline::Helper for Suggest {}

/// Questions at a terminal.
pub struct Terminal;

impl Prompter for Terminal {
    fn ask(&mut self, question: &Question) -> Result<Reply> {
        let help = match question.help.as_str() {
            "" => "< to go back · Ctrl-C to cancel".to_string(),
            help => format!("{help} · < to go back · Ctrl-C to cancel"),
        };
        eprintln!("  {}", escape_controls(&help));
        let prompt = match question.default.as_deref().filter(|d| !d.is_empty()) {
            Some(default) => format!("> {} [{}] ", question.prompt, escape_controls(default)),
            None => format!("> {} ", question.prompt),
        };
        let cannot = |e: ReadlineError| Error::Refused(format!("cannot ask at this terminal: {e}"));
        let mut editor: Editor<Suggest, DefaultHistory> = Editor::new().map_err(cannot)?;
        editor.set_helper(Some(Suggest(question.suggestions.clone())));
        match editor.readline(&prompt) {
            Ok(text) => Ok(reply(question, &text)),
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => {
                Err(Error::Refused("cancelled; nothing was written".into()))
            }
            Err(e) => Err(cannot(e)),
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
