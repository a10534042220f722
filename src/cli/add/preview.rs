//! The end of `fondo add`: the answers become a command line, which is parsed and built as
//! if typed, shown with the postings it makes, and recorded on the treasurer's yes.

use clap::Parser;

use super::question::{yes_no, Question};
use super::AddSession;
use crate::cli::prompt::{Prompt, Reply};
use crate::cli::record::{write_confirmation, write_transaction, ConfirmArgs, Recording};
use crate::cli::{Cli, Command, Context};
use crate::domain::identity::Likeness;
use crate::domain::names::{escape_controls, slugify};
use crate::error::{Error, Result};
use crate::render::{self, Format, Recorded};
use crate::store::read;
use crate::store::{donors, WriteMode};

/// The name a script gives the answer that records the entry (`record=y`).
const RECORD_KEY: &str = "record";

impl AddSession<'_> {
    /// Builds the transaction the answers describe, shows it, and records it if confirmed.
    pub(super) fn preview_and_record(&mut self) -> Result<()> {
        let ctx = self.context();
        let words = self.command_words()?;
        let parsed = Cli::try_parse_from(&words)
            .map_err(|e| Error::Refused(e.to_string().lines().next().unwrap_or_default().to_string()))?;
        let shown = shown(&ctx, &words);
        let recording: &dyn Recording = match &parsed.command {
            Command::Confirm(args) => return self.confirm(&ctx, args, &shown),
            Command::Donation(a) => a,
            Command::Send(a) => a,
            Command::Allocate(a) => a,
            Command::Fee(a) => a,
            Command::Transfer(a) => a,
            Command::Exchange(a) => a,
            Command::Entry(a) => a,
            _ => return Err(Error::Refused(format!("`{shown}` is not a recording command"))),
        };
        let txn = recording.transaction(&ctx, self.ledger)?;
        let names = recording.name_rules();
        let new_commune = ctx.new_commune.as_ref();
        let preview = write_transaction(self.ledger, &txn, true, Default::default(), names, new_commune)?;
        let mut table = Vec::new();
        render::write_recorded(&preview, Recorded::Preview, Format::Table, &mut table)
            .map_err(Error::Output)?;
        self.prompter.say(&String::from_utf8_lossy(&table));
        self.prompter.say(&format!("  the same as: {shown}"));
        if !self.confirmed()? {
            // A dry run asked for CSV or JSON gets the preview in it, as `donation --dry-run` does.
            if self.dry_run && ctx.format != Format::Table {
                render::write_recorded(&preview, Recorded::Preview, ctx.format, self.out)
                    .map_err(Error::Output)?;
            }
            self.prompter.say("nothing was written");
            return Ok(());
        }
        let recorded = write_transaction(self.ledger, &txn, false, Default::default(), names, new_commune)?;
        render::write_recorded(&recorded, Recorded::Written, ctx.format, self.out).map_err(Error::Output)?;
        Ok(())
    }

    /// The context the command runs in. A new commune is added in the same write as the
    /// transaction, so nothing is written before the treasurer says yes (nor on a dry run).
    fn context(&mut self) -> Context {
        if !self.answers.yes(Question::NewCommune) {
            return self.ctx.clone();
        }
        let name = self.answers.commune().unwrap_or_default();
        let state = self.answers.get(Question::State).unwrap_or_default();
        self.prompter.say(&format!(
            "  with it, the new commune {} ({}, {})",
            slugify(name),
            escape_controls(name),
            escape_controls(state)
        ));
        Context {
            new_commune: Some((name.to_string(), state.to_string())),
            ..self.ctx.clone()
        }
    }

    /// `fondo` and the command line the answers amount to.
    fn command_words(&self) -> Result<Vec<String>> {
        let mut words = vec!["fondo".to_string()];
        words.extend(self.kind.command_line(&self.answers));
        // The question named the donor this one looks like; `y` said it is someone else.
        if self.answers.yes(Question::NewDonor) {
            let donor = self.answers.get(Question::Donor).unwrap_or_default();
            for (_, likeness) in donors::look_alikes(self.ledger.conn(), donor)? {
                words.push(match likeness {
                    Likeness::SameKey => "--new-donor".into(),
                    Likeness::Confusable => "--allow-confusable".into(),
                });
            }
        }
        Ok(words)
    }

    /// Whether to record: the treasurer's yes (never on a dry run, which asks nothing), once
    /// every answer a script gave has been used — but for questions of the kind that this
    /// entry did not need (`new_donor` for a returning donor), so that one script serves both.
    fn confirmed(&mut self) -> Result<bool> {
        let mut unasked: Vec<&str> = self.kind.questions().iter().map(|q| q.key()).collect();
        if self.dry_run {
            unasked.push(RECORD_KEY);
            self.prompter.finish(&unasked)?;
            return Ok(false);
        }
        let prompt = Prompt {
            key: RECORD_KEY,
            text: "Record this? (y/n)".into(),
            default: Some("y".into()),
            commits: true,
            ..Prompt::default()
        };
        loop {
            match self.prompter.ask(&prompt)? {
                Reply::Answer(text) => match yes_no(&text) {
                    Ok(answer) => {
                        if answer == "y" {
                            self.prompter.finish(&unasked)?;
                        }
                        return Ok(answer == "y");
                    }
                    Err(problem) => self.prompter.refuse(&prompt, &problem)?,
                },
                Reply::Back => return Err(Error::Cancelled("cancelled; nothing was written".into())),
            }
        }
    }

    fn confirm(&mut self, ctx: &Context, args: &ConfirmArgs, shown: &str) -> Result<()> {
        let (id, confirmation) = args.confirmation(ctx)?;
        let grant = read::transaction(self.ledger.conn(), id)?;
        let would_be = self
            .ledger
            .write(WriteMode::DryRun, |w| w.confirm(id, &confirmation, ctx.today))?;
        self.prompter.say(&format!(
            "  confirmation of #{id} {} {} on {}",
            grant.date,
            escape_controls(&grant.description),
            confirmation.date.unwrap_or(ctx.today)
        ));
        self.prompter.say(&format!("  the same as: {shown}"));
        if !self.confirmed()? {
            if self.dry_run && ctx.format != Format::Table {
                write_confirmation(ctx, id, would_be, &confirmation, true, self.out)?;
            }
            self.prompter.say("nothing was written");
            return Ok(());
        }
        let confirmation_id = self
            .ledger
            .write(WriteMode::Commit, |w| w.confirm(id, &confirmation, ctx.today))?;
        write_confirmation(ctx, id, confirmation_id, &confirmation, false, self.out)
    }
}

/// The command line as a shell would take it; a commune added with the entry is part of the
/// command line that does the same.
fn shown(ctx: &Context, words: &[String]) -> String {
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
    match &ctx.new_commune {
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
            format!("{} && {}", shell(&add), shell(words))
        }
        None => shell(words),
    }
}
