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

/// One question of `fondo add`, as it is put to the treasurer.
#[derive(Clone, Debug, Default)]
pub struct Prompt {
    /// What a named answer calls it (`donor=Ana Pérez`).
    pub key: &'static str,
    pub text: String,
    pub help: String,
    pub default: Option<String>,
    /// Known names to complete from.
    pub suggestions: Vec<String>,
    /// The question whose yes records the entry: a script must answer it, never leave it to
    /// its default.
    pub commits: bool,
}

/// What the treasurer said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Answer(String),
    Back,
}

pub trait Prompter {
    fn ask(&mut self, question: &Prompt) -> Result<Reply>;
    /// Tells the treasurer something (a problem, a preview) without asking.
    fn say(&mut self, text: &str);
    /// The answer to `question` was refused for `problem`: at a terminal the question is
    /// asked again; from a script, whose next line was written for the next question, the
    /// whole entry stops before anything is written.
    fn refuse(&mut self, question: &Prompt, problem: &str) -> Result<()>;
    /// Every question has been asked: a script must have no answer left over (a misspelt
    /// name, a line too many), or it was not written for this entry. `unasked` may be left.
    fn finish(&mut self, unasked: &[&str]) -> Result<()>;
}

/// The answer to `question` written as `text`: `<` steps back, blank takes the default.
fn reply(question: &Prompt, text: &str) -> Reply {
    match text.trim() {
        "<" => Reply::Back,
        "" => Reply::Answer(question.default.clone().unwrap_or_default()),
        answer => Reply::Answer(answer.to_string()),
    }
}

/// Named answers a script may give several times, in the order they are asked.
const REPEATABLE: [&str; 1] = ["posting"];

/// A named answer as the treasurer wrote it: `posting#3` is their third `posting=` line.
fn written(key: &str) -> &str {
    key.split('#').next().unwrap_or(key)
}

/// Answers read one a line, with each question echoed to stderr: in the questions' order, or
/// named (`kind=donation`, then `donor=Ana Pérez`, … one a line in any order), which the
/// first line starting `kind=` chooses. A question a named script does not answer takes its
/// default; one without a default stops the entry.
pub struct Lines<R: BufRead> {
    input: R,
    line: u64,
    /// The named answers not asked for yet: key → (line, text).
    named: Option<std::collections::HashMap<String, (u64, String)>>,
    /// The line read to see whether answers are named, when they are not.
    first: Option<String>,
    /// The question last asked that a named script did not answer, and its prompt.
    unnamed: Option<&'static str>,
    unnamed_prompt: String,
    /// The line each question's answer came from, for messages about it.
    lines_of: std::collections::HashMap<&'static str, u64>,
    /// Every question asked, to suggest for a misspelt name.
    asked: std::collections::BTreeSet<&'static str>,
    /// How many answers of each repeatable question were taken.
    repeats: std::collections::HashMap<&'static str, usize>,
}

impl<R: BufRead> Lines<R> {
    pub fn new(input: R) -> Lines<R> {
        Lines {
            input,
            line: 0,
            named: None,
            first: None,
            unnamed: None,
            unnamed_prompt: String::new(),
            lines_of: std::collections::HashMap::new(),
            asked: std::collections::BTreeSet::new(),
            repeats: std::collections::HashMap::new(),
        }
    }

    /// The next line, at most the longest value fondo takes (so that a stray giant line is
    /// refused instead of held in memory); `None` at the end.
    fn next_line(&mut self, question: &Prompt) -> Result<Option<String>> {
        let mut text = String::new();
        let limit = VALUE_BYTES_MAX as u64 + 2;
        let read = (&mut self.input)
            .take(limit)
            .read_line(&mut text)
            .map_err(Error::io("read the answers from", "standard input"))?;
        if read as u64 == limit && !text.ends_with('\n') {
            eprintln!();
            return Err(Error::Refused(format!(
                "answer {} (to `{}`) is longer than {VALUE_BYTES_MAX} bytes (64 KiB), more than any value fondo takes; nothing was written",
                self.line + 1,
                question.text
            )));
        }
        if read == 0 {
            return Ok(None);
        }
        self.line += 1;
        // A script saved by an editor that marks UTF-8 starts with a byte order mark.
        let text = if self.line == 1 {
            text.trim_start_matches('\u{feff}')
        } else {
            &text
        };
        Ok(Some(text.trim_end_matches(['\n', '\r']).to_string()))
    }

    /// Reads every named answer, once, when the first line names the kind.
    fn read_named(&mut self, question: &Prompt) -> Result<()> {
        if self.line > 0 {
            return Ok(());
        }
        let Some(first) = self.next_line(question)? else {
            return Ok(());
        };
        if !first.starts_with("kind=") {
            self.first = Some(first);
            return Ok(());
        }
        let mut named = std::collections::HashMap::new();
        let mut line = Some(first);
        while let Some(text) = line {
            if !text.trim().is_empty() {
                let Some((key, value)) = text.split_once('=') else {
                    return Err(Error::Refused(format!(
                        "line {}: `{}` is not a named answer `key=value`; nothing was written",
                        self.line,
                        escape_controls(&text)
                    )));
                };
                let mut key = key.trim().to_string();
                // An entry's postings are answered one a line, in order: posting, posting#2, …
                if REPEATABLE.contains(&key.as_str()) {
                    let base = key.clone();
                    let mut n = 1;
                    while named.contains_key(&key) {
                        n += 1;
                        key = format!("{base}#{n}");
                    }
                }
                if named
                    .insert(key.clone(), (self.line, value.trim().to_string()))
                    .is_some()
                {
                    return Err(Error::Refused(format!(
                        "line {}: `{key}` is answered twice; nothing was written",
                        self.line
                    )));
                }
            }
            line = self.next_line(question)?;
        }
        self.named = Some(named);
        Ok(())
    }
}

impl<R: BufRead> Lines<R> {
    /// The answer a named script gives `question`.
    fn named_answer(&mut self, question: &Prompt) -> Result<Reply> {
        let repeatable = REPEATABLE.contains(&question.key);
        if let (Some(line), false) = (self.lines_of.get(question.key), repeatable) {
            return Err(self.asked_again(question, *line));
        }
        let name = match repeatable {
            true => {
                let taken = self.repeats.entry(question.key).or_default();
                *taken += 1;
                match *taken {
                    1 => question.key.to_string(),
                    n => format!("{}#{n}", question.key),
                }
            }
            false => question.key.to_string(),
        };
        match self.named.as_mut().and_then(|named| named.remove(&name)) {
            Some((line, text)) => {
                self.line = line;
                self.lines_of.insert(question.key, line);
                eprintln!("{}", escape_controls(&text));
                Ok(reply(question, &text))
            }
            None if question.commits => {
                eprintln!();
                // A misspelt name says more than the missing yes it may have caused.
                self.finish(&[])?;
                Err(Error::Cancelled(format!(
                    "no answer named `{}`: a script says `{}=y` to record the entry (or `{}=n`); nothing was written",
                    question.key, question.key, question.key
                )))
            }
            // Not named: blank, as if skipped — its default, or none where none is needed.
            None => {
                eprintln!();
                self.unnamed = Some(question.key);
                self.unnamed_prompt = question.text.clone();
                Ok(reply(question, ""))
            }
        }
    }

    /// A question whose named answer (on `line`) was already taken: a later answer, or a
    /// question the script left unanswered, took it back.
    fn asked_again(&self, question: &Prompt, line: u64) -> Error {
        eprintln!();
        let why = match self.unnamed {
            Some(key) => format!(
                "because `{key}` ({}) was not answered; answer it by name too",
                escape_controls(&self.unnamed_prompt)
            ),
            None => "because a later answer took it back (`new_donor=n`: name the donor as recorded instead)"
                .to_string(),
        };
        Error::Cancelled(format!(
            "line {line} ({}): the answer was not taken, {why}; nothing was written",
            question.text
        ))
    }
}

impl<R: BufRead> Prompter for Lines<R> {
    fn ask(&mut self, question: &Prompt) -> Result<Reply> {
        // Read first, so that a problem with the script is not printed after a prompt.
        self.read_named(question)?;
        self.asked.insert(question.key);
        match &question.default {
            Some(d) if !d.is_empty() => eprint!("{} [{}]: ", question.text, escape_controls(d)),
            _ => eprint!("{}: ", question.text),
        }
        if self.named.is_some() {
            return self.named_answer(question);
        }
        let text = match self.first.take() {
            Some(first) => first,
            None => match self.next_line(question)? {
                Some(text) => text,
                None => {
                    eprintln!();
                    return Err(Error::Refused(format!(
                        "the answers ended after line {} with `{}` unanswered; nothing was written",
                        self.line, question.text
                    )));
                }
            },
        };
        self.lines_of.insert(question.key, self.line);
        eprintln!("{}", escape_controls(text.trim_end()));
        Ok(reply(question, &text))
    }

    fn say(&mut self, text: &str) {
        eprintln!("{text}");
    }

    fn refuse(&mut self, question: &Prompt, problem: &str) -> Result<()> {
        if let (Some(named), Some(key)) = (&self.named, self.unnamed.filter(|k| *k == question.key)) {
            let misspelt = named
                .iter()
                .filter(|(name, _)| strsim::damerau_levenshtein(name, key) <= 2)
                .map(|(name, (line, _))| {
                    format!(
                        " (line {line} names `{}`: did you mean `{key}`?)",
                        escape_controls(name)
                    )
                })
                .next()
                .unwrap_or_default();
            return Err(Error::Cancelled(format!(
                "no answer named `{key}` for `{}`, which needs one ({}){misspelt}; nothing was written",
                question.text,
                escape_controls(problem)
            )));
        }
        let line = self.lines_of.get(question.key).copied().unwrap_or(self.line);
        let why = if self.named.is_some() {
            ""
        } else {
            " (answers from a script are not asked again: the next line was meant for the next question)"
        };
        Err(Error::Cancelled(format!(
            "line {line} ({}): {}; nothing was written{why}",
            question.text,
            escape_controls(problem)
        )))
    }

    fn finish(&mut self, unasked: &[&str]) -> Result<()> {
        match &self.named {
            Some(named) => {
                let mut left: Vec<(&u64, &str)> = named
                    .iter()
                    .filter(|(key, _)| !unasked.contains(&written(key)))
                    .map(|(key, (line, _))| (line, written(key)))
                    .collect();
                left.sort();
                if let Some(&(line, key)) = left.first() {
                    // A posting too many is one the entry's blank posting line ended before.
                    if REPEATABLE.contains(&key) {
                        return Err(Error::Cancelled(format!(
                            "line {line}: `{key}` is one more than the entry took (its postings ended at a blank `{key}=`); nothing was written"
                        )));
                    }
                    let known = self
                        .asked
                        .iter()
                        .chain(unasked)
                        .min_by_key(|k| strsim::damerau_levenshtein(k, key))
                        .filter(|k| strsim::damerau_levenshtein(k, key) <= 2)
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                    return Err(Error::Cancelled(format!(
                        "line {line}: `{}` answers no question of this entry{known}; nothing was written",
                        escape_controls(key)
                    )));
                }
            }
            None => {
                // A dry run leaves "Record this?" unasked: the script may still answer it.
                let mut spare_answer = unasked.contains(&"record");
                while let Some(text) = self.next_line(&Prompt::default())? {
                    if text.trim().is_empty() {
                        continue;
                    }
                    if std::mem::take(&mut spare_answer) {
                        continue;
                    }
                    return Err(Error::Cancelled(format!(
                        "line {}: `{}` is left over after the last question, so the answers were not written for this entry; nothing was written",
                        self.line,
                        escape_controls(&text)
                    )));
                }
            }
        }
        Ok(())
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
    fn ask(&mut self, question: &Prompt) -> Result<Reply> {
        let help = match question.help.as_str() {
            "" => "< to go back · Ctrl-C to cancel".to_string(),
            help => format!("{help} · < to go back · Ctrl-C to cancel"),
        };
        eprintln!("  {}", escape_controls(&help));
        let prompt = match question.default.as_deref().filter(|d| !d.is_empty()) {
            Some(default) => format!("> {} [{}] ", question.text, escape_controls(default)),
            None => format!("> {} ", question.text),
        };
        let cannot = |e: ReadlineError| Error::Refused(format!("cannot ask at this terminal: {e}"));
        let mut editor: Editor<Suggest, DefaultHistory> = Editor::new().map_err(cannot)?;
        editor.set_helper(Some(Suggest(question.suggestions.clone())));
        match editor.readline(&prompt) {
            Ok(text) => Ok(reply(question, &text)),
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => {
                Err(Error::Cancelled("cancelled; nothing was written".into()))
            }
            Err(e) => Err(cannot(e)),
        }
    }

    fn say(&mut self, text: &str) {
        eprintln!("{text}");
    }

    fn refuse(&mut self, _question: &Prompt, problem: &str) -> Result<()> {
        self.say(&format!("  ✗ {}", escape_controls(problem)));
        Ok(())
    }

    fn finish(&mut self, _unasked: &[&str]) -> Result<()> {
        Ok(())
    }
}
